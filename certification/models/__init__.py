"""Models of certification: credit cycles, the append-only ledger, qualification standards
and statuses, certificates."""

from .api import ApiToken
from .certificates import (
    BackgroundJob,
    Certificate,
    CertificateBatch,
    CertificateKind,
    CertificateSerial,
    CertificateValidity,
    JobStatus,
    ReportExport,
)
from .cycles import CreditCycle, CycleRequirement
from .imports import TrainingImport
from .ledger import CreditEntry, CreditSource, LedgerImmutableError
from .qualification import (
    PendingRecompute,
    QualificationStandard,
    QualificationState,
    QualificationStatus,
    RequirementKind,
    StandardRequirement,
)

__all__ = [
    "ApiToken",
    "BackgroundJob",
    "Certificate",
    "CertificateBatch",
    "CertificateKind",
    "CertificateSerial",
    "CertificateValidity",
    "CreditCycle",
    "CreditEntry",
    "CreditSource",
    "CycleRequirement",
    "JobStatus",
    "LedgerImmutableError",
    "PendingRecompute",
    "QualificationStandard",
    "QualificationState",
    "QualificationStatus",
    "ReportExport",
    "RequirementKind",
    "StandardRequirement",
    "TrainingImport",
]
