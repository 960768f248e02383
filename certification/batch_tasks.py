"""Celery task of bulk certificate generation (imported by certification.tasks so the worker
registers it): takes a batch id, re-fetches and runs the one service; safe to run twice."""

from celery import shared_task

from certification.services import certificate_bulk


@shared_task(name="certification.certificate_batch_run")
def certificate_batch_run_task(batch_id: int) -> str:
    """Run a certificate batch; a finished batch returns at once, a crashed one resumes."""
    return certificate_bulk.certificate_batch_run(batch_id=batch_id).status
