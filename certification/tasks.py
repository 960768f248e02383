"""Celery tasks of certification: thin callers of the qualification engine, safe to run twice.

`recompute_user_status_later(user_id)` is what the ledger calls (through
`certification.services.events.credit_changed`) after each award or reversal: it queues the
single-teacher recompute once the transaction commits, debounced so a burst of credits for one
teacher queues one task.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError, transaction

from cms.queueing import task_delay_or_log

from .services import qualification as engine

# While a teacher's recompute is queued and not started, further credits queue nothing: the
# task reads the ledger when it starts. The key outlives a lost task by at most this long.
DEBOUNCE_SECONDS = 60


def _debounce_key(user_id: int) -> str:
    return f"qualification-recompute-queued:{user_id}"


def _result_summary(result: engine.RecomputeResult) -> dict:
    return {
        "users": result.users,
        "changed": result.changed,
        "reminders": result.reminders,
        "by_state": dict(result.by_state),
        "seconds": round(result.seconds, 3),
    }


@shared_task(
    name="certification.recompute_user_status",
    ignore_result=True,
    # Idempotent (recomputes from the ledger): a dropped database connection is retried.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def recompute_user_status(user_id: int) -> dict:
    """Recompute one teacher's statuses. Clears the debounce key first, so a credit that
    commits while this runs queues another run rather than being missed."""
    cache.delete(_debounce_key(user_id))
    return _result_summary(engine.qualification_recompute([user_id]))


@shared_task(
    name="certification.recompute_users_status",
    ignore_result=True,
    # Idempotent (recomputes from the ledger): a dropped database connection is retried.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def recompute_users_status(user_ids: list[int]) -> dict:
    """Recompute a set of teachers at once (imports, bulk awards): set-based."""
    return _result_summary(engine.qualification_recompute(list(user_ids)))


@shared_task(
    name="certification.recompute_all_statuses",
    ignore_result=True,
    # Idempotent (recomputes from the ledger): a dropped database connection is retried.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def recompute_all_statuses() -> dict:
    """The nightly full recompute (beat), also queued after a standard changes: statuses
    move with the calendar (expiring, expired) and reminders go out once."""
    return _result_summary(engine.qualification_recompute(None))


def _queue_user(user_id: int) -> None:
    if not cache.add(_debounce_key(user_id), 1, DEBOUNCE_SECONDS):
        return
    # Eager (the embedded default) runs it inline, which clears the key again at once.
    # A broker outage must not fail the request that earned the credit: the nightly
    # recompute catches up; the debounce key is dropped so the next credit tries again.
    if not task_delay_or_log(recompute_user_status, user_id):
        cache.delete(_debounce_key(user_id))


def _queued_in_this_transaction(user_id: int) -> bool:
    connection = transaction.get_connection()
    return any(
        getattr(callback, "qualification_user_id", None) == user_id
        for _savepoints, callback, _robust in connection.run_on_commit
    )


def recompute_user_status_later(user_id: int) -> None:
    """Queue one teacher's recompute when the current transaction commits (now, outside
    one). A second call in the same transaction, or while a run is queued, adds nothing."""
    if _queued_in_this_transaction(user_id):
        return

    def callback():
        _queue_user(user_id)

    callback.qualification_user_id = user_id
    transaction.on_commit(callback)


def recompute_users_status_later(user_ids: Iterable[int]) -> None:
    """Queue one set-based recompute of many teachers on commit."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: task_delay_or_log(recompute_users_status, ids))


def recompute_all_statuses_later() -> None:
    """Queue the full recompute on commit (after a standard was edited)."""
    transaction.on_commit(lambda: task_delay_or_log(recompute_all_statuses))


# Registered with the worker through this module, which autodiscovery imports.
from . import (  # noqa: E402
    batch_tasks,  # noqa: F401  (certification.certificate_batch_run)
    hr_tasks,  # noqa: F401  (certification.hr_report_export)
)
