"""Models of the case bank (案例库)."""

from .pages import CaseAuthor, CaseIndexPage, CasePage, CaseTag
from .taxonomy import GradeBand, ProblemCategory

__all__ = [
    "CaseAuthor",
    "CaseIndexPage",
    "CasePage",
    "CaseTag",
    "GradeBand",
    "ProblemCategory",
]
