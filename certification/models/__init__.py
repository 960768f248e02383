"""Models of certification: credit cycles, the append-only ledger, qualification standards
and statuses, certificates."""

from .cycles import CreditCycle, CycleRequirement
from .ledger import CreditEntry, CreditSource, LedgerImmutableError

__all__ = [
    "CreditCycle",
    "CreditEntry",
    "CreditSource",
    "CycleRequirement",
    "LedgerImmutableError",
]
