"""Roster import services and tasks: check, preview, apply all-or-nothing, idempotency, scale."""

import math
import time

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import roles, services, tasks
from people.models import ProfessionalTitle, RosterImport, Stage, User
from people.roster import PROGRESS_EVERY
from tests.factories import UserFactory
from tests.factories.roster import roster_csv, roster_row, roster_rows, roster_xlsx

Status = RosterImport.Status


@pytest.fixture
def upload(db, school_a, school_b, district_admin, django_capture_on_commit_callbacks):
    """upload(data, name, scope=None, by=None) -> the import after its (eager) check."""

    def _upload(data, name="名单.csv", scope=None, by=None):
        with django_capture_on_commit_callbacks(execute=True):
            roster_import = services.roster_import_create(
                uploaded_file=SimpleUploadedFile(name, data),
                uploaded_by=by or district_admin,
                school_scope=scope,
            )
        roster_import.refresh_from_db()
        return roster_import

    return _upload


def apply(roster_import, by=None):
    return services.roster_import_apply(roster_import_id=roster_import.pk, applied_by=by)


def error_codes(roster_import):
    return [(e["row"], e["column"], e["code"]) for e in roster_import.errors]


def test_upload_is_checked_and_previewed(upload, district_admin):
    roster_import = upload(roster_csv(roster_rows(3)), by=district_admin)
    assert roster_import.status == Status.VALID
    assert roster_import.original_name == "名单.csv"
    assert roster_import.file.name.endswith(".csv") and "名单" not in roster_import.file.name
    assert roster_import.total_rows == roster_import.processed_rows == 3
    summary = roster_import.summary
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    assert [c["action"] for c in summary["changes"]] == ["create"] * 3
    assert not User.objects.filter(staff_no__startswith="T0").exists()


def test_apply_creates_teachers_with_unusable_passwords(upload, school_a, district_admin):
    row = roster_row(
        staff_no="T9", full_name="王䶮", stage="初中", title="中学高级教师", email="w@QP.edu.cn"
    )
    roster_import = apply(upload(roster_csv([row], encoding="gb18030")), by=district_admin)
    assert roster_import.status == Status.APPLIED
    assert roster_import.applied_by == district_admin and roster_import.applied_at
    assert (roster_import.summary["created"], roster_import.summary["updated"]) == (1, 0)
    user = User.objects.get(staff_no="T9")
    assert user.full_name == "王䶮"
    assert user.school == school_a
    assert (user.stage, user.title) == (Stage.JUNIOR, ProfessionalTitle.SENIOR)
    assert (user.is_head_teacher, user.phone, user.email) == (True, "13912345678", "w@qp.edu.cn")
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [roles.TEACHER]


def test_new_users_get_distinct_unusable_passwords(upload):
    apply(upload(roster_csv(roster_rows(3))))
    passwords = set(
        User.objects.filter(staff_no__startswith="T").values_list("password", flat=True)
    )
    assert len(passwords) == 3
    assert all(p.startswith("!") and len(p) == 41 for p in passwords)


def test_xlsx_import(upload):
    roster_import = apply(upload(roster_xlsx(roster_rows(2)), name="名单.xlsx"))
    assert roster_import.status == Status.APPLIED
    assert User.objects.filter(staff_no__in=["T000001", "T000002"]).count() == 2


def test_reimport_of_the_same_file_changes_nothing(upload):
    data = roster_csv(roster_rows(5))
    apply(upload(data))
    before = dict(User.objects.values_list("staff_no", "updated_at"))
    again = upload(data)
    assert (again.summary["created"], again.summary["updated"]) == (0, 0)
    assert again.summary["unchanged"] == 5 and again.summary["changes"] == []
    again = apply(again)
    assert again.status == Status.APPLIED
    assert (again.summary["created"], again.summary["updated"], again.summary["unchanged"]) == (
        0,
        0,
        5,
    )
    assert dict(User.objects.values_list("staff_no", "updated_at")) == before


