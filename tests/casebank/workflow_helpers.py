"""Helpers of the review-workflow tests: a case library, draft cases, submitting through the
admin, and the reviewer's approval through the admin's workflow-action URL."""

import json

from django.urls import reverse
from wagtail.models import Page

from casebank.models import CaseAuthor, CaseIndexPage, CasePage
from tests.factories.cms import home_page, publish_child

# A resident ID number with a valid checksum, a mobile number, and a full name: what the
# privacy check must stop.
ID_NUMBER = "310229199003071232"
PHONE = "13812345678"
FULL_NAME = "王小明"

CLEAN_BACKGROUND = "<p>小A是初二学生，近期情绪低落，上课注意力不集中，与同学交往减少。</p>"


def case_index(title="案例库", slug="cases", **fields) -> CaseIndexPage:
    return publish_child(home_page(), CaseIndexPage(title=title, slug=slug, **fields))


def draft_case(index, owner, *, authors=(), background=CLEAN_BACKGROUND, **fields) -> CasePage:
    """A case saved as a draft revision by its owner (never published)."""
    fields.setdefault("title", "初二学生情绪低落的疏导")
    fields.setdefault("slug", f"case-{Page.objects.count() + 1}")
    fields.setdefault("summary", "导师通过谈心与家校沟通帮助小A走出低谷。")
    fields.setdefault("stages", ["junior"])
    case = CasePage(owner=owner, live=False, background=background, **fields)
    for user in authors:
        case.authors.add(CaseAuthor(user=user))
    index.add_child(instance=case)
    case.save_revision(user=owner)
    return CasePage.objects.get(pk=case.pk)


def case_edit_post_data(case, **overrides) -> dict:
    """The edit form's POST data for a case (its current draft values)."""
    page = case.get_latest_revision_as_object()
    values = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "stages": list(page.stages),
        "grade_band": page.grade_band,
        "background": page.background,
        "strategies": page.strategies,
        "reflection": page.reflection,
        "outcome": page.outcome,
        "privacy_attested": page.privacy_attested,
    }
    authors = [(author.pk, author.user_id) for author in page.authors.all()]
    return case_form_data({**values, **overrides}, authors=authors)


def new_case_post_data(**overrides) -> dict:
    """The create form's POST data for a new case."""
    values = {
        "title": "新案例",
        "slug": "brand-new-case",
        "summary": "导师与家长合作帮助小B适应初中生活。",
        "stages": ["junior"],
        "grade_band": "",
        "background": CLEAN_BACKGROUND,
        "privacy_attested": True,
    }
    return case_form_data({**values, **overrides}, authors=[])


def case_form_data(values: dict, *, authors) -> dict:
    data = {
        "title": values["title"],
        "slug": values["slug"],
        "summary": values["summary"],
        "stages": list(values["stages"]),
        "grade_band": values.get("grade_band") or "",
        "process-count": "0",
        "tags": "",
        "authors-TOTAL_FORMS": str(len(authors)),
        "authors-INITIAL_FORMS": str(len(authors)),
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    for field in ("background", "strategies", "reflection", "outcome"):
        data[field] = json.dumps(_rich_text_raw(values.get(field) or ""))
    for number, (author_id, user_id) in enumerate(authors):
        data[f"authors-{number}-id"] = str(author_id)
        data[f"authors-{number}-user"] = str(user_id)
        data[f"authors-{number}-ORDER"] = str(number + 1)
        data[f"authors-{number}-DELETE"] = ""
    if values.get("privacy_attested"):
        data["privacy_attested"] = "on"
    return data


def _rich_text_raw(html: str) -> dict:
    """Draftail's contentstate for plain paragraphs of html (tests only write <p>…</p>)."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    converter = ContentstateConverter(features=["bold", "italic", "ol", "ul"])
    return json.loads(converter.from_database_format(html or ""))


def submit_in_admin(client, case, **overrides):
    """Submit (or resubmit) the case for review from the editor, as the logged-in user."""
    data = case_edit_post_data(case, **overrides)
    data["action-submit"] = "Submit"
    return client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), data)


def workflow_action_url(case, action="approve"):
    case = CasePage.objects.get(pk=case.pk)
    task_state = case.current_workflow_task_state
    assert task_state is not None, "the case is not waiting on a task"
    return reverse("wagtailadmin_pages:workflow_action", args=[case.pk, action, task_state.pk])


def approve_in_admin(client, case):
    return client.post(workflow_action_url(case, "approve"), {"comment": ""})


def reject_in_admin(client, case, comment="请补充家校沟通的细节"):
    return client.post(workflow_action_url(case, "reject"), {"comment": comment})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]
