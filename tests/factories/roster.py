"""Roster files built in memory for import tests: CSV in any encoding and XLSX via openpyxl."""

import csv
import io

HEADER = ["工号", "姓名", "学校代码", "学段", "学科", "职称", "班主任", "手机", "邮箱"]


def roster_row(staff_no="T0001", full_name="张三", school="A001", stage="小学", **extra):
    """A valid data row as a dict keyed by column name; override any column by keyword."""
    row = {
        "工号": staff_no,
        "姓名": full_name,
        "学校代码": school,
        "学段": stage,
        "学科": extra.pop("subjects", "语文"),
        "职称": extra.pop("title", "一级"),
        "班主任": extra.pop("head_teacher", "是"),
        "手机": extra.pop("phone", "13912345678"),
        "邮箱": extra.pop("email", ""),
    }
    assert not extra, extra
    return row


def roster_rows(count, school="A001", start=1, prefix="T"):
    return [
        roster_row(
            staff_no=f"{prefix}{start + i:06d}",
            full_name=f"教师{start + i}",
            school=school,
            phone=f"139{start + i:08d}",
        )
        for i in range(count)
    ]


def _table(rows, header):
    header = list(header)
    lines = [header]
    for row in rows:
        lines.append(
            list(row) if isinstance(row, (list, tuple)) else [row.get(h, "") for h in header]
        )
    return lines


def roster_csv(rows, header=HEADER, encoding="utf-8", delimiter=","):
    """CSV bytes; encoding 'utf-8-sig' for Excel's CSV UTF-8, 'gb18030' for Excel in China."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(_table(rows, header))
    return buffer.getvalue().encode(encoding)


def roster_xlsx(rows, header=HEADER, leading_rows=(), edit=None):
    """XLSX bytes with the header in the first row (after `leading_rows`); `edit(sheet)` may
    change cells before saving (e.g. put a formula in)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "教师名单"
    for line in [*leading_rows, *_table(rows, header)]:
        sheet.append(list(line))
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
