"""Qualification standards in the admin: district admins edit them with the requirements
inline; an edit of a standard in use saves a new version (statuses keep theirs) and queues
the full recompute; others may not edit."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from certification.models.qualification import (
    QualificationStandard,
    QualificationState,
    QualificationStatus,
    StandardRequirement,
)
from certification.services.qualification import qualification_recompute
from people import roles
from tests.factories.certification import award
from tests.factories.courses import make_course
from tests.factories.qualification import course_credit

INDEX = reverse("qualification_standards:index")
ADD = reverse("qualification_standards:add")


def edit_url(standard):
    return reverse("qualification_standards:edit", args=[standard.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def requirement_row(code, label, kind="course_completed", pk="", **fields):
    row = {
        "id": pk,
        "code": code,
        "label": label,
        "kind": kind,
        "sort_order": fields.pop("sort_order", 0),
        "course": "",
        "course_code": "",
        "category": "",
        "min_value": "0",
        "window_months": "",
    }
    row.update(fields)
    return row


def standard_form(code, name, rows, initial=0, **fields):
    data = {
        "code": code,
        "name": name,
        "description": "",
        "validity_months": "36",
        "expiring_days": "90",
        "renewal_hours": "8",
        "effective_from": "2026-01-01",
        "requirements": inline_formset(rows, initial=initial),
    }
    data.update(fields)
    flat = nested_form_data(data)
    # Multiple-choice stages: one key with a list (nested_form_data would index the list).
    for index, row in enumerate(rows):
        for key in [k for k in flat if k.startswith(f"requirements-{index}-stages-")]:
            del flat[key]
        if row.get("stages"):
            flat[f"requirements-{index}-stages"] = row["stages"]
    return flat


def mentor():
    return QualificationStandard.objects.get(code="mentor", is_current=True)


def existing_rows(standard, **changes):
    rows = []
    for requirement in standard.requirements.order_by("sort_order", "id"):
        row = requirement_row(
            requirement.code,
            requirement.label,
            requirement.kind,
            pk=requirement.pk,
            course_code=requirement.course_code,
            category=requirement.category,
            min_value=str(requirement.min_value),
            window_months=requirement.window_months or "",
            sort_order=requirement.sort_order,
        )
        if requirement.stages:
            row["stages"] = requirement.stages
        row.update(changes.get(requirement.code, {}))
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [(roles.DISTRICT_ADMIN, True), (roles.SCHOOL_ADMIN, False), (roles.HR, False)],
)
def test_only_district_admins_edit(make_user, school_a, role, can_edit):
    user = make_user(role, school_a if role == roles.SCHOOL_ADMIN else None)
    client = client_for(user)
    assert client.get(INDEX).status_code == 200  # all three may read
    response = client.get(edit_url(mentor()))
    assert (response.status_code == 200) is can_edit


def test_teachers_cannot_open_the_admin(teacher_a):
    assert client_for(teacher_a).get(INDEX).status_code in (302, 403)


def test_district_admin_creates_a_standard_with_requirements(district_admin):
    course = make_course(lessons=0, code="QP-S-01")
    data = standard_form(
        "head-teacher",
        "班主任资格",
        [
            requirement_row("course", "必修课程", course=course.pk),
            requirement_row(
                "hours",
                "导师培训学时",
                "category_hours",
                category="mentor",
                min_value="6",
                window_months="24",
                stages=["junior", "senior"],
            ),
        ],
    )
    response = client_for(district_admin).post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    standard = QualificationStandard.objects.get(code="head-teacher")
    assert (standard.version, standard.is_current) == (1, True)
    requirements = {r.code: r for r in standard.requirements.all()}
    assert requirements["course"].course_code == "QP-S-01"  # copied from the chosen course
    assert requirements["hours"].stages == ["junior", "senior"]
    assert requirements["hours"].window_months == 24


def test_invalid_requirements_are_refused_with_a_message(district_admin):
    data = standard_form(
        "x",
        "资格",
        [
            requirement_row("same", "课程", course_code="QP-A"),
            requirement_row("same", "课程二", course_code="QP-B"),
        ],
    )
    response = client_for(district_admin).post(ADD, data)
    assert response.status_code == 200
    assert response.context["form"].formsets["requirements"].non_form_errors()  # same code
    data = standard_form("x", "资格", [requirement_row("c", "课程")])  # no course
    response = client_for(district_admin).post(ADD, data)
    assert _("Choose a course or enter its code.") in response.content.decode()
    assert not QualificationStandard.objects.filter(code="x").exists()


def test_a_new_code_cannot_reuse_an_existing_one(district_admin):
    data = standard_form("mentor", "导师上岗资格", [requirement_row("c", "课程", course_code="A")])
    response = client_for(district_admin).post(ADD, data)
    assert response.status_code == 200
    assert QualificationStandard.objects.filter(code="mentor").count() == 1


def test_editing_a_standard_not_in_use_changes_it_in_place(district_admin):
    standard = mentor()
    rows = existing_rows(standard, lectures={"min_value": "3"})
    data = standard_form("mentor", "导师上岗资格", rows, initial=len(rows))
    response = client_for(district_admin).post(edit_url(standard), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert QualificationStandard.objects.filter(code="mentor").count() == 1
    assert standard.requirements.get(code="lectures").min_value == 3


def test_editing_a_standard_in_use_makes_a_new_version(
    district_admin, make_user, school_a, django_capture_on_commit_callbacks
):
    teacher = make_user(roles.TEACHER, school_a, stage="primary")
    old = mentor()
    qualification_recompute(today=datetime.date(2027, 1, 1))
    assert QualificationStatus.objects.get(user=teacher).standard == old
    old_requirement_ids = set(old.requirements.values_list("pk", flat=True))

    rows = existing_rows(old, lectures={"min_value": "3"})
    for row in rows:
        if row["code"] == "career":
            row["DELETE"] = "1"  # dropped
    data = standard_form("mentor", "导师上岗资格（2027 版）", rows, initial=len(rows))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(district_admin).post(edit_url(old), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    old.refresh_from_db()
    new = mentor()
    assert new.pk != old.pk and (old.version, new.version) == (1, 2)
    assert old.is_current is False and old.name == "导师上岗资格"
    assert new.name == "导师上岗资格（2027 版）"
    # The old version keeps its requirements; the new one has copies with the edit.
    assert set(old.requirements.values_list("pk", flat=True)) == old_requirement_ids
    assert old.requirements.get(code="lectures").min_value == 2
    assert new.requirements.get(code="lectures").min_value == 3
    assert not new.requirements.filter(code="career").exists()
    assert new.requirements.count() == old.requirements.count() - 1
    # Statuses keep the version they were computed with until the recompute runs.
    assert QualificationStatus.objects.get(user=teacher).standard == old
    assert len(callbacks) == 1
    callbacks[0]()
    assert QualificationStatus.objects.get(user=teacher).standard == new

    # The old version can no longer be edited.
    response = client_for(district_admin).post(edit_url(old), data)
    assert response.status_code == 302
    assert QualificationStandard.objects.filter(code="mentor").count() == 2


def test_a_statuss_state_follows_the_new_version(
    district_admin, make_user, school_a, django_capture_on_commit_callbacks
):
    teacher = make_user(roles.TEACHER, school_a, stage="primary")
    course = make_course(lessons=0, code="QP-S-02")
    award(teacher, **course_credit(course))
    data = standard_form("one", "单课资格", [requirement_row("c", "课程", course_code="QP-S-02")])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(district_admin).post(ADD, data)
    status = QualificationStatus.objects.get(user=teacher, standard_code="one")
    assert status.state == QualificationState.QUALIFIED
    assert StandardRequirement.objects.filter(standard__code="one").count() == 1


# --- Revoking by hand ------------------------------------------------------------------------

REVOKE = reverse("qualification_revoke:index")


def test_district_admin_revokes_and_lifts_with_a_reason(district_admin, teacher_a):
    teacher_a.stage = "primary"
    teacher_a.save()
    qualification_recompute()
    client = client_for(district_admin)
    response = client.post(REVOKE, {"staff_no": "TA01", "standard_code": "mentor", "reason": ""})
    assert response.status_code == 200  # the reason is required
    response = client.post(
        REVOKE, {"staff_no": "TA01", "standard_code": "mentor", "reason": "师德考核不合格"}
    )
    assert response.status_code == 302
    status = QualificationStatus.objects.get(user=teacher_a)
    assert status.state == QualificationState.REVOKED and status.revoked_by == district_admin
    qualification_recompute()
    assert QualificationStatus.objects.get(user=teacher_a).state == QualificationState.REVOKED
    page = client.get(REVOKE).content.decode()
    assert "师德考核不合格" in page
    response = client.post(reverse("qualification_revoke:lift", args=[status.pk]))
    assert response.status_code == 302
    status.refresh_from_db()
    assert status.state == QualificationState.NOT_STARTED and status.revoked_reason == ""


def test_unknown_staff_number_is_a_form_error(district_admin):
    response = client_for(district_admin).post(
        REVOKE, {"staff_no": "NOPE", "standard_code": "mentor", "reason": "原因"}
    )
    assert response.status_code == 200
    assert _("No active user with this staff number.") in response.content.decode()


def test_only_district_admins_revoke(school_admin_a, teacher_a):
    client = client_for(school_admin_a)
    assert client.get(REVOKE).status_code == 403
    response = client.post(
        REVOKE, {"staff_no": "TA01", "standard_code": "mentor", "reason": "原因"}
    )
    assert response.status_code == 403
    assert not QualificationStatus.objects.filter(state=QualificationState.REVOKED).exists()
