"""Notifications in the header: the reads (unread count, a user's list) and the writes
(mark one or all read). Every function is scoped to the given user, so no caller can reach
another user's notifications."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification


def notification_unread_count(*, user) -> int:
    """One COUNT on the (user, read_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for_user(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return (
        Notification.objects.filter(user=user)
        .only("pk", "title", "body", "url", "read_at", "created_at")
        .order_by("-created_at", "-pk")
    )


def notification_mark_read(
    *, user, notification_id: int, now: datetime | None = None
) -> Notification | None:
    """Mark one of the user's notifications read (a repeat changes nothing). None when the
    user has no notification with that id."""
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        return None
    if notification.read_at is None:
        now = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
