"""Concurrent awards on PostgreSQL (SQLite serialises writers): one teacher's chain never
forks, and racing awards of the same source record one entry."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections

from certification.models import CreditEntry, CreditSource
from certification.services.ledger import credit_award, credit_award_bulk, entry_hash
from cms.choices import CreditCategory, Level

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


def _award(user, ref):
    return credit_award(
        user=user,
        points=Decimal("1"),
        hours=Decimal("2"),
        category=CreditCategory.KNOWLEDGE,
        level=Level.DISTRICT,
        title="并发",
        source=CreditSource.COURSE,
        source_ref=ref,
        awarded_on=datetime.date(2026, 5, 1),
    )


def _assert_linear_chain(user):
    previous = ""
    for entry in CreditEntry.objects.filter(user=user).order_by("id"):
        assert entry.prev_hash == previous, "the chain forked"
        assert entry_hash(entry) == entry.hash
        previous = entry.hash


def test_racing_awards_for_one_teacher_form_one_chain(teacher_a):
    _award(teacher_a, "start")
    outcomes, errors = run_together(lambda index: _award(teacher_a, f"course-{index}"))
    assert errors == []
    assert all(created for _entry, created in outcomes)
    assert CreditEntry.objects.filter(user=teacher_a).count() == THREADS + 1
    _assert_linear_chain(teacher_a)


def test_racing_awards_of_one_source_record_once(teacher_a):
    outcomes, errors = run_together(lambda index: _award(teacher_a, "same"))
    assert errors == []
    assert len({entry.pk for entry, _created in outcomes}) == 1
    assert sum(created for _entry, created in outcomes) == 1
    assert CreditEntry.objects.count() == 1


def test_bulk_and_single_awards_racing_keep_the_chain(teacher_a, teacher_b):
    def work(index):
        if index % 2:
            return _award(teacher_a, f"single-{index}")
        rows = [
            {
                "user_id": user.pk,
                "points": Decimal("1"),
                "hours": Decimal("1"),
                "category": CreditCategory.PRACTICE,
                "level": Level.SCHOOL,
                "title": "导入",
                "source": CreditSource.IMPORT,
                "source_ref": f"bulk-{index}",
                "awarded_on": datetime.date(2026, 5, 2),
            }
            for user in (teacher_b, teacher_a)
        ]
        return credit_award_bulk(rows)

    _outcomes, errors = run_together(work)
    assert errors == []
    assert CreditEntry.objects.filter(user=teacher_a).count() == THREADS
    _assert_linear_chain(teacher_a)
    _assert_linear_chain(teacher_b)
