"""HR report exports (人事报表 XLSX): Chinese headers, numbers as numbers, one row per teacher.
Small reports are written at once; larger ones by a `ReportExport` job that the Celery task
`certification.hr_report_export` runs chunk by chunk, updating its progress."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.choices import CreditCategory, Level
from cms.queueing import task_delay_or_log
from cms.spreadsheets import xlsx_bytes
from people.models import ProfessionalTitle, Stage

from ..models import JobStatus, QualificationState, ReportExport
from ..selectors.hr_reports import (
    EXPORT_CHUNK,
    HRReportFilters,
    HRReportRow,
    hr_report_row_chunks,
    hr_report_teachers,
)

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_WIDTHS = (14, 10, 24, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 12, 12, 12)


def hr_report_title() -> str:
    return _("HR credit report")


def hr_report_headers(filters: HRReportFilters) -> list[str]:
    points, hours = _("credit (学分)"), _("hours (学时)")
    if filters.category:
        label = CreditCategory(filters.category).label
        points, hours = f"{points}（{label}）", f"{hours}（{label}）"
    return [
        _("staff number"),
        _("full name"),
        _("School"),
        _("Stage"),
        _("Professional title"),
        points,
        hours,
        *[str(label) for label in CreditCategory.labels],
        *[str(label) for label in Level.labels],
        _("Cycle requirement met"),
        _("Mentor qualification"),
        _("Mentor qualification met"),
    ]


class _Labels:
    """The translated labels of one export, looked up once rather than per cell."""

    def __init__(self):
        self.stage = {value: str(label) for value, label in Stage.choices}
        self.title = {value: str(label) for value, label in ProfessionalTitle.choices}
        self.state = {value: str(label) for value, label in QualificationState.choices}
        self.yes, self.no = _("yes"), _("no")


def hr_report_values(row: HRReportRow, labels: _Labels | None = None) -> list:
    """One teacher's cells; 学分/学时 stay Decimals, so Excel sums them."""
    labels = labels or _Labels()
    teacher = row.teacher
    return [
        teacher.staff_no,
        teacher.full_name,
        teacher.school.name if teacher.school_id else "",
        labels.stage.get(teacher.stage, ""),
        labels.title.get(teacher.title, ""),
        row.points,
        row.hours,
        *row.by_category,
        *row.by_level,
        labels.yes if row.requirement_met else labels.no,
        labels.state.get(row.mentor_state, row.mentor_state),
        labels.yes if row.mentor_met else labels.no,
    ]


def hr_report_xlsx_bytes(
    filters: HRReportFilters,
    *,
    teacher_ids=None,
    chunk_size: int = EXPORT_CHUNK,
    on_chunk: Callable[[int], None] | None = None,
) -> bytes:
    """The whole report as one sheet, fed chunk by chunk; `on_chunk(done)` after each."""

    labels = _Labels()

    def rows() -> Iterator[list]:
        done = 0
        for chunk in hr_report_row_chunks(filters, chunk_size=chunk_size, teacher_ids=teacher_ids):
            for row in chunk:
                yield hr_report_values(row, labels)
            done += len(chunk)
            if on_chunk is not None:
                on_chunk(done)

    return xlsx_bytes(
        sheet_title=f"{filters.cycle.name} {hr_report_title()}",
        headers=hr_report_headers(filters),
        rows=rows(),
        widths=COLUMN_WIDTHS,
    )


def hr_report_filename(filters: HRReportFilters) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"{hr_report_title()}-{filters.cycle.name}-{stamp}.xlsx"


# --- Background exports ------------------------------------------------------------------------


def report_export_create(*, requested_by, filters: HRReportFilters) -> ReportExport:
    """Record the export and queue its task once the row is committed."""
    from certification.hr_tasks import hr_report_export

    with transaction.atomic():
        job = ReportExport.objects.create(
            requested_by=requested_by,
            filters=filters.as_json(),
            total=hr_report_teachers(filters).count(),
        )
        pk = job.pk
        transaction.on_commit(lambda: _queue_or_fail(hr_report_export, pk))
    return job


def _queue_or_fail(task, job_id: int) -> None:
    """Queue the export; when the broker is down nothing would run it, so the job fails at
    once with a message instead of polling for ever (or failing the request)."""
    if task_delay_or_log(task, job_id):
        return
    ReportExport.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.FAILED,
        error=_(
            "The background task service is unavailable, so the export did not start. "
            "Please try again in a few minutes."
        ),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def report_export_run(*, export_id: int) -> ReportExport:
    """Write the export's file. Safe to run twice: only a queued job (or one whose run died
    past the task time limit) is claimed, so a DONE job is never redone."""
    jobs = ReportExport.objects.filter(pk=export_id)
    claimed = jobs.filter(
        Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, updated_at__lt=_stale_before())
    ).update(status=JobStatus.RUNNING, processed=0, updated_at=timezone.now())
    job = ReportExport.objects.get(pk=export_id)
    if not claimed:
        return job
    try:
        filters = HRReportFilters.from_json(job.filters)
        ids = list(hr_report_teachers(filters).values_list("pk", flat=True))
        # The teachers may have changed since the job was queued: count what is written.
        jobs.update(total=len(ids), updated_at=timezone.now())

        def progress(done: int) -> None:
            jobs.update(processed=done, updated_at=timezone.now())

        data = hr_report_xlsx_bytes(filters, teacher_ids=ids, on_chunk=progress)
        job.refresh_from_db()
        old_name = job.file.name
        job.file.save(f"hr-report-{job.pk}.xlsx", ContentFile(data), save=False)
        job.status = JobStatus.DONE
        job.processed = len(ids)
        job.total = len(ids)
        job.finished_at = timezone.now()
        job.summary = {"rows": len(ids), "filename": hr_report_filename(filters)}
        job.error = ""
        job.save(
            update_fields=[
                "file",
                "status",
                "processed",
                "total",
                "finished_at",
                "summary",
                "error",
                "updated_at",
            ]
        )
        if old_name and old_name != job.file.name:
            job.file.storage.delete(old_name)
    except Exception:
        logger.exception("HR report export %s failed", export_id)
        jobs.filter(status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error=_("The export stopped because of an unexpected error. Start it again."),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        job.refresh_from_db()
    return job
