"""Pattern detectors for numbers, contacts, addresses and classes.

Each detector yields (kind, start, end, reason); `scanner.scan` resolves overlaps. Numbers in
ordinary prose (dates, times, 学时, percentages, counts) never match: every numeric pattern
needs either a checksum, a fixed telephone shape, a context word or at least 12 digits.
"""

import datetime
import re
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from .findings import FindingKind as K

Hit = tuple[str, int, int, str]

# --- resident ID numbers (GB 11643: ISO 7064 MOD 11-2 check character) -----------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83 91".split()
)


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _plausible_birth(year: int, month: int, day: int) -> bool:
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= born <= datetime.date.today()


def is_resident_id(number: str) -> bool:
    """An 18-character ID with a valid check character, province and birth date, or a
    15-digit legacy ID (no check character; 19YYMMDD birth date)."""
    number = number.upper()
    if number[:2] not in _PROVINCES:
        return False
    if len(number) == 18 and number[:17].isdigit():
        birth = int(number[6:10]), int(number[10:12]), int(number[12:14])
        return _plausible_birth(*birth) and id_check_character(number[:17]) == number[17]
    if len(number) == 15 and number.isdigit():
        return _plausible_birth(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    return False


_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


# Written in groups: 310118 20090314 0214.
_ID_GROUPED_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})[ -](\d{8})[ -](\d{3}[\dXx])(?![0-9A-Za-z])")


def find_id_numbers(text: str) -> Iterator[Hit]:
    for m in _ID_GROUPED_RE.finditer(text):
        if is_resident_id("".join(m.groups())):
            yield K.ID_CARD, m.start(), m.end(), _("valid resident ID number")
    for m in _ID_RE.finditer(text):
        if is_resident_id(m.group(1)):
            yield K.ID_CARD, m.start(), m.end(), _("valid resident ID number")
        else:
            yield K.LONG_DIGITS, m.start(), m.end(), _("ID-like number, check failed")


# --- long digit runs (bank cards, order numbers, mistyped IDs) ---------------------------

_LONG_RE = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){11,}(?![0-9A-Za-z])")


def find_long_digits(text: str) -> Iterator[Hit]:
    for m in _LONG_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        groups = re.split(r"[ -]", m.group())
        # 2025-2026-2027 or "2026 2027" are years, not one number: separated groups must
        # be long enough to look like one printed number (6222 0210 0112 3456).
        if len(groups) > 1 and (min(len(g) for g in groups) < 3 or len(groups) > 6):
            continue
        if len(digits) >= 12:
            yield K.LONG_DIGITS, m.start(), m.end(), _("long number")


# --- telephones -------------------------------------------------------------------------

_MOBILE_RE = re.compile(
    r"(?<![0-9A-Za-z+])(?<!\d[ -])"
    r"(?:(?:\+|00)86[ -]?|[(（]\+?86[)）] ?)?"
    r"1[3-9]\d(?:[ -]?\d{4}){2}"
    r"(?![0-9A-Za-z])"
)
_LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z+])(?<!\d[ -])"
    r"(?:[(（]0[1-9]\d{1,2}[)）] ?|0[1-9]\d{1,2}[ -]?"
    r"|(?:\+|00)86[ -]?[(（]?0?[1-9]\d{1,2}[)）]?[ -]?)"  # +86 21 5972 6413
    r"[2-9]\d{2,3}[ -]?\d{4}"
    r"(?![0-9A-Za-z])"
)
# A local number without area code needs a telephone word just before it.
_LOCAL_RE = re.compile(
    r"(?:电话|座机|固话|传真|分机|号码|热线)[是为：:\s号码（(]{0,3}"
    r"(?<![0-9A-Za-z])([2-9]\d{3}[ -]?\d{4})(?![0-9A-Za-z])"
)


def _looks_like_date(digits: str) -> bool:
    """20260305 after 电话会议定于 is a date, not a number to call."""
    digits = re.sub(r"\D", "", digits)
    if digits[:2] not in ("19", "20"):
        return False
    try:
        datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


def find_phones(text: str) -> Iterator[Hit]:
    for m in _MOBILE_RE.finditer(text):
        yield K.PHONE, m.start(), m.end(), _("mobile number")
    for m in _LANDLINE_RE.finditer(text):
        digits = re.sub(r"\D", "", re.sub(r"^(?:\+|00)86", "", m.group()))
        digits = digits if digits.startswith("0") else "0" + digits  # +86 21 … = 021 …
        # Beijing/Shanghai/... (0XX) have 8-digit local numbers, others (0XXX) 7 or 8.
        if 10 <= len(digits) <= 12:
            yield K.LANDLINE, m.start(), m.end(), _("landline number")
    for m in _LOCAL_RE.finditer(text):
        if _looks_like_date(m.group(1)):
            continue
        yield K.LANDLINE, m.start(1), m.end(1), _("landline number after a telephone word")


