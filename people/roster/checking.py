"""Checking roster rows: every value of every row, one query for all school codes."""

import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.models import School
from people.validators import normalize_email, normalize_mobile, validate_staff_no

from .table import (
    LEGACY_PRIMARY_TITLES,
    MAX_LENGTHS,
    NO_VALUES,
    OPTIONAL_USER_FIELDS,
    PROGRESS_EVERY,
    STAGE_VALUES,
    TITLE_LEVELS,
    TITLE_NONE,
    TITLE_PREFIXES,
    YES_VALUES,
    RosterCheck,
    RosterRow,
    RosterTable,
    RowError,
    chunked,
    sort_errors,
)
from .table import error as _error


def validate_roster(
    table: RosterTable,
    *,
    school_scope_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterCheck:
    """Check every row; one query looks up all school codes. Rows with errors are dropped."""
    present = set(table.columns)
    fields = ["full_name", "school_id", "stage"]
    fields += [f for column, f in OPTIONAL_USER_FIELDS.items() if column in present]
    checker = _RowChecker(
        present=present,
        schools=_schools_by_code({_halfwidth(v.get("学校代码", "")) for _n, v in table.rows}),
        school_scope_id=school_scope_id,
    )
    errors = list(table.errors)
    # A formula cell was reported while reading; its row is not checked again.
    reported = {e.row for e in table.errors if e.code in ("formula", "cell_error")}
    rows = []
    for position, (number, values) in enumerate(table.rows, start=1):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position)
        if number in reported:
            continue
        row, row_errors = checker.check(number, values)
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(row)
    warnings = list(table.warnings)
    if checker.legacy_title_rows:
        count, first = len(checker.legacy_title_rows), checker.legacy_title_rows[0]
        message = ngettext(
            "%(count)d row uses a pre-2015 primary-school title (小学高级/一级/二级教师), read "
            "by its level word: 小学高级 as 高级 (row %(row)d). Under the 2015 reform the old "
            "小学高级 matches today's 一级: check it.",
            "%(count)d rows use a pre-2015 primary-school title (小学高级/一级/二级教师), read "
            "by its level word: 小学高级 as 高级 (first in row %(row)d). Under the 2015 reform "
            "the old 小学高级 matches today's 一级: check these rows.",
            count,
        ) % {"count": count, "row": first}
        warnings.append(_error(0, "职称", "legacy_title", message))
    return RosterCheck(rows=rows, fields=fields, errors=sort_errors(errors), warnings=warnings)


