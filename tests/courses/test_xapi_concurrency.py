"""Concurrent statements (PostgreSQL only: SQLite serialises writers): first attempts racing
both count, one statement sent twice at once is stored once, and the lesson completes once."""

import threading
import uuid

import pytest
from django.db import connections

from courses.models import H5PResult, LessonProgress, XAPIStatement
from courses.services.xapi import XAPIError, xapi_statement_record
from tests.factories.courses import enroll

from .xapi_helpers import make_h5p_lesson, make_package, statement

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
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
def setup(teacher_a):
    package = make_package()
    lesson = make_h5p_lesson(package, min_score=50)
    enroll(teacher_a, lesson.get_parent().specific)
    return teacher_a, lesson, package


def test_racing_first_attempts_all_count(setup):
    teacher, lesson, package = setup
    scores = [1, 2, 3, 4, 5, 6]

    def work(index):
        return xapi_statement_record(
            user=teacher,
            lesson_id=lesson.pk,
            package_id=package.pk,
            statement=statement(package, raw=scores[index], max_score=10),
        )

    _outcomes, errors = run_together(work)
    assert errors == []
    result = H5PResult.objects.get()
    assert result.attempts == THREADS
    assert str(result.best_scaled) == "0.6000"
    assert XAPIStatement.objects.filter(counted=True).count() == THREADS
    assert LessonProgress.objects.filter(status="completed").count() == 1


def test_one_statement_sent_at_once_is_stored_once(setup):
    teacher, lesson, package = setup
    stmt = statement(package, statement_id=uuid.uuid4())

    def work(index):
        return xapi_statement_record(
            user=teacher, lesson_id=lesson.pk, package_id=package.pk, statement=stmt
        )

    outcomes, errors = run_together(work)
    assert [e for e in errors if not isinstance(e, XAPIError)] == []
    assert XAPIStatement.objects.count() == 1
    assert H5PResult.objects.get().attempts == 1
    assert sum(1 for outcome in outcomes if not outcome.duplicate) == 1
    assert LessonProgress.objects.filter(status="completed").count() == 1
