"""The cycle requirement rule in one place: a teacher meets a credit cycle when their 学分
reach the cycle's minimum total and every CycleRequirement (a category row, a level column
or a single category × level cell). It works on per-teacher cell sums, so the teacher's own
record (one teacher's entries) and the HR report (one GROUP BY over many teachers) share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from cms.choices import CreditCategory, Level

# (category, level) -> 学分 of that cell; a missing cell counts as zero.
CellSums = Mapping[tuple[str, str], Decimal]
ZERO = Decimal(0)
CATEGORIES = tuple(CreditCategory.values)
LEVELS = tuple(Level.values)


@dataclass(frozen=True)
class Minimum:
    """One minimum of a cycle: category and/or level ("" matches any); both empty is the
    cycle's minimum total."""

    category: str
    level: str
    need: Decimal

    @property
    def is_total(self) -> bool:
        return not self.category and not self.level


@dataclass(frozen=True)
class CycleRule:
    """What a cycle asks for, read once per cycle and applied to any number of teachers."""

    minimums: tuple[Minimum, ...]

    @classmethod
    def of(cls, cycle) -> CycleRule:
        """From a CreditCycle: the minimum total first (when set), then its requirements in
        their model order (one query, none when `requirements` is prefetched)."""
        minimums = []
        if cycle.min_total_points:
            minimums.append(Minimum("", "", Decimal(cycle.min_total_points)))
        minimums.extend(
            Minimum(requirement.category, requirement.level, Decimal(requirement.min_points))
            for requirement in cycle.requirements.all()
        )
        return cls(tuple(minimums))


@dataclass(frozen=True)
class RequirementCheck:
    minimum: Minimum
    have: Decimal

    @property
    def need(self) -> Decimal:
        return self.minimum.need

    @property
    def met(self) -> bool:
        return self.have >= self.minimum.need


def cells_of(entries: Iterable) -> dict[tuple[str, str], Decimal]:
    """Cell sums of ledger entries (reversals included: they carry negative points)."""
    cells: dict[tuple[str, str], Decimal] = {}
    for entry in entries:
        key = (entry.category, entry.level)
        cells[key] = cells.get(key, ZERO) + entry.points
    return cells


def cell_total(cells: CellSums, *, category: str = "", level: str = "") -> Decimal:
    """学分 of the cells matching category and level ("" matches any)."""
    total = ZERO
    for cell_category in (category,) if category else CATEGORIES:
        for cell_level in (level,) if level else LEVELS:
            value = cells.get((cell_category, cell_level))
            if value:
                total += value
    return total


def _have(cells: CellSums, minimum: Minimum, total: Decimal | None) -> Decimal:
    if minimum.is_total and total is not None:
        return total
    return cell_total(cells, category=minimum.category, level=minimum.level)


def requirement_checks(
    cells: CellSums, rule: CycleRule, *, total: Decimal | None = None
) -> list[RequirementCheck]:
    """Have against need for each minimum of the rule; `total` overrides the sum of the
    cells for the minimum total (when the caller summed it separately)."""
    return [RequirementCheck(minimum, _have(cells, minimum, total)) for minimum in rule.minimums]


def requirement_met(cells: CellSums, rule: CycleRule, *, total: Decimal | None = None) -> bool:
    """Whether every minimum is reached (stops at the first that is not: it runs once per
    teacher over a whole district)."""
    return all(_have(cells, minimum, total) >= minimum.need for minimum in rule.minimums)


def met_in_sql(rule: CycleRule) -> tuple[dict, Q]:
    """The same rule for the database: annotations for CreditEntry rows grouped by teacher
    (one conditional Sum per minimum) and the condition that every minimum is reached, so a
    district's "how many meet it" is one COUNT instead of every teacher's sums in Python."""
    aggregates: dict = {}
    condition = Q()
    for index, minimum in enumerate(rule.minimums):
        match = Q()
        if minimum.category:
            match &= Q(category=minimum.category)
        if minimum.level:
            match &= Q(level=minimum.level)
        name = f"minimum{index}"
        # Coalesce: a teacher with no entry in the cell has 0, which meets a minimum of 0.
        aggregates[name] = Coalesce(
            Sum("points", filter=match or None),
            Value(ZERO),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
        condition &= Q(**{f"{name}__gte": minimum.need})
    return aggregates, condition


def category_totals(cells: CellSums) -> dict[str, Decimal]:
    return {category: cell_total(cells, category=category) for category in CATEGORIES}


def level_totals(cells: CellSums) -> dict[str, Decimal]:
    return {level: cell_total(cells, level=level) for level in LEVELS}
