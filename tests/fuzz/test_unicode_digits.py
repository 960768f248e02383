"""Digits that are not ASCII (Arabic-Indic ١٢٣, Ethiopic ፩) in places that expect a number:
`str.isdigit()` and the regex `\\d` accept them, while `int()` refuses some and
`hmac.compare_digest` refuses every non-ASCII string. The fuzzer found this in the training
import's dates; these are the same mistake at HTTP entry points, each a 500 before its fix."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db

ARABIC_INDIC = "١٢٣٤٥٦"  # \\d matches, int() accepts, compare_digest raises TypeError
ETHIOPIC = "፩"  # isdigit() is true, int() raises ValueError


def test_checkin_with_a_code_of_non_ascii_digits_is_a_wrong_code(client, teacher_a):
    lecture = make_lecture(starts_in=timedelta(minutes=5), minutes=90)
    client.force_login(teacher_a)
    url = reverse("courses:lecture_checkin", args=[lecture.pk])
    response = client.post(url, {"code": ARABIC_INDIC, "via": "code"})
    assert response.status_code == 400


def test_search_restricted_to_a_handbook_of_non_ascii_digits(client):
    response = client.get(reverse("search"), {"q": "导师", "handbook": ETHIOPIC})
    assert response.status_code == 200


def test_my_transcript_for_a_cycle_of_non_ascii_digits(client, teacher_a):
    client.force_login(teacher_a)
    response = client.get(reverse("certification:my_transcript"), {"cycle": ETHIOPIC})
    assert response.status_code == 200


def test_district_admin_assigning_to_a_school_of_non_ascii_digits(client, district_admin):
    client.force_login(district_admin)
    response = client.get("/admin/course-enrolments/assign/", {"school": ETHIOPIC})
    assert response.status_code == 200  # "Choose a school first."


def test_user_bulk_action_with_an_id_of_non_ascii_digits(client, school_admin_a, teacher_a):
    client.force_login(school_admin_a)
    url = f"/admin/bulk/people/user/set_active_state/?id={teacher_a.pk}&id={ETHIOPIC}"
    response = client.get(url)
    assert response.status_code == 200
    assert teacher_a.full_name in response.content.decode()
