"""The qualification engine: each requirement kind and its edges (exact threshold, window
boundaries, Asia/Shanghai day edges), stage-specific requirements, states and missing items."""

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from certification.models import CreditSource
from certification.models.qualification import QualificationState, QualificationStatus
from certification.services.qualification import add_months, qualification_recompute
from cms.choices import CreditCategory
from people import roles
from tests.factories import UserFactory
from tests.factories.certification import award, reverse
from tests.factories.courses import make_course, make_lesson
from tests.factories.qualification import (
    course_credit,
    course_req,
    h5p_score,
    hours_req,
    lecture_credit,
    lectures_req,
    only_standard,
    score_req,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2027, 6, 15)


def status_of(user, code="t"):
    return QualificationStatus.objects.get(user=user, standard_code=code)


def at_shanghai(day, hour=12, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def teacher(make_user, school_a):
    return make_user(roles.TEACHER, school_a, staff_no="T100", full_name="赵老师", stage="primary")


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2028, 2, 29), -12) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 6, 15), -12) == datetime.date(2026, 6, 15)
    assert add_months(datetime.date(2026, 11, 30), 36) == datetime.date(2029, 11, 30)


def test_nothing_earned_is_not_started_with_every_requirement_missing(teacher):
    course = make_course(lessons=0, title="心理健康教育基础")
    only_standard(requirements=[course_req(course, code="mh", label="心理健康教育基础")])
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.state == QualificationState.NOT_STARTED
    assert status.progress == 0
    assert status.missing == [{"code": "mh", "label": "心理健康教育基础", "have": 0, "need": 1}]
    assert status.qualified_on is None and status.expires_on is None


def test_course_completed_qualifies_on_the_award_day(teacher):
    first, second = make_course(lessons=0), make_course(lessons=0)
    only_standard(requirements=[course_req(first), course_req(second)], validity_months=36)
    award(teacher, **course_credit(first, awarded_on=datetime.date(2027, 1, 10)))
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.state == QualificationState.IN_PROGRESS
    assert status.progress == Decimal("50.00")
    assert [item["code"] for item in status.missing] == ["r1"]

    award(teacher, **course_credit(second, awarded_on=datetime.date(2027, 3, 2)))
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.state == QualificationState.QUALIFIED
    assert status.progress == 100 and status.missing == []
    assert status.qualified_on == datetime.date(2027, 3, 2)  # the last requirement met
    assert status.expires_on == datetime.date(2030, 3, 2)


def test_other_sources_do_not_complete_a_course(teacher):
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)])
    credit = course_credit(course) | {"source": CreditSource.MANUAL}
    award(teacher, **credit)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == QualificationState.NOT_STARTED
    assert status_of(teacher).missing[0]["have"] == 0


def test_an_imported_record_of_the_course_completes_it(teacher):
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)])
    credit = course_credit(course) | {"source": CreditSource.IMPORT, "source_ref": "imp-1"}
    award(teacher, **credit)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == QualificationState.QUALIFIED


def test_a_course_required_by_code_before_it_exists_resolves_once_published(teacher):
    only_standard(
        requirements=[{"kind": "course_completed", "course_code": "QP-NEW-01", "code": "new"}]
    )
    qualification_recompute(today=TODAY)
    assert status_of(teacher).missing[0]["code"] == "new"
    course = make_course(lessons=0, code="QP-NEW-01")
    award(teacher, **course_credit(course))
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == QualificationState.QUALIFIED


@pytest.mark.parametrize(
    ("hours", "state"),
    [("3.9", QualificationState.IN_PROGRESS), ("4", QualificationState.QUALIFIED)],
)
def test_category_hours_exact_threshold(teacher, hours, state):
    only_standard(requirements=[hours_req("credit:practice", 4)])
    award(teacher, hours="2", category=CreditCategory.PRACTICE, awarded_on=TODAY)
    award(
        teacher,
        hours=str(Decimal(hours) - 2),
        category=CreditCategory.PRACTICE,
        awarded_on=TODAY,
    )
    award(teacher, hours="10", category=CreditCategory.KNOWLEDGE, awarded_on=TODAY)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == state


