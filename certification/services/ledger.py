"""Writes of the credit ledger: awards (one at a time or set-based), reversals, and the hash
chain that makes every entry tamper-evident (DESIGN.md §5, issue 7 item 2).

Every entry stores `prev_hash`, the hash of the same teacher's previous entry ("" for the
first), and `hash`, a SHA-256 over its business fields and `prev_hash` (`entry_hash`, shared
with `verify_ledger`). Writers lock the teacher's user row first, so two awards for one
teacher cannot both chain onto the same predecessor.
"""

import datetime
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import audit
from certification.models import CreditCycle, CreditEntry, CreditSource
from certification.services import events
from cms.choices import CreditCategory, Level
from cms.hotpath import fetch_one

POINTS_QUANTUM = Decimal("0.01")  # CreditEntry.points: 2 decimal places
HOURS_QUANTUM = Decimal("0.1")  # CreditEntry.hours: 1 decimal place
BULK_CHUNK = 500
CATEGORY_VALUES = frozenset(CreditCategory.values)
LEVEL_VALUES = frozenset(Level.values)
SOURCE_VALUES = frozenset(CreditSource.values)
MAX_LENGTHS = {"title": 200, "topic": 50, "source_ref": 100, "reason": 300}


# --- The canonical form and the hash, shared with verification -----------------------------


def _decimal_text(value, quantum: Decimal) -> str:
    value = Decimal(value).quantize(quantum)
    if value == 0:
        value = Decimal(0)  # -0.00 (a reversed zero) reads back from the database as 0
    return format(value.normalize(), "f")


def _date_text(value) -> str:
    return value.isoformat() if value else ""


