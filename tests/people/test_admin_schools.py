"""The schools admin: school admins see their own school read-only, HR all read-only,
district admins manage all — checked by URL, not only by menu."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import School
from tests.factories import SchoolFactory
from tests.people.admin_helpers import assert_denied, listed_ids, login

pytestmark = pytest.mark.django_db


def school_data(school, **overrides) -> dict:
    data = {
        "name": school.name,
        "code": school.code,
        "district": school.district,
        "offers_primary": "on" if school.offers_primary else "",
        "offers_junior": "on" if school.offers_junior else "",
        "offers_senior": "on" if school.offers_senior else "",
        "students_primary": school.students_primary,
        "students_junior": school.students_junior,
        "students_senior": school.students_senior,
        "address": school.address,
        "is_active": "on" if school.is_active else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


# --- school admin ---------------------------------------------------------------------


def test_school_admin_lists_only_own_school(school_admin_a, school_a, school_b):
    response = login(school_admin_a).get("/admin/schools/")
    assert response.status_code == 200
    assert listed_ids(response) == {school_a.pk}
    assert school_b.name not in response.content.decode()


def test_school_admin_search_does_not_reach_other_schools(school_admin_a, school_b):
    response = login(school_admin_a).get("/admin/schools/results/", {"q": school_b.code})
    assert response.status_code == 200
    assert listed_ids(response) == set()


def test_school_admin_inspects_own_school_only(school_admin_a, school_a, school_b):
    client = login(school_admin_a)
    own = client.get(f"/admin/schools/inspect/{school_a.pk}/")
    assert own.status_code == 200
    assert school_a.code in own.content.decode()
    assert f"/admin/schools/edit/{school_a.pk}/" not in own.content.decode()
    assert client.get(f"/admin/schools/inspect/{school_b.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/admin/schools/history/{pk}/", "/admin/schools/usage/{pk}/"])
def test_school_admin_gets_404_for_other_school_history_and_usage(url, school_admin_a, school_b):
    assert login(school_admin_a).get(url.format(pk=school_b.pk)).status_code == 404


@pytest.mark.parametrize("which", ["school_a", "school_b"])
def test_school_admin_cannot_edit_any_school(request, which, school_admin_a):
    school = request.getfixturevalue(which)
    client = login(school_admin_a)
    url = f"/admin/schools/edit/{school.pk}/"
    assert_denied(client.get(url))
    assert_denied(client.post(url, school_data(school, name="改名学校")))
    school.refresh_from_db()
    assert school.name != "改名学校"


def test_school_admin_cannot_add_or_delete_schools(school_admin_a, school_a, school_b):
    client = login(school_admin_a)
    assert_denied(client.post("/admin/schools/new/", school_data(school_a, code="X001")))
    assert not School.objects.filter(code="X001").exists()
    # Own school: permission denied; another school: not found.
    assert_denied(client.post(f"/admin/schools/delete/{school_a.pk}/"))
    assert client.post(f"/admin/schools/delete/{school_b.pk}/").status_code == 404
    assert School.objects.filter(pk__in=[school_a.pk, school_b.pk]).count() == 2


# --- HR ---------------------------------------------------------------------------------


def test_hr_lists_and_inspects_all_schools(hr_user, school_a, school_b):
    client = login(hr_user)
    response = client.get("/admin/schools/")
    assert {school_a.pk, school_b.pk} <= listed_ids(response)
    assert "/admin/schools/new/" not in response.content.decode()
    for school in (school_a, school_b):
        assert client.get(f"/admin/schools/inspect/{school.pk}/").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/schools/new/",
        "/admin/schools/edit/{pk}/",
        "/admin/schools/delete/{pk}/",
        "/admin/schools/history/{pk}/",
        "/admin/schools/usage/{pk}/",
    ],
)
def test_hr_cannot_change_schools(method, url, hr_user, school_b):
    client = login(hr_user)
    data = school_data(school_b, name="人事改名", code="B001" if "edit" in url else "H001")
    response = getattr(client, method)(
        url.format(pk=school_b.pk), data if method == "post" else None
    )
    assert_denied(response)
    school_b.refresh_from_db()
    assert school_b.name == "青浦区第一中学"
    assert not School.objects.filter(code="H001").exists()


# --- district admin -------------------------------------------------------------------


def test_district_admin_adds_edits_and_deletes_schools(district_admin, school_b):
    client = login(district_admin)
    template = SchoolFactory.build(code="C001", name="青浦区新建学校", offers_senior=True)
    created = client.post("/admin/schools/new/", school_data(template))
    assert created.status_code == 302
    new_school = School.objects.get(code="C001")
    assert new_school.stages == ["primary", "senior"]

    edited = client.post(
        f"/admin/schools/edit/{school_b.pk}/", school_data(school_b, students_junior=420)
    )
    assert edited.status_code == 302
    school_b.refresh_from_db()
    assert school_b.students_junior == 420

    deleted = client.post(f"/admin/schools/delete/{new_school.pk}/")
    assert deleted.status_code == 302
    assert not School.objects.filter(code="C001").exists()


def test_school_must_offer_a_stage(district_admin, school_b):
    response = login(district_admin).post(
        f"/admin/schools/edit/{school_b.pk}/",
        school_data(school_b, offers_primary="", offers_junior="", offers_senior=""),
    )
    assert response.status_code == 200
    school_b.refresh_from_db()
    assert school_b.offers_junior


def test_school_index_query_count_does_not_grow(district_admin, django_assert_max_num_queries):
    client = login(district_admin)
    SchoolFactory()
    client.get("/admin/schools/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/schools/")
    SchoolFactory.create_batch(40)
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get("/admin/schools/")
    assert len(response.context["object_list"]) >= 41
    assert len(many) == len(few)
