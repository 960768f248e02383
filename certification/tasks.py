"""Celery tasks of certification: thin callers of the qualification engine, safe to run twice.

`recompute_user_status_later(user_id)` is what the ledger calls (through
`certification.services.events.credit_changed`) after each award or reversal. It marks the
teacher in `PendingRecompute` inside the writing transaction and, once it commits, queues the
batch task `recompute_pending_statuses` unless one is already queued. On lecture day thousands
of check-ins then cost a few set-based recomputes of many teachers each (the engine's chunks),
not one task, one broker message and one recompute per teacher.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from cms.queueing import task_delay_or_log

from .models import PendingRecompute
from .services import qualification as engine

# While a batch run is queued and not started, further credits queue nothing: the run takes
# every pending teacher when it starts. The key outlives a lost task by at most this long.
DEBOUNCE_SECONDS = 60
BATCH_QUEUED_KEY = "qualification-recompute-batch-queued"
# A claim older than this belongs to a run that died and was not redelivered: any run may
# take the row again.
CLAIM_STALE = datetime.timedelta(minutes=10)


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
    """Recompute one teacher's statuses (credits now queue the batch run below; this task
    stays for callers that want one teacher, and for messages queued before the batch run
    existed)."""
    return _result_summary(engine.qualification_recompute([user_id]))


@shared_task(
    bind=True,
    name="certification.recompute_pending_statuses",
    ignore_result=True,
    # Idempotent (recomputes from the ledger): a dropped database connection is retried.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def recompute_pending_statuses(self) -> dict:
    """Recompute every teacher waiting in PendingRecompute, a chunk at a time (set-based).
    Clears the queued flag first, so a credit that commits while this runs queues another
    run rather than being missed."""
    cache.delete(BATCH_QUEUED_KEY)
    run_id = self.request.id or uuid.uuid4().hex
    total = engine.RecomputeResult()
    while claimed := _pending_claim(run_id, limit=engine.CHUNK_SIZE):
        total.add(engine.qualification_recompute(claimed))
        # A row a new credit set back to "" during the recompute stays for the next run.
        PendingRecompute.objects.filter(user_id__in=claimed, claimed_by=run_id).delete()
        if len(claimed) < engine.CHUNK_SIZE:
            # Everyone waiting at the claim is done. Teachers credited since then have queued
            # the next run (the flag was cleared above), which takes them together after
            # its delay instead of this run chasing them a few at a time.
            break
    return _result_summary(total)


def _pending_claim(run_id: str, *, limit: int) -> list[int]:
    """Take up to `limit` waiting teachers for this run (SKIP LOCKED: two workers never take
    the same row); rows this run claimed before a redelivery, or a dead run's stale claims,
    are taken again."""
    stale = timezone.now() - CLAIM_STALE
    claimable = Q(claimed_by="") | Q(claimed_by=run_id) | Q(claimed_at__lt=stale)
    with transaction.atomic():
        ids = list(
            PendingRecompute.objects.filter(claimable)
            .order_by("queued_at", "user_id")
            .select_for_update(skip_locked=True)
            .values_list("user_id", flat=True)[:limit]
        )
        if ids:
            PendingRecompute.objects.filter(user_id__in=ids).update(
                claimed_by=run_id, claimed_at=timezone.now()
            )
    return ids


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


def _pending_mark(user_id: int) -> None:
    """One statement, in the caller's transaction: the teacher waits for the next batch run
    (again, if a run has already claimed them)."""
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(user_id=user_id, queued_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["claimed_by", "claimed_at"],
    )


def _queue_batch() -> None:
    if not cache.add(BATCH_QUEUED_KEY, 1, DEBOUNCE_SECONDS):
        return
    # The run starts QUALIFICATION_BATCH_DELAY_SECONDS later, so that on lecture day it takes
    # the hundreds of teachers who checked in meanwhile in one set-based recompute instead
    # of paying a run's fixed cost (task, standards, course look-ups) for every few.
    # Eager (the embedded default) runs it inline, which clears the key again at once.
    # A broker outage must not fail the request that earned the credit: the teacher stays
    # pending for the next run (or the nightly recompute); the key is dropped so the next
    # credit tries again.
    delay = float(getattr(settings, "QUALIFICATION_BATCH_DELAY_SECONDS", 0) or 0)
    if not task_delay_or_log(recompute_pending_statuses, countdown=delay):
        cache.delete(BATCH_QUEUED_KEY)


def _queued_in_this_transaction(user_id: int) -> bool:
    connection = transaction.get_connection()
    return any(
        getattr(callback, "qualification_user_id", None) == user_id
        for _savepoints, callback, _robust in connection.run_on_commit
    )


def recompute_user_status_later(user_id: int) -> None:
    """Mark one teacher for recompute in the current transaction and queue the batch run when
    it commits (now, outside one). A second call in the same transaction adds nothing; while
    a run is queued, commits queue nothing more."""
    if _queued_in_this_transaction(user_id):
        return
    _pending_mark(user_id)

    def callback():
        _queue_batch()

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
