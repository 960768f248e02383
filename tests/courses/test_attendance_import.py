"""Attendance lists and manual marks: the roster import's reading rules (UTF-8, BOM,
GB18030, XLSX, size limits), a preview, then all or nothing through attendance_record;
the recording window; a reason for every manual mark."""

import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from courses.models import Attendance, AttendanceMethod, LectureRegistration
from courses.services import attendance_import as service
from courses.signals import lecture_attended
from people import roles
from people.models import LecturerProfile
from tests.factories.lectures import lecture_series, make_lecture

from .xapi_helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecturer(make_user, school_a):
    user = make_user(roles.LECTURER, school_a, staff_no="LC01", full_name="陈讲师")
    LecturerProfile.objects.create(user=user, full_name="陈讲师")
    return user


@pytest.fixture
def other_lecturer(make_user):
    user = make_user(roles.LECTURER, None, staff_no="LC02", full_name="林讲师")
    LecturerProfile.objects.create(user=user, full_name="林讲师")
    return user


def lecture_of(user, **fields):
    lecture = make_lecture(**fields)
    lecture.lecturers.add(user.lecturer_profile)
    lecture.save()
    return lecture


@pytest.fixture
def lecture(lecturer):
    series = lecture_series(feedback_required=False)
    return lecture_of(
        lecturer, starts_in=timedelta(minutes=-20), title="心理危机识别", series=series
    )


@pytest.fixture
def staff(make_user, school_a, school_b, teacher_a, teacher_b):
    t3 = make_user(roles.TEACHER, school_b, staff_no="TB02", full_name="赵老师")
    return [teacher_a, teacher_b, t3]


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_url(lecture):
    return reverse("courses_lectures:upload", args=[lecture.pk])


def post_file(client, lecture, data: bytes, name="签到表.csv"):
    return client.post(upload_url(lecture), {"file": SimpleUploadedFile(name, data)})


def token_of(response) -> str:
    return response.context["token"]


def attended(lecture):
    return set(Attendance.objects.filter(lecture=lecture).values_list("user__staff_no", flat=True))


def error_codes(check):
    return [(e.row, e.code) for e in check.errors]


# --- The whole flow through the admin -------------------------------------------------------


def test_preview_then_apply_records_every_row(lecturer, lecture, staff):
    LectureRegistration.objects.create(user=staff[0], lecture=lecture)
    client = login(lecturer)
    data = csv_bytes("工号,姓名,备注\nTA01,张老师,\nTB01,王老师,迟到20分钟\nTB02,赵老师,\n")
    preview = post_file(client, lecture, data)
    assert preview.status_code == 200
    check = preview.context["check"]
    assert check.is_valid and check.to_record == 3 and check.not_registered == 2
    assert attended(lecture) == set()  # the preview records nothing

    sent = []
    lecture_attended.connect(
        lambda **kw: sent.append(kw["user"].staff_no), weak=False, dispatch_uid="t"
    )
    try:
        apply_url = reverse("courses_lectures:upload_apply", args=[lecture.pk])
        response = client.post(apply_url, {"token": token_of(preview)})
        assert response.status_code == 302
        again = client.post(apply_url, {"token": token_of(preview)})  # double submit
        assert again.status_code == 302
    finally:
        lecture_attended.disconnect(dispatch_uid="t")
    assert attended(lecture) == {"TA01", "TB01", "TB02"}
    row = Attendance.objects.get(lecture=lecture, user=staff[1])
    assert row.method == AttendanceMethod.UPLOAD
    assert row.recorded_by == lecturer and row.reason == "迟到20分钟"
    assert sorted(sent) == ["TA01", "TB01", "TB02"]  # credited once each


def test_gb18030_and_bom_files_are_read(lecturer, lecture, staff):
    client = login(lecturer)
    for data in (
        csv_bytes("工号,备注\nTA01,现场签到\n", "gb18030"),
        b"\xef\xbb\xbf" + csv_bytes("工号,备注\nTA01,现场签到\n"),
        csv_bytes("工号\tX\nTA01\t\n", "utf-16"),
    ):
        check = post_file(client, lecture, data).context["check"]
        assert check.is_valid, check.errors
        assert [r.staff_no for r in check.rows] == ["TA01"]
        assert [r.note for r in check.rows] in (["现场签到"], [""])


