"""The roster import screens in the Wagtail admin: upload → preview → confirm, and who sees what."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from people import roles
from people.models import RosterImport, User
from tests.factories.roster import roster_csv, roster_row, roster_rows

Status = RosterImport.Status
INDEX = "people_roster_import:index"


def url(name, pk=None):
    return reverse(f"people_roster_import:{name}", args=[pk] if pk else None)


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.get(url("index"))
    assert response.status_code == 200
    return client, response.cookies["csrftoken"].value


def upload_file(client, token, data, name="名单.csv"):
    return client.post(
        url("index"),
        {"file": ContentFile(data, name=name), "csrfmiddlewaretoken": token},
    )


def make_import(user, scope, data=None, status=Status.VALID):
    roster_import = RosterImport(
        original_name="名单.csv", uploaded_by=user, school_scope=scope, status=status
    )
    roster_import.file.save("roster.csv", ContentFile(data or roster_csv(roster_rows(1))))
    return roster_import


@pytest.fixture
def school_admin_b(make_user, school_b):
    return make_user(roles.SCHOOL_ADMIN, school_b, staff_no="SB01", full_name="赵管理")


def test_upload_preview_confirm_with_csrf(
    district_admin, school_a, school_b, django_capture_on_commit_callbacks
):
    client, token = csrf_client(district_admin)
    rows = [*roster_rows(2), roster_row(staff_no="T9", school="B001", stage="初中")]

    # Without the token the upload is refused.
    assert upload_file(client, "", roster_csv(rows)).status_code == 403
    assert not RosterImport.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_file(client, token, roster_csv(rows, encoding="gb18030"))
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", roster_import.pk)
    assert roster_import.school_scope is None
    assert roster_import.uploaded_by == district_admin

    response = client.get(url("detail", roster_import.pk))
    assert response.status_code == 200
    assert response.context["roster_import"].status == Status.VALID
    assert response.context["summary"]["created"] == 3
    assert len(response.context["changes"]) == 3
    assert response.context["may_confirm"]
    assert url("confirm", roster_import.pk).encode() in response.content
    assert not User.objects.filter(staff_no__startswith="T").exists()

    status = client.get(url("status", roster_import.pk)).json()
    assert status == {
        "status": "valid",
        "label": str(Status.VALID.label),
        "running": False,
        "progress": 100,
        "processed_rows": 3,
        "total_rows": 3,
    }

    confirm = url("confirm", roster_import.pk)
    assert client.post(confirm).status_code == 403  # CSRF enforced on confirm too
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED
    assert roster_import.applied_by == district_admin
    assert User.objects.filter(staff_no__startswith="T").count() == 3

    response = client.get(url("detail", roster_import.pk))
    assert response.context["summary"]["created"] == 3
    assert not response.context["may_confirm"]

    # A second click (e.g. the back button) does nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(confirm, {"csrfmiddlewaretoken": token}, follow=True)
    assert callbacks == []
    assert User.objects.filter(staff_no__startswith="T").count() == 3
    assert [str(m) for m in response.context["messages"]]


def test_invalid_file_shows_the_error_table(
    client, district_admin, school_a, django_capture_on_commit_callbacks
):
    client.force_login(district_admin)
    rows = [
        roster_row(staff_no="T1"),
        roster_row(staff_no="T1"),
        roster_row(staff_no="T3", phone="1"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("index"), {"file": ContentFile(roster_csv(rows), name="x.csv")})
    roster_import = RosterImport.objects.get()
    response = client.get(url("detail", roster_import.pk))
    assert roster_import.status == Status.INVALID
    assert [(e["row"], e["column"], e["code"]) for e in response.context["errors"]] == [
        (3, "工号", "duplicate_staff_no"),
        (4, "手机", "invalid_mobile"),
    ]
    assert not response.context["may_confirm"]
    assert url("confirm", roster_import.pk).encode() not in response.content
    # Confirming by URL anyway does nothing.
    client.post(url("confirm", roster_import.pk))
    roster_import.refresh_from_db()
    assert roster_import.status == Status.INVALID
    assert not User.objects.filter(staff_no__startswith="T").exists()


def test_wrong_file_type_is_refused_by_the_form(client, district_admin):
    client.force_login(district_admin)
    response = client.post(url("index"), {"file": ContentFile(b"%PDF-1.4", name="名单.pdf")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not RosterImport.objects.exists()


def test_school_admin_upload_is_scoped(
    client, school_admin_a, school_a, school_b, django_capture_on_commit_callbacks
):
    client.force_login(school_admin_a)
    rows = [roster_row(staff_no="T1"), roster_row(staff_no="T2", school="B001", stage="初中")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("index"), {"file": ContentFile(roster_csv(rows), name="x.csv")})
    roster_import = RosterImport.objects.get()
    assert roster_import.school_scope == school_a
    assert roster_import.status == Status.INVALID
    assert [(e["row"], e["code"]) for e in roster_import.errors] == [(3, "other_school")]


def test_school_admin_cannot_open_other_schools_imports(
    client, school_admin_a, school_admin_b, district_admin, school_a, school_b
):
    own = make_import(school_admin_a, school_a)
    other = make_import(school_admin_b, school_b)
    district = make_import(district_admin, None)
    client.force_login(school_admin_a)
    assert client.get(url("detail", own.pk)).status_code == 200
    for roster_import in (other, district):
        assert client.get(url("detail", roster_import.pk)).status_code == 404
        assert client.get(url("status", roster_import.pk)).status_code == 404
        assert client.post(url("confirm", roster_import.pk)).status_code == 404
        roster_import.refresh_from_db()
        assert roster_import.status == Status.VALID
    listed = client.get(url("index")).context["imports"]
    assert [item.pk for item in listed] == [own.pk]


def test_district_admin_sees_every_import(client, school_admin_b, district_admin, school_b):
    other = make_import(school_admin_b, school_b)
    client.force_login(district_admin)
    assert client.get(url("detail", other.pk)).status_code == 200
    assert [item.pk for item in client.get(url("index")).context["imports"]] == [other.pk]


def test_teacher_is_turned_away(client, teacher_a, school_admin_a, school_a):
    roster_import = make_import(school_admin_a, school_a)
    client.force_login(teacher_a)
    # Teachers have no admin access at all: Wagtail sends them to the login page…
    response = client.get(url("index"))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.WAGTAILADMIN_LOGIN_URL))
    assert client.get(url("detail", roster_import.pk)).status_code == 302
    # …and answers the progress poll (an XHR) with 403.
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    assert client.get(url("status", roster_import.pk), **xhr).status_code == 403
    assert client.post(url("confirm", roster_import.pk), **xhr).status_code == 403
    roster_import.refresh_from_db()
    assert roster_import.status == Status.VALID


def test_hr_gets_403(client, hr_user, school_admin_a, school_a):
    roster_import = make_import(school_admin_a, school_a)
    client.force_login(hr_user)
    assert client.get(url("index")).status_code == 403
    assert client.post(url("index"), {"file": ContentFile(b"x", name="x.csv")}).status_code == 403
    assert client.get(url("detail", roster_import.pk)).status_code == 403
    assert client.get(url("status", roster_import.pk)).status_code == 403
    assert client.post(url("confirm", roster_import.pk)).status_code == 403
    assert client.get(url("template")).status_code == 403
    assert not RosterImport.objects.exclude(pk=roster_import.pk).exists()


def test_menu_item_only_for_importers(client, school_admin_a, hr_user):
    link = url("index").encode()
    client.force_login(school_admin_a)
    assert link in client.get(reverse("wagtailadmin_home")).content
    client.force_login(hr_user)
    assert link not in client.get(reverse("wagtailadmin_home")).content


def test_progress_while_checking(client, district_admin, school_a):
    roster_import = make_import(district_admin, None, status=Status.VALIDATING)
    RosterImport.objects.filter(pk=roster_import.pk).update(total_rows=4000, processed_rows=1000)
    client.force_login(district_admin)
    response = client.get(url("detail", roster_import.pk))
    assert b'id="roster-progress-bar"' in response.content
    assert url("status", roster_import.pk).encode() in response.content
    status = client.get(url("status", roster_import.pk)).json()
    assert (status["running"], status["progress"], status["processed_rows"]) == (True, 25, 1000)
    RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.APPLYING)
    status = client.get(url("status", roster_import.pk)).json()
    assert (status["running"], status["progress"]) == (True, None)


def test_template_download(client, school_admin_a):
    client.force_login(school_admin_a)
    response = client.get(url("template"))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").strip() == (
        "工号,姓名,学校代码,学段,学科,职称,班主任,手机,邮箱"
    )


def test_detail_and_index_query_counts(
    client, district_admin, school_a, django_assert_max_num_queries
):
    rows = [roster_row(staff_no=f"T{i}", stage="大学") for i in range(60)]
    imports = [make_import(district_admin, None, data=roster_csv(rows)) for _ in range(5)]
    RosterImport.objects.update(
        errors=[
            {"row": i, "column": "学段", "code": "invalid_stage", "message": "x"}
            for i in range(500)
        ]
    )
    client.force_login(district_admin)
    client.get(url("index"))  # warm per-session caches (site, menu)
    with django_assert_max_num_queries(15):
        assert client.get(url("detail", imports[0].pk)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(url("index")).status_code == 200
    assert Group.objects.filter(name=roles.TEACHER).exists()
