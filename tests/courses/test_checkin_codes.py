"""Rotating check-in codes: derivation, rotation, accepted steps, the check-in window."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from courses.models import Attendance, AttendanceMethod
from courses.services.checkin import (
    checkin_code,
    checkin_code_valid,
    checkin_step,
    checkin_step_seconds,
    lecture_checkin,
)
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture():
    return make_lecture(starts_in=timedelta(minutes=10), minutes=90)


def _code_at(lecture, when):
    return checkin_code(lecture, checkin_step(when))


def test_code_is_six_digits_and_rotates_each_step(lecture):
    codes = {checkin_code(lecture, step) for step in range(1000, 1020)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) >= 18  # a different code (almost) every step


def test_code_depends_on_the_lecture_secret(lecture):
    other = make_lecture(starts_in=timedelta(minutes=10))
    assert [checkin_code(lecture, s) for s in range(5)] != [
        checkin_code(other, s) for s in range(5)
    ]


@override_settings(LECTURE_CHECKIN_STEP=45)
def test_current_and_previous_step_accepted_older_rejected(lecture):
    now = lecture.starts_at
    size = checkin_step_seconds()
    assert checkin_code_valid(lecture, _code_at(lecture, now), now)
    assert checkin_code_valid(lecture, _code_at(lecture, now - timedelta(seconds=size)), now)
    two_back = _code_at(lecture, now - timedelta(seconds=2 * size))
    assert not checkin_code_valid(lecture, two_back, now)
    # A code of the next step (not yet shown) is not accepted either.
    assert not checkin_code_valid(lecture, _code_at(lecture, now + timedelta(seconds=size)), now)


def test_malformed_codes_rejected(lecture):
    now = lecture.starts_at
    for code in ["", "12345", "1234567", "abcdef", None]:
        assert not checkin_code_valid(lecture, code, now)


@pytest.mark.parametrize("step, expected", [(10, 30), (30, 30), (45, 45), (60, 60), (300, 60)])
def test_step_setting_is_held_within_30_to_60_seconds(step, expected):
    with override_settings(LECTURE_CHECKIN_STEP=step):
        assert checkin_step_seconds() == expected


def _checkin(user, lecture, now, code=None):
    return lecture_checkin(
        user=user,
        lecture=lecture,
        code=code or _code_at(lecture, now),
        method=AttendanceMethod.CODE,
        now=now,
    )


def test_window_opens_30_minutes_before_start(teacher_a, lecture):
    too_early = lecture.starts_at - timedelta(minutes=30, seconds=1)
    with pytest.raises(ValidationError, match="30"):
        _checkin(teacher_a, lecture, too_early)
    assert not Attendance.objects.exists()
    attendance, created = _checkin(teacher_a, lecture, lecture.starts_at - timedelta(minutes=30))
    assert created and attendance.method == AttendanceMethod.CODE


def test_window_closes_at_the_end(teacher_a, teacher_b, lecture):
    with pytest.raises(ValidationError):
        _checkin(teacher_a, lecture, lecture.ends_at + timedelta(seconds=1))
    _attendance, created = _checkin(teacher_b, lecture, lecture.ends_at)
    assert created
    assert list(Attendance.objects.values_list("user", flat=True)) == [teacher_b.pk]


def test_code_of_another_lecture_rejected(teacher_a, lecture):
    other = make_lecture(starts_in=timedelta(minutes=10))
    now = lecture.starts_at
    with pytest.raises(ValidationError):
        _checkin(teacher_a, lecture, now, code=_code_at(other, now))
    assert not Attendance.objects.exists()


def test_code_replayed_two_steps_later_rejected(teacher_a, lecture):
    shown_at = lecture.starts_at
    code = _code_at(lecture, shown_at)
    later = shown_at + timedelta(seconds=2 * checkin_step_seconds())
    with pytest.raises(ValidationError):
        _checkin(teacher_a, lecture, later, code=code)
    assert not Attendance.objects.exists()


def test_code_accepted_just_after_rotation(teacher_a, lecture):
    shown_at = lecture.starts_at
    code = _code_at(lecture, shown_at)
    next_step_start = (checkin_step(shown_at) + 1) * checkin_step_seconds()
    just_after = shown_at + timedelta(seconds=next_step_start - shown_at.timestamp() + 1)
    assert checkin_step(just_after) == checkin_step(shown_at) + 1
    _attendance, created = _checkin(teacher_a, lecture, just_after, code=code)
    assert created


def test_twice_is_a_no_op(teacher_a, lecture):
    now = lecture.starts_at
    first, created = _checkin(teacher_a, lecture, now)
    again, created_again = _checkin(teacher_a, lecture, now + timedelta(minutes=5))
    assert created and not created_again
    assert again.pk == first.pk and again.checked_in_at == first.checked_in_at
    assert Attendance.objects.count() == 1
