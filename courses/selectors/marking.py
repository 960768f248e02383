"""Lecturer marking: who may mark which lessons complete, the lessons they can mark, and the
enrolled teachers of one lesson with their status (one query each)."""

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from wagtail.models import Page

from people import roles
from people.selectors import user_has_role, user_is_district_admin

from ..choices import CompletionCriterion, EnrollmentStatus, LessonStatus
from ..models import CoursePage, Enrollment, LessonPage, LessonProgress

LEARNING = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def user_may_mark_any(user) -> bool:
    """District admins, and 讲师 (whose courses are checked per course)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user_is_district_admin(user) or user_has_role(user, roles.LECTURER)


def courses_markable_by(user) -> QuerySet[CoursePage]:
    """District admins: every course; a 讲师: the courses whose lecturers include their
    LecturerProfile; anyone else: none."""
    if not user_may_mark_any(user):
        return CoursePage.objects.none()
    if user_is_district_admin(user):
        return CoursePage.objects.all()
    return CoursePage.objects.filter(lecturers__user=user).distinct()


def user_may_mark(user, course: CoursePage) -> bool:
    return courses_markable_by(user).filter(pk=course.pk).exists()


@dataclass(frozen=True)
class MarkableLesson:
    lesson: LessonPage
    course: CoursePage


def lessons_markable_by(user) -> list[MarkableLesson]:
    """Lessons completed by the lecturer's mark in the courses the user may mark, by course
    and tree order. Two queries."""
    courses = {course.path: course for course in courses_markable_by(user).order_by("path")}
    if not courses:
        return []
    lessons = LessonPage.objects.filter(completion_criterion=CompletionCriterion.LECTURER)
    if not user_is_district_admin(user):
        prefixes = Q()
        for path in courses:
            prefixes |= Q(path__startswith=path)
        lessons = lessons.filter(prefixes)
    result = []
    for lesson in lessons.order_by("path").only("id", "title", "path", "depth", "live"):
        course = courses.get(lesson.path[: -Page.steplen])
        if course is not None:
            result.append(MarkableLesson(lesson=lesson, course=course))
    return result


def lesson_marking_rows(
    *, lesson: LessonPage, course: CoursePage, query: str = "", only_open: bool = False
) -> QuerySet[Enrollment]:
    """The course's approved enrolments with this lesson's progress annotated: one query
    however many teachers (slice it to paginate)."""
    progress = LessonProgress.objects.filter(user_id=OuterRef("user_id"), lesson=lesson)
    rows = (
        Enrollment.objects.filter(course=course, status__in=LEARNING)
        .select_related("user", "user__school")
        .annotate(
            lesson_status=Subquery(progress.values("status")[:1]),
            lesson_completed_at=Subquery(progress.values("completed_at")[:1]),
            lesson_marked_by=Subquery(progress.values("marked_by__full_name")[:1]),
            lesson_mark_reason=Subquery(progress.values("mark_reason")[:1]),
        )
        .order_by("user__school__code", "user__staff_no")
    )
    if query:
        rows = rows.filter(Q(user__full_name__icontains=query) | Q(user__staff_no__icontains=query))
    if only_open:
        completed = LessonProgress.objects.filter(lesson=lesson, status=LessonStatus.COMPLETED)
        rows = rows.exclude(user_id__in=completed.values("user_id"))
    return rows
