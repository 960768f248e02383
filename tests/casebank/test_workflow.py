"""The 案例审核 workflow end to end through the admin: the automatic privacy check rejects a
case with personal data and lists the findings, the author fixes it and resubmits, the
reviewer's approval publishes it."""

import pytest
from django.utils.translation import gettext as _
from wagtail.models import GroupApprovalTask, TaskState, Workflow, WorkflowPage, WorkflowState

from casebank.models import CaseIndexPage, CasePage, CasePrivacyScan, PrivacyCheckTask
from casebank.services import case_review_workflow
from people import roles

from .workflow_helpers import (
    CLEAN_BACKGROUND,
    FULL_NAME,
    ID_NUMBER,
    PHONE,
    approve_in_admin,
    case_index,
    draft_case,
    reject_in_admin,
    submit_in_admin,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecturer(make_user, school_a):
    return make_user(roles.LECTURER, school_a, staff_no="L001", full_name="讲师陈")


@pytest.fixture
def reviewer(make_user):
    return make_user(roles.REVIEWER, None, staff_no="R001", full_name="审核员林")


@pytest.fixture
def index(db):
    return case_index()


def _workflow_state(case) -> WorkflowState:
    return WorkflowState.objects.for_instance(case).order_by("-id").first()


def _last_task_state(case) -> TaskState:
    return TaskState.objects.filter(workflow_state=_workflow_state(case)).order_by("-id").first()


def test_the_workflow_exists_after_migrations():
    workflow = Workflow.objects.get(name="案例审核")
    tasks = list(workflow.tasks.specific())
    assert [task.name for task in tasks] == ["隐私检查", "审核员审核"]
    assert isinstance(tasks[0], PrivacyCheckTask)
    assert isinstance(tasks[1], GroupApprovalTask)
    assert list(tasks[1].groups.values_list("name", flat=True)) == [roles.REVIEWER]
    assert case_review_workflow() == workflow


def test_a_new_case_library_gets_the_workflow(index):
    assert WorkflowPage.objects.get(page=index).workflow.name == "案例审核"
    another = case_index(title="初中案例库", slug="junior-cases")
    assert WorkflowPage.objects.get(page=another).workflow.name == "案例审核"
    assert CaseIndexPage.objects.get(pk=another.pk).get_workflow().name == "案例审核"


def test_a_case_with_an_id_number_is_rejected_with_the_findings(client, lecturer, index):
    case = draft_case(index, lecturer, background=f"<p>小A的身份证号是{ID_NUMBER}。</p>")
    client.force_login(lecturer)

    response = submit_in_admin(client, case)

    assert response.status_code == 302
    state = _workflow_state(case)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state = _last_task_state(case)
    assert task_state.task.specific.__class__ is PrivacyCheckTask
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.finished_by is None  # nobody acted: the check did
    assert ID_NUMBER in task_state.comment
    scan = CasePrivacyScan.objects.get(revision=task_state.revision)
    assert scan.finding_count >= 1
    kinds = {item["kind"] for item in scan.findings}
    assert "id_card" in kinds
    finding = next(item for item in scan.findings if item["kind"] == "id_card")
    assert finding["field"] == "background"
    assert finding["text"] == ID_NUMBER
    assert finding["kind_label"] in task_state.comment
    case.refresh_from_db()
    assert not case.live
    assert case.privacy_scan_result["count"] == scan.finding_count
    assert case.privacy_scanned_at is not None


def test_a_case_with_a_full_name_and_phone_is_rejected(client, lecturer, index):
    case = draft_case(
        index,
        lecturer,
        background=f"<p>{FULL_NAME}的妈妈留下了手机号{PHONE}，希望导师多联系。</p>",
    )
    client.force_login(lecturer)
    submit_in_admin(client, case)

    task_state = _last_task_state(case)
    assert task_state.status == TaskState.STATUS_REJECTED
    scan = CasePrivacyScan.objects.get(revision=task_state.revision)
    found = {(item["kind"], item["text"]) for item in scan.findings}
    assert ("phone", PHONE) in found
    assert any(kind == "person_name" and FULL_NAME in text for kind, text in found)
    assert PHONE in task_state.comment and FULL_NAME in task_state.comment


def test_fix_resubmit_approve_publishes(client, lecturer, reviewer, index):
    case = draft_case(index, lecturer, background=f"<p>小A的身份证号是{ID_NUMBER}。</p>")
    client.force_login(lecturer)
    submit_in_admin(client, case)
    assert _workflow_state(case).status == WorkflowState.STATUS_NEEDS_CHANGES

    # The author removes the ID number and resubmits: the check passes, the reviewer is next.
    submit_in_admin(client, case, background=CLEAN_BACKGROUND)
    state = _workflow_state(case)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    current = state.current_task_state
    assert current.task.name == "审核员审核"
    privacy_states = TaskState.objects.filter(workflow_state=state, task__name="隐私检查").order_by(
        "id"
    )
    assert [s.status for s in privacy_states] == [
        TaskState.STATUS_REJECTED,
        TaskState.STATUS_APPROVED,
    ]
    assert privacy_states[1].comment == _("No personal data found.")
    case.refresh_from_db()
    assert not case.live

    client.force_login(reviewer)
    response = approve_in_admin(client, case)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.live
    assert "小A是初二学生" in case.background
    assert ID_NUMBER not in case.background
    assert _workflow_state(case).status == WorkflowState.STATUS_APPROVED
    assert case.privacy_scan_result["count"] == 0


def test_a_clean_case_goes_straight_to_the_reviewer(client, lecturer, index):
    case = draft_case(index, lecturer)
    client.force_login(lecturer)
    submit_in_admin(client, case)
    state = _workflow_state(case)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "审核员审核"


def test_personal_data_added_after_a_request_for_changes_is_caught_at_approval(
    client, lecturer, reviewer, index
):
    """The reviewer sends a clean case back; the author's fix adds a phone number and goes
    straight back to the reviewer's task — approving re-checks and refuses to publish."""
    case = draft_case(index, lecturer)
    client.force_login(lecturer)
    submit_in_admin(client, case)
    client.force_login(reviewer)
    reject_in_admin(client, case)
    assert _workflow_state(case).status == WorkflowState.STATUS_NEEDS_CHANGES

    client.force_login(lecturer)
    submit_in_admin(client, case, background=f"<p>家长电话{PHONE}。</p>")
    state = _workflow_state(case)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "审核员审核"

    client.force_login(reviewer)
    approve_in_admin(client, case)

    case.refresh_from_db()
    assert not case.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = state.current_task_state
    assert rejected.status == TaskState.STATUS_REJECTED
    assert PHONE in rejected.comment


def test_a_reviewer_edit_with_personal_data_is_not_published(client, lecturer, reviewer, index):
    """Approving from the editor saves the reviewer's changes first; the re-check sees them."""
    from .workflow_helpers import case_edit_post_data

    case = draft_case(index, lecturer)
    client.force_login(lecturer)
    submit_in_admin(client, case)

    client.force_login(reviewer)
    data = case_edit_post_data(case, background=f"<p>补充：身份证{ID_NUMBER}</p>")
    data["action-workflow-action"] = "true"
    data["workflow-action-name"] = "approve"
    data["workflow-action-extra-data"] = "{}"
    from django.urls import reverse

    client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), data)

    case.refresh_from_db()
    assert not case.live
    assert _workflow_state(case).status == WorkflowState.STATUS_NEEDS_CHANGES


