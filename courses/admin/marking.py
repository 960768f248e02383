"""Admin screens: a lecturer of the course (or a district admin) marks lessons whose criterion
is "marked by the lecturer" complete for enrolled teachers, with a reason. Who may mark what
is decided in `courses.selectors.marking`; the marks are written by
`courses.services.marking`. Everyone else gets a plain 403."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from ..choices import CompletionCriterion
from ..models import CoursePage, LessonPage
from ..selectors import marking as selectors
from ..services.marking import MAX_MARK_BATCH, REASON_MAX_LENGTH, lesson_mark_complete

app_name = "courses_marking"
ROWS_PER_PAGE = 100
SEARCH_MAX_LENGTH = 50


def forbidden_is_403(view):
    """A plain 403 instead of Wagtail's redirect to the dashboard, so refusals are visible."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Lecturer marking")},
        *items,
    ]


class MarkForm(forms.Form):
    teachers = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Teachers"),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose at least one teacher.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy(
            "For example: attended the workshop on 2026-03-12 and handed in the plan."
        ),
        error_messages={"required": gettext_lazy("Give a reason for marking the lesson complete.")},
    )

    def __init__(self, *args, teacher_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].choices = [(pk, pk) for pk in teacher_ids]

    def clean_teachers(self):
        teachers = self.cleaned_data["teachers"]
        if len(teachers) > MAX_MARK_BATCH:
            raise forms.ValidationError(
                _("Mark at most %(max)d teachers at a time.") % {"max": MAX_MARK_BATCH}
            )
        return teachers


@forbidden_is_403
@require_GET
def index(request):
    if not selectors.user_may_mark_any(request.user):
        raise PermissionDenied
    items = selectors.lessons_markable_by(request.user)
    title = _("Lecturer marking")
    return TemplateResponse(
        request,
        "courses/admin/marking_index.html",
        {
            "items": items,
            "page_title": title,
            "header_title": title,
            "header_icon": "tick-inverse",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


def _lesson_and_course(request, lesson_id) -> tuple[LessonPage, CoursePage]:
    if not selectors.user_may_mark_any(request.user):
        raise PermissionDenied
    lesson = get_object_or_404(LessonPage, pk=lesson_id)
    course = get_object_or_404(CoursePage, path=lesson.path[: -Page.steplen])
    if not selectors.user_may_mark(request.user, course):
        raise PermissionDenied
    if lesson.completion_criterion != CompletionCriterion.LECTURER:
        raise Http404(_("This lesson is not completed by the lecturer's mark."))
    return lesson, course


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def lesson(request, lesson_id):
    lesson, course = _lesson_and_course(request, lesson_id)
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    only_open = request.GET.get("open") == "1"
    rows = selectors.lesson_marking_rows(
        lesson=lesson, course=course, query=query, only_open=only_open
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("p"))
    page_rows = list(page.object_list)

    if request.method == "POST":
        form = MarkForm(request.POST, teacher_ids=[row.user_id for row in page_rows])
        if form.is_valid():
            try:
                outcome = lesson_mark_complete(
                    lesson=lesson,
                    course=course,
                    teacher_ids=form.cleaned_data["teachers"],
                    marked_by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Marked complete: %(marked)d; already complete: %(already)d.")
                    % {"marked": outcome.marked, "already": outcome.already_complete},
                )
                return redirect(request.get_full_path())
    else:
        form = MarkForm(teacher_ids=[])

    return TemplateResponse(
        request,
        "courses/admin/marking_lesson.html",
        {
            "lesson": lesson,
            "course": course,
            "rows": page_rows,
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "form": form,
            "query": query,
            "only_open": only_open,
            "reason_max_length": REASON_MAX_LENGTH,
            "page_title": _("Lecturer marking"),
            "header_title": lesson.title,
            "header_icon": "tick-inverse",
            "breadcrumbs_items": _breadcrumbs(
                {"url": "", "label": f"{course.title} · {lesson.title}"}
            ),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("<int:lesson_id>/", lesson, name="lesson"),
]


class MarkingMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_may_mark_any(request.user)


@hooks.register("register_admin_urls")
def register_marking_urls():
    from . import marking as module

    return [path("course-marking/", include((module.urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_marking_menu_item():
    return MarkingMenuItem(
        gettext_lazy("Lecturer marking"),
        reverse_lazy(f"{app_name}:index"),
        name="course-marking",
        icon_name="tick-inverse",
        order=212,
    )
