"""Celery task of the HR report export (registered through certification/tasks.py, which
autodiscovery finds): takes the job's id, re-fetches it and calls one service."""

from celery import shared_task

from certification.services import hr_reports


@shared_task(name="certification.hr_report_export")
def hr_report_export(export_id: int) -> str:
    """Write an export's XLSX; a second run finds it done (or running) and does nothing."""
    return hr_reports.report_export_run(export_id=export_id).status
