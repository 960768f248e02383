"""The editor's privacy panel and its one-click placeholder replacement."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry, WorkflowState

from casebank.models import CasePage, CasePrivacyScan
from casebank.privacy import PLACEHOLDERS, FindingKind
from people import roles

from .workflow_helpers import (
    FULL_NAME,
    ID_NUMBER,
    PHONE,
    approve_in_admin,
    case_index,
    draft_case,
    messages_of,
    submit_in_admin,
)

pytestmark = pytest.mark.django_db

DIRTY = f"<p>{FULL_NAME}的妈妈留下了手机号{PHONE}，身份证号{ID_NUMBER}。</p>"


@pytest.fixture
def lecturer(make_user, school_a):
    return make_user(roles.LECTURER, school_a, staff_no="L001", full_name="讲师陈")


@pytest.fixture
def reviewer(make_user):
    return make_user(roles.REVIEWER, None, staff_no="R001", full_name="审核员林")


@pytest.fixture
def rejected_case(client, lecturer):
    case = draft_case(case_index(), lecturer, background=DIRTY)
    client.force_login(lecturer)
    submit_in_admin(client, case)
    state = WorkflowState.objects.for_instance(case).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    return CasePage.objects.get(pk=case.pk)


def _redact_url(case):
    return reverse("casebank_case_redact", args=[case.pk])


def test_the_editor_shows_the_findings_and_the_button(client, lecturer, rejected_case):
    client.force_login(lecturer)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[rejected_case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (FULL_NAME, PHONE, ID_NUMBER):
        assert f"<mark>{text}</mark>" in html
    assert str(FindingKind.ID_CARD.label) in html
    assert str(FindingKind.PHONE.label) in html
    assert str(CasePage._meta.get_field("background").verbose_name) in html
    assert _("Replace all with placeholders") in html
    assert _redact_url(rejected_case) in html


def test_redact_replaces_findings_in_a_new_unpublished_revision(
    client, lecturer, reviewer, rejected_case
):
    before = rejected_case.get_latest_revision()
    client.force_login(lecturer)

    response = client.post(_redact_url(rejected_case))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[rejected_case.pk])
    case = CasePage.objects.get(pk=rejected_case.pk)
    assert not case.live
    after = case.get_latest_revision()
    assert after.pk != before.pk
    draft = after.as_object()
    for text in (FULL_NAME, PHONE, ID_NUMBER):
        assert text not in draft.background
    assert str(PLACEHOLDERS[FindingKind.ID_CARD]) in draft.background
    assert str(PLACEHOLDERS[FindingKind.PHONE]) in draft.background
    replaced = PageLogEntry.objects.get(page=case, action="casebank.privacy_redact")
    assert replaced.user_id == lecturer.pk and replaced.revision_id == after.pk
    count = replaced.data["replaced"]
    assert count >= 3
    assert _(
        "Replaced %(count)d item(s) of personal data with placeholders and saved a "
        "new draft. Check the text, then submit the case for review."
    ) % {"count": count} in messages_of(response)
    assert CasePrivacyScan.objects.get(revision=after).finding_count == 0

    # Resubmitted, it passes the check and the reviewer publishes it.
    submit_in_admin(client, case)
    client.force_login(reviewer)
    approve_in_admin(client, case)
    case = CasePage.objects.get(pk=case.pk)
    assert case.live
    assert ID_NUMBER not in case.background and PHONE not in case.background


def test_redact_with_nothing_to_replace_saves_nothing(client, lecturer):
    case = draft_case(case_index(), lecturer)
    before = case.get_latest_revision().pk
    client.force_login(lecturer)
    response = client.post(_redact_url(case))
    assert response.status_code == 302
    assert _("The latest version has no personal data to replace.") in messages_of(response)
    assert CasePage.objects.get(pk=case.pk).get_latest_revision().pk == before


@pytest.mark.parametrize("role", [roles.SCHOOL_ADMIN, roles.HR])
def test_redact_is_refused_without_edit_permission(
    client, make_user, school_a, role, rejected_case
):
    outsider = make_user(role, school_a, staff_no="X001")
    before = rejected_case.get_latest_revision().pk
    client.force_login(outsider)
    response = client.post(_redact_url(rejected_case))
    assert response.status_code == 403
    assert CasePage.objects.get(pk=rejected_case.pk).get_latest_revision().pk == before


def test_redact_is_refused_to_a_teacher(client, teacher_a, rejected_case):
    before = rejected_case.get_latest_revision().pk
    client.force_login(teacher_a)
    response = client.post(_redact_url(rejected_case))
    assert response.status_code in (302, 403)  # no admin access at all
    assert CasePage.objects.get(pk=rejected_case.pk).get_latest_revision().pk == before


def test_redact_needs_a_post(client, lecturer, rejected_case):
    client.force_login(lecturer)
    assert client.get(_redact_url(rejected_case)).status_code == 405


def test_redact_is_refused_while_the_case_waits_for_the_reviewer(client, lecturer):
    """In the reviewer's task the case is locked for its author (Wagtail's workflow lock)."""
    case = draft_case(case_index(), lecturer)
    client.force_login(lecturer)
    submit_in_admin(client, case)
    before = CasePage.objects.get(pk=case.pk).get_latest_revision().pk
    response = client.post(_redact_url(case))
    assert response.status_code == 403
    assert CasePage.objects.get(pk=case.pk).get_latest_revision().pk == before


def test_redact_of_a_missing_case(client, lecturer):
    client.force_login(lecturer)
    response = client.post(reverse("casebank_case_redact", args=[999999]))
    assert response.status_code == 302
    assert _("That case does not exist.") in messages_of(response)


def test_a_finding_inside_the_process_names_its_block(client, lecturer):
    import json

    process = [
        {"type": "paragraph", "value": "<p>第一次谈心。</p>"},
        {"type": "step", "value": {"heading": "家访", "text": f"<p>家长电话{PHONE}</p>"}},
    ]
    case = draft_case(case_index(), lecturer, process=json.dumps(process, ensure_ascii=False))
    # Submitted without the editor (the tests' form data carries no StreamField blocks).
    case.get_workflow().start(case, lecturer)
    client.force_login(lecturer)
    scan = CasePrivacyScan.objects.get(page=case)
    finding = next(item for item in scan.findings if item["text"] == PHONE)
    assert finding["field"] == "process"
    assert finding["block_path"].startswith("process.1")

    html = client.get(reverse("wagtailadmin_pages:edit", args=[case.pk])).content.decode()
    assert _("block %(number)d") % {"number": 2} in html
    assert str(CasePage._meta.get_field("process").verbose_name) in html