def test_xlsx_with_numeric_and_fullwidth_staff_numbers(lecturer, lecture, make_user, school_a):
    make_user(roles.TEACHER, school_a, staff_no="20230001", full_name="钱老师")
    make_user(roles.TEACHER, school_a, staff_no="TA09", full_name="孙老师")
    data = xlsx_bytes([["工号", "姓名"], [20230001, "钱老师"], ["ＴＡ０９", "孙老师"]])
    check = post_file(login(lecturer), lecture, data, name="签到.xlsx").context["check"]
    assert check.is_valid, check.errors
    assert [r.staff_no for r in check.rows] == ["20230001", "TA09"]


def test_xlsx_formula_cell_is_reported_once(lecturer, lecture, staff):
    data = xlsx_bytes([["工号"], ["TA01"], ["=A2"]])
    check = service.attendance_list_read(data, filename="a.xlsx")
    assert error_codes(check) == [(3, "formula")]
    assert "A3" in check.errors[0].message


def test_unknown_staff_number_applies_nothing(lecturer, lecture, staff):
    data = csv_bytes("工号\nTA01\nNOPE1\nTB01\nNOPE2\n")
    response = post_file(login(lecturer), lecture, data)
    check = response.context["check"]
    assert error_codes(check) == [(3, "unknown_staff_no"), (5, "unknown_staff_no")]
    assert response.context["token"] is None
    html = response.content.decode()
    assert "NOPE1" in html and "NOPE2" in html
    assert attended(lecture) == set()


def test_apply_rechecks_and_is_all_or_nothing(lecturer, lecture, staff):
    """An account deactivated between the preview and the confirm: nothing is recorded."""
    client = login(lecturer)
    preview = post_file(client, lecture, csv_bytes("工号\nTA01\nTB01\n"))
    staff[1].is_active = False
    staff[1].save()
    apply_url = reverse("courses_lectures:upload_apply", args=[lecture.pk])
    response = client.post(apply_url, {"token": token_of(preview)})
    assert response.status_code == 200
    assert error_codes(response.context["check"]) == [(3, "inactive_user")]
    assert attended(lecture) == set()


def test_apply_error_midway_rolls_back(lecturer, lecture, staff):
    entries = [service.ListEntry(row=2, staff_no="TA01"), service.ListEntry(row=3, staff_no="TB01")]
    real = service.attendance_record
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["user"].staff_no)
        if len(calls) == 2:
            raise ValidationError("boom")
        return real(**kwargs)

    with mock.patch.object(service, "attendance_record", failing), pytest.raises(ValidationError):
        service.attendance_list_apply(lecture=lecture, entries=entries, recorded_by=lecturer)
    assert len(calls) == 2
    assert attended(lecture) == set()


def test_tampered_or_foreign_token_is_refused(lecturer, other_lecturer, lecture, staff):
    client = login(lecturer)
    preview = post_file(client, lecture, csv_bytes("工号\nTA01\n"))
    apply_url = reverse("courses_lectures:upload_apply", args=[lecture.pk])
    response = client.post(apply_url, {"token": token_of(preview)[:-2] + "xx"})
    assert response.status_code == 302 and response["Location"].endswith("/upload/")
    other = lecture_of(lecturer, starts_in=timedelta(minutes=-5))
    other_apply = reverse("courses_lectures:upload_apply", args=[other.pk])
    assert client.post(other_apply, {"token": token_of(preview)}).status_code == 302
    assert login(other_lecturer).post(apply_url, {"token": token_of(preview)}).status_code == 403
    assert attended(lecture) == set() and attended(other) == set()


