"""Enrolment writes: a teacher's request and withdrawal, an admin's decision and assignment.

Every rule (mode, window, capacity, prerequisites, scope) is checked here, under a lock on
the course row, so two requests cannot overbook a course and a double submit changes
nothing. Refusals are ValidationErrors whose message tells the teacher what to do.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people.selectors import user_is_district_admin, user_is_school_admin

from ..choices import EnrollmentSource, EnrollmentStatus, EnrolmentMode
from ..models import CoursePage, Enrollment
from ..selectors.access import LEARNING_STATUSES
from ..selectors.enrolment import (
    course_missing_prerequisites,
    course_seats_taken,
    course_window_error,
    teachers_assignable_by,
)

# Statuses in which a request is already made; a repeated request returns the row as is.
STANDING_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def _locked_course(course: CoursePage) -> CoursePage:
    # select_for_update serialises concurrent enrolments of one course on PostgreSQL;
    # SQLite takes a database-wide write lock anyway.
    return CoursePage.objects.select_for_update().get(pk=course.pk)


@transaction.atomic
def enrollment_request(*, user, course: CoursePage) -> Enrollment:
    """A teacher asks to take the course: open courses enrol at once, approval courses wait
    for the school admin, assigned courses refuse. Repeats return the existing enrolment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ValidationError(_("Log in with an active account to enrol."))
    course = _locked_course(course)
    existing = Enrollment.objects.filter(user=user, course=course).first()
    if existing is not None and existing.status in STANDING_STATUSES:
        return existing
    if existing is not None and existing.status == EnrollmentStatus.REJECTED:
        raise ValidationError(
            _(
                "Your request for this course was declined. "
                "Ask your school administrator if you think this is a mistake."
            )
        )
    if course.enrolment_mode == EnrolmentMode.ASSIGNED:
        raise ValidationError(
            _("This course is assigned by your school; you cannot enrol in it yourself.")
        )
    if not course.live:
        raise ValidationError(_("This course is not published; you cannot enrol in it."))
    window_error = course_window_error(course)
    if window_error:
        raise ValidationError(window_error)
    missing = course_missing_prerequisites(user=user, course=course)
    if missing:
        raise ValidationError(
            _("Complete these courses before enrolling: %(titles)s.")
            % {"titles": "、".join(f"《{prerequisite.title}》" for prerequisite in missing)}
        )
    if course.capacity is not None and course_seats_taken(course) >= course.capacity:
        raise ValidationError(
            _("This course is full: all %(n)d places are taken.") % {"n": course.capacity}
        )

    status = (
        EnrollmentStatus.PENDING
        if course.enrolment_mode == EnrolmentMode.APPROVAL
        else EnrollmentStatus.ACTIVE
    )
    if existing is None:
        enrollment = Enrollment(
            user=user, course=course, source=EnrollmentSource.SELF, status=status
        )
        enrollment.full_clean(exclude=["user", "course"])
        try:
            with transaction.atomic():
                enrollment.save()
        except IntegrityError:
            # A concurrent request of the same user won: theirs is the enrolment.
            return Enrollment.objects.get(user=user, course=course)
        return enrollment

    # Re-enrolling after a withdrawal reuses the row, so progress made before still counts.
    existing.status = status
    existing.source = EnrollmentSource.SELF
    existing.decided_by = None
    existing.decided_at = None
    existing.full_clean(exclude=["user", "course"])
    existing.save()
    if status == EnrollmentStatus.ACTIVE:
        from .completion import course_progress_update

        course_progress_update(user=user, course=course)
        existing.refresh_from_db()
    return existing


