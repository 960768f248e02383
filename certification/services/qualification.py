"""The qualification engine: computes QualificationStatus for a set of teachers, set-based
(issue 7 item 5, DESIGN.md §6).

Per chunk of teachers and per current standard the work is a fixed number of queries,
whatever the number of teachers: their previous statuses, one GROUP BY user over the
effective ledger (conditional aggregation, one pair of aggregates per requirement), one over
H5P results when a requirement needs a score, the mentor-training rows that renew
qualifications, then one bulk upsert and the reminders.

Rules (all dates are Asia/Shanghai calendar days; "today" is `timezone.localdate()`):

- A requirement applies when its stages (or the standard's) are empty or include the
  teacher's stage. Only effective ledger entries count (a reversed entry and its reversal
  never do).
- course_completed: an effective entry of source "course" for the course (by code, resolved
  now). Met on its awarded_on.
- category_hours: hours of entries in the category — "credit:<category>", "topic:<slug>" or
  "mentor" (entries whose topic counted as mentor training) — awarded within the window
  `[today − N months, today]` (both ends included; no window = all time). Met on the latest
  awarded_on counted.
- course_score: the best H5P scaled score (H5PResult.best_scaled × 100) over the activities
  of the course's lessons. Met on the (local) day of the last attempt at the earliest result
  that reaches the minimum.
- lectures_attended: effective entries of source "lecture" within the window; met on the
  latest one counted.
- Qualified: every requirement met. qualified_on = the day the last requirement was met;
  expires_on = qualified_on + validity months; valid through expires_on (included).
  Once qualified, the windowed requirements (hours, lectures) are not asked again during the
  validity: the qualification holds while the requirements without a window stay met (a
  reversed course credit drops the teacher back to in_progress).
- Renewal: when the mentor-training hours (entries with mentor_topic) awarded within the
  current period [start, expires_on] reach the standard's renewal_hours, the qualification
  is extended: the next period runs from expires_on + 1 day to expires_on + validity months.
  It is applied as soon as the hours are reached, and repeatedly while later periods reach
  them too.
- Expired (today > expires_on): it is regained by reaching renewal_hours again after the
  expiry (new qualified_on = the day they are reached), or by meeting every requirement
  again with the last one met after the expiry.
- expiring: at most `expiring_days` (90) days left. revoked: set by hand with a reason;
  a recompute never touches a revoked status until it is un-revoked.
- missing: the unmet requirements {code, label, have, need} while not qualified; for an
  expiring or expired status the renewal item {code: "renewal", …} when renewal hours
  count. progress: the mean of min(have / need, 1) over the requirements, in percent.
- changed_at moves only when the state, missing, qualified_on or expires_on change.
"""

from __future__ import annotations

import calendar
import datetime
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import CoursePage, H5PResult, LessonPackage
from people.models import Notification, User