@pytest.mark.parametrize(
    "data,name,code",
    [
        (b"", "a.csv", "empty_file"),
        (b"\xef\xbb\xbf \r\n", "a.csv", "empty_file"),
        ("工号\n".encode(), "a.csv", "no_rows"),
        ("姓名,学校\n张老师,实验小学\n".encode(), "a.csv", "missing_column"),
        ("工号,工号\nTA01,TA01\n".encode(), "a.csv", "duplicate_header"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "a.xlsx", "xls_unsupported"),
        ("工号\nTA01\n".encode(), "a.xlsx", "xlsx_not_zip"),
        (b"\xff\xfe\x00\xd8\x00", "a.csv", "encoding"),
        ("工号\n张 三\n".encode(), "a.csv", "invalid_staff_no"),
        ("工号,备注\nTA01," + "长" * 201 + "\n", "a.csv", "too_long"),
    ],
)
def test_bad_files(data, name, code, lecturer, lecture, staff):
    if isinstance(data, str):
        data = data.encode()
    check = service.attendance_list_read(data, filename=name)
    assert code in [e.code for e in check.errors], check.errors
    assert not check.is_valid


def test_bad_file_through_the_view_has_a_chinese_message(lecturer, lecture, staff):
    response = post_file(login(lecturer), lecture, "姓名\n张老师\n".encode())
    assert response.context["check"].errors
    assert re.search("工号", response.content.decode())
    assert response.context["token"] is None


def test_old_xls_is_refused(lecturer, lecture):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    check = service.attendance_list_read(data, filename="a.xls")
    assert [e.code for e in check.errors] == ["xls_unsupported"]


def test_duplicates_are_listed_and_recorded_once(lecturer, lecture, staff):
    check = service.attendance_list_preview(
        lecture=lecture,
        data="工号\nTA01\nTB01\nTA01\n".encode(),
        filename="a.csv",
        recorded_by=lecturer,
    )
    assert check.is_valid
    assert [(w.row, w.code) for w in check.warnings] == [(4, "duplicate_staff_no")]
    assert [r.staff_no for r in check.rows] == ["TA01", "TB01"]


def test_inactive_and_non_teacher_accounts_are_errors(lecturer, lecture, staff, hr_user):
    staff[2].is_active = False
    staff[2].save()
    check = service.attendance_list_preview(
        lecture=lecture,
        data="工号\nTA01\nTB02\nHR01\n".encode(),
        filename="a.csv",
        recorded_by=lecturer,
    )
    assert error_codes(check) == [(3, "inactive_user"), (4, "not_teacher")]


def test_already_attended_rows_are_counted_not_changed(lecturer, lecture, staff):
    service.attendance_mark_manual(
        lecture=lecture, staff_no="TA01", reason="纸质签到", recorded_by=lecturer
    )
    check = service.attendance_list_preview(
        lecture=lecture, data="工号\nTA01\nTB01\n".encode(), filename="a.csv", recorded_by=lecturer
    )
    assert (check.to_record, check.already_attended) == (1, 1)
    outcome = service.attendance_list_apply(
        lecture=lecture, entries=check.entries, recorded_by=lecturer
    )
    assert (outcome.recorded, outcome.already_attended) == (1, 1)
    assert Attendance.objects.get(lecture=lecture, user=staff[0]).method == AttendanceMethod.MANUAL


def test_oversize_file_is_refused(lecturer, lecture, staff):
    with mock.patch.object(service, "MAX_BYTES", 100):
        check = service.attendance_list_read(b"TA01\n" * 50, filename="a.csv")
        assert [e.code for e in check.errors] == ["file_too_large"]
        response = post_file(login(lecturer), lecture, b"x" * 200)
        assert response.context["form"].errors["file"]
    assert attended(lecture) == set()


def test_too_many_rows(lecturer, lecture):
    with mock.patch.object(service, "MAX_ROWS", 3):
        check = service.attendance_list_read("工号\nA1\nA2\nA3\nA4\n".encode(), filename="a.csv")
    assert "too_many_rows" in [e.code for e in check.errors]


def test_user_lookup_is_one_query_per_chunk(
    lecturer, lecture, make_user, school_a, django_assert_num_queries
):
    people = [
        make_user(roles.TEACHER, school_a, staff_no=f"Q{i:03d}", full_name=f"教师{i}")
        for i in range(30)
    ]
    for size in (3, 30):
        entries = [
            service.ListEntry(row=i + 2, staff_no=p.staff_no) for i, p in enumerate(people[:size])
        ]
        with django_assert_num_queries(1):
            check = service.attendance_list_check(lecture=lecture, entries=entries)
        assert len(check.rows) == size


# --- Window and permissions -----------------------------------------------------------------


