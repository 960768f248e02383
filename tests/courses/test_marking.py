"""Lecturer marking: a lecturer of the course or a district admin marks a "lecturer" lesson
complete for enrolled teachers with a reason; everyone else is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from courses.choices import CompletionCriterion, EnrollmentStatus, LessonStatus
from courses.models import Enrollment, LessonPage, LessonProgress
from courses.services.completion import course_evaluation_submit
from courses.services.marking import lesson_mark_complete
from people import roles
from people.models import LecturerProfile
from tests.factories import UserFactory
from tests.factories.courses import enroll, make_course, make_lesson

from .xapi_helpers import login

pytestmark = pytest.mark.django_db

INDEX = "/admin/course-marking/"


@pytest.fixture
def lecturer(make_user, school_a):
    user = make_user(roles.LECTURER, school_a, staff_no="LC01", full_name="陈讲师")
    LecturerProfile.objects.create(user=user, full_name="陈讲师")
    return user


@pytest.fixture
def other_lecturer(make_user):
    user = make_user(roles.LECTURER, None, staff_no="LC02", full_name="林讲师")
    LecturerProfile.objects.create(user=user, full_name="林讲师")
    return user


@pytest.fixture
def course(lecturer):
    course = make_course(lessons=0, title="家校沟通工作坊")
    course.lecturers.add(lecturer.lecturer_profile)
    course.save()
    return course


@pytest.fixture
def lesson(course):
    return make_lesson(course, title="现场实践", criterion=CompletionCriterion.LECTURER)


def lesson_url(lesson):
    return reverse("courses_marking:lesson", kwargs={"lesson_id": lesson.pk})


def mark(client, lesson, teachers, reason="参加了现场工作坊"):
    return client.post(lesson_url(lesson), {"teachers": [t.pk for t in teachers], "reason": reason})


def completed_users(lesson):
    return set(
        LessonProgress.objects.filter(lesson=lesson, status=LessonStatus.COMPLETED).values_list(
            "user_id", flat=True
        )
    )


def test_lecturer_marks_chosen_teachers_with_reason(lecturer, teacher_a, teacher_b, course, lesson):
    enroll(teacher_a, course)
    enroll(teacher_b, course)
    client = login(lecturer)
    page = client.get(lesson_url(lesson))
    assert page.status_code == 200
    assert {row.user_id for row in page.context["rows"]} == {teacher_a.pk, teacher_b.pk}

    response = mark(client, lesson, [teacher_a])
    assert response.status_code == 302
    assert completed_users(lesson) == {teacher_a.pk}
    progress = LessonProgress.objects.get(user=teacher_a, lesson=lesson)
    assert progress.marked_by == lecturer and progress.mark_reason == "参加了现场工作坊"
    assert Enrollment.objects.get(user=teacher_a).progress == 100

    # A double submit changes nothing.
    first_completed_at = progress.completed_at
    again = mark(client, lesson, [teacher_a], reason="重复提交")
    assert again.status_code == 302
    progress.refresh_from_db()
    assert progress.completed_at == first_completed_at
    assert progress.mark_reason == "参加了现场工作坊"
    assert LessonProgress.objects.filter(user=teacher_a, lesson=lesson).count() == 1


def test_marking_completes_the_course_after_the_evaluation(lecturer, teacher_a, course, lesson):
    enroll(teacher_a, course)
    mark(login(lecturer), lesson, [teacher_a])
    assert Enrollment.objects.get(user=teacher_a).status == EnrollmentStatus.ACTIVE
    course_evaluation_submit(user=teacher_a, course=course, rating=4, comment="收获很大")
    assert Enrollment.objects.get(user=teacher_a).status == EnrollmentStatus.COMPLETED


def test_district_admin_may_mark_any_course(district_admin, teacher_a, course, lesson):
    enroll(teacher_a, course)
    assert mark(login(district_admin), lesson, [teacher_a]).status_code == 302
    assert completed_users(lesson) == {teacher_a.pk}


def test_index_lists_only_own_courses_lecturer_lessons(lecturer, other_lecturer, course, lesson):
    make_lesson(course, title="观看视频")  # viewed criterion: not listed
    other = make_course(lessons=0, title="别人的课程")
    other.lecturers.add(other_lecturer.lecturer_profile)
    other.save()
    other_lesson = make_lesson(other, criterion=CompletionCriterion.LECTURER)
    response = login(lecturer).get(INDEX)
    assert response.status_code == 200
    assert [item.lesson.pk for item in response.context["items"]] == [lesson.pk]
    response = login(other_lecturer).get(INDEX)
    assert [item.lesson.pk for item in response.context["items"]] == [other_lesson.pk]


def test_lecturer_of_another_course_is_refused(other_lecturer, teacher_a, course, lesson):
    enroll(teacher_a, course)
    client = login(other_lecturer)
    assert client.get(lesson_url(lesson)).status_code == 403
    assert mark(client, lesson, [teacher_a]).status_code == 403
    assert completed_users(lesson) == set()


@pytest.mark.parametrize("role", [roles.SCHOOL_ADMIN, roles.HR, roles.REVIEWER])
def test_other_admin_roles_are_refused(make_user, school_a, teacher_a, course, lesson, role):
    enroll(teacher_a, course)
    client = login(make_user(role, school_a, staff_no="X001"))
    assert client.get(INDEX).status_code == 403
    assert mark(client, lesson, [teacher_a]).status_code == 403
    assert completed_users(lesson) == set()


def test_teacher_and_anonymous_are_refused(teacher_a, course, lesson):
    enroll(teacher_a, course)
    for client in (login(teacher_a), Client()):
        response = mark(client, lesson, [teacher_a])
        assert response.status_code in (302, 403)
        assert client.get(INDEX).status_code in (302, 403)
    assert completed_users(lesson) == set()


def test_lecturer_without_profile_link_is_refused(make_user, teacher_a, course, lesson):
    enroll(teacher_a, course)
    stranger = make_user(roles.LECTURER, None, staff_no="LC09")
    assert mark(login(stranger), lesson, [teacher_a]).status_code == 403
    assert completed_users(lesson) == set()


def test_lesson_with_another_criterion_is_not_markable(lecturer, teacher_a, course):
    enroll(teacher_a, course)
    viewed = make_lesson(course, title="阅读", criterion=CompletionCriterion.VIEWED)
    assert login(lecturer).get(lesson_url(viewed)).status_code == 404
    assert mark(login(lecturer), viewed, [teacher_a]).status_code == 404
    assert completed_users(viewed) == set()


def test_reason_is_required(lecturer, teacher_a, course, lesson):
    enroll(teacher_a, course)
    response = mark(login(lecturer), lesson, [teacher_a], reason="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert completed_users(lesson) == set()


@pytest.mark.parametrize("status", [EnrollmentStatus.PENDING, EnrollmentStatus.WITHDRAWN, None])
def test_teachers_not_learning_cannot_be_marked(lecturer, teacher_a, course, lesson, status):
    if status:
        enroll(teacher_a, course, status=status)
    response = mark(login(lecturer), lesson, [teacher_a])
    assert response.status_code == 200
    assert response.context["form"].errors
    assert completed_users(lesson) == set()
    with pytest.raises(ValidationError):
        lesson_mark_complete(
            lesson=lesson, course=course, teacher_ids=[teacher_a.pk], marked_by=lecturer, reason="x"
        )
    assert completed_users(lesson) == set()


def test_service_refuses_others_and_bad_input(other_lecturer, lecturer, teacher_a, course, lesson):
    enroll(teacher_a, course)
    with pytest.raises(PermissionDenied):
        lesson_mark_complete(
            lesson=lesson,
            course=course,
            teacher_ids=[teacher_a.pk],
            marked_by=other_lecturer,
            reason="x",
        )
    for ids, reason in (([], "理由"), ([teacher_a.pk], ""), ([teacher_a.pk], "长" * 201)):
        with pytest.raises(ValidationError):
            lesson_mark_complete(
                lesson=lesson, course=course, teacher_ids=ids, marked_by=lecturer, reason=reason
            )
    assert completed_users(lesson) == set()
    outcome = lesson_mark_complete(
        lesson=lesson, course=course, teacher_ids=[teacher_a.pk], marked_by=lecturer, reason="到场"
    )
    assert (outcome.marked, outcome.already_complete) == (1, 0)
    outcome = lesson_mark_complete(
        lesson=lesson, course=course, teacher_ids=[teacher_a.pk], marked_by=lecturer, reason="再次"
    )
    assert (outcome.marked, outcome.already_complete) == (0, 1)
    assert LessonProgress.objects.get(user=teacher_a, lesson=lesson).mark_reason == "到场"


def test_csrf_is_required(lecturer, teacher_a, course, lesson):
    enroll(teacher_a, course)
    client = Client(enforce_csrf_checks=True)
    client.force_login(lecturer)
    assert mark(client, lesson, [teacher_a]).status_code == 403
    assert completed_users(lesson) == set()


def test_garbage_input_is_not_a_500(lecturer, teacher_a, course, lesson):
    enroll(teacher_a, course)
    client = login(lecturer)
    response = client.post(lesson_url(lesson), {"teachers": ["abc", "99999999999"], "reason": "x"})
    assert response.status_code == 200
    assert client.get(lesson_url(lesson) + "?p=zz&q=" + "张" * 80).status_code == 200
    assert (
        client.get(reverse("courses_marking:lesson", kwargs={"lesson_id": 99999})).status_code
        == 404
    )
    assert completed_users(lesson) == set()


@pytest.mark.parametrize("teachers", [3, 12])
def test_listing_query_count_is_flat(
    lecturer, course, lesson, teachers, django_assert_max_num_queries
):
    for _ in range(teachers):
        teacher = UserFactory()
        enroll(teacher, course)
    for _ in range(teachers // 3):  # more markable lessons, in more courses
        more = make_course(lessons=0)
        more.lecturers.add(lecturer.lecturer_profile)
        more.save()
        make_lesson(more, criterion=CompletionCriterion.LECTURER)
    first = LessonPage.objects.get(pk=lesson.pk)
    client = login(lecturer)
    with django_assert_max_num_queries(16):  # 5 of them ours, the rest admin chrome
        response = client.get(lesson_url(first))
    assert len(response.context["rows"]) == teachers
    with django_assert_max_num_queries(13):
        response = client.get(INDEX)
    assert len(response.context["items"]) == 1 + teachers // 3
