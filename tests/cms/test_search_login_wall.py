"""Pages behind the login wall (courses, lectures, cases) stay out of the site search and its
autocomplete for anonymous visitors, and are found by signed-in staff."""

import pytest
from django.urls import reverse

from tests.factories.casebank import case_index, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(db):
    return make_case(parent=case_index(), title="被窝里的手机", summary="深夜刷手机的初二学生")


def _titles(response):
    return [item["page"].title for item in response.context["results"]]


def test_anonymous_search_leaves_out_cases(client, case):
    response = client.get(reverse("search"), {"q": "被窝"})
    assert response.status_code == 200
    assert "被窝里的手机" not in _titles(response)
    assert "casebank.casepage" not in dict(response.context["type_choices"])
    assert "courses.coursepage" not in dict(response.context["type_choices"])


def test_anonymous_autocomplete_leaves_out_cases(client, case):
    response = client.get(reverse("search_autocomplete"), {"q": "被窝"})
    assert response.json() == []


def test_signed_in_staff_find_cases(client, case, teacher_a):
    client.force_login(teacher_a)
    response = client.get(reverse("search"), {"q": "被窝"})
    assert "被窝里的手机" in _titles(response)
    assert "casebank.casepage" in dict(response.context["type_choices"])
    assert client.get(reverse("search_autocomplete"), {"q": "被窝"}).json() == ["被窝里的手机"]
