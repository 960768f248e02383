"""近期讲座 on the home page: the next live lectures soonest first, an empty state, and a fixed
number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.lecture_home import HOME_LECTURE_LIMIT, home_lectures_context
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = pytest.mark.django_db


def home_section(client) -> str:
    html = client.get("/").content.decode()
    return html.split('id="home-lectures-title"', 1)[1].split("</section>", 1)[0]


def test_empty_state_costs_one_query(client):
    lecture_series()
    make_lecture(starts_in=-timedelta(days=3), title="已结束讲座")
    assert "empty-state" in home_section(client)
    with CaptureQueriesContext(connection) as captured:
        assert home_lectures_context(None, None)["home_lectures"] == []
    assert len(captured) == 1


def test_next_lectures_soonest_first(client):
    later = make_lecture(starts_in=timedelta(days=9), title="九天后讲座")
    soon = make_lecture(starts_in=timedelta(days=1), title="明天讲座")
    make_lecture(starts_in=-timedelta(days=2), title="已结束讲座")
    for n in range(HOME_LECTURE_LIMIT):
        make_lecture(starts_in=timedelta(days=20 + n), title=f"远期讲座{n}")
    draft = make_lecture(starts_in=timedelta(hours=5), title="草稿讲座")
    draft.unpublish()
    shown = [lecture.pk for lecture in home_lectures_context(None, None)["home_lectures"]]
    assert shown[:2] == [soon.pk, later.pk] and len(shown) == HOME_LECTURE_LIMIT
    section = home_section(client)
    assert section.index("明天讲座") < section.index("九天后讲座")
    assert "已结束讲座" not in section and "草稿讲座" not in section
    assert f'href="{lecture_series().url}"' in section


@pytest.mark.parametrize("count", [1, 6])
def test_section_queries_are_fixed(count):
    for n in range(count):
        make_lecture(starts_in=timedelta(days=n + 1))
    with CaptureQueriesContext(connection) as captured:
        context = home_lectures_context(None, None)
        [lecture.topic for lecture in context["home_lectures"]]
        [lecture.credit_hours for lecture in context["home_lectures"]]
    assert len(captured) == 2
