"""Audit log (issue 10 item 5): every change to accounts, roles, standards, cycles, ledger
corrections, certificate and qualification revocations and imports leaves one entry with
who, when and what; only the district admin (and superusers) read Reports → Site history."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certification import audit as certification_audit
from certification.models import CreditCycle, CycleRequirement, TrainingImport
from certification.models.qualification import QualificationStandard, QualificationStatus
from certification.services.certificates import certificate_revoke
from certification.services.qualification import qualification_recompute
from cms.choices import CreditCategory
from people import audit as people_audit
from people import roles
from people.models import RosterImport, User
from tests.certification.test_import_training import HEADER, row
from tests.certification.test_standards import existing_rows, requirement_row, standard_form
from tests.factories.certificates import CertificateFactory
from tests.factories.certification import award, default_cycle
from tests.factories.roster import roster_csv, roster_rows

pytestmark = pytest.mark.django_db

SITE_HISTORY = "/admin/reports/site-history/"
SITE_HISTORY_RESULTS = "/admin/reports/site-history/results/"


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def entries(action, instance=None):
    # Entries by someone: the factories' own role grants (by no one) are not under test.
    found = ModelLogEntry.objects.filter(action=action, user__isnull=False)
    if instance is not None:
        found = found.filter(object_id=str(instance.pk))
    return list(found)


def only_entry(action, instance=None, *, by=None) -> ModelLogEntry:
    """The one entry of `action`, made just now by `by`."""
    found = entries(action, instance)
    assert len(found) == 1, [(e.action, e.data) for e in found]
    entry = found[0]
    assert entry.user_id == (by.pk if by else None)
    assert timezone.now() - entry.timestamp < datetime.timedelta(minutes=5)
    assert entry.message  # a readable message is registered for the action
    return entry


def change(entry, field) -> tuple[str, str]:
    (found,) = [c for c in entry.data["changes"] if c["field"] == field]
    return found["before"], found["after"]


def edit_data(user, **overrides) -> dict:
    data = {
        "staff_no": user.staff_no,
        "full_name": user.full_name,
        "email": user.email,
        "school": user.school_id or "",
        "stage": user.stage,
        "subjects": user.subjects,
        "title": user.title,
        "phone": user.phone,
        "hired_on": "",
        "is_active": "on" if user.is_active else "",
        "groups": [g.pk for g in user.groups.all()],
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return data


def role(name) -> Group:
    return Group.objects.get(name=name)


# --- Accounts and roles ------------------------------------------------------------------


def test_editing_an_account_logs_the_fields_before_and_after(district_admin, teacher_a):
    response = logged_in(district_admin).post(
        f"/admin/users/edit/{teacher_a.pk}/",
        edit_data(teacher_a, full_name="张老师（改）", subjects="数学"),
    )
    assert response.status_code == 302
    entry = only_entry(people_audit.USER_CHANGE, teacher_a, by=district_admin)
    assert change(entry, "full_name") == ("张老师", "张老师（改）")
    assert change(entry, "subjects")[1] == "数学"
    assert "张老师（改）" in entry.message
    assert not entries(people_audit.USER_ROLES)  # roles untouched: no role entry


def test_deactivating_in_the_form_is_its_own_entry(district_admin, teacher_a):
    logged_in(district_admin).post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, is_active="")
    )
    teacher_a.refresh_from_db()
    assert not teacher_a.is_active
    only_entry(people_audit.USER_DEACTIVATE, teacher_a, by=district_admin)
    assert not entries(people_audit.USER_CHANGE)


def test_granting_a_role_logs_before_and_after(district_admin, teacher_a):
    groups = [role(roles.TEACHER).pk, role(roles.SCHOOL_ADMIN).pk]
    logged_in(district_admin).post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, groups=groups)
    )
    entry = only_entry(people_audit.USER_ROLES, teacher_a, by=district_admin)
    assert entry.data["before"] == [roles.TEACHER]
    assert entry.data["added"] == [roles.SCHOOL_ADMIN] and entry.data["removed"] == []
    assert roles.SCHOOL_ADMIN in entry.message


def test_roles_the_editor_cannot_grant_kept_by_the_form_are_no_change(
    school_admin_a, make_user, school_a
):
    # The form's set() drops 讲师 (not grantable by a school admin) and adds it back.
    lecturer = make_user(roles.TEACHER, school_a, staff_no="TL01", full_name="讲师甲")
    lecturer.groups.add(role(roles.LECTURER))
    response = logged_in(school_admin_a).post(
        f"/admin/users/edit/{lecturer.pk}/",
        edit_data(lecturer, full_name="讲师乙", groups=[role(roles.TEACHER).pk]),
    )
    assert response.status_code == 302
    assert set(lecturer.groups.values_list("name", flat=True)) == {roles.TEACHER, roles.LECTURER}
    assert not entries(people_audit.USER_ROLES)
    only_entry(people_audit.USER_CHANGE, lecturer, by=school_admin_a)


def test_creating_an_account_is_logged(district_admin, school_a):
    response = logged_in(district_admin).post(
        "/admin/users/new/",
        {
            "staff_no": "NEW001",
            "full_name": "新老师",
            "email": "",
            "school": school_a.pk,
            "stage": "primary",
            "subjects": "语文",
            "title": "second",
            "phone": "",
            "hired_on": "",
            "groups": [role(roles.TEACHER).pk],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(staff_no="NEW001")
    only_entry("wagtail.create", created, by=district_admin)
    assert only_entry(people_audit.USER_ROLES, created, by=district_admin).data["added"] == [
        roles.TEACHER
    ]


BULK = "/admin/bulk/people/user/{action}/?id={pk}"


def test_bulk_deactivate_and_bulk_role_are_logged(district_admin, teacher_a, teacher_b):
    client = logged_in(district_admin)
    response = client.post(
        BULK.format(action="set_active_state", pk=teacher_a.pk), {"mark_as_active": "False"}
    )
    assert response.status_code == 302
    only_entry(people_audit.USER_DEACTIVATE, teacher_a, by=district_admin)
    client.post(
        BULK.format(action="assign_role", pk=teacher_b.pk), {"role": role(roles.SCHOOL_ADMIN).pk}
    )
    entry = only_entry(people_audit.USER_ROLES, teacher_b, by=district_admin)
    assert entry.data["after"] == sorted([roles.TEACHER, roles.SCHOOL_ADMIN])


def test_a_login_or_a_save_without_changes_is_not_an_account_change(
    teacher_a, django_assert_num_queries
):
    logged = ModelLogEntry.objects.count()
    teacher_a.last_login = timezone.now()
    with django_assert_num_queries(1):  # no look-up of the old values either
        teacher_a.save(update_fields=["last_login"])
    teacher_a.save()
    assert ModelLogEntry.objects.count() == logged


# --- Imports -----------------------------------------------------------------------------


def csrf_client(user, index_url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client, client.get(index_url).cookies["csrftoken"].value


def test_roster_import_upload_confirm_apply_are_logged_with_counts(
    district_admin, school_a, django_capture_on_commit_callbacks
):
    index = reverse("people_roster_import:index")
    client, token = csrf_client(district_admin, index)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            index,
            {
                "file": ContentFile(roster_csv(roster_rows(3)), name="名单.csv"),
                "csrfmiddlewaretoken": token,
            },
        )
    roster_import = RosterImport.objects.get()
    upload = only_entry(people_audit.ROSTER_UPLOAD, roster_import, by=district_admin)
    assert upload.data["file"] == "名单.csv"
    confirm_url = reverse("people_roster_import:confirm", args=[roster_import.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url, {"csrfmiddlewaretoken": token})
    confirm = only_entry(people_audit.ROSTER_CONFIRM, roster_import, by=district_admin)
    assert confirm.data["created"] == 3
    applied = only_entry(people_audit.ROSTER_APPLY, roster_import, by=district_admin)
    assert applied.data["total_rows"] == 3 and applied.data["created"] == 3
    assert "名单.csv" in applied.message


def test_training_import_upload_confirm_apply_are_logged_with_counts(
    district_admin, teacher_a, teacher_b, django_capture_on_commit_callbacks
):
    index = reverse("certification_training_import:index")
    client, token = csrf_client(district_admin, index)
    data = roster_csv([row(), row("TB01", name="读书会")], header=HEADER)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            index,
            {"file": ContentFile(data, name="校本研修.csv"), "csrfmiddlewaretoken": token},
        )
    job = TrainingImport.objects.get()
    only_entry(certification_audit.TRAINING_UPLOAD, job, by=district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("certification_training_import:confirm", args=[job.pk]),
            {"csrfmiddlewaretoken": token},
        )
    assert only_entry(certification_audit.TRAINING_CONFIRM, job, by=district_admin)
    applied = only_entry(certification_audit.TRAINING_APPLY, job, by=district_admin)
    assert applied.data["total_rows"] == 2 and applied.data["new"] == 2


# --- Ledger ------------------------------------------------------------------------------


def test_a_reversal_is_logged_with_the_reason(district_admin, teacher_a):
    entry = award(teacher_a, points="2", source="course")
    response = logged_in(district_admin).post(
        reverse("certification_ledger:reverse", args=[entry.pk]), {"reason": "重复录入"}
    )
    assert response.status_code == 302
    logged = only_entry(certification_audit.CREDIT_REVERSE, entry, by=district_admin)
    assert logged.data["reason"] == "重复录入" and logged.data["points"] == "2.00"
    assert "TA01" in logged.label and "重复录入" in logged.message
    assert not entries(certification_audit.CREDIT_MANUAL)  # a course credit is no manual award


def test_a_manual_award_is_logged(district_admin, teacher_a):
    entry = award(teacher_a, hours="3", created_by=district_admin, reason="补录线下培训")
    logged = only_entry(certification_audit.CREDIT_MANUAL, entry, by=district_admin)
    assert logged.data["hours"] == "3.0" and logged.data["reason"] == "补录线下培训"


# --- Certificates, qualifications, standards, cycles ---------------------------------------


def test_a_certificate_revocation_is_logged_once(district_admin, teacher_a):
    certificate = CertificateFactory(holder=teacher_a, title="心理健康教育基础", hours="4.0")
    certificate_revoke(certificate=certificate, reason="证书信息有误", revoked_by=district_admin)
    certificate_revoke(certificate=certificate, reason="再次", revoked_by=district_admin)
    logged = only_entry(certification_audit.CERTIFICATE_REVOKE, certificate, by=district_admin)
    assert logged.data["reason"] == "证书信息有误" and logged.data["serial"] == certificate.serial


def test_qualification_revoke_and_lift_are_logged_on_the_teacher(district_admin, teacher_a):
    teacher_a.stage = "primary"
    teacher_a.save()
    qualification_recompute()
    client = logged_in(district_admin)
    client.post(
        reverse("qualification_revoke:index"),
        {"staff_no": "TA01", "standard_code": "mentor", "reason": "师德考核不合格"},
    )
    revoked = only_entry(certification_audit.QUALIFICATION_REVOKE, teacher_a, by=district_admin)
    assert revoked.data["reason"] == "师德考核不合格"
    assert (revoked.data["before"], revoked.data["after"]) == ("not_started", "revoked")
    status = QualificationStatus.objects.get(user=teacher_a)
    client.post(reverse("qualification_revoke:lift", args=[status.pk]))
    lifted = only_entry(certification_audit.QUALIFICATION_UNREVOKE, teacher_a, by=district_admin)
    assert lifted.data["after"] == "not_started"


def test_a_standard_edit_is_logged_with_before_and_after(district_admin):
    standard = QualificationStandard.objects.get(code="mentor", is_current=True)
    rows = existing_rows(standard, lectures={"min_value": "3"})
    data = standard_form("mentor", "导师上岗资格（修订）", rows, initial=len(rows))
    response = logged_in(district_admin).post(
        reverse("qualification_standards:edit", args=[standard.pk]), data
    )
    assert response.status_code == 302
    logged = only_entry(certification_audit.STANDARD_SAVE, standard, by=district_admin)
    assert change(logged, "name") == ("导师上岗资格", "导师上岗资格（修订）")
    before, after = change(logged, "requirements")
    assert before != after and "lectures" in after
    assert "导师上岗资格（修订）" in logged.message


def test_a_new_standard_is_logged(district_admin):
    rows = [requirement_row("c", "课程", course_code="A")]
    response = logged_in(district_admin).post(
        reverse("qualification_standards:add"), standard_form("newstd", "新标准", rows)
    )
    assert response.status_code == 302
    standard = QualificationStandard.objects.get(code="newstd")
    logged = only_entry(certification_audit.STANDARD_SAVE, standard, by=district_admin)
    assert logged.data["created"] is True and change(logged, "name") == ("", "新标准")


def test_cycle_and_requirement_edits_are_logged_with_before_and_after(district_admin):
    cycle = default_cycle()
    client = logged_in(district_admin)
    response = client.post(
        reverse("credit_cycles:edit", args=[cycle.pk]),
        {
            "name": cycle.name,
            "starts_on": cycle.starts_on.isoformat(),
            "ends_on": cycle.ends_on.isoformat(),
            "min_total_points": "40",
        },
    )
    assert response.status_code == 302
    logged = only_entry(certification_audit.CYCLE_CHANGE, cycle, by=district_admin)
    assert change(logged, "min_total_points")[1] == "40"
    requirement = CycleRequirement.objects.get(cycle=cycle, category=CreditCategory.ETHICS)
    client.post(
        reverse("cycle_requirements:edit", args=[requirement.pk]),
        {"cycle": cycle.pk, "category": "ethics", "level": "", "min_points": "9"},
    )
    logged = only_entry(
        certification_audit.CYCLE_REQUIREMENT_CHANGE, requirement, by=district_admin
    )
    assert Decimal(change(logged, "min_points")[1]) == Decimal("9")
    assert CreditCycle.objects.get(pk=cycle.pk).min_total_points == Decimal("40")


# --- Who reads the site history ------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr", "school_admin", "lecturer"])
def test_others_cannot_open_the_site_history(who, hr_user, school_admin_a, make_user):
    user = {
        "hr": hr_user,
        "school_admin": school_admin_a,
        "lecturer": make_user(roles.LECTURER, None, staff_no="LE01"),
    }[who]
    client = logged_in(user)
    for url in (SITE_HISTORY, SITE_HISTORY_RESULTS, SITE_HISTORY + "?export=csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    reports = client.get("/admin/").content.decode()
    assert SITE_HISTORY not in reports


def test_teacher_and_anonymous_cannot_open_the_site_history(teacher_a):
    assert Client().get(SITE_HISTORY).status_code == 302
    response = logged_in(teacher_a).get(SITE_HISTORY)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_district_admin_reads_and_filters_the_site_history(district_admin, teacher_a, teacher_b):
    client = logged_in(district_admin)
    client.post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, full_name="张老师（改）")
    )
    certificate = CertificateFactory(holder=teacher_b, title="家校沟通")
    certificate_revoke(certificate=certificate, reason="信息有误", revoked_by=district_admin)

    response = client.get(SITE_HISTORY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "张老师（改）" in html and "信息有误" in html

    response = client.get(SITE_HISTORY_RESULTS, {"action": certification_audit.CERTIFICATE_REVOKE})
    assert response.status_code == 200
    listed = response.context["object_list"]
    assert [entry.action for entry in listed] == [certification_audit.CERTIFICATE_REVOKE]
    actions = dict(response.context["filters"].form.fields["action"].choices)
    assert people_audit.USER_CHANGE in actions


def test_superuser_reads_the_site_history(make_user):
    admin = make_user(None, None, staff_no="ROOT", is_superuser=True, is_staff=True)
    assert logged_in(admin).get(SITE_HISTORY).status_code == 200
