"""Reading and validating roster files: encodings, XLSX, headers and every row-level error."""

import io
import zipfile

import pytest

from people.models import ProfessionalTitle, Stage
from people.roster import parse_title, read_roster, validate_roster
from tests.factories import SchoolFactory
from tests.factories.roster import HEADER, roster_csv, roster_row, roster_rows, roster_xlsx


def codes(problems):
    return [(p.row, p.column, p.code) for p in problems]


def read_csv(rows, header=HEADER, encoding="utf-8", filename="名单.csv"):
    return read_roster(roster_csv(rows, header=header, encoding=encoding), filename=filename)


# --- Encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(encoding):
    table = read_csv([roster_row(full_name="王䶮")], encoding=encoding)
    assert table.errors == []
    assert table.rows == [(2, roster_row(full_name="王䶮"))]


def test_gbk_cannot_encode_rare_character_but_gb18030_reads_it():
    with pytest.raises(UnicodeEncodeError):
        "王䶮".encode("gbk")
    assert read_csv([roster_row(full_name="刘䶮")], encoding="gb18030").rows[0][1]["姓名"] == (
        "刘䶮"
    )


def test_utf16_unicode_text_with_tabs():
    data = roster_csv([roster_row(full_name="王䶮")], encoding="utf-16", delimiter="\t")
    table = read_roster(data, filename="名单.txt")
    assert table.errors == []
    assert table.rows[0][1]["姓名"] == "王䶮"


def test_tab_separated_utf8():
    table = read_roster(roster_csv([roster_row()], delimiter="\t"), filename="名单.txt")
    assert table.errors == [] and table.rows[0][1]["工号"] == "T0001"


def test_bytes_that_are_neither_utf8_nor_gb18030():
    data = "工号,姓名,学校代码,学段\n".encode() + b"T1,\x80\xff\xfe,A001,\xff\n"
    assert codes(read_roster(data, filename="x.csv").errors) == [(0, "", "encoding")]


def test_binary_with_nul_bytes_is_an_encoding_error():
    assert codes(read_roster(b"\x00\x01\x02abc", filename="x.csv").errors) == [(0, "", "encoding")]


@pytest.mark.parametrize(
    "data",
    [
        "Nom,Prénom,École,Numéro\nDupont,Élodie,A,1\n".encode("latin-1"),
        "工號,姓名,學校代碼,學段\nT1,張三,A001,小學\n".encode("big5"),
    ],
    ids=["latin-1", "big5"],
)
def test_other_encodings_whose_headers_do_not_match(data):
    assert codes(read_roster(data, filename="x.csv").errors) == [(0, "", "header_not_recognised")]


# --- File-level problems -----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b" , ,\r\n"])
def test_empty_file(data):
    assert codes(read_roster(data, filename="x.csv").errors) == [(0, "", "empty_file")]


def test_header_only():
    assert codes(read_csv([]).errors) == [(0, "", "no_rows")]


def test_header_only_xlsx():
    assert codes(read_roster(roster_xlsx([]), filename="x.xlsx").errors) == [(0, "", "no_rows")]


def test_missing_required_columns():
    header = ["工号", "姓名", "学科"]
    table = read_csv([["T1", "张三", "语文"]], header=header)
    assert codes(table.errors) == [
        (0, "学校代码", "missing_column"),
        (0, "学段", "missing_column"),
    ]


def test_duplicate_header():
    header = [*HEADER, " 工号 "]
    table = read_csv([[*roster_row().values(), "T2"]], header=header)
    assert codes(table.errors) == [(0, "工号", "duplicate_header")]


def test_unknown_columns_are_a_warning_only():
    header = [*HEADER, "备注"]
    table = read_csv([[*roster_row().values(), "新进"]], header=header)
    assert table.errors == []
    assert codes(table.warnings) == [(0, "备注", "unknown_column")]


def test_header_cells_are_cleaned():
    header = ["\ufeff工号", "\u3000姓名\u3000", "学校代码*", " 学段 "]
    table = read_csv([["T1", "张三", "A001", "小学"]], header=header)
    assert table.errors == []
    assert table.columns == ["工号", "姓名", "学校代码", "学段"]


