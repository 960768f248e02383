"""Admin screens for the training-record import: upload, progress, preview or errors,
confirm, result — the roster import's flow (people/views/admin_roster.py).

District admins import for every school; a school admin's imports are limited to their own
school's teachers, and they see only their school's imports, by any URL.
"""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from certification import imports
from certification.models import TrainingImport
from certification.selectors.ledger import training_imports_visible_to
from certification.services import imports as services
from cms.choices import CreditCategory, Level
from people import selectors as people_selectors
from people.models import School
from people.views.admin_roster import forbidden_is_403

ADD_PERMISSION = "certification.add_trainingimport"
VIEW_PERMISSION = "certification.view_trainingimport"
ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx"}
RECENT_IMPORTS = 20

app_name = "certification_training_import"


def training_import_scope_for(user) -> School | None:
    """The school an upload by this person is limited to (None: every school); raises
    PermissionDenied for anyone who may not import at all."""
    if not user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    if people_selectors.user_is_district_admin(user):
        return None
    if people_selectors.user_is_school_admin(user):
        return School.objects.get(pk=user.school_id)
    raise PermissionDenied


class TrainingUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Training-record file"),
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
        {"url": reverse(f"{app_name}:index"), "label": _("Training-record import")},
        *items,
    ]


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def index(request):
    scope = training_import_scope_for(request.user)
    form = TrainingUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.training_import_create(
            uploaded_file=form.cleaned_data["file"], uploaded_by=request.user, school_scope=scope
        )
        return redirect(f"{app_name}:detail", pk=job.pk)
    title = _("Training-record import")
    return TemplateResponse(
        request,
        "certification/imports/index.html",
        {
            "form": form,
            "scope": scope,
            "imports": list(training_imports_visible_to(request.user)[:RECENT_IMPORTS]),
            "required_columns": imports.REQUIRED_COLUMNS,
            "columns": imports.COLUMNS,
            "max_rows": settings.ROSTER_IMPORT_MAX_ROWS,
            "max_megabytes": settings.ROSTER_IMPORT_MAX_BYTES // 2**20,
            "page_title": title,
            "header_title": title,
            "header_icon": "upload",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


def _get_visible_import(request, pk) -> TrainingImport:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(training_imports_visible_to(request.user), pk=pk)


def _labelled(sample: list[dict]) -> list[dict]:
    categories, levels = dict(CreditCategory.choices), dict(Level.choices)
    return [
        {
            **row,
            "category_label": categories.get(row["category"], row["category"]),
            "level_label": levels.get(row["level"], row["level"]),
        }
        for row in sample
    ]


@forbidden_is_403
@require_GET
def detail(request, pk):
    job = _get_visible_import(request, pk)
    summary = job.summary or {}
    error_count = summary.get("error_count", len(job.errors))
    sample = summary.get("sample", [])
    return TemplateResponse(
        request,
        "certification/imports/detail.html",
        {
            "job": job,
            "status": _status(job),
            "summary": summary,
            "errors": job.errors,
            "error_count": error_count,
            "errors_truncated": error_count > len(job.errors),
            "warnings": summary.get("warnings", []),
            "sample": _labelled(sample),
            "more_rows": max(0, summary.get("new", 0) - len(sample)),
            "may_confirm": job.status == TrainingImport.Status.VALID
            and summary.get("new", 0) > 0
            and request.user.has_perm(ADD_PERMISSION),
            "page_title": _("Training-record import"),
            "header_title": job.original_name,
            "header_icon": "upload",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": job.original_name}),
        },
    )


@forbidden_is_403
@require_GET
def status(request, pk):
    return JsonResponse(_status(_get_visible_import(request, pk)))


@forbidden_is_403
@require_POST
def confirm(request, pk):
    training_import_scope_for(request.user)
    job = _get_visible_import(request, pk)
    if services.training_import_confirm(training_import_id=job.pk, applied_by=request.user):
        messages.success(request, _("The import has started."))
    else:
        messages.warning(request, _("This import is not waiting for confirmation."))
    return redirect(f"{app_name}:detail", pk=job.pk)


@forbidden_is_403
@require_GET
def template(request):
    training_import_scope_for(request.user)
    header = ",".join(imports.COLUMNS) + "\r\n"
    response = HttpResponse(header.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-template.csv"'
    return response


def _status(job: TrainingImport) -> dict:
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "running": job.is_running,
        # Recording is one transaction: nothing to count until it commits.
        "progress": job.progress_percent if job.status != job.Status.APPLYING else None,
        "processed_rows": job.processed_rows,
        "total_rows": job.total_rows,
    }


urlpatterns = [
    path("", index, name="index"),
    path("template.csv", template, name="template"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/status/", status, name="status"),
    path("<int:pk>/confirm/", confirm, name="confirm"),
]


class TrainingImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(ADD_PERMISSION)


@hooks.register("register_admin_urls")
def register_training_import_urls():
    import certification.admin.imports as module

    return [path("training-import/", include(module, namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_training_import_menu_item():
    return TrainingImportMenuItem(
        gettext_lazy("Training-record import"),
        reverse_lazy(f"{app_name}:index"),
        name="training-import",
        icon_name="upload",
        order=216,
    )
