"""Lecture check-in admin: who may see which lectures, the counts, registrations with the
waiting-list order, attendance, the live count, exports, and fixed query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import Attendance, AttendanceMethod, LectureRegistration, RegistrationStatus
from people import roles
from people.models import LecturerProfile
from tests.factories.lectures import make_lecture

from .xapi_helpers import login

pytestmark = pytest.mark.django_db

INDEX = "/admin/lecture-checkin/"


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
    return lecture_of(lecturer, starts_in=timedelta(minutes=-10), title="家校沟通专题")


def detail_url(lecture):
    return reverse("courses_lectures:detail", args=[lecture.pk])


def register(user, lecture, status=RegistrationStatus.REGISTERED, queued_minutes=0):
    queued = timezone.now() - timedelta(minutes=queued_minutes)
    return LectureRegistration.objects.create(
        user=user,
        lecture=lecture,
        status=status,
        queued_at=queued if status == RegistrationStatus.WAITLISTED else None,
    )


def attend(user, lecture, method=AttendanceMethod.QR, **fields):
    return Attendance.objects.create(
        user=user, lecture=lecture, method=method, checked_in_at=timezone.now(), **fields
    )


def teachers(make_user, school, count, prefix="T"):
    return [
        make_user(roles.TEACHER, school, staff_no=f"{prefix}{i:04d}", full_name=f"教师{i}")
        for i in range(count)
    ]


# --- Permissions -----------------------------------------------------------------------------


def test_lecturer_sees_only_own_lectures(lecturer, other_lecturer, lecture):
    other = lecture_of(other_lecturer, title="他人讲座")
    response = login(lecturer).get(INDEX)
    assert response.status_code == 200
    listed = {summary.lecture.pk for summary in response.context["summaries"]}
    assert listed == {lecture.pk}
    assert login(lecturer).get(detail_url(other)).status_code == 403
    for name in ("upload", "mark", "live_count"):
        url = reverse(f"courses_lectures:{name}", args=[other.pk])
        assert login(lecturer).get(url).status_code == 403
    url = reverse("courses_lectures:export", args=[other.pk, "csv"])
    assert login(lecturer).get(url).status_code == 403


def test_district_admin_sees_every_lecture(district_admin, lecturer, other_lecturer, lecture):
    other = lecture_of(other_lecturer)
    response = login(district_admin).get(INDEX)
    assert {s.lecture.pk for s in response.context["summaries"]} == {lecture.pk, other.pk}
    assert login(district_admin).get(detail_url(other)).status_code == 200


@pytest.mark.parametrize("who", ["teacher_a", "school_admin_a", "hr_user"])
def test_others_are_refused(request, who, lecture):
    client = login(request.getfixturevalue(who))
    assert client.get(INDEX).status_code in (302, 403)
    assert client.get(detail_url(lecture)).status_code in (302, 403)
    count = reverse("courses_lectures:live_count", args=[lecture.pk])
    assert client.get(count).status_code in (302, 403)
    mark = reverse("courses_lectures:mark", args=[lecture.pk])
    before = Attendance.objects.count()
    client.post(mark, {"staff_no": "TA01", "reason": "现场签到"})
    assert Attendance.objects.count() == before


def test_school_admin_gets_plain_403(school_admin_a, lecture):
    assert login(school_admin_a).get(INDEX).status_code == 403


def test_menu_item_shown_only_to_managers(lecturer, school_admin_a):
    assert INDEX.encode() in login(lecturer).get("/admin/").content
    assert INDEX.encode() not in login(school_admin_a).get("/admin/").content


def test_unknown_lecture_is_404(lecturer):
    assert login(lecturer).get("/admin/lecture-checkin/999999/").status_code == 404


# --- Content ---------------------------------------------------------------------------------


def test_detail_lists_registrations_waiting_order_and_attendance(
    lecturer, lecture, make_user, school_a, teacher_a, teacher_b
):
    first, second = teachers(make_user, school_a, 2, prefix="W")
    register(teacher_a, lecture)
    register(second, lecture, RegistrationStatus.WAITLISTED, queued_minutes=1)
    register(first, lecture, RegistrationStatus.WAITLISTED, queued_minutes=5)
    attend(teacher_a, lecture)
    attend(teacher_b, lecture, AttendanceMethod.MANUAL, recorded_by=lecturer, reason="纸质签到")

    response = login(lecturer).get(detail_url(lecture))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.registered, counts.waitlisted, counts.attended) == (1, 2, 2)
    rows = response.context["registrations"]
    assert [r.user_id for r in rows] == [teacher_a.pk, first.pk, second.pk]
    assert [r.waitlist_position for r in rows[1:]] == [1, 2]
    assert rows[0].attended and not rows[1].attended
    html = response.content.decode()
    assert "纸质签到" in html and "陈讲师" in html
    assert f"/lectures/{lecture.pk}/checkin-display/" in html
    assert "lecture-live-count.js" in html and "data-count-url" in html


def test_live_count_json(lecturer, lecture, teacher_a, teacher_b):
    register(teacher_a, lecture)
    attend(teacher_a, lecture)
    attend(teacher_b, lecture)
    url = reverse("courses_lectures:live_count", args=[lecture.pk])
    response = login(lecturer).get(url)
    assert response.json() == {"attended": 2, "registered": 1, "waitlisted": 0}
    assert "no-store" in response["Cache-Control"]


def test_no_polling_long_before_the_lecture(lecturer):
    future = lecture_of(lecturer, starts_in=timedelta(days=3))
    html = login(lecturer).get(detail_url(future)).content.decode()
    assert "lecture-live-count.js" not in html
    assert reverse("courses_lectures:upload", args=[future.pk]) not in html


def _export_rows(lecturer, lecture, fmt):
    url = reverse("courses_lectures:export", args=[lecture.pk, fmt])
    response = login(lecturer).get(url)
    assert response.status_code == 200
    if fmt == "csv":
        body = b"".join(response.streaming_content).decode("utf-8")
        assert body.startswith("\ufeff")
        return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [
        ["" if v is None else v for v in row] for row in workbook.active.iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_registrations_and_attendance(
    fmt, lecturer, lecture, make_user, school_a, teacher_a, teacher_b
):
    (waiting,) = teachers(make_user, school_a, 1, prefix="W")
    register(teacher_a, lecture)
    register(waiting, lecture, RegistrationStatus.WAITLISTED)
    attend(teacher_a, lecture)
    attend(teacher_b, lecture, AttendanceMethod.MANUAL, recorded_by=lecturer, reason="=补签")
    rows = _export_rows(lecturer, lecture, fmt)
    assert rows[0][:3] == ["工号", "姓名", "学校"] and len(rows[0]) == 10
    by_staff_no = {row[0]: row for row in rows[1:]}
    assert set(by_staff_no) == {"TA01", "TB01", "W0000"}
    assert by_staff_no["TA01"][1] == "张老师"
    assert by_staff_no["TA01"][2] == "青浦区实验小学"
    assert str(by_staff_no["W0000"][5]) == "1"  # waiting-list position
    assert by_staff_no["TB01"][8] == "陈讲师"
    if fmt == "csv":
        assert by_staff_no["TB01"][9] == "'=补签"  # no formula injection
    else:
        assert by_staff_no["TB01"][9] == "=补签"


def test_unknown_export_format_is_404(lecturer, lecture):
    url = reverse("courses_lectures:export", args=[lecture.pk, "pdf"])
    assert login(lecturer).get(url).status_code == 404


# --- Query counts ----------------------------------------------------------------------------


def _fill(make_user, school, lectures, count, prefix):
    people = teachers(make_user, school, count, prefix=prefix)
    for lecture in lectures:
        for i, person in enumerate(people):
            status = RegistrationStatus.WAITLISTED if i % 3 == 0 else RegistrationStatus.REGISTERED
            register(person, lecture, status, queued_minutes=i)
            if i % 2:
                attend(person, lecture, recorded_by=None)


def test_list_and_detail_queries_do_not_grow(
    lecturer, lecture, make_user, school_a, django_assert_max_num_queries
):
    # Measured: 15 (index) and 19 (detail) at both sizes, most of it Wagtail's admin chrome;
    # the larger data set must not need one query more.
    client = login(lecturer)
    client.get(INDEX)  # warm the session and role caches
    url = detail_url(lecture)
    _fill(make_user, school_a, [lecture], 2, "S")
    with django_assert_max_num_queries(20) as small_index:
        assert client.get(INDEX).status_code == 200
    with django_assert_max_num_queries(20) as small_detail:
        assert client.get(url).status_code == 200
    more = [lecture_of(lecturer, starts_in=timedelta(days=-i)) for i in range(1, 4)]
    _fill(make_user, school_a, [lecture, *more], 12, "M")
    with django_assert_max_num_queries(len(small_index.captured_queries)):
        assert client.get(INDEX).status_code == 200
    with django_assert_max_num_queries(len(small_detail.captured_queries)):
        assert client.get(url).status_code == 200
    export = reverse("courses_lectures:export", args=[lecture.pk, "xlsx"])
    with django_assert_max_num_queries(12):
        assert client.get(export).status_code == 200
