"""The cycle requirement rule in one place: a teacher meets a credit cycle when their 学分
reach the cycle's minimum total and every CycleRequirement (a category row, a level column
or a single category × level cell). It works on per-teacher cell sums, so the teacher's own
record (one teacher's entries) and the HR report (one GROUP BY over many teachers) share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

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
    return sum(
        (
            points
            for (cell_category, cell_level), points in cells.items()
            if (not category or cell_category == category) and (not level or cell_level == level)
        ),
        ZERO,
    )


def requirement_checks(
    cells: CellSums, rule: CycleRule, *, total: Decimal | None = None
) -> list[RequirementCheck]:
    """Have against need for each minimum of the rule; `total` overrides the sum of the
    cells for the minimum total (when the caller summed it separately)."""
    checks = []
    for minimum in rule.minimums:
        if minimum.is_total and total is not None:
            have = total
        else:
            have = cell_total(cells, category=minimum.category, level=minimum.level)
        checks.append(RequirementCheck(minimum, have))
    return checks


def requirement_met(cells: CellSums, rule: CycleRule, *, total: Decimal | None = None) -> bool:
    return all(check.met for check in requirement_checks(cells, rule, total=total))


def category_totals(cells: CellSums) -> dict[str, Decimal]:
    return {category: cell_total(cells, category=category) for category in CATEGORIES}


def level_totals(cells: CellSums) -> dict[str, Decimal]:
    return {level: cell_total(cells, level=level) for level in LEVELS}
