"""Course reports: which courses and which teachers' rows each role may see, per-course
counts and the per-teacher rows (screen and exports share them). Fixed query counts.

- 区管理员 and 人事: every course, every teacher (人事 read-only: there is nothing to edit).
- 讲师: the courses they lecture (CoursePage.lecturers → LecturerProfile.user), every row.
- 学校管理员: courses with enrolments from their school, only their school's rows.
A person with several roles gets the union; a course they lecture shows every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from people import roles
from people.selectors import user_has_role, user_is_district_admin, user_is_hr, user_is_school_admin

from ..choices import EnrollmentStatus, LessonStatus
from ..models import CourseEvaluation, CoursePage, Enrollment, LessonPage, LessonProgress

LEARNING = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)
REPORTED_STATUSES = (EnrollmentStatus.PENDING, *LEARNING)


@dataclass(frozen=True)
class ReportScope:
    all_courses: bool = False  # district admin, HR
    lecturer_user_id: int | None = None  # sees every row of the courses they lecture
    school_id: int | None = None  # school admin: only this school's rows

    def rows_limited_to_school(self, course_id: int, lectured_ids: frozenset[int]) -> int | None:
        """The school a course's rows are limited to for this person (None: every row)."""
        if self.all_courses or course_id in lectured_ids:
            return None
        return self.school_id


def report_scope_for(user) -> ReportScope | None:
    """None when the person may not see course reports at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user_is_district_admin(user) or user_is_hr(user):
        return ReportScope(all_courses=True)
    lecturer = user.pk if user_has_role(user, roles.LECTURER) else None
    school = user.school_id if user_is_school_admin(user) else None
    if lecturer is None and school is None:
        return None
    return ReportScope(lecturer_user_id=lecturer, school_id=school)


def courses_lectured_by(scope: ReportScope) -> QuerySet[CoursePage]:
    if scope.lecturer_user_id is None:
        return CoursePage.objects.none()
    return CoursePage.objects.filter(lecturers__user_id=scope.lecturer_user_id)


def courses_reportable(scope: ReportScope) -> QuerySet[CoursePage]:
    courses = CoursePage.objects.all()
    if scope.all_courses:
        return courses
    condition = Q(pk__in=courses_lectured_by(scope).values("pk"))
    if scope.school_id is not None:
        condition |= Q(
            pk__in=Enrollment.objects.filter(user__school_id=scope.school_id).values("course_id")
        )
    return courses.filter(condition)


def lectured_ids(scope: ReportScope, course_ids: list[int]) -> frozenset[int]:
    if scope.all_courses or scope.lecturer_user_id is None or not course_ids:
        return frozenset()
    return frozenset(
        courses_lectured_by(scope).filter(pk__in=course_ids).values_list("pk", flat=True)
    )


@dataclass
class CourseSummary:
    course: CoursePage
    school_only: bool = False  # counts cover only the viewer's school
    enrolled: int = 0  # approved: in progress + completed
    pending: int = 0
    in_progress: int = 0
    completed: int = 0
    average_progress: Decimal | None = None
    evaluations: int = 0
    average_rating: Decimal | None = None


def _counts(enrollments: QuerySet, course_ids: list[int]) -> dict[int, dict]:
    rows = (
        enrollments.filter(course_id__in=course_ids)
        .values("course_id")
        .annotate(
            pending=Count("pk", filter=Q(status=EnrollmentStatus.PENDING)),
            in_progress=Count("pk", filter=Q(status=EnrollmentStatus.ACTIVE)),
            completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
            average_progress=Avg("progress", filter=Q(status__in=LEARNING)),
        )
        .order_by()
    )
    return {row.pop("course_id"): row for row in rows}


def _ratings(evaluations: QuerySet, course_ids: list[int]) -> dict[int, dict]:
    rows = (
        evaluations.filter(course_id__in=course_ids)
        .values("course_id")
        .annotate(evaluations=Count("pk"), average_rating=Avg("rating"))
        .order_by()
    )
    return {row.pop("course_id"): row for row in rows}


def _rounded(value, places: str = "0.1") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def course_summaries(scope: ReportScope, courses: list[CoursePage]) -> list[CourseSummary]:
    """Counts for the given (already scoped) courses: at most five queries for any number."""
    ids = [course.pk for course in courses]
    lectured = lectured_ids(scope, ids)
    full = [pk for pk in ids if scope.rows_limited_to_school(pk, lectured) is None]
    limited = [pk for pk in ids if pk not in set(full)]
    counts, ratings = {}, {}
    if full:
        counts |= _counts(Enrollment.objects.all(), full)
        ratings |= _ratings(CourseEvaluation.objects.all(), full)
    if limited:
        school = scope.school_id
        counts |= _counts(Enrollment.objects.filter(user__school_id=school), limited)
        ratings |= _ratings(CourseEvaluation.objects.filter(user__school_id=school), limited)
    summaries = []
    for course in courses:
        count = counts.get(course.pk, {})
        rating = ratings.get(course.pk, {})
        in_progress, completed = count.get("in_progress", 0), count.get("completed", 0)
        summaries.append(
            CourseSummary(
                course=course,
                school_only=course.pk in limited,
                enrolled=in_progress + completed,
                pending=count.get("pending", 0),
                in_progress=in_progress,
                completed=completed,
                average_progress=_rounded(count.get("average_progress")),
                evaluations=rating.get("evaluations", 0),
                average_rating=_rounded(rating.get("average_rating"), "0.01"),
            )
        )
    return summaries


def course_live_lesson_count(course: CoursePage) -> int:
    return LessonPage.objects.live().child_of(course).count()


@dataclass
class CourseRows:
    """The per-teacher rows of one course for one viewer, as a lazy queryset."""

    course: CoursePage
    school_id: int | None  # rows limited to this school, or None
    rows: QuerySet = field(repr=False)
    lessons_total: int = 0


def course_report_rows(scope: ReportScope, course: CoursePage) -> CourseRows:
    """Enrolments (pending, in progress, completed) with the teacher, school and lessons done
    (a correlated count, so one query per page or export whatever the size)."""
    school = scope.rows_limited_to_school(course.pk, lectured_ids(scope, [course.pk]))
    done = (
        LessonProgress.objects.filter(
            user_id=OuterRef("user_id"),
            course_id=OuterRef("course_id"),
            status=LessonStatus.COMPLETED,
            lesson__live=True,
        )
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Enrollment.objects.filter(course=course, status__in=REPORTED_STATUSES)
        .select_related("user", "user__school")
        .only(
            "id",
            "status",
            "progress",
            "due_on",
            "completed_at",
            "created_at",
            "source",
            "user__staff_no",
            "user__full_name",
            "user__school__name",
            "user__school__code",
        )
        .annotate(lessons_done=Coalesce(Subquery(done, output_field=IntegerField()), 0))
        .order_by("user__school__code", "user__staff_no")
    )
    if school is not None:
        rows = rows.filter(user__school_id=school)
    return CourseRows(
        course=course, school_id=school, rows=rows, lessons_total=course_live_lesson_count(course)
    )
