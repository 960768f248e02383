"""The course overview: facts, lessons with the reader's status, the enrolment box by state,
the evaluation form, and a query count that does not grow with the number of lessons."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from courses.choices import CompletionCriterion, EnrollmentStatus, EnrolmentMode
from courses.models import CourseEvaluation, LessonPage
from courses.selectors.enrolment import course_window_error
from courses.services.completion import lesson_viewed
from people import roles
from people.models import LecturerProfile
from tests.courses.enrolment_helpers import client_for, t
from tests.factories.courses import enroll, make_course, make_lesson

pytestmark = pytest.mark.django_db


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).order_by("path"))


def test_anonymous_goes_to_login():
    course = make_course()
    response = Client().get(course.url)
    assert response.status_code == 302 and "/accounts/login/?next=" in response["Location"]


def test_overview_shows_facts_lessons_and_lecturers(teacher_a):
    lecturer = LecturerProfile.objects.create(full_name="刘讲师", title="区心理教研员")
    course = make_course(lessons=0, title="情绪辅导", capacity=20, hours=6, code="QP-XL-01")
    course.lecturers.set([lecturer])
    course.save_revision().publish()
    make_lesson(course, title="认识情绪", estimated_minutes=20)
    make_lesson(course, title="讲师点评", criterion=CompletionCriterion.LECTURER)
    enroll(teacher_a.__class__.objects.create(staff_no="X1", full_name="某"), course)
    response = client_for(teacher_a).get(course.url)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("QP-XL-01", "刘讲师", "区心理教研员", "认识情绪"):
        assert text in html
    assert t("%(minutes)s min", minutes=20) in html
    assert t("%(left)s of %(total)s left", left=19, total=20) in html
    assert t("Marked complete by the lecturer") in html
    # Not enrolled: lesson titles without links, and the enrol button.
    assert 'href="' + lessons_of(course)[0].url not in html
    assert response.context["box"].state == "can_enrol"
    assert f'action="/courses/{course.pk}/enrol/"' in html


def test_enrolled_teacher_sees_links_progress_and_continue(teacher_a):
    course = make_course(lessons=3)
    due = timezone.localdate() + timedelta(days=10)
    enroll(teacher_a, course, due_on=due)
    first, second, _third = lessons_of(course)
    lesson_viewed(user=teacher_a, lesson=first)
    response = client_for(teacher_a).get(course.url)
    html = response.content.decode()
    assert response.context["box"].state == "enrolled"
    assert response.context["next_lesson"].pk == second.pk
    assert f'href="{second.url}"' in html
    assert t("Continue learning") in html
    assert 'value="33"' in html  # progress bar
    assert due.strftime("%Y-%m-%d") in html
    assert t("Leave course") in html and "data-confirm" in html
    rows = response.context["lessons"]
    assert [row["done"] for row in rows] == [True, False, False]


@pytest.mark.parametrize(
    ("setup", "state", "text"),
    [
        (
            "pending",
            "pending",
            "Your enrolment request is waiting for your school administrator's approval.",
        ),
        (
            "rejected",
            "rejected",
            "Your enrolment request was declined. "
            "Ask your school administrator if you think this is a mistake.",
        ),
        (
            "assigned",
            "assigned_only",
            "This course is assigned by your school; you cannot enrol in it yourself.",
        ),
        ("closed", "closed", None),
        ("not_open", "not_open", None),
        ("full", "full", "This course is full."),
        ("prerequisite", "missing_prerequisites", "Complete these courses before enrolling:"),
    ],
)
def test_enrolment_box_states(teacher_a, make_user, school_a, setup, state, text):
    now = timezone.now()
    fields = {
        "assigned": {"enrolment_mode": EnrolmentMode.ASSIGNED},
        "closed": {
            "enrol_closes": now - timedelta(hours=1),
            "enrol_opens": now - timedelta(days=2),
        },
        "not_open": {"enrol_opens": now + timedelta(days=1)},
        "full": {"capacity": 1},
    }.get(setup, {})
    course = make_course(
        enrolment_mode=fields.pop("enrolment_mode", EnrolmentMode.APPROVAL), **fields
    )
    if setup in ("pending", "rejected"):
        enroll(teacher_a, course, status=setup)
    if setup == "full":
        enroll(make_user(roles.TEACHER, school_a), course, status=EnrollmentStatus.PENDING)
    if setup == "prerequisite":
        course.prerequisites.set([make_course(title="基础课")])
        course.save_revision().publish()
    response = client_for(teacher_a).get(course.url)
    assert response.context["box"].state == state
    html = response.content.decode()
    expected = t(text) if text else escape(course_window_error(course))
    assert expected in html
    if setup == "prerequisite":
        assert "《基础课》" in html
    assert "/enrol/" not in html
    assert (t("Withdraw request") in html) == (setup == "pending")


def test_prerequisites_show_the_readers_completion(teacher_a):
    basics = make_course(title="基础课")
    ethics = make_course(title="师德课")
    course = make_course()
    course.prerequisites.set([basics, ethics])
    course.save_revision().publish()
    enroll(teacher_a, basics, status=EnrollmentStatus.COMPLETED)
    response = client_for(teacher_a).get(course.url)
    rows = {row["course"].title: row["done"] for row in response.context["prerequisites"]}
    assert rows == {"基础课": True, "师德课": False}
    assert response.context["box"].missing[0].title == "师德课"


def test_evaluation_form_only_when_all_lessons_done_then_thanks(teacher_a):
    course = make_course(lessons=2)
    enroll(teacher_a, course)
    client = client_for(teacher_a)
    assert 'name="rating"' not in client.get(course.url).content.decode()
    for lesson in lessons_of(course):
        lesson_viewed(user=teacher_a, lesson=lesson)
    html = client.get(course.url).content.decode()
    assert 'name="rating"' in html and 'type="radio"' in html and 'name="comment"' in html
    assert t("Leave course") in html  # still possible before completion

    CourseEvaluation.objects.create(user=teacher_a, course=course, rating=4, comment="好")
    html = client.get(course.url).content.decode()
    assert 'name="rating"' not in html
    assert t("Thank you for your evaluation (%(rating)s of 5).", rating=4) in html


def test_completed_course_shows_completion_and_no_withdraw(teacher_a):
    course = make_course(lessons=1)
    enroll(teacher_a, course, status=EnrollmentStatus.COMPLETED, completed_at=timezone.now())
    response = client_for(teacher_a).get(course.url)
    html = response.content.decode()
    assert response.context["box"].state == "completed"
    assert t("You completed this course on %(date)s.", date=timezone.localdate()) in html
    assert t("Leave course") not in html


def test_course_staff_see_lesson_links_without_enrolling(make_user):
    lecturer = make_user(roles.LECTURER)
    course = make_course(lessons=1)
    html = client_for(lecturer).get(course.url).content.decode()
    assert f'href="{lessons_of(course)[0].url}"' in html


def test_query_count_does_not_grow_with_lessons(teacher_a, django_assert_max_num_queries):
    prerequisite = make_course(lessons=0, title="基础课")
    course = make_course(lessons=2, capacity=30)
    course.prerequisites.set([prerequisite])
    course.lecturers.set([LecturerProfile.objects.create(full_name="刘讲师")])
    course.save_revision().publish()
    enroll(teacher_a, course)
    client = client_for(teacher_a)
    counts = []
    for extra in (0, 20):
        for _ in range(extra):
            make_lesson(course)
        lesson_viewed(user=teacher_a, lesson=lessons_of(course)[0])
        client.get(course.url)
        with django_assert_max_num_queries(25) as captured:  # +1: the header bell
            response = client.get(course.url)
        assert len(response.context["lessons"]) == 2 + extra
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
