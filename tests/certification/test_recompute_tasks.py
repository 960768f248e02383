"""The qualification recompute a credit queues: the teacher marked pending in the credit's
transaction, one batch run queued on commit while none waits, claims safe across runs;
the single-teacher task safe to run twice;
and (tier 2) through a real worker. The nightly full recompute task and its beat entry."""

import datetime
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certification import tasks
from certification.models.qualification import (
    PendingRecompute,
    QualificationState,
    QualificationStatus,
)
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


def test_debounced_while_a_run_is_queued(
    teacher, course, make_user, school_a, django_capture_on_commit_callbacks
):
    """Credits of three teachers committed one after the other while the first batch run
    waits in the queue: one run, which takes all three when it starts."""
    others = [make_user(roles.TEACHER, school_a, staff_no=f"T31{n}") for n in range(3)]
    with mock.patch.object(tasks.recompute_pending_statuses, "apply_async") as delay:
        for user in (teacher, *others[:2]):
            with django_capture_on_commit_callbacks(execute=True):  # one commit each
                tasks.recompute_user_status_later(user.pk)
    delay.assert_called_once_with(args=(), kwargs={}, countdown=1.0)
    assert set(PendingRecompute.objects.values_list("user_id", flat=True)) == {
        teacher.pk,
        *(o.pk for o in others[:2]),
    }
    assert tasks.recompute_pending_statuses.apply().get()["users"] == 3
    assert not PendingRecompute.objects.exists()
    assert QualificationStatus.objects.filter(user__in=[teacher, *others[:2]]).count() == 3
    # The run cleared the flag: the next credit queues the next run.
    with (
        mock.patch.object(tasks.recompute_pending_statuses, "apply_async") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.recompute_user_status_later(others[2].pk)
    delay.assert_called_once_with(args=(), kwargs={}, countdown=1.0)


def test_a_rolled_back_credit_leaves_no_pending_teacher(teacher, course):
    with mock.patch.object(tasks.recompute_pending_statuses, "apply_async") as delay:
        try:
            with transaction.atomic():
                award(teacher, **course_credit(course))
                assert PendingRecompute.objects.filter(user=teacher).exists()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    delay.assert_not_called()
    assert not PendingRecompute.objects.exists()


def test_a_credit_during_a_run_keeps_the_teacher_for_the_next_run(teacher, course):
    """The run claimed the teacher and read the ledger; a credit commits before the run
    deletes its claim: the row is set back to waiting and survives that delete."""
    with mock.patch.object(tasks.recompute_pending_statuses, "apply_async"):
        tasks.recompute_user_status_later(teacher.pk)
        assert tasks._pending_claim("run-1", limit=10) == [teacher.pk]
        award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
        # What the credit's own transaction does in production (here the test's single
        # transaction already holds the first mark's callback, which dedups the call).
        tasks._pending_mark(teacher.pk)
    PendingRecompute.objects.filter(user=teacher, claimed_by="run-1").delete()
    row = PendingRecompute.objects.get(user=teacher)
    assert row.claimed_by == "" and row.claimed_at is None
    tasks.recompute_pending_statuses.apply()
    assert QualificationStatus.objects.get(user=teacher).state == QualificationState.QUALIFIED
    assert not PendingRecompute.objects.exists()


def test_a_run_leaves_teachers_credited_during_it_to_the_next_run(teacher, make_user, school_a):
    """The run takes who waited at its claim; a teacher credited while it recomputes waits
    for the next run (queued by that credit) instead of being chased a few at a time."""
    later = make_user(roles.TEACHER, school_a, staff_no="T330")
    tasks._pending_mark(teacher.pk)
    recompute = tasks.engine.qualification_recompute

    def recompute_while_a_credit_arrives(user_ids):
        tasks._pending_mark(later.pk)
        return recompute(user_ids)

    with mock.patch.object(
        tasks.engine, "qualification_recompute", side_effect=recompute_while_a_credit_arrives
    ) as engine_run:
        assert tasks.recompute_pending_statuses.apply().get()["users"] == 1
    assert engine_run.call_count == 1
    assert list(PendingRecompute.objects.values_list("user_id", "claimed_by")) == [(later.pk, "")]


def test_claims_of_a_live_run_are_left_to_it(teacher, make_user, school_a):
    other = make_user(roles.TEACHER, school_a, staff_no="T320")
    with mock.patch.object(tasks.recompute_pending_statuses, "apply_async"):
        tasks.recompute_user_status_later(teacher.pk)
        tasks.recompute_user_status_later(other.pk)
    assert tasks._pending_claim("run-1", limit=1) == [teacher.pk]
    # Another run takes only what is left; the same run (redelivered) takes its own again.
    assert tasks._pending_claim("run-2", limit=10) == [other.pk]
    assert tasks._pending_claim("run-3", limit=10) == []
    assert tasks._pending_claim("run-1", limit=10) == [teacher.pk]
    # A claim older than CLAIM_STALE belongs to a dead run: anyone may take it.
    PendingRecompute.objects.filter(user=teacher).update(
        claimed_at=timezone.now() - tasks.CLAIM_STALE - datetime.timedelta(seconds=1)
    )
    assert tasks._pending_claim("run-3", limit=10) == [teacher.pk]


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
    assert "certification.recompute_pending_statuses" in log
