"""Mentor coverage (导师覆盖, 1:15): per school and stage, students ÷ (qualified mentors × 15),
and how many more qualified mentors a stage needs. A fixed number of aggregate queries
(GROUP BY school, stage) whatever the number of schools and teachers."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Group
from django.db.models import Count, DecimalField, F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from people import roles
from people.models import School, Stage, User
from people.selectors import user_is_district_admin, user_is_hr, user_is_school_admin

from ..models.qualification import QualificationState, QualificationStatus
from .qualification import MENTOR_STANDARD_CODE

STUDENTS_PER_MENTOR = 15
# Expiring mentors are still qualified until the day they expire.
COVERING_STATES = (QualificationState.QUALIFIED, QualificationState.EXPIRING)


def _percent(part: int, whole: int) -> int:
    """part / whole as a whole percent, rounded half up; 0 when there is no whole."""
    if whole <= 0:
        return 0
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class StageCoverage:
    stage: str
    students: int
    qualified: int

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def capacity(self) -> int:
        """Students the qualified mentors can take at 1:15."""
        return self.qualified * STUDENTS_PER_MENTOR

    @property
    def mentors_required(self) -> int:
        return math.ceil(self.students / STUDENTS_PER_MENTOR)

    @property
    def needed(self) -> int:
        """Additional qualified mentors needed to reach 1:15."""
        return max(0, self.mentors_required - self.qualified)

    @property
    def students_per_mentor(self) -> Decimal | None:
        """The actual ratio, students ÷ qualified mentors; None when there is no mentor."""
        if self.qualified == 0:
            return None
        return (Decimal(self.students) / self.qualified).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def ratio(self) -> Decimal | None:
        """students ÷ (qualified × 15): 1 or less means every student can have a mentor."""
        if self.qualified == 0:
            return None
        return (Decimal(self.students) / self.capacity).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def coverage_percent(self) -> int:
        """Share of students a qualified mentor can take, capped at 100 (no students: 100)."""
        if self.students == 0:
            return 100
        return min(100, _percent(self.capacity, self.students))

    @property
    def is_covered(self) -> bool:
        return self.needed == 0


def stage_coverage(*, stage: str, students: int, qualified: int) -> StageCoverage:
    return StageCoverage(stage=stage, students=max(0, students), qualified=max(0, qualified))


def school_students(school: School, stage: str) -> int:
    return getattr(school, f"students_{stage}", 0) or 0


def teacher_group_id() -> int | None:
    """The teacher role's group id. The district-wide counts filter on it rather than on
    the group's name: with the name, PostgreSQL cannot tell which group it joins and plans
    for an average one (44 of 10,000 teachers), a nested loop of one index look-up per
    teacher (18 ms at district scale); with the id it knows the group's size and hashes
    (5 ms). One query of its own, worth it only where every teacher is counted."""
    return Group.objects.filter(name=roles.TEACHER).values_list("pk", flat=True).first()


def active_teachers(group_id: int | None = None) -> QuerySet[User]:
    """The people coverage counts: active users with the teacher role and a school
    (`group_id`: the teacher group's id when the caller has read it, see teacher_group_id)."""
    role = {"groups": group_id} if group_id is not None else {"groups__name": roles.TEACHER}
    return User.objects.filter(is_active=True, school__isnull=False, **role)


def _covering_statuses(group_id: int | None = None) -> QuerySet[QualificationStatus]:
    role = (
        {"user__groups": group_id}
        if group_id is not None
        else {"user__groups__name": roles.TEACHER}
    )
    return QualificationStatus.objects.filter(
        standard_code=MENTOR_STANDARD_CODE,
        state__in=COVERING_STATES,
        user__is_active=True,
        **role,
    )


def qualified_by_school_stage(
    school_ids=None, group_id: int | None = None
) -> dict[tuple[int, str], int]:
    """{(school id, stage): qualified mentors} in one GROUP BY query."""
    statuses = _covering_statuses(group_id)
    if school_ids is not None:
        statuses = statuses.filter(user__school_id__in=school_ids)
    rows = (
        statuses.order_by()
        .values_list("user__school_id", "user__stage")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {(school_id, stage): n for school_id, stage, n in rows}


def school_coverage(school: School) -> list[StageCoverage]:
    """Coverage per stage the school offers (one query)."""
    counts = qualified_by_school_stage([school.pk])
    return [
        stage_coverage(
            stage=stage,
            students=school_students(school, stage),
            qualified=counts.get((school.pk, stage), 0),
        )
        for stage in school.stages
    ]


# --- District: every school in one table --------------------------------------------------


@dataclass
class SchoolCoverageRow:
    school: School
    teachers: int = 0
    qualified: int = 0
    stages: list[StageCoverage] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.school.code

    @property
    def name(self) -> str:
        return self.school.name

    @property
    def students(self) -> int:
        return sum(stage.students for stage in self.stages)

    @property
    def covered_students(self) -> int:
        return sum(min(stage.capacity, stage.students) for stage in self.stages)

    @property
    def coverage_percent(self) -> int:
        if self.students == 0:
            return 100
        return _percent(self.covered_students, self.students)

    @property
    def qualification_rate(self) -> int:
        """Qualified (or expiring) teachers as a percent of the school's active teachers."""
        return _percent(self.qualified, self.teachers)

    @property
    def needed(self) -> int:
        return sum(stage.needed for stage in self.stages)


# Sortable columns of the district table: query-string name → row attribute.
DISTRICT_SORTS = {
    "code": "code",
    "name": "name",
    "teachers": "teachers",
    "qualified": "qualified",
    "rate": "qualification_rate",
    "students": "students",
    "coverage": "coverage_percent",
    "needed": "needed",
}
DEFAULT_DISTRICT_SORT = "code"


def district_coverage(*, sort: str = DEFAULT_DISTRICT_SORT) -> list[SchoolCoverageRow]:
    """One row per active school, sorted server-side by `sort` (a DISTRICT_SORTS key, "-"
    in front for descending). Four queries whatever the number of schools."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in DISTRICT_SORTS:
        key, descending = DEFAULT_DISTRICT_SORT, False
    schools = list(School.objects.filter(is_active=True).order_by("code"))
    ids = [school.pk for school in schools]
    group_id = teacher_group_id()
    if group_id is None:  # no teacher role yet: nobody to count
        group_id = 0
    teachers = dict(
        active_teachers(group_id)
        .filter(school_id__in=ids)
        .order_by()
        .values_list("school_id")
        .annotate(n=Count("pk", distinct=True))
    )
    qualified = qualified_by_school_stage(ids, group_id)
    qualified_total: dict[int, int] = defaultdict(int)
    for (school_id, _stage), n in qualified.items():
        qualified_total[school_id] += n
    rows = [
        SchoolCoverageRow(
            school=school,
            teachers=teachers.get(school.pk, 0),
            qualified=qualified_total.get(school.pk, 0),
            stages=[
                stage_coverage(
                    stage=stage,
                    students=school_students(school, stage),
                    qualified=qualified.get((school.pk, stage), 0),
                )
                for stage in school.stages
            ],
        )
        for school in schools
    ]
    attribute = DISTRICT_SORTS[key]
    # Ties keep the school-code order, whichever direction.
    rows.sort(key=lambda row: row.code)
    rows.sort(key=lambda row: getattr(row, attribute), reverse=descending)
    return rows


# --- Who sees which school's dashboard -----------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """What a person may do on the qualification dashboards."""

    all_schools: bool  # district admin and HR pick any school
    own_school_id: int | None  # a school admin's school
    may_assign: bool  # HR reads only
    sees_district: bool


def dashboard_scope_for(user) -> DashboardScope | None:
    """None for everyone who may not open the dashboards at all."""
    if user_is_district_admin(user):
        return DashboardScope(
            all_schools=True, own_school_id=None, may_assign=True, sees_district=True
        )
    if user_is_hr(user):
        return DashboardScope(
            all_schools=True, own_school_id=None, may_assign=False, sees_district=True
        )
    if user_is_school_admin(user):
        return DashboardScope(
            all_schools=False, own_school_id=user.school_id, may_assign=True, sees_district=False
        )
    return None


def dashboard_schools(scope: DashboardScope) -> QuerySet[School]:
    if scope.all_schools:
        return School.objects.all()
    return School.objects.filter(pk=scope.own_school_id)


# --- The school dashboard's teacher rows ---------------------------------------------------


@dataclass(frozen=True)
class TeacherFilters:
    state: str = ""
    stage: str = ""
    title: str = ""
    head_teacher: str = ""  # "yes", "no" or ""
    query: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.state or self.stage or self.title or self.head_teacher or self.query)


def school_teachers(school: School) -> QuerySet[User]:
    """The school's active teachers, each annotated with their mentor status (teachers the
    engine has not reached yet read as not started): mentor_state, mentor_progress,
    mentor_missing, mentor_qualified_on, mentor_expires_on, mentor_computed_at."""
    return (
        active_teachers()
        .filter(school=school)
        .annotate(
            mentor=FilteredRelation(
                "qualification_statuses",
                condition=Q(qualification_statuses__standard_code=MENTOR_STANDARD_CODE),
            )
        )
        .annotate(
            mentor_state=Coalesce(F("mentor__state"), Value(QualificationState.NOT_STARTED.value)),
            mentor_progress=Coalesce(
                F("mentor__progress"), Value(Decimal(0)), output_field=DecimalField()
            ),
            mentor_missing=F("mentor__missing"),
            mentor_qualified_on=F("mentor__qualified_on"),
            mentor_expires_on=F("mentor__expires_on"),
            mentor_computed_at=F("mentor__computed_at"),
        )
        .only("staff_no", "full_name", "stage", "title", "is_head_teacher", "school_id")
    )


def school_teachers_filtered(school: School, filters: TeacherFilters) -> QuerySet[User]:
    teachers = school_teachers(school)
    if filters.state:
        teachers = teachers.filter(mentor_state=filters.state)
    if filters.stage:
        teachers = teachers.filter(stage=filters.stage)
    if filters.title:
        teachers = teachers.filter(title=filters.title)
    if filters.head_teacher:
        teachers = teachers.filter(is_head_teacher=filters.head_teacher == "yes")
    if filters.query:
        teachers = teachers.filter(
            Q(full_name__icontains=filters.query) | Q(staff_no__icontains=filters.query)
        )
    return teachers.order_by("staff_no")


def school_state_counts(school: School) -> dict[str, int]:
    """{state: teachers} for every state, zeros included (one GROUP BY query)."""
    rows = school_teachers(school).order_by().values_list("mentor_state").annotate(n=Count("pk"))
    counts = dict.fromkeys(QualificationState.values, 0)
    counts.update(dict(rows))
    return counts


def school_closest_to_qualifying(school: School, *, limit: int = 10) -> list[User]:
    """Teachers in progress, the furthest along first."""
    return list(
        school_teachers(school)
        .filter(mentor_state=QualificationState.IN_PROGRESS)
        .order_by("-mentor_progress", "staff_no")[:limit]
    )


def missing_items(value) -> list[dict]:
    """The JSON list of a status, read defensively (a row not computed yet has none)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]
