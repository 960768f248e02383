"""Reads behind 学时证明 (training-hours transcripts): one teacher's record in one credit cycle,
as /me/credits/ computes it (`credit_record_for`'s per-cycle record), plus the head of the
teacher's ledger chain that a transcript certificate is keyed on; and who may look up whose
transcript in the admin."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from certification.models import CreditCycle, CreditEntry
from people import selectors as people_selectors
from people.models import User

# The per-cycle builder of credit_record_for: reused so the transcript and 我的学分 can never
# disagree on totals, matrix cells or which requirement is met.
from .ledger import CycleRecord, _record

VIEW_PERMISSION = "certification.view_certificate"


@dataclass(frozen=True)
class LedgerHead:
    """The teacher's latest ledger entry (any cycle): its id bounds the rows a transcript
    shows, its hash names the ledger state the transcript certifies."""

    entry_id: int | None
    hash: str


@dataclass
class Transcript:
    holder: User
    cycle: CreditCycle
    record: CycleRecord
    head: LedgerHead
    # The newest entry id the rows include (None: no entries at all).
    bound: int | None
    # (category, level) of each requirement row, aligned with record.requirements; (None,
    # None) is the cycle's minimum total.
    requirement_keys: list[tuple[str | None, str | None]]

    @property
    def entries(self) -> list[CreditEntry]:
        return self.record.entries

    def was_reversed(self, entry: CreditEntry) -> bool:
        """Reversed within the bound: a later reversal is not part of this ledger state."""
        reversal = getattr(entry, "reversed_by", None)
        return reversal is not None and self.bound is not None and reversal.pk <= self.bound

    def hours_for(self, category: str | None, level: str | None) -> Decimal:
        return sum(
            (
                entry.hours
                for entry in self.record.entries
                if (not category or entry.category == category)
                and (not level or entry.level == level)
            ),
            Decimal(0),
        )


def cycles_for_transcripts() -> list[CreditCycle]:
    """Every cycle, newest first, with its requirement matrix (two queries)."""
    return list(CreditCycle.objects.prefetch_related("requirements").order_by("-starts_on"))


def default_cycle(cycles: list[CreditCycle], *, today: datetime.date) -> CreditCycle | None:
    """The cycle running today, else the newest one."""
    current = next((c for c in cycles if c.starts_on <= today <= c.ends_on), None)
    return current or (cycles[0] if cycles else None)


def ledger_head(user) -> LedgerHead:
    """One index probe on (user, id)."""
    row = CreditEntry.objects.filter(user=user).order_by("-id").values_list("id", "hash").first()
    return LedgerHead(*row) if row else LedgerHead(None, "")


def transcript_for(
    user, cycle: CreditCycle, *, up_to_entry_id: int | None = None, today=None
) -> Transcript:
    """The teacher's entries of `cycle` in ledger order (date, then id), totals by category
    × level, requirement rows have/need/met. With `up_to_entry_id`, only the ledger as it
    stood when that entry was the newest. Two queries, plus one for the cycle's requirements
    unless they were prefetched (cycles_for_transcripts)."""
    prefetch_related_objects([cycle], "requirements")  # a no-op when already prefetched
    head = ledger_head(user)
    if up_to_entry_id is None:
        up_to_entry_id = head.entry_id
    if up_to_entry_id is None:
        entries = []
    else:
        entries = list(
            CreditEntry.objects.filter(user=user, cycle=cycle, pk__lte=up_to_entry_id)
            .select_related("reverses", "reversed_by")
            .order_by("awarded_on", "id")
        )
    today = today or timezone.localdate()
    current = cycle.starts_on <= today <= cycle.ends_on
    record = _record(cycle, entries, current)
    keys: list[tuple[str | None, str | None]] = [(None, None)] if cycle.min_total_points else []
    keys += [(r.category or None, r.level or None) for r in cycle.requirements.all()]
    return Transcript(
        holder=user,
        cycle=cycle,
        record=record,
        head=head,
        bound=up_to_entry_id,
        requirement_keys=keys,
    )


def transcript_holders_visible_to(user) -> QuerySet[User]:
    """Whose transcript a person may open in the admin: HR and district admins everyone,
    school admins their own school's staff, everyone else nobody."""
    if not user.has_perm(VIEW_PERMISSION):
        return User.objects.none()
    return people_selectors.users_visible_to(user)