from ..models import CreditEntry, CreditSource
from ..models.qualification import (
    CREDIT_PREFIX,
    MENTOR_CATEGORY,
    TOPIC_PREFIX,
    QualificationStandard,
    QualificationState,
    QualificationStatus,
    RequirementKind,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2_000
RENEWAL_CODE = "renewal"
VALID_STATES = (QualificationState.QUALIFIED, QualificationState.EXPIRING)
UPDATE_FIELDS = [
    "standard",
    "state",
    "progress",
    "missing",
    "qualified_on",
    "expires_on",
    "computed_at",
    "changed_at",
]
ONE_DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (negative: earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _number(value) -> float | int:
    """A Decimal for JSON: an int when whole, else a float with at most two decimals."""
    value = Decimal(value or 0).quantize(Decimal("0.01"), ROUND_HALF_UP)
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


def _specs(
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
            "have": _number(self.have),
            "need": _number(self.spec.need),
        }


# --- The aggregate queries (one each per chunk) ---------------------------------------------


def _ledger_aggregates(user_ids: list[int], specs: list[Spec]) -> dict[int, dict]:
    annotations = {}
    for spec in specs:
        when = Q()
        if spec.window_start is not None:
            when &= Q(awarded_on__gte=spec.window_start)
        if spec.kind == RequirementKind.COURSE_COMPLETED:
            if spec.course_id is None:
                continue
            when &= Q(source=CreditSource.COURSE, source_object_id=spec.course_id)
            annotations[spec.alias + "_have"] = Count("id", filter=when)
            annotations[spec.alias + "_on"] = Min("awarded_on", filter=when)
        elif spec.kind == RequirementKind.CATEGORY_HOURS:
            if spec.category_q is None:
                continue
            when &= spec.category_q
            annotations[spec.alias + "_have"] = Sum("hours", filter=when)
            annotations[spec.alias + "_on"] = Max("awarded_on", filter=when)
        elif spec.kind == RequirementKind.LECTURES_ATTENDED:
            when &= Q(source=CreditSource.LECTURE)
            annotations[spec.alias + "_have"] = Count("id", filter=when)
            annotations[spec.alias + "_on"] = Max("awarded_on", filter=when)
    if not annotations:
        return {}
    rows = (
        CreditEntry.objects.effective()
        .filter(user_id__in=user_ids)
        .order_by()
        .values("user_id")
        .annotate(**annotations)
    )
    return {row["user_id"]: row for row in rows}


def _score_aggregates(user_ids: list[int], specs: list[Spec]) -> dict[int, dict]:
    score_specs = [
        s for s in specs if s.kind == RequirementKind.COURSE_SCORE and s.course_id is not None
    ]
    if not score_specs:
        return {}
    # The lessons of each required course that play an H5P activity (one small query).
    lessons: dict[int, set[int]] = defaultdict(set)
    for course_id, lesson_id in LessonPackage.objects.filter(
        course_id__in={s.course_id for s in score_specs}
    ).values_list("course_id", "lesson_id"):
        lessons[course_id].add(lesson_id)
    annotations = {}
    for spec in score_specs:
        in_course = Q(lesson_id__in=sorted(lessons.get(spec.course_id, ())) or [0])
        annotations[spec.alias + "_have"] = Max("best_scaled", filter=in_course)
        reached = in_course & Q(best_scaled__gte=spec.need / 100)
        annotations[spec.alias + "_on"] = Min("last_attempt_at", filter=reached)
    rows = (
        H5PResult.objects.filter(user_id__in=user_ids)
        .order_by()
        .values("user_id")
        .annotate(**annotations)
    )
    return {row["user_id"]: row for row in rows}


def _mentor_rows(user_ids: list[int]) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    rows: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for user_id, awarded_on, hours in (
        CreditEntry.objects.effective()
        .filter(user_id__in=user_ids, mentor_topic=True, hours__gt=0)
        .order_by("user_id", "awarded_on", "id")
        .values_list("user_id", "awarded_on", "hours")
    ):
        rows[user_id].append((awarded_on, hours))
    return rows


def _results(spec_list: list[Spec], ledger: dict, scores: dict) -> list[Result]:
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


def _walk(
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


def _decide(
    *,
    standard: QualificationStandard,
    results: list[Result],
    previous: QualificationStatus | None,
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

    period = _walk(qualified_on, standard, mentor_rows, today)
    if period.expires_on < today and all_met and last_met_on > period.expires_on:
        period = _walk(last_met_on, standard, mentor_rows, today)
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
                "have": _number(have),
                "need": _number(renewal),
            }
        )
    return Decision(state, Decimal(100), missing, period.qualified_on, period.expires_on)


# --- Reminders ------------------------------------------------------------------------------


def reminder_key(*, standard_code: str, state: str, expires_on: datetime.date) -> str:
    return f"qual-{standard_code}-{state}-{expires_on:%Y%m%d}"


def _reminder_text(standard: QualificationStandard, status: QualificationStatus):
    values = {"name": standard.name, "date": f"{status.expires_on:%Y-%m-%d}"}
    if status.state == QualificationState.EXPIRING:
        title = _("Your %(name)s expires on %(date)s") % values
        body = (
            _(
                "Your %(name)s expires on %(date)s. Earn the renewal hours in mentor training "
                "before then to renew it."
            )
            % values
        )
    else:
        title = _("Your %(name)s expired on %(date)s") % values
        body = (
            _("Your %(name)s expired on %(date)s. See what is needed to regain it on your page.")
            % values
        )
    return title, body


def _send_reminders(
    standard: QualificationStandard, statuses: list[QualificationStatus], emails: dict[int, str]
) -> int:
    """One notification (and e-mail) per status that became expiring or expired; the
    notification's unique key makes a second run send nothing. Two queries."""
    if not statuses:
        return 0
    wanted = {
        reminder_key(standard_code=standard.code, state=s.state, expires_on=s.expires_on): s
        for s in statuses
    }
    sent = set(
        Notification.objects.filter(
            user_id__in={s.user_id for s in statuses}, key__in=wanted.keys()
        ).values_list("user_id", "key")
    )
    fresh = [(key, s) for key, s in wanted.items() if (s.user_id, key) not in sent]
    if not fresh:
        return 0
    path = reverse("courses:me")
    notes, messages = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for key, status in fresh:
            title, body = _reminder_text(standard, status)
            notes.append(
                Notification(user_id=status.user_id, title=title, body=body, url=path, key=key)
            )
            if emails.get(status.user_id):
                messages.append(EmailMessage(subject=title, body=body, to=[emails[status.user_id]]))
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    if messages:
        # Mail is best effort: the in-site notification is kept whatever the mail server says.
        try:
            get_connection(fail_silently=False).send_messages(messages)
        except OSError:
            logger.exception(
                "Qualification reminder e-mails could not be sent (%d).", len(messages)
            )
    return len(notes)


# --- The upsert: one statement per chunk --------------------------------------------------

# Columns written by the recompute; a conflict on (user, standard_code) updates all but the
# key, and never a revoked row (it may have been revoked since the chunk was read).
_UPSERT_COLUMNS = [
    ("user_id", "bigint"),
    ("standard_code", "varchar(30)"),
    ("standard_id", "bigint"),
    ("state", "varchar(12)"),
    ("progress", "numeric(5,2)"),
    ("missing", "jsonb"),
    ("qualified_on", "date"),
    ("expires_on", "date"),
    ("computed_at", "timestamptz"),
    ("changed_at", "timestamptz"),
    ("revoked_reason", "varchar(300)"),
]


def _upsert_sql(vendor: str) -> str:
    table = connection.ops.quote_name(QualificationStatus._meta.db_table)
    names = [name for name, _type in _UPSERT_COLUMNS]
    columns = ", ".join(names)
    updates = ", ".join(
        f"{name} = excluded.{name}" for name in names if name not in ("user_id", "standard_code")
    )
    conflict = (
        f"ON CONFLICT (user_id, standard_code) DO UPDATE SET {updates} "
        f"WHERE {table}.state <> '{QualificationState.REVOKED.value}'"
    )
    if vendor == "postgresql":
        record = ", ".join(f"{name} {sql_type}" for name, sql_type in _UPSERT_COLUMNS)
        # Only module constants are interpolated; the rows are the one bound parameter.
        source = f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({record})"  # noqa: S608
    else:  # SQLite: json_each; "WHERE true" keeps ON CONFLICT from parsing as a join clause
        fields = ", ".join(f"json_extract(value, '$.{name}')" for name in names)
        source = f"SELECT {fields} FROM json_each(%s) WHERE true"  # noqa: S608
    return f"INSERT INTO {table} ({columns}) {source} {conflict}"


def _upsert_statuses(rows: list[QualificationStatus]) -> None:
    """Write the chunk's statuses in one statement, whatever its size: the rows travel as one
    JSON parameter (bulk_create would split them into many batches on SQLite)."""
    if not rows:
        return
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        QualificationStatus.objects.bulk_create(
            rows,
            batch_size=1_000,
            update_conflicts=True,
            unique_fields=["user", "standard_code"],
            update_fields=UPDATE_FIELDS,
        )
        return

    def moment(value: datetime.datetime) -> str:
        if vendor == "sqlite":
            return connection.ops.adapt_datetimefield_value(value)
        return value.isoformat()

    def day(value: datetime.date | None) -> str | None:
        return value.isoformat() if value else None

    payload = [
        {
            "user_id": row.user_id,
            "standard_code": row.standard_code,
            "standard_id": row.standard_id,
            "state": str(row.state),
            "progress": str(row.progress),
            "missing": row.missing if vendor == "postgresql" else json.dumps(row.missing),
            "qualified_on": day(row.qualified_on),
            "expires_on": day(row.expires_on),
            "computed_at": moment(row.computed_at),
            "changed_at": moment(row.changed_at),
            "revoked_reason": "",
        }
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(vendor), [json.dumps(payload, ensure_ascii=False)])


# --- The entry point ------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    users: int = 0
    written: int = 0
    changed: int = 0
    reminders: int = 0
    by_state: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _course_ids(standards: list[QualificationStandard]) -> dict[str, int]:
    codes = {r.course_code for s in standards for r in s.requirements.all() if r.course_code}
    if not codes:
        return {}
    return dict(CoursePage.objects.filter(code__in=codes).values_list("code", "pk"))


def _recompute_chunk(
    *,
    standard: QualificationStandard,
    specs: list[Spec],
    users: list[tuple[int, str, str]],
    today: datetime.date,
    now: datetime.datetime,
    result: RecomputeResult,
) -> None:
    user_ids = [user_id for user_id, _stage, _email in users]
    previous = {
        s.user_id: s
        for s in QualificationStatus.objects.filter(
            user_id__in=user_ids, standard_code=standard.code
        )
    }
    ledger = _ledger_aggregates(user_ids, specs)
    scores = _score_aggregates(user_ids, specs)
    mentor = _mentor_rows(user_ids) if standard.renewal_hours else {}
    rows, remind = [], []
    for user_id, stage, _email in users:
        before = previous.get(user_id)
        if before is not None and before.state == QualificationState.REVOKED:
            result.by_state[str(QualificationState.REVOKED)] += 1
            continue
        applicable = [s for s in specs if not s.stages or stage in s.stages]
        decision = _decide(
            standard=standard,
            results=_results(applicable, ledger.get(user_id, {}), scores.get(user_id, {})),
            previous=before,
            mentor_rows=mentor.get(user_id, ()),
            today=today,
        )
        changed = before is None or (
            before.state,
            before.missing,
            before.qualified_on,
            before.expires_on,
        ) != (decision.state, decision.missing, decision.qualified_on, decision.expires_on)
        status = QualificationStatus(
            user_id=user_id,
            standard_code=standard.code,
            standard=standard,
            state=decision.state,
            progress=decision.progress,
            missing=decision.missing,
            qualified_on=decision.qualified_on,
            expires_on=decision.expires_on,
            computed_at=now,
            changed_at=now if changed else before.changed_at,
        )
        rows.append(status)
        result.by_state[str(decision.state)] += 1
        result.changed += int(changed)
        became = before is None or before.state != decision.state
        if became and (
            decision.state == QualificationState.EXPIRING
            or (
                decision.state == QualificationState.EXPIRED
                and before is not None
                and before.state in VALID_STATES
            )
        ):
            remind.append(status)
    _upsert_statuses(rows)
    result.written += len(rows)
    emails = {user_id: email for user_id, _stage, email in users}
    result.reminders += _send_reminders(standard, remind, emails)


def qualification_recompute(
    users: QuerySet[User] | Iterable[int] | None = None,
    *,
    today: datetime.date | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RecomputeResult:
    """Recompute the statuses of `users` (a User queryset or ids; None: every active
    teacher with a school) for every current standard. Safe to run twice: the second run
    writes the same rows and changes nothing."""
    started = time.monotonic()
    today = today or timezone.localdate()
    now = timezone.now()
    result = RecomputeResult()
    if users is None:
        people = User.objects.filter(is_active=True, school__isnull=False)
    elif isinstance(users, QuerySet):
        people = users.filter(is_active=True)
    else:
        people = User.objects.filter(pk__in=list(users), is_active=True)
    members = list(people.order_by("pk").values_list("pk", "stage", "email"))
    result.users = len(members)
    standards = list(
        QualificationStandard.objects.filter(is_current=True).prefetch_related("requirements")
    )
    if not members or not standards:
        result.seconds = time.monotonic() - started
        return result
    courses = _course_ids(standards)
    for standard in standards:
        specs = _specs(standard, courses, today)
        scope = [m for m in members if not standard.stages or m[1] in standard.stages]
        for start in range(0, len(scope), chunk_size):
            with transaction.atomic():
                _recompute_chunk(
                    standard=standard,
                    specs=specs,
                    users=scope[start : start + chunk_size],
                    today=today,
                    now=now,
                    result=result,
                )
    result.seconds = time.monotonic() - started
    return result


# --- Manual revoke ---------------------------------------------------------------------------


def qualification_revoke(
    *, user, standard_code: str, reason: str, revoked_by
) -> QualificationStatus:
    """Revoke a teacher's qualification by hand, with the reason; recomputes leave it alone."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking.")})
    standard = QualificationStandard.objects.filter(code=standard_code, is_current=True).first()
    if standard is None:
        raise ValidationError(_("No current standard with this code."))
    now = timezone.now()
    with transaction.atomic():
        status, _created = QualificationStatus.objects.select_for_update().get_or_create(
            user=user,
            standard_code=standard_code,
            defaults={"standard": standard, "computed_at": now, "changed_at": now},
        )
        status.state = QualificationState.REVOKED
        status.revoked_reason = reason[:300]
        status.revoked_by = revoked_by
        status.revoked_at = now
        status.changed_at = now
        status.missing = []
        status.full_clean()
        status.save()
    return status


def qualification_unrevoke(
    *, user, standard_code: str, today: datetime.date | None = None
) -> QualificationStatus | None:
    """Lift a revocation and recompute the teacher's status from the ledger."""
    with transaction.atomic():
        updated = QualificationStatus.objects.filter(
            user=user, standard_code=standard_code, state=QualificationState.REVOKED
        ).update(
            state=QualificationState.IN_PROGRESS,
            revoked_reason="",
            revoked_by=None,
            revoked_at=None,
            qualified_on=None,
            expires_on=None,
        )
        if updated:
            qualification_recompute(User.objects.filter(pk=user.pk), today=today)
    return QualificationStatus.objects.filter(user=user, standard_code=standard_code).first()
