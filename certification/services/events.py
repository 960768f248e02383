"""What happens after a teacher's credit changed: the qualification status is recomputed.

The ledger calls `credit_changed(user_id)` inside the writing transaction; the recompute is
queued with `transaction.on_commit` (debounced, see `certification.tasks`), so it reads the
committed credit and a rolled-back award queues nothing.
"""

from collections.abc import Iterable


def credit_changed(user_id: int) -> None:
    """Queue the recompute of one teacher's qualification status after commit."""
    from certification.tasks import recompute_user_status_later

    recompute_user_status_later(user_id)


def credits_changed(user_ids: Iterable[int]) -> None:
    """The same for many teachers at once (imports, demo seeding): one set-based run."""
    from certification.tasks import recompute_users_status_later

    recompute_users_status_later(user_ids)