def test_title_row_above_the_header_is_reported():
    data = roster_xlsx([roster_row()], leading_rows=[["青浦区教师名单"], []])
    assert codes(read_roster(data, filename="x.xlsx").errors) == [(0, "", "header_not_first_row")]


def test_file_too_large(settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 100
    data = roster_csv(roster_rows(5))
    assert codes(read_roster(data, filename="x.csv").errors) == [(0, "", "file_too_large")]


def test_too_many_rows(settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 3
    assert codes(read_csv(roster_rows(3)).errors) == []
    assert codes(read_csv(roster_rows(4)).errors) == [(0, "", "too_many_rows")]
    data = roster_xlsx(roster_rows(4))
    assert codes(read_roster(data, filename="x.xlsx").errors) == [(0, "", "too_many_rows")]


def test_row_with_more_cells_than_header():
    table = read_csv([["T1", "张三", "A001", "小学", "语文", "数学"]], header=HEADER[:5])
    assert codes(table.errors) == [(2, "", "extra_cells")]


def test_row_numbers_follow_excel_with_blank_and_multiline_rows():
    text = (
        '工号,姓名,学校代码,学段,学科\r\nT1,张三,A001,小学,"语文\n数学"\r\n'
        "\r\nT2,李四,A001,初中,\r\n"
    )
    table = read_roster(text.encode(), filename="x.csv")
    assert [number for number, _values in table.rows] == [2, 4]


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_reads_first_sheet_with_numbers_and_booleans():
    def edit(sheet):
        sheet["A2"] = 20240001
        sheet["G2"] = True
        sheet["H2"] = 13912345678.0

    table = read_roster(roster_xlsx([roster_row()], edit=edit), filename="名单.xlsx")
    assert table.errors == []
    values = table.rows[0][1]
    assert (values["工号"], values["班主任"], values["手机"]) == ("20240001", "是", "13912345678")


def test_xlsx_header_is_first_non_empty_row():
    table = read_roster(roster_xlsx([roster_row()], leading_rows=[[], []]), filename="x.xlsx")
    assert table.errors == []
    assert table.rows[0][0] == 4


def test_xlsx_error_values_and_array_formulas_are_rejected():
    from openpyxl.worksheet.formula import ArrayFormula

    def edit(sheet):
        sheet["D2"] = "#N/A"
        sheet["F3"] = ArrayFormula("F3:F3", "=UPPER(E3)")

    data = roster_xlsx([roster_row(), roster_row(staff_no="T2")], edit=edit)
    table = read_roster(data, filename="x.xlsx")
    assert codes(table.errors) == [(2, "学段", "cell_error"), (3, "职称", "formula")]


def test_formula_cell_is_rejected_naming_the_cell():
    def edit(sheet):
        sheet["B3"] = '=CONCAT("张","三")'

    data = roster_xlsx([roster_row(), roster_row(staff_no="T2")], edit=edit)
    table = read_roster(data, filename="x.xlsx")
    assert codes(table.errors) == [(3, "姓名", "formula")]
    assert "B3" in table.errors[0].message


def test_xlsx_that_is_not_a_zip():
    data = roster_csv([roster_row()])
    assert codes(read_roster(data, filename="名单.xlsx").errors) == [(0, "", "xlsx_not_zip")]


def test_zip_named_csv_is_rejected():
    data = roster_xlsx([roster_row()])
    assert codes(read_roster(data, filename="名单.csv").errors) == [(0, "", "not_csv")]


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert codes(read_roster(buffer.getvalue(), filename="x.xlsx").errors) == [
        (0, "", "invalid_xlsx")
    ]


def test_old_xls_is_rejected():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert codes(read_roster(data, filename="x.xls").errors) == [(0, "", "xls_unsupported")]


# --- Values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "legacy"),
    [
        ("", "", False),
        ("无", "", False),
        ("三级", ProfessionalTitle.THIRD, False),
        ("二级教师", ProfessionalTitle.SECOND, False),
        ("一级教师", ProfessionalTitle.FIRST, False),
        ("中学一级教师", ProfessionalTitle.FIRST, False),
        ("中学高级教师", ProfessionalTitle.SENIOR, False),
        ("小学高级教师", ProfessionalTitle.SENIOR, True),
        ("小学三级教师", ProfessionalTitle.THIRD, False),
        ("正高级教师", ProfessionalTitle.FULL_SENIOR, False),
        ("副高级", ProfessionalTitle.SENIOR, False),
        ("特级", None, False),
    ],
)
def test_parse_title(raw, title, legacy):
    assert parse_title(raw) == (title, legacy)


@pytest.fixture
def schools(db):
    SchoolFactory(code="A001", offers_primary=True)
    SchoolFactory(code="B001", offers_junior=True)
    SchoolFactory(code="Z999", is_active=False)


def check(rows, **kwargs):
    return validate_roster(read_csv(rows), **kwargs)


def test_valid_rows_are_cleaned(schools):
    result = check(
        [
            roster_row(
                stage="初中",
                title="中学一级教师",
                head_teacher="否",
                phone="+86 139-1234-5678",
                email="Zhang@Example.COM",
            )
        ]
    )
    assert result.errors == []
    [row] = result.rows
    assert row.values["stage"] == Stage.JUNIOR
    assert row.values["title"] == ProfessionalTitle.FIRST
    assert row.values["is_head_teacher"] is False
    assert row.values["phone"] == "13912345678"
    assert row.values["email"] == "Zhang@example.com"


@pytest.mark.parametrize(
    ("overrides", "column", "code"),
    [
        ({"staff_no": ""}, "工号", "required"),
        ({"staff_no": "T 01"}, "工号", "invalid_staff_no"),
        ({"full_name": ""}, "姓名", "required"),
        ({"full_name": "张" * 51}, "姓名", "too_long"),
        ({"school": ""}, "学校代码", "required"),
        ({"school": "X404"}, "学校代码", "unknown_school"),
        ({"school": "Z999"}, "学校代码", "inactive_school"),
        ({"stage": ""}, "学段", "required"),
        ({"stage": "大学"}, "学段", "invalid_stage"),
        ({"title": "特级教师"}, "职称", "invalid_title"),
        ({"head_teacher": "也许"}, "班主任", "invalid_head_teacher"),
        ({"phone": "12345"}, "手机", "invalid_mobile"),
        ({"email": "not-an-email"}, "邮箱", "invalid_email"),
        ({"subjects": "语" * 101}, "学科", "too_long"),
    ],
)
def test_each_row_error(schools, overrides, column, code):
    result = check([roster_row(staff_no="T1"), roster_row(**{"staff_no": "T2", **overrides})])
    assert codes(result.errors) == [(3, column, code)]
    assert [row.staff_no for row in result.rows] == ["T1"]


def test_full_width_digits_are_accepted(schools):
    result = check(
        [roster_row(staff_no="Ｔ１２３", school="Ａ００１", phone="１３９１２３４５６７８")]
    )
    assert result.errors == []
    [row] = result.rows
    assert (row.staff_no, row.school_code, row.values["phone"]) == ("T123", "A001", "13912345678")


def test_duplicate_staff_no_names_the_first_row(schools):
    result = check(
        [roster_row(staff_no="T1"), roster_row(staff_no="T2"), roster_row(staff_no="T1")]
    )
    assert codes(result.errors) == [(4, "工号", "duplicate_staff_no")]
    assert "2" in result.errors[0].message


def test_school_scope_rejects_other_schools(schools):
    from people.models import School

    scope = School.objects.get(code="A001").pk
    result = check(
        [roster_row(staff_no="T1"), roster_row(staff_no="T2", school="B001")], school_scope_id=scope
    )
    assert codes(result.errors) == [(3, "学校代码", "other_school")]


def test_legacy_primary_title_warns_once(schools):
    result = check([roster_row(staff_no=f"T{i}", title="小学高级教师") for i in range(3)])
    assert result.errors == []
    assert codes(result.warnings) == [(0, "职称", "legacy_title")]


def test_absent_optional_columns_are_not_set(schools):
    table = read_csv([["T1", "张三", "A001", "小学"]], header=HEADER[:4])
    result = validate_roster(table)
    assert result.fields == ["full_name", "school_id", "stage"]
    assert set(result.rows[0].values) == {"full_name", "school_id", "stage"}


def test_school_codes_are_looked_up_in_one_query(schools, django_assert_num_queries):
    table = read_csv(roster_rows(300) + roster_rows(300, school="B001", start=1000))
    with django_assert_num_queries(1):
        result = validate_roster(table)
    assert result.errors == [] and len(result.rows) == 600
