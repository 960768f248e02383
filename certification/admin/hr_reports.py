"""Admin screens of the HR report (人事报表, /admin/hr-reports/): per-teacher 学分 and 学时 in a
cycle with the requirement and mentor qualification, filtered and sorted, and its XLSX.

Read-only: the only POST is "export". HR and district admins see every school; a school
admin sees their own school whatever ?school= says. An export of up to HR_EXPORT_INLINE_MAX
teachers downloads at once; a larger one becomes a ReportExport job (Celery) with a progress
page, and only the person who asked (or a district admin) may poll or download it.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, include, path, reverse, reverse_lazy
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.choices import CreditCategory, Level
from people.models import ProfessionalTitle, School, Stage

from ..models import JobStatus, ReportExport
from ..selectors import coverage
from ..selectors import hr_reports as report
from ..services import hr_reports as services

app_name = "certification_hr_reports"
TEACHERS_PER_PAGE = 50
RECENT_EXPORTS = 10
ADD_EXPORT_PERMISSION = "certification.add_reportexport"


def hr_report_view(view):
    """Resolve the person's scope (HR, district admin, school admin; 403 for anyone else) and
    answer refusals with a plain 403 rather than Wagtail's redirect."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            scope = coverage.dashboard_scope_for(request.user)
            if scope is None:
                raise PermissionDenied
            return view(request, scope, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


class HRReportForm(forms.Form):
    """The filters (GET on the page, POSTed again by the export button)."""

    cycle = forms.TypedChoiceField(label=gettext_lazy("Credit cycle"), coerce=int, required=False)
    school = forms.ChoiceField(label=gettext_lazy("School"), required=False)
    title = forms.ChoiceField(label=gettext_lazy("Professional title"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Credit category"), required=False)
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, cycles, schools, fixed_school):
        super().__init__(data)
        blank = [("", "—")]
        self.fields["cycle"].choices = [(cycle.pk, str(cycle)) for cycle in cycles]
        self.fields["school"].choices = [("", _("All schools"))] + [
            (school.code, f"{school.code} {school.name}") for school in schools
        ]
        if fixed_school is not None:
            self.fields["school"].disabled = True
        self.fields["title"].choices = blank + ProfessionalTitle.choices
        self.fields["stage"].choices = blank + Stage.choices
        self.fields["category"].choices = [("", _("All categories")), *CreditCategory.choices]
        self.fields["sort"].choices = [
            (f"{prefix}{key}", key) for key in report.SORTS for prefix in ("", "-")
        ]


def _filters(
    scope, data, cycles
) -> tuple[report.HRReportFilters | None, HRReportForm, School | None]:
    """The filters the person asked for, within their scope, and the chosen school; invalid
    values are ignored (and shown as form errors), never a 500. No filters when there is no
    cycle at all."""
    fixed_school = None
    if not scope.all_schools:
        fixed_school = School.objects.filter(pk=scope.own_school_id).first()
        if fixed_school is None:
            raise PermissionDenied
        schools = [fixed_school]
    else:
        schools = list(School.objects.order_by("code").only("code", "name"))
    form = HRReportForm(data, cycles=cycles, schools=schools, fixed_school=fixed_school)
    form.is_valid()
    values = form.cleaned_data
    by_code = {school.code: school for school in schools}
    school = fixed_school or by_code.get(values.get("school") or "")
    by_pk = {cycle.pk: cycle for cycle in cycles}
    cycle = by_pk.get(values.get("cycle")) or report.current_cycle(cycles)
    if cycle is None:
        return None, form, school
    filters = report.HRReportFilters(
        cycle=cycle,
        school_id=school.pk if school else None,
        title=values.get("title") or "",
        stage=values.get("stage") or "",
        category=values.get("category") or "",
        sort=report.sort_or_default(values.get("sort")),
    )
    return filters, form, school


def _filter_params(filters: report.HRReportFilters, school: School | None) -> dict:
    return {
        "cycle": filters.cycle.pk,
        "school": school.code if school else "",
        "title": filters.title,
        "stage": filters.stage,
        "category": filters.category,
        "sort": filters.sort,
    }


def _query(filters: report.HRReportFilters, school: School | None, **overrides) -> str:
    params = {**_filter_params(filters, school), **overrides}
    return urlencode({key: value for key, value in params.items() if value})


def _transcript_url(teacher_id: int, cycle_id: int) -> str | None:
    """The transcript admin page (certification.admin.transcripts), when it is installed."""
    try:
        return f"{reverse('certification_transcripts:detail', args=[teacher_id])}?cycle={cycle_id}"
    except NoReverseMatch:
        return None


def _header(title: str, *crumbs) -> dict:
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "table",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(f"{app_name}:index"), "label": _("HR credit report")},
            *crumbs,
        ],
    }


