"""Writes of the training-record import (DESIGN.md §7 import_training): the check and the
all-or-nothing write shared by the command and the admin upload, and the upload's jobs."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from certification import imports
from people.models import School
from people.roster import RowError

from .ledger import credit_award_bulk

logger = logging.getLogger(__name__)

ERRORS_STORED_MAX = 1000
SAMPLE_SIZE = 50


@dataclass
class TrainingOutcome:
    """What a check (and, when applied, the write) found and did."""

    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    new: int = 0
    existing: int = 0
    sample: list[dict] = field(default_factory=list)
    applied: bool = False
    awards: list[dict] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "new": self.new,
            "existing": self.existing,
            "error_count": len(self.errors),
            "warnings": [w.as_dict() for w in self.warnings],
            "sample": self.sample,
            "applied": self.applied,
        }


class _Rejected(Exception):
    def __init__(self, outcome: TrainingOutcome):
        super().__init__("training records have errors")
        self.outcome = outcome


def training_check(
    *, data: bytes, filename: str, school_scope_id: int | None, on_total=None, progress=None
) -> TrainingOutcome:
    """Parse and check a file; count the records that are new and those already recorded."""
    table = imports.read_training(data, filename=filename)
    outcome = TrainingOutcome(total_rows=len(table.rows), warnings=list(table.warnings))
    if on_total:
        on_total(outcome.total_rows)
    if any(e.row == 0 for e in table.errors):
        outcome.errors = imports.sort_errors(table.errors)
        return outcome
    check = imports.validate_training(table, school_scope_id=school_scope_id, progress=progress)
    outcome.errors, outcome.warnings = check.errors, check.warnings
    if outcome.errors:
        return outcome
    for row in check.rows:
        award = row.award
        if (award["user_id"], award["source_ref"]) in check.existing_keys:
            outcome.existing += 1
            continue
        outcome.awards.append(award)
        if len(outcome.sample) < SAMPLE_SIZE:
            outcome.sample.append(
                {
                    "row": row.row,
                    "staff_no": row.staff_no,
                    "full_name": row.full_name,
                    "title": award["title"],
                    "points": str(award["points"]),
                    "hours": str(award["hours"]),
                    "category": award["category"],
                    "level": award["level"],
                    "awarded_on": award["awarded_on"].isoformat(),
                }
            )
    outcome.new = len(outcome.awards)
    return outcome


def _training_write(outcome: TrainingOutcome, *, created_by) -> None:
    result = credit_award_bulk(outcome.awards, created_by=created_by)
    # Rows recorded by someone else between the check and this write count as existing.
    outcome.new, outcome.existing = result.created, outcome.existing + result.existing
    outcome.applied = True


def training_import_file(
    *, path: str | Path, dry_run: bool, school_scope: School | None = None, created_by=None
) -> TrainingOutcome:
    """Check a file and, unless dry_run or it has errors, record it in one transaction."""
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
    scope_id = school_scope.pk if school_scope else None
    if dry_run:
        return training_check(data=data, filename=path.name, school_scope_id=scope_id)
    try:
        with transaction.atomic():
            outcome = training_check(data=data, filename=path.name, school_scope_id=scope_id)
            if outcome.errors:
                raise _Rejected(outcome)
            _training_write(outcome, created_by=created_by)
    except _Rejected as rejected:
        return rejected.outcome
    return outcome
