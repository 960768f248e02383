"""Reading a roster file: detect XLSX or CSV and its encoding, find the header, keep text cells.

No database access and no value checks: those are in people.roster.checking.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from .table import COLUMNS, REQUIRED_COLUMNS, RosterTable
from .table import error as _error

MAX_COLUMNS = 64
HEADER_SEARCH_ROWS = 10
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def read_roster(data: bytes, *, filename: str = "") -> RosterTable:
    """Decode CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16 text) or XLSX into text cells."""
    table = RosterTable()
    rows = cell_rows(
        data, filename=filename, table=table, max_bytes=settings.ROSTER_IMPORT_MAX_BYTES
    )
    if rows is not None:
        try:
            _read_rows(table, rows)
        finally:
            rows.close()  # closes the workbook when reading stopped early
    return table


def cell_rows(
    data: bytes, *, filename: str, table: RosterTable, max_bytes: int
) -> Iterator[tuple[int, list[str]]] | None:
    """(line, text cells) of a CSV or XLSX upload, or None after a file-level error (size,
    empty, .xls, name and content disagreeing) recorded in `table.errors` with row 0.
    Shared by every upload of a sheet (rosters, attendance lists); close the iterator."""
    suffix = PurePath(filename).suffix.lower()
    if len(data) > max_bytes:
        message = _("The file is larger than %(size)d MB.") % {"size": max_bytes // 2**20}
        table.errors.append(_error(0, "", "file_too_large", message))
        return None
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        table.errors.append(_error(0, "", "empty_file", _("The file is empty.")))
        return None
    is_zip = data.startswith(ZIP_MAGIC)
    if data.startswith(OLE_MAGIC):
        message = _("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV.")
        table.errors.append(_error(0, "", "xls_unsupported", message))
        return None
    if suffix in XLSX_SUFFIXES and not is_zip:
        message = _(
            "The file name ends in “%(suffix)s” but the file is not an Excel workbook; "
            "if it is a CSV file, rename it to .csv."
        ) % {"suffix": suffix}
        table.errors.append(_error(0, "", "xlsx_not_zip", message))
        return None
    if is_zip and suffix not in XLSX_SUFFIXES:
        message = _(
            "The file is a ZIP archive (such as an Excel workbook) but its name does not end "
            "in .xlsx; rename it to .xlsx or save the sheet as CSV."
        )
        table.errors.append(_error(0, "", "not_csv", message))
        return None
    return _xlsx_rows(data, table) if is_zip else _csv_rows(data, table)


def _csv_rows(data: bytes, table: RosterTable) -> Iterator[tuple[int, list[str]]]:
    text, delimiter = None, ","
    if data.startswith(UTF16_BOMS):
        # Excel's "Unicode text" export: UTF-16 with a BOM, tab separated.
        try:
            text, delimiter = data.decode("utf-16"), "\t"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        message = _(
            "Cannot detect the file's encoding: save it as “CSV UTF-8” or as an Excel "
            "workbook (.xlsx)."
        )
        table.errors.append(_error(0, "", "encoding", message))
        return
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    if delimiter == "," and "\t" in first_line and "," not in first_line:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Excel shows a quoted value with line breaks as one row: count records, not lines.
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        message = _("The CSV file cannot be read near row %(row)d: %(reason)s") % {
            "row": reader.line_num,
            "reason": exc,
        }
        table.errors.append(_error(0, "", "csv_malformed", message))


def _xlsx_rows(data: bytes, table: RosterTable) -> Iterator[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    invalid = _("The file is not a valid Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > 10 * settings.ROSTER_IMPORT_MAX_BYTES:
            message = _("The workbook unpacks to more than %(size)d MB.") % {
                "size": 10 * settings.ROSTER_IMPORT_MAX_BYTES // 2**20
            }
            table.errors.append(_error(0, "", "file_too_large", message))
            return
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken archive
        table.errors.append(_error(0, "", "invalid_xlsx", invalid))
        return
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            table.errors.append(_error(0, "", "invalid_xlsx", invalid))
            return
        sheet = sheets[0]
        sheet.reset_dimensions()  # the stored dimension may be wrong; read every row
        # values_only skips a cell object per value (4x faster). Without data_only a formula
        # arrives as its text ("=A1+1") or as an ArrayFormula object.
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = []
            for index, value in enumerate(row[:MAX_COLUMNS], start=1):
                text = _cell_text(value)
                is_formula = not isinstance(value, str | int | float | date | time | None)
                if is_formula or (text.startswith("=") and len(text) > 1):
                    code = "formula"
                    message = _(
                        "Cell %(cell)s contains a formula; paste values only "
                        "(Paste Special → Values) and upload again."
                    )
                elif text in EXCEL_ERRORS:
                    code = "cell_error"
                    message = _("Cell %(cell)s contains an error value.")
                else:
                    values.append(text)
                    continue
                coordinate = f"{get_column_letter(index)}{number}"
                header = table.header
                column = header[index - 1] if index <= len(header) else coordinate
                table.errors.append(_error(number, column, code, message % {"cell": coordinate}))
                values.append("")
            yield number, values
    except Exception:
        table.errors.append(_error(0, "", "invalid_xlsx", invalid))
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _clean_header(value: str) -> str:
    return value.replace("\ufeff", "").strip().rstrip("*＊").strip()


def _read_rows(table: RosterTable, rows: Iterator[tuple[int, list[str]]]) -> None:
    """Header = first non-empty row; keep data rows as {column: text}, with their numbers."""
    header: list[str] | None = None
    header_ok = False
    skipped: list[tuple[int, list[str]]] = []
    max_rows = settings.ROSTER_IMPORT_MAX_ROWS
    for number, cells in rows:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if header is None:
            header = table.header = [_clean_header(c) for c in cells]
            if not _check_header(table, header):
                skipped.append((number, header))
                continue
            header_ok = True
            continue
        if not header_ok:
            skipped.append((number, [_clean_header(c) for c in cells]))
            if len(skipped) >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(table.rows) >= max_rows:
            message = _("The file has more than %(max)d data rows; split it into parts.") % {
                "max": max_rows
            }
            table.errors.append(_error(0, "", "too_many_rows", message))
            return
        values = {}
        for index, name in enumerate(header):
            if name in COLUMNS and index < len(cells):
                values[name] = cells[index]
        if any(cells[len(header) :]):
            message = _(
                "This row has more cells than the header; a value probably contains an "
                "unquoted comma."
            )
            table.errors.append(_error(number, "", "extra_cells", message))
        table.rows.append((number, values))
    if any(e.row == 0 for e in table.errors):
        return
    if header is None:
        table.errors.append(_error(0, "", "empty_file", _("The file is empty.")))
    elif not header_ok:
        _report_header(table, skipped)
    elif not table.rows:
        message = _("The file has a header but no data rows.")
        table.errors.append(_error(0, "", "no_rows", message))


def check_columns(table: RosterTable, header: list[str], *, columns, required) -> set[str]:
    """The header's known column names; records duplicate and missing required columns as
    errors and unknown ones as warnings. Shared by the roster and the training-record import."""
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            message = _("The column “%(column)s” appears more than once in the header.") % {
                "column": name
            }
            table.errors.append(_error(0, name, "duplicate_header", message))
        elif name not in columns:
            message = _("The column “%(column)s” is not recognised and is ignored.") % {
                "column": name
            }
            table.warnings.append(_error(0, name, "unknown_column", message))
        seen.add(name)
    for name in required:
        if name not in seen:
            message = _("The required column “%(column)s” is missing.") % {"column": name}
            table.errors.append(_error(0, name, "missing_column", message))
    return seen


def _check_header(table: RosterTable, header: list[str]) -> bool:
    """True when the header names every required column once; records errors otherwise."""
    known = [name for name in header if name in COLUMNS]
    if not known:
        return False
    seen = check_columns(table, header, columns=COLUMNS, required=REQUIRED_COLUMNS)
    table.columns = [name for name in COLUMNS if name in seen]
    return True


def _report_header(table: RosterTable, skipped: list[tuple[int, list[str]]]) -> None:
    later = next((n for n, cells in skipped[1:] if "工号" in cells), None)
    if later:
        message = _(
            "The column names must be in the first row, but they are in row %(row)d; "
            "delete the rows above them."
        ) % {"row": later}
        table.errors.append(_error(0, "", "header_not_first_row", message))
        return
    message = _(
        "The first row does not contain the column names (工号, 姓名, 学校代码, 学段…). "
        "Check that this is a roster file saved as “CSV UTF-8” or .xlsx."
    )
    table.errors.append(_error(0, "", "header_not_recognised", message))
