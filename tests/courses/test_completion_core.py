"""The completion service: lessons by criterion, the course only after the evaluation,
recorded once and announced once."""

import pytest
from django.core.exceptions import ValidationError

from courses.choices import CompletionCriterion, EnrollmentStatus
from courses.models import Enrollment, LessonPage, LessonProgress
from courses.services.completion import (
    course_evaluation_submit,
    lesson_complete,
    lesson_viewed,
)
from courses.signals import course_completed
from tests.factories.courses import enroll, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def handler(sender, **kwargs):
        calls.append(kwargs)

    course_completed.connect(handler)
    yield calls
    course_completed.disconnect(handler)


def test_course_completes_after_lessons_and_evaluation_once(teacher_a, received):
    course = make_course(lessons=2)
    enroll(teacher_a, course)
    lessons = list(LessonPage.objects.child_of(course))
    lesson_viewed(user=teacher_a, lesson=lessons[0])
    assert Enrollment.objects.get().progress == 50
    lesson_viewed(user=teacher_a, lesson=lessons[1])
    enrollment = Enrollment.objects.get()
    assert enrollment.progress == 100
    assert enrollment.status == EnrollmentStatus.ACTIVE  # no evaluation yet
    assert received == []

    course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="很实用")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.completed_at
    assert len(received) == 1 and received[0]["user"] == teacher_a

    # Repeats change nothing and announce nothing.
    lesson_viewed(user=teacher_a, lesson=lessons[1])
    assert lesson_complete(user=teacher_a, lesson=lessons[0]) is False
    with pytest.raises(ValidationError):
        course_evaluation_submit(user=teacher_a, course=course, rating=4, comment="再次")
    assert len(received) == 1
    assert LessonProgress.objects.filter(user=teacher_a).count() == 2


def test_lecturer_criterion_is_not_met_by_viewing(teacher_a):
    course = make_course(lessons=1, criterion=CompletionCriterion.LECTURER)
    enroll(teacher_a, course)
    lesson = LessonPage.objects.child_of(course).get()
    lesson_viewed(user=teacher_a, lesson=lesson)
    assert LessonProgress.objects.get().status == "started"


def test_evaluation_needs_an_enrolment_and_a_valid_rating(teacher_a):
    course = make_course(lessons=1)
    with pytest.raises(ValidationError):
        course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="未报名")
    enroll(teacher_a, course)
    with pytest.raises(ValidationError):
        course_evaluation_submit(user=teacher_a, course=course, rating=6, comment="评分越界")


def test_evaluation_comes_after_every_lesson(teacher_a):
    course = make_course(lessons=2)
    enroll(teacher_a, course)
    first = LessonPage.objects.child_of(course).first()
    lesson_viewed(user=teacher_a, lesson=first)
    with pytest.raises(ValidationError, match=r"课时|lesson"):
        course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="提前评价")
    assert not Enrollment.objects.filter(status="completed").exists()


def test_lessons_of_an_unpublished_course_are_closed_to_its_teachers(teacher_a):
    from courses.selectors.access import lesson_visible_to

    course = make_course(lessons=1)
    enroll(teacher_a, course)
    lesson = LessonPage.objects.child_of(course).get()
    assert lesson_visible_to(teacher_a, lesson)
    course.unpublish()
    assert not lesson_visible_to(teacher_a, lesson)
