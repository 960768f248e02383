"""Admin screens: the school qualification dashboard (导师资格看板 — teachers by state, missing
items, coverage at 1:15, assigning the missing courses, XLSX) and the district dashboard
(every school's coverage and qualification rate, sortable, with a bar chart).

School admins see their own school only — another school by ?school= or by a teacher's URL
is refused; district admins pick any school and assign; HR reads every school. Who may do
what is decided in `certification.selectors.coverage.dashboard_scope_for`.
"""

import re
from collections import defaultdict
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses.models import CoursePage
from courses.services.enrolment import enrollment_assign
from people.models import ProfessionalTitle, School, Stage

from .. import exports
from ..models.qualification import QualificationState, RequirementKind, StandardRequirement
from ..selectors import coverage
from ..selectors.qualification import MENTOR_STANDARD_CODE

app_name = "certification_dashboards"
TEACHERS_PER_PAGE = 50
SEARCH_MAX_LENGTH = 50
MAX_ASSIGN = 500
SAFE_BACK_QUERY = re.compile(r"\?[\w%&=+.~-]{0,500}", re.ASCII)
# The district chart's bars (SVG user units).
CHART_ROW_HEIGHT = 22
CHART_LABEL_WIDTH = 180
CHART_BAR_WIDTH = 300


def dashboard_view(view):
    """Resolve the person's scope (403 for anyone without one) and turn refusals into a
    plain 403 instead of Wagtail's redirect, so scripts and tests see them."""

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


def _school_for(request, scope: coverage.DashboardScope) -> School | None:
    """The school the dashboard shows: ?school=CODE within the scope (another school is a
    403 for a school admin; an unknown code a 404); by default the own or the first school."""
    code = (request.GET.get("school") or request.POST.get("school") or "").strip()[:20]
    schools = coverage.dashboard_schools(scope)
    if code:
        school = schools.filter(code=code).first()
        if school is None:
            if not scope.all_schools and School.objects.filter(code=code).exists():
                raise PermissionDenied
            raise Http404(_("No school has this code."))
        return school
    return schools.order_by("code").first()


def _choice(value: str | None, choices) -> str:
    value = (value or "").strip()
    return value if value in {key for key, _label in choices} else ""


def _filters(request) -> coverage.TeacherFilters:
    return coverage.TeacherFilters(
        state=_choice(request.GET.get("state"), QualificationState.choices),
        stage=_choice(request.GET.get("stage"), Stage.choices),
        title=_choice(request.GET.get("title"), ProfessionalTitle.choices),
        head_teacher=_choice(request.GET.get("head"), (("yes", ""), ("no", ""))),
        query=(request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH],
    )


def _filter_query(school: School, filters: coverage.TeacherFilters) -> str:
    params = {
        "school": school.code,
        "state": filters.state,
        "stage": filters.stage,
        "title": filters.title,
        "head": filters.head_teacher,
        "q": filters.query,
    }
    return urlencode({key: value for key, value in params.items() if value})


def _breadcrumbs(*items):
    return [{"url": reverse("wagtailadmin_home"), "label": _("Home")}, *items]


def _header(title: str, icon: str, *crumbs) -> dict:
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": icon,
        "breadcrumbs_items": _breadcrumbs(*crumbs),
    }


def _teacher_row(teacher) -> dict:
    return {
        "teacher": teacher,
        "state_label": QualificationState(teacher.mentor_state).label,
        "progress": int(teacher.mentor_progress or 0),
        "missing": coverage.missing_items(teacher.mentor_missing),
        "computed": teacher.mentor_computed_at is not None,
    }


# --- School dashboard ----------------------------------------------------------------------


@dashboard_view
@require_GET
def school_dashboard(request, scope):
    school = _school_for(request, scope)
    title = _("Mentor qualification")
    context = {"scope": scope, "school": school, **_header(title, "success")}
    if scope.all_schools:
        context["schools"] = list(coverage.dashboard_schools(scope).order_by("code"))
    if school is None:
        return TemplateResponse(request, "certification/dashboards/school.html", context)
    filters = _filters(request)
    teachers = coverage.school_teachers_filtered(school, filters)
    page = Paginator(teachers, TEACHERS_PER_PAGE).get_page(request.GET.get("p"))
    counts = coverage.school_state_counts(school)
    filter_query = _filter_query(school, filters)
    context.update(
        {
            "filters": filters,
            "filter_query": filter_query,
            "rows": [_teacher_row(teacher) for teacher in page.object_list],
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "state_counts": [
                {"value": value, "label": label, "count": counts[value]}
                for value, label in QualificationState.choices
            ],
            "teacher_total": sum(counts.values()),
            "closest": [_teacher_row(t) for t in coverage.school_closest_to_qualifying(school)],
            "coverage": coverage.school_coverage(school),
            "state_choices": QualificationState.choices,
            "stage_choices": Stage.choices,
            "title_choices": ProfessionalTitle.choices,
            "students_per_mentor": coverage.STUDENTS_PER_MENTOR,
            "export_url": f"{reverse(f'{app_name}:export')}?{filter_query}",
        }
    )
    return TemplateResponse(request, "certification/dashboards/school.html", context)


