"""Enrolment services: modes, window, capacity, prerequisites, withdrawal, decisions and
assignment, each refusal with its own message."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.choices import EnrollmentSource, EnrollmentStatus, EnrolmentMode
from courses.models import Enrollment, LessonPage
from courses.selectors.enrolment import (
    course_window_error,
    enrollments_pending_for,
    teachers_of_stage,
)
from courses.services.completion import course_evaluation_submit, lesson_viewed
from courses.services.enrolment import (
    enrollment_assign,
    enrollment_decide,
    enrollment_request,
    enrollment_withdraw,
)
from people import roles
from people.models import Stage
from tests.courses.enrolment_helpers import t
from tests.factories.courses import enroll, make_course

pytestmark = pytest.mark.django_db

ASSIGNED_ONLY = "This course is assigned by your school; you cannot enrol in it yourself."
DECLINED = (
    "Your request for this course was declined. "
    "Ask your school administrator if you think this is a mistake."
)
NOT_ASSIGNABLE = (
    "%(n)d of the chosen people are not active teachers you may assign "
    "(school administrators assign teachers of their own school only)."
)


def message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def complete(user, course):
    enroll(user, course, status=EnrollmentStatus.COMPLETED, completed_at=timezone.now())


# --- enrollment_request --------------------------------------------------------------------


def test_open_course_enrols_at_once_and_repeats_are_harmless(teacher_a):
    course = make_course()
    first = enrollment_request(user=teacher_a, course=course)
    again = enrollment_request(user=teacher_a, course=course)
    assert first.pk == again.pk
    assert first.status == EnrollmentStatus.ACTIVE and first.source == EnrollmentSource.SELF
    assert Enrollment.objects.count() == 1


def test_approval_course_waits_and_assigned_course_refuses(teacher_a):
    approval = make_course(enrolment_mode=EnrolmentMode.APPROVAL)
    assert enrollment_request(user=teacher_a, course=approval).status == EnrollmentStatus.PENDING

    assigned = make_course(enrolment_mode=EnrolmentMode.ASSIGNED)
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=teacher_a, course=assigned)
    assert message(excinfo) == t(ASSIGNED_ONLY)
    assert not Enrollment.objects.filter(course=assigned).exists()


def test_window_not_yet_open_and_closed(teacher_a):
    now = timezone.now()
    future = make_course(enrol_opens=now + timedelta(days=2))
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=teacher_a, course=future)
    assert message(excinfo) == course_window_error(future)

    past = make_course(enrol_opens=now - timedelta(days=9), enrol_closes=now - timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=teacher_a, course=past)
    assert message(excinfo) == course_window_error(past)

    current = make_course(enrol_opens=now - timedelta(days=1), enrol_closes=now + timedelta(days=1))
    assert enrollment_request(user=teacher_a, course=current).status == EnrollmentStatus.ACTIVE


def test_capacity_counts_pending_active_and_completed(make_user, school_a):
    course = make_course(capacity=3, enrolment_mode=EnrolmentMode.APPROVAL)
    holders = [make_user(roles.TEACHER, school_a) for _ in range(4)]
    enroll(holders[0], course, status=EnrollmentStatus.PENDING)
    enroll(holders[1], course, status=EnrollmentStatus.ACTIVE)
    complete(holders[2], course)
    withdrawn = make_user(roles.TEACHER, school_a)
    enroll(withdrawn, course, status=EnrollmentStatus.WITHDRAWN)  # holds no place
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=holders[3], course=course)
    assert message(excinfo) == t("This course is full: all %(n)d places are taken.", n=3)

    # A place frees up when someone withdraws.
    enrollment_withdraw(user=holders[1], course=course)
    assert enrollment_request(user=holders[3], course=course).status == EnrollmentStatus.PENDING


def test_prerequisite_refusal_names_the_missing_course(teacher_a):
    basics = make_course(title="导师工作基础")
    ethics = make_course(title="师德规范")
    advanced = make_course(title="导师进阶")
    advanced.prerequisites.set([basics, ethics])
    advanced.save_revision().publish()
    complete(teacher_a, ethics)
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=teacher_a, course=advanced)
    assert "《导师工作基础》" in message(excinfo)
    assert "师德规范" not in message(excinfo)

    complete(teacher_a, basics)
    assert enrollment_request(user=teacher_a, course=advanced).status == EnrollmentStatus.ACTIVE


def test_unpublished_course_refuses(teacher_a):
    course = make_course()
    course.unpublish()
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=teacher_a, course=course)
    assert message(excinfo) == t("This course is not published; you cannot enrol in it.")


def test_rejected_request_cannot_be_repeated(teacher_a, school_admin_a):
    course = make_course(enrolment_mode=EnrolmentMode.APPROVAL)
    enrollment = enrollment_request(user=teacher_a, course=course)
    enrollment_decide(enrollment=enrollment, approve=False, decided_by=school_admin_a)
    with pytest.raises(ValidationError) as excinfo:
        enrollment_request(user=teacher_a, course=course)
    assert message(excinfo) == t(DECLINED)


# --- enrollment_withdraw -------------------------------------------------------------------


def test_withdraw_then_re_enrol_reuses_the_row_and_keeps_progress(teacher_a):
    course = make_course(lessons=2)
    first = enrollment_request(user=teacher_a, course=course)
    lesson_viewed(user=teacher_a, lesson=LessonPage.objects.child_of(course).first())
    withdrawn = enrollment_withdraw(user=teacher_a, course=course)
    assert withdrawn.status == EnrollmentStatus.WITHDRAWN
    # Withdrawing twice is harmless.
    assert enrollment_withdraw(user=teacher_a, course=course).status == EnrollmentStatus.WITHDRAWN

    again = enrollment_request(user=teacher_a, course=course)
    assert again.pk == first.pk and again.status == EnrollmentStatus.ACTIVE
    assert again.progress == 50
    assert Enrollment.objects.count() == 1


def test_withdraw_refused_after_completion_and_for_assigned(teacher_a, school_admin_a):
    course = make_course(lessons=1)
    enrollment_request(user=teacher_a, course=course)
    lesson_viewed(user=teacher_a, lesson=LessonPage.objects.child_of(course).get())
    course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="好")
    with pytest.raises(ValidationError) as excinfo:
        enrollment_withdraw(user=teacher_a, course=course)
    assert message(excinfo) == t(
        "You have completed this course; a completed course cannot be withdrawn from."
    )
    assert Enrollment.objects.get().status == EnrollmentStatus.COMPLETED

    assigned = make_course(enrolment_mode=EnrolmentMode.ASSIGNED)
    enrollment_assign(course=assigned, users=[teacher_a], assigned_by=school_admin_a)
    with pytest.raises(ValidationError) as excinfo:
        enrollment_withdraw(user=teacher_a, course=assigned)
    assert message(excinfo) == t(
        "This course was assigned by your school; ask your school administrator to withdraw you."
    )


def test_withdraw_without_enrolment_is_refused(teacher_a):
    with pytest.raises(ValidationError) as excinfo:
        enrollment_withdraw(user=teacher_a, course=make_course())
    assert message(excinfo) == t("You are not enrolled in this course.")


# --- enrollment_decide ---------------------------------------------------------------------


def test_school_admin_approves_own_school_only(
    teacher_a, teacher_b, school_admin_a, district_admin
):
    course = make_course(enrolment_mode=EnrolmentMode.APPROVAL)
    mine = enrollment_request(user=teacher_a, course=course)
    other = enrollment_request(user=teacher_b, course=course)
    assert list(enrollments_pending_for(school_admin_a)) == [mine]
    assert set(enrollments_pending_for(district_admin)) == {mine, other}
    assert list(enrollments_pending_for(teacher_a)) == []

    with pytest.raises(ValidationError) as excinfo:
        enrollment_decide(enrollment=other, approve=True, decided_by=school_admin_a)
    assert message(excinfo) == t(
        "Only an administrator of the teacher's school can decide this request."
    )
    other.refresh_from_db()
    assert other.status == EnrollmentStatus.PENDING

    approved = enrollment_decide(enrollment=mine, approve=True, decided_by=school_admin_a)
    assert approved.status == EnrollmentStatus.ACTIVE and approved.decided_by == school_admin_a
    # A double submit of the same decision is a no-op; the opposite one is refused.
    assert enrollment_decide(enrollment=mine, approve=True, decided_by=school_admin_a).pk == mine.pk
    with pytest.raises(ValidationError):
        enrollment_decide(enrollment=mine, approve=False, decided_by=school_admin_a)

    rejected = enrollment_decide(enrollment=other, approve=False, decided_by=district_admin)
    assert rejected.status == EnrollmentStatus.REJECTED


def test_teacher_cannot_decide(teacher_a, teacher_b):
    course = make_course(enrolment_mode=EnrolmentMode.APPROVAL)
    enrollment = enrollment_request(user=teacher_b, course=course)
    with pytest.raises(ValidationError):
        enrollment_decide(enrollment=enrollment, approve=True, decided_by=teacher_a)


# --- enrollment_assign ---------------------------------------------------------------------


def test_assign_is_set_based_and_counts_already_enrolled(
    make_user, school_a, school_admin_a, django_assert_max_num_queries
):
    course = make_course(enrolment_mode=EnrolmentMode.ASSIGNED)
    teachers = [make_user(roles.TEACHER, school_a) for _ in range(6)]
    enroll(teachers[0], course)  # already learning
    enroll(teachers[1], course, status=EnrollmentStatus.WITHDRAWN)
    due = timezone.localdate() + timedelta(days=30)
    with django_assert_max_num_queries(12):
        result = enrollment_assign(
            course=course, users=teachers, assigned_by=school_admin_a, due_on=due
        )
    assert (result.assigned, result.already) == (5, 1)
    rows = Enrollment.objects.filter(course=course)
    assert rows.count() == 6
    assert set(rows.values_list("status", flat=True)) == {EnrollmentStatus.ACTIVE}
    revived = rows.get(user=teachers[1])
    assert revived.source == EnrollmentSource.ASSIGNED and revived.due_on == due
    assert rows.get(user=teachers[0]).source == EnrollmentSource.SELF  # left as it was

    again = enrollment_assign(course=course, users=teachers, assigned_by=school_admin_a)
    assert (again.assigned, again.already) == (0, 6)


def test_assign_query_count_does_not_grow(
    make_user, school_a, school_admin_a, django_assert_max_num_queries
):
    course = make_course()
    few = [make_user(roles.TEACHER, school_a) for _ in range(2)]
    many = [make_user(roles.TEACHER, school_a) for _ in range(25)]
    with django_assert_max_num_queries(12) as small:
        enrollment_assign(course=course, users=few, assigned_by=school_admin_a)
    with django_assert_max_num_queries(12) as large:
        enrollment_assign(course=course, users=many, assigned_by=school_admin_a)
    # The first call also reads the admin's roles (cached on the user afterwards).
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_school_admin_cannot_assign_other_schools_teachers(
    teacher_a, teacher_b, school_admin_a, district_admin
):
    course = make_course()
    with pytest.raises(ValidationError) as excinfo:
        enrollment_assign(course=course, users=[teacher_a, teacher_b], assigned_by=school_admin_a)
    assert message(excinfo) == t(NOT_ASSIGNABLE, n=1)
    assert not Enrollment.objects.exists()

    result = enrollment_assign(
        course=course, users=[teacher_a, teacher_b], assigned_by=district_admin
    )
    assert result.assigned == 2


def test_teacher_cannot_assign_and_past_due_date_is_refused(teacher_a, school_admin_a):
    course = make_course()
    with pytest.raises(ValidationError):
        enrollment_assign(course=course, users=[teacher_a], assigned_by=teacher_a)
    with pytest.raises(ValidationError) as excinfo:
        enrollment_assign(
            course=course,
            users=[teacher_a],
            assigned_by=school_admin_a,
            due_on=timezone.localdate() - timedelta(days=1),
        )
    assert message(excinfo) == t("The due date is in the past.")


def test_assign_all_teachers_of_a_stage_in_a_school(make_user, school_a, school_b, school_admin_a):
    course = make_course()
    primary = [make_user(roles.TEACHER, school_a, stage=Stage.PRIMARY) for _ in range(3)]
    make_user(roles.TEACHER, school_a, stage=Stage.JUNIOR)
    make_user(roles.TEACHER, school_b, stage=Stage.PRIMARY)
    make_user(roles.TEACHER, school_a, stage=Stage.PRIMARY, is_active=False)
    make_user(roles.SCHOOL_ADMIN, school_a, stage=Stage.PRIMARY)  # not a teacher
    chosen = teachers_of_stage(school=school_a, stage=Stage.PRIMARY)
    assert set(chosen) == set(primary)
    result = enrollment_assign(course=course, users=chosen, assigned_by=school_admin_a)
    assert result.assigned == 3
