"""Lesson page serving (LessonPage.serve): only enrolled, approved teachers and course staff
see a lesson's body; a teacher's visit is recorded before the page renders."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ..choices import LessonStatus
from ..models import CoursePage, Enrollment, LessonProgress
from ..selectors.access import lesson_course_path, lesson_learning_enrollment, user_is_course_staff
from ..selectors.h5p import h5p_states_for
from ..services.completion import h5p_lesson_passed, lesson_viewed
from .course import course_lessons


def _heartbeat_url(lesson) -> str | None:
    try:
        return reverse("courses:lesson_heartbeat", kwargs={"lesson_id": lesson.pk})
    except NoReverseMatch:
        return None


def _course_of(lesson) -> CoursePage | None:
    return CoursePage.objects.filter(path=lesson_course_path(lesson)).first()


def lesson_serve(page, request, *args, **kwargs):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrollment = lesson_learning_enrollment(user, page) if user.is_active else None
    is_staff = enrollment is None and user_is_course_staff(user)
    if enrollment is None and not is_staff:
        course = _course_of(page)
        messages.error(request, _("Lessons open once you are enrolled in the course."))
        if course is None or not course.live:
            return redirect("/")
        return redirect(course.get_url(request))

    course = enrollment.course if enrollment else _course_of(page)
    progress: LessonProgress | None = None
    if enrollment is not None and not getattr(request, "is_preview", False):
        progress = lesson_viewed(user=user, lesson=page, course=course)
        enrollment.progress = (
            Enrollment.objects.filter(pk=enrollment.pk).values_list("progress", flat=True).first()
            or 0
        )

    lessons = course_lessons(course) if course else []
    ids = [lesson.pk for lesson in lessons]
    position = ids.index(page.pk) if page.pk in ids else -1
    score = progress.score if progress and progress.score is not None else None
    if enrollment is not None and page.completion_criterion == "h5p_passed" and score is None:
        _passed, score = h5p_lesson_passed(user=user, lesson=page)

    context = page.get_context(request, *args, **kwargs)
    context.update(
        {
            "course": course,
            "enrollment": enrollment,
            "is_course_staff": is_staff,
            "lesson_progress": progress,
            "lesson_done": progress is not None and progress.status == LessonStatus.COMPLETED,
            "lesson_score_percent": round(score * 100) if score is not None else None,
            "lesson_position": position + 1,
            "lesson_count": len(lessons),
            "previous_lesson": lessons[position - 1] if position > 0 else None,
            "next_lesson": lessons[position + 1] if 0 <= position < len(lessons) - 1 else None,
            "heartbeat_url": _heartbeat_url(page) if enrollment is not None else None,
            # Resume state of the lesson's H5P activities, for the activity block template.
            "h5p_states": h5p_states_for(user, page.h5p_package_ids()) if enrollment else {},
        }
    )
    return TemplateResponse(request, page.get_template(request, *args, **kwargs), context)
