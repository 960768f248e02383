"""The lecturer's admin view of lectures: who may manage which lectures, counts per lecture,
the registrations and attendance of one lecture, and the rows of its export. Fixed query
counts however many lectures or teachers.

- 区管理员 (and superusers): every lecture.
- 讲师: the lectures whose `lecturers` include their LecturerProfile.
- Anyone else: none (the views answer 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from people import roles
from people.models import User
from people.selectors import user_has_role, user_is_district_admin

from ..models import Attendance, LecturePage, LectureRegistration, RegistrationStatus

STATUS_ORDER = Case(
    When(status=RegistrationStatus.REGISTERED, then=Value(0)),
    When(status=RegistrationStatus.WAITLISTED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def user_may_manage_any_lecture(user) -> bool:
    """District admins, and 讲师 (whose lectures are checked per lecture)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user_is_district_admin(user) or user_has_role(user, roles.LECTURER)


def lectures_managed_by(user) -> QuerySet[LecturePage]:
    if not user_may_manage_any_lecture(user):
        return LecturePage.objects.none()
    if user_is_district_admin(user):
        return LecturePage.objects.all()
    return LecturePage.objects.filter(
        pk__in=LecturePage.lecturers.through.objects.filter(lecturerprofile__user=user).values(
            "lecturepage_id"
        )
    )


def user_may_manage_lecture(user, lecture: LecturePage) -> bool:
    return lectures_managed_by(user).filter(pk=lecture.pk).exists()


@dataclass
class LectureCounts:
    registered: int = 0
    waitlisted: int = 0
    attended: int = 0


@dataclass
class LectureSummary:
    lecture: LecturePage
    counts: LectureCounts


def lecture_counts(lecture_ids: list[int]) -> dict[int, LectureCounts]:
    """Registered / waitlisted / attended per lecture: two queries for any number."""
    counts = {pk: LectureCounts() for pk in lecture_ids}
    if not lecture_ids:
        return counts
    registrations = (
        LectureRegistration.objects.filter(lecture_id__in=lecture_ids)
        .values("lecture_id")
        .annotate(
            registered=Count("pk", filter=Q(status=RegistrationStatus.REGISTERED)),
            waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        )
        .order_by()
    )
    for row in registrations:
        counts[row["lecture_id"]].registered = row["registered"]
        counts[row["lecture_id"]].waitlisted = row["waitlisted"]
    attended = (
        Attendance.objects.filter(lecture_id__in=lecture_ids)
        .values("lecture_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in attended:
        counts[row["lecture_id"]].attended = row["n"]
    return counts


def lecture_summaries(lectures: list[LecturePage]) -> list[LectureSummary]:
    counts = lecture_counts([lecture.pk for lecture in lectures])
    return [LectureSummary(lecture=lecture, counts=counts[lecture.pk]) for lecture in lectures]


def lecture_registration_rows(lecture: LecturePage) -> QuerySet[LectureRegistration]:
    """Registered first, then the waiting list in its order (`waitlist_position`), then
    cancellations; each row says whether the teacher attended. One query (slice to page)."""
    return (
        LectureRegistration.objects.filter(lecture=lecture)
        .select_related("user", "user__school")
        .annotate(
            status_order=STATUS_ORDER,
            waitlist_position=Window(
                RowNumber(), partition_by=["status"], order_by=["queued_at", "pk"]
            ),
            attended=Exists(
                Attendance.objects.filter(lecture=lecture, user_id=OuterRef("user_id"))
            ),
        )
        .order_by("status_order", "queued_at", "created_at", "pk")
    )


def lecture_attendance_rows(lecture: LecturePage) -> QuerySet[Attendance]:
    """Newest first, with who recorded it. One query (slice to page)."""
    return (
        Attendance.objects.filter(lecture=lecture)
        .select_related("user", "user__school", "recorded_by")
        .order_by("-checked_in_at", "-pk")
    )


def lecture_export_rows(lecture: LecturePage) -> QuerySet[User]:
    """Everyone who registered for or attended the lecture, with both records side by side:
    one query, ordered by school and 工号 (stream it with .iterator())."""
    registration = LectureRegistration.objects.filter(lecture=lecture, user_id=OuterRef("pk"))
    attendance = Attendance.objects.filter(lecture=lecture, user_id=OuterRef("pk"))
    waitlist = LectureRegistration.objects.filter(
        lecture=lecture,
        status=RegistrationStatus.WAITLISTED,
        queued_at__lte=OuterRef("reg_queued_at"),
    )
    return (
        User.objects.filter(
            Q(pk__in=LectureRegistration.objects.filter(lecture=lecture).values("user_id"))
            | Q(pk__in=Attendance.objects.filter(lecture=lecture).values("user_id"))
        )
        .select_related("school")
        .annotate(
            reg_status=Subquery(registration.values("status")[:1]),
            reg_created_at=Subquery(registration.values("created_at")[:1]),
            reg_queued_at=Subquery(registration.values("queued_at")[:1]),
            att_method=Subquery(attendance.values("method")[:1]),
            att_checked_in_at=Subquery(attendance.values("checked_in_at")[:1]),
            att_recorded_by=Subquery(attendance.values("recorded_by__full_name")[:1]),
            att_reason=Subquery(attendance.values("reason")[:1]),
        )
        .annotate(
            waitlist_position=Case(
                When(
                    reg_status=RegistrationStatus.WAITLISTED,
                    then=Subquery(
                        waitlist.order_by()
                        .values("lecture_id")
                        .annotate(n=Count("pk"))
                        .values("n")[:1]
                    ),
                ),
                default=Value(None),
                output_field=IntegerField(),
            )
        )
        .order_by("school__code", "staff_no")
    )


def lecture_attended_count(lecture_id: int) -> int:
    return Attendance.objects.filter(lecture_id=lecture_id).count()
