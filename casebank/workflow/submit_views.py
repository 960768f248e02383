"""投稿案例 and 我的投稿: teachers submit cases from their phones (they have no admin) and
follow them through the review; a case sent back can be corrected and resubmitted."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page, WorkflowState

from ..models import CaseIndexPage, CasePage
from .forms import CaseSubmissionForm
from .selectors import (
    case_libraries_open_for_submission,
    case_submissions_of,
    html_to_lines,
    problem_category_choices,
    process_as_text,
    user_may_submit_cases,
)
from .services import case_submission_create, case_submission_redact, case_submission_resubmit


def _teacher_only(request):
    if not user_may_submit_cases(request.user):
        raise PermissionDenied


def _outcome_message(request, case):
    state = WorkflowState.objects.for_instance(case).order_by("-created_at", "-pk").first()
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        messages.error(
            request,
            _("The privacy check found personal data in your case. Replace it and resubmit."),
        )
    else:
        messages.success(request, _("Your case has been submitted for review."))


@login_required
@require_http_methods(["GET", "POST"])
def submit_case(request):
    _teacher_only(request)
    libraries = case_libraries_open_for_submission()
    if not libraries:
        raise Http404(_("There is no case library to submit to yet."))
    form_kwargs = {"libraries": libraries, "category_choices": problem_category_choices()}
    if request.method == "POST":
        form = CaseSubmissionForm(request.POST, **form_kwargs)
        if form.is_valid():
            index = next(lib for lib in libraries if lib.pk == form.cleaned_data["library"])
            try:
                case, created = case_submission_create(
                    user=request.user,
                    index=index,
                    data=form.submission_data(),
                    token=form.cleaned_data["token"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if created:
                    _outcome_message(request, case)
                else:
                    messages.info(request, _("This case was already submitted."))
                return redirect("casebank_submit:mine")
    else:
        form = CaseSubmissionForm(initial={"token": uuid.uuid4().hex}, **form_kwargs)
    return TemplateResponse(request, "casebank/submit/form.html", {"form": form, "editing": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit_submission(request, pk):
    _teacher_only(request)
    case = CasePage.objects.filter(pk=pk, owner=request.user).first()
    if case is None:
        raise Http404(_("No such case among your submissions."))
    draft = case.get_latest_revision_as_object()
    index = (
        CaseIndexPage.objects.filter(path=case.path[: -Page.steplen]).only("pk", "title").first()
    )
    process_text = process_as_text(draft)
    form_kwargs = {
        "libraries": [index] if index else [],
        "category_choices": problem_category_choices(),
        "process_editable": process_text is not None,
    }
    state = WorkflowState.objects.for_instance(case).active().first()
    returned = state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES
    if request.method == "POST":
        form = CaseSubmissionForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                case_submission_resubmit(
                    user=request.user, case_id=case.pk, data=form.submission_data()
                )
            except ValidationError as exc:
                messages.info(request, " ".join(exc.messages))
                return redirect("casebank_submit:mine")
            _outcome_message(request, case)
            return redirect("casebank_submit:mine")
    else:
        if not returned:
            messages.info(
                request,
                _("This case is not waiting for your changes (it is in review or published)."),
            )
            return redirect("casebank_submit:mine")
        form = CaseSubmissionForm(
            initial={
                "token": uuid.uuid4().hex,
                "library": index.pk if index else None,
                "title": draft.title,
                "summary": draft.summary,
                "stages": list(draft.stages),
                "grade_band": draft.grade_band,
                "categories": [category.pk for category in draft.categories.all()],
                "background": html_to_lines(draft.background),
                "process": process_text or "",
                "strategies": html_to_lines(draft.strategies),
                "reflection": html_to_lines(draft.reflection),
                "outcome": html_to_lines(draft.outcome),
                "privacy_attested": draft.privacy_attested,
            },
            **form_kwargs,
        )
    submissions = [
        item
        for item in case_submissions_of(request.user, request=request)
        if item.case_id == case.pk
    ]
    return TemplateResponse(
        request,
        "casebank/submit/form.html",
        {"form": form, "editing": submissions[0] if submissions else None},
    )


@login_required
@require_GET
def my_submissions(request):
    _teacher_only(request)
    return TemplateResponse(
        request,
        "casebank/submit/mine.html",
        {
            "submissions": case_submissions_of(request.user, request=request),
            "can_submit": bool(case_libraries_open_for_submission()),
        },
    )


@login_required
@require_POST
def redact_submission(request, pk):
    """全部替换为占位符 for a teacher's returned case; back to the form to read it over."""
    _teacher_only(request)
    try:
        replaced = case_submission_redact(user=request.user, case_id=pk)
    except PermissionDenied as exc:
        raise Http404(_("No such case among your submissions.")) from exc
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect("casebank_submit:mine")
    if replaced:
        messages.success(
            request,
            _("Replaced %(count)d item(s) with placeholders. Read the case over, then resubmit it.")
            % {"count": replaced},
        )
    else:
        messages.info(request, _("The latest version has no personal data to replace."))
    return redirect("casebank_submit:edit", pk)
