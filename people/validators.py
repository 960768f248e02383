"""Normalisers and validators shared by forms and the roster import."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_STAFF_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")


def normalize_mobile(value: str) -> str:
    """'+86 139-1234-5678' -> '13912345678'; empty stays empty; anything else is an error."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE.match(digits):
        raise ValidationError(
            _("“%(value)s” is not a valid mainland mobile number (11 digits starting with 1)."),
            code="invalid_mobile",
            params={"value": raw},
        )
    return digits


def normalize_email(value: str) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address."),
            code="invalid_email",
            params={"value": raw},
        ) from None
    local, _sep, domain = raw.rpartition("@")
    return f"{local}@{domain.lower()}"


def validate_staff_no(value: str) -> str:
    raw = (value or "").strip()
    if not _STAFF_NO.match(raw):
        raise ValidationError(
            _(
                "Staff number “%(value)s” may contain only letters, digits, “.”, “-” and “_” "
                "(at most 32 characters)."
            ),
            code="invalid_staff_no",
            params={"value": raw},
        )
    return raw
