"""Bulk certificate generation: issue every certificate a school's or a cycle's teachers are
owed, set-based, then render the PDFs of that scope as a background job with progress.

Issuing compares what is owed with what exists in one query per kind and inserts the missing
rows with `bulk_create` in chunks, taking each chunk's serials in one block per year
(`next_serials`). The unique natural key (holder, kind, subject_key) is the guard: when a
single issue (a course completion, a recompute) wins a key between the check and the insert,
the chunk rolls back and is issued again row by row through `certificate_issue`, which finds
the winner's row. The field values mirror `course_certificate_issue` and
`qualification_certificate_issue` (the subject key is theirs, `qualification_subject_key`), and
a test holds both paths to the same subject_key, title, hours and dates; renewals and revoked
periods go through the single path itself.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    Certificate,
    CertificateBatch,
    CertificateKind,
    CreditCycle,
    JobStatus,
)
from certification.models.qualification import (
    QualificationStandard,
    QualificationState,
    QualificationStatus,
)
from certification.pdf import CJKFontMissing
from cms.queueing import task_delay_or_log
from courses.choices import EnrollmentStatus
from courses.models import CoursePage, Enrollment
from people.models import School, User

from .certificates import (
    certificates_insert,
    course_certificate_fields,
    qualification_certificate_fields,
    qualification_same_period,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
RENDER_CHUNK_SIZE = 20
# Failures listed in a batch's summary; the count covers them all.
MAX_LISTED_FAILURES = 50
RUNNING_STATES = (JobStatus.PENDING, JobStatus.RUNNING)
# A run saves its progress after every chunk and stops within the task time limit (15 min).
STALLED_AFTER = datetime.timedelta(minutes=30)


class BatchAlreadyRunning(ValidationError):
    pass


@dataclass
class BulkResult:
    issued: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    # Qualification certificates whose expiry moved with a renewal (re-rendered later).
    renewed: int = 0
    notes: list[str] = field(default_factory=list)


# --- Scope ------------------------------------------------------------------------------------


def scope_teachers(*, school: School | None) -> QuerySet[User]:
    """Active school staff (the population qualification statuses are computed for), of
    one school or of every school."""
    teachers = User.objects.filter(is_active=True, school__isnull=False)
    if school is not None:
        teachers = teachers.filter(school=school)
    return teachers


def current_cycle(today: datetime.date | None = None) -> CreditCycle | None:
    today = today or timezone.localdate()
    return (
        CreditCycle.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first()
    )


def _transcript_cycle(cycle: CreditCycle | None) -> CreditCycle | None:
    return cycle if cycle is not None else current_cycle()


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def certificates_in_scope(
    *, school: School | None, cycle: CreditCycle | None, kinds
) -> QuerySet[Certificate]:
    """The certificates a batch of this scope renders: those of the scope's teachers, for a
    cycle those issued within its dates (course, qualification) or for it (transcript).
    Revoked certificates are left as they are."""
    holders = scope_teachers(school=school).values("pk")
    by_kind = Q()
    for kind in kinds:
        condition = Q(kind=kind)
        if kind == CertificateKind.TRANSCRIPT:
            transcript_cycle = _transcript_cycle(cycle)
            if transcript_cycle is None:
                continue
            condition &= Q(cycle=transcript_cycle)
        elif cycle is not None:
            condition &= Q(issued_on__gte=cycle.starts_on, issued_on__lte=cycle.ends_on)
        by_kind |= condition
    if not by_kind:
        return Certificate.objects.none()
    return Certificate.objects.filter(by_kind, holder__in=holders, revoked_at__isnull=True)


# --- Issuing ------------------------------------------------------------------------------------


def _owed_courses(teachers, cycle) -> list[tuple[int, dict]]:
    """(holder id, fields) per completed enrolment of the scope. Plain values and one query
    for the courses: building a model instance per enrolment (user, school, page) cost more
    than the rest of the issue."""
    enrolments = Enrollment.objects.filter(
        user__in=teachers.values("pk"),
        status=EnrollmentStatus.COMPLETED,
        completed_at__isnull=False,
    )
    if cycle is not None:
        enrolments = enrolments.filter(
            completed_at__gte=_day_start(cycle.starts_on),
            completed_at__lt=_day_start(cycle.ends_on + datetime.timedelta(days=1)),
        )
    courses = CoursePage.objects.filter(pk__in=enrolments.values("course_id")).in_bulk()
    rows = enrolments.order_by("user_id", "pk").values_list("user_id", "course_id", "completed_at")
    return [
        (
            user_id,
            course_certificate_fields(
                course=courses[course_id], completed_on=timezone.localdate(completed_at)
            ),
        )
        for user_id, course_id, completed_at in rows
    ]


def _owed_qualifications(teachers, cycle) -> list[tuple[int, dict, int]]:
    """(holder id, fields, status id) per qualified or expiring status of the scope."""
    statuses = QualificationStatus.objects.filter(
        user__in=teachers.values("pk"),
        state__in=[QualificationState.QUALIFIED, QualificationState.EXPIRING],
        qualified_on__isnull=False,
    )
    if cycle is not None:
        statuses = statuses.filter(
            qualified_on__gte=cycle.starts_on, qualified_on__lte=cycle.ends_on
        )
    standards = QualificationStandard.objects.filter(
        pk__in=statuses.values("standard_id")
    ).in_bulk()
    owed = []
    for pk, user_id, standard_id, code, qualified_on, expires_on in statuses.order_by(
        "user_id", "pk"
    ).values_list("pk", "user_id", "standard_id", "standard_code", "qualified_on", "expires_on"):
        status = QualificationStatus(
            pk=pk,
            user_id=user_id,
            standard=standards[standard_id],
            standard_code=code,
            qualified_on=qualified_on,
            expires_on=expires_on,
        )
        owed.append((user_id, qualification_certificate_fields(status=status), pk))
    return owed


def _held_course_keys(teachers) -> set[tuple[int, str]]:
    """(holder id, subject_key) of every course certificate the scope's teachers hold: one
    query."""
    return set(
        Certificate.objects.filter(
            kind=CertificateKind.COURSE, holder__in=teachers.values("pk")
        ).values_list("holder_id", "subject_key")
    )


def _holders(user_ids) -> dict[int, User]:
    """The holders of a chunk, with what the certificate snapshots: one query."""
    return (
        User.objects.select_related("school")
        .only("pk", "full_name", "staff_no", "school__name")
        .in_bulk(set(user_ids))
    )


def _insert(owed: list[tuple[int, dict]]) -> int:
    """Insert the rows in chunks; returns how many certificates were created."""
    created = 0
    for start in range(0, len(owed), CHUNK_SIZE):
        chunk = owed[start : start + CHUNK_SIZE]
        holders = _holders(user_id for user_id, _values in chunk)
        created += len(
            certificates_insert([(holders[user_id], values) for user_id, values in chunk])
        )
    return created


def certificates_issue_bulk(
    *, school: School | None = None, cycle: CreditCycle | None = None, kinds
) -> BulkResult:
    """Issue every missing certificate of `kinds` for the scope (a school, a cycle or both).
    Issuing twice issues nothing the second time. Course and qualification certificates take
    a constant number of queries per 500 certificates whatever the number of teachers (plus
    one row-by-row issue per renewal); transcripts are issued one teacher at a time through
    `transcript_issue`."""
    if school is None and cycle is None:
        raise ValidationError(_("Choose a school, a cycle or both."))
    kinds = set(kinds)
    teachers = scope_teachers(school=school)
    result = BulkResult()

    if CertificateKind.COURSE in kinds:
        held = _held_course_keys(teachers)
        owed, seen = [], set()
        for user_id, values in _owed_courses(teachers, cycle):
            key = (user_id, values["subject_key"])
            if key in held or key in seen:
                continue
            seen.add(key)
            owed.append((user_id, values))
        result.issued[CertificateKind.COURSE] = _insert(owed)
        result.existing[CertificateKind.COURSE] = len(held)

    if CertificateKind.QUALIFICATION in kinds:
        held = _held_qualifications(teachers)
        owed, others, seen = [], [], set()
        for user_id, values, status_id in _owed_qualifications(teachers, cycle):
            key = values["subject_key"]
            if (user_id, key) in seen:
                continue
            seen.add((user_id, key))
            same_period = qualification_same_period(held.get(user_id, []), key)
            live = next((c for c in same_period if c.revoked_at is None), None)
            if not same_period:
                owed.append((user_id, values))
            elif live is None or live.expires_on != values["expires_on"]:
                others.append((status_id, same_period))
        result.issued[CertificateKind.QUALIFICATION] = _insert(owed)
        result.existing[CertificateKind.QUALIFICATION] = sum(len(c) for c in held.values())
        result.renewed = _renew(others)

    if CertificateKind.TRANSCRIPT in kinds:
        result.issued[CertificateKind.TRANSCRIPT] = _issue_transcripts(teachers, cycle, result)
    return result


def _held_qualifications(teachers) -> dict[int, list[Certificate]]:
    """The scope's qualification certificates by holder (what telling a new period from a
    renewal needs): one query."""
    held: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in Certificate.objects.filter(
        kind=CertificateKind.QUALIFICATION, holder__in=teachers.values("pk")
    ).only("pk", "holder_id", "subject_key", "expires_on", "revoked_at", "content_version"):
        held[certificate.holder_id].append(certificate)
    return held


def _renew(due: list[tuple[int, list[Certificate]]]) -> int:
    """A period whose certificate exists but is out of date (a renewal moved its expiry, or it
    was revoked and the teacher is qualified again): the single-issue path decides, and such
    periods are few."""
    if not due:
        return 0
    from .certificates import qualification_certificate_issue

    statuses = QualificationStatus.objects.select_related("user__school", "standard").in_bulk(
        [status_id for status_id, _same_period in due]
    )
    for status_id, same_period in due:
        qualification_certificate_issue(status=statuses[status_id], existing=same_period)
    return len(due)


def _issue_transcripts(teachers, cycle, result: BulkResult) -> int:
    transcript_cycle = _transcript_cycle(cycle)
    if transcript_cycle is None:
        result.notes.append(_("No current credit cycle: no transcripts were issued."))
        return 0
    from .transcripts import transcript_issue

    created = 0
    for teacher in teachers.select_related("school").order_by("pk").iterator(chunk_size=500):
        created += transcript_issue(user=teacher, cycle=transcript_cycle).created
    return created


# --- The batch job ------------------------------------------------------------------------------


def certificate_batch_create(
    *,
    school: School | None,
    cycle: CreditCycle | None,
    kinds,
    regenerate: bool,
    requested_by,
) -> CertificateBatch:
    """Record a batch and queue its run on commit. A batch of the same scope still queued or
    running is an error (BatchAlreadyRunning), not a second job."""
    from certification.batch_tasks import certificate_batch_run_task

    if school is None and cycle is None:
        raise ValidationError(_("Choose a school, a cycle or both."))
    kinds = [kind for kind in CertificateKind.values if kind in set(kinds)]
    if not kinds:
        raise ValidationError(_("Choose at least one kind of certificate."))
    with transaction.atomic():
        # The scope's row serialises two admins starting the same batch at once.
        if school is not None:
            School.objects.select_for_update().filter(pk=school.pk).first()
        else:
            CreditCycle.objects.select_for_update().filter(pk=cycle.pk).first()
        if CertificateBatch.objects.filter(
            school=school, cycle=cycle, status__in=RUNNING_STATES
        ).exists():
            raise BatchAlreadyRunning(
                _("A batch for this school and cycle is already running: wait until it is done.")
            )
        batch = CertificateBatch.objects.create(
            school=school,
            cycle=cycle,
            kinds=kinds,
            regenerate=regenerate,
            requested_by=requested_by,
        )
        # A broker outage leaves it queued: it shows as stalled and can be resumed.
        transaction.on_commit(lambda: task_delay_or_log(certificate_batch_run_task, batch.pk))
    return batch


def batch_is_stalled(batch: CertificateBatch, now: datetime.datetime | None = None) -> bool:
    """Queued or running, yet silent for longer than any run may take: its task was lost
    (a broker restart), so nothing will finish it."""
    now = now or timezone.now()
    return batch.is_running and batch.updated_at < now - STALLED_AFTER


def certificate_batch_resume(*, batch_id: int) -> bool:
    """Queue a stalled batch's run again (on commit); it resumes where it stopped. False when
    the batch is not stalled (finished, or still making progress)."""
    from certification.batch_tasks import certificate_batch_run_task

    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
        if not batch_is_stalled(batch):
            return False
        _save(batch)  # touched: a second click within STALLED_AFTER queues nothing more
        transaction.on_commit(lambda: task_delay_or_log(certificate_batch_run_task, batch_id))
    return True


def _save(batch: CertificateBatch, *fields: str) -> None:
    batch.save(update_fields=[*fields, "updated_at"])


def certificate_batch_run(
    *, batch_id: int, render=None, time_budget: float | None = None
) -> CertificateBatch:
    """Run a batch: issue what is missing, then render the scope's PDFs in chunks with
    progress. A finished batch returns at once. With `time_budget` (seconds) it stops after
    the chunk that passes it and returns the batch still running, for the task to queue the
    rest: a district's PDFs take longer than a task may run. A continuation, or a batch left
    running by a crash, resumes after the last chunk done (issuing is not repeated once
    complete; with regenerate, certificates rendered since the batch first started are
    skipped too). A missing CJK font fails the batch with its message, as does any other error
    outside a single certificate's render."""
    if render is None:
        from .certificate_pdf import certificate_render as render
    deadline = None if time_budget is None else time.monotonic() + time_budget

    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (JobStatus.DONE, JobStatus.FAILED):
            return batch
        summary = batch.summary or {}
        summary.setdefault("started_at", timezone.now().isoformat())
        batch.summary = summary
        batch.status = JobStatus.RUNNING
        _save(batch, "status", "summary")

    try:
        if not summary.get("issue_done"):
            issued = certificates_issue_bulk(
                school=batch.school, cycle=batch.cycle, kinds=batch.kinds
            )
            previous = Counter(summary.get("issued", {}))
            previous.update(issued.issued)
            summary["issued"] = dict(previous)
            summary["renewed"] = summary.get("renewed", 0) + issued.renewed
            summary["notes"] = issued.notes
            summary["issue_done"] = True
            _save(batch, "summary")
        finished = _render_scope(batch, render, deadline)
    except CJKFontMissing as exc:
        return _fail(batch, str(exc))
    except SoftTimeLimitExceeded:
        # Out of time inside a chunk: what is done is saved; the task queues the rest.
        return batch
    except OperationalError:
        # The database went away: the task retries, and the retry resumes.
        raise
    except Exception as exc:
        # Recorded on the batch (and logged) rather than raised: with eager Celery the run is
        # inside the admin's request, which should show the failed batch, not an error page.
        logger.exception("certificate batch %s failed", batch_id)
        return _fail(batch, _("The batch stopped with an error: %(error)s") % {"error": exc})
    if not finished:
        return batch
    batch.status = JobStatus.DONE
    batch.finished_at = timezone.now()
    _save(batch, "status", "finished_at")
    return batch