def test_an_unreadable_revision_is_rejected_with_a_clear_message(lecturer, index):
    case = draft_case(index, lecturer)
    revision = case.get_latest_revision()
    revision.content = {key: value for key, value in revision.content.items() if key != "pk"}
    revision.save(update_fields=["content"])

    state = case.get_workflow().start(case, lecturer)

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state = state.current_task_state
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == _(
        "The submitted version could not be read, so it could not be checked for "
        "personal data. Open the case, save it again and resubmit it."
    )
    assert not CasePage.objects.get(pk=case.pk).live


def test_the_author_is_told_at_once_that_the_check_sent_the_case_back(client, lecturer, index):
    from .workflow_helpers import messages_of

    case = draft_case(index, lecturer, background=f"<p>电话{PHONE}</p>")
    client.force_login(lecturer)
    response = submit_in_admin(client, case)
    scan = CasePrivacyScan.objects.get(page=case)
    assert _(
        "The privacy check found %(count)d item(s) of personal data and sent the "
        "case back. See the Privacy check panel in the editor."
    ) % {"count": scan.finding_count} in messages_of(response)


def test_creating_and_submitting_a_case_in_the_admin(client, lecturer, index):
    from django.urls import reverse

    from .workflow_helpers import new_case_post_data

    client.force_login(lecturer)
    url = reverse("wagtailadmin_pages:add", args=["casebank", "casepage", index.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        _("Not checked yet. The privacy check runs when the case is submitted for review.") in html
    )
    assert 'name="action-publish"' not in html

    data = new_case_post_data(background=f"<p>小A的身份证号{ID_NUMBER}</p>")
    data["action-submit"] = "Submit"
    client.post(url, data)

    case = CasePage.objects.get(slug="brand-new-case")
    assert case.owner_id == lecturer.pk and not case.live
    assert _workflow_state(case).status == WorkflowState.STATUS_NEEDS_CHANGES


def test_done_when_a_lecturers_case_with_a_name_and_phone_ends_up_published_and_found(
    client, lecturer, reviewer, teacher_a, index
):
    """Issue 6's "done when": the lecturer's case naming a student with a phone number is
    sent back and cannot be published; anonymised with one click it passes, the reviewer
    publishes it, and the Chinese search finds it."""
    from django.urls import reverse

    from .workflow_helpers import case_edit_post_data

    case = draft_case(
        index,
        lecturer,
        title="沉迷短视频的夜晚",
        background=f"<p>{FULL_NAME}每天深夜刷短视频，妈妈的手机号是{PHONE}。</p>",
    )
    client.force_login(lecturer)
    submit_in_admin(client, case)
    assert _workflow_state(case).status == WorkflowState.STATUS_NEEDS_CHANGES

    publish = case_edit_post_data(case)
    publish["action-publish"] = "action-publish"
    client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), publish)
    assert not CasePage.objects.get(pk=case.pk).live

    client.post(reverse("casebank_case_redact", args=[case.pk]))
    submit_in_admin(client, CasePage.objects.get(pk=case.pk))
    assert _workflow_state(case).current_task_state.task.name == "审核员审核"

    client.force_login(reviewer)
    approve_in_admin(client, case)
    case = CasePage.objects.get(pk=case.pk)
    assert case.live
    assert FULL_NAME not in case.background and PHONE not in case.background

    client.force_login(teacher_a)
    response = client.get("/search/", {"q": "短视频"})
    assert [item["page"].pk for item in response.context["results"]] == [case.pk]


def test_an_admin_author_is_notified_with_a_link_to_the_editor(client, lecturer, index):
    from django.urls import reverse

    from people.models import Notification

    case = draft_case(index, lecturer, background=f"<p>电话{PHONE}</p>")
    client.force_login(lecturer)
    submit_in_admin(client, case)
    notification = Notification.objects.get(user=lecturer)
    assert notification.url == reverse("wagtailadmin_pages:edit", args=[case.pk])
