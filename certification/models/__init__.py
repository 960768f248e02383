"""Models of certification: credit cycles, the append-only ledger, qualification standards
and statuses, certificates."""

from .api import ApiToken
from .cycles import CreditCycle, CycleRequirement
from .imports import TrainingImport
from .ledger import CreditEntry, CreditSource, LedgerImmutableError
from .qualification import (
    QualificationStandard,
    QualificationState,
    QualificationStatus,
    RequirementKind,
    StandardRequirement,
)

__all__ = [
    "ApiToken",
    "CreditCycle",
    "CreditEntry",
    "CreditSource",
    "CycleRequirement",
    "LedgerImmutableError",
    "QualificationStandard",
    "QualificationState",
    "QualificationStatus",
    "RequirementKind",
    "StandardRequirement",
    "TrainingImport",
]
