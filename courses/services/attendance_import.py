"""Attendance lists and manual marks for a lecture (offline sessions): read a CSV/XLSX of 工号
with the roster import's reading rules, check every row against the accounts (one query per
900 rows), preview, then record all or nothing through `attendance_record`."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from people import roles
from people.models import User
from people.roster import RosterTable, RowError, chunked
from people.roster.reading import cell_rows
from people.roster.table import error
from people.validators import validate_staff_no

from ..models import Attendance, AttendanceMethod, LecturePage, LectureRegistration
from ..selectors.lecture_admin import user_may_manage_lecture
from .attendance import attendance_record

# Attendance lists and manual marks are accepted from this long before the lecture starts.
RECORDING_OPENS_BEFORE = timedelta(minutes=30)
COLUMNS = ("工号", "姓名", "备注")
REQUIRED_COLUMN = "工号"
NOTE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 200
# A lecture hall, with room to spare; bigger lists are split.
MAX_ROWS = 5000
MAX_BYTES = 5 * 2**20
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class ListEntry:
    row: int
    staff_no: str
    note: str = ""


@dataclass(frozen=True)
class CheckedRow:
    row: int
    staff_no: str
    note: str
    user_id: int
    full_name: str
    school: str
    registration: str  # registration status, "" when the teacher did not register
    already_attended: bool


@dataclass
class AttendanceListCheck:
    entries: list[ListEntry] = field(default_factory=list)
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def to_record(self) -> int:
        return sum(1 for row in self.rows if not row.already_attended)

    @property
    def already_attended(self) -> int:
        return sum(1 for row in self.rows if row.already_attended)

    @property
    def not_registered(self) -> int:
        return sum(1 for row in self.rows if not row.registration)


class AttendanceListInvalid(Exception):
    """The list has errors; nothing was recorded."""

    def __init__(self, check: AttendanceListCheck):
        super().__init__(_("The attendance list has errors; nothing was recorded."))
        self.check = check


@dataclass(frozen=True)
class AttendanceListOutcome:
    recorded: int
    already_attended: int


# --- Who and when ---------------------------------------------------------------------------


def lecture_recording_opens_at(lecture: LecturePage) -> datetime:
    return lecture.starts_at - RECORDING_OPENS_BEFORE


def lecture_recording_open(lecture: LecturePage, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= lecture_recording_opens_at(lecture)


def _check_may_record(*, lecture: LecturePage, recorded_by, now: datetime) -> None:
    if not user_may_manage_lecture(recorded_by, lecture):
        raise PermissionDenied
    if not lecture_recording_open(lecture, now=now):
        opens = timezone.localtime(lecture_recording_opens_at(lecture))
        raise ValidationError(
            _(
                "Attendance can be recorded only from 30 minutes before the lecture starts "
                "(from %(time)s)."
            )
            % {"time": date_format(opens, "Y-m-d H:i")}
        )


# --- Reading the file -----------------------------------------------------------------------


def _halfwidth(value: str) -> str:
    """Full-width digits and letters typed with a Chinese IME (１２３) -> ASCII."""
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def _clean_header(value: str) -> str:
    return value.replace("\ufeff", "").strip().rstrip("*＊").strip()


def attendance_list_read(data: bytes, *, filename: str = "") -> AttendanceListCheck:
    """Decode the file (UTF-8, UTF-8 with BOM, GB18030, UTF-16 text, XLSX) into entries;
    no database access. File-level problems are errors with row 0."""
    result = AttendanceListCheck()
    table = RosterTable()  # the roster reader reports file and cell problems into it
    rows = cell_rows(data, filename=filename, table=table, max_bytes=MAX_BYTES)
    if rows is not None:
        try:
            _read_entries(result, table, rows)
        finally:
            rows.close()
    result.errors = [*table.errors, *result.errors]
    return result


def _read_entries(result: AttendanceListCheck, table: RosterTable, rows) -> None:
    header: list[str] | None = None
    searched = 0
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if header is None:
            candidate = [_clean_header(c) for c in cells]
            searched += 1
            if REQUIRED_COLUMN in candidate:
                header = table.header = candidate
                _check_header(result, header)
                if any(e.row == 0 for e in result.errors):
                    return
            elif searched >= HEADER_SEARCH_ROWS:
                break
            continue
        if table.errors and table.errors[-1].row == number:
            continue  # a formula or error cell, already reported for this row
        if len(result.entries) >= MAX_ROWS:
            message = _("The file has more than %(max)d data rows; split it into parts.") % {
                "max": MAX_ROWS
            }
            result.errors.append(error(0, "", "too_many_rows", message))
            return
        values = {
            name: cells[index]
            for index, name in enumerate(header)
            if name in COLUMNS and index < len(cells)
        }
        entry = _entry(result, number, values, first_row_of)
        if entry is not None:
            result.entries.append(entry)
    if any(e.row == 0 for e in table.errors):
        return
    if header is None:
        message = _(
            "No header row with a “工号” column was found in the first rows: the first row "
            "must name the columns (工号, and optionally 姓名 and 备注)."
        )
        result.errors.append(error(0, "工号", "missing_column", message))
    elif not result.entries and not result.errors and not table.errors:
        message = _("The file has a header but no data rows.")
        result.errors.append(error(0, "", "no_rows", message))


def _check_header(result: AttendanceListCheck, header: list[str]) -> None:
    seen = set()
    for name in header:
        if not name:
            continue
        if name in seen and name in COLUMNS:
            message = _("The column “%(column)s” appears more than once in the header.") % {
                "column": name
            }
            result.errors.append(error(0, name, "duplicate_header", message))
        elif name not in COLUMNS and name not in seen:
            message = _("The column “%(column)s” is not recognised and is ignored.") % {
                "column": name
            }
            result.warnings.append(error(0, name, "unknown_column", message))
        seen.add(name)


def _entry(result, number: int, values: dict, first_row_of: dict) -> ListEntry | None:
    staff_no = _halfwidth(values.get("工号", "")).strip()
    note = values.get("备注", "").strip()
    if not staff_no:
        result.errors.append(error(number, "工号", "required", _("The staff number is empty.")))
        return None
    try:
        staff_no = validate_staff_no(staff_no)
    except ValidationError as exc:
        result.errors.append(error(number, "工号", "invalid_staff_no", exc.messages[0]))
        return None
    if len(note) > NOTE_MAX_LENGTH:
        message = _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX_LENGTH}
        result.errors.append(error(number, "备注", "too_long", message))
        return None
    first = first_row_of.setdefault(staff_no, number)
    if first != number:
        message = _(
            "The staff number “%(value)s” already appears in row %(row)d; it is recorded once."
        ) % {"value": staff_no, "row": first}
        result.warnings.append(error(number, "工号", "duplicate_staff_no", message))
        return None
    return ListEntry(row=number, staff_no=staff_no, note=note)


# --- Checking against the accounts ----------------------------------------------------------


def _teachers_by_staff_no(lecture: LecturePage, staff_nos: list[str]) -> dict[str, User]:
    """One query per 900 staff numbers: the account, whether it is a teacher, its
    registration status and whether its attendance is already recorded."""
    found = {}
    teacher_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=roles.TEACHER
    )
    registration = LectureRegistration.objects.filter(lecture=lecture, user_id=OuterRef("pk"))
    attended = Attendance.objects.filter(lecture=lecture, user_id=OuterRef("pk"))
    for chunk in chunked(sorted(set(staff_nos))):
        users = (
            User.objects.filter(staff_no__in=chunk)
            .select_related("school")
            .annotate(
                is_teacher=Exists(teacher_group),
                registration_status=Subquery(registration.values("status")[:1]),
                already_attended=Exists(attended),
            )
        )
        for user in users:
            found[user.staff_no] = user
    return found


def attendance_list_check(
    *, lecture: LecturePage, entries: list[ListEntry], check: AttendanceListCheck | None = None
) -> AttendanceListCheck:
    """Check each entry against the accounts: unknown, inactive or non-teacher 工号 are
    errors (by row). Returns the check with `rows` for the preview."""
    check = check or AttendanceListCheck(entries=list(entries))
    users = _teachers_by_staff_no(lecture, [entry.staff_no for entry in entries])
    for entry in entries:
        user = users.get(entry.staff_no)
        if user is None:
            message = _("No account has the staff number “%(value)s”.") % {"value": entry.staff_no}
            check.errors.append(error(entry.row, "工号", "unknown_staff_no", message))
        elif not user.is_active:
            message = _(
                "The account “%(value)s” (%(name)s) is deactivated; remove the row or ask the "
                "district admin to reactivate it."
            ) % {"value": entry.staff_no, "name": user.full_name}
            check.errors.append(error(entry.row, "工号", "inactive_user", message))
        elif not user.is_teacher:
            message = _(
                "The account “%(value)s” (%(name)s) is not a teacher account; only teachers "
                "receive attendance."
            ) % {"value": entry.staff_no, "name": user.full_name}
            check.errors.append(error(entry.row, "工号", "not_teacher", message))
        else:
            check.rows.append(
                CheckedRow(
                    row=entry.row,
                    staff_no=entry.staff_no,
                    note=entry.note,
                    user_id=user.pk,
                    full_name=user.full_name,
                    school=user.school.name if user.school else "",
                    registration=user.registration_status or "",
                    already_attended=user.already_attended,
                )
            )
    check.errors.sort(key=lambda e: (e.row, e.column, e.code))
    return check


def attendance_list_preview(
    *,
    lecture: LecturePage,
    data: bytes,
    filename: str,
    recorded_by,
    now: datetime | None = None,
) -> AttendanceListCheck:
    """Read and check an uploaded list without recording anything."""
    _check_may_record(lecture=lecture, recorded_by=recorded_by, now=now or timezone.now())
    check = attendance_list_read(data, filename=filename)
    if check.errors:
        return check
    return attendance_list_check(lecture=lecture, entries=check.entries, check=check)


@transaction.atomic
def attendance_list_apply(
    *,
    lecture: LecturePage,
    entries: list[ListEntry],
    recorded_by,
    now: datetime | None = None,
) -> AttendanceListOutcome:
    """Check the entries again (accounts may have changed since the preview) and record an
    attendance (method "upload") for each teacher; any error records nothing. Teachers
    already recorded are left as they are, so a repeated submit changes nothing."""
    now = now or timezone.now()
    _check_may_record(lecture=lecture, recorded_by=recorded_by, now=now)
    if not entries:
        raise ValidationError(_("The attendance list is empty."))
    if len(entries) > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(max)d data rows; split it into parts.") % {"max": MAX_ROWS}
        )
    check = attendance_list_check(lecture=lecture, entries=entries)
    if check.errors:
        raise AttendanceListInvalid(check)
    users = {user.pk: user for user in User.objects.filter(pk__in=[r.user_id for r in check.rows])}
    recorded = 0
    for row in check.rows:
        if row.already_attended:
            continue
        _attendance, created = attendance_record(
            user=users[row.user_id],
            lecture=lecture,
            method=AttendanceMethod.UPLOAD,
            recorded_by=recorded_by,
            reason=row.note,
            now=now,
        )
        recorded += int(created)
    return AttendanceListOutcome(recorded=recorded, already_attended=len(check.rows) - recorded)


@transaction.atomic
def attendance_mark_manual(
    *,
    lecture: LecturePage,
    staff_no: str,
    reason: str,
    recorded_by,
    now: datetime | None = None,
) -> tuple[Attendance, bool]:
    """Mark one teacher (any active teacher, by 工号) as attended, with a required reason.
    A teacher already recorded keeps the first record: returns (attendance, False)."""
    now = now or timezone.now()
    _check_may_record(lecture=lecture, recorded_by=recorded_by, now=now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for marking the attendance by hand.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("The reason is too long (at most %(max)d characters).")
                % {"max": REASON_MAX_LENGTH}
            }
        )
    staff_no = _halfwidth((staff_no or "").strip())
    if not staff_no:
        raise ValidationError({"staff_no": _("Enter the teacher's staff number.")})
    check = attendance_list_check(lecture=lecture, entries=[ListEntry(row=1, staff_no=staff_no)])
    if check.errors:
        raise ValidationError({"staff_no": check.errors[0].message})
    user = User.objects.get(pk=check.rows[0].user_id)
    return attendance_record(
        user=user,
        lecture=lecture,
        method=AttendanceMethod.MANUAL,
        recorded_by=recorded_by,
        reason=reason,
        now=now,
    )
