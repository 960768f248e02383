"""Writes of the training-record import (DESIGN.md §7 import_training): the check and the
all-or-nothing write shared by the command and the admin upload, and the upload's jobs."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePath

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import audit, imports
from certification.models import TrainingImport
from people.models import School
from people.roster import RowError
from people.services import import_job_queue_or_fail

from .ledger import credit_award_bulk

logger = logging.getLogger(__name__)

ERRORS_STORED_MAX = 1000
SAMPLE_SIZE = 50


@dataclass
class TrainingOutcome:
    """What a check (and, when applied, the write) found and did."""

    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    new: int = 0
    existing: int = 0
    sample: list[dict] = field(default_factory=list)
    applied: bool = False
    awards: list[dict] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "new": self.new,
            "existing": self.existing,
            "error_count": len(self.errors),
            "warnings": [w.as_dict() for w in self.warnings],
            "sample": self.sample,
            "applied": self.applied,
        }


class _Rejected(Exception):
    def __init__(self, outcome: TrainingOutcome):
        super().__init__("training records have errors")
        self.outcome = outcome


def training_check(
    *, data: bytes, filename: str, school_scope_id: int | None, on_total=None, progress=None
) -> TrainingOutcome:
    """Parse and check a file; count the records that are new and those already recorded."""
    table = imports.read_training(data, filename=filename)
    outcome = TrainingOutcome(total_rows=len(table.rows), warnings=list(table.warnings))
    if on_total:
        on_total(outcome.total_rows)
    if any(e.row == 0 for e in table.errors):
        outcome.errors = imports.sort_errors(table.errors)
        return outcome
    check = imports.validate_training(table, school_scope_id=school_scope_id, progress=progress)
    outcome.errors, outcome.warnings = check.errors, check.warnings
    if outcome.errors:
        return outcome
    for row in check.rows:
        award = row.award
        if (award["user_id"], award["source_ref"]) in check.existing_keys:
            outcome.existing += 1
            continue
        outcome.awards.append(award)
        if len(outcome.sample) < SAMPLE_SIZE:
            outcome.sample.append(
                {
                    "row": row.row,
                    "staff_no": row.staff_no,
                    "full_name": row.full_name,
                    "title": award["title"],
                    "points": str(award["points"]),
                    "hours": str(award["hours"]),
                    "category": award["category"],
                    "level": award["level"],
                    "awarded_on": award["awarded_on"].isoformat(),
                }
            )
    outcome.new = len(outcome.awards)
    return outcome


def _training_write(outcome: TrainingOutcome, *, created_by) -> None:
    result = credit_award_bulk(outcome.awards, created_by=created_by)
    # Rows recorded by someone else between the check and this write count as existing.
    outcome.new, outcome.existing = result.created, outcome.existing + result.existing
    outcome.applied = True


def training_import_file(
    *, path: str | Path, dry_run: bool, school_scope: School | None = None, created_by=None
) -> TrainingOutcome:
    """Check a file and, unless dry_run or it has errors, record it in one transaction."""
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
    scope_id = school_scope.pk if school_scope else None
    if dry_run:
        return training_check(data=data, filename=path.name, school_scope_id=scope_id)
    try:
        with transaction.atomic():
            outcome = training_check(data=data, filename=path.name, school_scope_id=scope_id)
            if outcome.errors:
                raise _Rejected(outcome)
            _training_write(outcome, created_by=created_by)
    except _Rejected as rejected:
        return rejected.outcome
    return outcome


# --- Upload jobs (admin): store, check in Celery, confirm, record in Celery ----------------


def training_import_create(*, uploaded_file, uploaded_by, school_scope: School | None):
    """Store the upload and queue its check."""
    from certification.import_tasks import training_import_validate_task

    original_name = PurePath(uploaded_file.name or "training").name[:255]
    # Stored under a generated ASCII name; the Chinese file name is kept in original_name.
    uploaded_file.name = f"training-{uuid.uuid4().hex}{PurePath(original_name).suffix.lower()}"
    job = TrainingImport(
        file=uploaded_file,
        original_name=original_name,
        uploaded_by=uploaded_by,
        school_scope=school_scope,
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        audit.training_import_logged(job=job, action=audit.TRAINING_UPLOAD, user=uploaded_by)
        pk = job.pk
        transaction.on_commit(
            lambda: _queue_or_fail(training_import_validate_task, pk, TrainingImport.Status.PENDING)
        )
    return job


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _read_upload(job: TrainingImport) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)


def _store(job: TrainingImport, outcome: TrainingOutcome) -> None:
    job.errors = [error.as_dict() for error in outcome.errors[:ERRORS_STORED_MAX]]
    job.summary = outcome.summary()


def _queue_or_fail(task, job_id: int, waiting: str) -> None:
    import_job_queue_or_fail(task, TrainingImport, job_id, waiting)


def _mark_failed(job_id: int, running: str) -> None:
    logger.exception("training import %s failed", job_id)
    message = _("The import stopped because of an unexpected error; nothing was recorded.")
    TrainingImport.objects.filter(pk=job_id, status=running).update(
        status=TrainingImport.Status.FAILED,
        errors=[RowError(0, "", "failed", message).as_dict()],
        updated_at=timezone.now(),
    )


def training_import_validate(*, training_import_id: int) -> TrainingImport:
    """Check the uploaded file and preview it; a second run is a no-op."""
    status = TrainingImport.Status
    jobs = TrainingImport.objects.filter(pk=training_import_id)
    claimed = jobs.filter(
        Q(status=status.PENDING) | Q(status=status.VALIDATING, updated_at__lt=_stale_before())
    ).update(status=status.VALIDATING, processed_rows=0, updated_at=timezone.now())
    job = TrainingImport.objects.get(pk=training_import_id)
    if not claimed:
        return job
    try:
        outcome = training_check(
            data=_read_upload(job),
            filename=job.original_name,
            school_scope_id=job.school_scope_id,
            on_total=lambda total: jobs.update(total_rows=total, updated_at=timezone.now()),
            progress=lambda done: jobs.update(processed_rows=done, updated_at=timezone.now()),
        )
    except Exception:
        _mark_failed(training_import_id, status.VALIDATING)
        job.refresh_from_db()
        return job
    _store(job, outcome)
    job.status = status.INVALID if outcome.errors else status.VALID
    job.total_rows = job.processed_rows = outcome.total_rows
    job.save(
        update_fields=["status", "errors", "summary", "total_rows", "processed_rows", "updated_at"]
    )
    return job


def training_import_confirm(*, training_import_id: int, applied_by) -> bool:
    """Queue the write of a checked import; False when it was not waiting (a second click)."""
    from certification.import_tasks import training_import_apply_task

    claimed = TrainingImport.objects.filter(
        pk=training_import_id, status=TrainingImport.Status.VALID
    ).update(
        status=TrainingImport.Status.APPLYING, applied_by=applied_by, updated_at=timezone.now()
    )
    if claimed:
        audit.training_import_logged(
            job=TrainingImport.objects.get(pk=training_import_id),
            action=audit.TRAINING_CONFIRM,
            user=applied_by,
        )
        transaction.on_commit(
            lambda: _queue_or_fail(
                training_import_apply_task, training_import_id, TrainingImport.Status.APPLYING
            )
        )
    return bool(claimed)


def training_import_apply(*, training_import_id: int) -> TrainingImport:
    """Record a confirmed import: re-check against the current database, then all or nothing;
    APPLIED is set in the same transaction, so a second run does nothing."""
    status = TrainingImport.Status
    try:
        with transaction.atomic():
            job = TrainingImport.objects.select_for_update().get(pk=training_import_id)
            if job.status != status.APPLYING:
                return job
            outcome = training_check(
                data=_read_upload(job),
                filename=job.original_name,
                school_scope_id=job.school_scope_id,
            )
            if outcome.errors:
                raise _Rejected(outcome)
            _training_write(outcome, created_by=job.applied_by)
            _store(job, outcome)
            job.status = status.APPLIED
            job.applied_at = timezone.now()
            job.save(update_fields=["status", "errors", "summary", "applied_at", "updated_at"])
            audit.training_import_logged(
                job=job, action=audit.TRAINING_APPLY, user=job.applied_by_id
            )
            return job
    except _Rejected as rejected:
        # The database changed since the check (a teacher left, say): nothing was recorded.
        job = TrainingImport.objects.get(pk=training_import_id)
        _store(job, rejected.outcome)
        job.status = status.INVALID
        job.save(update_fields=["status", "errors", "summary", "updated_at"])
        return job
    except Exception:
        _mark_failed(training_import_id, status.APPLYING)
        return TrainingImport.objects.get(pk=training_import_id)
