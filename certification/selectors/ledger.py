"""Reads of the credit ledger and its imports, with the one rule of who sees whose records."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from certification.models import CreditCycle, CreditEntry, TrainingImport
from cms.choices import CreditCategory, Level
from people import selectors as people_selectors

from .requirements import CycleRule, cells_of, requirement_checks


def credit_entries_visible_to(user) -> QuerySet[CreditEntry]:
    """Ledger rows a person may list in the admin: district admins and HR all, school admins
    their own school's teachers', everyone else none."""
    entries = CreditEntry.objects.all()
    if not user.has_perm("certification.view_creditentry"):
        return entries.none()
    if people_selectors.user_is_district_admin(user) or people_selectors.user_is_hr(user):
        return entries
    if people_selectors.user_is_school_admin(user):
        return entries.filter(user__school_id=user.school_id)
    return entries.none()


def training_imports_visible_to(user) -> QuerySet[TrainingImport]:
    """Imports a person may open: district admins all, school admins their school's only."""
    jobs = TrainingImport.objects.select_related("uploaded_by", "applied_by", "school_scope")
    if not user.has_perm("certification.view_trainingimport"):
        return jobs.none()
    if people_selectors.user_is_district_admin(user):
        return jobs
    if people_selectors.user_is_school_admin(user):
        return jobs.filter(school_scope_id=user.school_id)
    return jobs.none()


# --- A teacher's own record (/me/credits/) ---------------------------------------------------


@dataclass
class RequirementRow:
    label: str
    have: Decimal
    need: Decimal

    @property
    def met(self) -> bool:
        return self.have >= self.need


@dataclass
class CycleRecord:
    cycle: CreditCycle | None
    entries: list[CreditEntry] = field(default_factory=list)
    total_points: Decimal = Decimal(0)
    total_hours: Decimal = Decimal(0)
    # rows: (category label, [cell points per level], row total)
    matrix: list[tuple[str, list[Decimal], Decimal]] = field(default_factory=list)
    level_totals: list[Decimal] = field(default_factory=list)
    requirements: list[RequirementRow] = field(default_factory=list)
    is_current: bool = False

    @property
    def all_met(self) -> bool:
        return all(row.met for row in self.requirements)


def _sum(entries, **match) -> Decimal:
    return sum(
        (e.points for e in entries if all(getattr(e, k) == v for k, v in match.items() if v)),
        Decimal(0),
    )


def _requirement_label(category: str, level: str) -> str:
    parts = [str(CreditCategory(category).label) if category else ""]
    parts.append(str(Level(level).label) if level else "")
    return " × ".join(p for p in parts if p)


def credit_record_for(user, *, today: datetime.date) -> list[CycleRecord]:
    """The teacher's entries grouped by cycle (newest first; the current cycle is always
    shown), with totals by category × level against each cycle's matrix. Three queries."""
    entries = list(
        CreditEntry.objects.filter(user=user)
        .select_related("reverses", "reversed_by")
        .order_by("-awarded_on", "-id")
    )
    cycles = list(CreditCycle.objects.prefetch_related("requirements").order_by("-starts_on"))
    by_cycle: dict[int | None, list[CreditEntry]] = {}
    for entry in entries:
        by_cycle.setdefault(entry.cycle_id, []).append(entry)
    records = []
    for cycle in cycles:
        current = cycle.starts_on <= today <= cycle.ends_on
        if cycle.pk in by_cycle or current:
            records.append(_record(cycle, by_cycle.get(cycle.pk, []), current))
    if None in by_cycle:
        records.append(_record(None, by_cycle[None], False))
    return records


def _record(cycle, entries, current) -> CycleRecord:
    record = CycleRecord(cycle=cycle, entries=entries, is_current=current)
    record.total_points = _sum(entries)
    record.total_hours = sum((e.hours for e in entries), Decimal(0))
    for category in CreditCategory:
        cells = [_sum(entries, category=category, level=level) for level in Level]
        record.matrix.append((str(category.label), cells, _sum(entries, category=category)))
    record.level_totals = [_sum(entries, level=level) for level in Level]
    if cycle is not None:
        # The rule itself lives in requirements.py, shared with the set-based HR report.
        checks = requirement_checks(
            cells_of(entries), CycleRule.of(cycle), total=record.total_points
        )
        for check in checks:
            minimum = check.minimum
            label = (
                str(_("Total"))
                if minimum.is_total
                else _requirement_label(minimum.category, minimum.level)
            )
            record.requirements.append(RequirementRow(label, check.have, check.need))
    return record
