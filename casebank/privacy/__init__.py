"""The privacy scanner: finds personal data (names, ID and phone numbers, addresses, classes …)
in case texts and pages, and replaces it with placeholders.

Contract (DESIGN.md §7): `scan(text) -> list[Finding]`, each with kind, start, end, text.
"""

from .findings import PLACEHOLDERS, FieldFinding, Finding, FindingKind
from .known import KnownNames, known_names, known_names_changed
from .redact import redact_html, redact_text
from .scanner import scan


# Page walking needs Wagtail's block classes, which need configured settings: imported on
# first use so that `scan` works in a bare Python process too.
def scan_page(page, *, known=None):
    """Every finding in a page, as FieldFinding(field, field_label, block_path, finding)."""
    from .pages import scan_page as _scan_page

    return _scan_page(page, known=known)


def redact_page(page, *, known=None) -> int:
    """Replace every finding in a page with its placeholder, unsaved; returns the count."""
    from .pages import redact_page as _redact_page

    return _redact_page(page, known=known)


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
