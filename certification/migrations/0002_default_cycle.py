"""The demo default cycle 十五五 (2026–2030) with Shanghai's matrix (DESIGN.md §6); the
district admin edits it afterwards."""

import datetime
from decimal import Decimal

from django.db import migrations

CATEGORY_MINIMA = {"ethics": 8, "knowledge": 10, "practice": 14, "self_study": 4}
LEVEL_MINIMA = {"city": 7, "district": 10, "school": 15}


def seed(apps, schema_editor):
    CreditCycle = apps.get_model("certification", "CreditCycle")
    CycleRequirement = apps.get_model("certification", "CycleRequirement")
    cycle, created = CreditCycle.objects.get_or_create(
        name="十五五",
        defaults={
            "starts_on": datetime.date(2026, 1, 1),
            "ends_on": datetime.date(2030, 12, 31),
            "min_total_points": Decimal("36"),
        },
    )
    if not created:
        return
    rows = [
        CycleRequirement(cycle=cycle, category=category, level="", min_points=Decimal(minimum))
        for category, minimum in CATEGORY_MINIMA.items()
    ] + [
        CycleRequirement(cycle=cycle, category="", level=level, min_points=Decimal(minimum))
        for level, minimum in LEVEL_MINIMA.items()
    ]
    CycleRequirement.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
