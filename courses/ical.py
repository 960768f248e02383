"""iCalendar (.ics) files of one lecture and of a whole series, for teachers' phone calendars."""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODID = "-//Qingpu Mentor Platform//Lectures//ZH"
UID_DOMAIN = "qingpu-mentor"


def lecture_uid(lecture) -> str:
    """Stable across edits, so a re-imported event updates rather than duplicates."""
    return f"lecture-{lecture.pk}@{UID_DOMAIN}"


def lecture_location(lecture) -> str:
    return lecture.venue or lecture.online_url or _("Online")


def lecture_event(lecture, *, url: str) -> Event:
    zone = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", lecture_uid(lecture))
    event.add("dtstamp", timezone.now())
    # Calendars keep whole seconds; dropping the rest keeps the file identical across exports.
    event.add("dtstart", lecture.starts_at.astimezone(zone).replace(microsecond=0))
    event.add("dtend", lecture.ends_at.astimezone(zone).replace(microsecond=0))
    event.add("summary", lecture.title)
    event.add("location", lecture_location(lecture))
    description = [lecture.summary]
    if lecture.venue and lecture.online_url:
        description.append(_("Online link: %(url)s") % {"url": lecture.online_url})
    description.append(url)
    event.add("description", "\n\n".join(part for part in description if part))
    event.add("url", url)
    return event


def _calendar(name: str, events: Iterable[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event)
    # DTSTART/DTEND carry TZID=Asia/Shanghai; the VTIMEZONE that defines it goes in too.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def lecture_calendar(lecture, *, url: str) -> bytes:
    return _calendar(lecture.title, [lecture_event(lecture, url=url)])


def series_calendar(series, lectures_with_urls: Iterable[tuple[object, str]]) -> bytes:
    return _calendar(
        series.title, [lecture_event(lecture, url=url) for lecture, url in lectures_with_urls]
    )
