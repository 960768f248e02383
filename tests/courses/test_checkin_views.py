"""Check-in over HTTP: login wall, GET never checks in, POST with CSRF, repeat, wrong-code
limit, and the lecturer's display and its state endpoint."""

from datetime import timedelta
from unittest import mock
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, AttendanceMethod
from courses.services.checkin import (
    WRONG_CODE_LIMIT,
    WRONG_CODE_WINDOW_SECONDS,
    checkin_code,
    checkin_step,
)
from people import roles
from people.models import LecturerProfile
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture():
    return make_lecture(starts_in=timedelta(minutes=5), minutes=90)


@pytest.fixture
def lecturer(make_user, lecture):
    user = make_user(roles.LECTURER, None, staff_no="LC01", full_name="讲师孙")
    profile = LecturerProfile.objects.create(user=user, full_name="讲师孙")
    lecture.lecturers.add(profile)
    lecture.save()
    return user


def _url(lecture, code=""):
    url = reverse("courses:lecture_checkin", args=[lecture.pk])
    return f"{url}?c={code}" if code else url


def _current_code(lecture):
    return checkin_code(lecture, checkin_step(timezone.now()))


def test_anonymous_is_sent_to_login_and_back(lecture):
    url = _url(lecture, "123456")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert quote(url, safe="/") in response["Location"]


def test_get_shows_confirm_and_never_checks_in(client, teacher_a, lecture):
    client.force_login(teacher_a)
    response = client.get(_url(lecture, _current_code(lecture)))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert not Attendance.objects.exists()


def test_post_from_qr_checks_in_then_repeat_is_friendly(client, teacher_a, lecture):
    client.force_login(teacher_a)
    code = _current_code(lecture)
    response = client.post(_url(lecture), {"code": code, "via": "qr"}, follow=True)
    assert response.redirect_chain[0][0] == lecture.url
    attendance = Attendance.objects.get()
    assert attendance.user == teacher_a and attendance.method == AttendanceMethod.QR
    again = client.post(_url(lecture), {"code": "000000", "via": "code"}, follow=True)
    assert "您已签到" in again.content.decode() or "already checked in" in again.content.decode()
    assert Attendance.objects.count() == 1


def test_typed_code_is_recorded_as_code(client, teacher_a, lecture):
    client.force_login(teacher_a)
    client.post(_url(lecture), {"code": _current_code(lecture), "via": "code"})
    assert Attendance.objects.get().method == AttendanceMethod.CODE


def test_csrf_enforced(teacher_a, lecture):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher_a)
    response = client.post(_url(lecture), {"code": _current_code(lecture), "via": "qr"})
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_bad_input_is_a_400_not_a_500(client, teacher_a, lecture):
    client.force_login(teacher_a)
    for data in [{}, {"code": "abc"}, {"code": "1" * 50}]:
        assert client.post(_url(lecture), data).status_code == 400
    assert client.put(_url(lecture)).status_code == 405
    assert not Attendance.objects.exists()


def test_before_window_refused_with_a_message(client, teacher_a):
    lecture = make_lecture(starts_in=timedelta(hours=2))
    client.force_login(teacher_a)
    response = client.post(_url(lecture), {"code": _current_code(lecture)})
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_wrong_codes_are_rate_limited(client, teacher_a, lecture):
    client.force_login(teacher_a)
    # The limit counts in fixed ten-minute windows: the clock stands still inside one, or a
    # run that straddles a window's end would start counting again (a flake seen at 14:30).
    now = timezone.now()
    if now.timestamp() % WRONG_CODE_WINDOW_SECONDS > WRONG_CODE_WINDOW_SECONDS - 60:
        now += timedelta(seconds=70)
    with mock.patch("django.utils.timezone.now", return_value=now):
        good = checkin_code(lecture, checkin_step(now))
        wrong = "000000" if good != "000000" else "111111"
        for _ in range(WRONG_CODE_LIMIT):
            assert client.post(_url(lecture), {"code": wrong}).status_code == 400
        limited = client.post(_url(lecture), {"code": good})
        assert limited.status_code == 429
    assert not Attendance.objects.exists()
    # The limit lapses with the ten-minute window.
    later = now + timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        code = checkin_code(lecture, checkin_step(later))
        assert client.post(_url(lecture), {"code": code}).status_code == 302
    assert Attendance.objects.count() == 1