class _RowChecker:
    """Checks one row at a time; remembers staff numbers seen so far for duplicates."""

    def __init__(self, *, present: set[str], schools: dict, school_scope_id: int | None):
        self.present = present
        self.schools = schools
        self.school_scope_id = school_scope_id
        self.first_row_of: dict[str, int] = {}
        self.legacy_title_rows: list[int] = []

    def check(self, number: int, values: dict[str, str]) -> tuple[RosterRow | None, list]:
        self.number, self.errors, clean = number, [], {}
        staff_no = self._staff_no(_halfwidth(values.get("工号", "")))
        clean["full_name"] = values.get("姓名", "")
        if not clean["full_name"]:
            self.fail("姓名", "required", _("The name is empty."))
        code = _halfwidth(values.get("学校代码", ""))
        clean["school_id"] = self._school(code)
        clean["stage"] = self._stage(values.get("学段", ""))
        if "学科" in self.present:
            clean["subjects"] = values.get("学科", "")
        if "职称" in self.present:
            clean["title"] = self._title(values.get("职称", ""))
        if "班主任" in self.present:
            clean["is_head_teacher"] = self._yes_no(_halfwidth(values.get("班主任", "")))
        for column, user_field, normalize in (
            ("手机", "phone", normalize_mobile),
            ("邮箱", "email", normalize_email),
        ):
            if column in self.present:
                try:
                    clean[user_field] = normalize(_halfwidth(values.get(column, "")))
                except ValidationError as exc:
                    self.fail(column, exc.code, exc.messages[0])
        for column, user_field in (("姓名", "full_name"), ("学科", "subjects"), ("邮箱", "email")):
            limit = MAX_LENGTHS[user_field]
            if len(clean.get(user_field) or "") > limit:
                message = _("At most %(max)d characters are allowed.") % {"max": limit}
                self.fail(column, "too_long", message)
        if self.errors:
            return None, self.errors
        if "职称" in self.present and parse_title(values.get("职称", ""))[1]:
            self.legacy_title_rows.append(number)
        return RosterRow(row=number, staff_no=staff_no, school_code=code, values=clean), []

    def fail(self, column: str, code: str, message: str) -> None:
        self.errors.append(_error(self.number, column, code, message))

    def _staff_no(self, value: str) -> str:
        if not value:
            self.fail("工号", "required", _("The staff number is empty."))
            return value
        try:
            value = validate_staff_no(value)
        except ValidationError as exc:
            self.fail("工号", "invalid_staff_no", exc.messages[0])
            return value
        first = self.first_row_of.setdefault(value, self.number)
        if first != self.number:
            message = _("The staff number “%(value)s” already appears in row %(row)d.")
            self.fail("工号", "duplicate_staff_no", message % {"value": value, "row": first})
        return value

    def _school(self, code: str) -> int | None:
        school = self.schools.get(code)
        if not code:
            self.fail("学校代码", "required", _("The school code is empty."))
        elif school is None:
            message = _("Unknown school code “%(code)s”.") % {"code": code}
            self.fail("学校代码", "unknown_school", message)
        elif not school.is_active:
            message = _("The school “%(code)s” is no longer active.") % {"code": code}
            self.fail("学校代码", "inactive_school", message)
        elif self.school_scope_id is not None and school.pk != self.school_scope_id:
            message = _("The school “%(code)s” is not your school.") % {"code": code}
            self.fail("学校代码", "other_school", message)
        else:
            return school.pk
        return None

    def _stage(self, value: str) -> str:
        if not value:
            self.fail("学段", "required", _("The stage is empty."))
        elif value.lower() not in STAGE_VALUES:
            message = _("Unknown stage “%(value)s”: use 小学, 初中 or 高中.") % {"value": value}
            self.fail("学段", "invalid_stage", message)
        else:
            return STAGE_VALUES[value.lower()].value
        return ""

    def _title(self, value: str) -> str:
        title, _legacy = parse_title(value)
        if title is None:
            message = _("Unknown professional title “%(value)s”.") % {"value": value}
            self.fail("职称", "invalid_title", message)
        return title or ""

    def _yes_no(self, value: str) -> bool:
        if value.lower() in YES_VALUES:
            return True
        if value.lower() not in NO_VALUES:
            message = _("“%(value)s” is not a yes/no value: use 是 or 否.") % {"value": value}
            self.fail("班主任", "invalid_head_teacher", message)
        return False


def _halfwidth(value: str) -> str:
    """Full-width letters and digits (１２３, ＠) as typed with a Chinese IME -> ASCII."""
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def parse_title(raw: str) -> tuple[str | None, bool]:
    """'中学一级教师' -> ('first', False); '小学高级教师' -> ('senior', True); bad -> None."""
    value = raw.replace(" ", "").replace("\u3000", "")
    if value in TITLE_NONE:
        return "", False
    legacy = False
    for prefix in TITLE_PREFIXES:
        if value.startswith(prefix):
            legacy = prefix == "小学"
            value = value[len(prefix) :]
            break
    value = value.removesuffix("教师")
    title = TITLE_LEVELS.get(value) or TITLE_LEVELS.get(value.lower())
    if title is None:
        return None, False
    return title.value, legacy and value in LEGACY_PRIMARY_TITLES


def _schools_by_code(codes: set[str]) -> dict[str, School]:
    codes = sorted(c for c in codes if c)
    schools = {}
    for chunk in chunked(codes):
        for school in School.objects.filter(code__in=chunk).only("pk", "code", "is_active"):
            schools[school.code] = school
    return schools


def check_existing_users(
    rows: list[RosterRow],
    existing: dict[str, dict],
    *,
    school_scope_id: int | None,
    privileged_ids: set[int],
) -> list[RowError]:
    """Rows that would touch accounts the importer may not manage."""
    errors = []
    for row in rows:
        user = existing.get(row.staff_no)
        if user is None:
            continue
        if user["is_superuser"]:
            message = _("“%(value)s” is a superuser account and cannot be changed by import.")
            errors.append(_error(row.row, "工号", "superuser", message % {"value": row.staff_no}))
        elif school_scope_id is not None and (
            user["school_id"] != school_scope_id or user["pk"] in privileged_ids
        ):
            message = _("The staff number “%(value)s” belongs to someone you cannot manage.")
            errors.append(
                _error(row.row, "工号", "other_school_user", message % {"value": row.staff_no})
            )
    return errors
