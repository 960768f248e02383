"""Lecture registration writes: register (a seat or the waiting list) and cancel (which
promotes the first teacher in line and tells them so).

Every write locks the lecture row first, so concurrent requests count seats one at a time
and cannot overbook; repeating a request changes nothing. Refusals are ValidationErrors whose
message tells the teacher what happened.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import Notification

from ..models import LecturePage, LectureRegistration, RegistrationStatus
from ..selectors.lectures import lecture_seats_taken, lecture_window_error, waitlist_queue

STANDING_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


def _locked_lecture(lecture: LecturePage) -> LecturePage:
    # select_for_update serialises the registrations of one lecture on PostgreSQL;
    # SQLite takes a database-wide write lock anyway.
    return LecturePage.objects.select_for_update().get(pk=lecture.pk)


def _notify_promoted(registration: LectureRegistration, lecture: LecturePage) -> None:
    # One notification per teacher and lecture (the key); a second promotion after a
    # cancellation refreshes it and marks it unread again.
    Notification.objects.update_or_create(
        user_id=registration.user_id,
        key=f"lecture-promoted-{lecture.pk}",
        defaults={
            "title": _("You have a seat at “%(title)s”") % {"title": lecture.title},
            "body": _(
                "A seat became free and you were moved from the waiting list: you are now "
                "registered for the lecture on %(when)s."
            )
            % {"when": timezone.localtime(lecture.starts_at).strftime("%Y-%m-%d %H:%M")},
            "url": lecture.url or "",
            "read_at": None,
        },
    )


def _fill_free_seats(lecture: LecturePage, *, now: datetime) -> list[LectureRegistration]:
    """Move teachers from the waiting list into free seats, first in line first.
    Call with the lecture row locked."""
    if lecture.capacity is None:
        free = None
    else:
        free = lecture.capacity - lecture_seats_taken(lecture)
        if free <= 0:
            return []
    queue = waitlist_queue(lecture).select_for_update()
    promoted = list(queue if free is None else queue[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
        registration.full_clean(exclude=["user", "lecture"])
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        _notify_promoted(registration, lecture)
    return promoted


@transaction.atomic
def lecture_register(
    *, user, lecture: LecturePage, now: datetime | None = None
) -> LectureRegistration:
    """Register the teacher: a seat when one is left, else a place on the waiting list.
    A repeated request returns the standing registration unchanged; registering again after
    a cancellation reuses the row (at the end of the waiting list if it is full)."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ValidationError(_("Log in with an active account to register for a lecture."))
    lecture = _locked_lecture(lecture)
    existing = (
        LectureRegistration.objects.select_for_update().filter(user=user, lecture=lecture).first()
    )
    if existing is not None and existing.status in STANDING_STATUSES:
        return existing
    if not lecture.live:
        raise ValidationError(_("This lecture is not published; you cannot register for it."))
    window_error = lecture_window_error(lecture, now=now)
    if window_error:
        raise ValidationError(window_error)

    # Seats freed by a larger capacity go to those already waiting, never to a newcomer.
    _fill_free_seats(lecture, now=now)
    has_seat = lecture.capacity is None or lecture_seats_taken(lecture) < lecture.capacity
    status = RegistrationStatus.REGISTERED if has_seat else RegistrationStatus.WAITLISTED
    queued_at = None if has_seat else now

    if existing is None:
        registration = LectureRegistration(
            user=user, lecture=lecture, status=status, queued_at=queued_at
        )
        registration.full_clean(exclude=["user", "lecture"])
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # A concurrent request of the same teacher won: theirs is the registration.
            return LectureRegistration.objects.get(user=user, lecture=lecture)
        return registration

    existing.status = status
    existing.queued_at = queued_at
    existing.promoted_at = None
    existing.cancelled_at = None
    existing.full_clean(exclude=["user", "lecture"])
    existing.save()
    return existing


@transaction.atomic
def lecture_cancel(
    *, user, lecture: LecturePage, now: datetime | None = None
) -> LectureRegistration:
    """Cancel the teacher's registration (or leave the waiting list) before the lecture
    starts. A freed seat goes to the first teacher on the waiting list, who is notified.
    Cancelling twice is a no-op."""
    now = now or timezone.now()
    lecture = _locked_lecture(lecture)
    registration = (
        LectureRegistration.objects.select_for_update().filter(user=user, lecture=lecture).first()
    )
    if registration is None:
        raise ValidationError(_("You are not registered for this lecture."))
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if now >= lecture.starts_at:
        raise ValidationError(
            _("The lecture has already started; registrations can no longer be cancelled.")
        )
    freed_seat = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.full_clean(exclude=["user", "lecture"])
    registration.save()
    if freed_seat:
        _fill_free_seats(lecture, now=now)
    return registration
