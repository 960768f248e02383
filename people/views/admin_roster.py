"""Admin screens for the roster import: upload, progress, preview or errors, confirm, result.

District admins (and superusers) import for every school; a school admin's imports are
limited to their own school, and they see only their school's imports, by any URL.
"""

from functools import wraps
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.defaults import permission_denied
from wagtail.admin.menu import MenuItem

from people import roster, selectors, services
from people.models import RosterImport, School

ADD_PERMISSION = "people.add_rosterimport"
VIEW_PERMISSION = "people.view_rosterimport"
ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx"}
RECENT_IMPORTS = 20

app_name = "people_roster_import"


# --- Who may do what -------------------------------------------------------------------------


def roster_import_scope_for(user) -> School | None:
    """The school an upload by this person is limited to (None: every school); raises
    PermissionDenied for anyone who may not import at all."""
    if not user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    if selectors.user_is_district_admin(user):
        return None
    if selectors.user_is_school_admin(user):
        return School.objects.get(pk=user.school_id)
    raise PermissionDenied


class RosterImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(ADD_PERMISSION)


def roster_import_menu_item() -> MenuItem:
    return RosterImportMenuItem(
        gettext_lazy("Roster import"),
        reverse_lazy(f"{app_name}:index"),
        name="roster-import",
        icon_name="upload",
        order=215,
    )


# --- Views -----------------------------------------------------------------------------------


def forbidden_is_403(view):
    """Answer PermissionDenied with a plain 403: Wagtail would turn it into a redirect to the
    dashboard with a message, which hides from scripts and tests that access was refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_SUFFIXES))}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a CSV (.csv) or Excel (.xlsx) file."))
        limit = settings.ROSTER_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": limit // 2**20}
            )
        return upload


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Roster import")},
        *items,
    ]


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def index(request):
    scope = roster_import_scope_for(request.user)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
    else:
        form = RosterUploadForm()
    if form.is_bound and form.is_valid():
        roster_import = services.roster_import_create(
            uploaded_file=form.cleaned_data["file"],
            uploaded_by=request.user,
            school_scope=scope,
        )
        return redirect(f"{app_name}:detail", pk=roster_import.pk)
    title = _("Roster import")
    return TemplateResponse(
        request,
        "people/admin/roster_index.html",
        {
            "form": form,
            "scope": scope,
            "imports": list(selectors.roster_imports_visible_to(request.user)[:RECENT_IMPORTS]),
            "required_columns": roster.REQUIRED_COLUMNS,
            "optional_columns": list(roster.OPTIONAL_USER_FIELDS),
            "max_rows": settings.ROSTER_IMPORT_MAX_ROWS,
            "max_megabytes": settings.ROSTER_IMPORT_MAX_BYTES // 2**20,
            "page_title": title,
            "header_title": title,
            "header_icon": "upload",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


def _get_visible_import(request, pk) -> RosterImport:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(selectors.roster_imports_visible_to(request.user), pk=pk)


@forbidden_is_403
@require_GET
def detail(request, pk):
    roster_import = _get_visible_import(request, pk)
    summary = roster_import.summary or {}
    error_count = summary.get("error_count", len(roster_import.errors))
    return TemplateResponse(
        request,
        "people/admin/roster_detail.html",
        {
            "roster_import": roster_import,
            "status": _status(roster_import),
            "summary": summary,
            "errors": roster_import.errors,
            "error_count": error_count,
            "errors_truncated": error_count > len(roster_import.errors),
            "warnings": summary.get("warnings", []),
            "changes": summary.get("changes", []),
            "more_changes": max(
                0,
                summary.get("created", 0)
                + summary.get("updated", 0)
                - len(summary.get("changes", [])),
            ),
            "may_confirm": roster_import.status == RosterImport.Status.VALID
            and request.user.has_perm(ADD_PERMISSION),
            "page_title": _("Roster import"),
            "header_title": roster_import.original_name,
            "header_icon": "upload",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": roster_import.original_name}),
        },
    )


@forbidden_is_403
@require_GET
def status(request, pk):
    roster_import = _get_visible_import(request, pk)
    return JsonResponse(_status(roster_import))


@forbidden_is_403
@require_POST
def confirm(request, pk):
    roster_import_scope_for(request.user)
    roster_import = _get_visible_import(request, pk)
    if services.roster_import_confirm(roster_import_id=roster_import.pk, applied_by=request.user):
        messages.success(request, _("The import has started."))
    else:
        messages.warning(request, _("This import is not waiting for confirmation."))
    return redirect(f"{app_name}:detail", pk=roster_import.pk)


@forbidden_is_403
@require_GET
def template(request):
    roster_import_scope_for(request.user)
    header = ",".join(roster.COLUMNS) + "\r\n"
    response = HttpResponse(header.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response


def _status(roster_import: RosterImport) -> dict:
    running = roster_import.is_running
    # Applying is one transaction: nothing to count until it commits.
    determinate = roster_import.status != RosterImport.Status.APPLYING
    return {
        "status": roster_import.status,
        "label": str(roster_import.get_status_display()),
        "running": running,
        "progress": roster_import.progress_percent if determinate else None,
        "processed_rows": roster_import.processed_rows,
        "total_rows": roster_import.total_rows,
    }


urlpatterns = [
    path("", index, name="index"),
    path("template.csv", template, name="template"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/status/", status, name="status"),
    path("<int:pk>/confirm/", confirm, name="confirm"),
]
