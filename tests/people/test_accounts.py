"""Account pages: login by 工号, logout, password change and the set/reset-password flow."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client

from people import roles
from people.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login_post(client, staff_no, password, **extra):
    return client.post(LOGIN, {"username": staff_no, "password": password, **extra})


def non_field_errors(response):
    return response.context["form"].non_field_errors().as_data()


# --- login ------------------------------------------------------------------------------


def test_login_by_staff_no_redirects_home(client, teacher_a):
    response = login_post(client, "TA01", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL
    assert client.session["_auth_user_id"] == str(teacher_a.pk)


def test_wrong_staff_no_and_wrong_password_look_the_same(teacher_a):
    unknown = login_post(Client(), "NOSUCH", PASSWORD)
    wrong_password = login_post(Client(), "TA01", "wrong-Password-1")
    assert unknown.status_code == wrong_password.status_code == 200
    assert [e.code for e in non_field_errors(unknown)] == ["invalid_login"]
    assert [e.code for e in non_field_errors(wrong_password)] == ["invalid_login"]
    assert [str(m) for e in non_field_errors(unknown) for m in e] == [
        str(m) for e in non_field_errors(wrong_password) for m in e
    ]
    # The pages differ only in the echoed 工号.
    unknown_html = unknown.content.decode().replace("NOSUCH", "TA01")
    strip_csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip_csrf.sub("", unknown_html) == strip_csrf.sub("", wrong_password.content.decode())


def test_inactive_user_gets_the_same_generic_error(teacher_a):
    teacher_a.is_active = False
    teacher_a.save()
    inactive = login_post(Client(), "TA01", PASSWORD)
    unknown = login_post(Client(), "NOSUCH", PASSWORD)
    assert inactive.status_code == 200
    assert "_auth_user_id" not in inactive.wsgi_request.session
    assert [str(m) for e in non_field_errors(inactive) for m in e] == [
        str(m) for e in non_field_errors(unknown) for m in e
    ]


def test_user_without_a_password_cannot_log_in(make_user, school_a):
    newcomer = make_user(roles.TEACHER, school_a, staff_no="NEW1")
    newcomer.set_unusable_password()
    newcomer.save()
    response = login_post(Client(), "NEW1", "")
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_honours_a_local_next(client, teacher_a):
    response = login_post(client, "TA01", PASSWORD, next="/accounts/password/change/")
    assert response["Location"] == "/accounts/password/change/"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/accounts/",
        "/\\evil.example",
    ],
)
def test_login_refuses_open_redirects(client, teacher_a, evil):
    response = login_post(client, "TA01", PASSWORD, next=evil)
    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_login_page_carries_next_into_the_form(client):
    response = client.get(LOGIN, {"next": "/admin/"})
    assert response.status_code == 200
    assert 'name="next" value="/admin/"' in response.content.decode()


def test_login_is_csrf_protected(teacher_a):
    client = Client(enforce_csrf_checks=True)
    assert login_post(client, "TA01", PASSWORD).status_code == 403
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = login_post(client, "TA01", PASSWORD, csrfmiddlewaretoken=token)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(teacher_a.pk)


def test_admin_login_goes_through_our_login_page(client, school_admin_a):
    response = client.get("/admin/")
    assert response["Location"].startswith(f"{LOGIN}?next=/admin/")
    response = login_post(client, "SA01", PASSWORD, next="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- logout -----------------------------------------------------------------------------


def test_logout_only_by_post(client, teacher_a):
    client.force_login(teacher_a)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_button_is_a_post_form(client, teacher_a):
    client.force_login(teacher_a)
    html = client.get("/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/">', html)


# --- password change --------------------------------------------------------------------


def test_password_change_needs_login(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


def test_password_change(client, teacher_a):
    client.force_login(teacher_a)
    assert client.get("/accounts/password/change/").status_code == 200
    wrong_old = client.post(
        "/accounts/password/change/",
        {
            "old_password": "nope",
            "new_password1": "New-pass-2026",
            "new_password2": "New-pass-2026",
        },
    )
    assert wrong_old.context["form"].errors.as_data()["old_password"][0].code == (
        "password_incorrect"
    )
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "New-pass-2026",
            "new_password2": "New-pass-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    assert client.get(response["Location"]).status_code == 200
    teacher_a.refresh_from_db()
    assert teacher_a.check_password("New-pass-2026")
    # Still logged in after the change (session hash updated).
    assert client.get("/accounts/password/change/").status_code == 200


# --- set / reset password ---------------------------------------------------------------


def reset_link_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def request_reset(client, staff_no, email):
    return client.post("/accounts/password/reset/", {"staff_no": staff_no, "email": email})


def test_new_user_created_in_admin_sets_a_password_by_e_mail(school_admin_a, school_a):
    admin = Client()
    admin.force_login(school_admin_a)
    created = admin.post(
        "/admin/users/new/",
        {
            "staff_no": "NEW001",
            "full_name": "新老师",
            "email": "new.teacher@Example.com",
            "school": school_a.pk,
            "stage": "primary",
            "groups": [Group.objects.get(name=roles.TEACHER).pk],
        },
    )
    assert created.status_code == 302, created.context["form"].errors
    newcomer = User.objects.get(staff_no="NEW001")
    assert not newcomer.has_usable_password()

    client = Client()
    response = request_reset(client, "NEW001", "NEW.teacher@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.teacher@example.com"]
    assert "NEW001" in message.body

    link = reset_link_from(message)
    confirm = client.get(link)
    assert confirm.status_code == 302  # Django swaps the token into the session
    form_page = client.get(confirm["Location"])
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    saved = client.post(
        confirm["Location"], {"new_password1": "Mentor-2026!", "new_password2": "Mentor-2026!"}
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/accounts/password/reset/complete/"
    assert client.get(saved["Location"]).status_code == 200

    newcomer.refresh_from_db()
    assert newcomer.has_usable_password()
    logged_in = login_post(Client(), "NEW001", "Mentor-2026!")
    assert logged_in.status_code == 302

    # The link works once.
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False


@pytest.mark.parametrize(
    ("staff_no", "email"),
    [
        ("TA01", "other@example.com"),  # right 工号, wrong e-mail
        ("NOSUCH", "ta01@example.com"),  # unknown 工号, someone's e-mail
        ("TB01", "ta01@example.com"),  # someone else's 工号
    ],
)
def test_reset_with_unknown_combination_shows_the_same_page_and_sends_nothing(
    teacher_a, teacher_b, staff_no, email
):
    teacher_a.email = "ta01@example.com"
    teacher_a.save()
    teacher_b.email = "tb01@example.com"
    teacher_b.save()
    response = request_reset(Client(), staff_no, email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_reset_does_not_reach_inactive_users_or_users_without_e_mail(teacher_a, teacher_b):
    teacher_a.email = "ta01@example.com"
    teacher_a.is_active = False
    teacher_a.save()
    assert request_reset(Client(), "TA01", "ta01@example.com").status_code == 302
    assert request_reset(Client(), "TB01", "").status_code == 200  # e-mail is required
    assert mail.outbox == []


def test_reset_for_existing_password_user(teacher_a):
    teacher_a.email = "ta01@example.com"
    teacher_a.save()
    client = Client()
    request_reset(client, "TA01", "TA01@example.com")
    assert len(mail.outbox) == 1
    confirm = client.get(reset_link_from(mail.outbox[0]))
    client.post(
        confirm["Location"], {"new_password1": "Fresh-2026!", "new_password2": "Fresh-2026!"}
    )
    teacher_a.refresh_from_db()
    assert teacher_a.check_password("Fresh-2026!")


def test_forged_reset_link_is_invalid(client, teacher_a):
    response = client.get("/accounts/password/reset/MQ/not-a-token/", follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False


# --- mobile friendly ----------------------------------------------------------------------

PAGES = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/complete/",
    "/accounts/password/change/",
    "/accounts/password/change/done/",
]


@pytest.mark.parametrize("url", PAGES)
def test_account_pages_are_mobile_friendly_and_in_chinese(url, client, teacher_a):
    client.force_login(teacher_a)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1' in html
    # No fixed widths or inline styles that could overflow a 320px screen.
    assert not re.search(r'style="[^"]*width\s*:\s*\d{3,}px', html)
    assert not re.search(r'<(input|table)[^>]*\swidth="\d{3,}"', html)
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        # Every visible input sits in a .field wrapper, which the stylesheet sizes.
        assert "style=" not in tag


def test_form_inputs_are_at_least_16px_and_full_width():
    css = Path(finders.find("css/site.css")).read_text()
    rule = re.search(r"\.field input\[type=text\][^{]*\{([^}]*)\}", css)
    assert rule, "form input rule missing from site.css"
    selector = css[: rule.start(1)].rsplit("}", 1)[-1]
    for input_type in ("text", "password", "email"):
        assert f"input[type={input_type}]" in selector
    body = rule.group(1)
    assert re.search(r"font-size:\s*16px", body)
    assert re.search(r"width:\s*100%", body)
    assert "box-sizing: border-box" in css


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password/reset/"])
def test_account_forms_use_the_sized_input_types(url, client):
    html = client.get(url).content.decode()
    for tag in re.findall(r"<input[^>]*>", html):
        input_type = re.search(r'type="([^"]+)"', tag).group(1)
        assert input_type in {"hidden", "text", "password", "email"}, tag
