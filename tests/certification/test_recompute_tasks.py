"""The single-teacher recompute: queued on commit by a credit, debounced, safe to run twice;
and (tier 2) through a real worker. The nightly full recompute task and its beat entry."""

import datetime
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction

from certification import tasks
from certification.models.qualification import QualificationState, QualificationStatus
from people import roles
from tests.factories.certification import award
from tests.factories.courses import make_course
from tests.factories.qualification import course_credit, course_req, only_standard


@pytest.fixture
def teacher(make_user, school_a):
    return make_user(roles.TEACHER, school_a, staff_no="T300", stage="primary")


@pytest.fixture
def course(db):
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)])
    return course


def test_a_credit_queues_one_recompute_on_commit(
    teacher, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
        award(teacher, hours="1", mentor_topic=True)  # same teacher, same transaction
        assert not QualificationStatus.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    status = QualificationStatus.objects.get(user=teacher)
    assert status.state == QualificationState.QUALIFIED


def test_a_rolled_back_credit_queues_nothing(teacher, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                award(teacher, **course_credit(course))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not QualificationStatus.objects.exists()


def test_debounced_while_a_run_is_queued(teacher, course):
    """Three credits committed one after the other (their on-commit callbacks) while the
    first run waits in the queue: one run, which reads all three when it starts."""
    with mock.patch.object(tasks.recompute_user_status, "delay") as delay:
        for _commit in range(3):
            tasks._queue_user(teacher.pk)
    delay.assert_called_once_with(teacher.pk)
    tasks.recompute_user_status(teacher.pk)  # the run starts and clears the key
    with mock.patch.object(tasks.recompute_user_status, "delay") as delay:
        tasks._queue_user(teacher.pk)
    delay.assert_called_once_with(teacher.pk)


def test_task_run_twice_gives_one_result(teacher, course):
    award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
    first = tasks.recompute_user_status(teacher.pk)
    second = tasks.recompute_user_status(teacher.pk)
    assert first["by_state"] == second["by_state"] == {"qualified": 1}
    assert second["changed"] == 0
    assert QualificationStatus.objects.filter(user=teacher).count() == 1


def test_full_recompute_task_and_its_beat_entry(teacher, course):
    award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
    assert tasks.recompute_all_statuses()["users"] == 1
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert any(e["task"] == "certification.recompute_all_statuses" for e in entries)


def test_set_recompute_queued_on_commit(teacher, course, django_capture_on_commit_callbacks):
    award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
    QualificationStatus.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recompute_users_status_later([teacher.pk, teacher.pk])
    assert QualificationStatus.objects.get(user=teacher).state == QualificationState.QUALIFIED


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_credit_reaches_the_status_through_a_worker(celery_worker_process, make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, staff_no="T301", stage="primary")
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)])
    award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        status = QualificationStatus.objects.filter(user=teacher).first()
        if status is not None:
            break
        time.sleep(0.2)
    assert status is not None and status.state == QualificationState.QUALIFIED
    log = celery_worker_process["log"].read_text()
    assert "certification.recompute_user_status" in log
