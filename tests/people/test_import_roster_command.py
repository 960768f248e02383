"""`manage.py import_roster FILE [--dry-run] [--school CODE]`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from people import roles
from people.management.commands.import_roster import Command
from people.models import User
from tests.factories.roster import roster_csv, roster_row, roster_rows, roster_xlsx


@pytest.fixture
def roster_file(tmp_path, school_a, school_b):
    def _write(data, name="名单.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return _write


def run(*args):
    out = io.StringIO()
    call_command("import_roster", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_and_changes_nothing(roster_file):
    path = roster_file(roster_csv(roster_rows(3), encoding="utf-8-sig"))
    output = run(path, "--dry-run")
    assert "3" in output
    assert not User.objects.filter(staff_no__startswith="T0").exists()


def test_import_then_reimport(roster_file):
    path = roster_file(
        roster_csv([roster_row(staff_no="T1", full_name="王䶮")], encoding="gb18030")
    )
    run(path)
    user = User.objects.get(staff_no="T1")
    assert user.full_name == "王䶮"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [roles.TEACHER]
    updated_at = user.updated_at
    output = run(path)
    assert "0" in output
    user.refresh_from_db()
    assert user.updated_at == updated_at


def test_xlsx(roster_file):
    run(roster_file(roster_xlsx(roster_rows(2)), name="名单.xlsx"))
    assert User.objects.filter(staff_no__startswith="T0").count() == 2


def test_errors_are_listed_by_row_and_column_and_nothing_changes(roster_file, capsys):
    rows = [
        roster_row(staff_no="T1"),
        roster_row(staff_no="T2", email="bad@"),
        roster_row(staff_no=""),
    ]
    path = roster_file(roster_csv(rows))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", path, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "3" in lines[0] and "邮箱" in lines[0]
    assert "4" in lines[1] and "工号" in lines[1]
    assert not User.objects.filter(staff_no="T1").exists()


def test_exit_code_is_1_on_errors(roster_file, capsys):
    path = roster_file(b"\x80\xff\xfe")
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "import_roster", path])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err


@pytest.mark.parametrize(
    "data",
    [b"", "工号,姓名\nT1,张三\n".encode(), roster_csv([]), "工号,工号,姓名\n".encode()],
    ids=["empty", "missing-columns", "header-only", "duplicate-header"],
)
def test_bad_files_fail(roster_file, data):
    with pytest.raises(CommandError):
        run(roster_file(data))


def test_school_option_limits_the_import(roster_file):
    rows = [roster_row(staff_no="T1"), roster_row(staff_no="T2", school="B001", stage="初中")]
    path = roster_file(roster_csv(rows))
    with pytest.raises(CommandError):
        run(path, "--school", "A001")
    assert not User.objects.filter(staff_no__in=["T1", "T2"]).exists()
    run(path)  # a district-wide import takes both
    assert User.objects.filter(staff_no__in=["T1", "T2"]).count() == 2


def test_unknown_school_option(roster_file):
    with pytest.raises(CommandError):
        run(roster_file(roster_csv(roster_rows(1))), "--school", "NOPE")


def test_missing_file(tmp_path, db):
    with pytest.raises(CommandError):
        run(str(tmp_path / "nope.csv"))
