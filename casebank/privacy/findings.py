"""What the privacy scanner reports: the kinds of personal data and one finding per span."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingKind(models.TextChoices):
    ID_CARD = "id_card", _("Resident ID number")
    PHONE = "phone", _("Mobile number")
    LANDLINE = "landline", _("Landline number")
    EMAIL = "email", _("E-mail address")
    QQ_WECHAT = "qq_wechat", _("QQ or WeChat ID")
    STUDENT_NUMBER = "student_number", _("Student number")
    LONG_DIGITS = "long_digits", _("Long number")
    ADDRESS = "address", _("Street address")
    SCHOOL_CLASS = "school_class", _("School class")
    SCHOOL_NAME = "school_name", _("School name")
    PERSON_NAME = "person_name", _("Person name")


# What redaction writes in place of each kind. Placeholders are words the scanner never
# flags (tests/casebank/test_privacy_redact.py scans every one of them).
PLACEHOLDERS = {
    FindingKind.ID_CARD: _("[ID number]"),
    FindingKind.PHONE: _("[phone number]"),
    FindingKind.LANDLINE: _("[phone number]"),
    FindingKind.EMAIL: _("[e-mail]"),
    FindingKind.QQ_WECHAT: _("[account]"),
    FindingKind.STUDENT_NUMBER: _("[student number]"),
    FindingKind.LONG_DIGITS: _("[number]"),
    FindingKind.ADDRESS: _("[address]"),
    FindingKind.SCHOOL_CLASS: _("[class]"),
    FindingKind.SCHOOL_NAME: _("[school]"),
    FindingKind.PERSON_NAME: _("[name]"),
}


@dataclass(frozen=True, order=True)
class Finding:
    """One span of personal data in a text: `text == source[start:end]`."""

    start: int
    end: int
    kind: str
    text: str
    # Why it was flagged, for the author (e.g. "matches a roster name").
    reason: str = ""

    @property
    def label(self) -> str:
        return FindingKind(self.kind).label

    @property
    def placeholder(self) -> str:
        return str(PLACEHOLDERS[FindingKind(self.kind)])


@dataclass(frozen=True)
class FieldFinding:
    """A finding located in a page: field name, its label, the block path inside a
    StreamField ("process.2.text"; "" for plain fields) and the finding itself, whose
    offsets are in the field's plain text (HTML stripped)."""

    field: str
    field_label: str
    block_path: str
    finding: Finding
