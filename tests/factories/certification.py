"""Helpers that write credit through the ledger services (never by hand), so every entry a
test sees is chained and hashed like a real one."""

import datetime
import itertools
from decimal import Decimal

from certification.models import CreditCycle, CreditSource, CycleRequirement
from certification.services.ledger import credit_award, credit_reverse
from cms.choices import CreditCategory, Level

_refs = itertools.count(1)


def award(
    user,
    *,
    points="1",
    hours="4",
    category=CreditCategory.KNOWLEDGE,
    level=Level.DISTRICT,
    source=CreditSource.MANUAL,
    source_ref=None,
    awarded_on=datetime.date(2026, 3, 5),
    title="测试培训",
    **fields,
):
    """A credit entry for `user` (a new source_ref each call unless given)."""
    entry, _created = credit_award(
        user=user,
        points=Decimal(points),
        hours=Decimal(hours),
        category=category,
        level=level,
        title=title,
        source=source,
        source_ref=source_ref or f"test-{next(_refs)}",
        awarded_on=awarded_on,
        **fields,
    )
    return entry


def reverse(entry, *, by, reason="录入错误"):
    return credit_reverse(entry=entry, reason=reason, corrected_by=by)


def default_cycle() -> CreditCycle:
    """十五五 (2026–2030), seeded by migration 0002."""
    return CreditCycle.objects.get(name="十五五")


def make_cycle(name="测试周期", starts_on=datetime.date(2031, 1, 1), years=5, **fields):
    ends_on = starts_on.replace(year=starts_on.year + years) - datetime.timedelta(days=1)
    return CreditCycle.objects.create(name=name, starts_on=starts_on, ends_on=ends_on, **fields)


def requirement(cycle, *, category="", level="", min_points="1"):
    return CycleRequirement.objects.create(
        cycle=cycle, category=category, level=level, min_points=Decimal(min_points)
    )
