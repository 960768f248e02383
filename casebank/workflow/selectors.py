"""Reads of the teachers' submissions: 我的投稿 with each case's review state and, for one
sent back, the privacy findings or the reviewer's comment."""

import re
from dataclasses import dataclass, field
from html import unescape

from django.contrib.contenttypes.models import ContentType
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, WorkflowState

from people import roles
from people.selectors import user_has_role

from ..models import CaseIndexPage, CasePage, CasePrivacyScan, PrivacyCheckTask, ProblemCategory

MAX_SUBMISSIONS_LISTED = 200


class SubmissionState:
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    PUBLISHED = "published"
    DRAFT = "draft"

    LABELS = {
        IN_REVIEW: _("In review"),
        RETURNED: _("Returned for changes"),
        PUBLISHED: _("Published"),
        DRAFT: _("Not submitted"),
    }


@dataclass
class Submission:
    case_id: int
    title: str
    state: str
    state_label: str
    changed_at: object
    url: str = ""
    findings: list[dict] = field(default_factory=list)
    comment: str = ""

    @property
    def can_edit(self) -> bool:
        return self.state == SubmissionState.RETURNED


def user_may_submit_cases(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user, roles.TEACHER)


def case_libraries_open_for_submission() -> list[CaseIndexPage]:
    return list(CaseIndexPage.objects.live().order_by("path").only("pk", "title", "path", "depth"))


def problem_category_choices() -> list[tuple[int, str]]:
    return list(ProblemCategory.objects.order_by("sort_order", "name").values_list("pk", "name"))


def case_submissions_of(user, *, request=None) -> list[Submission]:
    """The cases `user` owns, newest change first, each with its review state. A fixed
    number of queries whatever the number of cases."""
    cases = list(
        CasePage.objects.filter(owner=user)
        .order_by("-latest_revision_created_at", "-pk")
        .only(
            "pk",
            "draft_title",
            "live",
            "url_path",
            "latest_revision_created_at",
            "path",
            "locale_id",
        )[:MAX_SUBMISSIONS_LISTED]
    )
    if not cases:
        return []
    page_type = ContentType.objects.get_for_model(Page)
    latest_state: dict[int, WorkflowState] = {}
    for state in (
        WorkflowState.objects.filter(
            base_content_type=page_type, object_id__in=[str(case.pk) for case in cases]
        )
        .select_related("current_task_state__task")
        .order_by("created_at", "pk")
    ):
        latest_state[int(state.object_id)] = state
    returned_ids = [
        page_id
        for page_id, state in latest_state.items()
        if state.status == WorkflowState.STATUS_NEEDS_CHANGES
    ]
    # The latest check of each returned case: after the teacher's placeholder replacement it
    # is that of the new draft, not of the version sent back.
    latest_scan: dict[int, CasePrivacyScan] = {}
    for scan in (
        CasePrivacyScan.objects.filter(page_id__in=returned_ids)
        .order_by("page_id", "-scanned_at", "-pk")
        .only("page_id", "revision_id", "findings", "finding_count", "scanned_at")
    ):
        latest_scan.setdefault(scan.page_id, scan)
    privacy_task_type = ContentType.objects.get_for_model(PrivacyCheckTask).pk
    submissions = []
    for case in cases:
        state = latest_state.get(case.pk)
        item = Submission(
            case_id=case.pk,
            title=case.draft_title,
            state=SubmissionState.DRAFT,
            state_label="",
            changed_at=case.latest_revision_created_at,
        )
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            item.state = SubmissionState.IN_REVIEW
        elif state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            item.state = SubmissionState.RETURNED
            task_state = state.current_task_state
            scan = latest_scan.get(case.pk)
            if scan is not None and scan.finding_count:
                item.findings = findings_for_display(scan.findings)
            elif task_state is not None and task_state.task.content_type_id != privacy_task_type:
                item.comment = task_state.comment  # the reviewer's request
        elif case.live:
            item.state = SubmissionState.PUBLISHED
            item.url = case.get_url(request=request) or ""
        item.state_label = str(SubmissionState.LABELS[item.state])
        submissions.append(item)
    return submissions


def findings_for_display(findings: list[dict]) -> list[dict]:
    """Stored findings with their labels looked up again in the current language (the
    stored ones are in the language of the check)."""
    from django.core.exceptions import FieldDoesNotExist

    from ..privacy import FindingKind

    shown = []
    for item in findings:
        item = dict(item)
        if item.get("kind") in FindingKind.values:
            item["kind_label"] = str(FindingKind(item["kind"]).label)
        try:
            verbose_name = getattr(
                CasePage._meta.get_field(item.get("field", "")), "verbose_name", ""
            )
        except FieldDoesNotExist:
            verbose_name = ""
        if verbose_name:
            item["field_label"] = str(verbose_name)
        # "process.2.text" → "block 3": where the author finds it in the editor.
        parts = (item.get("block_path") or "").split(".")
        item["block_label"] = (
            str(_("block %(number)d") % {"number": int(parts[1]) + 1})
            if len(parts) > 1 and parts[1].isdigit()
            else ""
        )
        shown.append(item)
    return shown


def html_to_lines(html: str) -> str:
    """Rich text → the plain text a teacher edits: one line per paragraph or list item."""
    parts = re.split(r"</p>|<br\s*/?>|</li>|</h\d>", html or "")
    lines = [strip_tags(part).strip() for part in parts]
    return "\n".join(unescape(line) for line in lines if line)


def process_as_text(case: CasePage) -> str | None:
    """The process as editable text, or None when it holds blocks other than paragraphs
    (added in the admin), which the phone form must not flatten."""
    blocks = list(case.process)
    if any(block.block_type != "paragraph" for block in blocks):
        return None
    return "\n".join(html_to_lines(str(block.value.source)) for block in blocks)
