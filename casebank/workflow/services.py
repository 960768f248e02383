"""Teachers' case submissions from the front end (投稿案例): create a draft case under a
case library with the teacher as owner and author and start the 案例审核 workflow; after a
rejection, save the teacher's corrections as a new revision and resubmit. Both are safe to
post twice."""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.models import Page, WorkflowState

from ..models import CaseAuthor, CaseIndexPage, CasePage, ProblemCategory
from ..services import case_redact_latest_revision

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class CaseSubmissionData:
    """What a teacher types; the text fields are plain text, one paragraph per line."""

    title: str
    summary: str
    stages: list[str]
    grade_band: str
    category_ids: list[int]
    background: str
    process: str | None  # None: leave the process as it is (it has structured blocks)
    strategies: str
    reflection: str
    outcome: str
    privacy_attested: bool


def text_to_html(text: str) -> str:
    """Plain text → rich text: each non-empty line a paragraph, everything escaped."""
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def text_to_process(text: str) -> list[dict]:
    return [
        {"type": "paragraph", "value": f"<p>{escape(line.strip())}</p>"}
        for line in text.splitlines()
        if line.strip()
    ]


def _apply(page: CasePage, data: CaseSubmissionData) -> None:
    page.title = data.title
    page.draft_title = data.title
    page.summary = data.summary
    page.stages = list(data.stages)
    page.grade_band = data.grade_band
    page.categories = list(ProblemCategory.objects.filter(pk__in=data.category_ids))
    page.background = text_to_html(data.background)
    if data.process is not None:
        page.process = text_to_process(data.process)
    page.strategies = text_to_html(data.strategies)
    page.reflection = text_to_html(data.reflection)
    page.outcome = text_to_html(data.outcome)
    page.privacy_attested = data.privacy_attested


def submission_slug(token: str) -> str:
    return f"case-{token[:16]}"


def case_submission_create(
    *, user, index: CaseIndexPage, data: CaseSubmissionData, token: str
) -> tuple[CasePage, bool]:
    """A new draft case under `index`, owned and authored by `user`, submitted to the
    review workflow (whose privacy check runs at once). The form's one-time token names
    the case, so a second post of the same form returns the first case: (case, False)."""
    if not TOKEN_PATTERN.match(token or ""):
        raise ValidationError(_("The form has expired. Open it again and resubmit."))
    slug = submission_slug(token)
    with transaction.atomic():
        # Serialise submissions under this library: the slug check below must see the
        # other request's case.
        Page.objects.select_for_update().filter(pk=index.pk).first()
        existing = (
            CasePage.objects.filter(path__startswith=index.path, depth=index.depth + 1, slug=slug)
            .only("pk", "owner_id")
            .first()
        )
        if existing is not None:
            if existing.owner_id != user.pk:
                raise ValidationError(_("The form has expired. Open it again and resubmit."))
            return existing, False
        workflow = index.get_workflow()
        if workflow is None:
            raise ValidationError(
                _("This case library takes no submissions now. Ask the platform administrator.")
            )
        case = CasePage(owner=user, live=False, slug=slug, title=data.title)
        _apply(case, data)
        case.authors.add(CaseAuthor(user=user))
        index.add_child(instance=case)
        case.save_revision(user=user, log_action=True)
        workflow.start(case, user)
    return case, True


def case_submission_resubmit(*, user, case_id: int, data: CaseSubmissionData) -> CasePage:
    """The teacher's corrections of a case sent back to them, saved as a new revision, and
    the workflow resumed (the privacy check runs again at once)."""
    with transaction.atomic():
        case, state = _returned_case_of(user, case_id)
        page = case.get_latest_revision_as_object()
        _apply(page, data)
        if not page.live:
            page.save()
        page.save_revision(user=user, log_action=True)
        state.resume(user=user)
    return CasePage.objects.get(pk=case_id)


def _returned_case_of(user, case_id: int) -> tuple[CasePage, WorkflowState]:
    """The user's own case, locked, with its workflow state sent back for changes."""
    case = CasePage.objects.select_for_update().filter(pk=case_id).first()
    if case is None or case.owner_id != user.pk:
        raise PermissionDenied
    state = WorkflowState.objects.for_instance(case).active().first()
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        raise ValidationError(
            _("This case is not waiting for your changes (it is in review or published).")
        )
    return case, state


def case_submission_redact(*, user, case_id: int) -> int:
    """The teacher's one-tap placeholder replacement of a case sent back to them; they then
    read it over in the form and resubmit."""
    with transaction.atomic():
        case, _state = _returned_case_of(user, case_id)
        return case_redact_latest_revision(case=case, user=user)


# --- telling the submitter ---------------------------------------------------------------


def _submitter_edit_url(user, case_id: int) -> str:
    from django.urls import reverse

    if user.has_perm("wagtailadmin.access_admin"):
        return reverse("wagtailadmin_pages:edit", args=[case_id])
    return reverse("casebank_submit:edit", args=[case_id])


def case_review_notify_returned(*, workflow_state) -> None:
    """A notification (header bell) for whoever submitted a case that was sent back: the
    privacy check's count of findings, or the reviewer's request."""
    from django.utils.text import Truncator

    from people.models import Notification

    from ..models import CasePrivacyScan

    user = workflow_state.requested_by
    task_state = workflow_state.current_task_state
    if user is None or task_state is None:
        return
    case = (
        CasePage.objects.filter(pk=int(workflow_state.object_id)).only("pk", "draft_title").first()
    )
    if case is None:
        return
    scan = CasePrivacyScan.objects.filter(revision_id=task_state.revision_id).first()
    if scan is not None and scan.finding_count:
        body = _(
            "The privacy check found %(count)d item(s) of personal data. Replace them and resubmit."
        ) % {"count": scan.finding_count}
    else:
        body = Truncator(task_state.comment or "").chars(1900)
    Notification.objects.get_or_create(
        user=user,
        key=f"case-returned-{task_state.pk}",
        defaults={
            "title": _("Your case “%(title)s” was sent back") % {"title": case.draft_title},
            "body": body,
            "url": _submitter_edit_url(user, case.pk),
        },
    )


def case_review_notify_published(*, workflow_state) -> None:
    from people.models import Notification

    user = workflow_state.requested_by
    if user is None:
        return
    case = CasePage.objects.filter(pk=int(workflow_state.object_id)).first()
    if case is None or not case.live:
        return
    Notification.objects.get_or_create(
        user=user,
        key=f"case-published-{workflow_state.pk}",
        defaults={
            "title": _("Your case “%(title)s” is published") % {"title": case.title},
            "body": _("It passed the privacy check and the review; teachers can read it now."),
            "url": case.url or "",
        },
    )
