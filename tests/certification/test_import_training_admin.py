"""The training-record upload in the Wagtail admin: upload → check in Celery → preview →
confirm → recorded; CSRF; scoped by school; re-upload adds nothing."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from certification.models import CreditEntry, TrainingImport
from certification.services.imports import training_import_apply, training_import_validate
from people import roles
from tests.factories.roster import roster_csv, roster_xlsx

from .test_import_training import HEADER, row

pytestmark = pytest.mark.django_db
Status = TrainingImport.Status


def url(name, pk=None):
    return reverse(f"certification_training_import:{name}", args=[pk] if pk else None)


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.get(url("index"))
    assert response.status_code == 200
    return client, response.cookies["csrftoken"].value


def upload(client, token, data, name="校本研修.csv"):
    return client.post(
        url("index"), {"file": ContentFile(data, name=name), "csrfmiddlewaretoken": token}
    )


@pytest.fixture
def school_admin_b(make_user, school_b):
    return make_user(roles.SCHOOL_ADMIN, school_b, staff_no="SB01", full_name="赵管理")


def test_upload_preview_confirm(
    district_admin, teacher_a, teacher_b, django_capture_on_commit_callbacks
):
    client, token = csrf_client(district_admin)
    data = roster_csv([row(), row("TB01", name="读书会")], header=HEADER, encoding="gb18030")
    assert upload(client, "", data).status_code == 403  # CSRF
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, token, data)
    job = TrainingImport.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", job.pk)

    response = client.get(url("detail", job.pk))
    assert response.context["job"].status == Status.VALID
    assert response.context["summary"]["new"] == 2 and response.context["may_confirm"]
    assert [r["staff_no"] for r in response.context["sample"]] == ["TA01", "TB01"]
    assert not CreditEntry.objects.exists()
    status = client.get(url("status", job.pk)).json()
    assert status["status"] == "valid" and status["progress"] == 100

    confirm = url("confirm", job.pk)
    assert client.post(confirm).status_code == 403  # CSRF
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm, {"csrfmiddlewaretoken": token})
    job.refresh_from_db()
    assert job.status == Status.APPLIED and job.applied_by == district_admin
    assert CreditEntry.objects.count() == 2
    assert set(CreditEntry.objects.values_list("created_by", flat=True)) == {district_admin.pk}

    # A second click does nothing; the same file uploaded again adds nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(confirm, {"csrfmiddlewaretoken": token})
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, token, data)
    again = TrainingImport.objects.exclude(pk=job.pk).get()
    assert again.status == Status.VALID
    assert (again.summary["new"], again.summary["existing"]) == (0, 2)
    response = client.get(url("detail", again.pk))
    assert not response.context["may_confirm"]


def test_invalid_upload_shows_errors_and_cannot_be_confirmed(
    district_admin, teacher_a, django_capture_on_commit_callbacks
):
    client, token = csrf_client(district_admin)
    data = roster_xlsx([row(学分="abc")], header=HEADER)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, token, data, name="培训.xlsx")
    job = TrainingImport.objects.get()
    assert job.status == Status.INVALID
    response = client.get(url("detail", job.pk))
    assert [(e["row"], e["column"]) for e in response.context["errors"]] == [(2, "学分")]
    client.post(url("confirm", job.pk), {"csrfmiddlewaretoken": token})
    job.refresh_from_db()
    assert job.status == Status.INVALID and not CreditEntry.objects.exists()


def test_school_admin_is_limited_to_own_school(
    school_admin_a, school_admin_b, teacher_a, teacher_b, django_capture_on_commit_callbacks
):
    client, token = csrf_client(school_admin_a)
    data = roster_csv([row(), row("TB01")], header=HEADER)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, token, data)
    job = TrainingImport.objects.get()
    assert job.school_scope_id == school_admin_a.school_id
    assert job.status == Status.INVALID
    assert [(e["row"], e["code"]) for e in job.errors] == [(3, "other_school")]
    # School B's admin cannot open school A's import by URL.
    other = Client()
    other.force_login(school_admin_b)
    assert other.get(url("detail", job.pk)).status_code == 404
    assert other.get(url("status", job.pk)).status_code == 404


def test_teachers_and_hr_cannot_import(client, teacher_a, hr_user):
    for user in (teacher_a, hr_user):
        client.force_login(user)
        assert client.get(url("index")).status_code in (302, 403)
        assert client.get(url("template")).status_code in (302, 403)


def test_tasks_run_twice_do_nothing_more(district_admin, teacher_a):
    job = TrainingImport(original_name="a.csv", uploaded_by=district_admin)
    job.file.save("a.csv", ContentFile(roster_csv([row()], header=HEADER)))
    assert training_import_validate(training_import_id=job.pk).status == Status.VALID
    assert training_import_validate(training_import_id=job.pk).status == Status.VALID
    TrainingImport.objects.filter(pk=job.pk).update(status=Status.APPLYING)
    assert training_import_apply(training_import_id=job.pk).status == Status.APPLIED
    assert training_import_apply(training_import_id=job.pk).status == Status.APPLIED
    assert CreditEntry.objects.count() == 1


def test_template_has_the_columns(client, district_admin):
    client.force_login(district_admin)
    response = client.get(url("template"))
    assert response.content.decode("utf-8-sig").strip() == ",".join(HEADER)
