"""Writes of the case bank's review workflow: privacy checks of revisions, placeholder
redaction, the workflow on each case index, and contribution credit on first publication."""

import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission, Page, Revision, Workflow, WorkflowPage

from people import roles

from .models import CaseAuthor, CaseCredit, CaseIndexPage, CasePage, CasePrivacyScan
from .models.workflow import PrivacyCheckTask
from .signals import case_published

logger = logging.getLogger(__name__)

REDACT_LOG_ACTION = "casebank.privacy_redact"

# Page-tree rights on each case library (the home page grants the same today; granting them
# on the library too keeps cases working if the home page's grants are ever narrowed).
# Lecturers may add and edit cases but never publish one: cases go live only through the
# 案例审核 workflow, which reviewers finish.
CASE_INDEX_PAGE_PERMISSIONS = {
    roles.LECTURER: ["add_page", "change_page"],
    roles.REVIEWER: ["change_page", "publish_page"],
    roles.DISTRICT_ADMIN: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


# --- privacy checks ----------------------------------------------------------------------


def findings_payload(field_findings) -> list[dict]:
    """The scanner's FieldFindings as plain data for the database and the editor panel."""
    payload = []
    for item in field_findings:
        finding = item.finding
        payload.append(
            {
                "field": item.field,
                "field_label": str(item.field_label),
                "block_path": item.block_path or "",
                "kind": finding.kind,
                "kind_label": str(finding.label),
                "text": finding.text,
            }
        )
    return payload


def privacy_findings_comment(findings: list[dict]) -> str:
    """The rejection comment: every finding with where it is, what it is and the text."""
    lines = [
        _(
            "The privacy check found %(count)d item(s) of personal data. Replace them "
            "(for example with 小A, 学生甲, 王同学) and submit again:"
        )
        % {"count": len(findings)}
    ]
    for number, item in enumerate(findings, start=1):
        where = item["field_label"]
        if item.get("block_path"):
            where = f"{where} ({item['block_path']})"
        lines.append(
            _("%(number)d. %(where)s · %(kind)s: “%(text)s”")
            % {"number": number, "where": where, "kind": item["kind_label"], "text": item["text"]}
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class PrivacyCheckOutcome:
    scan: CasePrivacyScan | None
    error: str = ""
    unreadable: bool = False

    @property
    def passed(self) -> bool:
        return self.scan is not None and self.scan.finding_count == 0


def case_revision_privacy_check(*, revision: Revision, trigger: str) -> PrivacyCheckOutcome:
    """Scan one revision of a case and record the result on the revision (its stored content
    carries privacy_scanned_at / privacy_scan_result, so whatever is built from it later —
    the editor, the published page — shows the check of that very revision) and on the
    case's row. A revision that cannot be loaded or scanned fails closed."""
    from .privacy import scan_page

    try:
        page = revision.as_object()
    except Exception:
        logger.exception("privacy check: revision %s could not be loaded", revision.pk)
        return PrivacyCheckOutcome(
            scan=None,
            error=_(
                "The submitted version could not be read, so it could not be checked for "
                "personal data. Open the case, save it again and resubmit it."
            ),
            unreadable=True,
        )
    if not isinstance(page, CasePage):
        return PrivacyCheckOutcome(
            scan=None, error=_("Only cases can pass the privacy check of the case review.")
        )
    try:
        findings = findings_payload(scan_page(page))
    except Exception:
        logger.exception("privacy check: scanning revision %s failed", revision.pk)
        return PrivacyCheckOutcome(
            scan=None,
            error=_(
                "The privacy check could not scan this version. Submit it again; if it keeps "
                "failing, ask the platform administrator."
            ),
        )
    scanned_at = timezone.now()
    with transaction.atomic():
        scan, _created = CasePrivacyScan.objects.update_or_create(
            revision=revision,
            defaults={
                "page_id": page.pk,
                "trigger": trigger,
                "scanned_at": scanned_at,
                "findings": findings,
                "finding_count": len(findings),
            },
        )
        result = {"revision": revision.pk, "count": len(findings), "findings": findings}
        content = dict(revision.content)
        content["privacy_scanned_at"] = DjangoJSONEncoder().default(scanned_at)
        content["privacy_scan_result"] = result
        Revision.objects.filter(pk=revision.pk).update(content=content)
        revision.content = content
        CasePage.objects.filter(pk=page.pk).update(
            privacy_scanned_at=scanned_at, privacy_scan_result=result
        )
    return PrivacyCheckOutcome(scan=scan)


def privacy_check_task_run(*, task_state) -> None:
    """PrivacyCheckTask's whole job, on the revision the task state was started for. The
    workflow state moves on (or to "needs changes") when the task returns."""
    outcome = case_revision_privacy_check(
        revision=task_state.revision, trigger=CasePrivacyScan.Trigger.SUBMISSION
    )
    if outcome.passed:
        task_state.approve(user=None, update=False, comment=_("No personal data found."))
    elif outcome.scan is not None:
        task_state.reject(
            user=None, update=False, comment=privacy_findings_comment(outcome.scan.findings)
        )
    elif outcome.unreadable:
        _task_state_reject_unreadable(task_state, comment=outcome.error)
    else:
        task_state.reject(user=None, update=False, comment=outcome.error)


def _task_state_reject_unreadable(task_state, *, comment: str) -> None:
    """TaskState.reject without its log entry, which would load the unreadable revision
    again and fail; the rejection is logged against the case as it is stored instead."""
    from wagtail.models import TaskState
    from wagtail.signals import task_rejected

    task_state.status = TaskState.STATUS_REJECTED
    task_state.finished_at = timezone.now()
    task_state.finished_by = None
    task_state.comment = comment
    task_state.save()
    page = Page.objects.get(pk=task_state.workflow_state.object_id).specific
    log(
        instance=page,
        action="wagtail.workflow.reject",
        data={
            "workflow": {
                "id": task_state.workflow_state.workflow_id,
                "title": task_state.workflow_state.workflow.name,
                "status": task_state.status,
                "task_state_id": task_state.pk,
                "task": {"id": task_state.task_id, "title": task_state.task.name},
                "next": None,
            },
            "comment": comment,
        },
    )
    task_rejected.send(
        sender=task_state.specific.__class__, instance=task_state.specific, user=None
    )


def case_review_begin(*, task_state) -> bool:
    """Lock the case for a reviewer's action: two reviewers acting at once (or one double
    click) act once, and no editor saves a revision between the re-check and the publish.
    False when the task state was finished meanwhile."""
    from wagtail.models import TaskState

    Page.objects.select_for_update().filter(pk=int(task_state.workflow_state.object_id)).first()
    task_state.refresh_from_db(fields=["status"])
    return task_state.status == TaskState.STATUS_IN_PROGRESS


def case_review_recheck(*, task_state) -> bool:
    """Before a reviewer's approval publishes: check the revision that would be published
    (the latest). False — and the task sent back to the author with the findings — when it
    holds personal data or cannot be checked. Runs under `case_review_begin`'s lock."""
    page_id = int(task_state.workflow_state.object_id)
    revision = (
        Revision.page_revisions.filter(object_id=str(page_id))
        .order_by("-created_at", "-id")
        .first()
    )
    if revision is None:
        return True
    outcome = case_revision_privacy_check(
        revision=revision, trigger=CasePrivacyScan.Trigger.APPROVAL
    )
    if outcome.passed:
        return True
    if outcome.unreadable:
        _task_state_reject_unreadable(task_state, comment=outcome.error)
        task_state.workflow_state.update(user=None)
        return False
    comment = (
        privacy_findings_comment(outcome.scan.findings)
        if outcome.scan is not None
        else outcome.error
    )
    task_state.reject(user=None, comment=comment)
    return False


def case_latest_privacy_scan(*, page_id: int) -> CasePrivacyScan | None:
    return (
        CasePrivacyScan.objects.filter(page_id=page_id)
        .select_related("revision")
        .order_by("-scanned_at", "-id")
        .first()
    )


def case_redact(*, page_id: int, user) -> int:
    """Replace every finding in the latest revision of a case by its placeholder and save the
    result as a new (unpublished) revision, for an editor of the case. Returns how many
    spans were replaced."""
    with transaction.atomic():
        real = CasePage.objects.select_for_update().filter(pk=page_id).first()
        if real is None:
            raise CasePage.DoesNotExist
        if not real.permissions_for_user(user).can_edit():
            raise PermissionDenied
        lock = real.get_lock()
        if lock is not None and lock.for_user(user):
            raise PermissionDenied(_("The case is locked; it cannot be changed now."))
        return case_redact_latest_revision(case=real, user=user)


def case_redact_latest_revision(*, case: CasePage, user) -> int:
    """The redaction itself; the caller has checked who may do it and holds the case's row
    lock. The new revision is checked at once, so the editor shows what is left."""
    from .privacy import redact_page

    with transaction.atomic():
        page = case.get_latest_revision_as_object()
        replaced = redact_page(page)
        if not replaced:
            return 0
        revision = page.save_revision(user=user, log_action=False, clean=False)
        log(
            instance=page,
            action=REDACT_LOG_ACTION,
            user=user,
            revision=revision,
            data={"replaced": replaced},
        )
        case_revision_privacy_check(revision=revision, trigger=CasePrivacyScan.Trigger.REDACTION)
    return replaced


# --- the workflow on each case library ---------------------------------------------------


def case_review_workflow() -> Workflow | None:
    """The 案例审核 workflow: the active one that starts with the privacy check."""
    return (
        Workflow.objects.filter(
            active=True, workflow_tasks__task__in=PrivacyCheckTask.objects.values("pk")
        )
        .order_by("pk")
        .first()
    )


def case_index_attach_workflow(*, index: CaseIndexPage) -> None:
    """Put a case library under the 案例审核 workflow and grant the roles their rights on it."""
    workflow = case_review_workflow()
    with transaction.atomic():
        if workflow is not None:
            WorkflowPage.objects.get_or_create(page_id=index.pk, defaults={"workflow": workflow})
        for role, codenames in CASE_INDEX_PAGE_PERMISSIONS.items():
            group = Group.objects.filter(name=role).first()
            if group is None:
                continue
            for permission in Permission.objects.filter(
                content_type__app_label="wagtailcore", codename__in=codenames
            ):
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=index.pk, permission=permission
                )


# --- contribution credit -----------------------------------------------------------------


def case_publish_credit(*, case: CasePage) -> list[CaseCredit]:
    """On a case's publication after an approved review: one CaseCredit per author not yet
    credited, and `case_published` for each, inside the caller's (publishing) transaction.
    Authors are the CaseAuthor rows, or the page owner when there are none."""
    from wagtail.models import WorkflowState

    if (
        not WorkflowState.objects.for_instance(case)
        .filter(status=WorkflowState.STATUS_APPROVED)
        .exists()
    ):
        return []
    index = CaseIndexPage.objects.filter(
        path=case.path[: -Page.steplen], depth=case.depth - 1
    ).first()
    if index is None:
        return []
    author_ids = list(
        CaseAuthor.objects.filter(page_id=case.pk)
        .order_by("sort_order", "pk")
        .values_list("user_id", flat=True)
    )
    if not author_ids and case.owner_id:
        author_ids = [case.owner_id]
    published_at = case.last_published_at or timezone.now()
    credited = []
    with transaction.atomic():
        for author_id in dict.fromkeys(author_ids):
            try:
                with transaction.atomic():
                    credit = CaseCredit.objects.create(
                        case_id=case.pk,
                        author_id=author_id,
                        points=index.credit_points,
                        hours=index.credit_hours,
                        category=index.credit_category,
                        level=index.credit_level,
                        published_at=published_at,
                    )
            except IntegrityError:
                continue  # credited before: a republish or a repeated approval
            credited.append(credit)
            case_published.send(
                sender=CasePage,
                case=case,
                author=credit.author,
                points=credit.points,
                hours=credit.hours,
                category=credit.category,
                level=credit.level,
                published_at=published_at,
            )
    return credited
