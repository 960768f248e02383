"""Checking training-record rows: every value of every row; one query per chunk for staff
numbers, one for course codes, one per chunk for the records already in the ledger."""

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import CreditEntry, CreditSource
from cms.choices import CreditCategory, Level
from courses.models import CoursePage
from people.models import User
from people.roster import RosterTable, RowError, chunked
from people.roster.table import error

from .reading import COURSE_CODE, TRAINING_NAME, sort_errors

PROGRESS_EVERY = 1000
CATEGORY_VALUES = {
    "师德素养": CreditCategory.ETHICS,
    "师德": CreditCategory.ETHICS,
    "知识技能": CreditCategory.KNOWLEDGE,
    "实践体验": CreditCategory.PRACTICE,
    "自主研修": CreditCategory.SELF_STUDY,
    **{choice.value: choice for choice in CreditCategory},
}
LEVEL_VALUES = {
    "市级": Level.CITY,
    "区级": Level.DISTRICT,
    "校级": Level.SCHOOL,
    "校本研修": Level.SCHOOL,
    "校本": Level.SCHOOL,
    **{choice.value: choice for choice in Level},
}
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(20000, 80000)  # 1954–2119: a bare number in a date column
MAX_POINTS = Decimal("999.99")
MAX_HOURS = Decimal("9999.9")
TITLE_MAX, REASON_MAX = 200, 300


@dataclass
class TrainingRow:
    row: int
    staff_no: str
    full_name: str
    award: dict  # keyword arguments of credit_award_bulk's rows


