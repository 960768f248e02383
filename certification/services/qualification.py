"""The qualification engine: computes QualificationStatus for a set of teachers, set-based
(issue 7 item 5, DESIGN.md §6).

Per chunk of teachers and per current standard the work is a fixed number of queries,
whatever the number of teachers: their previous statuses, one GROUP BY user over the
effective ledger (conditional aggregation, one pair of aggregates per requirement), one over
H5P results when a requirement needs a score, the mentor-training rows of the teachers who
are (or become) qualified, then one upsert statement and the reminders. The rules are in
`qualification_rules`, the reads in `qualification_sources`, the writes in
`qualification_store`; this module runs them.

Rules (all dates are Asia/Shanghai calendar days; "today" is `timezone.localdate()`):

- A requirement applies when its stages (or the standard's) are empty or include the
  teacher's stage. Only effective ledger entries count (a reversed entry and its reversal
  never do).
- course_completed: an effective entry of source "course" (or "import", an offline record
  naming the course's code) for the course (by code, resolved now). Met on its awarded_on.
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
  expiry (new qualified_on = the day they are reached; those hours do not also count
  towards the new period's renewal), or by meeting every requirement again with the last
  one met after the expiry.
- expiring: at most `expiring_days` (90) days left. revoked: set by hand with a reason;
  a recompute never touches a revoked status until it is un-revoked.
- missing: the unmet requirements {code, label, have, need} while not qualified; for an
  expiring or expired status the renewal item {code: "renewal", …} when renewal hours
  count. progress: the mean of min(have / need, 1) over the requirements, in percent.
- changed_at moves only when the state, missing, qualified_on or expires_on change.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage
from people.models import User

from .. import audit
from ..models.qualification import QualificationStandard, QualificationState, QualificationStatus
from .certificates import qualification_certificates_revoke
from .qualification_certificates import issue_period_certificates
from .qualification_rules import (  # noqa: F401  (add_months and RENEWAL_CODE are public)
    RENEWAL_CODE,
    Previous,
    Spec,
    add_months,
    decide,
    results_for,
    specs_for,
)
from .qualification_sources import ledger_aggregates, mentor_rows, score_aggregates
from .qualification_store import send_reminders, upsert_statuses

CHUNK_SIZE = 2_000
VALID_STATES = (QualificationState.QUALIFIED, QualificationState.EXPIRING)


@dataclass
class RecomputeResult:
    users: int = 0
    written: int = 0
    changed: int = 0
    reminders: int = 0
    by_state: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, other: RecomputeResult) -> None:
        """Count another run's figures in (the batch task recomputes chunk by chunk)."""
        self.users += other.users
        self.written += other.written
        self.changed += other.changed
        self.reminders += other.reminders
        self.by_state.update(other.by_state)
        self.seconds += other.seconds


@dataclass(frozen=True)
class Reminder:
    user_id: int
    state: str
    expires_on: datetime.date


def _course_ids(standards: list[QualificationStandard]) -> dict[str, int]:
    codes = {r.course_code for s in standards for r in s.requirements.all() if r.course_code}
    if not codes:
        return {}
    return dict(CoursePage.objects.filter(code__in=codes).values_list("code", "pk"))


def _previous(user_ids: list[int], code: str) -> dict[int, Previous]:
    return {
        user_id: Previous(state, missing, qualified_on, expires_on, changed_at)
        for user_id, state, missing, qualified_on, expires_on, changed_at in (
            QualificationStatus.objects.filter(user_id__in=user_ids, standard_code=code)
            .order_by()
            .values_list("user_id", "state", "missing", "qualified_on", "expires_on", "changed_at")
        )
    }


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
    previous = _previous(user_ids, standard.code)
    ledger = ledger_aggregates(user_ids, specs)
    scores = score_aggregates(user_ids, specs)
    by_stage: dict[str, list[Spec]] = {}
    evaluated = []
    for user_id, stage, _email in users:
        before = previous.get(user_id)
        if before is not None and before.state == QualificationState.REVOKED:
            result.by_state[str(QualificationState.REVOKED)] += 1
            continue
        if stage not in by_stage:
            by_stage[stage] = [s for s in specs if not s.stages or stage in s.stages]
        results = results_for(by_stage[stage], ledger.get(user_id, {}), scores.get(user_id, {}))
        evaluated.append((user_id, before, results))
    # Renewal hours matter only to teachers who are (or become) qualified: read theirs only.
    candidates = [
        user_id
        for user_id, before, results in evaluated
        if all(r.met for r in results)
        or (
            before is not None
            and before.qualified_on
            and all(r.met for r in results if not r.spec.windowed)
        )
    ]
    mentor = mentor_rows(candidates) if candidates and standard.renewal_hours else {}
    rows, remind = [], []
    for user_id, before, results in evaluated:
        decision = decide(
            standard=standard,
            results=results,
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
        rows.append(
            {
                "user_id": user_id,
                "standard_code": standard.code,
                "standard_id": standard.pk,
                "state": decision.state,
                "progress": decision.progress,
                "missing": decision.missing,
                "qualified_on": decision.qualified_on,
                "expires_on": decision.expires_on,
                "computed_at": now,
                "changed_at": now if changed else before.changed_at,
            }
        )
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
            remind.append(Reminder(user_id, decision.state, decision.expires_on))
    upsert_statuses(rows)
    result.written += len(rows)
    # A period that started or moved (qualified, regained, renewed) gets its certificate.
    issue_period_certificates(standard=standard, rows=rows, previous=previous)
    emails = {user_id: email for user_id, _stage, email in users}
    result.reminders += send_reminders(standard, remind, emails)


def qualification_recompute(
    users: QuerySet[User] | Iterable[int] | None = None,
    *,
    today: datetime.date | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RecomputeResult:
    """Recompute the statuses of `users` (a User queryset or ids; None: everyone) who are
    active and belong to a school, for every current standard. Safe to run twice: the second run
    writes the same rows and changes nothing."""
    started = time.monotonic()
    today = today or timezone.localdate()
    now = timezone.now()
    result = RecomputeResult()
    # Statuses are for active school staff only, whichever way the teachers are named.
    if users is None:
        people = User.objects.all()
    elif isinstance(users, QuerySet):
        people = users
    else:
        people = User.objects.filter(pk__in=list(users))
    people = people.filter(is_active=True, school__isnull=False)
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
        specs = specs_for(standard, courses, today)
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
        before_state = status.state
        status.state = QualificationState.REVOKED
        status.revoked_reason = reason[:300]
        status.revoked_by = revoked_by
        status.revoked_at = now
        status.changed_at = now
        status.missing = []
        status.full_clean()
        status.save()
        # The certificate must not go on saying what the revocation took back.
        qualification_certificates_revoke(
            user=user, standard_code=standard_code, reason=reason, revoked_by=revoked_by
        )
        audit.qualification_revoked(status=status, before_state=before_state, user=revoked_by)
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
            audit.qualification_unrevoked(
                user=user,
                standard_code=standard_code,
                status=QualificationStatus.objects.filter(
                    user=user, standard_code=standard_code
                ).first(),
            )
    return QualificationStatus.objects.filter(user=user, standard_code=standard_code).first()
