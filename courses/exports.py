"""CSV and XLSX exports of a course's per-teacher rows (the same rows and scope as the
report screen). CSV is UTF-8 with a BOM so Excel in China opens the Chinese correctly;
both stream the rows from the database in chunks instead of holding them all."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cms.spreadsheets import FORMULA_PREFIXES, xlsx_bytes

from .choices import EnrollmentStatus
from .selectors.reports import CourseRows

CHUNK_SIZE = 2_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_headers() -> list[str]:
    return [
        _("staff number"),
        _("full name"),
        _("school"),
        _("status"),
        _("progress (%)"),
        _("lessons done"),
        _("completed at"),
        _("due date"),
    ]


def report_values(enrollment, lessons_total: int) -> list:
    """One row as Python values: dates stay dates for XLSX; CSV formats them."""
    school = enrollment.user.school
    completed_at = enrollment.completed_at
    return [
        enrollment.user.staff_no,
        enrollment.user.full_name,
        school.name if school else "",
        str(EnrollmentStatus(enrollment.status).label),
        100 if enrollment.status == EnrollmentStatus.COMPLETED else enrollment.progress,
        f"{enrollment.lessons_done}/{lessons_total}",
        timezone.localtime(completed_at).replace(tzinfo=None) if completed_at else None,
        enrollment.due_on,
    ]


def _rows(report: CourseRows) -> Iterator[list]:
    for enrollment in report.rows.iterator(chunk_size=CHUNK_SIZE):
        yield report_values(enrollment, report.lessons_total)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _filename(report: CourseRows, extension: str) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"{report.course.code}-{report.course.title}-{stamp}.{extension}"


def course_rows_csv_response(report: CourseRows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(report_headers(), _rows(report)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename(report, "csv"))
    return response


def course_rows_xlsx_bytes(report: CourseRows) -> bytes:
    return xlsx_bytes(
        sheet_title=_("Progress"),
        headers=report_headers(),
        rows=_rows(report),
        widths=(14, 10, 28, 10, 10, 10, 18, 12),
    )


def course_rows_xlsx_response(report: CourseRows) -> HttpResponse:
    response = HttpResponse(course_rows_xlsx_bytes(report), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _filename(report, "xlsx"))
    return response
