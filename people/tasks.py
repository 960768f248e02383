"""Celery tasks for people: each takes ids, re-fetches and calls one service."""

from celery import shared_task
from django.db import OperationalError

from people import services


@shared_task(
    name="people.roster_import_validate",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def roster_import_validate_task(roster_import_id: int) -> str:
    """Check an uploaded roster; a second run finds it checked and does nothing."""
    return services.roster_import_validate(roster_import_id=roster_import_id).status


@shared_task(
    name="people.roster_import_apply",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def roster_import_apply_task(roster_import_id: int) -> str:
    """Apply a confirmed roster; a second run finds it applied and does nothing."""
    return services.roster_import_apply(roster_import_id=roster_import_id).status
