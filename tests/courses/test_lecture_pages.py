"""The series page (upcoming first, past by month, the reader's state, .ics link) and the
lecture page (facts, state box by state, replay only after the end), with the login wall and
query counts that do not grow with the number of lectures."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils import WagtailPageTestCase

from cms.models import HomePage
from courses.models import Attendance, AttendanceMethod, LecturePage, LectureSeriesPage
from courses.services.registration import lecture_register
from courses.views.lecture_pages import PAST_LECTURES_PER_PAGE
from people import roles
from people.models import LecturerProfile
from tests.courses.enrolment_helpers import client_for, t
from tests.factories.courses import topic
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = pytest.mark.django_db


def section(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"', 1)[1].split("</section>", 1)[0]


def attend(user, lecture):
    Attendance.objects.create(
        user=user, lecture=lecture, method=AttendanceMethod.CODE, checked_in_at=timezone.now()
    )


# --- login wall ----------------------------------------------------------------------------


def test_anonymous_goes_to_login():
    lecture = make_lecture()
    for url in (lecture.url, lecture_series().url):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/?next=" in response["Location"]


# --- series page ---------------------------------------------------------------------------


def test_series_lists_upcoming_soonest_first_then_past_by_month(teacher_a):
    later = make_lecture(starts_in=timedelta(days=20), title="二十天后")
    sooner = make_lecture(starts_in=timedelta(days=2), title="两天后")
    running = make_lecture(starts_in=-timedelta(minutes=30), title="进行中")
    old = make_lecture(starts_in=-timedelta(days=70), title="两月前")
    recent = make_lecture(starts_in=-timedelta(days=5), title="五天前")
    html = client_for(teacher_a).get(lecture_series().url).content.decode()

    upcoming = section(html, "lectures-upcoming-title")
    assert upcoming.index("进行中") < upcoming.index("两天后") < upcoming.index("二十天后")
    past = html.split('id="lectures-past-title"', 1)[1]
    assert "两月前" not in upcoming and past.index("五天前") < past.index("两月前")
    months = [
        timezone.localtime(lecture.starts_at).strftime("%Y年%-m月") for lecture in (recent, old)
    ]
    if months[0] != months[1]:
        assert past.index(months[0]) < past.index(months[1])
    assert reverse("courses:lecture_series_ics", args=[lecture_series().pk]) in html
    assert t("Subscribe to all lectures (.ics)") in html
    assert later.url in html and sooner.url in html and running.url in html


def test_cards_show_facts_and_the_readers_state(teacher_a, make_user):
    lecturer = LecturerProfile.objects.create(full_name="刘讲师")
    registered = make_lecture(title="已报名讲座", credit_hours=3, venue="报告厅")
    registered.lecturers.set([lecturer])
    registered.save_revision().publish()
    full = make_lecture(title="候补讲座", capacity=1, venue="", online_url="https://meet.example")
    make_lecture(title="未报名讲座")
    attended = make_lecture(title="已签到讲座", starts_in=-timedelta(days=1))
    lecture_register(user=teacher_a, lecture=registered)
    lecture_register(user=make_user(roles.TEACHER), lecture=full)
    lecture_register(user=make_user(roles.TEACHER), lecture=full)
    lecture_register(user=teacher_a, lecture=full)
    attend(teacher_a, attended)

    html = client_for(teacher_a).get(lecture_series().url).content.decode()
    cards = {
        title: html.split(title, 1)[1].split("</li>", 1)[0]
        for title in ("已报名讲座", "候补讲座", "未报名讲座", "已签到讲座")
    }
    assert t("Registered") in cards["已报名讲座"]
    assert "刘讲师" in cards["已报名讲座"] and "报告厅" in cards["已报名讲座"]
    assert "3 " in cards["已报名讲座"]  # credit hours
    assert t("Waiting list: number %(n)s") % {"n": 2} in cards["候补讲座"]
    assert t("Online") in cards["候补讲座"]
    assert t("Not registered") in cards["未报名讲座"]
    assert t("Checked in") in cards["已签到讲座"]


def test_past_lectures_are_paginated(teacher_a):
    for n in range(PAST_LECTURES_PER_PAGE + 2):
        make_lecture(starts_in=-timedelta(days=n + 1), title=f"旧讲座{n:02d}")
    client = client_for(teacher_a)
    first = client.get(lecture_series().url).content.decode()
    assert "旧讲座00" in first and f"旧讲座{PAST_LECTURES_PER_PAGE + 1:02d}" not in first
    second = client.get(lecture_series().url + "?page=2").content.decode()
    assert f"旧讲座{PAST_LECTURES_PER_PAGE + 1:02d}" in second and "旧讲座00" not in second
    assert client.get(lecture_series().url + "?page=abc").status_code == 200


def query_count(client, url) -> int:
    client.get(url)  # warm the site and page caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_lectures(count, teacher, make_user, lecturer):
    for n in range(count):
        for starts_in in (timedelta(days=n + 1), -timedelta(days=n + 1)):
            lecture = make_lecture(starts_in=starts_in, capacity=1, topic=topic("主题"))
            lecture.lecturers.set([lecturer, LecturerProfile.objects.create(full_name=f"讲{n}")])
            lecture.save_revision().publish()
            if starts_in > timedelta(0):
                lecture_register(user=make_user(roles.TEACHER), lecture=lecture)
                lecture_register(user=teacher, lecture=lecture)
            else:
                attend(teacher, lecture)


def test_series_queries_do_not_grow(teacher_a, make_user):
    lecturer = LecturerProfile.objects.create(full_name="讲师")
    client = client_for(teacher_a)
    url = lecture_series().url
    add_lectures(1, teacher_a, make_user, lecturer)
    small = query_count(client, url)
    add_lectures(7, teacher_a, make_user, lecturer)
    assert query_count(client, url) == small <= 22


# --- lecture page --------------------------------------------------------------------------


def test_lecture_page_shows_every_fact(teacher_a):
    lecturer = LecturerProfile.objects.create(full_name="周讲师", title="区心理教研员")
    lecture = make_lecture(
        title="班主任沟通艺术",
        capacity=30,
        credit_hours=2.5,
        venue="进修学院301",
        online_url="https://meet.example/abc",
        summary="如何与家长沟通",
    )
    lecture.lecturers.set([lecturer])
    lecture.save_revision().publish()
    html = client_for(teacher_a).get(lecture.url).content.decode()
    starts = timezone.localtime(lecture.starts_at)
    ends = timezone.localtime(lecture.ends_at)
    assert f"{starts:%Y-%m-%d %H:%M}" in html and f"{ends:%H:%M}" in html
    assert "进修学院301" in html and "https://meet.example/abc" in html
    assert "周讲师" in html and "区心理教研员" in html and "如何与家长沟通" in html
    assert "2.5" in html
    assert t("%(left)s of %(total)s left") % {"left": 30, "total": 30} in html
    assert reverse("courses:lecture_ics", args=[lecture.pk]) in html
    assert reverse("courses:lecture_register", args=[lecture.pk]) in html


def test_times_are_shown_in_shanghai_time(teacher_a):
    starts = datetime(2030, 3, 5, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
    lecture = make_lecture(starts_at=starts)
    html = client_for(teacher_a).get(lecture.url).content.decode()
    assert "2030-03-05 14:30" in html and "16:00" in html


def box_of(client, lecture) -> str:
    return section(client.get(lecture.url).content.decode(), "lecture-state-title")


def test_state_box_by_state(teacher_a, make_user):
    client = client_for(teacher_a)
    lecture = make_lecture(capacity=1)
    assert t("Register") in box_of(client, lecture)

    lecture_register(user=teacher_a, lecture=lecture)
    box = box_of(client, lecture)
    assert t("You are registered.") in box and t("Cancel registration") in box

    other = make_user(roles.TEACHER)
    other_box = box_of(client_for(other), lecture)
    assert t("Join the waiting list") in other_box
    lecture_register(user=other, lecture=lecture)
    other_box = box_of(client_for(other), lecture)
    assert t("Leave the waiting list") in other_box
    assert "1" in other_box.split(t("Leave the waiting list"))[0]

    not_open = make_lecture(registration_opens=timezone.now() + timedelta(days=1))
    box = box_of(client, not_open)
    opens = timezone.localtime(not_open.registration_opens).strftime("%Y-%m-%d %H:%M")
    assert t("Registration opens on %(when)s.", when=opens) in box
    assert reverse("courses:lecture_register", args=[not_open.pk]) not in box

    over = make_lecture(starts_in=-timedelta(days=1))
    assert t("This lecture is over.") in box_of(client, over)
    attend(teacher_a, over)
    assert t("You have checked in to this lecture.") in box_of(client, over)


def test_replay_only_after_the_end(teacher_a):
    replay = [("paragraph", "<p>回放内容在此</p>")]
    upcoming = make_lecture(replay=replay)
    past = make_lecture(starts_in=-timedelta(days=1), replay=replay)
    client = client_for(teacher_a)
    assert "回放内容在此" not in client.get(upcoming.url).content.decode()
    assert "回放内容在此" in client.get(past.url).content.decode()


def test_replay_appears_when_the_clock_passes_the_end(teacher_a):
    lecture = make_lecture(starts_in=timedelta(hours=1), replay=[("paragraph", "<p>回放</p>")])
    client = client_for(teacher_a)
    assert "回放</p>" not in client.get(lecture.url).content.decode()
    after = lecture.ends_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert "回放</p>" in client.get(lecture.url).content.decode()


def test_lecture_page_queries_do_not_grow(teacher_a, make_user):
    lecture = make_lecture(capacity=10, topic=topic("主题"))
    lecture.lecturers.set([LecturerProfile.objects.create(full_name="讲师")])
    lecture.save_revision().publish()
    lecture_register(user=teacher_a, lecture=LecturePage.objects.get(pk=lecture.pk))
    client = client_for(teacher_a)
    small = query_count(client, lecture.url)
    lecture.lecturers.set([LecturerProfile.objects.create(full_name=f"讲师{n}") for n in range(6)])
    lecture.save_revision().publish()
    for _ in range(6):
        lecture_register(user=make_user(roles.TEACHER), lecture=lecture)
    # 24 for the page and state box, 3 for the attendance box (attendance, feedback, series),
    # 1 for the linked cases.
    assert query_count(client, lecture.url) == small <= 28


class TestLecturePageTypes(WagtailPageTestCase):
    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(LectureSeriesPage, {HomePage})
        self.assertAllowedSubpageTypes(LectureSeriesPage, {LecturePage})
        self.assertAllowedParentPageTypes(LecturePage, {LectureSeriesPage})
        self.assertAllowedSubpageTypes(LecturePage, set())
