"""Issue 7, end to end: a teacher completes the last missing course through the course
services; on commit the single-teacher recompute runs (eager Celery here, a real worker in
tier 2's task tests), so /me/ shows 已具备, the school dashboard's coverage moves and the
mentor-readiness API lists the teacher as qualified."""

import pytest
from django.test import Client

from certification.api.services import api_token_create
from certification.models.qualification import QualificationState, QualificationStatus
from certification.selectors.coverage import school_coverage
from courses.services.completion import course_evaluation_submit, lesson_viewed
from courses.services.enrolment import enrollment_request
from people import roles
from people.models import Stage
from tests.factories.courses import make_course
from tests.factories.qualification import course_req, only_standard

# Real commits, so each completion's on-commit recompute runs as it would in a request
# (roles and the seeded standard come back through the serialized rollback).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def complete(user, course):
    enrollment_request(user=user, course=course)
    for lesson in course.get_children().live().specific():
        lesson_viewed(user=user, lesson=lesson, course=course)
    course_evaluation_submit(user=user, course=course, rating=5, comment="很实用")


def primary_coverage(school):
    return next(row for row in school_coverage(school) if row.stage == Stage.PRIMARY)


def test_the_last_course_makes_a_qualified_mentor_everywhere(
    make_user, school_a, school_admin_a, district_admin
):
    teacher = make_user(
        roles.TEACHER, school_a, staff_no="TQ01", full_name="导师候选", stage=Stage.PRIMARY
    )
    first = make_course(lessons=1, title="心理健康教育基础")
    last = make_course(lessons=2, title="家校沟通与家庭教育指导")
    only_standard("mentor", requirements=[course_req(first), course_req(last)])
    complete(teacher, first)
    status = QualificationStatus.objects.get(user=teacher)
    assert status.state == QualificationState.IN_PROGRESS
    assert [item["label"] for item in status.missing] == ["要求1"]
    covered_before = primary_coverage(school_a).qualified

    complete(teacher, last)

    status.refresh_from_db()
    assert status.state == QualificationState.QUALIFIED and status.missing == []
    # 我的学习 shows it ...
    me = Client()
    me.force_login(teacher)
    assert str(QualificationState.QUALIFIED.label) in me.get("/me/").content.decode()
    # ... the school's coverage counts one more mentor ...
    assert primary_coverage(school_a).qualified == covered_before + 1
    admin = Client()
    admin.force_login(school_admin_a)
    page = admin.get("/admin/mentor-dashboard/").content.decode()
    assert teacher.full_name in page
    # ... and the schools' mentor matching reads it from the API.
    key = api_token_create(name="匹配系统", school=school_a, created_by=district_admin).key
    body = (
        Client()
        .get(
            "/api/v1/mentor-readiness/",
            {"state": "qualified"},
            headers={"Authorization": f"Token {key}"},
        )
        .json()
    )
    assert [(item["staff_no"], item["state"]) for item in body["results"]] == [
        ("TQ01", QualificationState.QUALIFIED)
    ]
