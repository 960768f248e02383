"""我的学习 (/me/): groups, progress, next lesson, due dates, empty state, query counts."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from courses.choices import EnrollmentSource, EnrollmentStatus
from courses.models import LessonPage
from courses.selectors.progress import my_learning
from courses.services.completion import course_evaluation_submit, lesson_viewed
from tests.factories.courses import course_index, enroll, make_course

pytestmark = pytest.mark.django_db

URL = "/me/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lessons_of(course):
    return list(LessonPage.objects.child_of(course).order_by("path"))


def test_login_required():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_post_is_refused(teacher_a):
    assert client_for(teacher_a).post(URL).status_code == 405


def test_empty_state_links_to_the_catalog(teacher_a):
    catalog = course_index()
    response = client_for(teacher_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "me-empty" in html
    assert f'href="{catalog.url}"' in html


def test_groups_progress_next_lesson_and_completion(teacher_a):
    today = timezone.localdate()
    started = make_course(lessons=4, title="心理健康教育基础")
    first, second, *_rest = lessons_of(started)
    enroll(teacher_a, started)
    lesson_viewed(user=teacher_a, lesson=first)

    overdue = make_course(lessons=2, title="学生心理危机识别与上报")
    enroll(
        teacher_a,
        overdue,
        source=EnrollmentSource.ASSIGNED,
        due_on=today - datetime.timedelta(days=1),
    )
    pending = make_course(lessons=1, title="生涯指导")
    enroll(teacher_a, pending, status=EnrollmentStatus.PENDING)

    done = make_course(lessons=1, title="家校沟通与家庭教育指导")
    enroll(teacher_a, done)
    lesson_viewed(user=teacher_a, lesson=lessons_of(done)[0])
    course_evaluation_submit(user=teacher_a, course=done, rating=5, comment="很实用")

    withdrawn = make_course(lessons=1, title="已退出的课程")
    enroll(teacher_a, withdrawn, status=EnrollmentStatus.WITHDRAWN)

    learning = my_learning(teacher_a, today=today)
    in_progress = {item.course.pk: item for item in learning.in_progress}
    assert set(in_progress) == {started.pk, overdue.pk}
    assert in_progress[started.pk].percent == 25
    assert in_progress[started.pk].next_lesson.pk == second.pk
    assert in_progress[started.pk].overdue is False
    assert in_progress[overdue.pk].overdue is True
    assert in_progress[overdue.pk].percent == 0
    # A course with a due date comes first.
    assert learning.in_progress[0].course.pk == overdue.pk
    assert [item.course.pk for item in learning.pending] == [pending.pk]
    assert [item.course.pk for item in learning.completed] == [done.pk]
    assert learning.completed[0].percent == 100

    html = client_for(teacher_a).get(URL).content.decode()
    assert "心理健康教育基础" in html and 'value="25"' in html
    assert f'href="{second.url}"' in html
    assert "me-flag" in html  # the 已逾期 badge
    assert "生涯指导" in html and "家校沟通与家庭教育指导" in html
    assert "已退出的课程" not in html
    assert (
        timezone.localtime(learning.completed[0].enrollment.completed_at).strftime("%Y年") in html
    )


def test_all_lessons_done_without_evaluation_asks_for_it(teacher_a):
    course = make_course(lessons=1)
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=lessons_of(course)[0])
    item = my_learning(teacher_a).in_progress[0]
    assert item.percent == 100 and item.next_lesson is None and item.needs_evaluation
    assert f"{course.url}#evaluation" in client_for(teacher_a).get(URL).content.decode()


def test_only_own_courses_are_shown(teacher_a, teacher_b):
    course = make_course(lessons=1, title="别人的课程")
    enroll(teacher_b, course)
    assert my_learning(teacher_a).is_empty
    assert "别人的课程" not in client_for(teacher_a).get(URL).content.decode()


def test_unpublished_lessons_are_not_counted(teacher_a):
    course = make_course(lessons=3)
    lessons_of(course)[2].unpublish()
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=lessons_of(course)[0])
    item = my_learning(teacher_a).in_progress[0]
    assert (item.lessons_done, item.lessons_total, item.percent) == (1, 2, 50)


def _enrol_in(user, courses: int, lessons: int):
    for _ in range(courses):
        course = make_course(lessons=lessons)
        enroll(user, course, due_on=timezone.localdate())
        lesson_viewed(user=user, lesson=lessons_of(course)[0])


@pytest.mark.parametrize("courses,lessons", [(1, 1), (6, 4)])
def test_query_count_does_not_grow(teacher_a, django_assert_max_num_queries, courses, lessons):
    _enrol_in(teacher_a, courses, lessons)
    client = client_for(teacher_a)
    client.get(URL)  # warm the site root paths cache
    # 6 for the page itself (catalog, site, enrolments, lessons, progress, evaluations),
    # 8 for the site chrome (session, user, permissions ×2, menu, school, site settings,
    # unread notifications), 6 for the qualification section (certification.me: status,
    # standard, requirements, required courses, upcoming lectures, lecture series).
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("me-course ") == courses


def test_completed_course_stays_listed_after_it_is_unpublished(teacher_a):
    done = make_course(lessons=1, title="已下线的课程")
    enroll(teacher_a, done)
    lesson_viewed(user=teacher_a, lesson=lessons_of(done)[0])
    course_evaluation_submit(user=teacher_a, course=done, rating=4, comment="好")
    running = make_course(lessons=1, title="下线的进行中课程")
    enroll(teacher_a, running)
    done.unpublish()
    running.unpublish()
    learning = my_learning(teacher_a)
    assert [item.course.pk for item in learning.completed] == [done.pk]
    assert learning.completed[0].url is None and not learning.in_progress
    html = client_for(teacher_a).get(URL).content.decode()
    assert "已下线的课程" in html and "下线的进行中课程" not in html
