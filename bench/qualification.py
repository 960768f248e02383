"""Qualification recompute figures for `make bench` (issue 7): the full set-based recompute
over every seeded teacher (twice: first writes, second finds nothing changed) with its query
count, and the single-teacher path from a credit award to the updated status (on commit,
eager). Call `measure()` after seed_demo; it returns a dict for bench/results. No timing is
asserted anywhere."""

import time
from decimal import Decimal


def measure() -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from certification.models import CreditSource
    from certification.models.qualification import QualificationStatus
    from certification.services.ledger import credit_award
    from certification.services.qualification import qualification_recompute
    from people.models import User

    figures: dict = {}
    for run in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            result = qualification_recompute(None)
        figures[f"full_run{run}"] = {
            "teachers": result.users,
            "seconds": round(result.seconds, 2),
            "queries": len(captured.captured_queries),
            "changed": result.changed,
            "by_state": dict(result.by_state),
        }
    teacher = User.objects.filter(is_active=True, school__isnull=False).order_by("pk").first()
    if teacher is not None:
        before = QualificationStatus.objects.filter(user=teacher).values_list(
            "computed_at", flat=True
        )
        start = time.perf_counter()
        with transaction.atomic():
            credit_award(
                user=teacher,
                points=Decimal("0.1"),
                hours=Decimal("1"),
                category="practice",
                level="school",
                title="bench",
                source=CreditSource.MANUAL,
                source_ref=f"bench-{time.time_ns()}",
                awarded_on=timezone.localdate(),
                mentor_topic=True,
            )
        # Eager Celery: the on-commit recompute has run when the block exits.
        figures["single_teacher_ms"] = round((time.perf_counter() - start) * 1000, 1)
        figures["single_teacher_recomputed"] = before != list(
            QualificationStatus.objects.filter(user=teacher).values_list("computed_at", flat=True)
        )
    return figures
