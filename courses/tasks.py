"""Celery tasks of courses: thin callers of one service each, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from .services import h5p as h5p_services


# Storage hiccups (S3 later) and dropped database connections are retried; the package
# stays pending until a run finishes.
@shared_task(
    name="courses.h5p_package_process",
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    max_retries=3,
)
def h5p_package_process(package_id: int) -> str | None:
    """Validate and extract an uploaded H5P package; returns its status."""
    package = h5p_services.h5p_package_process(package_id=package_id)
    return package.status if package is not None else None
