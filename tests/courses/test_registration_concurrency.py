"""Concurrent lecture registrations (PostgreSQL only: SQLite serialises writers): teachers
racing for the last seat cannot overbook it (the others are waitlisted), racing cancellations
promote each waiting teacher once, and one teacher's double click registers once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from courses.models import LectureRegistration, RegistrationStatus
from courses.services.registration import lecture_cancel, lecture_register
from people import roles
from people.models import Notification
from tests.factories.lectures import make_lecture

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,  # concurrent writers; tier 2
]

THREADS = 6


def run_together(work, threads=THREADS):
    barrier = threading.Barrier(threads)
    outcomes, refusals, errors = [], [], []

    def target(index):
        try:
            barrier.wait()
            outcomes.append(work(index))
        except ValidationError as exc:
            refusals.append(exc)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    return outcomes, refusals, errors


def test_racing_teachers_for_the_last_seat_only_one_wins(make_user, school_a):
    lecture = make_lecture(capacity=2)
    lecture_register(user=make_user(roles.TEACHER, school_a), lecture=lecture)  # one seat left
    teachers = [make_user(roles.TEACHER, school_a) for _ in range(THREADS)]
    outcomes, refusals, errors = run_together(
        lambda index: lecture_register(user=teachers[index], lecture=lecture)
    )
    assert errors == [] and refusals == []
    statuses = sorted(registration.status for registration in outcomes)
    assert statuses == ["registered"] + ["waitlisted"] * (THREADS - 1)
    registered = LectureRegistration.objects.filter(
        lecture=lecture, status=RegistrationStatus.REGISTERED
    )
    assert registered.count() == 2


def test_racing_cancellations_promote_each_waiting_teacher_once(make_user, school_a):
    lecture = make_lecture(capacity=THREADS)
    seated = [make_user(roles.TEACHER, school_a) for _ in range(THREADS)]
    waiting = [make_user(roles.TEACHER, school_a) for _ in range(THREADS - 2)]
    for teacher in [*seated, *waiting]:
        lecture_register(user=teacher, lecture=lecture)
    _outcomes, refusals, errors = run_together(
        lambda index: lecture_cancel(user=seated[index], lecture=lecture)
    )
    assert errors == [] and refusals == []
    rows = LectureRegistration.objects.filter(lecture=lecture)
    assert rows.filter(status=RegistrationStatus.REGISTERED).count() == THREADS - 2
    assert set(
        rows.filter(status=RegistrationStatus.REGISTERED).values_list("user_id", flat=True)
    ) == {teacher.pk for teacher in waiting}
    assert Notification.objects.filter(user__in=waiting).count() == THREADS - 2


def test_one_teachers_double_click_registers_once(teacher_a):
    lecture = make_lecture(capacity=1)
    outcomes, refusals, errors = run_together(
        lambda index: lecture_register(user=teacher_a, lecture=lecture)
    )
    assert errors == [] and refusals == []
    assert len({registration.pk for registration in outcomes}) == 1
    assert LectureRegistration.objects.get().status == RegistrationStatus.REGISTERED