def test_changed_row_updates_only_that_user(upload, school_b):
    rows = roster_rows(4)
    apply(upload(roster_csv(rows)))
    before = dict(User.objects.values_list("staff_no", "updated_at"))
    rows[2] = {**rows[2], "手机": "13800000000", "学校代码": "B001", "学段": "初中"}
    preview = upload(roster_csv(rows))
    assert (preview.summary["created"], preview.summary["updated"]) == (0, 1)
    [change] = preview.summary["changes"]
    assert (change["row"], change["staff_no"], change["action"]) == (4, "T000003", "update")
    assert {f["column"]: (f["before"], f["after"]) for f in change["fields"]} == {
        "学校代码": ("A001", "B001"),
        "学段": (str(Stage.PRIMARY.label), str(Stage.JUNIOR.label)),
        "手机": ("13900000003", "13800000000"),
    }
    apply(preview)
    after = dict(User.objects.values_list("staff_no", "updated_at"))
    assert [no for no in after if after[no] != before[no]] == ["T000003"]
    changed = User.objects.get(staff_no="T000003")
    assert (changed.school, changed.stage, changed.phone) == (school_b, "junior", "13800000000")


def test_absent_optional_column_leaves_existing_values(upload, school_a):
    user = UserFactory(staff_no="T1", full_name="张三", school=school_a, phone="13911112222")
    data = roster_csv([["T1", "张三", "A001", "小学"]], header=["工号", "姓名", "学校代码", "学段"])
    roster_import = apply(upload(data))
    assert roster_import.summary["unchanged"] == 1
    user.refresh_from_db()
    assert user.phone == "13911112222"


def test_existing_user_keeps_roles_and_password(upload, teacher_a):
    old_password = teacher_a.password
    data = roster_csv([roster_row(staff_no="TA01", full_name="张老师改")])
    assert apply(upload(data)).summary["updated"] == 1
    teacher_a.refresh_from_db()
    assert teacher_a.full_name == "张老师改" and teacher_a.password == old_password


def test_one_bad_row_changes_nothing(upload, teacher_a):
    rows = [*roster_rows(10), roster_row(staff_no="TA01", full_name="张老师改")]
    rows[5] = {**rows[5], "学段": "幼儿园"}
    roster_import = upload(roster_csv(rows))
    assert roster_import.status == Status.INVALID
    assert error_codes(roster_import) == [(7, "学段", "invalid_stage")]
    assert apply(roster_import).status == Status.INVALID
    assert not User.objects.filter(staff_no__startswith="T0").exists()
    teacher_a.refresh_from_db()
    assert teacher_a.full_name == "张老师"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "x.csv", "empty_file"),
        ("工号,姓名\nT1,张三\n".encode(), "x.csv", "missing_column"),
        (b"\x80\xff\xfe\xff", "x.csv", "encoding"),
        (roster_csv([]), "x.csv", "no_rows"),
        (roster_csv([roster_row()]), "x.xlsx", "xlsx_not_zip"),
    ],
)
def test_bad_files_are_invalid_and_change_nothing(upload, data, name, code):
    count = User.objects.count()
    roster_import = upload(data, name=name)
    assert roster_import.status == Status.INVALID
    assert code in {e["code"] for e in roster_import.errors}
    assert apply(roster_import).status == Status.INVALID
    assert User.objects.count() == count


def test_formula_in_xlsx_changes_nothing(upload):
    def edit(sheet):
        sheet["H2"] = "=13900000000+1"

    roster_import = upload(roster_xlsx(roster_rows(2), edit=edit), name="x.xlsx")
    assert error_codes(roster_import) == [(2, "手机", "formula")]
    assert not User.objects.filter(staff_no__startswith="T0").exists()


