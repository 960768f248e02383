"""Concurrent enrolments (PostgreSQL only: SQLite serialises writers): teachers racing for the
last places of a course cannot overbook it, and one teacher's double click enrols once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from courses.models import Enrollment
from courses.services.enrolment import enrollment_request
from people import roles
from tests.factories.courses import make_course

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,  # concurrent writers; tier 2
]

THREADS = 6


def run_together(work):
    barrier = threading.Barrier(THREADS)
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

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes, refusals, errors


def test_racing_teachers_cannot_overbook(make_user, school_a):
    course = make_course(lessons=0, capacity=2)
    teachers = [make_user(roles.TEACHER, school_a) for _ in range(THREADS)]
    outcomes, refusals, errors = run_together(
        lambda index: enrollment_request(user=teachers[index], course=course)
    )
    assert errors == []
    assert len(outcomes) == 2 and len(refusals) == THREADS - 2
    assert Enrollment.objects.filter(course=course).count() == 2


def test_one_teachers_double_click_enrols_once(teacher_a):
    course = make_course(lessons=0)
    outcomes, refusals, errors = run_together(
        lambda index: enrollment_request(user=teacher_a, course=course)
    )
    assert errors == [] and refusals == []
    assert len({enrollment.pk for enrollment in outcomes}) == 1
    assert Enrollment.objects.count() == 1
