"""The privacy scanner: finds personal data (names, ID and phone numbers, addresses, classes …)
in case texts and pages, and replaces it with placeholders.

Contract (DESIGN.md §7): `scan(text) -> list[Finding]`, each with kind, start, end, text
(plus `label`, `reason`, `placeholder`), sorted by start and never overlapping; where two
detections overlap the more specific kind wins (scanner.PRIORITY).

Kinds and what a span covers:
- id_card: 18-character IDs with a valid ISO 7064 MOD 11-2 check character, a known
  province and a birth date between 1900 and today; 15-digit legacy IDs with a valid date.
  Anything else of that shape is long_digits (as are runs of 12+ digits: cards, orders).
- phone: mobile numbers 1[3-9]x…, with spaces or dashes, +86 / 0086 / (+86) included.
- landline: kept apart from phone (an office or home line says something different about
  a family): area code + number, or 7–8 digits right after 电话/座机/固话/传真.
- email; qq_wechat: the account only, and only after QQ/微信/wx/vx/V信 (a WeChat account
  that is a phone number is a phone).
- student_number: the number after 学号/学籍号/考号/准考证号/…, or G/L + a valid ID.
- address: from the place name (省/市/区/镇/路 …) to the last unit (号/弄/幢/室/楼).
- school_class: grade + class (初一3班, 高二(3)班, 三年级2班); a platform school written
  right before it is part of the span.
- school_name: a platform school (people.School.name, active or not, also without its
  city/district prefix); person_name: a full name by surname + context (names.py) or a
  roster name (people.User.full_name, labels such as 张老师 excluded).

Pages: `scan_page(page)` returns FieldFinding(field, field_label, block_path, finding),
block_path "<field>.<index>.<child>…" inside StreamFields ("process.2.text"),
"<relation>.<index>.<field>" for inline children, "tags.<index>" for tags, "" for plain
fields; offsets are in the field's plain text (rich text without tags).
`redact_page(page)` rewrites all of them in place without saving.
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
