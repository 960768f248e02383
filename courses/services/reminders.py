"""Lecture reminders: the day before and one hour before, an in-site notification and an
e-mail to every registered teacher, each sent once however often (or concurrently) it runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from people.models import Notification, User

from ..models import (
    LecturePage,
    LectureRegistration,
    LectureReminder,
    RegistrationStatus,
    ReminderKind,
)

logger = logging.getLogger(__name__)

# (kind, window): a reminder of `kind` is due while `lower < starts_at - now <= upper`.
REMINDER_WINDOWS: tuple[tuple[str, timedelta, timedelta], ...] = (
    (ReminderKind.DAY_BEFORE, timedelta(hours=1), timedelta(hours=24)),
    (ReminderKind.HOUR_BEFORE, timedelta(0), timedelta(hours=1)),
)
INSERT_BATCH_SIZE = 1_000


@dataclass(frozen=True)
class LectureFacts:
    pk: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    online_url: str
    url: str  # absolute, for the e-mail
    path: str  # site-relative, for the notification link


def notification_key(*, lecture_id: int, kind: str) -> str:
    return f"lecture-{lecture_id}-{kind}"


def _when(lecture: LectureFacts) -> str:
    starts = timezone.localtime(lecture.starts_at)
    ends = timezone.localtime(lecture.ends_at)
    return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"


def _where(lecture: LectureFacts) -> str:
    parts = []
    if lecture.venue:
        parts.append(_("Venue: %(venue)s") % {"venue": lecture.venue})
    if lecture.online_url:
        parts.append(_("Online link: %(url)s") % {"url": lecture.online_url})
    return "\n".join(parts)


def reminder_title(*, lecture: LectureFacts, kind: str) -> str:
    if kind == ReminderKind.HOUR_BEFORE:
        return _("Starting within the hour: %(title)s") % {"title": lecture.title}
    return _("Tomorrow's lecture: %(title)s") % {"title": lecture.title}


def reminder_body(*, lecture: LectureFacts, kind: str) -> str:
    lines = [
        _("You registered for the lecture “%(title)s”.") % {"title": lecture.title},
        _("Time: %(when)s") % {"when": _when(lecture)},
    ]
    where = _where(lecture)
    if where:
        lines.append(where)
    if kind == ReminderKind.HOUR_BEFORE:
        lines.append(_("Check in on your phone by scanning the QR code shown at the lecture."))
    else:
        lines.append(
            _("If you can no longer attend, please cancel so a colleague can take the seat.")
        )
    if lecture.url:
        lines.append(_("Lecture page: %(url)s") % {"url": lecture.url})
    return "\n".join(lines)


def _lecture_facts(lecture: LecturePage) -> LectureFacts:
    # A page outside every site has no URL; the reminder still goes out without a link.
    path = lecture.get_url() or ""
    url = lecture.get_full_url() or ""
    return LectureFacts(
        pk=lecture.pk,
        title=lecture.title,
        starts_at=lecture.starts_at,
        ends_at=lecture.ends_at,
        venue=lecture.venue,
        online_url=lecture.online_url,
        url=url,
        path=path,
    )


def _reminders_insert(*, kind: str, lecture_ids: list[int]) -> set[tuple[int, int]]:
    """Insert the missing reminder rows of `kind` for the registered teachers of the lectures
    and return the (user_id, lecture_id) pairs this call created.

    The lecture rows are locked first (PostgreSQL; SQLite serialises writers anyway), so a
    concurrent run waits and then finds these rows already there: the before/after diff
    therefore only ever holds rows this run inserted, and each reminder is sent once."""
    list(
        LecturePage.objects.select_for_update(of=("self",))
        .filter(pk__in=lecture_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    before = set(
        LectureReminder.objects.filter(lecture_id__in=lecture_ids, kind=kind).values_list(
            "user_id", "lecture_id"
        )
    )
    due = LectureRegistration.objects.filter(
        lecture_id__in=lecture_ids,
        status=RegistrationStatus.REGISTERED,
        user__is_active=True,
    ).values_list("user_id", "lecture_id")
    rows = [
        LectureReminder(user_id=user_id, lecture_id=lecture_id, kind=kind)
        for user_id, lecture_id in due.iterator(chunk_size=INSERT_BATCH_SIZE)
        if (user_id, lecture_id) not in before
    ]
    if not rows:
        return set()
    LectureReminder.objects.bulk_create(rows, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True)
    after = set(
        LectureReminder.objects.filter(lecture_id__in=lecture_ids, kind=kind).values_list(
            "user_id", "lecture_id"
        )
    )
    return after - before


def lecture_reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send the reminders due now. Returns how many of each kind this run sent.

    Safe to run twice: the reminder rows (unique per teacher, lecture and kind) are inserted
    first and only the ones this run created are notified and e-mailed. A reminder whose
    e-mail fails is not retried (at most once: a duplicate would be worse than a miss; the
    in-site notification is written in the same transaction as the reminder row)."""
    now = now or timezone.now()
    sent: dict[str, int] = {}
    messages: list[EmailMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        for kind, lower, upper in REMINDER_WINDOWS:
            lectures = {
                lecture.pk: lecture
                for lecture in LecturePage.objects.live().filter(
                    starts_at__gt=now + lower, starts_at__lte=now + upper
                )
            }
            sent[kind.value] = 0
            if not lectures:
                continue
            with transaction.atomic():
                created = _reminders_insert(kind=kind, lecture_ids=sorted(lectures))
                if not created:
                    continue
                facts = {pk: _lecture_facts(lecture) for pk, lecture in lectures.items()}
                texts = {
                    pk: (reminder_title(lecture=f, kind=kind), reminder_body(lecture=f, kind=kind))
                    for pk, f in facts.items()
                }
                Notification.objects.bulk_create(
                    [
                        Notification(
                            user_id=user_id,
                            title=texts[lecture_id][0][:200],
                            body=texts[lecture_id][1][:2000],
                            url=facts[lecture_id].path[:500],
                            key=notification_key(lecture_id=lecture_id, kind=kind),
                        )
                        for user_id, lecture_id in sorted(created)
                    ],
                    batch_size=INSERT_BATCH_SIZE,
                    ignore_conflicts=True,
                )
                emails = dict(
                    User.objects.filter(pk__in={user_id for user_id, _l in created})
                    .exclude(email="")
                    .values_list("pk", "email")
                )
            for user_id, lecture_id in sorted(created):
                if user_id in emails:
                    subject, body = texts[lecture_id]
                    messages.append(EmailMessage(subject=subject, body=body, to=[emails[user_id]]))
            sent[kind.value] = len(created)
    if messages:
        try:
            get_connection(fail_silently=False).send_messages(messages)
        except OSError:
            logger.exception("Lecture reminder e-mails could not be sent (%d).", len(messages))
    return sent