def test_upload_and_mark_closed_until_30_minutes_before(lecturer, staff):
    lecture = lecture_of(lecturer, starts_in=timedelta(minutes=31))
    with pytest.raises(ValidationError, match="30"):
        service.attendance_list_preview(
            lecture=lecture,
            data=b"\xe5\xb7\xa5\xe5\x8f\xb7\nTA01\n",
            filename="a.csv",
            recorded_by=lecturer,
        )
    with pytest.raises(ValidationError):
        service.attendance_mark_manual(
            lecture=lecture, staff_no="TA01", reason="x", recorded_by=lecturer
        )
    response = post_file(login(lecturer), lecture, csv_bytes("工号\nTA01\n"))
    assert response.context["window_error"] and response.context["token"] is None
    # 29 minutes before the start it opens
    later = lecture.starts_at - timedelta(minutes=29)
    attendance, created = service.attendance_mark_manual(
        lecture=lecture, staff_no="TA01", reason="提前到场", recorded_by=lecturer, now=later
    )
    assert created and attendance.checked_in_at == later


def test_upload_after_the_lecture_is_allowed(lecturer, staff):
    lecture = lecture_of(lecturer, starts_in=timedelta(days=-3))
    check = service.attendance_list_preview(
        lecture=lecture, data=csv_bytes("工号\nTA01\n"), filename="a.csv", recorded_by=lecturer
    )
    assert check.is_valid


def test_other_lecturer_and_teacher_may_not_record(other_lecturer, teacher_a, lecture, staff):
    for user in (other_lecturer, teacher_a):
        with pytest.raises(PermissionDenied):
            service.attendance_mark_manual(
                lecture=lecture, staff_no="TB01", reason="x", recorded_by=user
            )
    response = post_file(login(other_lecturer), lecture, csv_bytes("工号\nTA01\n"))
    assert response.status_code == 403
    assert attended(lecture) == set()


def test_district_admin_may_record(district_admin, lecture, staff):
    client = login(district_admin)
    preview = post_file(client, lecture, csv_bytes("工号\nTA01\n"))
    apply_url = reverse("courses_lectures:upload_apply", args=[lecture.pk])
    assert client.post(apply_url, {"token": token_of(preview)}).status_code == 302
    assert attended(lecture) == {"TA01"}


# --- Manual marks ---------------------------------------------------------------------------


def mark_url(lecture):
    return reverse("courses_lectures:mark", args=[lecture.pk])


def test_manual_mark_with_reason(lecturer, lecture, staff):
    client = login(lecturer)
    response = client.post(
        mark_url(lecture), {"staff_no": "TB01", "reason": "手机无信号，纸质签到"}
    )
    assert response.status_code == 302
    row = Attendance.objects.get(lecture=lecture, user=staff[1])
    assert row.method == AttendanceMethod.MANUAL
    assert row.reason == "手机无信号，纸质签到" and row.recorded_by == lecturer
    again = client.post(mark_url(lecture), {"staff_no": "TB01", "reason": "再次"})
    assert again.status_code == 302
    assert Attendance.objects.filter(lecture=lecture).count() == 1
    assert Attendance.objects.get(lecture=lecture, user=staff[1]).reason == "手机无信号，纸质签到"


@pytest.mark.parametrize(
    "form,field",
    [
        ({"staff_no": "TB01", "reason": ""}, "reason"),
        ({"staff_no": "TB01", "reason": "   "}, "reason"),
        ({"staff_no": "", "reason": "纸质签到"}, "staff_no"),
        ({"staff_no": "NOPE", "reason": "纸质签到"}, "staff_no"),
        ({"staff_no": "LC01", "reason": "纸质签到"}, "staff_no"),
        ({"staff_no": "TB01", "reason": "长" * 201}, "reason"),
    ],
)
def test_manual_mark_refused_without_reason_or_teacher(form, field, lecturer, lecture, staff):
    response = login(lecturer).post(mark_url(lecture), form)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert attended(lecture) == set()


def test_manual_mark_service_requires_reason(lecturer, lecture, staff):
    with pytest.raises(ValidationError) as info:
        service.attendance_mark_manual(
            lecture=lecture, staff_no="TA01", reason=" ", recorded_by=lecturer
        )
    assert "reason" in info.value.message_dict
    assert attended(lecture) == set()
