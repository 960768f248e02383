"""API tokens: the key is shown once and only its sha256 is stored; district admins alone
create and revoke them (service and admin screens); a revoked token stops working."""

import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from certification.api.services import api_token_create, api_token_revoke
from certification.models import ApiToken
from people import roles

INDEX = reverse("certification_tokens:index")
CREATE = reverse("certification_tokens:create")
API = reverse("api_v1:mentor_readiness")


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_create_stores_only_the_hash(district_admin, school_a):
    issued = api_token_create(name=" A校系统 ", school=school_a, created_by=district_admin)
    token = ApiToken.objects.get()
    prefix, secret = issued.key.split(".")
    assert token.prefix == prefix and len(secret) >= 40
    assert token.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    assert issued.key not in {token.key_hash, token.prefix, token.name}
    assert token.name == "A校系统"
    assert token.school == school_a and token.created_by == district_admin
    assert token.matches(issued.key) and not token.matches(issued.key + "x")


def test_keys_are_unique(district_admin):
    keys = {
        api_token_create(name=f"t{n}", school=None, created_by=district_admin).key for n in range(5)
    }
    assert len(keys) == 5
    assert ApiToken.objects.values("prefix").distinct().count() == 5


@pytest.mark.parametrize("role", [roles.SCHOOL_ADMIN, roles.HR, roles.TEACHER])
def test_only_district_admins_manage_tokens(make_user, school_a, district_admin, role):
    user = make_user(role, school_a)
    with pytest.raises(PermissionDenied):
        api_token_create(name="x", school=school_a, created_by=user)
    token = api_token_create(name="y", school=None, created_by=district_admin).token
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, revoked_by=user)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_twice_keeps_the_first_time(district_admin):
    token = api_token_create(name="y", school=None, created_by=district_admin).token
    first = api_token_revoke(token=token, revoked_by=district_admin).revoked_at
    assert first is not None
    assert api_token_revoke(token=token, revoked_by=district_admin).revoked_at == first


# --- Admin screens -------------------------------------------------------------------------


def test_admin_creates_shows_the_key_once_and_revokes(district_admin, school_a, teacher_a):
    client = client_for(district_admin)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, {"name": "A校导师匹配", "school": school_a.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.name, token.school, token.created_by) == ("A校导师匹配", school_a, district_admin)

    listing = client.get(INDEX)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert token.prefix in page and key not in page
    assert Client().get(API, headers={"Authorization": f"Token {key}"}).status_code == 200

    response = client.post(reverse("certification_tokens:revoke", args=[token.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        _("Revoked the API token “%(name)s”.") % {"name": "A校导师匹配"}
    ]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(API, headers={"Authorization": f"Token {key}"}).status_code == 401


def test_admin_district_wide_token_and_form_errors(district_admin):
    client = client_for(district_admin)
    response = client.post(CREATE, {"name": "", "school": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()
    response = client.post(CREATE, {"name": "区系统", "school": ""})
    assert ApiToken.objects.get().school is None
    assert re.fullmatch(r"[0-9a-f]{8}\.[\w-]+", response.context["key"])


@pytest.mark.parametrize("role", [roles.SCHOOL_ADMIN, roles.HR, roles.LECTURER])
def test_admin_screens_refuse_everyone_else(make_user, school_a, district_admin, role):
    token = api_token_create(name="y", school=None, created_by=district_admin).token
    client = client_for(make_user(role, school_a, is_staff=True))
    assert client.get(INDEX).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "x"}).status_code == 403
    assert client.post(reverse("certification_tokens:revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_revoke_needs_post_and_csrf(district_admin):
    token = api_token_create(name="y", school=None, created_by=district_admin).token
    url = reverse("certification_tokens:revoke", args=[token.pk])
    assert client_for(district_admin).get(url).status_code == 405
    assert client_for(district_admin, enforce_csrf_checks=True).post(url).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("tokens", [2, 30])
def test_index_query_count(district_admin, school_a, tokens, django_assert_max_num_queries):
    for n in range(tokens):
        api_token_create(
            name=f"t{n}", school=school_a if n % 2 else None, created_by=district_admin
        )
    client = client_for(district_admin)
    client.get(INDEX)
    with django_assert_max_num_queries(13):
        response = client.get(INDEX)
    assert len(response.context["tokens"]) == tokens
