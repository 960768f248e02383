"""Who may see lessons and play H5P packages: one function per rule, used by the lesson
page, the package file view, the xAPI endpoint and templates alike."""

from django.db.models import QuerySet
from wagtail.models import Page

from people import roles
from people.selectors import user_has_role, user_is_district_admin

from ..choices import EnrollmentStatus
from ..models import CoursePage, Enrollment, H5PPackage, LessonPackage, LessonPage

# Roles that build and review courses see every lesson without enrolling.
COURSE_STAFF_ROLES = (roles.LECTURER, roles.REVIEWER)
LEARNING_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def user_is_course_staff(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user_is_district_admin(user) or any(user_has_role(user, r) for r in COURSE_STAFF_ROLES)


def lesson_course_path(lesson: LessonPage) -> str:
    return lesson.path[: -Page.steplen]


def enrollment_for(user, course: CoursePage) -> Enrollment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def user_is_learning(user, course: CoursePage) -> bool:
    """Enrolled and approved (or already completed) in the course."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Enrollment.objects.filter(
        user=user, course=course, status__in=LEARNING_STATUSES
    ).exists()


def lesson_learning_enrollment(user, lesson: LessonPage) -> Enrollment | None:
    """The user's approved enrolment in the lesson's course, found by tree path (no parent
    query); None when there is none."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        # A lesson under an unpublished course is closed to teachers too (Wagtail would
        # still route to it through the unpublished parent).
        Enrollment.objects.filter(
            user=user,
            course__path=lesson_course_path(lesson),
            course__live=True,
            status__in=LEARNING_STATUSES,
        )
        .select_related("course")
        .first()
    )


def lesson_visible_to(user, lesson: LessonPage) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user_is_course_staff(user) or lesson_learning_enrollment(user, lesson) is not None


def packages_playable_by(user) -> QuerySet[H5PPackage]:
    """Packages whose files the user may fetch: staff all; a teacher those used by a live
    lesson of a course they are learning."""
    if user_is_course_staff(user):
        return H5PPackage.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return H5PPackage.objects.none()
    lessons = LessonPackage.objects.filter(
        lesson__live=True,
        course__enrollments__user=user,
        course__enrollments__status__in=LEARNING_STATUSES,
    )
    return H5PPackage.objects.filter(pk__in=lessons.values("package_id"))


def package_playable_by(user, package_id: int) -> bool:
    return packages_playable_by(user).filter(pk=package_id).exists()


def lesson_plays_package(lesson: LessonPage, package_id: int) -> bool:
    return LessonPackage.objects.filter(lesson=lesson, package_id=package_id).exists()
