"""The enrol and unenrol POSTs on a course page: CSRF, login, messages and double submits."""

import pytest
from django.test import Client

from courses.choices import EnrollmentStatus, EnrolmentMode
from courses.models import Enrollment
from tests.courses.enrolment_helpers import client_for, messages_of, t
from tests.factories.courses import enroll, make_course

pytestmark = pytest.mark.django_db


def test_enrol_post_enrols_and_a_double_submit_is_harmless(teacher_a):
    course = make_course()
    client = client_for(teacher_a)
    first = client.post(f"/courses/{course.pk}/enrol/")
    assert first.status_code == 302 and first["Location"] == course.url
    response = client.post(f"/courses/{course.pk}/enrol/", follow=True)
    assert response.status_code == 200
    assert Enrollment.objects.get().status == EnrollmentStatus.ACTIVE
    assert Enrollment.objects.count() == 1


def test_approval_course_says_pending(teacher_a):
    course = make_course(enrolment_mode=EnrolmentMode.APPROVAL)
    response = client_for(teacher_a).post(f"/courses/{course.pk}/enrol/", follow=True)
    assert t("Your request was sent; your school administrator will review it.") in (
        messages_of(response)
    )
    assert response.context["box"].state == "pending"


def test_refusal_is_a_message_not_an_error(teacher_a):
    course = make_course(enrolment_mode=EnrolmentMode.ASSIGNED)
    response = client_for(teacher_a).post(f"/courses/{course.pk}/enrol/", follow=True)
    assert response.status_code == 200
    assert messages_of(response) == [
        t("This course is assigned by your school; you cannot enrol in it yourself.")
    ]
    assert not Enrollment.objects.exists()


def test_forged_post_without_csrf_is_rejected(teacher_a):
    course = make_course()
    client = client_for(teacher_a, enforce_csrf_checks=True)
    assert client.post(f"/courses/{course.pk}/enrol/").status_code == 403
    enroll(teacher_a, make_course(lessons=0))
    assert client.post(f"/courses/{course.pk}/unenrol/").status_code == 403
    assert client.post(f"/courses/{course.pk}/evaluate/", {"rating": 5}).status_code == 403
    assert not Enrollment.objects.filter(course=course).exists()


def test_enrol_form_carries_a_csrf_token_that_works(teacher_a):
    course = make_course()
    client = client_for(teacher_a, enforce_csrf_checks=True)
    page = client.get(course.url)
    token = page.context["csrf_token"]
    response = client.post(f"/courses/{course.pk}/enrol/", {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert Enrollment.objects.filter(course=course, user=teacher_a).exists()


def test_anonymous_and_get_and_unknown_course(teacher_a):
    course = make_course()
    anonymous = Client().post(f"/courses/{course.pk}/enrol/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client = client_for(teacher_a)
    assert client.get(f"/courses/{course.pk}/enrol/").status_code == 405
    assert client.post("/courses/999999/enrol/").status_code == 404
    course.unpublish()
    assert client.post(f"/courses/{course.pk}/enrol/").status_code == 404
    assert not Enrollment.objects.exists()


def test_unenrol_before_completion_and_not_after(teacher_a):
    course = make_course()
    client = client_for(teacher_a)
    client.post(f"/courses/{course.pk}/enrol/")
    response = client.post(f"/courses/{course.pk}/unenrol/", follow=True)
    assert t("You have left this course.") in messages_of(response)
    assert Enrollment.objects.get().status == EnrollmentStatus.WITHDRAWN
    # Double submit: still withdrawn, no error page.
    assert client.post(f"/courses/{course.pk}/unenrol/").status_code == 302

    done = make_course()
    enroll(teacher_a, done, status=EnrollmentStatus.COMPLETED)
    response = client.post(f"/courses/{done.pk}/unenrol/", follow=True)
    assert t(
        "You have completed this course; a completed course cannot be withdrawn from."
    ) in messages_of(response)
    assert Enrollment.objects.get(course=done).status == EnrollmentStatus.COMPLETED
