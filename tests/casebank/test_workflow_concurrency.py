"""Concurrent writers on the review workflow (PostgreSQL only: SQLite serialises writers):
racing credit calls credit each author once, two reviewers approving at once publish once,
and a teacher's double-posted submission creates one case."""

import threading
import uuid

import pytest
from django.db import connections, transaction
from wagtail.models import PageLogEntry, WorkflowState

from casebank.models import CaseCredit, CasePage
from casebank.services import case_publish_credit
from casebank.signals import case_published
from casebank.workflow.services import CaseSubmissionData, case_submission_create
from people import roles

from .workflow_helpers import case_index, draft_case

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,  # concurrent writers; tier 2
]

THREADS = 6


def run_together(work, threads=THREADS):
    barrier = threading.Barrier(threads)
    outcomes, errors = [], []

    def target(index):
        try:
            barrier.wait()
            outcomes.append(work(index))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return outcomes, errors


@pytest.fixture
def sent():
    calls = []
    lock = threading.Lock()

    def receiver(sender, author, **kwargs):
        with lock:
            calls.append(author.pk)

    case_published.connect(receiver, weak=False)
    yield calls
    case_published.disconnect(receiver)


@pytest.fixture
def people(make_user, school_a):
    return {
        "lecturer": make_user(roles.LECTURER, school_a, staff_no="L001"),
        "co_author": make_user(roles.LECTURER, school_a, staff_no="L002"),
        "reviewers": [
            make_user(roles.REVIEWER, None, staff_no=f"R{n:03d}") for n in range(THREADS)
        ],
    }


def _in_review(people):
    case = draft_case(
        case_index(), people["lecturer"], authors=[people["lecturer"], people["co_author"]]
    )
    state = case.get_workflow().start(case, people["lecturer"])
    assert state.current_task_state.task.name == "审核员审核"
    return CasePage.objects.get(pk=case.pk)


def test_racing_credit_calls_credit_each_author_once(people, sent):
    case = _in_review(people)
    task_state = CasePage.objects.get(pk=case.pk).current_workflow_task_state
    task_state.task.specific.on_action(task_state, people["reviewers"][0], "approve")
    assert CasePage.objects.get(pk=case.pk).live
    assert sorted(sent) == sorted([people["lecturer"].pk, people["co_author"].pk])
    # Forget the credits and let six workers race to grant them again.
    CaseCredit.objects.all().delete()
    sent.clear()

    def work(_index):
        with transaction.atomic():
            return case_publish_credit(case=CasePage.objects.get(pk=case.pk))

    outcomes, errors = run_together(work)

    assert errors == []
    assert sum(len(created) for created in outcomes) == 2
    assert sorted(sent) == sorted([people["lecturer"].pk, people["co_author"].pk])
    assert CaseCredit.objects.filter(case_id=case.pk).count() == 2


def test_two_reviewers_approving_at_once_publish_once(people, sent):
    case = _in_review(people)
    task_state_id = CasePage.objects.get(pk=case.pk).current_workflow_task_state.pk

    def work(index):
        from wagtail.models import TaskState

        task_state = TaskState.objects.get(pk=task_state_id).specific
        return task_state.task.specific.on_action(task_state, people["reviewers"][index], "approve")

    _outcomes, errors = run_together(work)

    assert errors == []
    assert CasePage.objects.get(pk=case.pk).live
    assert PageLogEntry.objects.filter(page_id=case.pk, action="wagtail.publish").count() == 1
    assert WorkflowState.objects.for_instance(case).get().status == WorkflowState.STATUS_APPROVED
    assert len(sent) == 2


def test_a_double_posted_submission_creates_one_case(teacher_a):
    index = case_index()
    token = uuid.uuid4().hex
    data = CaseSubmissionData(
        title="小B的同伴关系",
        summary="导师帮助小B重新融入小组。",
        stages=["primary"],
        grade_band="",
        category_ids=[],
        background="小B最近常常一个人吃午饭。",
        process="",
        strategies="",
        reflection="",
        outcome="",
        privacy_attested=True,
    )

    outcomes, errors = run_together(
        lambda _index: case_submission_create(user=teacher_a, index=index, data=data, token=token)
    )

    assert errors == []
    assert sorted(created for _case, created in outcomes) == [False] * (THREADS - 1) + [True]
    assert CasePage.objects.count() == 1
    assert WorkflowState.objects.count() == 1
