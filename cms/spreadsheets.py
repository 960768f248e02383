"""XLSX exports shared by the reports (course progress, lecture attendance, mentor
qualification): a write-only workbook with a bold, frozen header, date formats, and text that
Excel must not run as a formula."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence

# Cells starting with these are formulas to Excel (CSV/XLSX injection); keep them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def xlsx_bytes(
    *, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence = ()
) -> bytes:
    """One sheet: `headers` in bold, then `rows` (streamed), column widths in order."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
