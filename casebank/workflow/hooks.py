"""Admin hooks of the review workflow.

Cases go live only when the 案例审核 workflow finishes: the privacy check must see every
version the public will read. Wagtail lets anyone with publish rights (here 审核员 and
区管理员, and superusers) publish a page directly from the editor, the create view, a
revision's "revert", or a bulk action, skipping its workflow; these hooks refuse each of
those for cases — for everyone, district admins and superusers included — and hide the
"Publish" button on cases. Lecturers and teachers lack publish rights anyway (Wagtail's own
checks refuse them first). Unpublishing, deleting and copying stay as Wagtail has them:
none of them puts an unchecked version live (a copy keeps only already-published content
live).
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.models import Page

from ..models import CasePage
from ..services import REDACT_LOG_ACTION
from . import views

PUBLISH_ACTION = "action-publish"


def _is_case_class(page_class) -> bool:
    return isinstance(page_class, type) and issubclass(page_class, CasePage)


def _is_case(page) -> bool:
    return isinstance(page, CasePage) or _is_case_class(getattr(page, "specific_class", None))


def _refuse_publish(request, redirect_to: str):
    messages.error(
        request,
        _(
            "Cases are published only through the case review (privacy check, then a "
            "reviewer). Submit the case for review instead."
        ),
    )
    return redirect(redirect_to)


@hooks.register("before_create_page")
def refuse_creating_a_live_case(request, parent_page, page_class):
    # Must refuse here: the create view saves the new page as live before its
    # before_publish_page hook runs.
    if request.method == "POST" and request.POST.get(PUBLISH_ACTION) and _is_case_class(page_class):
        return _refuse_publish(request, reverse("wagtailadmin_explore", args=[parent_page.pk]))
    return None


@hooks.register("before_edit_page")
def refuse_publishing_a_case_from_the_editor(request, page):
    if request.method == "POST" and request.POST.get(PUBLISH_ACTION) and _is_case(page):
        return _refuse_publish(request, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return None


@hooks.register("before_publish_page")
def refuse_publishing_a_case(request, page):
    # Backstop behind the two hooks above (any other admin view that publishes a page).
    if _is_case(page):
        return _refuse_publish(request, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_cases(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    form = getattr(action_class_instance, "cleaned_form", None)
    with_descendants = bool(form is not None and form.cleaned_data.get("include_descendants"))
    for obj in objects:
        if not isinstance(obj, Page):
            continue
        if _is_case(obj) or (
            with_descendants
            and CasePage.objects.filter(
                path__startswith=obj.path, depth__gt=obj.depth, live=False
            ).exists()
        ):
            return _refuse_publish(request, action_class_instance.next_url)
    return None


@hooks.register("construct_page_action_menu")
def hide_publish_on_cases(menu_items, request, context):
    page = context.get("page")
    if page is not None and _is_case(page):
        menu_items[:] = [item for item in menu_items if item.name != PUBLISH_ACTION]


def _report_privacy_rejection(request, page):
    """Right after "Submit": Wagtail says the case was submitted, but the privacy check may
    have sent it back already; say so, and where the findings are."""
    if request.method != "POST" or not request.POST.get("action-submit") or not _is_case(page):
        return None
    from wagtail.models import WorkflowState

    state = (
        WorkflowState.objects.for_instance(page)
        .active()
        .select_related("current_task_state")
        .first()
    )
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    from ..services import case_latest_privacy_scan

    scan = case_latest_privacy_scan(page_id=page.pk)
    if scan is not None and scan.revision_id == state.current_task_state.revision_id:
        messages.error(
            request,
            _(
                "The privacy check found %(count)d item(s) of personal data and sent the "
                "case back. See the Privacy check panel in the editor."
            )
            % {"count": scan.finding_count},
        )
    else:
        messages.error(request, state.current_task_state.comment)
    return None


hooks.register("after_edit_page", _report_privacy_rejection)
hooks.register("after_create_page", _report_privacy_rejection)


@hooks.register("register_admin_urls")
def register_case_workflow_urls():
    return [
        path(
            "casebank/cases/<int:page_id>/redact/",
            views.case_redact_view,
            name="casebank_case_redact",
        )
    ]


@hooks.register("register_log_actions")
def register_case_log_actions(actions):
    actions.register_action(
        REDACT_LOG_ACTION,
        gettext_lazy("Replace personal data with placeholders"),
        gettext_lazy("Personal data replaced with placeholders"),
    )
