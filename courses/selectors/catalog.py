"""Catalog reads: filtered courses of the catalog and the reader's status for a page of them.

A fixed number of queries whatever the number of courses: the filtered list (count + one
page), the topics for the filter and the reader's enrolments for the shown page.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..choices import EnrollmentStatus
from ..models import CourseIndexPage, CoursePage, Enrollment

CARD_FIELDS = (
    "id",
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "code",
    "summary",
    "stages",
    "level",
    "delivery",
    "hours",
    "credit_points",
    "enrolment_mode",
    "enrol_opens",
    "enrol_closes",
    "capacity",
    "topic__id",
    "topic__name",
)


@dataclass(frozen=True)
class CatalogFilters:
    topic: str = ""  # TopicCategory slug
    stage: str = ""
    level: str = ""
    delivery: str = ""
    window: str = ""  # "open" / "closed"
    q: str = ""


def open_window_q(now) -> Q:
    return (Q(enrol_opens__isnull=True) | Q(enrol_opens__lte=now)) & (
        Q(enrol_closes__isnull=True) | Q(enrol_closes__gt=now)
    )


def stage_q(stage: str) -> Q:
    """Courses for this stage: those listing it and those for every stage (empty list).

    `icontains` on the JSON text works on SQLite and PostgreSQL alike (JSON `contains` does
    not exist on SQLite); the quotes keep one stage value from matching inside another.
    """
    return Q(stages=[]) | Q(stages__icontains=f'"{stage}"')


def catalog_courses(index: CourseIndexPage, filters: CatalogFilters, *, now=None) -> QuerySet:
    courses = (
        CoursePage.objects.live()
        .child_of(index)
        .select_related("topic")
        .only(*CARD_FIELDS)
        .order_by("path")
    )
    if filters.topic:
        courses = courses.filter(topic__slug=filters.topic)
    if filters.stage:
        courses = courses.filter(stage_q(filters.stage))
    if filters.level:
        courses = courses.filter(level=filters.level)
    if filters.delivery:
        courses = courses.filter(delivery=filters.delivery)
    if filters.window:
        window = open_window_q(now or timezone.now())
        courses = courses.filter(window) if filters.window == "open" else courses.exclude(window)
    if filters.q:
        text = filters.q
        courses = courses.filter(
            Q(title__icontains=text) | Q(summary__icontains=text) | Q(code__icontains=text)
        )
    return courses


@dataclass(frozen=True)
class CourseStatus:
    """The reader's status on a catalog card."""

    key: str  # none / pending / enrolled / completed / rejected
    progress: int = 0


def user_course_statuses(user, course_ids) -> dict[int, CourseStatus]:
    """Statuses of the user in the given courses, in one query; courses without an
    enrolment (or withdrawn) are absent."""
    if not getattr(user, "is_authenticated", False):
        return {}
    rows = Enrollment.objects.filter(user=user, course_id__in=list(course_ids)).values_list(
        "course_id", "status", "progress"
    )
    keys = {
        EnrollmentStatus.PENDING: "pending",
        EnrollmentStatus.ACTIVE: "enrolled",
        EnrollmentStatus.COMPLETED: "completed",
        EnrollmentStatus.REJECTED: "rejected",
    }
    return {
        course_id: CourseStatus(keys[status], progress)
        for course_id, status, progress in rows
        if status in keys
    }
