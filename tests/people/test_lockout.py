"""Login lockout (django-axes + people.lockout): per account, per IP, and the admin unlock."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from people import roles
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
UNLOCKS = "/admin/login-lockouts/"


@pytest.fixture
def axes_enabled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 12
    yield
    AccessAttempt.objects.all().delete()


def login(staff_no, password, ip="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"username": staff_no, "password": password})


def fail(staff_no, times, ip="10.0.0.1"):
    for _ in range(times):
        _client, response = login(staff_no, "wrong-Password-1", ip=ip)
        assert response.status_code in (200, 429)


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(axes_enabled, teacher_a):
    fail("TA01", 4)
    client, response = login("TA01", PASSWORD)
    assert response.status_code == 302  # four failures: still allowed (and reset on success)
    fail("TA01", 5)
    client, response = login("TA01", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "登录已暂时锁定" in response.content.decode()
    # Locked from another address too: the limit is per account.
    _client, elsewhere = login("TA01", PASSWORD, ip="10.9.9.9")
    assert elsewhere.status_code == 429


def test_one_teachers_typos_do_not_lock_the_school_address(
    axes_enabled, teacher_a, make_user, school_a
):
    make_user(roles.TEACHER, school_a, staff_no="TA02")
    fail("TA01", 5, ip="10.0.0.1")
    _client, response = login("TA02", PASSWORD, ip="10.0.0.1")
    assert response.status_code == 302


def test_many_failures_from_one_address_lock_that_address(
    axes_enabled, teacher_a, make_user, school_a
):
    make_user(roles.TEACHER, school_a, staff_no="TA02")
    for n in range(12):  # password spraying: few tries per account, many accounts
        fail(f"X{n:03d}", 1, ip="10.0.0.66")
    _client, response = login("TA02", PASSWORD, ip="10.0.0.66")
    assert response.status_code == 429
    _client, other_ip = login("TA02", PASSWORD, ip="10.0.0.1")
    assert other_ip.status_code == 302


def test_district_admin_sees_and_unlocks_an_account(axes_enabled, teacher_a, district_admin):
    fail("TA01", 5)
    admin = Client()
    admin.force_login(district_admin)
    listing = admin.get(UNLOCKS)
    assert listing.status_code == 200
    assert "<code>TA01</code>" in listing.content.decode()
    response = admin.post(UNLOCKS + "unlock/", {"kind": "account", "key": "TA01"})
    assert response.status_code == 302
    _client, login_response = login("TA01", PASSWORD)
    assert login_response.status_code == 302
    assert "<code>TA01</code>" not in admin.get(UNLOCKS).content.decode()


def test_district_admin_unlocks_an_address(axes_enabled, teacher_a, district_admin):
    for n in range(12):
        fail(f"X{n:03d}", 1, ip="10.0.0.66")
    admin = Client()
    admin.force_login(district_admin)
    assert "10.0.0.66" in admin.get(UNLOCKS).content.decode()
    admin.post(UNLOCKS + "unlock/", {"kind": "ip", "key": "10.0.0.66"})
    _client, response = login("TA01", PASSWORD, ip="10.0.0.66")
    assert response.status_code == 302


def test_unlock_with_bad_input_is_a_message_not_an_error(axes_enabled, district_admin):
    admin = Client()
    admin.force_login(district_admin)
    response = admin.post(UNLOCKS + "unlock/", {"kind": "bogus", "key": ""}, follow=True)
    assert response.status_code == 200
    assert admin.get(UNLOCKS + "unlock/").status_code == 405


@pytest.mark.parametrize("role", [roles.SCHOOL_ADMIN, roles.HR, roles.LECTURER, roles.TEACHER])
def test_only_district_admins_see_or_unlock(axes_enabled, teacher_a, make_user, school_a, role):
    fail("TA01", 5)
    user = make_user(role, school_a, staff_no="R001")
    client = Client()
    client.force_login(user)
    assert client.get(UNLOCKS).status_code in (302, 403)
    assert client.post(UNLOCKS + "unlock/", {"kind": "account", "key": "TA01"}).status_code in (
        302,
        403,
    )
    _client, response = login("TA01", PASSWORD)
    assert response.status_code == 429


def test_anonymous_cannot_reach_the_unlock_screen(client):
    response = client.get(UNLOCKS)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_suite_runs_with_lockout_off(settings, teacher_a):
    """Other tests log in freely: the test settings keep axes off unless a test enables it."""
    assert settings.AXES_ENABLED is False
    fail("TA01", 6)
    _client, response = login("TA01", PASSWORD)
    assert response.status_code == 302