@transaction.atomic
def enrollment_withdraw(*, user, course: CoursePage) -> Enrollment:
    """The teacher leaves a course (or withdraws a pending request) before completing it."""
    enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
    if enrollment is None or enrollment.status == EnrollmentStatus.REJECTED:
        raise ValidationError(_("You are not enrolled in this course."))
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        return enrollment
    if enrollment.status == EnrollmentStatus.COMPLETED:
        raise ValidationError(
            _("You have completed this course; a completed course cannot be withdrawn from.")
        )
    if enrollment.source == EnrollmentSource.ASSIGNED:
        raise ValidationError(
            _(
                "This course was assigned by your school; "
                "ask your school administrator to withdraw you."
            )
        )
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=EnrollmentStatus.WITHDRAWN, updated_at=timezone.now()
    )
    enrollment.status = EnrollmentStatus.WITHDRAWN
    return enrollment


def _may_decide(admin, enrollment: Enrollment) -> bool:
    if user_is_district_admin(admin):
        return True
    return user_is_school_admin(admin) and admin.school_id == enrollment.user.school_id


@transaction.atomic
def enrollment_decide(*, enrollment: Enrollment, approve: bool, decided_by) -> Enrollment:
    """A school admin (of the teacher's school) or a district admin approves or rejects a
    pending request. Deciding the same way twice is a no-op."""
    if not _may_decide(decided_by, enrollment):
        raise ValidationError(
            _("Only an administrator of the teacher's school can decide this request.")
        )
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    wanted = EnrollmentStatus.ACTIVE if approve else EnrollmentStatus.REJECTED
    if enrollment.status != EnrollmentStatus.PENDING:
        if enrollment.status == wanted and enrollment.decided_by_id is not None:
            return enrollment
        raise ValidationError(
            _("This request is no longer waiting for a decision (it is now “%(status)s”).")
            % {"status": enrollment.get_status_display()}
        )
    enrollment.status = wanted
    enrollment.decided_by = decided_by
    enrollment.decided_at = timezone.now()
    enrollment.full_clean(exclude=["user", "course"])
    enrollment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return enrollment


@dataclass(frozen=True)
class AssignmentResult:
    assigned: int  # newly enrolled (or re-activated after a withdrawal or rejection)
    already: int  # were enrolled or had completed already; left as they were


@transaction.atomic
def enrollment_assign(
    *, course: CoursePage, users, assigned_by, due_on: date | None = None
) -> AssignmentResult:
    """Assign the course to teachers. School admins may assign only their own school's active
    teachers, district admins any. Set-based: one insert and one update however many."""
    if not course.live:
        raise ValidationError(_("This course is not published; it cannot be assigned."))
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError(_("The due date is in the past."))
    user_ids = {getattr(user, "pk", user) for user in users}
    if not user_ids:
        raise ValidationError(_("Choose at least one teacher."))
    allowed = set(
        teachers_assignable_by(assigned_by).filter(pk__in=user_ids).values_list("pk", flat=True)
    )
    refused = user_ids - allowed
    if refused:
        raise ValidationError(
            _(
                "%(n)d of the chosen people are not active teachers you may assign "
                "(school administrators assign teachers of their own school only)."
            )
            % {"n": len(refused)}
        )
    course = _locked_course(course)
    existing = dict(
        Enrollment.objects.filter(course=course, user_id__in=user_ids).values_list(
            "user_id", "status"
        )
    )
    already = {pk for pk, status in existing.items() if status in LEARNING_STATUSES}
    revive = {pk for pk, status in existing.items() if pk not in already}
    new = user_ids - set(existing)
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                user_id=pk,
                course=course,
                source=EnrollmentSource.ASSIGNED,
                status=EnrollmentStatus.ACTIVE,
                due_on=due_on,
                assigned_by=assigned_by,
            )
            for pk in sorted(new)
        ],
        ignore_conflicts=True,
    )
    if revive:
        # Pending, withdrawn or rejected rows: the school's assignment overrides them.
        Enrollment.objects.filter(course=course, user_id__in=revive).exclude(
            status__in=LEARNING_STATUSES
        ).update(
            status=EnrollmentStatus.ACTIVE,
            source=EnrollmentSource.ASSIGNED,
            due_on=due_on,
            assigned_by=assigned_by,
            decided_by=assigned_by,
            decided_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return AssignmentResult(assigned=len(new) + len(revive), already=len(already))
