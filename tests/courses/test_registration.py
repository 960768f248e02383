"""Lecture registration: the window edges, capacity and the waiting list, promotion on
cancel (with a notification), double submits, and the register/cancel views (CSRF, login)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import LectureRegistration, RegistrationStatus
from courses.selectors.lectures import user_lecture_states
from courses.services.registration import lecture_cancel, lecture_register
from people import roles
from people.models import Notification
from tests.courses.enrolment_helpers import client_for, messages_of, t
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def teachers(make_user, school_a):
    return [make_user(roles.TEACHER, school_a, full_name=f"老师{n}") for n in range(5)]


def status_of(user, lecture) -> str:
    return LectureRegistration.objects.get(user=user, lecture=lecture).status


# --- the window ----------------------------------------------------------------------------


def test_window_edges(teacher_a):
    lecture = make_lecture(starts_in=timedelta(days=3))
    opens = lecture.starts_at - timedelta(days=2)
    closes = lecture.starts_at - timedelta(hours=1)
    lecture.registration_opens, lecture.registration_closes = opens, closes
    lecture.save_revision().publish()

    with pytest.raises(ValidationError) as refused:
        lecture_register(user=teacher_a, lecture=lecture, now=opens - timedelta(seconds=1))
    assert refused.value.messages[0] == t(
        "Registration opens on %(when)s.",
        when=timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
    )
    with pytest.raises(ValidationError):
        lecture_register(user=teacher_a, lecture=lecture, now=closes)
    assert not LectureRegistration.objects.exists()

    registration = lecture_register(user=teacher_a, lecture=lecture, now=opens)
    assert registration.status == RegistrationStatus.REGISTERED


def test_without_close_date_registration_closes_at_the_start(teacher_a, make_user):
    lecture = make_lecture(starts_in=timedelta(days=1))
    just_before = lecture.starts_at - timedelta(seconds=1)
    assert lecture_register(user=teacher_a, lecture=lecture, now=just_before).status == (
        RegistrationStatus.REGISTERED
    )
    with pytest.raises(ValidationError) as refused:
        lecture_register(user=make_user(roles.TEACHER), lecture=lecture, now=lecture.starts_at)
    assert refused.value.messages == [
        t(
            "Registration closed on %(when)s.",
            when=timezone.localtime(lecture.starts_at).strftime("%Y-%m-%d %H:%M"),
        )
    ]


def test_a_past_lecture_refuses(teacher_a):
    lecture = make_lecture(starts_in=-timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        lecture_register(user=teacher_a, lecture=lecture)
    assert refused.value.messages == [t("This lecture is over; registration has closed.")]


def test_an_unpublished_lecture_refuses(teacher_a):
    lecture = make_lecture()
    lecture.unpublish()
    with pytest.raises(ValidationError) as refused:
        lecture_register(user=teacher_a, lecture=lecture)
    assert refused.value.messages == [
        t("This lecture is not published; you cannot register for it.")
    ]


def test_inactive_user_refused(make_user):
    user = make_user(roles.TEACHER, is_active=False)
    with pytest.raises(ValidationError):
        lecture_register(user=user, lecture=make_lecture())


# --- capacity and the waiting list ---------------------------------------------------------


def test_full_lecture_puts_teachers_on_the_waiting_list_in_order(teachers):
    lecture = make_lecture(capacity=2)
    now = timezone.now()
    results = [
        lecture_register(user=teacher, lecture=lecture, now=now + timedelta(seconds=n))
        for n, teacher in enumerate(teachers)
    ]
    assert [r.status for r in results] == ["registered"] * 2 + ["waitlisted"] * 3
    assert all(r.queued_at for r in results[2:]) and results[0].queued_at is None
    states = {
        teacher.pk: user_lecture_states(teacher, [lecture.pk])[lecture.pk] for teacher in teachers
    }
    assert [states[t.pk].position for t in teachers[2:]] == [1, 2, 3]


def test_cancel_promotes_the_first_in_line_and_notifies_them(teachers):
    lecture = make_lecture(capacity=1)
    now = timezone.now()
    for n, teacher in enumerate(teachers[:3]):
        lecture_register(user=teacher, lecture=lecture, now=now + timedelta(seconds=n))

    lecture_cancel(user=teachers[0], lecture=lecture)

    assert status_of(teachers[0], lecture) == RegistrationStatus.CANCELLED
    promoted = LectureRegistration.objects.get(user=teachers[1], lecture=lecture)
    assert promoted.status == RegistrationStatus.REGISTERED and promoted.promoted_at
    assert status_of(teachers[2], lecture) == RegistrationStatus.WAITLISTED
    assert user_lecture_states(teachers[2], [lecture.pk])[lecture.pk].position == 1
    notification = Notification.objects.get(user=teachers[1])
    assert notification.key == f"lecture-promoted-{lecture.pk}"
    assert lecture.title in notification.title and notification.url == lecture.url
    assert not Notification.objects.filter(user__in=[teachers[0], teachers[2]]).exists()


def test_leaving_the_waiting_list_promotes_nobody(teachers):
    lecture = make_lecture(capacity=1)
    for teacher in teachers[:3]:
        lecture_register(user=teacher, lecture=lecture)
    lecture_cancel(user=teachers[1], lecture=lecture)
    assert status_of(teachers[0], lecture) == RegistrationStatus.REGISTERED
    assert status_of(teachers[2], lecture) == RegistrationStatus.WAITLISTED
    assert not Notification.objects.exists()


def test_promoted_twice_keeps_one_notification_marked_unread(teachers):
    lecture = make_lecture(capacity=1)
    lecture_register(user=teachers[0], lecture=lecture)
    lecture_register(user=teachers[1], lecture=lecture)
    lecture_cancel(user=teachers[0], lecture=lecture)  # teachers[1] promoted
    Notification.objects.update(read_at=timezone.now())
    lecture_register(user=teachers[0], lecture=lecture)  # waitlisted now
    lecture_cancel(user=teachers[1], lecture=lecture)
    lecture_register(user=teachers[1], lecture=lecture)  # waitlisted behind nobody
    lecture_cancel(user=teachers[0], lecture=lecture)  # teachers[1] promoted again
    assert Notification.objects.filter(user=teachers[1]).count() == 1
    assert Notification.objects.get(user=teachers[1]).read_at is None


def test_a_larger_capacity_serves_the_waiting_list_before_newcomers(teachers):
    lecture = make_lecture(capacity=1)
    lecture_register(user=teachers[0], lecture=lecture)
    lecture_register(user=teachers[1], lecture=lecture)
    lecture.capacity = 2
    lecture.save_revision().publish()
    assert lecture_register(user=teachers[2], lecture=lecture).status == "waitlisted"
    assert status_of(teachers[1], lecture) == RegistrationStatus.REGISTERED


def test_no_capacity_means_no_waiting_list(teachers):
    lecture = make_lecture(capacity=None)
    assert {lecture_register(user=t, lecture=lecture).status for t in teachers} == {"registered"}


# --- repeats and re-registration -----------------------------------------------------------


def test_double_submit_changes_nothing(teachers):
    lecture = make_lecture(capacity=1)
    first = lecture_register(user=teachers[0], lecture=lecture)
    again = lecture_register(user=teachers[0], lecture=lecture)
    assert again.pk == first.pk and again.status == "registered"
    waiting = lecture_register(user=teachers[1], lecture=lecture)
    assert lecture_register(user=teachers[1], lecture=lecture).queued_at == waiting.queued_at
    assert LectureRegistration.objects.count() == 2
    lecture_cancel(user=teachers[1], lecture=lecture)
    assert lecture_cancel(user=teachers[1], lecture=lecture).status == "cancelled"


def test_register_again_after_cancel_reuses_the_row(teacher_a):
    lecture = make_lecture()
    first = lecture_register(user=teacher_a, lecture=lecture)
    lecture_cancel(user=teacher_a, lecture=lecture)
    again = lecture_register(user=teacher_a, lecture=lecture)
    assert again.pk == first.pk and again.status == "registered" and again.cancelled_at is None


def test_cancel_refused_without_registration_or_after_the_start(teacher_a):
    lecture = make_lecture(starts_in=timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        lecture_cancel(user=teacher_a, lecture=lecture)
    assert refused.value.messages == [t("You are not registered for this lecture.")]
    lecture_register(user=teacher_a, lecture=lecture)
    with pytest.raises(ValidationError):
        lecture_cancel(user=teacher_a, lecture=lecture, now=lecture.starts_at)
    assert status_of(teacher_a, lecture) == RegistrationStatus.REGISTERED


# --- views ---------------------------------------------------------------------------------


def test_register_and_cancel_views(teacher_a, make_user):
    lecture = make_lecture(capacity=1)
    client = client_for(teacher_a)
    response = client.post(reverse("courses:lecture_register", args=[lecture.pk]), follow=True)
    assert t("You are registered for this lecture.") in messages_of(response)
    assert status_of(teacher_a, lecture) == "registered"

    other = make_user(roles.TEACHER)
    response = client_for(other).post(
        reverse("courses:lecture_register", args=[lecture.pk]), follow=True
    )
    assert messages_of(response) == [
        t(
            "The lecture is full: you are number %(n)d on the waiting list. "
            "You will be notified if a seat becomes free.",
            n=1,
        )
    ]

    response = client.post(reverse("courses:lecture_cancel", args=[lecture.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#lecture-state")
    assert status_of(other, lecture) == "registered"


def test_refusal_is_a_message_not_an_error(teacher_a):
    lecture = make_lecture(starts_in=-timedelta(days=1))
    response = client_for(teacher_a).post(
        reverse("courses:lecture_register", args=[lecture.pk]), follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == [t("This lecture is over; registration has closed.")]


def test_views_need_post_login_and_csrf(teacher_a):
    lecture = make_lecture()
    url = reverse("courses:lecture_register", args=[lecture.pk])
    assert client_for(teacher_a).get(url).status_code == 405
    response = Client().post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    strict = client_for(teacher_a, enforce_csrf_checks=True)
    assert strict.post(url).status_code == 403
    assert not LectureRegistration.objects.exists()


def test_unknown_lecture_is_404(teacher_a):
    client = client_for(teacher_a)
    assert client.post(reverse("courses:lecture_register", args=[999999])).status_code == 404
    assert client.post(reverse("courses:lecture_cancel", args=[999999])).status_code == 404