def test_category_hours_by_topic_and_by_mentor_training(teacher):
    only_standard(
        requirements=[
            hours_req("topic:home-school", 3, code="topic"),
            hours_req("mentor", 5, code="mentor"),
        ]
    )
    award(teacher, hours="3", topic="home-school", mentor_topic=True, awarded_on=TODAY)
    award(teacher, hours="1", topic="assessment", mentor_topic=False, awarded_on=TODAY)
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.missing == [{"code": "mentor", "label": "要求1", "have": 3, "need": 5}]
    assert status.progress == Decimal("80.00")  # (1 + 3/5) / 2


def test_hours_window_includes_its_first_day_and_excludes_the_day_before(teacher):
    only_standard(requirements=[hours_req("mentor", 4, window=12)])
    first_day = datetime.date(2026, 6, 15)  # TODAY − 12 months
    award(teacher, hours="2", mentor_topic=True, awarded_on=first_day)
    award(teacher, hours="2", mentor_topic=True, awarded_on=first_day - datetime.timedelta(days=1))
    award(teacher, hours="1.5", mentor_topic=True, awarded_on=TODAY)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).missing[0]["have"] == 3.5
    award(teacher, hours="0.5", mentor_topic=True, awarded_on=datetime.date(2027, 1, 1))
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.state == QualificationState.QUALIFIED
    assert status.qualified_on == TODAY  # the latest entry counted


def test_lectures_attended_within_the_window(teacher):
    only_standard(requirements=[lectures_req(2, window=12, code="lectures")])
    award(teacher, **lecture_credit(1, datetime.date(2026, 6, 14)))  # one day too early
    award(teacher, **lecture_credit(2, datetime.date(2026, 9, 20)))
    award(teacher, hours="8", mentor_topic=True, awarded_on=TODAY)  # not a lecture
    qualification_recompute(today=TODAY)
    assert status_of(teacher).missing == [
        {"code": "lectures", "label": "要求0", "have": 1, "need": 2}
    ]
    award(teacher, **lecture_credit(3, datetime.date(2026, 6, 15)))  # exactly 12 months
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.state == QualificationState.QUALIFIED
    assert status.qualified_on == datetime.date(2026, 9, 20)


def test_the_window_follows_the_shanghai_calendar_day(teacher):
    """At 16:00 UTC on 14 June it is already 15 June in Shanghai: the 12-month window then
    starts on 15 June 2026, so an award of 14 June 2026 no longer counts."""
    only_standard(requirements=[lectures_req(1, window=12)])
    award(teacher, **lecture_credit(1, datetime.date(2026, 6, 14)))
    before_midnight = datetime.datetime(2027, 6, 14, 15, 59, tzinfo=datetime.UTC)
    after_midnight = datetime.datetime(2027, 6, 14, 16, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=before_midnight):
        qualification_recompute()
    assert status_of(teacher).state == QualificationState.QUALIFIED
    QualificationStatus.objects.all().delete()
    with mock.patch("django.utils.timezone.now", return_value=after_midnight):
        qualification_recompute()
    assert status_of(teacher).state == QualificationState.NOT_STARTED


@pytest.mark.parametrize(("best", "met"), [("0.79", False), ("0.80", True), ("0.95", True)])
def test_course_score_threshold(teacher, best, met):
    course = make_course(lessons=0, code="QP-WJ-T")
    lesson = make_lesson(course)
    only_standard(requirements=[score_req(course, 80, code="score")])
    h5p_score(teacher, lesson, course, "0.5", at_shanghai(datetime.date(2027, 2, 1)))
    h5p_score(teacher, lesson, course, best, at_shanghai(datetime.date(2027, 3, 1), hour=0))
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert (status.state == QualificationState.QUALIFIED) is met
    if met:
        # 00:00 in Shanghai is the previous day in UTC: the Shanghai day counts.
        assert status.qualified_on == datetime.date(2027, 3, 1)
    else:
        assert status.missing == [{"code": "score", "label": "要求0", "have": 79, "need": 80}]


def test_scores_in_other_courses_do_not_count(teacher):
    course, other = make_course(lessons=0), make_course(lessons=0)
    lesson = make_lesson(other)
    only_standard(requirements=[score_req(course, 80)])
    h5p_score(teacher, lesson, other, "1", at_shanghai(TODAY))
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == QualificationState.NOT_STARTED


