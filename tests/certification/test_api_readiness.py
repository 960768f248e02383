"""GET /api/v1/mentor-readiness/: token only (no token, bad, revoked → 401; a session is not
enough), school scoping (another school's token → 403), read-only, filters, pagination,
the DESIGN §7 item shape, constant queries, throttling, and the OpenAPI schema."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.api.services import api_token_create, api_token_revoke
from certification.api.throttling import ApiTokenRateThrottle
from certification.models.qualification import QualificationState
from people.models import Stage

from .readiness_helpers import bulk_teachers, missing_item, status_for

URL = "/api/v1/mentor-readiness/"
S = QualificationState


@pytest.fixture
def district_key(district_admin):
    return api_token_create(name="区导师匹配系统", school=None, created_by=district_admin).key


@pytest.fixture
def school_a_key(district_admin, school_a):
    return api_token_create(name="A校导师匹配", school=school_a, created_by=district_admin).key


def get(key=None, keyword="Token", client=None, **params):
    client = client or Client()
    headers = {"Authorization": f"{keyword} {key}"} if key else {}
    return client.get(URL, params, headers=headers)


@pytest.fixture
def statuses(teacher_a, teacher_b):
    qualified = status_for(
        teacher_a,
        S.QUALIFIED,
        qualified_on=datetime.date(2026, 5, 4),
        expires_on=datetime.date(2029, 5, 4),
    )
    missing = [missing_item(have=2, need=4), missing_item("lectures", "专题讲座", 1, 2)]
    in_progress = status_for(teacher_b, S.IN_PROGRESS, missing=missing, progress=40)
    return qualified, in_progress


def test_url_is_the_contract():
    assert reverse("api_v1:mentor_readiness") == URL
    assert reverse("api_v1:schema") == "/api/v1/schema/"


def test_no_token_is_401_with_a_json_message(statuses):
    response = get()
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": _("An API token is required: send the header “Authorization: Token <key>”.")
    }
    assert response["WWW-Authenticate"] == "Token"


def test_a_signed_in_session_is_not_enough(statuses, district_admin):
    client = Client()
    client.force_login(district_admin)
    assert get(client=client).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token", "Token nodot", "Token abcdefgh.wrong", "Basic dXNlcjpwYXNz", "Token a b"],
)
def test_bad_tokens_are_refused(statuses, district_key, header):
    response = Client().get(URL, headers={"Authorization": header})
    assert response.status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused(statuses, district_key):
    prefix = district_key.split(".")[0]
    response = get(f"{prefix}.not-the-secret")
    assert response.status_code == 401
    assert response.json() == {"detail": _("Invalid API token.")}


def test_revoked_token_is_refused(statuses, district_admin, district_key):
    from certification.models import ApiToken

    assert get(district_key).status_code == 200
    api_token_revoke(token=ApiToken.objects.get(), revoked_by=district_admin)
    response = get(district_key)
    assert response.status_code == 401
    assert response.json() == {"detail": _("This API token has been revoked.")}


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token"])
def test_district_token_reads_every_school(statuses, district_key, keyword):
    response = get(district_key, keyword=keyword)
    assert response.status_code == 200
    assert [item["staff_no"] for item in response.json()["results"]] == ["TA01", "TB01"]


def test_items_have_exactly_the_contract_fields(statuses, district_key):
    body = get(district_key).json()
    assert set(body) == {"count", "next", "previous", "results"}
    qualified, in_progress = body["results"]
    assert qualified == {
        "staff_no": "TA01",
        "full_name": "张老师",
        "school": "A001",
        "stage": "primary",
        "state": "qualified",
        "qualified_on": "2026-05-04",
        "expires_on": "2029-05-04",
        "missing": [],
    }
    assert in_progress["school"] == "B001"
    assert in_progress["state"] == "in_progress"
    assert in_progress["qualified_on"] is None
    assert in_progress["missing"] == [
        {"code": "mental-health", "label": "心理健康教育基础", "have": 2, "need": 4},
        {"code": "lectures", "label": "专题讲座", "have": 1, "need": 2},
    ]


def test_school_token_sees_only_its_school(statuses, school_a_key):
    body = get(school_a_key).json()
    assert [item["school"] for item in body["results"]] == ["A001"]
    assert get(school_a_key, school="A001").status_code == 200


def test_school_token_asking_for_another_school_is_403(statuses, school_a_key):
    response = get(school_a_key, school="B001")
    assert response.status_code == 403
    assert response.json() == {
        "detail": _("This token reads only school %(code)s.") % {"code": "A001"}
    }
    assert get(school_a_key, school="NOPE").status_code == 403


def test_district_token_filters(statuses, district_key, school_b, teacher_a):
    def staff(**params):
        response = get(district_key, **params)
        assert response.status_code == 200, response.content
        return [item["staff_no"] for item in response.json()["results"]]

    assert staff(school="B001") == ["TB01"]
    assert staff(state="qualified") == ["TA01"]
    assert staff(stage="primary") == ["TA01", "TB01"]
    assert staff(stage="junior") == []
    assert staff(school="A001", state="in_progress") == []


def test_changed_since(statuses, district_key):
    qualified, _in_progress = statuses
    earlier = timezone.now() - datetime.timedelta(days=3)
    type(qualified).objects.filter(pk=qualified.pk).update(changed_at=earlier)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    body = get(district_key, changed_since=since).json()
    assert [item["staff_no"] for item in body["results"]] == ["TB01"]
    # A naive date-time is read in Asia/Shanghai; a plain date means its midnight.
    assert get(district_key, changed_since="2000-01-01").json()["count"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "ready"}, "state"),
        ({"stage": "college"}, "stage"),
        ({"changed_since": "yesterday"}, "changed_since"),
        ({"school": "NOPE"}, "school"),
    ],
)
def test_bad_filters_are_400_naming_the_field(statuses, district_key, params, field):
    response = get(district_key, **params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_methods_are_refused(statuses, district_key, method):
    response = getattr(Client(), method)(
        URL,
        data={},
        content_type="application/json",
        headers={"Authorization": f"Token {district_key}"},
    )
    assert response.status_code == 405


def test_write_methods_without_token_are_401(statuses):
    assert Client().post(URL, data={}).status_code == 401


def test_pagination(school_a, district_key):
    bulk_teachers(school_a, 7, state=S.QUALIFIED)
    first = get(district_key, page_size=3).json()
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = get(district_key, page_size=3, page=3).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    seen = [
        item["staff_no"]
        for page in (1, 2, 3)
        for item in get(district_key, page_size=3, page=page).json()["results"]
    ]
    assert len(set(seen)) == 7 and seen == sorted(seen)
    assert get(district_key, page=9).status_code == 404


def test_page_size_is_capped_at_200(school_a, district_key):
    bulk_teachers(school_a, 205, state=S.IN_PROGRESS)
    body = get(district_key, page_size=1000).json()
    assert body["count"] == 205
    assert len(body["results"]) == 200


def test_inactive_teachers_are_not_listed(school_a, district_key):
    bulk_teachers(school_a, 2, state=S.QUALIFIED)
    bulk_teachers(school_a, 1, state=S.QUALIFIED, is_active=False)
    assert get(district_key).json()["count"] == 2


@pytest.mark.parametrize("teachers", [3, 60])
def test_constant_queries(
    school_a, school_b, district_key, teachers, django_assert_max_num_queries
):
    bulk_teachers(school_a, teachers, state=S.IN_PROGRESS)
    bulk_teachers(school_b, teachers, stage=Stage.JUNIOR, state=S.QUALIFIED)
    get(district_key)  # the first request stamps last_used_at
    # token, count, rows (+ the school looked up by code)
    with django_assert_max_num_queries(4):
        response = get(district_key, school="A001", page_size=200)
    assert response.json()["count"] == teachers


def test_last_used_at_is_recorded(statuses, district_key):
    from certification.models import ApiToken

    assert ApiToken.objects.get().last_used_at is None
    get(district_key)
    assert ApiToken.objects.get().last_used_at is not None


def test_throttled_per_token(statuses, district_key, school_a_key, monkeypatch):
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "2/minute"})
    assert get(district_key).status_code == 200
    assert get(district_key).status_code == 200
    assert get(district_key).status_code == 429
    assert get(school_a_key).status_code == 200  # another token has its own budget


def test_schema_is_public_limited_to_api_v1_and_valid(db):
    from drf_spectacular.validation import validate_schema

    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert set(schema["paths"]) == {"/api/v1/mentor-readiness/"}
    operation = schema["paths"]["/api/v1/mentor-readiness/"]["get"]
    assert set(operation) >= {"parameters", "responses", "security"}
    assert {param["name"] for param in operation["parameters"]} == {
        "school",
        "stage",
        "state",
        "changed_since",
        "page",
        "page_size",
    }
    item = schema["components"]["schemas"]["MentorReadiness"]
    assert list(item["properties"]) == [
        "staff_no",
        "full_name",
        "school",
        "stage",
        "state",
        "qualified_on",
        "expires_on",
        "missing",
    ]
    assert schema["components"]["securitySchemes"]["ApiToken"]["in"] == "header"


def test_wagtail_admin_page_api_still_works_with_a_session(district_admin):
    """Our token-only rules are on our view, not DRF's defaults: Wagtail's page explorer
    (its own DRF API, session-authenticated) keeps working."""
    client = Client()
    client.force_login(district_admin)
    response = client.get("/admin/api/main/pages/", {"child_of": "root", "for_explorer": "1"})
    assert response.status_code == 200
    assert "items" in response.json()
