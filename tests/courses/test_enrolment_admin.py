"""Admin screens for enrolments: pending approvals and course assignment, scoped by school on
every URL, with CSRF and harmless double submits."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from courses.choices import EnrollmentSource, EnrollmentStatus, EnrolmentMode
from courses.models import Enrollment
from people import roles
from people.models import Stage
from tests.courses.enrolment_helpers import messages_of, t
from tests.factories.courses import enroll, make_course
from tests.people.admin_helpers import login

pytestmark = pytest.mark.django_db

PENDING = "/admin/course-enrolments/pending/"
ASSIGN = "/admin/course-enrolments/assign/"


def decide_url(enrollment) -> str:
    return f"/admin/course-enrolments/{enrollment.pk}/decide/"


@pytest.fixture
def requests_ab(teacher_a, teacher_b):
    course = make_course(enrolment_mode=EnrolmentMode.APPROVAL, title="需审核课程")
    return (
        enroll(teacher_a, course, status=EnrollmentStatus.PENDING),
        enroll(teacher_b, course, status=EnrollmentStatus.PENDING),
    )


def test_school_admin_lists_own_school_only(school_admin_a, district_admin, requests_ab):
    mine, other = requests_ab
    response = login(school_admin_a).get(PENDING)
    assert response.status_code == 200
    assert [e.pk for e in response.context["enrollments"]] == [mine.pk]
    assert other.user.full_name not in response.content.decode()
    response = login(district_admin).get(PENDING)
    assert {e.pk for e in response.context["enrollments"]} == {mine.pk, other.pk}


def test_approve_and_reject_and_double_submit(school_admin_a, requests_ab):
    mine, _other = requests_ab
    client = login(school_admin_a)
    response = client.post(decide_url(mine), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"] == PENDING
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.ACTIVE and mine.decided_by == school_admin_a
    # The same click again is a no-op, not an error page.
    assert client.post(decide_url(mine), {"decision": "approve"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.ACTIVE
    # A bogus decision changes nothing.
    assert client.post(decide_url(mine), {"decision": "maybe"}).status_code == 302


def test_district_admin_rejects_any_school(district_admin, requests_ab):
    _mine, other = requests_ab
    login(district_admin).post(decide_url(other), {"decision": "reject"})
    other.refresh_from_db()
    assert other.status == EnrollmentStatus.REJECTED


def test_school_admin_cannot_decide_other_school_by_url(school_admin_a, requests_ab):
    _mine, other = requests_ab
    response = login(school_admin_a).post(decide_url(other), {"decision": "approve"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == EnrollmentStatus.PENDING


@pytest.mark.parametrize("role", [roles.TEACHER, roles.LECTURER, roles.HR])
def test_other_roles_are_refused(make_user, school_a, role, requests_ab):
    mine, _other = requests_ab
    client = login(make_user(role, school_a))
    for url in (PENDING, ASSIGN):
        response = client.get(url)
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert "/login" in response["Location"]  # teachers cannot enter the admin at all
    assert client.post(decide_url(mine), {"decision": "approve"}).status_code in (302, 403)
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.PENDING


def test_decide_without_csrf_is_rejected(school_admin_a, requests_ab):
    mine, _other = requests_ab
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin_a)
    assert client.post(decide_url(mine), {"decision": "approve"}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.PENDING


def test_pending_list_query_count_is_constant(
    make_user, school_a, school_admin_a, django_assert_max_num_queries
):
    course = make_course(enrolment_mode=EnrolmentMode.APPROVAL)
    client = login(school_admin_a)
    counts = []
    for size in (2, 20):
        for _ in range(size - len(counts) * 2):
            enroll(make_user(roles.TEACHER, school_a), course, status=EnrollmentStatus.PENDING)
        client.get(PENDING)
        with django_assert_max_num_queries(25) as captured:
            response = client.get(PENDING)
        assert len(response.context["enrollments"]) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- Assignment ------------------------------------------------------------------------------


def test_school_admin_assigns_chosen_teachers_with_due_date(make_user, school_a, school_admin_a):
    course = make_course(enrolment_mode=EnrolmentMode.ASSIGNED, title="必修课")
    teachers = [make_user(roles.TEACHER, school_a) for _ in range(3)]
    enroll(teachers[0], course)
    client = login(school_admin_a)
    form = client.get(ASSIGN)
    assert form.status_code == 200
    html = form.content.decode()
    assert all(t.full_name in html for t in teachers)
    due = timezone.localdate() + timedelta(days=14)
    response = client.post(
        ASSIGN,
        {
            "course": course.pk,
            "school": school_a.pk,
            "target": "chosen",
            "teachers": [t.pk for t in teachers],
            "due_on": due.isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    expected = t(
        "“%(course)s”: assigned to %(assigned)d teachers; %(already)d were already enrolled.",
        course="必修课",
        assigned=2,
        already=1,
    )
    assert expected in messages_of(response)
    rows = Enrollment.objects.filter(course=course, source=EnrollmentSource.ASSIGNED)
    assert rows.count() == 2 and {r.due_on for r in rows} == {due}


def test_school_admin_assigns_all_teachers_of_a_stage(make_user, school_a, school_admin_a):
    course = make_course()
    primary = [make_user(roles.TEACHER, school_a, stage=Stage.PRIMARY) for _ in range(2)]
    make_user(roles.TEACHER, school_a, stage=Stage.JUNIOR)
    login(school_admin_a).post(
        ASSIGN,
        {"course": course.pk, "school": school_a.pk, "target": "stage", "stage": Stage.PRIMARY},
    )
    assert set(Enrollment.objects.values_list("user_id", flat=True)) == {t.pk for t in primary}


def test_school_admin_cannot_assign_other_schools(teacher_b, school_a, school_b, school_admin_a):
    course = make_course()
    client = login(school_admin_a)
    # Another school's teacher id in the list, or another school picked: both refused.
    response = client.post(
        ASSIGN,
        {
            "course": course.pk,
            "school": school_a.pk,
            "target": "chosen",
            "teachers": [teacher_b.pk],
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        ASSIGN + f"?school={school_b.pk}",
        {"course": course.pk, "school": school_b.pk, "target": "stage", "stage": Stage.JUNIOR},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Enrollment.objects.exists()


def test_district_admin_picks_a_school(make_user, school_b, district_admin):
    course = make_course()
    teacher = make_user(roles.TEACHER, school_b, stage=Stage.JUNIOR)
    client = login(district_admin)
    assert t("Choose a school first.") in client.get(ASSIGN).content.decode()
    html = client.get(ASSIGN, {"school": school_b.pk}).content.decode()
    assert teacher.full_name in html
    client.post(
        ASSIGN + f"?school={school_b.pk}",
        {"course": course.pk, "school": school_b.pk, "target": "stage", "stage": Stage.JUNIOR},
    )
    assert Enrollment.objects.get().user == teacher


def test_assign_form_errors_are_shown_not_raised(school_a, school_admin_a):
    course = make_course()
    client = login(school_admin_a)
    response = client.post(ASSIGN, {"course": course.pk, "school": school_a.pk, "target": "stage"})
    assert response.status_code == 200 and "stage" in response.context["form"].errors
    response = client.post(ASSIGN, {"course": "x", "school": school_a.pk, "target": "chosen"})
    assert response.status_code == 200 and "course" in response.context["form"].errors
    assert not Enrollment.objects.exists()


def test_menu_shows_for_admins_only(school_admin_a, make_user):
    html = login(school_admin_a).get("/admin/").content.decode()
    assert PENDING in html and ASSIGN in html
    lecturer_html = login(make_user(roles.LECTURER)).get("/admin/").content.decode()
    assert PENDING not in lecturer_html
