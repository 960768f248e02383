"""The lesson page: only enrolled, approved teachers and staff see the body; a teacher's visit
is recorded; navigation and a query count that does not grow with the number of lessons."""

import pytest
from django.test import Client

from courses.choices import CompletionCriterion, EnrollmentStatus
from courses.models import Enrollment, LessonPage, LessonProgress
from people import roles
from tests.courses.enrolment_helpers import client_for, t
from tests.factories.cms import paragraph
from tests.factories.courses import enroll, make_course, make_lesson

pytestmark = pytest.mark.django_db

SECRET = "只给已报名教师看的内容"
STAFF_NOTE = "You are viewing this lesson as course staff; nothing is recorded."


def course_with_lessons(count=3, **fields):
    course = make_course(lessons=0, **fields)
    lessons = [
        make_lesson(course, title=f"第{n}课", blocks=[paragraph(f"<p>{SECRET}{n}</p>")])
        for n in range(1, count + 1)
    ]
    return course, lessons


def test_anonymous_goes_to_login():
    _course, lessons = course_with_lessons(1)
    response = Client().get(lessons[0].url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "status", [None, EnrollmentStatus.PENDING, EnrollmentStatus.REJECTED, "withdrawn"]
)
def test_not_learning_is_sent_to_the_course_page(teacher_a, status):
    course, lessons = course_with_lessons(1)
    if status:
        enroll(teacher_a, course, status=status)
    response = client_for(teacher_a).get(lessons[0].url, follow=True)
    assert response.redirect_chain[0] == (course.url, 302)
    html = response.content.decode()
    assert SECRET not in html
    assert t("Lessons open once you are enrolled in the course.") in html
    assert not LessonProgress.objects.exists()


def test_other_schools_teacher_enrolled_elsewhere_is_refused(teacher_a, teacher_b):
    course, lessons = course_with_lessons(1)
    other, _ = course_with_lessons(1)
    enroll(teacher_b, other)
    response = client_for(teacher_b).get(lessons[0].url)
    assert response.status_code == 302 and response["Location"] == course.url


def test_enrolled_teacher_sees_the_lesson_and_the_visit_counts(teacher_a):
    course, (first, second, third) = course_with_lessons(3)
    enroll(teacher_a, course)
    response = client_for(teacher_a).get(second.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{SECRET}2" in html
    assert f'href="{first.url}"' in html and f'href="{third.url}"' in html  # previous / next
    assert f'href="{course.url}"' in html
    assert t("Lesson %(position)s of %(total)s", position=2, total=3) in html
    assert t("You have completed this lesson.") in html
    assert t("Course progress: %(percent)s%%", percent=33) in html
    assert 'class="breadcrumbs"' in html
    progress = LessonProgress.objects.get()
    assert progress.lesson_id == second.pk and progress.status == "completed"
    assert Enrollment.objects.get().progress == 33


def test_lecturer_marked_lesson_says_so_and_viewing_does_not_complete(teacher_a):
    course = make_course(lessons=0)
    lesson = make_lesson(course, criterion=CompletionCriterion.LECTURER)
    enroll(teacher_a, course)
    html = client_for(teacher_a).get(lesson.url).content.decode()
    assert t("Marked complete by the lecturer") in html
    assert t("Waiting for the lecturer to confirm.") in html
    assert LessonProgress.objects.get().status == "started"


def test_staff_see_the_lesson_without_a_record(make_user):
    _course, lessons = course_with_lessons(2)
    for role in (roles.LECTURER, roles.REVIEWER, roles.DISTRICT_ADMIN):
        response = client_for(make_user(role)).get(lessons[0].url)
        assert response.status_code == 200
        assert f"{SECRET}1" in response.content.decode()
        assert t(STAFF_NOTE) in response.content.decode()
    assert not LessonProgress.objects.exists()


def test_school_admin_and_hr_are_not_course_staff(school_admin_a, hr_user):
    course, lessons = course_with_lessons(1)
    for user in (school_admin_a, hr_user):
        response = client_for(user).get(lessons[0].url)
        assert response.status_code == 302 and response["Location"] == course.url


def test_heartbeat_url_only_for_enrolled_teachers(teacher_a, make_user):
    from django.urls import NoReverseMatch, reverse

    course, lessons = course_with_lessons(1)
    enroll(teacher_a, course)
    try:
        url = reverse("courses:lesson_heartbeat", kwargs={"lesson_id": lessons[0].pk})
    except NoReverseMatch:
        pytest.skip("no heartbeat endpoint in this build")
    assert (
        f'data-heartbeat-url="{url}"' in client_for(teacher_a).get(lessons[0].url).content.decode()
    )
    staff_html = client_for(make_user(roles.LECTURER)).get(lessons[0].url).content.decode()
    assert "data-heartbeat-url" not in staff_html


def test_query_count_does_not_grow_with_lessons(teacher_a, django_assert_max_num_queries):
    course, lessons = course_with_lessons(2)
    enroll(teacher_a, course)
    client = client_for(teacher_a)
    counts = []
    for extra in (0, 20):
        for _ in range(extra):
            make_lesson(course)
        client.get(lessons[1].url)
        with django_assert_max_num_queries(31) as captured:  # +1: the header bell
            response = client.get(lessons[1].url)
        assert response.context["lesson_count"] == 2 + extra
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert LessonPage.objects.child_of(course).count() == 22


def test_query_count_does_not_grow_with_h5p_activities(teacher_a, django_assert_max_num_queries):
    from tests.courses.xapi_helpers import make_h5p_lesson, make_package

    counts = []
    for size in (1, 6):
        lesson = make_h5p_lesson(*[make_package() for _ in range(size)])
        enroll(teacher_a, lesson.get_parent().specific)
        client = client_for(teacher_a)
        client.get(lesson.url)
        with django_assert_max_num_queries(31) as captured:  # +1: the header bell
            response = client.get(lesson.url)
        assert response.content.decode().count("data-h5p-player") == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