# --- e-mail -----------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
)


def find_emails(text: str) -> Iterator[Hit]:
    for m in _EMAIL_RE.finditer(text):
        yield K.EMAIL, m.start(), m.end(), _("e-mail address")


# --- QQ / WeChat ------------------------------------------------------------------------

_ACCOUNT_GLUE = r"[号码账群是为：:\s（(]{0,4}"
_QQ_RE = re.compile(r"(?i:qq|扣扣)" + _ACCOUNT_GLUE + r"(?<![0-9])([1-9]\d{4,10})(?![0-9A-Za-z])")
_WECHAT_RE = re.compile(
    r"(?:微信|(?i:wx|vx|v信|wechat|weixin))"
    + _ACCOUNT_GLUE
    + r"(?<![A-Za-z0-9_-])([A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
)


def find_accounts(text: str) -> Iterator[Hit]:
    for m in _QQ_RE.finditer(text):
        yield K.QQ_WECHAT, m.start(1), m.end(1), _("QQ number")
    for m in _WECHAT_RE.finditer(text):
        yield K.QQ_WECHAT, m.start(1), m.end(1), _("WeChat ID")


# --- student numbers --------------------------------------------------------------------

_STUDENT_RE = re.compile(
    r"(?:学号|学籍号|学籍号码|考号|准考证号|报名号|考生号|学生证号|学生编号|一卡通号|借书证号)"
    r"[码是为：:\s（(]{0,3}"
    r"(?<![0-9A-Za-z])([A-Za-z]{0,2}\d(?:-?\d){3,19}[Xx]?)(?![0-9A-Za-z])"
)
# National student registration numbers: G (or L, temporary) + the ID number.
_REGISTRATION_RE = re.compile(r"(?<![0-9A-Za-z])([GL]\d{17}[\dXx])(?![0-9A-Za-z])")


def find_student_numbers(text: str) -> Iterator[Hit]:
    for m in _STUDENT_RE.finditer(text):
        yield K.STUDENT_NUMBER, m.start(1), m.end(1), _("number after a student-number word")
    for m in _REGISTRATION_RE.finditer(text):
        if is_resident_id(m.group(1)[1:]):
            yield K.STUDENT_NUMBER, m.start(1), m.end(1), _("student registration number")


# --- addresses --------------------------------------------------------------------------

_HAN = "\u4e00-\u9fff"
_UNIT = r"(?:号楼|号|弄|幢|栋|单元|室|楼|层|座)"
_ADDRESS_CORE_RE = re.compile(
    rf"(?:路|街|大道|公路|大街|巷|弄|道)\d+(?:号楼|号|弄|幢|栋)(?:[-－]?\d+{_UNIT})*"
    rf"|(?:小区|花园|新村|公寓|家园|苑|城|村)(?:\d+期)?\d+(?:号楼|号|幢|栋|组)"
    rf"(?:[-－]?\d+{_UNIT})*"
)
# Where walking back from 路/小区 stops: the verb or preposition before an address.
_ADDRESS_STOP = set("住在于到址去了的是为从往进由寄搬")
_ADDRESS_MAX_BACK = 20


def find_addresses(text: str) -> Iterator[Hit]:
    for m in _ADDRESS_CORE_RE.finditer(text):
        start = m.start()
        while (
            start > 0
            and m.start() - start < _ADDRESS_MAX_BACK
            and re.match(f"[{_HAN}]", text[start - 1])
            and text[start - 1] not in _ADDRESS_STOP
        ):
            start -= 1
        if m.start() - start >= 1:  # a road or estate needs a name
            yield K.ADDRESS, start, m.end(), _("street address")


# --- school classes ---------------------------------------------------------------------

_GRADE = r"(?:(?:高[一二三]|初[一二三四]|预初|预备)(?:年级)?|[一二三四五六七八九]年级|[1-9]年级)"
_CLASS = r"(?:[(（]\s*\d{1,2}\s*[)）]|\d{1,2}|[一二三四五六七八九十]{1,2})班"
_SCHOOL_CLASS_RE = re.compile(_GRADE + _CLASS)


def find_school_classes(text: str, school_names: set[str] | frozenset[str]) -> Iterator[Hit]:
    lengths = sorted({len(name) for name in school_names}, reverse=True)
    for m in _SCHOOL_CLASS_RE.finditer(text):
        start = m.start()
        for length in lengths:  # a platform school right before the class belongs to it
            if start - length >= 0 and text[start - length : start] in school_names:
                start -= length
                break
        yield K.SCHOOL_CLASS, start, m.end(), _("grade and class")
