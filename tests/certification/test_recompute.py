"""Set-based recompute: the same number of queries for 10 and for 1,000 teachers; the
recompute_qualifications command; running twice changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from certification.models import Certificate, CertificateSerial
from certification.models.qualification import QualificationState, QualificationStatus
from certification.services.qualification import qualification_recompute
from cms.choices import CreditCategory
from people.models import School, User
from tests.factories.courses import make_course, make_lesson
from tests.factories.qualification import (
    bulk_credit,
    course_req,
    h5p_score,
    hours_req,
    lectures_req,
    only_standard,
    score_req,
)

TODAY = datetime.date(2027, 6, 15)


def bulk_teachers(school: School, count: int, prefix: str) -> list[int]:
    User.objects.bulk_create(
        User(
            staff_no=f"{prefix}{number:05d}",
            full_name=f"教师{number}",
            school=school,
            stage=("primary", "junior", "senior")[number % 3],
            password="!",
        )
        for number in range(count)
    )
    return list(User.objects.filter(school=school).values_list("pk", flat=True))


@pytest.fixture
def standard(db):
    course = make_course(lessons=0, code="QP-R-01")
    scored = make_course(lessons=0, code="QP-R-02")
    lesson = make_lesson(scored)
    standard = only_standard(
        requirements=[
            course_req(course, code="course"),
            course_req(scored, code="senior-course", stages=["senior"]),
            score_req(scored, 80, code="score"),
            hours_req("credit:practice", 4, window=12, code="practice"),
            hours_req("mentor", 2, code="mentor"),
            lectures_req(2, window=12, code="lectures"),
        ],
        renewal_hours=Decimal("8"),
    )
    return standard, course, scored, lesson


def populate(school, count, prefix, standard):
    _standard, course, _scored, _lesson = standard
    ids = bulk_teachers(school, count, prefix)
    bulk_credit(ids, per_user=2, category=CreditCategory.PRACTICE, awarded_on=TODAY)
    bulk_credit(
        ids,
        per_user=1,
        source="course",
        source_ref=str(course.pk),
        source_object_id=course.pk,
        awarded_on=datetime.date(2026, 1, 10),
    )
    bulk_credit(
        ids, per_user=2, source="lecture", mentor_topic=True, awarded_on=TODAY, title="月度讲座"
    )
    return ids


def count_queries(users) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = qualification_recompute(users, today=TODAY)
    return len(queries), result


def test_same_query_count_for_10_and_1000_teachers(standard, school_a, school_b):
    populate(school_a, 10, "S", standard)
    populate(school_b, 1_000, "B", standard)
    _standard, _course, scored, lesson = standard
    # A score for one teacher of each school, so both runs read the H5P results.
    for school in (school_a, school_b):
        user = User.objects.filter(school=school).order_by("pk").first()
        h5p_score(user, lesson, scored, "0.9", datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC))

    # The qualified teacher of each run gets a certificate; the year's serial counter row is
    # created by the first certificate of a year (a few queries once a year), made here first.
    CertificateSerial.objects.get_or_create(year=TODAY.year)
    small, small_result = count_queries(User.objects.filter(school=school_a))
    big, big_result = count_queries(User.objects.filter(school=school_b))
    assert (small_result.users, big_result.users) == (10, 1_000)
    assert small == big
    # 12 for the statuses; the certificates: 2 per chunk (holders, their certificates) and
    # certificate_issue's 11 for the one teacher who became qualified.
    assert small <= 12 + 2 + 11
    assert Certificate.objects.filter(kind="qualification").count() == 2
    assert QualificationStatus.objects.filter(user__school=school_b).count() == 1_000
    # Every teacher has the course, practice hours, 4 mentor hours and 2 lectures; the
    # primary and junior ones lack the score (but the first, a primary teacher with 90%),
    # the senior ones the score and their course.
    assert big_result.by_state == {"in_progress": 999, "qualified": 1}
    primary = QualificationStatus.objects.filter(user__school=school_b, user__stage="primary")
    assert primary.order_by("user_id")[1].missing == [
        {"code": "score", "label": "要求2", "have": 0, "need": 80}
    ]


def test_a_second_run_changes_nothing(standard, school_a):
    populate(school_a, 30, "S", standard)
    first = qualification_recompute(today=TODAY)
    before = {
        s.user_id: (s.state, s.missing, s.changed_at, s.progress)
        for s in QualificationStatus.objects.all()
    }
    second = qualification_recompute(today=TODAY)
    after = {
        s.user_id: (s.state, s.missing, s.changed_at, s.progress)
        for s in QualificationStatus.objects.all()
    }
    assert first.changed == 30 and second.changed == 0
    assert before == after


def test_chunks_give_the_same_result(standard, school_a):
    populate(school_a, 25, "S", standard)
    qualification_recompute(today=TODAY, chunk_size=7)
    chunked = dict(QualificationStatus.objects.values_list("user_id", "progress"))
    QualificationStatus.objects.all().delete()
    qualification_recompute(today=TODAY)
    assert dict(QualificationStatus.objects.values_list("user_id", "progress")) == chunked


def test_command_by_school_and_by_staff_no(standard, school_a, school_b, capsys):
    populate(school_a, 3, "S", standard)
    populate(school_b, 2, "B", standard)
    call_command("recompute_qualifications", "--school", "A001")
    out = capsys.readouterr().out
    assert QualificationStatus.objects.count() == 3
    assert f"{QualificationState.IN_PROGRESS.label}: 3" in out
    call_command("recompute_qualifications", "--staff-no", "B00001")
    assert QualificationStatus.objects.count() == 4
    call_command("recompute_qualifications", "--all")
    assert QualificationStatus.objects.count() == 5
    assert "5" in capsys.readouterr().out


def test_command_rejects_unknown_school_and_staff_no(standard):
    with pytest.raises(CommandError) as error:
        call_command("recompute_qualifications", "--school", "NOPE")
    assert str(error.value) == _("No school with the code %(code)s.") % {"code": "NOPE"}
    with pytest.raises(CommandError):
        call_command("recompute_qualifications", "--staff-no", "NOPE")
