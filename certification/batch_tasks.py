"""Celery task of bulk certificate generation (imported by certification.tasks so the worker
registers it): takes a batch id, re-fetches and runs the one service; safe to run twice.

A district's PDFs take longer than a task may run (CELERY_TASK_SOFT_TIME_LIMIT), so on a worker
each run renders for a slice of that time and queues the next run, which resumes where it
stopped; the progress bar follows the batch, not the task.
"""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from certification.models import JobStatus
from certification.services import certificate_bulk
from cms.queueing import task_delay_or_log

# Room left under the soft time limit for the chunk that passes the slice.
SLICE_MARGIN_SECONDS = 240


def slice_seconds() -> float | None:
    """How long one run renders; None (no limit) when tasks run inline (eager)."""
    if certificate_batch_run_task.app.conf.task_always_eager:
        return None
    limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    return max(60, limit - SLICE_MARGIN_SECONDS) if limit else None


@shared_task(
    name="certification.certificate_batch_run",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def certificate_batch_run_task(batch_id: int) -> str:
    """Run a certificate batch; a finished batch returns at once, a stopped one resumes."""
    batch = certificate_bulk.certificate_batch_run(batch_id=batch_id, time_budget=slice_seconds())
    if batch.status == JobStatus.RUNNING:
        # If the broker is gone now, the batch shows as stalled and the admin resumes it.
        task_delay_or_log(certificate_batch_run_task, batch_id)
    return batch.status
