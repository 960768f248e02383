"""Enrolment reads: seats, prerequisites, who an admin may assign or decide for, and the
enrolment state a course page shows."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from people import roles
from people.models import School, User
from people.selectors import user_is_district_admin, user_is_school_admin

from ..choices import EnrollmentStatus, EnrolmentMode
from ..models import CoursePage, Enrollment

# Enrolments that hold a place in a course with a capacity.
SEAT_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def course_seats_taken(course: CoursePage) -> int:
    return Enrollment.objects.filter(course=course, status__in=SEAT_STATUSES).count()


def _local_date(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def course_window_error(course: CoursePage, *, now=None) -> str | None:
    """Why the enrolment window refuses a request now, or None when it is open."""
    now = now or timezone.now()
    if course.enrol_opens and now < course.enrol_opens:
        return _("Enrolment for this course opens on %(date)s.") % {
            "date": _local_date(course.enrol_opens)
        }
    if course.enrol_closes and now >= course.enrol_closes:
        return _("Enrolment for this course closed on %(date)s.") % {
            "date": _local_date(course.enrol_closes)
        }
    return None


def course_enrolment_open(course: CoursePage, *, now=None) -> bool:
    return course_window_error(course, now=now) is None


def course_prerequisites(course: CoursePage) -> list[CoursePage]:
    return list(
        course.prerequisites.live()
        .only("id", "title", "url_path", "path", "depth", "slug", "code")
        .order_by("path")
    )


def user_completed_course_ids(user, course_ids) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Enrollment.objects.filter(
            user=user, course_id__in=list(course_ids), status=EnrollmentStatus.COMPLETED
        ).values_list("course_id", flat=True)
    )


def course_missing_prerequisites(*, user, course: CoursePage) -> list[CoursePage]:
    """Live prerequisite courses the user has not completed, in tree order."""
    prerequisites = course_prerequisites(course)
    done = user_completed_course_ids(user, [c.pk for c in prerequisites])
    return [c for c in prerequisites if c.pk not in done]


# --- Admin scope ---------------------------------------------------------------------------


def user_may_manage_enrolments(user) -> bool:
    return user_is_district_admin(user) or user_is_school_admin(user)


def schools_for_enrolment_admin(user) -> QuerySet[School]:
    if user_is_district_admin(user):
        return School.objects.filter(is_active=True)
    if user_is_school_admin(user):
        return School.objects.filter(pk=user.school_id)
    return School.objects.none()


def teachers_assignable_by(user) -> QuerySet[User]:
    """Active teachers a person may assign courses to: a district admin any, a school admin
    their own school's, anyone else none."""
    teachers = User.objects.filter(is_active=True, groups__name=roles.TEACHER)
    if user_is_district_admin(user):
        return teachers.distinct()
    if user_is_school_admin(user):
        return teachers.filter(school_id=user.school_id).distinct()
    return User.objects.none()


def teachers_of_stage(*, school: School, stage: str) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, groups__name=roles.TEACHER, school=school, stage=stage
    ).distinct()


def enrollments_pending_for(user) -> QuerySet[Enrollment]:
    """Requests waiting for this admin's decision: a school admin's school only."""
    pending = Enrollment.objects.filter(status=EnrollmentStatus.PENDING).select_related(
        "user", "user__school", "course"
    )
    if user_is_district_admin(user):
        return pending.order_by("created_at")
    if user_is_school_admin(user):
        return pending.filter(user__school_id=user.school_id).order_by("created_at")
    return pending.none()


def courses_assignable() -> QuerySet[CoursePage]:
    return CoursePage.objects.live().order_by("path").only("id", "title", "code")


# --- What a course page offers the reader ----------------------------------------------------


@dataclass
class EnrolmentBox:
    """The enrolment state of one user in one course, as the course page shows it.

    state: enrolled / completed / pending / rejected / assigned_only / not_open / closed /
    full / missing_prerequisites / can_enrol.
    """

    state: str
    enrollment: Enrollment | None = None
    message: str = ""
    missing: list = field(default_factory=list)
    can_withdraw: bool = False


def enrolment_box(
    *,
    course: CoursePage,
    enrollment: Enrollment | None,
    missing: list[CoursePage],
    seats_taken: int | None,
    now=None,
) -> EnrolmentBox:
    """Decide what the enrolment box shows, from data the caller already loaded (no query)."""
    status = enrollment.status if enrollment else None
    if status == EnrollmentStatus.COMPLETED:
        return EnrolmentBox("completed", enrollment)
    if status == EnrollmentStatus.ACTIVE:
        return EnrolmentBox("enrolled", enrollment, can_withdraw=enrollment.source != "assigned")
    if status == EnrollmentStatus.PENDING:
        return EnrolmentBox("pending", enrollment, can_withdraw=True)
    if status == EnrollmentStatus.REJECTED:
        return EnrolmentBox("rejected", enrollment)
    if course.enrolment_mode == EnrolmentMode.ASSIGNED:
        return EnrolmentBox("assigned_only", enrollment)
    window_error = course_window_error(course, now=now or timezone.now())
    if window_error:
        opens = course.enrol_opens
        state = "not_open" if opens and (now or timezone.now()) < opens else "closed"
        return EnrolmentBox(state, enrollment, message=window_error)
    if missing:
        return EnrolmentBox("missing_prerequisites", enrollment, missing=missing)
    if course.capacity is not None and seats_taken is not None and seats_taken >= course.capacity:
        return EnrolmentBox("full", enrollment)
    return EnrolmentBox("can_enrol", enrollment)
