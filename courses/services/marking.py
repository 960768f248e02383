"""Lecturer marking: a lecturer of the course (or a district admin) marks a "lecturer"
lesson complete for chosen enrolled teachers, with a reason kept on the progress row."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from people.models import User

from ..choices import CompletionCriterion
from ..models import CoursePage, Enrollment, LessonPage
from ..selectors.marking import LEARNING, user_may_mark
from .completion import lesson_complete

# One submission marks at most this many teachers (a page of the list, with room to spare).
MAX_MARK_BATCH = 200
REASON_MAX_LENGTH = 200


@dataclass(frozen=True)
class MarkingOutcome:
    marked: int
    already_complete: int


@transaction.atomic
def lesson_mark_complete(
    *,
    lesson: LessonPage,
    course: CoursePage,
    teacher_ids: list[int],
    marked_by: User,
    reason: str,
) -> MarkingOutcome:
    """Mark the lesson complete for each chosen teacher enrolled (approved) in the course.
    Teachers already complete are left as they are, so a repeated submit changes nothing."""
    if not user_may_mark(marked_by, course):
        raise PermissionDenied
    if lesson.completion_criterion != CompletionCriterion.LECTURER:
        raise ValidationError(_("This lesson is not completed by the lecturer's mark."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for marking the lesson complete."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX_LENGTH}
        )
    wanted = set(teacher_ids)
    if not wanted:
        raise ValidationError(_("Choose at least one teacher."))
    if len(wanted) > MAX_MARK_BATCH:
        raise ValidationError(
            _("Mark at most %(max)d teachers at a time.") % {"max": MAX_MARK_BATCH}
        )
    enrolled = list(
        User.objects.filter(
            pk__in=Enrollment.objects.filter(
                course=course, status__in=LEARNING, user_id__in=wanted
            ).values("user_id")
        )
    )
    if len(enrolled) != len(wanted):
        raise ValidationError(
            _("Some of the chosen teachers are not enrolled in this course; nothing was marked.")
        )
    marked = 0
    for teacher in enrolled:
        if lesson_complete(
            user=teacher, lesson=lesson, course=course, marked_by=marked_by, reason=reason
        ):
            marked += 1
    return MarkingOutcome(marked=marked, already_complete=len(enrolled) - marked)
