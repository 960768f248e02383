"""What happens after a teacher's credit changed: the qualification status is recomputed.

The ledger calls these inside the writing transaction; the tasks (certification/tasks.py,
the qualification engine's) are queued on commit and debounced, so a rolled-back award
queues nothing and a burst of awards for one teacher queues one recompute.
"""


def credit_changed(user_id: int) -> None:
    """Queue the recompute of one teacher's qualification status after commit."""
    from certification.tasks import recompute_user_status_later

    recompute_user_status_later(user_id)


def credits_changed(user_ids) -> None:
    """One set-based recompute of many teachers after commit (imports)."""
    from certification.tasks import recompute_users_status_later

    recompute_users_status_later(user_ids)
