"""verify_ledger: a clean ledger passes; a row edited or deleted with raw SQL (past the model
guards and with the database trigger switched off) is found and named; the trigger itself
refuses raw edits."""

import contextlib
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from tests.factories.certification import award, reverse

pytestmark = pytest.mark.django_db

TABLE = "certification_creditentry"


@contextlib.contextmanager
def guard_off():
    """Switch the append-only trigger off for a tampering test (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The deferred foreign-key checks of this transaction's inserts must run first:
            # PostgreSQL refuses ALTER TABLE while trigger events are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"ALTER TABLE {TABLE} DISABLE TRIGGER certification_creditentry_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER certification_creditentry_no_update")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ok(entries, users):
    return _("Ledger OK: %(entries)d entries of %(users)d teachers checked.") % {
        "entries": entries,
        "users": users,
    }


def failure(entry_id, staff_no, problem, checked):
    return _(
        "Ledger check failed at entry %(id)d (工号 %(staff_no)s): %(problem)s. "
        "%(checked)d entries before it are intact."
    ) % {"id": entry_id, "staff_no": staff_no, "problem": problem, "checked": checked}


CHANGED = "content changed (the entry no longer matches its hash)"
DELETED = "deleted predecessor (the entry it follows is missing)"
BROKEN = "chain broken (it does not follow the previous entry of this teacher)"


def verify(*args):
    from io import StringIO

    out = StringIO()
    call_command("verify_ledger", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def ledger(teacher_a, teacher_b, district_admin):
    entries = [award(teacher_a), award(teacher_b), award(teacher_a), award(teacher_a)]
    entries.append(reverse(entries[2], by=district_admin))
    return entries


def test_clean_ledger_passes(ledger):
    assert ok(5, 2) in verify()


def test_empty_ledger_passes(db):
    assert ok(0, 0) in verify()


def test_edited_row_is_named(ledger, teacher_a):
    edited = ledger[2]
    with guard_off():
        raw(f"UPDATE {TABLE} SET points = %s WHERE id = %s", [Decimal("9"), edited.pk])
    with pytest.raises(CommandError) as excinfo:
        verify()
    # Ordered by teacher then id: teacher_a's first entry is intact before it.
    assert str(excinfo.value) == failure(edited.pk, teacher_a.staff_no, _(CHANGED), 1)
    assert excinfo.value.returncode == 1


def test_edited_row_with_recomputed_hash_breaks_the_chain(ledger):
    from certification.models import CreditEntry
    from certification.services.ledger import entry_hash

    edited = CreditEntry.objects.get(pk=ledger[0].pk)
    edited.points = Decimal("9")
    forged = entry_hash(edited)  # a forger who knows the algorithm rehashes the row…
    with guard_off():
        raw(f"UPDATE {TABLE} SET points = %s, hash = %s WHERE id = %s", [9, forged, edited.pk])
    with pytest.raises(CommandError) as excinfo:
        verify()
    # …but the next entry still points at the old hash.
    assert str(excinfo.value) == failure(ledger[2].pk, "TA01", _(DELETED), 1)


def test_deleted_middle_row_is_detected(ledger, teacher_a):
    middle = ledger[2]
    with guard_off():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[4].pk])  # its reversal first (FK)
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [middle.pk])
    with pytest.raises(CommandError) as excinfo:
        verify()
    assert str(excinfo.value) == failure(ledger[3].pk, teacher_a.staff_no, _(DELETED), 1)


def test_swapped_link_is_a_broken_chain(ledger):
    # Entry 4 made to follow entry 1 instead of entry 3: both exist, the order is wrong.
    with guard_off():
        raw(f"UPDATE {TABLE} SET prev_hash = %s WHERE id = %s", [ledger[0].hash, ledger[3].pk])
    with pytest.raises(CommandError) as excinfo:
        verify()
    # Changing prev_hash changes the content the hash covers.
    assert str(excinfo.value) == failure(ledger[3].pk, "TA01", _(CHANGED), 2)


def test_relinked_and_rehashed_entry_is_a_broken_chain(ledger):
    from certification.models import CreditEntry
    from certification.services.ledger import entry_hash

    # A forger drops entry 3 from the chain: entry 4 relinked to entry 1 and rehashed.
    relinked = CreditEntry.objects.get(pk=ledger[3].pk)
    relinked.prev_hash = ledger[0].hash
    with guard_off():
        raw(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
            [ledger[0].hash, entry_hash(relinked), relinked.pk],
        )
    with pytest.raises(CommandError) as excinfo:
        verify()
    assert str(excinfo.value) == failure(ledger[3].pk, "TA01", _(BROKEN), 2)


def test_one_teacher_only(ledger, teacher_b):
    with guard_off():
        raw(f"UPDATE {TABLE} SET title = 'x' WHERE id = %s", [ledger[0].pk])
    assert ok(1, 1) in verify("--staff-no", teacher_b.staff_no)
    with pytest.raises(CommandError):
        verify("--staff-no", "TA01")
    with pytest.raises(CommandError) as excinfo:
        verify("--staff-no", "NOBODY")
    assert _("Unknown staff number “%(value)s”.") % {"value": "NOBODY"} in str(excinfo.value)


def test_database_refuses_raw_update(ledger):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"UPDATE {TABLE} SET points = 99 WHERE id = %s", [ledger[0].pk])
    assert ok(5, 2) in verify()


@pytest.mark.postgres
def test_postgres_refuses_raw_delete(ledger):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[3].pk])
    assert ok(5, 2) in verify()


def test_guard_trigger_survives_the_migrations(db):
    # SQLite drops a table's triggers when a migration rebuilds the table: a later
    # migration altering CreditEntry must recreate it, and this test says so.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
            expected = "certification_creditentry_append_only"
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            expected = "certification_creditentry_no_update"
        assert [row[0] for row in cursor.fetchall()] == [expected]
