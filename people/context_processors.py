"""Template context of every page: the header's unread notification count."""

from django.utils.functional import SimpleLazyObject

from .notifications import notification_unread_count


def notifications(request):
    """`unread_notifications`: counted lazily, at most once per request, and only for a
    signed-in user (anonymous pages run no query for it)."""
    user = getattr(request, "user", None)
    if user is None:
        return {}

    def count() -> int:
        if not user.is_authenticated:
            return 0
        cached = getattr(request, "_unread_notifications", None)
        if cached is None:
            cached = notification_unread_count(user=user)
            request._unread_notifications = cached
        return cached

    return {"unread_notifications": SimpleLazyObject(count)}