def _datetime_text(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical_entry(entry: CreditEntry) -> str:
    """The business fields of an entry and its `prev_hash` as one canonical JSON text:
    decimals normalised to the column's precision, dates ISO, times UTC."""
    data = {
        "user": entry.user_id,
        "points": _decimal_text(entry.points, POINTS_QUANTUM),
        "hours": _decimal_text(entry.hours, HOURS_QUANTUM),
        "category": entry.category,
        "level": entry.level,
        "topic": entry.topic,
        "mentor_topic": bool(entry.mentor_topic),
        "title": entry.title,
        "source": entry.source,
        "source_ref": entry.source_ref,
        "source_object_id": entry.source_object_id,
        "awarded_on": _date_text(entry.awarded_on),
        "cycle": entry.cycle_id,
        "reason": entry.reason,
        "created_by": entry.created_by_id,
        "reverses": entry.reverses_id,
        "created_at": _datetime_text(entry.created_at),
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: CreditEntry) -> str:
    return hashlib.sha256(canonical_entry(entry).encode("utf-8")).hexdigest()


# --- Helpers ---------------------------------------------------------------------------------


def _lock_users(user_ids: Iterable[int]) -> dict[int, str]:
    """Lock the teachers' user rows (PostgreSQL: SELECT … FOR UPDATE, in id order so two
    writers cannot deadlock), then return each one's latest entry hash ("" for none).

    While a row is locked no other writer can append to that teacher's chain. The hashes are
    read by a second statement: on PostgreSQL a statement that waited for the lock still
    sees the snapshot from before the other writer committed (READ COMMITTED), so a hash read
    in the locking statement itself could be stale and fork the chain."""
    ids = sorted(set(user_ids))
    users = get_user_model().objects.filter(pk__in=ids)
    if connection.features.has_select_for_update:  # SQLite serialises writers instead
        list(users.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    latest = CreditEntry.objects.filter(user=OuterRef("pk")).order_by("-id").values("hash")[:1]
    rows = users.annotate(last_hash=Subquery(latest)).values_list("pk", "last_hash")
    return {pk: last_hash or "" for pk, last_hash in rows}


@functools.cache
def _award_reads_sql() -> str:
    entries, cycles = CreditEntry._meta.db_table, CreditCycle._meta.db_table
    users = get_user_model()._meta.db_table
    return f"""
        SELECT
          (SELECT e.hash FROM {entries} e WHERE e.user_id = u.id ORDER BY e.id DESC LIMIT 1),
          EXISTS (SELECT 1 FROM {entries} e WHERE e.user_id = u.id AND e.source = %s
                  AND e.source_ref = %s AND e.reverses_id IS NULL),
          (SELECT c.id FROM {cycles} c WHERE c.starts_on <= %s AND c.ends_on >= %s
           ORDER BY c.starts_on DESC LIMIT 1)
        FROM {users} u WHERE u.id = %s
    """  # noqa: S608 (table names only; values are parameters)


def _lock_user_for_award(*, user_id: int, source: str, source_ref: str, awarded_on):
    """`credit_award`'s reads under the teacher's lock, in one statement after the lock (as
    `_lock_users`): the latest hash, whether this award is already recorded, and the credit
    cycle of `awarded_on` (the latest-starting one where two overlap). Returns
    (prev_hash, recorded, cycle_id).

    Hand-written SQL: every check-in of a lecture day awards through here, and the same two
    statements built with the ORM (row lock, three annotations) cost 1.4 ms of CPU each.
    Prepared on PostgreSQL (cms.hotpath.fetch_one): planning the reads cost more than
    running them."""
    users = get_user_model()._meta.db_table
    if connection.features.has_select_for_update:
        fetch_one(f"SELECT id FROM {users} WHERE id = %s FOR UPDATE", [user_id])  # noqa: S608
    row = fetch_one(_award_reads_sql(), [source, source_ref, awarded_on, awarded_on, user_id])
    if row is None:
        return "", False, None
    last_hash, already, cycle_id = row
    return last_hash or "", bool(already), cycle_id


def _cycle_for(cycles: list[CreditCycle], day: datetime.date) -> CreditCycle | None:
    for cycle in cycles:  # newest first: the latest cycle wins where two overlap
        if cycle.starts_on <= day <= cycle.ends_on:
            return cycle
    return None


def _check_values(*, points, hours, category, level, source, title, source_ref, awarded_on):
    errors = {}
    if category not in CATEGORY_VALUES:
        errors["category"] = _("Unknown credit category “%(value)s”.") % {"value": category}
    if level not in LEVEL_VALUES:
        errors["level"] = _("Unknown level “%(value)s”.") % {"value": level}
    if source not in SOURCE_VALUES:
        errors["source"] = _("Unknown credit source “%(value)s”.") % {"value": source}
    if points is None or Decimal(points) < 0:
        errors["points"] = _("Credit must be zero or more.")
    if hours is None or Decimal(hours) < 0:
        errors["hours"] = _("Hours must be zero or more.")
    if not title:
        errors["title"] = _("The title is empty.")
    if not source_ref:
        errors["source_ref"] = _("The source reference is empty.")
    if not isinstance(awarded_on, datetime.date) or isinstance(awarded_on, datetime.datetime):
        errors["awarded_on"] = _("The award date must be a date.")
    if errors:
        raise ValidationError(errors)


def _new_entry(
    *, user_id, values: dict, prev_hash: str, created_at, cycle=None, cycle_id=None
) -> CreditEntry:
    entry = CreditEntry(
        user_id=user_id,
        points=Decimal(values["points"]).quantize(POINTS_QUANTUM),
        hours=Decimal(values["hours"]).quantize(HOURS_QUANTUM),
        category=values["category"],
        level=values["level"],
        topic=(values.get("topic") or "")[: MAX_LENGTHS["topic"]],
        mentor_topic=bool(values.get("mentor_topic")),
        title=values["title"][: MAX_LENGTHS["title"]],
        source=values["source"],
        source_ref=str(values["source_ref"])[: MAX_LENGTHS["source_ref"]],
        source_object_id=values.get("source_object_id"),
        awarded_on=values["awarded_on"],
        cycle=cycle,
        reason=(values.get("reason") or "")[: MAX_LENGTHS["reason"]],
        created_by_id=values.get("created_by_id"),
        reverses=values.get("reverses"),
        created_at=created_at,
        prev_hash=prev_hash,
    )
    if cycle is None and cycle_id is not None:
        entry.cycle_id = cycle_id  # from the award's locked read: loaded only if used
    entry.hash = entry_hash(entry)
    return entry


def _db_value_preparer(field):
    """field.get_db_prep_save without its ~15 µs a value where the result is known (as in
    people's roster writer): text passes through, other values repeat and are cached."""
    if field.get_internal_type() in ("CharField", "TextField"):
        return lambda value: value
    prepared = {}

    def prepare(value):
        if value not in prepared:
            prepared[value] = field.get_db_prep_save(value, connection)
        return prepared[value]

    return prepare


def _insert_entries(entries: list[CreditEntry]) -> None:
    """INSERT prepared entries in list order: COPY on PostgreSQL, one executemany elsewhere.

    Like people's roster writer: bulk_create splits at SQLite's bound-parameter limit (55
    entries a statement here) and compiles SQL per value; this is one statement per chunk."""
    if not entries:
        return
    fields = [f for f in CreditEntry._meta.concrete_fields if not f.primary_key]
    preparers = [(f.attname, _db_value_preparer(f)) for f in fields]
    rows = [[prepare(getattr(e, name)) for name, prepare in preparers] for e in entries]
    quote = connection.ops.quote_name
    table = quote(CreditEntry._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (_meta)
        cursor.executemany(sql, rows)


def on_credit_changed(user_id: int) -> None:
    """After a teacher's credit changed: queue the single-user qualification recompute."""
    events.credit_changed(user_id)


# --- Services --------------------------------------------------------------------------------


def credit_award(
    *,
    user,
    points,
    hours,
    category: str,
    level: str,
    title: str,
    source: str,
    source_ref: str,
    source_object_id: int | None = None,
    awarded_on: datetime.date,
    topic: str = "",
    mentor_topic: bool = False,
    reason: str = "",
    created_by=None,
) -> tuple[CreditEntry, bool]:
    """Record credit once per (teacher, source, source_ref). Returns (entry, created); a repeat
    returns the entry already recorded with created=False."""
    source_ref = str(source_ref)
    _check_values(
        points=points,
        hours=hours,
        category=category,
        level=level,
        source=source,
        title=title,
        source_ref=source_ref,
        awarded_on=awarded_on,
    )
    existing = CreditEntry.objects.filter(
        user=user, source=source, source_ref=source_ref, reverses__isnull=True
    )
    # No savepoint of its own inside a caller's transaction (a check-in's): whatever fails
    # here fails the caller too, and the insert below has its own savepoint for the one
    # error handled.
    with transaction.atomic(savepoint=False):
        # Under the teacher's lock: a racing award of the same source has either committed
        # (found here) or waits for this one.
        prev_hash, recorded, cycle_id = _lock_user_for_award(
            user_id=user.pk, source=source, source_ref=source_ref, awarded_on=awarded_on
        )
        if recorded:
            return existing.first(), False
        entry = _new_entry(
            user_id=user.pk,
            values={
                "points": points,
                "hours": hours,
                "category": category,
                "level": level,
                "topic": topic,
                "mentor_topic": mentor_topic,
                "title": title,
                "source": source,
                "source_ref": source_ref,
                "source_object_id": source_object_id,
                "awarded_on": awarded_on,
                "reason": reason,
                "created_by_id": created_by.pk if created_by else None,
            },
            prev_hash=prev_hash,
            created_at=timezone.now(),
            cycle_id=cycle_id,
        )
        try:
            with transaction.atomic():  # a savepoint: the outer transaction survives a clash
                entry.save(force_insert=True)
        except IntegrityError:
            found = existing.first()
            if found is None:
                raise
            return found, False
        audit.credit_awarded(entry=entry, user=created_by)
        on_credit_changed(user.pk)
    return entry, True


def credit_reverse(*, entry: CreditEntry, reason: str, corrected_by) -> CreditEntry:
    """Cancel an entry with a reversal entry (negative amounts, `reverses` = entry), recording
    why and who. An entry is reversed at most once; a reversal is never reversed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    if corrected_by is None:
        raise ValidationError({"corrected_by": _("Record who makes the correction.")})
    if entry.reverses_id is not None:
        raise ValidationError(_("A reversal entry cannot itself be reversed."))
    already = _("This entry has already been reversed.")
    with transaction.atomic():
        prev_hash = _lock_users([entry.user_id]).get(entry.user_id, "")
        if CreditEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(already)
        reversal = _new_entry(
            user_id=entry.user_id,
            values={
                "points": -entry.points,
                "hours": -entry.hours,
                "category": entry.category,
                "level": entry.level,
                "topic": entry.topic,
                "mentor_topic": entry.mentor_topic,
                "title": entry.title,
                "source": entry.source,
                "source_ref": entry.source_ref,
                "source_object_id": entry.source_object_id,
                # Same day and cycle as the original, so the cycle's totals net to zero.
                "awarded_on": entry.awarded_on,
                "reason": reason,
                "created_by_id": corrected_by.pk,
                "reverses": entry,
            },
            prev_hash=prev_hash,
            created_at=timezone.now(),
            cycle=entry.cycle,
        )
        try:
            with transaction.atomic():
                reversal.save(force_insert=True)
        except IntegrityError:
            raise ValidationError(already) from None
        audit.credit_reversed(entry=entry, reversal=reversal, user=corrected_by)
        on_credit_changed(entry.user_id)
    return reversal


# --- Credit for the domain events of courses and the case bank (receivers.py) -------------

# Lectures carry hours only (DESIGN.md §5: "credit hours for attendance"); DESIGN names no
# credit points, category or level for them, so these are the platform's explicit defaults:
# the district's monthly lectures count as district-level knowledge-and-skills training.
LECTURE_POINTS = Decimal("0")
LECTURE_CATEGORY = CreditCategory.KNOWLEDGE
LECTURE_LEVEL = Level.DISTRICT


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)  # Asia/Shanghai day boundaries


def _topic_snapshot(topic) -> tuple[str, bool]:
    return (topic.slug, bool(topic.is_mentor_topic)) if topic is not None else ("", False)


def credit_for_course_completion(*, user, course, completed_at) -> tuple[CreditEntry, bool]:
    """The course's credit, hours, category, level and topic, on the local completion day."""
    topic, mentor_topic = _topic_snapshot(course.topic)
    return credit_award(
        user=user,
        points=course.credit_points,
        hours=course.hours,
        category=course.credit_category,
        level=course.level,
        title=course.title,
        source=CreditSource.COURSE,
        source_ref=str(course.pk),
        source_object_id=course.pk,
        awarded_on=_local_date(completed_at),
        topic=topic,
        mentor_topic=mentor_topic,
    )


def credit_for_lecture_attendance(*, user, lecture, attendance, hours) -> tuple[CreditEntry, bool]:
    """The attendance's hours (LECTURE_* defaults for the rest), on the local check-in day."""
    topic, mentor_topic = _topic_snapshot(lecture.topic)
    return credit_award(
        user=user,
        points=LECTURE_POINTS,
        hours=hours,
        category=LECTURE_CATEGORY,
        level=LECTURE_LEVEL,
        title=lecture.title,
        source=CreditSource.LECTURE,
        source_ref=str(lecture.pk),
        source_object_id=lecture.pk,
        awarded_on=_local_date(attendance.checked_in_at),
        topic=topic,
        mentor_topic=mentor_topic,
    )


def credit_for_case(
    *, author, case, points, hours, category, level, published_at
) -> tuple[CreditEntry, bool]:
    """What the case bank grants an author of a published case."""
    return credit_award(
        user=author,
        points=points,
        hours=hours,
        category=category,
        level=level,
        title=case.title,
        source=CreditSource.CASE,
        source_ref=str(case.pk),
        source_object_id=case.pk,
        awarded_on=_local_date(published_at),
    )


@dataclass
class BulkAwardResult:
    created: int = 0
    existing: int = 0
    user_ids: set[int] = field(default_factory=set)


def credit_award_bulk(
    rows: Iterable[dict],
    *,
    created_by=None,
    chunk_size: int = BULK_CHUNK,
    notify: bool = True,
) -> BulkAwardResult:
    """Set-based `credit_award` for imports and demo seeding.

    Each row is a dict with the keyword arguments of `credit_award` (`user_id` instead of
    `user`). Per chunk: two queries lock the chunk's teachers and read their latest hashes,
    one finds the awards already recorded, then the new entries are chained in Python and
    inserted with bulk_create. Rows already recorded (or repeated within `rows`) are counted
    as existing, not written. Run it inside the caller's transaction for all-or-nothing.
    """
    result = BulkAwardResult()
    rows = list(rows)
    cycles = list(CreditCycle.objects.order_by("-starts_on"))
    default_created_by = created_by.pk if created_by else None
    seen: set[tuple] = set()
    with transaction.atomic():
        for start in range(0, len(rows), chunk_size):
            chunk = rows[start : start + chunk_size]
            for row in chunk:
                row["source_ref"] = str(row["source_ref"])
                _check_values(
                    points=row["points"],
                    hours=row["hours"],
                    category=row["category"],
                    level=row["level"],
                    source=row["source"],
                    title=row["title"],
                    source_ref=row["source_ref"],
                    awarded_on=row["awarded_on"],
                )
            last_hash = _lock_users(row["user_id"] for row in chunk)
            recorded = set(
                CreditEntry.objects.filter(
                    user_id__in=last_hash.keys(),
                    source__in={row["source"] for row in chunk},
                    source_ref__in={row["source_ref"] for row in chunk},
                    reverses__isnull=True,
                ).values_list("user_id", "source", "source_ref")
            )
            now = timezone.now()
            entries = []
            for row in chunk:
                key = (row["user_id"], row["source"], row["source_ref"])
                if key in recorded or key in seen:
                    result.existing += 1
                    continue
                if row["user_id"] not in last_hash:
                    raise ValidationError(_("Unknown teacher id %(id)s.") % {"id": row["user_id"]})
                seen.add(key)
                values = {"created_by_id": default_created_by, **row}
                entry = _new_entry(
                    user_id=row["user_id"],
                    values=values,
                    prev_hash=last_hash[row["user_id"]],
                    created_at=now,
                    cycle=_cycle_for(cycles, row["awarded_on"]),
                )
                last_hash[row["user_id"]] = entry.hash
                entries.append(entry)
            # In chain order: ids ascend along each teacher's chain, as verify_ledger walks it.
            _insert_entries(entries)
            result.created += len(entries)
            result.user_ids.update(entry.user_id for entry in entries)
        if notify and result.user_ids:
            events.credits_changed(result.user_ids)
    return result
