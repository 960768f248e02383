"""The qualification section of /me/: state badge, dates, a bar per requirement, links to
the courses and lectures that close each gap; constant queries; only the viewer's status."""

import datetime
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models.qualification import QualificationState
from certification.services.qualification import qualification_recompute
from people import roles
from tests.factories.certification import award
from tests.factories.courses import make_course
from tests.factories.lectures import make_lecture
from tests.factories.qualification import (
    course_credit,
    course_req,
    hours_req,
    lectures_req,
    only_standard,
)

URL = "/me/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, staff_no="T400", stage="primary")
    done = make_course(lessons=0, title="心理健康教育基础", code="QP-ME-01")
    todo = make_course(lessons=0, title="家校沟通与家庭教育指导", code="QP-ME-02")
    only_standard(
        "mentor",
        name="导师上岗资格",
        requirements=[
            course_req(done, code="mh", label="心理健康教育基础"),
            course_req(todo, code="hs", label="家校沟通与家庭教育指导"),
            lectures_req(2, window=12, code="lectures", label="月度专题讲座"),
        ],
    )
    award(teacher, **course_credit(done, awarded_on=timezone.localdate()))
    qualification_recompute()
    return teacher, done, todo


def test_in_progress_shows_bars_and_the_links_that_close_each_gap(setup):
    teacher, _done, todo = setup
    lecture = make_lecture(title="三月专题讲座：倾听的力量", starts_in=timedelta(days=5))
    html = client_for(teacher).get(URL).content.decode()
    assert "导师上岗资格" in html
    assert str(QualificationState.IN_PROGRESS.label) in html
    assert html.count('class="card qual-req') == 3
    assert html.count('class="card qual-req is-met"') == 1
    assert f'href="{todo.url}"' in html  # the missing course
    assert f'href="{lecture.url}"' in html  # an upcoming lecture for the lectures gap
    assert _("Upcoming lectures:") in html


def test_qualified_shows_the_dates(setup):
    teacher, _done, todo = setup
    award(teacher, **course_credit(todo, awarded_on=datetime.date(2026, 3, 5)))
    for number in range(2):
        award(
            teacher,
            source="lecture",
            source_ref=f"l{number}",
            hours="2",
            awarded_on=timezone.localdate(),
        )
    qualification_recompute()
    html = client_for(teacher).get(URL).content.decode()
    assert str(QualificationState.QUALIFIED.label) in html
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in html
    assert html.count('class="card qual-req is-met"') == 3
    assert f'href="{todo.url}"' not in html


def test_before_the_first_computation_the_standard_shows_with_nothing_earned(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, staff_no="T401", stage="primary")
    course = make_course(lessons=0, title="青春期教育", code="QP-ME-03")
    only_standard(
        "mentor", name="导师上岗资格", requirements=[course_req(course, label="青春期教育")]
    )
    html = client_for(teacher).get(URL).content.decode()
    assert str(QualificationState.NOT_STARTED.label) in html
    assert f'href="{course.url}"' in html


def test_hours_gap_links_courses_of_that_category(make_user, school_a):
    from tests.factories.courses import topic

    teacher = make_user(roles.TEACHER, school_a, staff_no="T402", stage="primary")
    mentor_topic = topic(name="导师工作", slug="mentor-work", is_mentor_topic=True)
    course = make_course(lessons=0, title="导师谈心谈话技巧", topic=mentor_topic)
    other = make_course(lessons=0, title="作业设计")
    only_standard(
        "mentor", requirements=[hours_req("mentor", 4, code="mentor", label="导师培训学时")]
    )
    html = client_for(teacher).get(URL).content.decode()
    assert f'href="{course.url}"' in html
    assert f'href="{other.url}"' not in html


def test_a_stage_outside_the_standard_shows_no_section(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, staff_no="T403", stage="primary")
    only_standard("mentor", name="高中导师资格", stages=["senior"], requirements=[lectures_req(1)])
    html = client_for(teacher).get(URL).content.decode()
    assert "高中导师资格" not in html


def test_only_the_viewers_status(setup, make_user, school_a):
    _teacher, _done, _todo = setup
    other = make_user(roles.TEACHER, school_a, staff_no="T404", stage="primary")
    html = client_for(other).get(URL).content.decode()
    assert str(QualificationState.NOT_STARTED.label) in html
    assert 'class="card qual-req is-met"' not in html


@pytest.mark.parametrize("lectures", [1, 6])
def test_query_count_does_not_grow(setup, django_assert_max_num_queries, lectures):
    teacher, *_rest = setup
    for number in range(lectures):
        make_lecture(title=f"讲座{number}", starts_in=timedelta(days=3 + number))
    client = client_for(teacher)
    client.get(URL)  # warm the site root paths cache
    # 14 for /me/ without courses (see tests/courses/test_me.py) + 6 for this section.
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    assert response.status_code == 200


def test_staff_without_a_school_see_no_section(db):
    from tests.factories import UserFactory

    district_staff = UserFactory(staff_no="D900", school=None, stage="")
    html = client_for(district_staff).get(URL).content.decode()
    assert 'id="me-qualification"' not in html


@pytest.mark.parametrize("courses", [1, 6])
def test_query_count_without_a_status_and_with_an_hours_gap(
    make_user, school_a, django_assert_max_num_queries, courses
):
    from tests.factories.courses import topic

    teacher = make_user(roles.TEACHER, school_a, staff_no="T405", stage="primary")
    mentor_topic = topic(name="导师工作", slug="mentor-work", is_mentor_topic=True)
    required = make_course(lessons=0, code="QP-ME-09")
    for number in range(courses):
        make_course(lessons=0, title=f"导师课程{number}", topic=mentor_topic)
    only_standard(
        "mentor",
        requirements=[course_req(required), hours_req("mentor", 4), lectures_req(2, window=12)],
    )
    client = client_for(teacher)
    client.get(URL)  # warm the site root paths cache
    # 14 for /me/ without courses + at most 6 for this section (no status yet: 3 to find
    # the standard, then courses, upcoming lectures and the lecture series).
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    html = response.content.decode()
    assert f'href="{required.url}"' in html
    assert html.count("导师课程") == min(courses, 3)