@dashboard_view
@require_GET
def teacher_detail(request, scope, pk: int):
    schools = coverage.dashboard_schools(scope)
    teacher = coverage.active_teachers().filter(pk=pk).select_related("school").first()
    if teacher is None:
        raise Http404
    if not schools.filter(pk=teacher.school_id).exists():
        raise PermissionDenied
    row = get_object_or_404(coverage.school_teachers(teacher.school), pk=pk)
    title = teacher.full_name
    dashboard_url = f"{reverse(f'{app_name}:school')}?school={teacher.school.code}"
    return TemplateResponse(
        request,
        "certification/dashboards/teacher.html",
        {
            "scope": scope,
            "school": teacher.school,
            "row": _teacher_row(row),
            "dashboard_url": dashboard_url,
            **_header(
                title,
                "user",
                {"url": dashboard_url, "label": _("Mentor qualification")},
                {"url": "", "label": title},
            ),
        },
    )


@dashboard_view
@require_GET
def export(request, scope):
    school = _school_for(request, scope)
    if school is None:
        raise Http404(_("No school to export."))
    teachers = coverage.school_teachers_filtered(school, _filters(request))
    return exports.teachers_xlsx_response(school, teachers)


def _missing_courses(teacher_ids: set[int]) -> dict[CoursePage, set[int]]:
    """{published course: teachers who miss it} from the teachers' mentor statuses: each
    missing item of kind course_completed names its course through the requirement of the
    standard version the status was computed with. Three queries."""
    from ..models.qualification import QualificationStatus

    statuses = QualificationStatus.objects.filter(
        user_id__in=teacher_ids, standard_code=MENTOR_STANDARD_CODE
    ).values_list("user_id", "standard_id", "missing")
    wanted: dict[tuple[int, str], set[int]] = defaultdict(set)
    for user_id, standard_id, missing in statuses:
        for item in coverage.missing_items(missing):
            wanted[(standard_id, str(item.get("code", "")))].add(user_id)
    if not wanted:
        return {}
    requirements = StandardRequirement.objects.filter(
        standard_id__in={standard_id for standard_id, _code in wanted},
        code__in={code for _standard, code in wanted},
        kind=RequirementKind.COURSE_COMPLETED,
    ).values_list("standard_id", "code", "course_code")
    by_course_code: dict[str, set[int]] = defaultdict(set)
    for standard_id, code, course_code in requirements:
        if course_code:
            by_course_code[course_code] |= wanted.get((standard_id, code), set())
    courses = CoursePage.objects.live().filter(code__in=by_course_code).order_by("code")
    return {course: by_course_code[course.code] for course in courses}


@dashboard_view
@require_POST
def assign_missing(request, scope):
    """Assign each chosen teacher the courses named in their missing items, through the
    assignment service of 分配课程 (set-based per course; a repeat changes nothing)."""
    if not scope.may_assign:
        raise PermissionDenied
    school = _school_for(request, scope)
    if school is None:
        raise Http404
    back = request.POST.get("next") or ""
    if not SAFE_BACK_QUERY.fullmatch(back):  # only a query string of this same page
        back = f"?school={school.code}"
    back_url = f"{reverse(f'{app_name}:school')}{back}"
    try:
        chosen = {int(value) for value in request.POST.getlist("teachers")}
    except ValueError:
        messages.error(request, _("The list of chosen teachers is not valid."))
        return redirect(back_url)
    if not chosen:
        messages.error(request, _("Choose at least one teacher."))
        return redirect(back_url)
    if len(chosen) > MAX_ASSIGN:
        messages.error(request, _("Choose at most %(n)d teachers at a time.") % {"n": MAX_ASSIGN})
        return redirect(back_url)
    own = set(
        coverage.active_teachers().filter(school=school, pk__in=chosen).values_list("pk", flat=True)
    )
    if chosen - own:
        # Someone else's teacher (or no teacher at all) in the form: refuse the whole action.
        raise PermissionDenied
    courses = _missing_courses(own)
    if not courses:
        messages.info(request, _("The chosen teachers miss no published course."))
        return redirect(back_url)
    assigned = already = 0
    done = []
    for course, user_ids in courses.items():
        try:
            result = enrollment_assign(course=course, users=user_ids, assigned_by=request.user)
        except ValidationError as error:
            messages.error(request, f"《{course.title}》：{' '.join(error.messages)}")
            continue
        assigned += result.assigned
        already += result.already
        done.append(f"《{course.title}》")
    if done:
        messages.success(
            request,
            _(
                "Assigned %(courses)s: %(assigned)d new enrolments, "
                "%(already)d were enrolled already."
            )
            % {"courses": "、".join(done), "assigned": assigned, "already": already},
        )
    return redirect(back_url)


