"""The credited check-in over HTTP (a series without required feedback, as on lecture day):
its query count does not grow with the teacher's ledger, and the reordered checks keep their
promises (a repeat is never refused, a wrong code is counted only for a teacher not yet in)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.models import CreditEntry
from courses.models import Attendance, AttendanceMethod
from courses.services.checkin import (
    WRONG_CODE_LIMIT,
    checkin_code,
    checkin_step,
    checkin_wrong_codes,
    lecture_checkin,
)
from tests.factories.certification import award
from tests.factories.lectures import lecture_series, make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture():
    series = lecture_series(feedback_required=False)
    return make_lecture(starts_in=timedelta(minutes=-5), minutes=90, series=series)


def _post(client, lecture, code=None):
    url = reverse("courses:lecture_checkin", args=[lecture.pk])
    return client.post(url, {"code": code or checkin_code(lecture, checkin_step()), "via": "qr"})


def _wrong(lecture):
    right = {checkin_code(lecture, checkin_step() - n) for n in (0, 1)}
    return next(code for code in ("000000", "111111", "222222") if code not in right)


def test_credited_checkin_queries_do_not_grow_with_the_ledger(
    client, make_user, lecture, django_assert_max_num_queries
):
    # Session, user, lecture with its series' rule, attendance look-up, its insert (credited
    # in the same INSERT) in a savepoint, the ledger's locked read and insert in a savepoint,
    # the transaction's savepoint pair, one Site read for the redirect (cached after the
    # first request), the teacher marked for the batch recompute (one INSERT instead of a
    # broker message per check-in): 15 on SQLite; PostgreSQL adds the teacher's row lock.
    for n, prior in enumerate((0, 30)):
        teacher = make_user(None, None, staff_no=f"HP{n}")
        for _ in range(prior):
            award(teacher)
        client.force_login(teacher)
        with django_assert_max_num_queries(16):
            response = _post(client, lecture)
        assert response.status_code == 302
        attendance = Attendance.objects.get(user=teacher, lecture=lecture)
        assert attendance.credited_at == attendance.checked_in_at
        entry = CreditEntry.objects.get(user=teacher, source_ref=str(lecture.pk))
        assert entry.hours == lecture.credit_hours
        assert CreditEntry.objects.filter(user=teacher).count() == prior + 1


def test_repeat_with_a_wrong_code_is_not_refused_nor_counted(client, teacher_a, lecture):
    client.force_login(teacher_a)
    assert _post(client, lecture).status_code == 302
    response = _post(client, lecture, code=_wrong(lecture))
    assert response.status_code == 302
    assert checkin_wrong_codes(teacher_a) == 0
    assert Attendance.objects.filter(user=teacher_a).count() == 1
    assert CreditEntry.objects.filter(user=teacher_a).count() == 1


def test_rate_limited_teacher_already_in_gets_the_attendance(teacher_a, teacher_b, lecture):
    now = timezone.now()
    first, created = lecture_checkin(
        user=teacher_a,
        lecture=lecture,
        code=checkin_code(lecture, checkin_step(now)),
        method=AttendanceMethod.QR,
        now=now,
    )
    assert created
    for _ in range(WRONG_CODE_LIMIT):
        with pytest.raises(ValidationError):
            lecture_checkin(
                user=teacher_b, lecture=lecture, code=_wrong(lecture), method="qr", now=now
            )
    assert checkin_wrong_codes(teacher_b, now) == WRONG_CODE_LIMIT
    assert checkin_wrong_codes(teacher_a, now) == 0
    # teacher_a types wrong codes after checking in: still answered with the attendance.
    for _ in range(WRONG_CODE_LIMIT + 1):
        again, created = lecture_checkin(
            user=teacher_a, lecture=lecture, code=_wrong(lecture), method="qr", now=now
        )
        assert not created and again.pk == first.pk
    assert checkin_wrong_codes(teacher_a, now) == 0


def test_feedback_series_checkin_is_not_credited(client, teacher_a):
    series = lecture_series(feedback_required=True)
    lecture = make_lecture(starts_in=timedelta(minutes=-5), series=series)
    client.force_login(teacher_a)
    assert _post(client, lecture).status_code == 302
    assert Attendance.objects.get(user=teacher_a).credited_at is None
    assert not CreditEntry.objects.filter(user=teacher_a).exists()