def test_database_changes_between_check_and_apply_are_caught(upload, school_a):
    roster_import = upload(roster_csv(roster_rows(3)))
    assert roster_import.status == Status.VALID
    school_a.is_active = False
    school_a.save()
    roster_import = apply(roster_import)
    assert roster_import.status == Status.INVALID
    assert {e["code"] for e in roster_import.errors} == {"inactive_school"}
    assert not User.objects.filter(staff_no__startswith="T0").exists()


def test_apply_twice_is_a_no_op(upload, django_assert_max_num_queries):
    roster_import = upload(roster_csv(roster_rows(3)))
    assert apply(roster_import).status == Status.APPLIED
    with django_assert_max_num_queries(4):  # claim UPDATE, savepoint, SELECT, release
        assert apply(roster_import).status == Status.APPLIED
    assert User.objects.filter(staff_no__startswith="T0").count() == 3


def test_double_confirm_queues_one_apply(
    upload, district_admin, django_capture_on_commit_callbacks
):
    roster_import = upload(roster_csv(roster_rows(3)))
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.roster_import_confirm(
            roster_import_id=roster_import.pk, applied_by=district_admin
        )
        second = services.roster_import_confirm(
            roster_import_id=roster_import.pk, applied_by=district_admin
        )
    assert (first, second) == (True, False)
    assert len(callbacks) == 1
    callbacks[0]()
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED
    assert roster_import.applied_by == district_admin


def test_tasks_are_safe_to_run_twice(upload):
    roster_import = upload(roster_csv(roster_rows(3)))
    assert tasks.roster_import_validate_task.delay(roster_import.pk).get() == Status.VALID
    assert tasks.roster_import_validate_task.delay(roster_import.pk).get() == Status.VALID
    RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.APPLYING)
    assert tasks.roster_import_apply_task.delay(roster_import.pk).get() == Status.APPLIED
    assert tasks.roster_import_apply_task.delay(roster_import.pk).get() == Status.APPLIED
    assert User.objects.filter(staff_no__startswith="T0").count() == 3


def test_missing_file_marks_the_import_failed(upload):
    roster_import = upload(roster_csv(roster_rows(1)))
    roster_import.file.delete(save=False)
    roster_import = apply(roster_import)
    assert roster_import.status == Status.FAILED
    assert error_codes(roster_import) == [(0, "", "failed")]


def test_stored_errors_are_capped_with_a_total(upload):
    rows = [
        roster_row(staff_no=f"T{i}", stage="大学") for i in range(services.ERRORS_STORED_MAX + 5)
    ]
    roster_import = upload(roster_csv(rows))
    assert len(roster_import.errors) == services.ERRORS_STORED_MAX
    assert roster_import.summary["error_count"] == services.ERRORS_STORED_MAX + 5


# --- Scope and protected accounts ------------------------------------------------------------


def test_school_scope_rejects_other_schools_rows(upload, school_a):
    rows = [roster_row(staff_no="T1"), roster_row(staff_no="T2", school="B001", stage="初中")]
    roster_import = upload(roster_csv(rows), scope=school_a)
    assert error_codes(roster_import) == [(3, "学校代码", "other_school")]


def test_school_scope_rejects_existing_users_of_other_schools(upload, school_a, teacher_b, hr_user):
    rows = [
        roster_row(staff_no="T1"),
        roster_row(staff_no=teacher_b.staff_no),
        roster_row(staff_no=hr_user.staff_no),
    ]
    roster_import = upload(roster_csv(rows), scope=school_a)
    assert error_codes(roster_import) == [
        (3, "工号", "other_school_user"),
        (4, "工号", "other_school_user"),
    ]
    teacher_b.refresh_from_db()
    assert teacher_b.school.code == "B001"


def test_school_scope_may_update_own_teachers(upload, school_a, teacher_a):
    data = roster_csv([roster_row(staff_no=teacher_a.staff_no, full_name="张老师", phone="")])
    roster_import = apply(upload(data, scope=school_a))
    assert roster_import.status == Status.APPLIED


