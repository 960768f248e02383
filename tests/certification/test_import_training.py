"""import_training: encodings and XLSX, every bad value named by row and column, all or
nothing, school scope, and re-importing the same file is a no-op."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.imports import natural_key, parse_date
from certification.models import CreditEntry, CreditSource
from cms.choices import CreditCategory, Level
from tests.factories.courses import make_course, topic
from tests.factories.roster import roster_csv, roster_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["工号", "课程编号", "培训名称", "学分", "学时", "类别", "级别", "完成日期", "备注"]


def row(staff_no="TA01", code="", name="校本研修：班主任沟通技巧", **fields):
    values = {
        "工号": staff_no,
        "课程编号": code,
        "培训名称": name,
        "学分": "1.5",
        "学时": "6",
        "类别": "实践体验",
        "级别": "校本研修",
        "完成日期": "2026-03-05",
        "备注": "",
    }
    values.update(fields)
    return values


def run(tmp_path, data, *args, suffix=".csv"):
    path = tmp_path / f"training{suffix}"
    path.write_bytes(data)
    out = StringIO()
    call_command("import_training", str(path), *args, stdout=out)
    return out.getvalue()


def fail(tmp_path, data, *args, suffix=".csv"):
    path = tmp_path / f"training{suffix}"
    path.write_bytes(data)
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_training", str(path), *args, stdout=out)
    return out.getvalue(), str(excinfo.value)


def line(row_number, column, message):
    return _("Row %(row)d, column “%(column)s”: %(message)s") % {
        "row": row_number,
        "column": column,
        "message": message,
    }


def imported(rows, new, existing):
    return _("Imported %(rows)d rows: %(new)d new, %(existing)d already recorded.") % {
        "rows": rows,
        "new": new,
        "existing": existing,
    }


@pytest.fixture
def course():
    return make_course(
        lessons=0,
        code="QP-XL-2026-01",
        title="心理健康教育基础",
        topic=topic(slug="mental-health", is_mentor_topic=True),
    )


def test_import_records_named_and_course_rows(tmp_path, teacher_a, teacher_b, course):
    data = roster_csv(
        [
            row(备注="线下集中培训"),
            row("TB01", code="QP-XL-2026-01", name="", 类别="knowledge", 级别="区级"),
        ],
        header=HEADER,
    )
    assert imported(2, 2, 0) in run(tmp_path, data)
    named = CreditEntry.objects.get(user=teacher_a)
    assert named.source == CreditSource.IMPORT
    assert named.title == "校本研修：班主任沟通技巧" and named.reason == "线下集中培训"
    assert (named.points, named.hours) == (Decimal("1.5"), Decimal("6"))
    assert (named.category, named.level) == (CreditCategory.PRACTICE, Level.SCHOOL)
    assert named.awarded_on == datetime.date(2026, 3, 5)
    assert named.source_ref == natural_key("TA01", "校本研修：班主任沟通技巧", named.awarded_on)
    by_course = CreditEntry.objects.get(user=teacher_b)
    assert by_course.title == "心理健康教育基础" and by_course.source_object_id == course.pk
    assert (by_course.topic, by_course.mentor_topic) == ("mental-health", True)
    assert (by_course.category, by_course.level) == (CreditCategory.KNOWLEDGE, Level.DISTRICT)


def test_reimport_is_a_no_op(tmp_path, teacher_a):
    data = roster_csv([row(), row(完成日期="2026-04-01")], header=HEADER)
    run(tmp_path, data)
    assert imported(2, 0, 2) in run(tmp_path, data)
    # A third row added later: only it is new.
    more = roster_csv([row(), row(完成日期="2026-04-01"), row(name="读书分享")], header=HEADER)
    assert imported(3, 1, 2) in run(tmp_path, more)
    assert CreditEntry.objects.count() == 3


def test_dry_run_records_nothing(tmp_path, teacher_a):
    output = run(tmp_path, roster_csv([row()], header=HEADER), "--dry-run")
    assert (
        _("Dry run, nothing recorded: %(rows)d rows; %(new)d new, %(existing)d already recorded.")
        % {"rows": 1, "new": 1, "existing": 0}
        in output
    )
    assert not CreditEntry.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings(tmp_path, teacher_a, encoding):
    data = roster_csv([row(name="青春期教育䶮")], header=HEADER, encoding=encoding)
    assert imported(1, 1, 0) in run(tmp_path, data)
    assert CreditEntry.objects.get().title == "青春期教育䶮"


def test_xlsx_with_date_cells(tmp_path, teacher_a):
    rows = [
        row(完成日期=datetime.datetime(2026, 3, 5)),
        row(name="第二次", 完成日期=datetime.date(2026, 3, 6), 学分=2, 学时=4.5),
    ]
    assert imported(2, 2, 0) in run(tmp_path, roster_xlsx(rows, header=HEADER), suffix=".xlsx")
    days = sorted(CreditEntry.objects.values_list("awarded_on", flat=True))
    assert days == [datetime.date(2026, 3, 5), datetime.date(2026, 3, 6)]
    assert CreditEntry.objects.get(title="第二次").hours == Decimal("4.5")


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "2026/3/5",
        "2026年3月5日",
        "2026.3.5",
        "２０２６/３/５",
        "46086",
        "2026-03-05T00:00:00",
    ],
)
def test_date_forms(text):
    assert parse_date(text) == datetime.date(2026, 3, 5)


def test_wrong_header(tmp_path, teacher_a):
    data = roster_csv([["TA01", "张三"]], header=["工号", "姓名"])
    output, _summary = fail(tmp_path, data)
    for column in ("学分", "学时", "类别", "级别", "完成日期"):
        message = _("The required column “%(column)s” is missing.") % {"column": column}
        assert message in output
    assert _("The file needs a column “课程编号” or “培训名称” (or both).") in output
    assert not CreditEntry.objects.exists()


def test_not_a_training_file(tmp_path):
    output, _summary = fail(tmp_path, roster_csv([["a", "b"]], header=["x", "y"]))
    message = _(
        "The first row does not contain the column names (工号, 课程编号 or 培训名称, 学分, "
        "学时, 类别, 级别, 完成日期, 备注). Check that this is a training-record file saved "
        "as “CSV UTF-8” or .xlsx."
    )
    assert _("File: %(message)s") % {"message": message} in output


def test_every_bad_row_is_named_and_nothing_is_recorded(tmp_path, teacher_a, course):
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    rows = [
        row(),  # good, but the file fails as a whole
        row("NOBODY"),
        row(学分="-1"),
        row(学时="两个"),
        row(完成日期=future),
        row(类别="体育"),
        row(级别="国家级"),
        row(code="QP-NONE", name=""),
        row(name=""),
        row(),  # the same record as row 2
        row(完成日期="2026-02-30"),
        row(学分="1.234"),
    ]
    output, summary = fail(tmp_path, roster_csv(rows, header=HEADER))
    expected = [
        line(3, "工号", _("No teacher has the staff number “%(value)s”.") % {"value": "NOBODY"}),
        line(4, "学分", _("The value cannot be negative.")),
        line(5, "学时", _("“%(value)s” is not a number.") % {"value": "两个"}),
        line(6, "完成日期", _("The date %(date)s is in the future.") % {"date": future}),
        line(9, "课程编号", _("No course has the code “%(code)s”.") % {"code": "QP-NONE"}),
        line(10, "培训名称", _("Give the course code or the training name.")),
        line(
            11,
            "工号",
            _("The same record (工号, training and date) already appears in row %(row)d.")
            % {"row": 2},
        ),
        line(13, "学分", _("At most %(places)d decimal places are allowed.") % {"places": 2}),
    ]
    for message in expected:
        assert message in output
    lines = output.splitlines()
    for number, column, value in (
        (7, "类别", "体育"),
        (8, "级别", "国家级"),
        (12, "完成日期", "2026-02-30"),
    ):
        prefix = line(number, column, "")
        assert any(text.startswith(prefix) and f"“{value}”" in text for text in lines)
    assert summary == _("%(count)d problems found in %(rows)d rows; nothing was recorded.") % {
        "count": 11,
        "rows": 12,
    }
    assert not CreditEntry.objects.exists()


def test_school_scope_refuses_other_schools_teachers(tmp_path, teacher_a, teacher_b):
    data = roster_csv([row(), row("TB01")], header=HEADER)
    output, _summary = fail(tmp_path, data, "--school", "A001")
    assert (
        line(3, "工号", _("“%(value)s” is not a teacher of your school.") % {"value": "TB01"})
        in output
    )
    assert not CreditEntry.objects.exists()
    assert imported(1, 1, 0) in run(
        tmp_path, roster_csv([row()], header=HEADER), "--school", "A001"
    )


def test_missing_file_and_unknown_school(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_training", str(tmp_path / "none.csv"))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_training", str(tmp_path / "none.csv"), "--school", "ZZZ")
    assert _("Unknown school code “%(code)s”.") % {"code": "ZZZ"} in str(excinfo.value)