# --- District dashboard --------------------------------------------------------------------


def _chart(rows) -> dict:
    """Bar geometry for the inline SVG (computed here so the template only draws)."""
    bars = []
    for index, row in enumerate(rows):
        y = index * CHART_ROW_HEIGHT
        bars.append(
            {
                "row": row,
                "y": y,
                "rate_y": y + CHART_ROW_HEIGHT // 2 - 1,
                "text_y": y + CHART_ROW_HEIGHT - 7,
                "coverage_width": round(CHART_BAR_WIDTH * row.coverage_percent / 100, 1),
                "rate_width": round(CHART_BAR_WIDTH * row.qualification_rate / 100, 1),
            }
        )
    return {
        "bars": bars,
        "label_width": CHART_LABEL_WIDTH,
        "bar_x": CHART_LABEL_WIDTH + 8,
        "bar_width": CHART_BAR_WIDTH,
        "value_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 16,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 70,
        "height": max(1, len(rows)) * CHART_ROW_HEIGHT,
        "half_height": CHART_ROW_HEIGHT // 2 - 1,
    }


@dashboard_view
@require_GET
def district_dashboard(request, scope):
    if not scope.sees_district:
        raise PermissionDenied
    sort = (request.GET.get("sort") or coverage.DEFAULT_DISTRICT_SORT).strip()
    if sort.removeprefix("-") not in coverage.DISTRICT_SORTS:
        sort = coverage.DEFAULT_DISTRICT_SORT
    rows = coverage.district_coverage(sort=sort)
    columns = [
        ("code", _("School code")),
        ("name", _("School")),
        ("teachers", _("Teachers")),
        ("qualified", _("Qualified mentors")),
        ("rate", _("Qualification rate")),
        ("students", _("Students")),
        ("coverage", _("Coverage")),
        ("needed", _("Mentors needed")),
    ]
    headers = []
    for key, label in columns:
        current = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        headers.append(
            {
                "label": label,
                "url": "?" + urlencode({"sort": f"-{key}" if current and not descending else key}),
                "sorted": ("descending" if descending else "ascending") if current else "none",
            }
        )
    totals = {
        "teachers": sum(row.teachers for row in rows),
        "qualified": sum(row.qualified for row in rows),
        "students": sum(row.students for row in rows),
        "needed": sum(row.needed for row in rows),
    }
    title = _("District mentor coverage")
    return TemplateResponse(
        request,
        "certification/dashboards/district.html",
        {
            "rows": rows,
            "headers": headers,
            "totals": totals,
            "chart": _chart(rows),
            "sort": sort,
            "school_url": reverse(f"{app_name}:school"),
            "students_per_mentor": coverage.STUDENTS_PER_MENTOR,
            **_header(title, "table"),
        },
    )


urlpatterns = [
    path("", school_dashboard, name="school"),
    path("teachers/<int:pk>/", teacher_detail, name="teacher"),
    path("assign/", assign_missing, name="assign"),
    path("export.xlsx", export, name="export"),
    path("district/", district_dashboard, name="district"),
]


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return [path("mentor-dashboard/", include((urlpatterns, app_name), namespace=app_name))]


class SchoolDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return coverage.dashboard_scope_for(request.user) is not None


class DistrictDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        scope = coverage.dashboard_scope_for(request.user)
        return scope is not None and scope.sees_district


@hooks.register("register_reports_menu_item")
def register_school_dashboard_menu_item():
    return SchoolDashboardMenuItem(
        gettext_lazy("Mentor qualification"),
        reverse_lazy(f"{app_name}:school"),
        name="mentor-qualification",
        icon_name="success",
        order=60,
    )


@hooks.register("register_reports_menu_item")
def register_district_dashboard_menu_item():
    return DistrictDashboardMenuItem(
        gettext_lazy("District mentor coverage"),
        reverse_lazy(f"{app_name}:district"),
        name="district-mentor-coverage",
        icon_name="table",
        order=61,
    )