@hr_report_view
@require_GET
def index(request, scope):
    cycles = report.report_cycles()
    filters, form, school = _filters(scope, request.GET, cycles)
    context = {"form": form, "scope": scope, **_header(_("HR credit report"))}
    context["exports"] = list(
        report.report_exports_visible_to(request.user).filter(requested_by=request.user)[
            :RECENT_EXPORTS
        ]
    )
    if filters is None:
        return TemplateResponse(request, "certification/admin/hr_reports/index.html", context)
    teachers = report.hr_report_teachers(filters)
    page = Paginator(teachers, TEACHERS_PER_PAGE).get_page(request.GET.get("p"))
    rows = report.hr_report_rows_for(list(page.object_list), filters)
    transcript_urls = {
        row.teacher.pk: _transcript_url(row.teacher.pk, filters.cycle.pk) for row in rows
    }
    headers = []
    for key, label in (("staff_no", _("Teacher")), ("school", _("School")), ("points", None)):
        current = filters.sort.removeprefix("-") == key
        descending = filters.sort.startswith("-")
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?"
                + _query(
                    filters,
                    school,
                    sort=f"-{key}" if current and not descending else key,
                ),
                "sorted": ("descending" if descending else "ascending") if current else "none",
            }
        )
    context.update(
        {
            "filters": filters,
            "cycle": filters.cycle,
            "category_label": CreditCategory(filters.category).label if filters.category else "",
            "summary": report.hr_report_summary(filters, teachers_count=page.paginator.count),
            "rows": [
                {"row": row, "transcript_url": transcript_urls.get(row.teacher.pk)} for row in rows
            ],
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "page_query": _query(filters, school),
            "sort_headers": {header["key"]: header for header in headers},
            "category_labels": CreditCategory.labels,
            "level_labels": Level.labels,
            "inline_max": settings.HR_EXPORT_INLINE_MAX,
            "export_hidden": _filter_params(filters, school),
        }
    )
    return TemplateResponse(request, "certification/admin/hr_reports/index.html", context)


@hr_report_view
@require_POST
def export(request, scope):
    """The XLSX of every filtered teacher: at once up to HR_EXPORT_INLINE_MAX, else a job.
    Background jobs need the export permission (HR, district admin); a school admin's
    report is one school, which is always written at once."""
    cycles = report.report_cycles()
    filters, _form, _school = _filters(scope, request.POST, cycles)
    if filters is None:
        messages.error(request, _("There is no credit cycle to report on."))
        return redirect(f"{app_name}:index")
    count = report.hr_report_teachers(filters).count()
    if count > settings.HR_EXPORT_INLINE_MAX and request.user.has_perm(ADD_EXPORT_PERMISSION):
        job = services.report_export_create(requested_by=request.user, filters=filters)
        messages.success(
            request,
            _(
                "The export of %(count)d teachers has started; "
                "the file appears here when it is ready."
            )
            % {"count": count},
        )
        return redirect(f"{app_name}:export_detail", pk=job.pk)
    response = HttpResponse(services.hr_report_xlsx_bytes(filters), content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, services.hr_report_filename(filters)
    )
    return response


def _visible_export(request, pk) -> ReportExport:
    """Someone else's export is a 404, as if it did not exist."""
    return get_object_or_404(report.report_exports_visible_to(request.user), pk=pk)


def _status(job: ReportExport) -> dict:
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "running": job.is_running,
        "progress": job.progress_percent,
        "processed_rows": job.processed,
        "total_rows": job.total,
        "download_url": reverse(f"{app_name}:export_download", args=[job.pk])
        if job.status == JobStatus.DONE and job.file
        else "",
    }


@hr_report_view
@require_GET
def export_detail(request, scope, pk):
    job = _visible_export(request, pk)
    title = _("HR report export")
    return TemplateResponse(
        request,
        "certification/admin/hr_reports/export.html",
        {
            "job": job,
            "status": _status(job),
            **_header(title, {"url": "", "label": f"{title} #{job.pk}"}),
        },
    )


@hr_report_view
@require_GET
def export_status(request, scope, pk):
    return JsonResponse(_status(_visible_export(request, pk)))


@hr_report_view
@require_GET
def export_download(request, scope, pk):
    job = _visible_export(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404(_("This export has no file yet."))
    filename = (job.summary or {}).get("filename") or f"hr-report-{job.pk}.xlsx"
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this export is gone; export again.")) from None
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=services.XLSX_TYPE
    )


urlpatterns = [
    path("", index, name="index"),
    path("export/", export, name="export"),
    path("exports/<int:pk>/", export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", export_status, name="export_status"),
    path("exports/<int:pk>/download/", export_download, name="export_download"),
]


@hooks.register("register_admin_urls")
def register_hr_report_urls():
    return [path("hr-reports/", include((urlpatterns, app_name), namespace=app_name))]


class HRReportMenuItem(MenuItem):
    def is_shown(self, request):
        return coverage.dashboard_scope_for(request.user) is not None


@hooks.register("register_reports_menu_item")
def register_hr_report_menu_item():
    return HRReportMenuItem(
        gettext_lazy("HR credit report"),
        reverse_lazy(f"{app_name}:index"),
        name="hr-credit-report",
        icon_name="table",
        order=62,
    )
