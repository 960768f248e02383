"""The school qualification dashboard: who may open which school (school A's admin gets 403
for school B by ?school= and by a teacher's URL), filters, closest to qualifying, coverage,
assigning the missing courses (own school only, once), the XLSX export and query pins."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from certification.models.qualification import QualificationState
from courses.choices import EnrollmentSource, EnrollmentStatus
from courses.models import Enrollment
from people import roles
from people.models import ProfessionalTitle, Stage
from tests.factories.courses import make_course

from .readiness_helpers import bulk_teachers, missing_item, status_for

S = QualificationState
SCHOOL_URL = reverse("certification_dashboards:school")
ASSIGN_URL = reverse("certification_dashboards:assign")
EXPORT_URL = reverse("certification_dashboards:export")


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def teacher_url(user):
    return reverse("certification_dashboards:teacher", args=[user.pk])


# --- Scope ---------------------------------------------------------------------------------


def test_school_admin_sees_own_school(school_admin_a, teacher_a, teacher_b):
    status_for(teacher_a, S.IN_PROGRESS)
    response = client_for(school_admin_a).get(SCHOOL_URL)
    assert response.status_code == 200
    assert response.context["school"].code == "A001"
    assert [row["teacher"].staff_no for row in response.context["rows"]] == ["TA01"]
    assert client_for(school_admin_a).get(SCHOOL_URL, {"school": "A001"}).status_code == 200


def test_school_admin_gets_403_for_another_school(school_admin_a, teacher_b):
    client = client_for(school_admin_a)
    assert client.get(SCHOOL_URL, {"school": "B001"}).status_code == 403
    assert client.get(teacher_url(teacher_b)).status_code == 403
    assert client.get(EXPORT_URL, {"school": "B001"}).status_code == 403
    response = client.post(ASSIGN_URL, {"school": "B001", "teachers": [teacher_b.pk]})
    assert response.status_code == 403


def test_unknown_school_or_teacher_is_404(school_admin_a, district_admin):
    assert client_for(district_admin).get(SCHOOL_URL, {"school": "NOPE"}).status_code == 404
    assert client_for(school_admin_a).get(SCHOOL_URL, {"school": "NOPE"}).status_code == 404
    assert client_for(school_admin_a).get(teacher_url(school_admin_a)).status_code == 404


@pytest.mark.parametrize("role", [roles.LECTURER, roles.REVIEWER])
def test_others_get_403(make_user, school_a, teacher_a, role):
    client = client_for(make_user(role, school_a, is_staff=True))
    assert client.get(SCHOOL_URL).status_code == 403
    assert client.get(teacher_url(teacher_a)).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_anonymous_and_teachers_are_sent_to_login(teacher_a):
    # Neither may enter the Wagtail admin at all: its wall sends them to the login page.
    for client in (Client(), client_for(teacher_a)):
        response = client.get(SCHOOL_URL, {"school": "A001"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_district_admin_and_hr_pick_any_school(district_admin, hr_user, teacher_a, teacher_b):
    for user in (district_admin, hr_user):
        client = client_for(user)
        response = client.get(SCHOOL_URL, {"school": "B001"})
        assert response.status_code == 200
        assert [row["teacher"].staff_no for row in response.context["rows"]] == ["TB01"]
        assert {school.code for school in response.context["schools"]} >= {"A001", "B001"}
        assert client.get(teacher_url(teacher_a)).status_code == 200


def test_hr_reads_only(hr_user, teacher_a):
    response = client_for(hr_user).post(ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk]})
    assert response.status_code == 403
    page = client_for(hr_user).get(SCHOOL_URL, {"school": "A001"}).content.decode()
    assert 'name="teachers"' not in page


def test_teacher_detail_shows_missing_items(school_admin_a, teacher_a):
    status_for(teacher_a, S.IN_PROGRESS, missing=[missing_item(have=1, need=4)], progress=25)
    response = client_for(school_admin_a).get(teacher_url(teacher_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "心理健康教育基础" in page
    assert "1/4" in page
    assert "25%" in page


# --- Lists, filters, coverage ----------------------------------------------------------------


def test_filters(school_admin_a, school_a, make_user):
    ming = make_user(
        roles.TEACHER,
        school_a,
        staff_no="TA10",
        full_name="陈明",
        title=ProfessionalTitle.FIRST,
        is_head_teacher=True,
    )
    hong = make_user(roles.TEACHER, school_a, staff_no="TA11", full_name="李红", stage=Stage.JUNIOR)
    never = make_user(roles.TEACHER, school_a, staff_no="TA12", full_name="赵新")
    status_for(ming, S.QUALIFIED)
    status_for(hong, S.IN_PROGRESS)
    client = client_for(school_admin_a)

    def staff(**params):
        response = client.get(SCHOOL_URL, params)
        assert response.status_code == 200
        return [row["teacher"].staff_no for row in response.context["rows"]]

    assert staff() == ["TA10", "TA11", "TA12"]
    assert staff(state="qualified") == ["TA10"]
    assert staff(state="not_started") == ["TA12"]  # never computed reads as not started
    assert staff(stage="junior") == ["TA11"]
    assert staff(title="first") == ["TA10"]
    assert staff(head="yes") == ["TA10"]
    assert staff(head="no") == ["TA11", "TA12"]
    assert staff(q="红") == ["TA11"]
    assert staff(q="TA12") == ["TA12"]
    assert staff(state="bogus", stage="bogus", title="x", head="maybe") == ["TA10", "TA11", "TA12"]
    counts = {
        item["value"]: item["count"] for item in client.get(SCHOOL_URL).context["state_counts"]
    }
    assert counts["qualified"] == 1 and counts["in_progress"] == 1 and counts["not_started"] == 1
    assert never.pk


def test_closest_to_qualifying_in_progress_by_progress(school_admin_a, school_a, make_user):
    for staff_no, state, progress in [
        ("TA20", S.IN_PROGRESS, 30),
        ("TA21", S.IN_PROGRESS, 90),
        ("TA22", S.QUALIFIED, 100),
        ("TA23", S.IN_PROGRESS, 60),
        ("TA24", S.EXPIRED, 95),
    ]:
        status_for(make_user(roles.TEACHER, school_a, staff_no=staff_no), state, progress=progress)
    response = client_for(school_admin_a).get(SCHOOL_URL)
    assert [row["teacher"].staff_no for row in response.context["closest"]] == [
        "TA21",
        "TA23",
        "TA20",
    ]


def test_coverage_on_the_page(school_admin_a, school_a):
    school_a.students_primary = 46
    school_a.save()
    bulk_teachers(school_a, 2, state=S.QUALIFIED)
    bulk_teachers(school_a, 1, state=S.EXPIRING)
    response = client_for(school_admin_a).get(SCHOOL_URL)
    (primary,) = response.context["coverage"]
    assert (primary.students, primary.qualified, primary.needed) == (46, 3, 1)
    page = response.content.decode()
    assert 'aria-valuenow="98"' in page


def test_pagination_and_bad_page_numbers(school_admin_a, school_a):
    bulk_teachers(school_a, 55, state=S.IN_PROGRESS)
    client = client_for(school_admin_a)
    assert len(client.get(SCHOOL_URL).context["rows"]) == 50
    assert len(client.get(SCHOOL_URL, {"p": 2}).context["rows"]) == 5
    assert client.get(SCHOOL_URL, {"p": "x"}).status_code == 200
    assert len(client.get(SCHOOL_URL, {"p": 99}).context["rows"]) == 5


@pytest.mark.parametrize("teachers", [5, 40])
def test_query_count_does_not_grow(
    school_admin_a, school_a, teachers, django_assert_max_num_queries
):
    bulk_teachers(school_a, teachers, state=S.IN_PROGRESS)
    bulk_teachers(school_a, teachers, state=S.QUALIFIED, is_head_teacher=True)
    client = client_for(school_admin_a)
    client.get(SCHOOL_URL)
    with django_assert_max_num_queries(16):
        response = client.get(SCHOOL_URL, {"state": "in_progress"})
    assert len(response.context["rows"]) == teachers


# --- Assigning the missing courses ---------------------------------------------------------


@pytest.fixture
def mentor_courses(db):
    """The published courses the seeded mentor standard names by code."""
    return {
        "mental-health": make_course(code="QP-XL-2026-01", title="心理健康教育基础"),
        "home-school": make_course(code="QP-JX-2026-01", title="家校沟通与家庭教育指导"),
    }


def test_assign_missing_courses_once(
    school_admin_a, school_a, teacher_a, make_user, mentor_courses
):
    other = make_user(roles.TEACHER, school_a, staff_no="TA30")
    done = make_user(roles.TEACHER, school_a, staff_no="TA31")
    status_for(
        teacher_a,
        S.IN_PROGRESS,
        missing=[missing_item("mental-health"), missing_item("lectures", "讲座", 0, 2)],
    )
    status_for(other, S.IN_PROGRESS, missing=[missing_item("home-school", "家校", 0, 4)])
    status_for(done, S.QUALIFIED)
    client = client_for(school_admin_a)
    data = {"school": "A001", "teachers": [teacher_a.pk, other.pk, done.pk]}

    response = client.post(ASSIGN_URL, data, follow=True)
    assert response.redirect_chain[0][1] == 302
    courses = "《家校沟通与家庭教育指导》、《心理健康教育基础》"
    message = _(
        "Assigned %(courses)s: %(assigned)d new enrolments, %(already)d were enrolled already."
    )
    assert [str(m) for m in response.context["messages"]] == [
        message % {"courses": courses, "assigned": 2, "already": 0}
    ]
    rows = set(Enrollment.objects.values_list("user__staff_no", "course__code", "source", "status"))
    assert rows == {
        ("TA01", "QP-XL-2026-01", EnrollmentSource.ASSIGNED, EnrollmentStatus.ACTIVE),
        ("TA30", "QP-JX-2026-01", EnrollmentSource.ASSIGNED, EnrollmentStatus.ACTIVE),
    }
    assert Enrollment.objects.get(user=teacher_a).assigned_by == school_admin_a

    # A double submit changes nothing and says so.
    response = client.post(ASSIGN_URL, data, follow=True)
    assert Enrollment.objects.count() == 2
    assert [str(m) for m in response.context["messages"]] == [
        message % {"courses": courses, "assigned": 0, "already": 2}
    ]


def test_assign_refuses_another_schools_teacher(
    school_admin_a, teacher_a, teacher_b, mentor_courses
):
    status_for(teacher_a, S.IN_PROGRESS, missing=[missing_item("mental-health")])
    status_for(teacher_b, S.IN_PROGRESS, missing=[missing_item("mental-health")])
    response = client_for(school_admin_a).post(
        ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk, teacher_b.pk]}
    )
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_district_admin_assigns_in_any_school(district_admin, teacher_b, mentor_courses):
    status_for(teacher_b, S.IN_PROGRESS, missing=[missing_item("mental-health")])
    response = client_for(district_admin).post(
        ASSIGN_URL, {"school": "B001", "teachers": [teacher_b.pk]}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(SCHOOL_URL)
    assert Enrollment.objects.get().user == teacher_b


def test_assign_without_choice_or_with_garbage(school_admin_a, teacher_a, mentor_courses):
    client = client_for(school_admin_a)
    response = client.post(ASSIGN_URL, {"school": "A001"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [_("Choose at least one teacher.")]
    response = client.post(ASSIGN_URL, {"school": "A001", "teachers": ["x"]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        _("The list of chosen teachers is not valid.")
    ]
    status_for(teacher_a, S.IN_PROGRESS, missing=[missing_item("lectures", "讲座", 0, 2)])
    response = client.post(ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        _("The chosen teachers miss no published course.")
    ]
    assert not Enrollment.objects.exists()


def test_assign_needs_post_and_csrf(school_admin_a, teacher_a, mentor_courses):
    status_for(teacher_a, S.IN_PROGRESS, missing=[missing_item("mental-health")])
    assert client_for(school_admin_a).get(ASSIGN_URL).status_code == 405
    client = client_for(school_admin_a, enforce_csrf_checks=True)
    response = client.post(ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk]})
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_assign_reports_an_unpublished_course(school_admin_a, teacher_a, mentor_courses):
    course = mentor_courses["mental-health"]
    course.unpublish()
    status_for(teacher_a, S.IN_PROGRESS, missing=[missing_item("mental-health")])
    response = client_for(school_admin_a).post(
        ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not Enrollment.objects.exists()


# --- XLSX ----------------------------------------------------------------------------------


def _sheet_rows(response):
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_matches_the_statuses(school_admin_a, school_a, teacher_a, make_user):
    status_for(
        teacher_a,
        S.IN_PROGRESS,
        progress=40,
        missing=[missing_item(have=2, need=4), missing_item("lectures", "专题讲座", 1, 2)],
    )
    qualified = make_user(roles.TEACHER, school_a, staff_no="TA40", full_name="钱老师")
    status_for(qualified, S.QUALIFIED, progress=100)
    make_user(roles.TEACHER, school_a, staff_no="TA41", full_name="孙老师")
    bulk_teachers(school_a, 60, state=S.EXPIRED)  # more than one page of the screen

    response = client_for(school_admin_a).get(EXPORT_URL, {"school": "A001"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = _sheet_rows(response)
    assert rows[0] == [
        _("staff number"),
        _("full name"),
        _("stage"),
        _("professional title"),
        _("head teacher"),
        _("state"),
        _("progress (%)"),
        _("qualified on"),
        _("expires on"),
        _("missing"),
    ]
    assert len(rows) == 1 + 3 + 60
    by_staff = {row[0]: row for row in rows[1:]}
    assert by_staff["TA01"][1] == "张老师"
    assert by_staff["TA01"][5] == str(S.IN_PROGRESS.label)
    assert by_staff["TA01"][6] == 40
    assert by_staff["TA01"][9] == "心理健康教育基础（2/4）；专题讲座（1/2）"
    assert by_staff["TA40"][5] == str(S.QUALIFIED.label)
    assert by_staff["TA40"][7].date().isoformat() == "2026-03-01"
    assert by_staff["TA41"][5] == str(S.NOT_STARTED.label)

    filtered = _sheet_rows(
        client_for(school_admin_a).get(EXPORT_URL, {"school": "A001", "state": "qualified"})
    )
    assert [row[0] for row in filtered[1:]] == ["TA40"]


# --- Menus ---------------------------------------------------------------------------------


def _menu_names(menu, user) -> set[str]:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name for item in menu.menu_items_for_request(request)}


@pytest.mark.parametrize(
    ("who", "school", "district", "tokens"),
    [
        ("school_admin_a", True, False, False),
        ("hr_user", True, True, False),
        ("district_admin", True, True, True),
    ],
)
def test_menu_items_follow_the_scope(db, request, who, school, district, tokens):
    # `db` by name, not only through getfixturevalue: pytest-django orders tests by the
    # fixtures it sees at collection, and a test it takes for database-free runs after the
    # transactional ones, on a flushed database without the roles.
    from wagtail.admin.menu import reports_menu, settings_menu

    user = request.getfixturevalue(who)
    reports = _menu_names(reports_menu, user)
    assert ("mentor-qualification" in reports) is school
    assert ("district-mentor-coverage" in reports) is district
    assert ("api-tokens" in _menu_names(settings_menu, user)) is tokens
    assert client_for(user).get("/admin/").status_code == 200


def test_lecturers_see_no_dashboard_menu(make_user, school_a):
    from wagtail.admin.menu import reports_menu

    lecturer = make_user(roles.LECTURER, school_a)
    assert "mentor-qualification" not in _menu_names(reports_menu, lecturer)


# --- With the engine -----------------------------------------------------------------------


def test_engine_statuses_drive_assignment_and_the_api(
    school_admin_a, teacher_a, district_admin, mentor_courses
):
    """The engine's missing items name the requirements the assign action resolves to
    courses, and the API lists what the engine wrote."""
    from certification.api.services import api_token_create
    from certification.models import CreditSource
    from certification.services.qualification import qualification_recompute
    from tests.factories.certification import award

    crisis = make_course(code="QP-WJ-2026-01", title="学生心理危机识别与上报")
    done = mentor_courses["mental-health"]
    award(teacher_a, source=CreditSource.COURSE, source_ref=str(done.pk), source_object_id=done.pk)
    qualification_recompute([teacher_a.pk])

    response = client_for(school_admin_a).get(SCHOOL_URL, {"state": "in_progress"})
    (row,) = response.context["rows"]
    missing = {item["code"] for item in row["missing"]}
    assert "mental-health" not in missing
    assert {"home-school", "crisis"} <= missing

    client_for(school_admin_a).post(ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk]})
    assert set(
        Enrollment.objects.filter(user=teacher_a).values_list("course__code", flat=True)
    ) == {
        "QP-JX-2026-01",
        crisis.code,
    }

    key = api_token_create(name="A", school=None, created_by=district_admin).key
    body = Client().get("/api/v1/mentor-readiness/", headers={"Authorization": f"Token {key}"})
    (item,) = body.json()["results"]
    assert (item["staff_no"], item["state"]) == ("TA01", "in_progress")
    assert {entry["code"] for entry in item["missing"]} == missing


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        (
            "?school=A001&state=in_progress&q=%E5%BC%A0",
            "?school=A001&state=in_progress&q=%E5%BC%A0",
        ),
        ("//evil.example/", "?school=A001"),
        ("?x=1\r\nSet-Cookie: a=b", "?school=A001"),
        ("", "?school=A001"),
    ],
)
def test_assign_returns_to_the_same_filters_only(school_admin_a, teacher_a, back, expected):
    response = client_for(school_admin_a).post(
        ASSIGN_URL, {"school": "A001", "teachers": [teacher_a.pk], "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == SCHOOL_URL + expected
