"""Site-wide Celery tasks."""

from celery import shared_task
from django.db import connection


@shared_task(name="cms.ping")
def ping() -> dict:
    """Round-trip check used by the worker tests and by operators: proves the worker runs
    our code and reaches the same database as the web process."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"pong": True, "database": connection.settings_dict["NAME"], "vendor": connection.vendor}
