"""Coverage at 1:15: the arithmetic (exact multiples, no mentor, no students) and the counts
it is fed (qualified and expiring count, other states, schools, stages and inactive users
do not)."""

from decimal import Decimal

import pytest

from certification.models.qualification import QualificationState
from certification.selectors.coverage import (
    district_coverage,
    school_coverage,
    stage_coverage,
)
from people import roles
from people.models import Stage
from tests.factories import SchoolFactory

from .readiness_helpers import bulk_teachers, status_for

S = QualificationState


@pytest.mark.parametrize(
    ("students", "qualified", "needed", "ratio", "percent"),
    [
        (30, 2, 0, Decimal("1.00"), 100),  # exact multiple of 15, exactly enough
        (45, 3, 0, Decimal("1.00"), 100),
        (46, 3, 1, Decimal("1.02"), 98),  # one student over: one more mentor
        (30, 1, 1, Decimal("2.00"), 50),
        (15, 4, 0, Decimal("0.25"), 100),  # more mentors than needed: capped at 100 %
        (31, 0, 3, None, 0),  # no qualified mentor: no ratio, every mentor needed
        (0, 0, 0, None, 100),  # no students: nothing needed
        (0, 2, 0, Decimal("0.00"), 100),
        (1, 0, 1, None, 0),
    ],
)
def test_stage_coverage_arithmetic(students, qualified, needed, ratio, percent):
    coverage = stage_coverage(stage=Stage.PRIMARY, students=students, qualified=qualified)
    assert coverage.needed == needed
    assert coverage.ratio == ratio
    assert coverage.coverage_percent == percent
    assert coverage.capacity == qualified * 15
    assert coverage.is_covered is (needed == 0)


def test_students_per_mentor():
    assert stage_coverage(stage="junior", students=100, qualified=3).students_per_mentor == (
        Decimal("33.3")
    )
    assert stage_coverage(stage="junior", students=100, qualified=0).students_per_mentor is None


@pytest.mark.django_db
def test_school_coverage_counts_qualified_and_expiring_of_active_teachers_per_stage(make_user):
    school = SchoolFactory(
        code="C001",
        offers_primary=True,
        offers_junior=True,
        students_primary=31,
        students_junior=30,
    )
    other = SchoolFactory(code="C002", students_primary=15)
    bulk_teachers(school, 1, stage=Stage.PRIMARY, state=S.QUALIFIED)
    bulk_teachers(school, 1, stage=Stage.PRIMARY, state=S.EXPIRING)
    for state in (S.IN_PROGRESS, S.EXPIRED, S.REVOKED, S.NOT_STARTED):
        bulk_teachers(school, 1, stage=Stage.PRIMARY, state=state)
    bulk_teachers(school, 1, stage=Stage.PRIMARY, state=S.QUALIFIED, is_active=False)
    bulk_teachers(school, 2, stage=Stage.JUNIOR, state=S.QUALIFIED)
    bulk_teachers(school, 1, stage=Stage.SENIOR, state=S.QUALIFIED)  # stage not offered
    bulk_teachers(other, 5, stage=Stage.PRIMARY, state=S.QUALIFIED)
    # A qualified school admin without the teacher role is no mentor here.
    status_for(make_user(roles.SCHOOL_ADMIN, school, stage=Stage.PRIMARY), S.QUALIFIED)

    primary, junior = school_coverage(school)
    assert (primary.stage, primary.students, primary.qualified, primary.needed) == (
        "primary",
        31,
        2,
        1,
    )
    assert (junior.stage, junior.students, junior.qualified, junior.needed) == ("junior", 30, 2, 0)


@pytest.mark.django_db
def test_school_coverage_one_query(django_assert_num_queries):
    school = SchoolFactory(code="C003", students_primary=100)
    bulk_teachers(school, 3, state=S.QUALIFIED)
    with django_assert_num_queries(1):
        (primary,) = school_coverage(school)
    assert primary.qualified == 3
    assert primary.needed == 4


@pytest.mark.django_db
def test_district_rows_and_rates():
    first = SchoolFactory(code="D001", students_primary=30)
    second = SchoolFactory(code="D002", students_primary=0)
    SchoolFactory(code="D003", is_active=False)
    bulk_teachers(first, 1, state=S.QUALIFIED)
    bulk_teachers(first, 3, state=S.IN_PROGRESS)
    bulk_teachers(second, 2)  # never computed

    rows = {row.code: row for row in district_coverage()}
    assert set(rows) == {"D001", "D002"}
    assert (rows["D001"].teachers, rows["D001"].qualified) == (4, 1)
    assert rows["D001"].qualification_rate == 25
    assert rows["D001"].coverage_percent == 50
    assert rows["D001"].needed == 1
    assert (rows["D002"].teachers, rows["D002"].qualified, rows["D002"].needed) == (2, 0, 0)
    assert rows["D002"].coverage_percent == 100
    assert rows["D002"].qualification_rate == 0


@pytest.mark.django_db
def test_district_counts_only_the_teacher_role_and_nobody_without_it():
    """The district counts filter on the teacher group's id (coverage.teacher_group_id):
    other roles are not counted, and without the group nobody is."""
    from django.contrib.auth.models import Group

    school = SchoolFactory(code="D010", students_primary=30)
    bulk_teachers(school, 2, state=S.QUALIFIED)
    lecturer = bulk_teachers(school, 1, state=S.QUALIFIED)[0]
    lecturer.groups.set([Group.objects.get(name=roles.LECTURER)])
    [row] = [row for row in district_coverage() if row.code == "D010"]
    assert (row.teachers, row.qualified) == (2, 2)
    Group.objects.filter(name=roles.TEACHER).delete()
    [row] = [row for row in district_coverage() if row.code == "D010"]
    assert (row.teachers, row.qualified) == (0, 0)


@pytest.mark.django_db
def test_district_sort_directions_and_unknown_key():
    low = SchoolFactory(code="E001", name="乙校", students_primary=60)
    high = SchoolFactory(code="E002", name="甲校", students_primary=15)
    bulk_teachers(low, 1, state=S.QUALIFIED)
    bulk_teachers(high, 1, state=S.QUALIFIED)

    assert [row.code for row in district_coverage(sort="coverage")] == ["E001", "E002"]
    assert [row.code for row in district_coverage(sort="-coverage")] == ["E002", "E001"]
    assert [row.code for row in district_coverage(sort="-needed")] == ["E001", "E002"]
    assert [row.code for row in district_coverage(sort="nonsense")] == ["E001", "E002"]
    assert [row.code for row in district_coverage(sort="-code")] == ["E002", "E001"]
