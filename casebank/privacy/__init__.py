"""The privacy scanner: finds personal data (names, ID and phone numbers, addresses, classes …)
in case texts and pages, and replaces it with placeholders.

Contract (DESIGN.md §7): `scan(text) -> list[Finding]`, each with kind, start, end, text.
"""

from .findings import PLACEHOLDERS, Finding, FindingKind
from .known import KnownNames, known_names, known_names_changed
from .pages import FieldFinding, redact_page, scan_page
from .redact import redact_html, redact_text
from .scanner import scan

__all__ = [
    "PLACEHOLDERS",
    "FieldFinding",
    "Finding",
    "FindingKind",
    "KnownNames",
    "known_names",
    "known_names_changed",
    "redact_html",
    "redact_page",
    "redact_text",
    "scan",
    "scan_page",
]
