"""Lecture feedback: attendees only, after the start, once; the form on the lecture page."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import AttendanceMethod, LectureFeedback
from courses.selectors.checkin import lecture_attendance_box
from courses.services.attendance import attendance_record, lecture_feedback_submit
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def started():
    lecture_series(feedback_required=True)
    return make_lecture(starts_in=timedelta(minutes=-20))


def test_only_attendees(teacher_a, started):
    with pytest.raises(
        ValidationError,
        match=re.escape(_("Only teachers who attended this lecture can give feedback.")),
    ):
        lecture_feedback_submit(user=teacher_a, lecture=started, rating=4, comment="")
    assert not LectureFeedback.objects.exists()


def test_not_before_the_start(teacher_a):
    lecture = make_lecture(starts_in=timedelta(minutes=20))
    attendance_record(user=teacher_a, lecture=lecture, method=AttendanceMethod.CODE)
    with pytest.raises(
        ValidationError, match=re.escape(_("Feedback opens when the lecture starts."))
    ):
        lecture_feedback_submit(user=teacher_a, lecture=lecture, rating=4, comment="")
    feedback, created = lecture_feedback_submit(
        user=teacher_a, lecture=lecture, rating=4, comment="", now=lecture.starts_at
    )
    assert created and feedback.rating == 4


def test_once(teacher_a, started):
    attendance_record(user=teacher_a, lecture=started, method=AttendanceMethod.QR)
    first, created = lecture_feedback_submit(
        user=teacher_a, lecture=started, rating=5, comment="好"
    )
    second, created_again = lecture_feedback_submit(
        user=teacher_a, lecture=started, rating=1, comment="改"
    )
    assert created and not created_again and second.pk == first.pk
    assert LectureFeedback.objects.get().rating == 5


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_rating_must_be_1_to_5(teacher_a, started, rating):
    attendance_record(user=teacher_a, lecture=started, method=AttendanceMethod.QR)
    with pytest.raises(ValidationError):
        lecture_feedback_submit(user=teacher_a, lecture=started, rating=rating, comment="")
    assert not LectureFeedback.objects.exists()


def test_post_view(teacher_a, teacher_b, started):
    attendance_record(user=teacher_a, lecture=started, method=AttendanceMethod.QR)
    url = reverse("courses:lecture_feedback", args=[started.pk])
    client = Client()
    client.force_login(teacher_b)
    assert client.post(url, {"rating": "4"}).status_code == 302
    assert not LectureFeedback.objects.exists()
    client.force_login(teacher_a)
    assert client.post(url, {"rating": "9"}).status_code == 302
    assert client.get(url).status_code == 405
    assert not LectureFeedback.objects.exists()
    client.post(url, {"rating": "4", "comment": "很有帮助"})
    client.post(url, {"rating": "2"})
    assert LectureFeedback.objects.get().rating == 4
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(teacher_b)
    assert csrf_client.post(url, {"rating": "4"}).status_code == 403


def _box(user, lecture, now=None):
    request = RequestFactory().get("/")
    request.user = user
    return lecture_attendance_box(lecture, request, now=now)


def test_attendance_box_states(teacher_a, started, django_assert_max_num_queries):
    box = _box(teacher_a, started)
    assert box["show"] and box["checkin_open"] and box["attendance"] is None
    attendance_record(user=teacher_a, lecture=started, method=AttendanceMethod.QR)
    with django_assert_max_num_queries(5):
        box = _box(teacher_a, started)
    assert box["attendance"] and box["feedback"] is None and box["feedback_required"]
    lecture_feedback_submit(user=teacher_a, lecture=started, rating=3, comment="")
    assert _box(teacher_a, started)["feedback"].rating == 3
    later = started.ends_at + timedelta(days=1)
    assert not _box(teacher_a, make_lecture(starts_in=timedelta(days=3)), now=timezone.now())[
        "show"
    ]
    assert _box(teacher_a, started, now=later)["show"]  # an attendee still sees it


def test_attendance_box_renders(teacher_a, started):
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    request.user = teacher_a
    html = render_to_string(
        "courses/includes/lecture_attendance_box.html",
        {"attendance_box": lecture_attendance_box(started, request), "page": started},
        request=request,
    )
    assert 'name="code"' in html and "csrfmiddlewaretoken" in html
    attendance_record(user=teacher_a, lecture=started, method=AttendanceMethod.QR)
    html = render_to_string(
        "courses/includes/lecture_attendance_box.html",
        {"attendance_box": lecture_attendance_box(started, request), "page": started},
        request=request,
    )
    assert 'name="rating"' in html and 'name="code"' not in html
