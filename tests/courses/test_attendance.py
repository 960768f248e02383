"""attendance_record: one row per teacher and lecture, and `lecture_attended` sent exactly once
when the attendance becomes creditable."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from courses.models import Attendance, AttendanceMethod, LecturePage
from courses.services.attendance import attendance_record, lecture_feedback_submit
from courses.signals import lecture_attended
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))

    lecture_attended.connect(receiver, weak=False)
    yield calls
    lecture_attended.disconnect(receiver)


def test_without_feedback_required_credit_is_sent_once_at_check_in(teacher_a, received):
    lecture = make_lecture(
        starts_in=timedelta(minutes=-10),
        credit_hours=Decimal("1.5"),
        series=lecture_series(feedback_required=False),
    )
    attendance, created = attendance_record(
        user=teacher_a, lecture=lecture, method=AttendanceMethod.QR
    )
    again, created_again = attendance_record(
        user=teacher_a, lecture=lecture, method=AttendanceMethod.MANUAL, reason="x"
    )
    assert created and not created_again and again.pk == attendance.pk
    assert again.method == AttendanceMethod.QR
    assert len(received) == 1
    sender, kwargs = received[0]
    assert sender is LecturePage
    assert kwargs["user"] == teacher_a and kwargs["lecture"].pk == lecture.pk
    assert kwargs["attendance"].pk == attendance.pk and kwargs["hours"] == Decimal("1.5")
    assert Attendance.objects.get().credited_at is not None


def test_with_feedback_required_credit_waits_for_feedback(teacher_a, received):
    # (make_lecture() without series= republishes the series with feedback_required=True.)
    lecture = make_lecture(
        starts_in=timedelta(minutes=-10), series=lecture_series(feedback_required=True)
    )
    attendance_record(user=teacher_a, lecture=lecture, method=AttendanceMethod.CODE)
    assert received == []
    assert Attendance.objects.get().credited_at is None
    lecture_feedback_submit(user=teacher_a, lecture=lecture, rating=5, comment="好")
    lecture_feedback_submit(user=teacher_a, lecture=lecture, rating=1, comment="again")
    assert len(received) == 1
    assert received[0][1]["attendance"].credited_at is not None
    assert Attendance.objects.get().credited_at is not None


def test_recorded_by_and_reason_kept_for_manual_marks(teacher_a, district_admin, received):
    lecture = make_lecture(
        starts_in=timedelta(days=-1), series=lecture_series(feedback_required=False)
    )
    attendance, _created = attendance_record(
        user=teacher_a,
        lecture=lecture,
        method=AttendanceMethod.MANUAL,
        recorded_by=district_admin,
        reason="  现场签到表补录 ",
    )
    attendance.refresh_from_db()
    assert attendance.recorded_by == district_admin and attendance.reason == "现场签到表补录"


def test_unknown_method_rejected(teacher_a):
    lecture = make_lecture(starts_in=timedelta(minutes=-10))
    with pytest.raises(ValidationError):
        attendance_record(user=teacher_a, lecture=lecture, method="telepathy")
    assert not Attendance.objects.exists()


def test_lost_race_returns_the_winner_without_a_second_credit(teacher_a, received):
    """Two requests both see no row; the loser's INSERT hits the unique constraint."""
    lecture = make_lecture(
        starts_in=timedelta(minutes=-10), series=lecture_series(feedback_required=False)
    )
    winner, _created = attendance_record(user=teacher_a, lecture=lecture, method="qr")
    real_filter = Attendance.objects.filter

    class NoRowFirst:
        def __init__(self, *args, **kwargs):
            self.qs = real_filter(*args, **kwargs)

        def first(self):
            return None

    with mock.patch.object(Attendance.objects, "filter", NoRowFirst):
        loser, created = attendance_record(user=teacher_a, lecture=lecture, method="code")
    assert not created and loser.pk == winner.pk
    assert len(received) == 1
    with pytest.raises(IntegrityError):
        Attendance.objects.create(
            user=teacher_a, lecture=lecture, method="qr", checked_in_at=winner.checked_in_at
        )


def test_record_query_count(make_user, django_assert_max_num_queries):
    lecture = make_lecture(
        starts_in=timedelta(minutes=-10), series=lecture_series(feedback_required=False)
    )
    for n in range(3):
        user = make_user(None, None, staff_no=f"Q{n}")
        # 6 for the attendance itself (look-up, series rule, insert with its credit in a
        # savepoint, the transaction's savepoint pair); 6 for the credit ledger's receiver
        # writing the entry in the same transaction (one read of the latest hash, the
        # idempotency check and the cycle; the insert in its savepoint; the teacher marked
        # for the batch recompute). PostgreSQL's row lock on the teacher is one more. Was 17
        # before the check-in throughput work.
        with django_assert_max_num_queries(13):
            attendance_record(user=user, lecture=lecture, method="qr")
