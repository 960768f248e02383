"""Validity with the calendar: expiring (≤ 90 days left), expired, renewal by mentor-training
hours within the validity period, regaining after expiry, reminders once each, revoke."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from certification.models.qualification import QualificationState, QualificationStatus
from certification.services.qualification import (
    qualification_recompute,
    qualification_revoke,
    qualification_unrevoke,
)
from people import roles
from people.models import Notification
from tests.factories.certification import award
from tests.factories.courses import make_course
from tests.factories.qualification import (
    course_credit,
    course_req,
    lecture_credit,
    lectures_req,
    only_standard,
)

QUALIFIED_ON = datetime.date(2026, 3, 5)
EXPIRES_ON = datetime.date(2029, 3, 5)  # 36 months later


def status_of(user):
    return QualificationStatus.objects.get(user=user, standard_code="t")


@pytest.fixture
def teacher(make_user, school_a):
    return make_user(
        roles.TEACHER, school_a, staff_no="T200", stage="primary", email="t200@example.cn"
    )


@pytest.fixture
def qualified(teacher):
    """A teacher who met the only requirement on QUALIFIED_ON; renewal needs 8 hours."""
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)], validity_months=36, renewal_hours=8)
    award(teacher, **course_credit(course, awarded_on=QUALIFIED_ON))
    return teacher


def day(offset: int) -> datetime.date:
    return EXPIRES_ON + datetime.timedelta(days=offset)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (day(-91), QualificationState.QUALIFIED),
        (day(-90), QualificationState.EXPIRING),
        (day(0), QualificationState.EXPIRING),  # valid through the expiry day
        (day(1), QualificationState.EXPIRED),
    ],
)
def test_state_moves_with_the_calendar(qualified, today, state):
    qualification_recompute(today=today)
    status = status_of(qualified)
    assert status.state == state
    assert (status.qualified_on, status.expires_on) == (QUALIFIED_ON, EXPIRES_ON)


def test_expiring_and_expired_show_the_renewal_item(qualified):
    award(qualified, hours="3", mentor_topic=True, awarded_on=datetime.date(2028, 1, 1))
    qualification_recompute(today=day(-30))
    renewal = {"code": "renewal", "label": _("Mentor training hours to renew"), "have": 3}
    assert status_of(qualified).missing == [renewal | {"need": 8}]
    qualification_recompute(today=day(10))
    # Once expired, only hours earned after the expiry count towards regaining it.
    assert status_of(qualified).missing == [renewal | {"have": 0, "need": 8}]


def test_renewal_hours_within_the_period_extend_it(qualified):
    award(qualified, hours="4", mentor_topic=True, awarded_on=QUALIFIED_ON)  # first day counts
    award(qualified, hours="3.9", mentor_topic=True, awarded_on=EXPIRES_ON)  # last day counts
    award(qualified, hours="5", mentor_topic=False, awarded_on=datetime.date(2027, 1, 1))
    qualification_recompute(today=day(-10))
    assert status_of(qualified).state == QualificationState.EXPIRING  # 7.9 < 8
    award(qualified, hours="0.1", mentor_topic=True, awarded_on=day(-10))
    qualification_recompute(today=day(-10))
    status = status_of(qualified)
    assert status.state == QualificationState.QUALIFIED
    assert status.qualified_on == QUALIFIED_ON
    assert status.expires_on == datetime.date(2032, 3, 5)
    assert status.missing == []


def test_hours_after_the_expiry_do_not_renew_but_regain(qualified):
    award(qualified, hours="8", mentor_topic=True, awarded_on=day(1))
    qualification_recompute(today=day(1))
    status = status_of(qualified)
    # Regained on the day the hours were reached: a new period from that day.
    assert status.state == QualificationState.QUALIFIED
    assert status.qualified_on == day(1)
    assert status.expires_on == datetime.date(2032, 3, 6)


def test_renewals_chain_over_several_periods(qualified):
    award(qualified, hours="8", mentor_topic=True, awarded_on=datetime.date(2027, 1, 1))
    award(qualified, hours="8", mentor_topic=True, awarded_on=datetime.date(2030, 1, 1))
    qualification_recompute(today=datetime.date(2031, 1, 1))
    assert status_of(qualified).expires_on == datetime.date(2035, 3, 5)


def test_the_expiring_and_expired_reminders_go_out_once_each(qualified):
    qualification_recompute(today=day(-200))
    assert not Notification.objects.exists()
    for _run in range(2):
        qualification_recompute(today=day(-90))
    expiring = Notification.objects.get(user=qualified)
    assert "2029-03-05" in expiring.title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["t200@example.cn"]
    for _run in range(2):
        qualification_recompute(today=day(1))
    assert Notification.objects.filter(user=qualified).count() == 2
    assert len(mail.outbox) == 2
    assert status_of(qualified).state == QualificationState.EXPIRED


def test_a_teacher_first_seen_long_expired_gets_no_expired_reminder(qualified):
    qualification_recompute(today=day(400))
    assert status_of(qualified).state == QualificationState.EXPIRED
    assert not Notification.objects.exists()


def test_revoked_stays_revoked_until_unrevoked(qualified, district_admin):
    qualification_recompute(today=day(-200))
    with pytest.raises(ValidationError):
        qualification_revoke(user=qualified, standard_code="t", reason=" ", revoked_by=None)
    qualification_revoke(
        user=qualified, standard_code="t", reason="师德考核不合格", revoked_by=district_admin
    )
    qualification_recompute(today=day(-200))
    status = status_of(qualified)
    assert status.state == QualificationState.REVOKED
    assert status.revoked_reason == "师德考核不合格"
    qualification_unrevoke(user=qualified, standard_code="t", today=day(-200))
    status = status_of(qualified)
    assert status.state == QualificationState.QUALIFIED
    assert status.revoked_reason == ""


def test_windowed_requirements_are_not_asked_again_while_valid(teacher):
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course), lectures_req(1, window=12)])
    award(teacher, **course_credit(course, awarded_on=QUALIFIED_ON))
    award(teacher, **lecture_credit(1, datetime.date(2026, 4, 1)))
    qualification_recompute(today=datetime.date(2026, 5, 1))
    assert status_of(teacher).qualified_on == datetime.date(2026, 4, 1)
    # Two years on the lecture is out of the window, yet the qualification holds.
    qualification_recompute(today=datetime.date(2028, 5, 1))
    status = status_of(teacher)
    assert status.state == QualificationState.QUALIFIED
    assert status.expires_on == datetime.date(2029, 4, 1)


def test_two_teachers_expiring_the_same_day_are_both_reminded(qualified, make_user, school_a):
    other = make_user(roles.TEACHER, school_a, staff_no="T201", stage="primary")
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)], validity_months=36, renewal_hours=8)
    for user in (qualified, other):
        award(user, **course_credit(course, awarded_on=QUALIFIED_ON))
    qualification_recompute(today=day(-30))
    assert set(Notification.objects.values_list("user_id", flat=True)) == {qualified.pk, other.pk}
