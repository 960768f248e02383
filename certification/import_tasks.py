"""Celery tasks of the training-record import (imported by CertificationConfig.ready() so
the worker registers them): each takes an id, re-fetches and calls one service."""

from celery import shared_task
from django.db import OperationalError

from certification.services import imports


@shared_task(
    name="certification.training_import_validate",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def training_import_validate_task(training_import_id: int) -> str:
    """Check an uploaded file; a second run finds it checked and does nothing."""
    return imports.training_import_validate(training_import_id=training_import_id).status


@shared_task(
    name="certification.training_import_apply",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def training_import_apply_task(training_import_id: int) -> str:
    """Record a confirmed import; a second run finds it recorded and does nothing."""
    return imports.training_import_apply(training_import_id=training_import_id).status
