"""推荐课程 on the home page: the latest live courses with hours and credit, an empty state,
and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.home import HOME_COURSE_LIMIT, home_courses_context
from tests.factories.courses import course_index, make_course

pytestmark = pytest.mark.django_db


def test_empty_state_when_no_course(client):
    course_index()
    html = client.get("/").content.decode()
    assert 'id="home-courses-title"' in html
    assert "empty-state" in html.split('id="home-courses-title"')[1].split("</section>")[0]


def test_latest_live_courses_with_hours_and_credit(client):
    made = [make_course(lessons=0, title=f"课程{n}", hours=4, credit_points=0.5) for n in range(6)]
    draft = make_course(lessons=0, title="草稿课程")
    draft.unpublish()
    context = home_courses_context(None, None)
    shown = [course.pk for course in context["home_courses"]]
    assert len(shown) == HOME_COURSE_LIMIT
    assert shown == [course.pk for course in reversed(made)][:HOME_COURSE_LIMIT]
    html = client.get("/").content.decode()
    section = html.split('id="home-courses-title"')[1].split("</section>")[0]
    assert "课程5" in section and "课程0" not in section and "草稿课程" not in section
    assert f'href="{course_index().url}"' in section
    assert '<p class="meta">4 ' in section and " 0.5 " in section  # 学时 and 学分


@pytest.mark.parametrize("count", [1, 6])
def test_section_queries_are_fixed(count):
    for n in range(count):
        make_course(lessons=1, title=f"课程{n}")
    with CaptureQueriesContext(connection) as captured:
        context = home_courses_context(None, None)
        [course.stage_labels for course in context["home_courses"]]
        [course.topic for course in context["home_courses"]]
    assert len(captured) == 2
