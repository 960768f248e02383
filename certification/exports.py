"""XLSX export of the school dashboard's teacher rows (every filtered row, not one page):
a write-only workbook fed from the database in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cms.spreadsheets import xlsx_bytes
from people.models import ProfessionalTitle, School, Stage

from .models.qualification import QualificationState
from .selectors.coverage import missing_items

CHUNK_SIZE = 2_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_WIDTHS = (14, 10, 10, 10, 8, 10, 10, 12, 12, 60)


def teacher_headers() -> list[str]:
    return [
        _("staff number"),
        _("full name"),
        _("stage"),
        _("professional title"),
        _("head teacher"),
        _("state"),
        _("progress (%)"),
        _("qualified on"),
        _("expires on"),
        _("missing"),
    ]


def _number(value) -> str:
    if isinstance(value, float | Decimal) and value == int(value):
        value = int(value)
    return str(value)


def missing_text(items) -> str:
    """“label (have/need)” items joined by “；”."""
    return "；".join(
        f"{item.get('label', item.get('code', ''))}（{_number(item.get('have', 0))}/"
        f"{_number(item.get('need', 0))}）"
        for item in missing_items(items)
    )


def teacher_values(teacher) -> list:
    """One teacher row of the dashboard as Python values (dates stay dates)."""
    return [
        teacher.staff_no,
        teacher.full_name,
        str(Stage(teacher.stage).label) if teacher.stage else "",
        str(ProfessionalTitle(teacher.title).label) if teacher.title else "",
        _("yes") if teacher.is_head_teacher else _("no"),
        str(QualificationState(teacher.mentor_state).label),
        float(teacher.mentor_progress or 0),
        teacher.mentor_qualified_on,
        teacher.mentor_expires_on,
        missing_text(teacher.mentor_missing),
    ]


def _rows(teachers: QuerySet) -> Iterator[list]:
    for teacher in teachers.iterator(chunk_size=CHUNK_SIZE):
        yield teacher_values(teacher)


def teachers_xlsx_bytes(teachers: QuerySet) -> bytes:
    return xlsx_bytes(
        sheet_title=_("Mentor qualification"),
        headers=teacher_headers(),
        rows=_rows(teachers),
        widths=COLUMN_WIDTHS,
    )


def teachers_xlsx_response(school: School, teachers: QuerySet) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{school.code}-{school.name}-{_('Mentor qualification')}-{stamp}.xlsx"
    response = HttpResponse(teachers_xlsx_bytes(teachers), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