def _fail(batch: CertificateBatch, message: str) -> CertificateBatch:
    batch.status = JobStatus.FAILED
    batch.error = message
    batch.finished_at = timezone.now()
    _save(batch, "status", "error", "finished_at", "summary", "processed", "total")
    return batch


def _render_scope(batch: CertificateBatch, render, deadline: float | None) -> bool:
    """Render the scope's certificates after the last chunk done; False when the deadline
    passed first."""
    summary = batch.summary
    to_render = certificates_in_scope(school=batch.school, cycle=batch.cycle, kinds=batch.kinds)
    if batch.regenerate:
        started_at = datetime.datetime.fromisoformat(summary["started_at"])
        to_render = to_render.exclude(rendered_at__gte=started_at)
    else:
        to_render = to_render.filter(Q(pdf="") | Q(rendered_version__lt=F("content_version")))
    # Certificates up to the last chunk done were tried already (a failed one is not retried
    # by a continuation, so it is counted once).
    to_render = to_render.filter(pk__gt=summary.get("last_pk", 0))
    ids = list(to_render.order_by("pk").values_list("pk", flat=True))
    # A resumed batch keeps the count it reached.
    batch.total = batch.processed + len(ids)
    summary.setdefault("rendered", 0)
    summary.setdefault("failed", 0)
    summary.setdefault("failures", [])
    _save(batch, "total", "summary")
    for start in range(0, len(ids), RENDER_CHUNK_SIZE):
        chunk_ids = ids[start : start + RENDER_CHUNK_SIZE]
        chunk = Certificate.objects.filter(pk__in=chunk_ids)
        for certificate in chunk.select_related("holder", "course", "cycle").order_by("pk"):
            try:
                render(certificate, force=batch.regenerate)
            except (CJKFontMissing, SoftTimeLimitExceeded, OperationalError):
                raise
            except Exception as exc:
                logger.exception("certificate %s did not render", certificate.serial)
                summary["failed"] += 1
                if len(summary["failures"]) < MAX_LISTED_FAILURES:
                    summary["failures"].append(
                        {"serial": certificate.serial, "reason": str(exc)[:300]}
                    )
            else:
                summary["rendered"] += 1
            batch.processed += 1
        summary["last_pk"] = chunk_ids[-1]
        _save(batch, "processed", "summary")
        if deadline is not None and time.monotonic() > deadline:
            return start + RENDER_CHUNK_SIZE >= len(ids)
    return True
