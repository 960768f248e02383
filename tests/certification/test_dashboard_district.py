"""District dashboard: district admins and HR only, every active school's coverage and
qualification rate, sorted by the server on any column, an inline SVG chart, and the same
number of queries for few and many schools."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from certification.models.qualification import QualificationState
from people import roles
from people.models import School, Stage
from tests.factories import SchoolFactory

from .readiness_helpers import bulk_teachers

S = QualificationState
URL = reverse("certification_dashboards:district")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def only_test_schools(prefix):
    """The admin fixtures' users come with a factory school of their own; keep it off the
    table so the rows are exactly the test's."""
    School.objects.exclude(code__startswith=prefix).update(is_active=False)


@pytest.fixture
def schools(district_admin, hr_user):
    only_test_schools("Q")
    small = SchoolFactory(code="Q001", name="青浦区甲小学", students_primary=30)
    big = SchoolFactory(
        code="Q002",
        name="青浦区乙中学",
        offers_primary=False,
        offers_junior=True,
        students_primary=0,
        students_junior=150,
    )
    empty = SchoolFactory(code="Q003", name="青浦区丙小学", students_primary=0)
    bulk_teachers(small, 2, state=S.QUALIFIED)
    bulk_teachers(small, 2, state=S.IN_PROGRESS)
    bulk_teachers(big, 3, stage=Stage.JUNIOR, state=S.EXPIRING)
    bulk_teachers(big, 1, stage=Stage.JUNIOR, state=S.EXPIRED)
    return small, big, empty


def codes(response):
    return [row.code for row in response.context["rows"]]


def test_district_admin_and_hr_see_every_school(schools, district_admin, hr_user):
    for user in (district_admin, hr_user):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        assert codes(response) == ["Q001", "Q002", "Q003"]
    rows = {row.code: row for row in response.context["rows"]}
    assert (rows["Q001"].qualification_rate, rows["Q001"].coverage_percent) == (50, 100)
    assert (rows["Q002"].qualified, rows["Q002"].needed, rows["Q002"].coverage_percent) == (
        3,
        7,
        30,
    )
    assert response.context["totals"] == {
        "teachers": 8,
        "qualified": 5,
        "students": 180,
        "needed": 7,
    }


@pytest.mark.parametrize("role", [roles.SCHOOL_ADMIN, roles.LECTURER, roles.REVIEWER])
def test_others_are_refused(schools, make_user, role):
    user = make_user(role, schools[0], is_staff=True)
    assert client_for(user).get(URL).status_code == 403


def test_teachers_never_reach_it(schools, make_user):
    teacher = make_user(roles.TEACHER, schools[0])
    response = client_for(teacher).get(URL)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["Q001", "Q002", "Q003"]),
        ("-code", ["Q003", "Q002", "Q001"]),
        ("name", None),  # by code point of the Chinese names, worked out below
        ("-teachers", ["Q001", "Q002", "Q003"]),
        ("teachers", ["Q003", "Q001", "Q002"]),
        ("-qualified", ["Q002", "Q001", "Q003"]),
        ("rate", ["Q003", "Q001", "Q002"]),
        ("-students", ["Q002", "Q001", "Q003"]),
        ("coverage", ["Q002", "Q001", "Q003"]),
        ("-needed", ["Q002", "Q001", "Q003"]),
        ("nonsense", ["Q001", "Q002", "Q003"]),
        ("-", ["Q001", "Q002", "Q003"]),
    ],
)
def test_sort_by_any_column(schools, district_admin, sort, expected):
    if sort == "name":
        expected = [
            code for _name, code in sorted((school.name, school.code) for school in schools)
        ]
    response = client_for(district_admin).get(URL, {"sort": sort})
    assert response.status_code == 200
    assert codes(response) == expected


def test_header_links_toggle_direction(schools, district_admin):
    response = client_for(district_admin).get(URL, {"sort": "coverage"})
    headers = {header["label"]: header for header in response.context["headers"]}
    coverage = [header for header in response.context["headers"] if header["sorted"] != "none"]
    assert len(coverage) == 1
    assert coverage[0]["sorted"] == "ascending"
    assert coverage[0]["url"] == "?sort=-coverage"
    assert headers  # every column has a link
    page = response.content.decode()
    assert 'aria-sort="ascending"' in page


def test_svg_chart_has_a_bar_per_school(schools, district_admin):
    page = client_for(district_admin).get(URL).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert page.count("<g>") == 3
    widths = re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)" height="\d+" fill="#1c7b3c"', page)
    assert [float(width) for width in widths] == [300.0, 90.0, 300.0]


@pytest.mark.parametrize("extra_schools", [2, 25])
def test_query_count_does_not_grow(
    db, district_admin, extra_schools, django_assert_max_num_queries
):
    only_test_schools("Z")
    for index in range(extra_schools):
        school = SchoolFactory(code=f"Z{index:03d}", students_primary=40)
        bulk_teachers(school, 3, state=S.QUALIFIED)
        bulk_teachers(school, 2, state=S.IN_PROGRESS)
    client = client_for(district_admin)
    client.get(URL)
    # 15: the teacher group's id is read first, so PostgreSQL plans the district counts
    # for the group's real size (coverage.teacher_group_id).
    with django_assert_max_num_queries(15):
        response = client.get(URL, {"sort": "-rate"})
    assert len(response.context["rows"]) == extra_schools
