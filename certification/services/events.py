"""What happens after a teacher's credit changed: the qualification status is recomputed.

The ledger calls `credit_changed(user_id)` inside the writing transaction. The
"qualification" part fills this hook with `certification.tasks.recompute_user_status_later`
(a single-user recompute queued with `transaction.on_commit`, debounced). Until that task
exists the hook deliberately does nothing: the nightly full recompute still catches up.
"""


def credit_changed(user_id: int) -> None:
    """Queue the recompute of one teacher's qualification status after commit."""
    try:
        from certification.tasks import recompute_user_status_later
    except ImportError:  # the qualification engine has not landed yet
        return
    recompute_user_status_later(user_id)


def credits_changed(user_ids) -> None:
    """The same for many teachers at once (imports, demo seeding)."""
    for user_id in sorted(set(user_ids)):
        credit_changed(user_id)
