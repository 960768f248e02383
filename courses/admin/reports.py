"""Admin screens: course reports (课程报表) — enrolment and progress per course, per-teacher
rows, and CSV/XLSX exports of those rows. Who sees what is decided in
`courses.selectors.reports`; these views only call it, and refuse everyone else with 403."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import exports
from ..selectors import reports

app_name = "courses_reports"
COURSES_PER_PAGE = 25
ROWS_PER_PAGE = 50
SEARCH_MAX_LENGTH = 100
EXPORTS = {"csv": exports.course_rows_csv_response, "xlsx": exports.course_rows_xlsx_response}


def _scope(request) -> reports.ReportScope:
    scope = reports.report_scope_for(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def forbidden_is_403(view):
    """A plain 403 instead of Wagtail's redirect to the dashboard, so refusals are visible."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


def _page(paginator: Paginator, request):
    # get_page turns a missing, non-numeric or too large ?p= into a valid page: no 500, no 404.
    return paginator.get_page(request.GET.get("p"))


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Course reports")},
        *items,
    ]


def _scope_note(scope: reports.ReportScope) -> str:
    if scope.all_courses:
        return _("Every course and every teacher.")
    if scope.lecturer_user_id and scope.school_id:
        return _(
            "The courses you lecture (every teacher), and your school's teachers in other courses."
        )
    if scope.lecturer_user_id:
        return _("The courses you lecture.")
    return _("Courses your school's teachers are enrolled in; only your school's teachers.")


@forbidden_is_403
@require_GET
def index(request):
    scope = _scope(request)
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    courses = reports.courses_reportable(scope).order_by("-first_published_at", "-pk")
    if query:
        courses = courses.filter(Q(title__icontains=query) | Q(code__icontains=query))
    courses = courses.only("id", "title", "code", "live", "hours")
    page = _page(Paginator(courses, COURSES_PER_PAGE), request)
    title = _("Course reports")
    return TemplateResponse(
        request,
        "courses/admin/report_index.html",
        {
            "summaries": reports.course_summaries(scope, list(page.object_list)),
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "query": query,
            "scope_note": _scope_note(scope),
            "page_title": title,
            "header_title": title,
            "header_icon": "table",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


def _course_in_scope(scope, pk):
    return get_object_or_404(reports.courses_reportable(scope), pk=pk)


@forbidden_is_403
@require_GET
def detail(request, pk):
    scope = _scope(request)
    course = _course_in_scope(scope, pk)
    report = reports.course_report_rows(scope, course)
    page = _page(Paginator(report.rows, ROWS_PER_PAGE), request)
    (summary,) = reports.course_summaries(scope, [course])
    return TemplateResponse(
        request,
        "courses/admin/report_detail.html",
        {
            "course": course,
            "summary": summary,
            "report": report,
            "rows": list(page.object_list),
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "page_title": _("Course reports"),
            "header_title": course.title,
            "header_icon": "table",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": course.title}),
        },
    )


@forbidden_is_403
@require_GET
def export(request, pk, fmt):
    scope = _scope(request)
    if fmt not in EXPORTS:
        raise Http404(_("Unknown export format."))
    course = _course_in_scope(scope, pk)
    return EXPORTS[fmt](reports.course_report_rows(scope, course))


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/export.<str:fmt>", export, name="export"),
]


class CourseReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return reports.report_scope_for(request.user) is not None


@hooks.register("register_admin_urls")
def register_course_report_urls():
    return [path("course-reports/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_reports_menu_item")
def register_course_reports_menu_item():
    return CourseReportsMenuItem(
        gettext_lazy("Course reports"),
        reverse_lazy(f"{app_name}:index"),
        name="course-reports",
        icon_name="table",
        order=50,
    )
