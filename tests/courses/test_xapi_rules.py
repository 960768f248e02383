"""The endpoint's one-query lesson look-up must keep agreeing with the access selector it
inlines (`lesson_learning_enrollment`): a change to one without the other fails here."""

import pytest

from courses.choices import EnrollmentStatus
from courses.selectors.access import lesson_learning_enrollment
from courses.services.xapi import _lesson_for_statement
from tests.factories.courses import enroll

from .xapi_helpers import make_h5p_lesson, make_package

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "scenario",
    ["active", "completed", "pending", "rejected", "withdrawn", "none", "other_course", "unpub"],
)
def test_inlined_enrolment_rule_matches_the_selector(teacher_a, scenario):
    package = make_package()
    lesson = make_h5p_lesson(package)
    course = lesson.get_parent().specific
    if scenario in ("active", "completed", "pending", "rejected", "withdrawn"):
        enroll(teacher_a, course, status=EnrollmentStatus(scenario))
    elif scenario == "other_course":
        enroll(teacher_a, make_h5p_lesson(package).get_parent().specific)
    elif scenario == "unpub":
        enroll(teacher_a, course)
        course.unpublish()
        lesson.refresh_from_db()
    looked_up = _lesson_for_statement(user=teacher_a, lesson_id=lesson.pk, package_id=package.pk)
    expected = lesson_learning_enrollment(teacher_a, lesson)
    assert looked_up.learning_enrollment_id == (expected.pk if expected else None)
    assert looked_up.plays_package is True
