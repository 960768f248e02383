"""The course evaluation POST: validation, once only, and the course completing after it."""

import pytest

from courses.choices import EnrollmentStatus
from courses.models import CourseEvaluation, Enrollment, LessonPage
from courses.services.completion import lesson_viewed
from tests.courses.enrolment_helpers import client_for, messages_of, t
from tests.factories.courses import enroll, make_course

pytestmark = pytest.mark.django_db


def finished_course(user, lessons=2):
    course = make_course(lessons=lessons)
    enroll(user, course)
    for lesson in LessonPage.objects.child_of(course):
        lesson_viewed(user=user, lesson=lesson)
    return course


def test_evaluation_completes_the_course_once(teacher_a):
    course = finished_course(teacher_a)
    client = client_for(teacher_a)
    url = f"/courses/{course.pk}/evaluate/"
    response = client.post(url, {"rating": "5", "comment": "很实用"})
    assert response.status_code == 302
    assert response["Location"] == course.url + "#evaluation"
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.completed_at

    again = client.post(url, {"rating": "1", "comment": "再交一次"}, follow=True)
    assert t("You have already evaluated this course.") in messages_of(again)
    assert CourseEvaluation.objects.get().rating == 5
    assert t("Thank you for your evaluation (%(rating)s of 5).", rating=5) in again.content.decode()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"rating": "6", "comment": "越界"}, "Choose a rating from 1 to 5."),
        ({"rating": "abc", "comment": "乱填"}, "Choose a rating from 1 to 5."),
        ({"comment": "没评分"}, "Choose a rating from 1 to 5."),
        ({"rating": "4", "comment": "   "}, "Write a short comment about the course."),
        ({"rating": "4", "comment": "长" * 2001}, "Keep the comment under 2000 characters."),
    ],
)
def test_bad_input_is_a_message_not_an_error(teacher_a, data, text):
    course = finished_course(teacher_a, lessons=1)
    response = client_for(teacher_a).post(f"/courses/{course.pk}/evaluate/", data, follow=True)
    assert response.status_code == 200
    assert t(text) in messages_of(response)
    assert not CourseEvaluation.objects.exists()


def test_not_enrolled_cannot_evaluate(teacher_a, teacher_b):
    course = finished_course(teacher_a, lessons=1)
    response = client_for(teacher_b).post(
        f"/courses/{course.pk}/evaluate/", {"rating": "5", "comment": "未报名"}, follow=True
    )
    assert t("Only teachers enrolled in this course can evaluate it.") in messages_of(response)
    assert not CourseEvaluation.objects.exists()
