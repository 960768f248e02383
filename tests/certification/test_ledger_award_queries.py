"""credit_award's hot path (every credited lecture check-in runs it): one read under the
teacher's lock gives the latest hash, the idempotency check and the cycle, and the query count
does not grow with the teacher's chain."""

import datetime
import itertools

from certification.models import CreditEntry, CreditSource
from certification.services.ledger import entry_hash
from tests.factories.certification import award, make_cycle


def test_award_queries_do_not_grow_with_the_chain(db, teacher_a, django_assert_max_num_queries):
    # A lecture's credit, as a check-in awards it (manual awards also write an audit entry):
    # the transaction, the locked read, the insert in its savepoint, the teacher marked for
    # the batch recompute (SQLite: no row lock).
    lecture = CreditSource.LECTURE
    with django_assert_max_num_queries(6):
        award(teacher_a, source=lecture)
    for _ in range(30):
        award(teacher_a, source=lecture)
    with django_assert_max_num_queries(6):
        award(teacher_a, source=lecture)
    assert CreditEntry.objects.filter(user=teacher_a).count() == 32


def test_repeat_returns_the_recorded_entry(db, teacher_a):
    first = award(teacher_a, source_ref="lecture-1")
    again = award(teacher_a, source_ref="lecture-1", hours="9")
    assert again.pk == first.pk and again.hours == first.hours
    assert CreditEntry.objects.filter(user=teacher_a).count() == 1


def test_award_chains_onto_the_latest_entry(db, teacher_a):
    entries = [award(teacher_a) for _ in range(3)]
    assert entries[0].prev_hash == ""
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    for entry in CreditEntry.objects.filter(user=teacher_a):
        assert entry_hash(entry) == entry.hash  # the stored row hashes to its stored hash


def test_overlapping_cycles_the_latest_starting_wins(db, teacher_a):
    early = make_cycle(name="早周期", starts_on=datetime.date(2031, 1, 1))
    late = make_cycle(name="晚周期", starts_on=datetime.date(2033, 1, 1))
    assert award(teacher_a, awarded_on=datetime.date(2034, 6, 1)).cycle == late
    assert award(teacher_a, awarded_on=datetime.date(2032, 6, 1)).cycle == early
    assert award(teacher_a, awarded_on=datetime.date(2040, 6, 1)).cycle is None
