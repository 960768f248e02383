"""The lesson page's time-spent heartbeat: enrolled teachers only, CSRF, one minute counted per
interval however often it is sent."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.choices import EnrollmentStatus
from courses.models import LessonPage, LessonProgress
from courses.services.completion import lesson_viewed
from tests.factories.courses import enroll, make_course

from .xapi_helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course(lessons=1)


@pytest.fixture
def lesson(course):
    return LessonPage.objects.child_of(course).get()


def url(lesson):
    return reverse("courses:lesson_heartbeat", kwargs={"lesson_id": lesson.pk})


def seconds(user, lesson):
    return LessonProgress.objects.get(user=user, lesson=lesson).seconds_spent


def test_enrolled_teacher_gets_one_minute_per_interval(teacher_a, course, lesson):
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=lesson)
    client = login(teacher_a)
    first = client.post(url(lesson))
    assert first.status_code == 200 and first.json() == {"ok": True, "counted": True}
    # A second tab or a forged burst within the same minute adds nothing.
    for _ in range(5):
        assert client.post(url(lesson)).json()["counted"] is False
    assert seconds(teacher_a, lesson) == 60


def test_next_interval_counts_again(teacher_a, course, lesson):
    from django.core.cache import cache

    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=lesson)
    client = login(teacher_a)
    client.post(url(lesson))
    cache.clear()  # the interval has passed
    client.post(url(lesson))
    assert seconds(teacher_a, lesson) == 120


@pytest.mark.parametrize("status", [None, EnrollmentStatus.PENDING, EnrollmentStatus.WITHDRAWN])
def test_not_learning_is_refused(teacher_a, course, lesson, status):
    if status:
        enroll(teacher_a, course, status=status)
    response = login(teacher_a).post(url(lesson))
    assert response.status_code == 403
    assert response.json()["ok"] is False and response.json()["error"]
    assert not LessonProgress.objects.filter(seconds_spent__gt=0).exists()


def test_anonymous_gets_401(lesson):
    response = Client().post(url(lesson))
    assert response.status_code == 401


def test_unknown_lesson_is_404_and_get_is_405(teacher_a, lesson):
    client = login(teacher_a)
    assert (
        client.post(reverse("courses:lesson_heartbeat", kwargs={"lesson_id": 99999})).status_code
        == 404
    )
    assert client.get(url(lesson)).status_code == 405


def test_csrf_is_required(teacher_a, course, lesson):
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=lesson)
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher_a)
    assert client.post(url(lesson)).status_code == 403
    assert seconds(teacher_a, lesson) == 0
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    assert client.post(url(lesson), HTTP_X_CSRFTOKEN=token).status_code == 200
    assert seconds(teacher_a, lesson) == 60


def test_heartbeat_queries_are_few(teacher_a, course, lesson, django_assert_max_num_queries):
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=lesson)
    client = login(teacher_a)
    with django_assert_max_num_queries(5):
        client.post(url(lesson))
