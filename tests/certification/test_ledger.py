"""The ledger services: awards are idempotent and chained, reversals cancel once, entries
never change."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from certification.models import CreditEntry, CreditSource, LedgerImmutableError
from certification.services.ledger import (
    canonical_entry,
    credit_award,
    credit_award_bulk,
    credit_reverse,
    entry_hash,
)
from cms.choices import CreditCategory, Level
from tests.factories.certification import award, default_cycle, make_cycle, reverse

pytestmark = pytest.mark.django_db


def _award(user, **fields):
    values = {
        "points": Decimal("1.5"),
        "hours": Decimal("4"),
        "category": CreditCategory.KNOWLEDGE,
        "level": Level.DISTRICT,
        "title": "心理健康教育基础",
        "source": CreditSource.COURSE,
        "source_ref": "42",
        "awarded_on": datetime.date(2026, 3, 5),
    }
    values.update(fields)
    return credit_award(user=user, **values)


def test_award_records_entry_with_cycle_and_hash(teacher_a):
    entry, created = _award(teacher_a, topic="mental-health", mentor_topic=True)
    assert created
    entry.refresh_from_db()
    assert entry.points == Decimal("1.50") and entry.hours == Decimal("4.0")
    assert entry.cycle == default_cycle()
    assert entry.prev_hash == ""
    assert len(entry.hash) == 64
    # The stored row hashes to its stored hash (the database round trip keeps the form).
    assert entry_hash(entry) == entry.hash
    assert entry.mentor_topic and entry.topic == "mental-health"


def test_award_twice_returns_the_first_entry(teacher_a):
    first, created = _award(teacher_a)
    again, created_again = _award(teacher_a, points=Decimal("9"))
    assert created and not created_again
    assert again.pk == first.pk
    assert CreditEntry.objects.filter(user=teacher_a).count() == 1


def test_award_outside_every_cycle_has_no_cycle(teacher_a):
    entry, _created = _award(teacher_a, awarded_on=datetime.date(2019, 5, 1))
    assert entry.cycle is None


def test_award_picks_the_cycle_by_date(teacher_a):
    later = make_cycle(name="十六五", starts_on=datetime.date(2031, 1, 1))
    entry, _created = _award(teacher_a, awarded_on=datetime.date(2031, 1, 1))
    assert entry.cycle == later


def test_chain_links_each_entry_to_the_previous_of_the_same_teacher(teacher_a, teacher_b):
    one = award(teacher_a)
    other = award(teacher_b)
    two = award(teacher_a)
    assert two.prev_hash == one.hash
    assert other.prev_hash == ""


def test_canonical_form_normalises_decimals_and_dates(teacher_a):
    entry = award(teacher_a, points="2.00", hours="3")
    text = canonical_entry(entry)
    assert '"points":"2"' in text and '"hours":"3"' in text
    assert '"awarded_on":"2026-03-05"' in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "nonsense"),
        ("level", "planet"),
        ("source", "gift"),
        ("points", Decimal("-1")),
        ("hours", Decimal("-0.5")),
        ("title", ""),
        ("source_ref", ""),
    ],
)
def test_award_refuses_bad_values(teacher_a, field, value):
    with pytest.raises(ValidationError) as excinfo:
        _award(teacher_a, **{field: value})
    assert field in excinfo.value.message_dict
    assert not CreditEntry.objects.exists()


def test_reversal_cancels_with_negative_amounts(teacher_a, district_admin):
    entry = award(teacher_a, points="2", hours="4")
    reversal = credit_reverse(entry=entry, reason="重复录入", corrected_by=district_admin)
    reversal.refresh_from_db()
    assert reversal.points == Decimal("-2") and reversal.hours == Decimal("-4")
    assert reversal.reverses == entry and reversal.created_by == district_admin
    assert reversal.reason == "重复录入"
    assert reversal.prev_hash == entry.hash
    assert reversal.cycle_id == entry.cycle_id and reversal.awarded_on == entry.awarded_on
    assert entry_hash(reversal) == reversal.hash
    assert not CreditEntry.objects.effective().exists()


def test_reversal_of_zero_credit_hashes_the_same_after_reading_back(teacher_a, district_admin):
    entry = award(teacher_a, points="0", hours="2")
    reversal = reverse(entry, by=district_admin)
    stored = CreditEntry.objects.get(pk=reversal.pk)
    assert entry_hash(stored) == stored.hash


def test_reversing_twice_is_refused(teacher_a, district_admin):
    entry = award(teacher_a)
    reverse(entry, by=district_admin)
    with pytest.raises(ValidationError) as excinfo:
        reverse(entry, by=district_admin)
    assert excinfo.value.messages == [_("This entry has already been reversed.")]
    assert CreditEntry.objects.filter(reverses=entry).count() == 1


def test_reversing_a_reversal_is_refused(teacher_a, district_admin):
    reversal = reverse(award(teacher_a), by=district_admin)
    with pytest.raises(ValidationError) as excinfo:
        reverse(reversal, by=district_admin)
    assert excinfo.value.messages == [_("A reversal entry cannot itself be reversed.")]


def test_reversal_needs_reason_and_corrector(teacher_a, district_admin):
    entry = award(teacher_a)
    with pytest.raises(ValidationError) as excinfo:
        credit_reverse(entry=entry, reason="  ", corrected_by=district_admin)
    assert excinfo.value.message_dict["reason"] == [_("Give the reason for the correction.")]
    with pytest.raises(ValidationError):
        credit_reverse(entry=entry, reason="错误", corrected_by=None)
    assert CreditEntry.objects.count() == 1


def test_award_after_reversal_is_still_the_reversed_entry(teacher_a, district_admin):
    first, _created = _award(teacher_a)
    reverse(first, by=district_admin)
    again, created = _award(teacher_a)
    assert not created and again.pk == first.pk


def test_entries_cannot_be_changed_or_deleted(teacher_a):
    entry = award(teacher_a)
    entry.points = Decimal("100")
    with pytest.raises(LedgerImmutableError):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        CreditEntry.objects.filter(pk=entry.pk).update(points=100)
    with pytest.raises(LedgerImmutableError):
        CreditEntry.objects.filter(pk=entry.pk).delete()
    assert CreditEntry.objects.get(pk=entry.pk).points == Decimal("1")


def _rows(users, refs, **fields):
    return [
        {
            "user_id": user.pk,
            "points": Decimal("1"),
            "hours": Decimal("2"),
            "category": CreditCategory.PRACTICE,
            "level": Level.SCHOOL,
            "title": "校本研修",
            "source": CreditSource.IMPORT,
            "source_ref": ref,
            "awarded_on": datetime.date(2026, 4, 1),
            **fields,
        }
        for user in users
        for ref in refs
    ]


def test_bulk_award_chains_per_teacher_and_skips_recorded(teacher_a, teacher_b, district_admin):
    award(teacher_a, source=CreditSource.IMPORT, source_ref="r1")
    result = credit_award_bulk(
        _rows([teacher_a, teacher_b], ["r1", "r2", "r2"]), created_by=district_admin, chunk_size=3
    )
    # teacher_a: r1 recorded before, r2 new, r2 repeated; teacher_b: r1, r2 new, r2 repeated.
    assert (result.created, result.existing) == (3, 3)
    assert result.user_ids == {teacher_a.pk, teacher_b.pk}
    for user in (teacher_a, teacher_b):
        previous = ""
        for entry in CreditEntry.objects.filter(user=user).order_by("id"):
            assert entry.prev_hash == previous
            assert entry_hash(entry) == entry.hash
            previous = entry.hash
    imported = CreditEntry.objects.filter(source_ref="r2")
    assert {e.created_by_id for e in imported} == {district_admin.pk}
    assert {e.cycle_id for e in imported} == {default_cycle().pk}


def test_bulk_award_again_is_a_no_op(teacher_a):
    credit_award_bulk(_rows([teacher_a], ["x", "y"]))
    result = credit_award_bulk(_rows([teacher_a], ["x", "y"]))
    assert (result.created, result.existing) == (0, 2)
    assert CreditEntry.objects.count() == 2


def test_bulk_award_queries_do_not_grow_with_rows(
    make_user, school_a, django_assert_max_num_queries
):
    few = [make_user(None, school_a) for _ in range(3)]
    many = [make_user(None, school_a) for _ in range(30)]
    # Per chunk: lock, latest hashes, recorded keys, insert; plus the cycles once and the
    # savepoint pair (PostgreSQL: COPY, not in the query log).
    with django_assert_max_num_queries(7):
        credit_award_bulk(_rows(few, ["a"]))
    with django_assert_max_num_queries(7):
        credit_award_bulk(_rows(many, ["a", "b", "c"]))


def test_deleting_a_credited_user_in_the_admin_keeps_the_ledger(client, teacher_a, district_admin):
    entry = award(teacher_a)
    client.force_login(district_admin)
    response = client.post(f"/admin/users/delete/{teacher_a.pk}/", follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        _(
            "Staff with credit records cannot be deleted: the credit ledger keeps every "
            "record. Deactivate the account instead."
        )
    ]
    assert CreditEntry.objects.filter(pk=entry.pk).exists()
    assert type(teacher_a).objects.filter(pk=teacher_a.pk).exists()


def test_bulk_delete_of_credited_users_is_refused(client, teacher_a, teacher_b, district_admin):
    award(teacher_a)
    client.force_login(district_admin)
    url = f"/admin/bulk/people/user/delete/?id={teacher_a.pk}&id={teacher_b.pk}"
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert type(teacher_a).objects.filter(pk__in=[teacher_a.pk, teacher_b.pk]).count() == 2
    # The same action on the uncredited teacher alone goes through.
    client.post(f"/admin/bulk/people/user/delete/?id={teacher_b.pk}")
    assert not type(teacher_b).objects.filter(pk=teacher_b.pk).exists()


def test_deleting_a_user_without_credit_still_works(client, teacher_b, district_admin):
    client.force_login(district_admin)
    client.post(f"/admin/users/delete/{teacher_b.pk}/")
    assert not type(teacher_b).objects.filter(pk=teacher_b.pk).exists()
