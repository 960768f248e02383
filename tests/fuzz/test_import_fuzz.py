"""Fuzzing the import parsers (issue 10 item 8): the roster reader (people.roster) and the
training-record reader and row checks (certification.imports) get random bytes, CSV text of
random shapes in random encodings (GB18030, UTF-8 with and without BOM, UTF-16, Big5, …),
random XLSX workbooks and mutated ones. Each may report problems, only ever as RowError in
the table (or the check), and otherwise gives clean text rows; nothing raises, since an
exception here is a failed import job or a 500 on upload.

Deterministic (derandomize, no example database), so CI sees the same inputs every run."""

import csv
import datetime
import io
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from certification.imports import COLUMNS as TRAINING_COLUMNS
from certification.imports import parse_date, read_training, validate_training
from people.roster import COLUMNS as ROSTER_COLUMNS
from people.roster import RosterTable, RowError, read_roster, validate_roster

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # `db` is only read by the checks
    ],
)
FEW = settings(FUZZ, max_examples=30)

READERS = {"roster": read_roster, "training": read_training}
HEADERS = {"roster": list(ROSTER_COLUMNS), "training": list(TRAINING_COLUMNS)}
filenames = st.sampled_from(["名单.csv", "名单.CSV", "records.xlsx", "old.xls", "x.txt", ""])
encodings = st.sampled_from(
    ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "big5", "shift_jis", "latin-1"]
)


def check_table(table: RosterTable) -> RosterTable:
    assert isinstance(table, RosterTable)
    assert all(isinstance(problem, RowError) for problem in table.errors + table.warnings)
    assert all(isinstance(problem.message, str) for problem in table.errors)
    for number, values in table.rows:
        assert isinstance(number, int) and number > 0
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
    return table


# Cell text: Chinese, ASCII, CSV metacharacters, full-width forms, and digits of every script
# (str.isdigit() is true for some that int() refuses).
cell_text = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(categories=["Nd", "No", "Nl", "Lo", "Po", "Zs", "Cc"]), max_size=10),
    st.sampled_from(
        [
            "",
            "T001",
            "张三",
            "A001",
            "小学",
            "初中",
            "是",
            "否",
            "一级",
            "1.5",
            "１２",
            "4",
            "-1",
            "1e400",
            "NaN",
            "Infinity",
            "2026-03-05",
            "2026/3/5",
            "2026年3月5日",
            "2026-02-30",
            "9999-99-99",
            "46000",
            "2026-03-05T08:00:00",
            "知识技能",
            "区级",
            "=SUM(A1:A2)",
            "#N/A",
            '"',
            '"a,"b',
            "a\nb",
            "\x00",
            "\ufeff工号",
        ]
    ),
)


@st.composite
def csv_text(draw, kind: str) -> str:
    """A header (known and junk column names, shuffled, maybe after blank or junk rows) and
    rows of random cells, written with the csv module or joined raw (bad quoting)."""
    known = HEADERS[kind]
    header = draw(
        st.lists(st.sampled_from([*known, "备注", "", "其他", "工号*"]), max_size=12)
        | st.permutations(known)
    )
    width = max(len(header), 1)
    rows = draw(
        st.lists(
            st.lists(cell_text, min_size=0, max_size=width + 2),
            max_size=8,
        )
    )
    leading = draw(st.lists(st.lists(cell_text, max_size=3), max_size=2))
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    lines = [*leading, header, *rows]
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows(lines)
        return buffer.getvalue()
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(delimiter.join(line) for line in lines)


@st.composite
def encoded(draw, text_strategy):
    text = draw(text_strategy)
    return text.encode(draw(encodings), errors="replace")


# --- bytes of any kind -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["roster", "training"])
@FUZZ
@given(data=st.binary(max_size=2048), filename=filenames)
def test_random_bytes(kind, data, filename):
    check_table(READERS[kind](data, filename=filename))


@pytest.mark.parametrize("kind", ["roster", "training"])
@FUZZ
@given(data=st.data(), filename=st.sampled_from(["名单.csv", "records.txt"]))
def test_csv_of_random_shape_and_encoding(kind, data, filename):
    raw = data.draw(encoded(csv_text(kind)))
    check_table(READERS[kind](raw, filename=filename))


# --- XLSX ----------------------------------------------------------------------------------

xlsx_values = st.one_of(
    cell_text.map(lambda text: text.replace("\x00", "")),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2200, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2200, 1, 1)),
    st.none(),
)


def _sheet_safe(value):
    # openpyxl refuses control characters in strings; a real Excel file cannot hold them.
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


@st.composite
def xlsx_bytes(draw, kind: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = draw(st.sampled_from(["Sheet1", "教师名单", "培训记录"]))
    known = HEADERS[kind]
    header = draw(
        st.permutations(known) | st.lists(st.sampled_from([*known, "", "其他"]), max_size=10)
    )
    for _ in range(draw(st.integers(0, 2))):
        sheet.append([None])
    sheet.append(header)
    for row in draw(st.lists(st.lists(xlsx_values, max_size=len(known) + 2), max_size=8)):
        sheet.append([_sheet_safe(value) for value in row])
    if draw(st.booleans()):
        workbook.create_sheet("第二页").append(["工号", "=1/0"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _timeless(buffer.getvalue())


def _timeless(raw: bytes) -> bytes:
    """The workbook's bytes without the clock: openpyxl stamps the save time into
    docProps/core.xml and every zip entry, so the compressed length changed from one run to
    the next, and with it the positions `mutated` draws (hypothesis: FlakyStrategyDefinition)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", content
                )
            fixed = zipfile.ZipInfo(entry.filename, date_time=(2026, 1, 1, 0, 0, 0))
            target.writestr(fixed, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["roster", "training"])
@FEW
@given(data=st.data())
def test_xlsx_of_random_shape(kind, data):
    raw = data.draw(xlsx_bytes(kind))
    check_table(READERS[kind](raw, filename="名单.xlsx"))


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 32))]
        else:
            del data[max(position, 4) :]
        if not data:
            break
    return bytes(data)


@pytest.mark.parametrize("kind", ["roster", "training"])
@FEW
@given(data=st.data())
def test_xlsx_mutated(kind, data):
    raw = data.draw(mutated(data.draw(xlsx_bytes(kind))))
    check_table(READERS[kind](raw, filename="名单.xlsx"))


# --- row checks (read the database for staff numbers, schools and courses) ------------------


@FUZZ
@given(value=cell_text)
@example(value="\u1369")  # Ethiopic digit one: isdigit() but not int()
@example(value="\U00010a40")  # Kharosthi digit one
def test_parse_date_any_text(value):
    day = parse_date(value)
    assert day is None or isinstance(day, datetime.date)


@FUZZ
@given(raw=encoded(csv_text("training")))
def test_training_rows_check_without_raising(db, raw):
    check = validate_training(check_table(read_training(raw, filename="记录.csv")))
    assert all(isinstance(problem, RowError) for problem in check.errors)


@FUZZ
@given(raw=encoded(csv_text("roster")))
def test_roster_rows_check_without_raising(db, raw):
    check = validate_roster(check_table(read_roster(raw, filename="名单.csv")))
    assert all(isinstance(problem, RowError) for problem in check.errors)