def test_display_only_for_its_lecturers_and_district_admins(
    client, teacher_a, lecturer, district_admin, make_user, lecture
):
    display = reverse("courses:lecture_checkin_display", args=[lecture.pk])
    state = reverse("courses:lecture_checkin_display_state", args=[lecture.pk])
    other = make_user(roles.LECTURER, None, staff_no="LC02")
    LecturerProfile.objects.create(user=other, full_name="别的讲师")
    for user in (teacher_a, other):
        client.force_login(user)
        assert client.get(display).status_code == 403
        assert client.get(state).status_code == 403
    assert Client().get(display).status_code == 302
    for user in (lecturer, district_admin):
        client.force_login(user)
        response = client.get(display)
        assert response.status_code == 200
        body = response.content.decode()
        assert _current_code(lecture) in body and "<svg" in body
        assert "<script>" not in body  # no inline script (CSP)


def test_display_state_json(client, lecturer, teacher_a, lecture):
    Attendance.objects.create(
        user=teacher_a, lecture=lecture, method="code", checked_in_at=timezone.now()
    )
    client.force_login(lecturer)
    data = client.get(reverse("courses:lecture_checkin_display_state", args=[lecture.pk])).json()
    assert data["code"] == _current_code(lecture)
    assert data["svg"].startswith("<svg")
    assert 0 < data["expires_in"] <= 60
    assert data["attended"] == 1


def test_display_state_queries_do_not_grow(
    client, lecturer, lecture, make_user, django_assert_max_num_queries
):
    client.force_login(lecturer)
    url = reverse("courses:lecture_checkin_display_state", args=[lecture.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        client.get(url)
    for n in range(20):
        Attendance.objects.create(
            user=make_user(roles.TEACHER, None, staff_no=f"T{n:03d}"),
            lecture=lecture,
            method="code",
            checked_in_at=timezone.now(),
        )
    with django_assert_max_num_queries(8):
        assert client.get(url).json()["attended"] == 20


def test_checkin_post_query_count(client, teacher_a, lecture, django_assert_max_num_queries):
    client.force_login(teacher_a)
    # Session, user, lecture with its series' feedback rule, one attendance look-up, the
    # insert in its savepoint pair and the transaction's; one Site read for the redirect
    # (cached by Wagtail after the first request). Was 13.
    with django_assert_max_num_queries(10):
        client.post(_url(lecture), {"code": _current_code(lecture), "via": "qr"})
    assert Attendance.objects.count() == 1


def test_qr_confirm_then_failed_post_asks_to_type_the_code(client, teacher_a, lecture):
    client.force_login(teacher_a)
    code = _current_code(lecture)
    page = client.get(_url(lecture, code)).content.decode()
    assert f'name="code" value="{code}"' in page and 'name="via" value="qr"' in page
    wrong = "000000" if code != "000000" else "111111"
    failed = client.post(_url(lecture), {"code": wrong, "via": "qr"})
    assert failed.status_code == 400
    body = failed.content.decode()
    assert 'name="via" value="code"' in body and 'inputmode="numeric"' in body
    assert not Attendance.objects.exists()


def test_display_closed_to_a_retired_lecturer(client, lecturer, lecture):
    display = reverse("courses:lecture_checkin_display", args=[lecture.pk])
    client.force_login(lecturer)
    assert client.get(display).status_code == 200
    LecturerProfile.objects.filter(user=lecturer).update(is_active=False)
    assert client.get(display).status_code == 403
