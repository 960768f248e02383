"""Reading a training-record file (DESIGN.md §7): the roster import's cell reader (CSV in
UTF-8, UTF-8 with BOM, GB18030 or UTF-16; XLSX), then this file's header and rows.

No database access and no value checks: those are in certification.imports.checking.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from people.roster import RosterTable, RowError
from people.roster.reading import cell_rows, check_columns
from people.roster.table import error

COURSE_CODE = "课程编号"
TRAINING_NAME = "培训名称"
COLUMNS = ("工号", COURSE_CODE, TRAINING_NAME, "学分", "学时", "类别", "级别", "完成日期", "备注")
REQUIRED_COLUMNS = ("工号", "学分", "学时", "类别", "级别", "完成日期")
COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}
HEADER_SEARCH_ROWS = 10


def sort_errors(errors) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.row, COLUMN_ORDER.get(e.column, 99), e.code))


def read_training(data: bytes, *, filename: str = "") -> RosterTable:
    """Bytes -> header and {column: text} rows with their numbers, plus file-level errors."""
    table = RosterTable()
    rows = cell_rows(
        data, filename=filename, table=table, max_bytes=settings.ROSTER_IMPORT_MAX_BYTES
    )
    if rows is None:
        return table
    try:
        _read_rows(table, rows)
    finally:
        rows.close()
    return table


def _clean_header(value: str) -> str:
    return value.replace("\ufeff", "").strip().rstrip("*＊").strip()


def _read_rows(table: RosterTable, rows) -> None:
    header_ok, seen_rows = False, 0
    max_rows = settings.ROSTER_IMPORT_MAX_ROWS
    for number, cells in rows:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if not header_ok:
            seen_rows += 1
            header = [_clean_header(c) for c in cells]
            if any(name in COLUMNS for name in header):
                table.header = header
                header_ok = True
                _check_header(table, header, first=seen_rows == 1, number=number)
                if any(e.row == 0 for e in table.errors):
                    return
                continue
            if seen_rows >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(table.rows) >= max_rows:
            message = _("The file has more than %(max)d data rows; split it into parts.") % {
                "max": max_rows
            }
            table.errors.append(error(0, "", "too_many_rows", message))
            return
        values = {
            name: cells[index]
            for index, name in enumerate(table.header)
            if name in COLUMNS and index < len(cells)
        }
        if any(cells[len(table.header) :]):
            message = _(
                "This row has more cells than the header; a value probably contains an "
                "unquoted comma."
            )
            table.errors.append(error(number, "", "extra_cells", message))
        table.rows.append((number, values))
    if any(e.row == 0 for e in table.errors):
        return
    if not header_ok:
        message = _(
            "The first row does not contain the column names (工号, 课程编号 or 培训名称, 学分, "
            "学时, 类别, 级别, 完成日期, 备注). Check that this is a training-record file saved "
            "as “CSV UTF-8” or .xlsx."
        )
        table.errors.append(error(0, "", "header_not_recognised", message))
    elif not table.rows:
        table.errors.append(error(0, "", "no_rows", _("The file has a header but no data rows.")))


def _check_header(table: RosterTable, header: list[str], *, first: bool, number: int) -> None:
    if not first:
        message = _(
            "The column names must be in the first row, but they are in row %(row)d; "
            "delete the rows above them."
        ) % {"row": number}
        table.errors.append(error(0, "", "header_not_first_row", message))
        return
    seen = check_columns(table, header, columns=COLUMNS, required=REQUIRED_COLUMNS)
    if COURSE_CODE not in seen and TRAINING_NAME not in seen:
        message = _("The file needs a column “课程编号” or “培训名称” (or both).")
        table.errors.append(error(0, TRAINING_NAME, "missing_column", message))
    table.columns = [name for name in COLUMNS if name in seen]
