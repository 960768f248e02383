"""Models of the case bank (案例库)."""

from .pages import CaseAuthor, CaseIndexPage, CasePage, CaseTag
from .taxonomy import GradeBand, ProblemCategory
from .workflow import CaseCredit, CasePrivacyScan, CaseReviewTask, PrivacyCheckTask

__all__ = [
    "CaseAuthor",
    "CaseCredit",
    "CaseIndexPage",
    "CasePage",
    "CasePrivacyScan",
    "CaseReviewTask",
    "CaseTag",
    "GradeBand",
    "PrivacyCheckTask",
    "ProblemCategory",
]
