"""Course overview context (CoursePage.get_context): facts, lecturers, prerequisites with
the reader's completion, lessons with the reader's status, the enrolment box, progress and
the evaluation form. A fixed number of queries whatever the number of lessons."""

from django.utils import timezone

from ..choices import EnrollmentStatus, LessonStatus
from ..models import CourseEvaluation, LessonPage, LessonProgress
from ..selectors.access import LEARNING_STATUSES, enrollment_for, user_is_course_staff
from ..selectors.enrolment import (
    course_prerequisites,
    course_seats_taken,
    enrolment_box,
    user_completed_course_ids,
)
from .enrolment import CourseEvaluationForm

LESSON_LIST_FIELDS = (
    "id",
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "estimated_minutes",
    "completion_criterion",
    "min_score",
)


def course_lessons(course) -> list[LessonPage]:
    return list(
        LessonPage.objects.live().child_of(course).only(*LESSON_LIST_FIELDS).order_by("path")
    )


def lesson_statuses(user, course) -> dict[int, str]:
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        LessonProgress.objects.filter(user=user, course=course).values_list("lesson_id", "status")
    )


def course_context(page, request) -> dict:
    user = request.user
    now = timezone.now()
    enrollment = enrollment_for(user, page)
    learning = enrollment is not None and enrollment.status in LEARNING_STATUSES
    lessons = course_lessons(page)
    statuses = lesson_statuses(user, page) if enrollment is not None else {}
    lesson_rows = [
        {
            "lesson": lesson,
            "done": statuses.get(lesson.pk) == LessonStatus.COMPLETED,
            "started": lesson.pk in statuses,
        }
        for lesson in lessons
    ]
    done_count = sum(1 for row in lesson_rows if row["done"])
    all_done = bool(lessons) and done_count == len(lessons)
    next_lesson = next((row["lesson"] for row in lesson_rows if not row["done"]), None)

    prerequisites = course_prerequisites(page)
    completed_ids = user_completed_course_ids(user, [c.pk for c in prerequisites])
    prerequisite_rows = [{"course": c, "done": c.pk in completed_ids} for c in prerequisites]
    missing = [row["course"] for row in prerequisite_rows if not row["done"]]

    seats_taken = course_seats_taken(page) if page.capacity is not None else None
    evaluation = (
        CourseEvaluation.objects.filter(user=user, course=page).first() if learning else None
    )
    box = enrolment_box(
        course=page, enrollment=enrollment, missing=missing, seats_taken=seats_taken, now=now
    )
    return {
        "topic": page.topic,
        "lecturers": list(
            page.lecturers.filter(is_active=True)
            .select_related("photo")
            .prefetch_related("photo__renditions")
        ),
        "lessons": lesson_rows,
        "lessons_done": done_count,
        "total_minutes": sum(lesson.estimated_minutes for lesson in lessons),
        "may_open_lessons": learning or user_is_course_staff(user),
        "enrollment": enrollment,
        "learning": learning,
        "box": box,
        "progress": enrollment.progress if learning else 0,
        "next_lesson": next_lesson if learning else None,
        "prerequisites": prerequisite_rows,
        "seats_taken": seats_taken,
        "seats_left": max(page.capacity - seats_taken, 0) if seats_taken is not None else None,
        "evaluation": evaluation,
        "show_evaluation_form": learning and all_done and evaluation is None,
        "evaluation_form": CourseEvaluationForm(),
        "completed": enrollment is not None and enrollment.status == EnrollmentStatus.COMPLETED,
    }
