"""我的学习: a teacher's own courses grouped by state, with progress, the next lesson, due
dates and completion dates. A fixed number of queries however many courses and lessons."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from ..choices import EnrollmentStatus, LessonStatus
from ..models import (
    CourseEvaluation,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
)

SHOWN_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


@dataclass
class LessonRef:
    pk: int
    title: str
    url: str | None


@dataclass
class MyCourse:
    enrollment: Enrollment
    course: CoursePage
    url: str | None
    lessons_total: int = 0
    lessons_done: int = 0
    next_lesson: LessonRef | None = None
    evaluated: bool = False
    overdue: bool = False

    @property
    def percent(self) -> int:
        if self.enrollment.status == EnrollmentStatus.COMPLETED:
            return 100
        if not self.lessons_total:
            return 0
        return int(self.lessons_done * 100 / self.lessons_total)

    @property
    def needs_evaluation(self) -> bool:
        """Every lesson done but the 课程评价 not yet submitted: the last step to 结业."""
        return (
            self.enrollment.status == EnrollmentStatus.ACTIVE
            and self.lessons_total > 0
            and self.lessons_done >= self.lessons_total
            and not self.evaluated
        )

    @property
    def due_on(self) -> datetime.date | None:
        return self.enrollment.due_on


@dataclass
class MyLearning:
    in_progress: list[MyCourse] = field(default_factory=list)
    pending: list[MyCourse] = field(default_factory=list)
    completed: list[MyCourse] = field(default_factory=list)
    catalog_url: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.in_progress or self.pending or self.completed)


def _url(page: Page, request) -> str | None:
    return page.get_url(request=request) if request is not None else page.url


def _live_lessons_by_course(courses: list[CoursePage]) -> dict[int, list[LessonPage]]:
    """Live lessons of the given courses in tree order, in one query."""
    if not courses:
        return {}
    by_path = {course.path: course.pk for course in courses}
    children = (Q(path__startswith=c.path, depth=c.depth + 1) for c in courses)
    lessons = (
        LessonPage.objects.live()
        .filter(reduce(or_, children))
        .only("id", "title", "path", "depth", "url_path", "live")
        .order_by("path")
    )
    grouped: dict[int, list[LessonPage]] = {pk: [] for pk in by_path.values()}
    for lesson in lessons:
        course_id = by_path.get(lesson.path[: -Page.steplen])
        if course_id is not None:
            grouped[course_id].append(lesson)
    return grouped


def my_learning(user, *, request=None, today: datetime.date | None = None) -> MyLearning:
    """The user's courses: 进行中 (active), 待审核 (pending approval), 已完成 (completed)."""
    result = MyLearning()
    catalog = CourseIndexPage.objects.live().only("id", "path", "url_path", "depth").first()
    result.catalog_url = _url(catalog, request) if catalog else None
    if not getattr(user, "is_authenticated", False):
        return result
    today = today or timezone.localdate()
    enrollments = list(
        # A completed course stays in 已完成 even after it is unpublished (without a link).
        Enrollment.objects.filter(user=user, status__in=SHOWN_STATUSES)
        .filter(Q(course__live=True) | Q(status=EnrollmentStatus.COMPLETED))
        .select_related("course")
        .order_by("-created_at")
    )
    # Soonest due first, then those without a due date, newest enrolment first.
    enrollments.sort(key=lambda e: (e.due_on is None, e.due_on or today))
    if not enrollments:
        return result
    courses = [enrollment.course for enrollment in enrollments]
    lessons = _live_lessons_by_course(courses)
    course_ids = [course.pk for course in courses]
    done_ids = set(
        LessonProgress.objects.filter(
            user=user, course_id__in=course_ids, status=LessonStatus.COMPLETED
        ).values_list("lesson_id", flat=True)
    )
    evaluated = set(
        CourseEvaluation.objects.filter(user=user, course_id__in=course_ids).values_list(
            "course_id", flat=True
        )
    )
    for enrollment in enrollments:
        course = enrollment.course
        course_lessons = lessons.get(course.pk, [])
        item = MyCourse(
            enrollment=enrollment,
            course=course,
            url=_url(course, request) if course.live else None,
            lessons_total=len(course_lessons),
            lessons_done=sum(1 for lesson in course_lessons if lesson.pk in done_ids),
            evaluated=course.pk in evaluated,
        )
        if enrollment.status == EnrollmentStatus.COMPLETED:
            result.completed.append(item)
            continue
        if enrollment.status == EnrollmentStatus.PENDING:
            result.pending.append(item)
            continue
        item.overdue = bool(enrollment.due_on and enrollment.due_on < today)
        upcoming = next((lesson for lesson in course_lessons if lesson.pk not in done_ids), None)
        if upcoming is not None:
            item.next_lesson = LessonRef(upcoming.pk, upcoming.title, _url(upcoming, request))
        result.in_progress.append(item)
    # Most recent completions first.
    result.completed.sort(key=lambda c: c.enrollment.completed_at or timezone.now(), reverse=True)
    return result
