"""The rules of the qualification engine, in plain Python over the aggregates one chunk's
queries return (see `certification.services.qualification` for the rules in words)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models.qualification import (
    CREDIT_PREFIX,
    MENTOR_CATEGORY,
    TOPIC_PREFIX,
    QualificationStandard,
    QualificationState,
    RequirementKind,
)

RENEWAL_CODE = "renewal"
ONE_DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Previous:
    """What the last computation stored (read with values_list, not model instances)."""

    state: str
    missing: list
    qualified_on: datetime.date | None
    expires_on: datetime.date | None
    changed_at: datetime.datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (negative: earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def number(value) -> float | int:
    """A Decimal for JSON: an int when whole, else a float with at most two decimals."""
    if not value:
        return 0
    if isinstance(value, int):
        return value
    value = Decimal(value).quantize(CENT, ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


# --- Requirements as the engine sees them ---------------------------------------------------


@dataclass(frozen=True)
class Spec:
    code: str
    label: str
    kind: str
    stages: tuple[str, ...]
    need: Decimal
    course_id: int | None
    category_q: Q | None
    window_start: datetime.date | None

    @property
    def windowed(self) -> bool:
        return self.window_start is not None

    @property
    def alias(self) -> str:
        return "r_" + self.code.replace("-", "_")


def _category_q(category: str) -> Q | None:
    if category == MENTOR_CATEGORY:
        return Q(mentor_topic=True)
    if category.startswith(CREDIT_PREFIX):
        return Q(category=category[len(CREDIT_PREFIX) :])
    if category.startswith(TOPIC_PREFIX):
        return Q(topic=category[len(TOPIC_PREFIX) :])
    return None


def specs_for(
    standard: QualificationStandard, courses: dict[str, int], today: datetime.date
) -> list[Spec]:
    specs = []
    for requirement in standard.requirements.all():
        window_start = (
            add_months(today, -requirement.window_months) if requirement.window_months else None
        )
        need = (
            Decimal(1)
            if requirement.kind == RequirementKind.COURSE_COMPLETED
            else Decimal(requirement.min_value)
        )
        specs.append(
            Spec(
                code=requirement.code,
                label=requirement.label,
                kind=requirement.kind,
                stages=tuple(requirement.stages or ()),
                need=need,
                course_id=courses.get(requirement.course_code or ""),
                category_q=_category_q(requirement.category or ""),
                window_start=window_start,
            )
        )
    return specs


@dataclass
class Result:
    spec: Spec
    have: Decimal
    met_on: datetime.date | None

    @property
    def met(self) -> bool:
        return self.have >= self.spec.need and self.have > 0

    def ratio(self) -> Decimal:
        if self.spec.need <= 0:
            return Decimal(1)
        return min(self.have / self.spec.need, Decimal(1)) if self.have > 0 else Decimal(0)

    def item(self) -> dict:
        return {
            "code": self.spec.code,
            "label": self.spec.label,
            "have": number(self.have),
            "need": number(self.spec.need),
        }


def results_for(spec_list: list[Spec], ledger: dict, scores: dict) -> list[Result]:
    results = []
    for spec in spec_list:
        source = scores if spec.kind == RequirementKind.COURSE_SCORE else ledger
        have = source.get(spec.alias + "_have") if source else None
        met_on = source.get(spec.alias + "_on") if source else None
        if spec.kind == RequirementKind.COURSE_SCORE:
            have = Decimal(have) * 100 if have is not None else Decimal(0)
            if isinstance(met_on, datetime.datetime):
                met_on = timezone.localdate(met_on)
        elif spec.kind == RequirementKind.COURSE_COMPLETED:
            have = Decimal(min(have or 0, 1))
        else:
            have = Decimal(have or 0)
        results.append(Result(spec=spec, have=have, met_on=met_on))
    return results


# --- Validity, renewal and state ------------------------------------------------------------


@dataclass
class Period:
    qualified_on: datetime.date
    expires_on: datetime.date
    period_start: datetime.date


def _hours_between(rows, start: datetime.date, end: datetime.date) -> Decimal:
    return sum((hours for day, hours in rows if start <= day <= end), Decimal(0))


def walk(
    qualified_on: datetime.date,
    standard: QualificationStandard,
    mentor_rows,
    today: datetime.date,
) -> Period:
    """Follow renewals (and regains after an expiry) from qualified_on up to today.
    `period_start` is the first day whose hours count towards the next renewal: the hours
    that regained an expired qualification do not renew the new period as well."""
    months = standard.validity_months
    renewal = Decimal(standard.renewal_hours or 0)
    start, end = qualified_on, add_months(qualified_on, months)
    while True:
        if renewal > 0 and start <= today and _hours_between(mentor_rows, start, end) >= renewal:
            start, end = end + ONE_DAY, add_months(end, months)
            continue
        if renewal > 0 and end < today:
            # Expired: regained on the day the hours earned after the expiry reach the rule.
            total = Decimal(0)
            regained = None
            for day, hours in mentor_rows:
                if end < day <= today:
                    total += hours
                    if total >= renewal:
                        regained = day
                        break
            if regained is not None:
                qualified_on = regained
                start, end = regained + ONE_DAY, add_months(regained, months)
                continue
        return Period(qualified_on=qualified_on, expires_on=end, period_start=start)


@dataclass
class Decision:
    state: str
    progress: Decimal
    missing: list[dict]
    qualified_on: datetime.date | None
    expires_on: datetime.date | None


def decide(
    *,
    standard: QualificationStandard,
    results: list[Result],
    previous: Previous | None,
    mentor_rows,
    today: datetime.date,
) -> Decision:
    if results:
        progress = sum((r.ratio() for r in results), Decimal(0)) * 100 / len(results)
    else:
        progress = Decimal(100)
    progress = progress.quantize(Decimal("0.01"), ROUND_HALF_UP)
    all_met = all(r.met for r in results)
    lasting_met = all(r.met for r in results if not r.spec.windowed)
    last_met_on = max((r.met_on for r in results if r.met_on), default=standard.effective_from)

    qualified_on = None
    if previous is not None and previous.qualified_on and lasting_met:
        qualified_on = previous.qualified_on
    elif all_met:
        qualified_on = last_met_on
    if qualified_on is None:
        earned = any(r.have > 0 for r in results)
        state = QualificationState.IN_PROGRESS if earned else QualificationState.NOT_STARTED
        missing = [r.item() for r in results if not r.met]
        return Decision(state, progress, missing, None, None)

    period = walk(qualified_on, standard, mentor_rows, today)
    if period.expires_on < today and all_met and last_met_on > period.expires_on:
        period = walk(last_met_on, standard, mentor_rows, today)
    days_left = (period.expires_on - today).days
    if days_left < 0:
        state = QualificationState.EXPIRED
    elif days_left <= standard.expiring_days:
        state = QualificationState.EXPIRING
    else:
        state = QualificationState.QUALIFIED
    missing = []
    renewal = Decimal(standard.renewal_hours or 0)
    if state != QualificationState.QUALIFIED and renewal > 0:
        if state == QualificationState.EXPIRED:
            have = _hours_between(mentor_rows, period.expires_on + ONE_DAY, today)
        else:
            have = _hours_between(mentor_rows, period.period_start, period.expires_on)
        missing.append(
            {
                "code": RENEWAL_CODE,
                "label": _("Mentor training hours to renew"),
                "have": number(have),
                "need": number(renewal),
            }
        )
    return Decision(state, Decimal(100), missing, period.qualified_on, period.expires_on)
