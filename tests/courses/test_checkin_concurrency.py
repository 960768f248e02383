"""Concurrent check-ins and feedback (PostgreSQL only: SQLite serialises writers): one
teacher's double tap records one attendance and sends `lecture_attended` once."""

import threading
from datetime import timedelta

import pytest
from django.db import connections

from courses.models import Attendance, AttendanceMethod
from courses.services.attendance import attendance_record, lecture_feedback_submit
from courses.services.checkin import checkin_code, checkin_step, lecture_checkin
from courses.signals import lecture_attended
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,  # concurrent writers; tier 2
]

THREADS = 6


def run_together(work):
    barrier = threading.Barrier(THREADS)
    outcomes, errors = [], []

    def target(index):
        try:
            barrier.wait()
            outcomes.append(work(index))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes, errors


@pytest.fixture
def received():
    calls = []
    lock = threading.Lock()

    def receiver(sender, **kwargs):
        with lock:
            calls.append(kwargs["attendance"].pk)

    lecture_attended.connect(receiver, weak=False)
    yield calls
    lecture_attended.disconnect(receiver)


def test_double_tap_checks_in_once_and_credits_once(teacher_a, received):
    lecture = make_lecture(
        starts_in=timedelta(minutes=-5), series=lecture_series(feedback_required=False)
    )
    now = lecture.starts_at + timedelta(minutes=1)
    code = checkin_code(lecture, checkin_step(now))
    outcomes, errors = run_together(
        lambda index: lecture_checkin(
            user=teacher_a, lecture=lecture, code=code, method=AttendanceMethod.QR, now=now
        )
    )
    assert errors == []
    assert sum(created for _attendance, created in outcomes) == 1
    assert Attendance.objects.filter(lecture=lecture).count() == 1
    assert len(received) == 1


def test_racing_feedback_credits_once(teacher_a, received):
    lecture = make_lecture(
        starts_in=timedelta(minutes=-5), series=lecture_series(feedback_required=True)
    )
    attendance_record(user=teacher_a, lecture=lecture, method=AttendanceMethod.CODE)
    outcomes, errors = run_together(
        lambda index: lecture_feedback_submit(
            user=teacher_a, lecture=lecture, rating=4, comment=str(index)
        )
    )
    assert errors == []
    assert sum(created for _feedback, created in outcomes) == 1
    assert len(received) == 1