@dataclass
class TrainingCheck:
    rows: list[TrainingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    existing_keys: set = field(default_factory=set)


def natural_key(staff_no: str, course_or_name: str, day: datetime.date) -> str:
    """source_ref of an imported record: the same teacher, training and day is one record."""
    text = "\x1f".join((staff_no, course_or_name, day.isoformat()))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 (a key, not a secret)


def halfwidth(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def parse_date(value: str) -> datetime.date | None:
    value = halfwidth(value).replace(" ", "")
    # isascii(): str.isdigit() is also true for digits int() refuses (Ethiopic ፩, Kharosthi).
    if value.isascii() and value.isdigit() and int(value) in EXCEL_SERIALS:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    if "T" in value:  # an Excel date-time cell read as ISO text
        value = value.split("T", 1)[0]
    for pattern in DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def validate_training(
    table: RosterTable,
    *,
    school_scope_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> TrainingCheck:
    """Check every row; rows with errors are dropped. Records already in the ledger are
    noted in `existing_keys`, not errors (re-importing a file is a no-op)."""
    staff_nos = {halfwidth(values.get("工号", "")) for _n, values in table.rows}
    codes = {halfwidth(values.get(COURSE_CODE, "")) for _n, values in table.rows}
    checker = _RowChecker(
        users=_users_by_staff_no(sorted(s for s in staff_nos if s)),
        courses=_courses_by_code(sorted(c for c in codes if c)),
        school_scope_id=school_scope_id,
        today=timezone.localdate(),
    )
    check = TrainingCheck(errors=list(table.errors), warnings=list(table.warnings))
    reported = {e.row for e in table.errors if e.code in ("formula", "cell_error")}
    for position, (number, values) in enumerate(table.rows, start=1):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position)
        if number in reported:
            continue
        row, row_errors = checker.check(number, values)
        if row_errors:
            check.errors.extend(row_errors)
        else:
            check.rows.append(row)
    check.errors = sort_errors(check.errors)
    if not check.errors:
        check.existing_keys = _recorded_keys(check.rows)
    return check


class _RowChecker:
    def __init__(self, *, users: dict, courses: dict, school_scope_id, today):
        self.users, self.courses = users, courses
        self.school_scope_id, self.today = school_scope_id, today
        self.first_row_of: dict[tuple, int] = {}

    def fail(self, column: str, code: str, message: str) -> None:
        self.errors.append(error(self.number, column, code, message))

    def check(self, number: int, values: dict[str, str]) -> tuple[TrainingRow | None, list]:
        self.number, self.errors = number, []
        staff_no = halfwidth(values.get("工号", ""))
        user = self._user(staff_no)
        code = halfwidth(values.get(COURSE_CODE, ""))
        name = values.get(TRAINING_NAME, "")
        course = None
        if code:
            course = self.courses.get(code)
            if course is None:
                message = _("No course has the code “%(code)s”.") % {"code": code}
                self.fail(COURSE_CODE, "unknown_course", message)
        elif not name:
            message = _("Give the course code or the training name.")
            self.fail(TRAINING_NAME, "required", message)
        elif len(name) > TITLE_MAX:
            message = _("At most %(max)d characters are allowed.") % {"max": TITLE_MAX}
            self.fail(TRAINING_NAME, "too_long", message)
        points = self._amount(values.get("学分", ""), "学分", 2, MAX_POINTS)
        hours = self._amount(values.get("学时", ""), "学时", 1, MAX_HOURS)
        category = self._choice(values.get("类别", ""), "类别", CATEGORY_VALUES)
        level = self._choice(values.get("级别", ""), "级别", LEVEL_VALUES)
        day = self._date(values.get("完成日期", ""))
        remark = values.get("备注", "")
        if len(remark) > REASON_MAX:
            message = _("At most %(max)d characters are allowed.") % {"max": REASON_MAX}
            self.fail("备注", "too_long", message)
        if self.errors:
            return None, self.errors
        key = (staff_no, code or name, day)
        first = self.first_row_of.setdefault(key, number)
        if first != number:
            message = _("The same record (工号, training and date) already appears in row %(row)d.")
            self.fail("工号", "duplicate_row", message % {"row": first})
            return None, self.errors
        title = course["title"] if course else name
        award = {
            "user_id": user["pk"],
            "points": points,
            "hours": hours,
            "category": category,
            "level": level,
            "title": title,
            "source": CreditSource.IMPORT,
            "source_ref": natural_key(staff_no, code or name, day),
            "source_object_id": course["pk"] if course else None,
            "awarded_on": day,
            "topic": course["topic"] if course else "",
            "mentor_topic": course["mentor_topic"] if course else False,
            "reason": remark,
        }
        return TrainingRow(
            row=number, staff_no=staff_no, full_name=user["full_name"], award=award
        ), []

    def _user(self, staff_no: str) -> dict | None:
        if not staff_no:
            self.fail("工号", "required", _("The staff number is empty."))
            return None
        user = self.users.get(staff_no)
        if user is None:
            message = _("No teacher has the staff number “%(value)s”.") % {"value": staff_no}
            self.fail("工号", "unknown_staff_no", message)
        elif self.school_scope_id is not None and user["school_id"] != self.school_scope_id:
            message = _("“%(value)s” is not a teacher of your school.") % {"value": staff_no}
            self.fail("工号", "other_school", message)
        return user

    def _amount(self, raw: str, column: str, places: int, maximum: Decimal) -> Decimal | None:
        value = halfwidth(raw).replace(" ", "")
        if not value:
            self.fail(column, "required", _("The value is empty."))
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            message = _("“%(value)s” is not a number.") % {"value": raw}
            self.fail(column, "not_a_number", message)
            return None
        if amount < 0:
            self.fail(column, "negative", _("The value cannot be negative."))
            return None
        if amount > maximum:
            message = _("The value is larger than %(max)s.") % {"max": maximum}
            self.fail(column, "too_large", message)
            return None
        quantum = Decimal(1).scaleb(-places)
        if amount != amount.quantize(quantum):
            message = _("At most %(places)d decimal places are allowed.") % {"places": places}
            self.fail(column, "too_precise", message)
            return None
        return amount

    def _choice(self, raw: str, column: str, vocabulary: dict) -> str:
        value = halfwidth(raw).replace(" ", "")
        if not value:
            self.fail(column, "required", _("The value is empty."))
            return ""
        choice = vocabulary.get(value) or vocabulary.get(value.lower())
        if choice is None:
            names = "、".join(k for k in vocabulary if not k.isascii())
            message = _("Unknown value “%(value)s”: use one of %(choices)s.") % {
                "value": raw,
                "choices": names,
            }
            self.fail(column, "invalid_choice", message)
            return ""
        return choice.value

    def _date(self, raw: str) -> datetime.date | None:
        if not raw:
            self.fail("完成日期", "required", _("The date is empty."))
            return None
        day = parse_date(raw)
        if day is None:
            message = _(
                "“%(value)s” is not a date: write it as 2026-03-05, 2026/3/5 or 2026年3月5日."
            ) % {"value": raw}
            self.fail("完成日期", "invalid_date", message)
            return None
        if day > self.today:
            message = _("The date %(date)s is in the future.") % {"date": day.isoformat()}
            self.fail("完成日期", "future_date", message)
            return None
        return day


def _users_by_staff_no(staff_nos: list[str]) -> dict[str, dict]:
    users = {}
    for chunk in chunked(staff_nos):
        for pk, staff_no, school_id, full_name in User.objects.filter(
            staff_no__in=chunk
        ).values_list("pk", "staff_no", "school_id", "full_name"):
            users[staff_no] = {"pk": pk, "school_id": school_id, "full_name": full_name}
    return users


def _courses_by_code(codes: list[str]) -> dict[str, dict]:
    courses = {}
    for chunk in chunked(codes):
        query = CoursePage.objects.filter(code__in=chunk).values_list(
            "pk", "code", "title", "topic__slug", "topic__is_mentor_topic"
        )
        for pk, code, title, slug, mentor in query:
            courses[code] = {
                "pk": pk,
                "title": title,
                "topic": slug or "",
                "mentor_topic": bool(mentor),
            }
    return courses


def _recorded_keys(rows: list[TrainingRow]) -> set[tuple[int, str]]:
    """(user id, source_ref) of the rows already in the ledger."""
    keys = set()
    for chunk in chunked(rows):
        refs = [row.award["source_ref"] for row in chunk]
        keys.update(
            CreditEntry.objects.filter(
                source=CreditSource.IMPORT, source_ref__in=refs, reverses__isnull=True
            ).values_list("user_id", "source_ref")
        )
    return keys
