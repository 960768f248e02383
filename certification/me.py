"""The qualification section of 我的学习 (/me/), added through cms's register_me_section hook
so courses never imports certification: the state, dates, one progress bar per requirement
and links to the courses and lectures that would close each gap. At most six queries:
the status (and the current standard before the first one), requirements, courses, upcoming
lectures, the lecture series."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Q, When
from django.utils import timezone
from wagtail import hooks

from cms.sections import MeSection
from courses.models import CoursePage, LecturePage, LectureSeriesPage

from .models.qualification import CREDIT_PREFIX, MENTOR_CATEGORY, TOPIC_PREFIX, RequirementKind
from .selectors.qualification import QualificationView, qualification_view_for_user
from .services.qualification import RENEWAL_CODE

LINKS_PER_GAP = 3
UPCOMING_LECTURES = 3
PAGE_FIELDS = ("id", "title", "path", "depth", "url_path")


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    when: object = None


@dataclass
class Gap:
    row: object
    links: list[Link] = field(default_factory=list)
    lectures: bool = False


def _category_q(category: str) -> Q | None:
    if category == MENTOR_CATEGORY:
        return Q(topic__is_mentor_topic=True)
    if category.startswith(CREDIT_PREFIX):
        return Q(credit_category=category[len(CREDIT_PREFIX) :])
    if category.startswith(TOPIC_PREFIX):
        return Q(topic__slug=category[len(TOPIC_PREFIX) :])
    return None


def _matches(course: CoursePage, category: str) -> bool:
    if category == MENTOR_CATEGORY:
        return bool(course.topic and course.topic.is_mentor_topic)
    if category.startswith(CREDIT_PREFIX):
        return course.credit_category == category[len(CREDIT_PREFIX) :]
    if category.startswith(TOPIC_PREFIX):
        return bool(course.topic and course.topic.slug == category[len(TOPIC_PREFIX) :])
    return False


def _url(page, request) -> str:
    return page.get_url(request) or ""


def _gaps(view: QualificationView, user, request) -> tuple[list[Gap], dict]:
    open_rows = [row for row in view.rows if not row.met]
    renewal_open = view.renewal is not None and view.renewal["have"] < view.renewal["need"]
    codes = {row.course_code for row in open_rows if row.course_code}
    categories = {
        row.category
        for row in open_rows
        if row.kind == RequirementKind.CATEGORY_HOURS and _category_q(row.category)
    }
    if renewal_open:
        categories.add(MENTOR_CATEGORY)
    courses_by_code: dict[str, CoursePage] = {}
    category_courses: list[CoursePage] = []
    if codes or categories:
        # One query for both: the required courses (ranked first, so the limit never drops
        # them) and recent courses of the open hour categories.
        wanted = Q(code__in=codes) if codes else Q(pk__in=[])
        for category in categories:
            wanted |= _category_q(category)
        found = (
            CoursePage.objects.live()
            .filter(wanted)
            .select_related("topic")
            .annotate(required=Case(When(code__in=codes, then=0), default=1))
            .only(
                *PAGE_FIELDS,
                "code",
                "stages",
                "credit_category",
                "topic__slug",
                "topic__is_mentor_topic",
            )
            .order_by("required", "-first_published_at", "-pk")[: len(codes) + 30]
        )
        for course in found:
            if course.code in codes:
                courses_by_code[course.code] = course
            # Stages are JSON lists (no `contains` on SQLite): filtered here, on a bounded list.
            if categories and (not course.stages or user.stage in course.stages):
                category_courses.append(course)
    needs_lectures = renewal_open or any(
        row.kind in (RequirementKind.LECTURES_ATTENDED, RequirementKind.CATEGORY_HOURS)
        for row in open_rows
    )
    lectures: list[Link] = []
    series_url = ""
    if needs_lectures:
        upcoming = (
            LecturePage.objects.live()
            .filter(starts_at__gte=timezone.now())
            .only(*PAGE_FIELDS, "starts_at", "stages")
            .order_by("starts_at")[:20]
        )
        lectures = [
            Link(title=lecture.title, url=_url(lecture, request), when=lecture.starts_at)
            for lecture in upcoming
            if not lecture.stages or user.stage in lecture.stages
        ][:UPCOMING_LECTURES]
        series = LectureSeriesPage.objects.live().only(*PAGE_FIELDS).first()
        series_url = _url(series, request) if series else ""

    gaps = []
    for row in open_rows:
        gap = Gap(row=row)
        if row.course_code and row.course_code in courses_by_code:
            course = courses_by_code[row.course_code]
            gap.links.append(Link(title=course.title, url=_url(course, request)))
        if row.kind == RequirementKind.CATEGORY_HOURS:
            gap.links.extend(
                Link(title=c.title, url=_url(c, request))
                for c in [c for c in category_courses if _matches(c, row.category)][:LINKS_PER_GAP]
            )
        gap.lectures = row.kind in (
            RequirementKind.LECTURES_ATTENDED,
            RequirementKind.CATEGORY_HOURS,
        )
        gaps.append(gap)
    renewal_links = (
        [
            Link(title=c.title, url=_url(c, request))
            for c in category_courses
            if _matches(c, MENTOR_CATEGORY)
        ][:LINKS_PER_GAP]
        if renewal_open
        else []
    )
    return gaps, {
        "lectures": lectures,
        "series_url": series_url,
        "renewal_links": renewal_links,
        "renewal_open": renewal_open,
    }


def qualification_me_context(request) -> dict:
    user = request.user
    if not user.school_id:  # statuses are computed for school staff only (district, HR …)
        return {"qualification": None}
    view = qualification_view_for_user(user)
    if view is None:
        return {"qualification": None}
    gaps, extra = _gaps(view, user, request)
    gap_by_code = {gap.row.code: gap for gap in gaps}
    return {
        "qualification": view,
        "rows": [(row, gap_by_code.get(row.code)) for row in view.rows],
        "renewal_code": RENEWAL_CODE,
        **extra,
    }


@hooks.register("register_me_section")
def qualification_me_section():
    return MeSection(
        order=10,
        template_name="certification/me/qualification.html",
        get_context=qualification_me_context,
    )
