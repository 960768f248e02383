"""Lesson and course completion, decided on the server and recorded once.

A lesson completes by its criterion (viewed / H5P passed / marked by the lecturer). A
course completes when every live lesson is complete and the teacher has submitted the
course evaluation; the enrolment's completed_at is set by one conditional UPDATE, so
`course_completed` is sent exactly once however many requests race.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from ..choices import CompletionCriterion, EnrollmentStatus, LessonStatus
from ..models import CourseEvaluation, CoursePage, Enrollment, H5PResult, LessonPage, LessonProgress
from ..signals import course_completed
from .attendance import attendance_replay_record


def _course_of(lesson: LessonPage) -> CoursePage:
    return CoursePage.objects.get(path=lesson.path[: -Page.steplen])


def _progress_row(user, lesson: LessonPage, course_id: int) -> LessonProgress:
    now = timezone.now()
    progress, _created = LessonProgress.objects.get_or_create(
        user=user,
        lesson=lesson,
        defaults={"course_id": course_id, "first_seen_at": now, "last_seen_at": now},
    )
    return progress


@transaction.atomic
def lesson_viewed(*, user, lesson: LessonPage, course: CoursePage | None = None) -> LessonProgress:
    """Record a visit; completes the lesson when its criterion is "viewed"."""
    course = course or _course_of(lesson)
    progress = _progress_row(user, lesson, course.pk)
    now = timezone.now()
    LessonProgress.objects.filter(pk=progress.pk).update(last_seen_at=now)
    progress.last_seen_at = now
    # A completed lesson stays completed: revisiting it needs no completion write.
    if (
        lesson.completion_criterion == CompletionCriterion.VIEWED
        and progress.status != LessonStatus.COMPLETED
    ):
        lesson_complete(user=user, lesson=lesson, course=course)
        progress.refresh_from_db()
    return progress


@transaction.atomic
def lesson_complete(
    *,
    user,
    lesson: LessonPage,
    course: CoursePage | None = None,
    score: Decimal | None = None,
    marked_by=None,
    reason: str = "",
) -> bool:
    """Mark the lesson complete for the user (once) and update the course. Returns True when
    this call completed it, False when it already was."""
    course = course or _course_of(lesson)
    progress = _progress_row(user, lesson, course.pk)
    now = timezone.now()
    updated = (
        LessonProgress.objects.filter(pk=progress.pk)
        .exclude(status=LessonStatus.COMPLETED)
        .update(
            status=LessonStatus.COMPLETED,
            completed_at=now,
            score=score,
            marked_by=marked_by,
            mark_reason=reason[:200],
            last_seen_at=now,
        )
    )
    if updated:
        course_progress_update(user=user, course=course)
        # A lecture may count passing this lesson's quiz after it as attending (replay).
        attendance_replay_record(user=user, lesson=lesson, now=now)
    return bool(updated)


def h5p_lesson_passed(*, user, lesson: LessonPage) -> tuple[bool, Decimal | None]:
    """Whether every H5P activity of the lesson has a best score ≥ its minimum; and the
    lowest best score (the lesson's score)."""
    package_ids = lesson.h5p_package_ids()
    if not package_ids:
        return False, None
    bests = dict(
        H5PResult.objects.filter(user=user, lesson=lesson, package_id__in=package_ids).values_list(
            "package_id", "best_scaled"
        )
    )
    if any(bests.get(pk) is None for pk in package_ids):
        return False, None
    lowest = min(bests[pk] for pk in package_ids)
    return lowest * 100 >= lesson.min_score, lowest


def lesson_live_ids(course: CoursePage) -> list[int]:
    return list(LessonPage.objects.live().child_of(course).values_list("pk", flat=True))


@transaction.atomic
def course_progress_update(*, user, course: CoursePage) -> Enrollment | None:
    """Recompute the enrolment's progress; record completion once when everything is done."""
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None or enrollment.status not in (
        EnrollmentStatus.ACTIVE,
        EnrollmentStatus.COMPLETED,
    ):
        return enrollment
    lesson_ids = lesson_live_ids(course)
    done = LessonProgress.objects.filter(
        user=user, lesson_id__in=lesson_ids, status=LessonStatus.COMPLETED
    ).count()
    percent = 100 if not lesson_ids else int(done * 100 / len(lesson_ids))
    Enrollment.objects.filter(pk=enrollment.pk).update(progress=percent)
    enrollment.progress = percent
    all_done = bool(lesson_ids) and done == len(lesson_ids)
    if all_done and CourseEvaluation.objects.filter(user=user, course=course).exists():
        now = timezone.now()
        recorded = Enrollment.objects.filter(
            pk=enrollment.pk, completed_at__isnull=True, status=EnrollmentStatus.ACTIVE
        ).update(status=EnrollmentStatus.COMPLETED, completed_at=now, progress=100)
        if recorded:
            enrollment.status, enrollment.completed_at, enrollment.progress = (
                EnrollmentStatus.COMPLETED,
                now,
                100,
            )
            course_completed.send(
                sender=CoursePage, user=user, course=course, enrollment=enrollment, completed_at=now
            )
    return enrollment


@transaction.atomic
def course_evaluation_submit(
    *, user, course: CoursePage, rating: int, comment: str
) -> CourseEvaluation:
    """Submit the 课程评价 (once). Only a teacher learning the course may submit."""
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None or enrollment.status not in (
        EnrollmentStatus.ACTIVE,
        EnrollmentStatus.COMPLETED,
    ):
        raise ValidationError(_("Only teachers enrolled in this course can evaluate it."))
    lesson_ids = lesson_live_ids(course)
    done = LessonProgress.objects.filter(
        user=user, lesson_id__in=lesson_ids, status=LessonStatus.COMPLETED
    ).count()
    if done < len(lesson_ids):
        # 结业 first, then 评价: the evaluation is of a course the teacher has finished.
        raise ValidationError(_("Complete every lesson before evaluating the course."))
    evaluation = CourseEvaluation(
        user=user, course=course, rating=rating, comment=(comment or "").strip()
    )
    evaluation.full_clean(exclude=["user", "course"])
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError as exc:
        raise ValidationError(_("You have already evaluated this course.")) from exc
    course_progress_update(user=user, course=course)
    return evaluation


def lesson_progress_add_seconds(*, user, lesson: LessonPage, seconds: int) -> None:
    """Add time spent (from page heartbeats), capped per call so a forged value cannot
    inflate it."""
    seconds = max(0, min(int(seconds), 300))
    LessonProgress.objects.filter(user=user, lesson=lesson).update(
        seconds_spent=F("seconds_spent") + seconds, last_seen_at=timezone.now()
    )
