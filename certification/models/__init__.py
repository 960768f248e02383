"""Models of certification: credit cycles, the append-only ledger, qualification standards
and statuses, certificates."""

from .api import ApiToken
from .cycles import CreditCycle, CycleRequirement
from .ledger import CreditEntry, CreditSource, LedgerImmutableError

__all__ = [
    "ApiToken",
    "CreditCycle",
    "CreditEntry",
    "CreditSource",
    "CycleRequirement",
    "LedgerImmutableError",
]
