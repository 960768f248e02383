"""The .ics files of a lecture and of the series parse back with icalendar and carry the
stable UID, the times, summary, location, description with the link, and the URL."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from courses.ical import lecture_uid
from tests.courses.enrolment_helpers import client_for
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = pytest.mark.django_db


def events_of(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.ics"')
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


def test_lecture_ics(teacher_a):
    lecture = make_lecture(title="沟通的艺术", summary="家校沟通", venue="报告厅")
    response = client_for(teacher_a).get(reverse("courses:lecture_ics", args=[lecture.pk]))
    [event] = events_of(response)
    assert str(event["UID"]) == f"lecture-{lecture.pk}@qingpu-mentor" == lecture_uid(lecture)
    assert event.decoded("DTSTART") == lecture.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == lecture.ends_at.replace(microsecond=0)
    assert event["DTSTART"].params.get("TZID") == "Asia/Shanghai"
    assert str(event["SUMMARY"]) == "沟通的艺术"
    assert str(event["LOCATION"]) == "报告厅"
    url = lecture.full_url
    assert str(event["URL"]) == url
    assert "家校沟通" in str(event["DESCRIPTION"]) and url in str(event["DESCRIPTION"])
    assert Calendar.from_ical(response.content).walk("VTIMEZONE")


def test_online_lecture_location_is_the_link(teacher_a):
    lecture = make_lecture(venue="", online_url="https://meet.example/x")
    response = client_for(teacher_a).get(reverse("courses:lecture_ics", args=[lecture.pk]))
    [event] = events_of(response)
    assert str(event["LOCATION"]) == "https://meet.example/x"


def test_series_ics_holds_upcoming_and_the_last_30_days(teacher_a):
    upcoming = make_lecture(starts_in=timedelta(days=10))
    recent = make_lecture(starts_in=-timedelta(days=20))
    old = make_lecture(starts_in=-timedelta(days=40))
    draft = make_lecture(starts_in=timedelta(days=3))
    draft.unpublish()
    response = client_for(teacher_a).get(
        reverse("courses:lecture_series_ics", args=[lecture_series().pk])
    )
    uids = {str(event["UID"]) for event in events_of(response)}
    assert uids == {lecture_uid(upcoming), lecture_uid(recent)}
    assert lecture_uid(old) not in uids and lecture_uid(draft) not in uids


def test_uid_is_stable_across_edits(teacher_a):
    lecture = make_lecture()
    client = client_for(teacher_a)
    url = reverse("courses:lecture_ics", args=[lecture.pk])
    [before] = events_of(client.get(url))
    lecture.title = "改名后"
    lecture.save_revision().publish()
    [after] = events_of(client.get(url))
    assert before["UID"] == after["UID"] and str(after["SUMMARY"]) == "改名后"


def test_ics_needs_login_and_a_live_lecture(teacher_a):
    lecture = make_lecture()
    url = reverse("courses:lecture_ics", args=[lecture.pk])
    assert Client().get(url).status_code == 302
    lecture.unpublish()
    assert client_for(teacher_a).get(url).status_code == 404
    assert (
        client_for(teacher_a).get(reverse("courses:lecture_series_ics", args=[999999])).status_code
        == 404
    )
