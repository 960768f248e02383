"""Teachers' 投稿案例 from the front end: the form creates a draft case with the teacher as
owner and author and starts the review; 我的投稿 shows 审核中 / 被退回 (with the findings) /
已发布; a returned case is corrected and resubmitted. Double posts, CSRF and other people's
cases are handled."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import WorkflowState

from casebank.models import CaseAuthor, CasePage, ProblemCategory
from people import roles

from .workflow_helpers import ID_NUMBER, PHONE, approve_in_admin, case_index, messages_of

pytestmark = pytest.mark.django_db

SUBMIT = reverse("casebank_submit:submit")
MINE = reverse("casebank_submit:mine")


@pytest.fixture
def index(db):
    return case_index()


@pytest.fixture
def reviewer(make_user):
    return make_user(roles.REVIEWER, None, staff_no="R001", full_name="审核员林")


def _form(index, **overrides):
    data = {
        "library": str(index.pk),
        "title": "小A的考试焦虑",
        "summary": "导师通过三次谈心帮助小A缓解考试焦虑。",
        "stages": ["junior"],
        "grade_band": "j_upper",
        "categories": [str(ProblemCategory.objects.get(slug="academic-pressure").pk)],
        "background": "小A是初三学生，成绩中上。\n一模后情绪低落，晚上失眠。",
        "process": "第一次谈心：倾听。\n第二次谈心：制定复习计划。",
        "strategies": "共情、目标分解。",
        "reflection": "",
        "outcome": "二模后小A情绪稳定。",
        "privacy_attested": "on",
        "token": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def _state(case):
    return WorkflowState.objects.for_instance(case).order_by("-id").first()


def test_anonymous_users_are_sent_to_log_in(client, index):
    response = client.get(SUBMIT)
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_only_teachers_may_submit(client, school_admin_a, index):
    client.force_login(school_admin_a)
    assert client.get(SUBMIT).status_code == 403
    assert client.post(SUBMIT, _form(index)).status_code == 403
    assert client.get(MINE).status_code == 403
    assert not CasePage.objects.exists()


def test_a_teacher_submits_a_case_that_goes_to_the_reviewer(client, teacher_a, index):
    client.force_login(teacher_a)
    page = client.get(SUBMIT)
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()

    response = client.post(SUBMIT, _form(index))

    assert response.status_code == 302 and response.url == MINE
    assert _("Your case has been submitted for review.") in messages_of(response)
    case = CasePage.objects.get()
    assert not case.live
    assert case.owner_id == teacher_a.pk
    assert list(CaseAuthor.objects.filter(page=case).values_list("user_id", flat=True)) == [
        teacher_a.pk
    ]
    assert case.get_parent().pk == index.pk
    draft = case.get_latest_revision_as_object()
    assert draft.background == "<p>小A是初三学生，成绩中上。</p><p>一模后情绪低落，晚上失眠。</p>"
    assert [block.block_type for block in draft.process] == ["paragraph", "paragraph"]
    assert [c.slug for c in draft.categories.all()] == ["academic-pressure"]
    state = _state(case)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "审核员审核"

    mine = client.get(MINE).content.decode()
    assert "小A的考试焦虑" in mine
    assert _("In review") in mine


def test_posting_the_same_form_twice_creates_one_case(client, teacher_a, index):
    client.force_login(teacher_a)
    data = _form(index)
    client.post(SUBMIT, data)
    second = client.post(SUBMIT, data)
    assert CasePage.objects.count() == 1
    assert _("This case was already submitted.") in messages_of(second)


def test_rejected_case_shows_findings_then_is_corrected_and_published(
    client, teacher_a, reviewer, index
):
    client.force_login(teacher_a)
    response = client.post(
        SUBMIT, _form(index, background=f"小A的家长电话{PHONE}，身份证{ID_NUMBER}。")
    )
    assert _(
        "The privacy check found personal data in your case. Replace it and resubmit."
    ) in messages_of(response)
    case = CasePage.objects.get()
    assert _state(case).status == WorkflowState.STATUS_NEEDS_CHANGES

    mine = client.get(MINE).content.decode()
    assert _("Returned for changes") in mine
    assert f"<mark>{PHONE}</mark>" in mine and f"<mark>{ID_NUMBER}</mark>" in mine
    edit_url = reverse("casebank_submit:edit", args=[case.pk])
    assert edit_url in mine

    form_page = client.get(edit_url).content.decode()
    assert PHONE in form_page  # the teacher's text, to correct
    corrected = _form(index, background="小A的家长希望多沟通。")
    response = client.post(edit_url, corrected)
    assert response.status_code == 302
    assert _("Your case has been submitted for review.") in messages_of(response)
    assert _state(case).status == WorkflowState.STATUS_IN_PROGRESS

    # A repeated post of the correction changes nothing.
    revisions = case.revisions.count()
    again = client.post(edit_url, corrected)
    assert _(
        "This case is not waiting for your changes (it is in review or published)."
    ) in messages_of(again)
    assert case.revisions.count() == revisions

    client.force_login(reviewer)
    approve_in_admin(client, case)
    case.refresh_from_db()
    assert case.live and PHONE not in case.background

    client.force_login(teacher_a)
    mine = client.get(MINE).content.decode()
    assert _("Published") in mine
    assert f'href="{case.url}"' in mine


def test_a_teacher_cannot_edit_another_teachers_case(client, teacher_a, teacher_b, index):
    client.force_login(teacher_a)
    client.post(SUBMIT, _form(index, background=f"电话{PHONE}"))
    case = CasePage.objects.get()
    client.force_login(teacher_b)
    edit_url = reverse("casebank_submit:edit", args=[case.pk])
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, _form(index)).status_code == 404
    assert "电话" not in client.get(MINE).content.decode()


def test_invalid_forms_create_nothing(client, teacher_a, index):
    client.force_login(teacher_a)
    response = client.post(
        SUBMIT, _form(index, title="  ", privacy_attested="", stages=[], token="forged")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"title", "privacy_attested", "stages", "token"} <= set(form.errors)
    assert _("Confirm that the case is anonymised.") in form.errors["privacy_attested"]
    assert not CasePage.objects.exists()


def test_html_typed_by_a_teacher_is_escaped(client, teacher_a, index):
    client.force_login(teacher_a)
    client.post(SUBMIT, _form(index, background="<script>alert(1)</script>小A很好"))
    draft = CasePage.objects.get().get_latest_revision_as_object()
    assert "<script>" not in draft.background
    assert "&lt;script&gt;" in draft.background


def test_the_form_needs_the_csrf_token(teacher_a, index):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher_a)
    assert client.post(SUBMIT, _form(index)).status_code == 403
    assert not CasePage.objects.exists()


def test_my_submissions_query_count_does_not_grow(
    client, teacher_a, index, django_assert_max_num_queries
):
    client.force_login(teacher_a)

    def submit(count, start):
        for number in range(start, start + count):
            background = f"电话{PHONE}" if number % 2 else "小A很好。"
            client.post(SUBMIT, _form(index, title=f"案例{number}", background=background))

    submit(2, 0)
    client.get(MINE)  # warm the site-root cache
    with django_assert_max_num_queries(14):
        small = client.get(MINE)
    assert small.content.decode().count("case-submission-title") == 2

    submit(8, 2)
    with django_assert_max_num_queries(14):
        large = client.get(MINE)
    assert large.content.decode().count("case-submission-title") == 10


def test_a_teacher_replaces_the_findings_with_placeholders_and_resubmits(
    client, teacher_a, teacher_b, index
):
    from casebank.privacy import PLACEHOLDERS, FindingKind

    client.force_login(teacher_a)
    client.post(SUBMIT, _form(index, background=f"家长电话{PHONE}。"))
    case = CasePage.objects.get()
    redact_url = reverse("casebank_submit:redact", args=[case.pk])
    edit_url = reverse("casebank_submit:edit", args=[case.pk])
    assert redact_url in client.get(MINE).content.decode()

    client.force_login(teacher_b)
    assert client.post(redact_url).status_code == 404

    client.force_login(teacher_a)
    assert client.get(redact_url).status_code == 405
    response = client.post(redact_url)
    assert response.status_code == 302 and response.url == edit_url
    form_page = client.get(edit_url).content.decode()
    assert PHONE not in form_page
    assert str(PLACEHOLDERS[FindingKind.PHONE]) in form_page
    assert not CasePage.objects.get(pk=case.pk).live

    form = client.get(edit_url).context["form"]
    data = {**_form(index), **{k: v for k, v in form.initial.items() if v is not None}}
    data["categories"] = [str(pk) for pk in form.initial["categories"]]
    data["privacy_attested"] = "on"
    client.post(edit_url, data)
    assert _state(case).status == WorkflowState.STATUS_IN_PROGRESS

    # In review now: nothing left to replace by this teacher.
    again = client.post(redact_url)
    assert _(
        "This case is not waiting for your changes (it is in review or published)."
    ) in messages_of(again)


def test_a_reviewers_request_for_changes_is_shown_to_the_teacher(
    client, teacher_a, reviewer, index
):
    from .workflow_helpers import reject_in_admin

    client.force_login(teacher_a)
    client.post(SUBMIT, _form(index))
    case = CasePage.objects.get()
    client.force_login(reviewer)
    reject_in_admin(client, case, comment="请补充第二次谈心的细节")

    client.force_login(teacher_a)
    mine = client.get(MINE).content.decode()
    assert _("Returned for changes") in mine
    assert "请补充第二次谈心的细节" in mine
    assert reverse("casebank_submit:edit", args=[case.pk]) in mine
    assert "<mark>" not in mine


def test_structured_process_blocks_survive_a_teachers_correction(client, teacher_a, index):
    """A returned case whose process has blocks other than paragraphs (added in the admin)
    is corrected without the process field, so the blocks are kept."""
    import json

    client.force_login(teacher_a)
    client.post(SUBMIT, _form(index, background=f"家长电话{PHONE}。"))
    case = CasePage.objects.get()
    revision = case.get_latest_revision()
    step = {"type": "step", "value": {"heading": "家访", "text": "<p>与家长面谈。</p>"}}
    revision.content = {**revision.content, "process": json.dumps([step], ensure_ascii=False)}
    revision.save(update_fields=["content"])

    edit_url = reverse("casebank_submit:edit", args=[case.pk])
    form = client.get(edit_url).context["form"]
    assert "process" not in form.fields
    client.post(edit_url, _form(index, background="家长希望多沟通。"))

    draft = CasePage.objects.get(pk=case.pk).get_latest_revision_as_object()
    assert [block.block_type for block in draft.process] == ["step"]
    assert _state(case).status == WorkflowState.STATUS_IN_PROGRESS


def test_the_teacher_is_notified_when_the_case_is_returned_and_when_published(
    client, teacher_a, reviewer, index
):
    from people.models import Notification

    client.force_login(teacher_a)
    client.post(SUBMIT, _form(index, title="小C的午餐", background=f"家长电话{PHONE}。"))
    case = CasePage.objects.get()
    returned = Notification.objects.get(user=teacher_a)
    assert returned.title == _("Your case “%(title)s” was sent back") % {"title": "小C的午餐"}
    assert returned.url == reverse("casebank_submit:edit", args=[case.pk])
    assert returned.body == _(
        "The privacy check found %(count)d item(s) of personal data. Replace them and resubmit."
    ) % {"count": 1}

    client.post(reverse("casebank_submit:edit", args=[case.pk]), _form(index, title="小C的午餐"))
    client.force_login(reviewer)
    approve_in_admin(client, case)

    published = Notification.objects.filter(user=teacher_a).exclude(pk=returned.pk).get()
    assert published.title == _("Your case “%(title)s” is published") % {"title": "小C的午餐"}
    assert published.url == CasePage.objects.get(pk=case.pk).url