def test_stage_specific_requirements(make_user, school_a):
    common, junior_only = make_course(lessons=0), make_course(lessons=0)
    only_standard(
        requirements=[
            course_req(common, code="common"),
            course_req(junior_only, code="adolescence", stages=["junior", "senior"]),
        ]
    )
    primary = make_user(roles.TEACHER, school_a, stage="primary")
    junior = make_user(roles.TEACHER, school_a, stage="junior")
    for user in (primary, junior):
        award(user, **course_credit(common))
    qualification_recompute(today=TODAY)
    assert status_of(primary).state == QualificationState.QUALIFIED
    assert status_of(junior).state == QualificationState.IN_PROGRESS
    assert [item["code"] for item in status_of(junior).missing] == ["adolescence"]


def test_a_standard_for_some_stages_leaves_the_others_without_status(make_user, school_a):
    only_standard(stages=["senior"], requirements=[lectures_req(1)])
    primary = make_user(roles.TEACHER, school_a, stage="primary")
    senior = make_user(roles.TEACHER, school_a, stage="senior")
    qualification_recompute(today=TODAY)
    assert not QualificationStatus.objects.filter(user=primary).exists()
    assert status_of(senior).state == QualificationState.NOT_STARTED


def test_a_reversal_removes_the_credit_from_the_status(teacher, district_admin):
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)])
    entry = award(teacher, **course_credit(course))
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == QualificationState.QUALIFIED
    reverse(entry, by=district_admin)
    qualification_recompute(today=TODAY)
    status = status_of(teacher)
    assert status.state == QualificationState.NOT_STARTED
    assert status.qualified_on is None and status.expires_on is None


def test_reversed_hours_no_longer_count(teacher, district_admin):
    only_standard(requirements=[hours_req("mentor", 4)])
    kept = award(teacher, hours="2", mentor_topic=True, awarded_on=TODAY)
    wrong = award(teacher, hours="2", mentor_topic=True, awarded_on=TODAY)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).state == QualificationState.QUALIFIED
    reverse(wrong, by=district_admin)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).missing[0]["have"] == 2
    assert kept.pk


def test_changed_at_moves_only_when_the_status_changes(teacher):
    only_standard(requirements=[hours_req("mentor", 4)])
    award(teacher, hours="1", mentor_topic=True, awarded_on=TODAY)
    qualification_recompute(today=TODAY)
    first = status_of(teacher)
    qualification_recompute(today=TODAY)
    again = status_of(teacher)
    assert again.changed_at == first.changed_at
    assert again.computed_at >= first.computed_at
    award(teacher, hours="1", mentor_topic=True, awarded_on=TODAY)
    qualification_recompute(today=TODAY)
    assert status_of(teacher).changed_at > first.changed_at


def test_inactive_and_schoolless_users_get_no_status(make_user, school_a):
    only_standard(requirements=[lectures_req(1)])
    make_user(roles.TEACHER, school_a, is_active=False)
    UserFactory(staff_no="HR9", school=None)
    result = qualification_recompute(today=TODAY)
    assert result.users == 0
    schoolless = UserFactory(staff_no="HR8", school=None)
    assert qualification_recompute([schoolless.pk], today=TODAY).users == 0
    assert not QualificationStatus.objects.exists()


def test_the_seeded_mentor_standard_follows_design(make_user, school_a):
    from certification.models.qualification import QualificationStandard

    standard = QualificationStandard.objects.get(code="mentor", is_current=True)
    assert standard.validity_months == 36 and standard.renewal_hours == 8
    kinds = {r.code: (r.kind, r.course_code, r.stages) for r in standard.requirements.all()}
    assert kinds["crisis-score"] == ("course_score", "QP-WJ-2026-01", [])
    assert kinds["career"] == ("course_completed", "QP-SY-2026-01", ["senior"])
    lectures = standard.requirements.get(code="lectures")
    assert (lectures.min_value, lectures.window_months) == (2, 12)
    senior = make_user(roles.TEACHER, school_a, stage="senior")
    qualification_recompute(today=TODAY)
    status = status_of(senior, "mentor")
    assert status.state == QualificationState.NOT_STARTED
    assert len(status.missing) == 7