def test_superuser_rows_are_rejected_even_unscoped(upload, school_a):
    UserFactory(staff_no="ROOT", is_superuser=True, school=school_a)
    roster_import = upload(roster_csv([roster_row(staff_no="ROOT")]))
    assert error_codes(roster_import) == [(2, "工号", "superuser")]


def test_district_import_may_move_teachers_between_schools(upload, teacher_b, school_a):
    apply(upload(roster_csv([roster_row(staff_no=teacher_b.staff_no)])))
    teacher_b.refresh_from_db()
    assert teacher_b.school == school_a


# --- The command's synchronous path ----------------------------------------------------------


def test_import_file_dry_run_and_apply(tmp_path, school_a):
    path = tmp_path / "名单.csv"
    path.write_bytes(roster_csv(roster_rows(3), encoding="utf-8-sig"))
    outcome = services.roster_import_file(path=path, dry_run=True)
    assert (outcome.created, outcome.applied) == (3, False)
    assert not User.objects.filter(staff_no__startswith="T0").exists()
    outcome = services.roster_import_file(path=path, dry_run=False)
    assert (outcome.created, outcome.applied) == (3, True)
    outcome = services.roster_import_file(path=path, dry_run=False)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 3)


# --- Queries and scale -------------------------------------------------------------------------


def _import_queries(upload, count, prefix):
    data = roster_csv(roster_rows(count, prefix=prefix))
    roster_import = upload(data)
    RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.PENDING)
    with CaptureQueriesContext(connection) as check:
        services.roster_import_validate(roster_import_id=roster_import.pk)
    with CaptureQueriesContext(connection) as write:
        assert apply(roster_import).status == Status.APPLIED
    return len(check), len(write)


def test_no_query_per_row(upload):
    """Checking and applying 2 rows or 900 rows costs the same number of queries."""
    assert _import_queries(upload, 2, "S") == _import_queries(upload, 900, "L")


@pytest.mark.parametrize("existing", [False, True], ids=["new", "reimport"])
def test_fifty_thousand_rows(upload, existing, django_assert_max_num_queries, capsys, tmp_path):
    count = 50_000
    data = roster_csv(roster_rows(count))
    if existing:
        (tmp_path / "roster.csv").write_bytes(data)
        services.roster_import_file(path=tmp_path / "roster.csv", dry_run=False)
    # Users are looked up in chunks (10 of 5,000 on SQLite >= 3.32 and PostgreSQL) and the
    # check writes its progress every 1,000 rows; nothing else grows with the file.
    lookups = math.ceil(count / services.lookup_chunk())
    progress_updates = count // PROGRESS_EVERY
    started = time.monotonic()
    audit_entry = 2  # the upload's audit log entry (people.audit), and once its content type
    with django_assert_max_num_queries(10 + audit_entry + lookups + progress_updates):
        roster_import = upload(data)
    validated = time.monotonic()
    assert roster_import.status == Status.VALID, roster_import.errors[:3]
    # One executemany per table however many rows: users, then their teacher role.
    with django_assert_max_num_queries(14 + 2 * lookups):
        roster_import = apply(roster_import)
    applied = time.monotonic()
    assert roster_import.status == Status.APPLIED
    expected = (0, 0, count) if existing else (count, 0, 0)
    summary = roster_import.summary
    assert (summary["created"], summary["updated"], summary["unchanged"]) == expected
    assert User.objects.filter(staff_no__startswith="T").count() == count
    teacher = Group.objects.get(name=roles.TEACHER)
    assert teacher.user_set.filter(staff_no__startswith="T").count() == count
    with capsys.disabled():
        print(
            f"\n50k roster ({'re-import' if existing else 'new'}, {connection.vendor}): "
            f"upload+check {validated - started:.1f} s, apply {applied - validated:.1f} s"
        )
