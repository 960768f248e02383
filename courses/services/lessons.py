"""Keeps `LessonPackage` (which lessons play which H5P package) in step with lesson bodies."""

from django.db import transaction
from wagtail.models import Page

from ..models import CoursePage, LessonPackage, LessonPage


@transaction.atomic
def lesson_packages_sync(*, lesson: LessonPage) -> None:
    """Rebuild the lesson's package links from its live body (called on publish)."""
    course_id = (
        CoursePage.objects.filter(path=lesson.path[: -Page.steplen])
        .values_list("pk", flat=True)
        .first()
    )
    wanted = set(lesson.h5p_package_ids()) if lesson.live and course_id else set()
    from ..models import H5PPackage

    wanted &= set(H5PPackage.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    LessonPackage.objects.filter(lesson=lesson).exclude(package_id__in=wanted).delete()
    have = set(LessonPackage.objects.filter(lesson=lesson).values_list("package_id", flat=True))
    LessonPackage.objects.bulk_create(
        [LessonPackage(lesson=lesson, package_id=pk, course_id=course_id) for pk in wanted - have],
        ignore_conflicts=True,
    )
