"""Course reports in the admin: who sees which courses and rows, counts, exports
(CSV with BOM, XLSX with Chinese headers) in the same scope, and flat query counts."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from courses.choices import EnrollmentStatus
from courses.models import LessonPage
from courses.selectors.reports import (
    ReportScope,
    course_summaries,
    courses_reportable,
    report_scope_for,
)
from courses.services.completion import course_evaluation_submit, lesson_viewed
from people import roles
from people.models import LecturerProfile
from tests.factories import UserFactory
from tests.factories.courses import enroll, make_course
from tests.people.admin_helpers import login

pytestmark = pytest.mark.django_db

INDEX = "/admin/course-reports/"


def detail_url(course):
    return f"{INDEX}{course.pk}/"


def export_url(course, fmt):
    return f"{INDEX}{course.pk}/export.{fmt}"


@pytest.fixture
def lecturer(make_user, school_a):
    user = make_user(roles.LECTURER, school_a, staff_no="LC01", full_name="陈讲师")
    LecturerProfile.objects.create(user=user, full_name="陈讲师")
    return user


@pytest.fixture
def world(lecturer, teacher_a, teacher_b, school_b):
    """Course `mine` (lectured by `lecturer`) and `other`; teachers of both schools in both."""
    mine = make_course(lessons=2, title="心理健康教育基础")
    mine.lecturers.add(lecturer.lecturer_profile)
    mine.save()
    other = make_course(lessons=1, title="生涯指导")
    for course in (mine, other):
        enroll(teacher_a, course)
        enroll(teacher_b, course)
    lesson = LessonPage.objects.child_of(mine).order_by("path").first()
    lesson_viewed(user=teacher_a, lesson=lesson)
    pending = UserFactory(school=school_b, staff_no="TB02", full_name="待审老师")
    enroll(pending, mine, status=EnrollmentStatus.PENDING)
    withdrawn = UserFactory(school=school_b, staff_no="TB03", full_name="已退出老师")
    enroll(withdrawn, mine, status=EnrollmentStatus.WITHDRAWN)
    return {"mine": mine, "other": other}


def staff_nos(response):
    return [row.user.staff_no for row in response.context["rows"]]


def listed_courses(response):
    return {summary.course.pk for summary in response.context["summaries"]}


def test_teacher_and_reviewer_are_refused(teacher_a, make_user, world):
    reviewer = make_user(roles.REVIEWER, None, staff_no="RV01")
    assert report_scope_for(teacher_a) is None
    for user in (teacher_a, reviewer):
        client = login(user)
        for url in (INDEX, detail_url(world["mine"]), export_url(world["mine"], "csv")):
            response = client.get(url)
            assert response.status_code in (302, 403), url
            assert b"TA01" not in response.content


def test_lecturer_sees_own_courses_with_every_row(lecturer, world):
    client = login(lecturer)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert listed_courses(response) == {world["mine"].pk}
    assert client.get(detail_url(world["other"])).status_code == 404
    assert client.get(export_url(world["other"], "csv")).status_code == 404
    response = client.get(detail_url(world["mine"]))
    assert staff_nos(response) == ["TA01", "TB01", "TB02"]  # withdrawn left out
    summary = response.context["summary"]
    assert (summary.enrolled, summary.pending, summary.in_progress, summary.completed) == (
        2,
        1,
        2,
        0,
    )
    assert summary.average_progress == 25  # (50 + 0) / 2
    rows = {row.user.staff_no: row for row in response.context["rows"]}
    assert rows["TA01"].lessons_done == 1 and rows["TB01"].lessons_done == 0


def test_school_admin_sees_only_own_school_rows(school_admin_a, world):
    client = login(school_admin_a)
    assert listed_courses(client.get(INDEX)) == {world["mine"].pk, world["other"].pk}
    response = client.get(detail_url(world["mine"]))
    assert staff_nos(response) == ["TA01"]
    summary = response.context["summary"]
    assert summary.school_only and (summary.enrolled, summary.pending) == (1, 0)
    body = client.get(export_url(world["mine"], "csv")).getvalue().decode("utf-8-sig")
    assert "TA01" in body and "TB01" not in body and "TB02" not in body


def test_school_admin_without_own_enrolments_sees_nothing(make_user, school_b, world):
    course = make_course(lessons=1)
    admin_b = make_user(roles.SCHOOL_ADMIN, school_b, staff_no="SB01")
    teacher_c = UserFactory(staff_no="TC01")  # another school
    enroll(teacher_c, course)
    scope = report_scope_for(admin_b)
    assert course.pk not in set(courses_reportable(scope).values_list("pk", flat=True))
    assert login(admin_b).get(detail_url(course)).status_code == 404


@pytest.mark.parametrize("who", ["district_admin", "hr_user"])
def test_district_admin_and_hr_see_everything(request, who, world):
    client = login(request.getfixturevalue(who))
    assert listed_courses(client.get(INDEX)) == {world["mine"].pk, world["other"].pk}
    assert staff_nos(client.get(detail_url(world["other"]))) == ["TA01", "TB01"]


def test_evaluations_average_rating(teacher_a, teacher_b, world):
    course = world["other"]
    lesson = LessonPage.objects.child_of(course).first()
    for teacher, rating in ((teacher_a, 5), (teacher_b, 4)):
        lesson_viewed(user=teacher, lesson=lesson)
        course_evaluation_submit(user=teacher, course=course, rating=rating, comment="好")
    (summary,) = course_summaries(ReportScope(all_courses=True), [course])
    assert summary.completed == 2 and summary.evaluations == 2
    assert str(summary.average_rating) == "4.50"
    assert summary.average_progress == 100


def test_csv_export_has_bom_headers_and_scoped_rows(lecturer, world):
    response = login(lecturer).get(export_url(world["mine"], "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.getvalue()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows[0]) == 8
    assert [row[0] for row in rows[1:]] == ["TA01", "TB01", "TB02"]
    assert rows[1][1] == "张老师" and rows[1][5] == "1/2"


def test_csv_cells_that_look_like_formulas_are_neutralised(lecturer, world, school_a):
    evil = UserFactory(school=school_a, staff_no="TA09", full_name='=HYPERLINK("x")')
    enroll(evil, world["mine"])
    body = login(lecturer).get(export_url(world["mine"], "csv")).getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_xlsx_export_opens_with_headers_and_rows(district_admin, world):
    response = login(district_admin).get(export_url(world["mine"], "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 8 and all(rows[0])
    assert [row[0] for row in rows[1:]] == ["TA01", "TB01", "TB02"]
    assert rows[1][2] == "青浦区实验小学"


def test_completed_at_and_due_date_in_export(district_admin, teacher_a, world):
    course = world["other"]
    today = timezone.localdate()
    course.enrollments.filter(user=teacher_a).update(due_on=today)
    lesson = LessonPage.objects.child_of(course).first()
    lesson_viewed(user=teacher_a, lesson=lesson)
    course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="好")
    response = login(district_admin).get(export_url(course, "xlsx"))
    row = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1]
    assert row[4] == 100 and row[6] is not None and row[7].date() == today


def test_unknown_format_and_bad_page_do_not_fail(district_admin, world):
    client = login(district_admin)
    assert client.get(export_url(world["mine"], "pdf")).status_code == 404
    assert client.get(detail_url(world["mine"]) + "?p=abc").status_code == 200
    assert client.get(INDEX + "?p=999&q=" + "长" * 500).status_code == 200


def test_search_filters_courses(district_admin, world):
    response = login(district_admin).get(INDEX, {"q": "生涯"})
    assert listed_courses(response) == {world["other"].pk}


def test_menu_item_shown_to_report_roles_only(lecturer, teacher_a):
    from courses.admin.reports import CourseReportsMenuItem

    class Request:
        pass

    item = CourseReportsMenuItem("x", "/")
    request = Request()
    request.user = lecturer
    assert item.is_shown(request)
    request.user = teacher_a
    assert not item.is_shown(request)


def _grow(lecturer, school_a, courses, teachers):
    made = []
    for _ in range(courses):
        course = make_course(lessons=2)
        course.lecturers.add(lecturer.lecturer_profile)
        course.save()
        for _n in range(teachers):
            enroll(UserFactory(school=school_a), course)
        made.append(course)
    return made


@pytest.mark.parametrize("courses,teachers", [(1, 1), (5, 8)])
def test_query_counts_do_not_grow(
    lecturer, school_a, django_assert_max_num_queries, courses, teachers
):
    # Measured: 16 (index), 19 (course), 10 (export) at both sizes; most are Wagtail's admin
    # chrome (session, user, permissions, menu); the report itself is a fixed handful.
    made = _grow(lecturer, school_a, courses, teachers)
    client = login(lecturer)
    client.get(INDEX)
    with django_assert_max_num_queries(16):
        assert client.get(INDEX).status_code == 200
    with django_assert_max_num_queries(19):
        assert client.get(detail_url(made[-1])).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(export_url(made[-1], "csv"))
        assert len(response.getvalue().decode("utf-8-sig").splitlines()) == teachers + 1


@pytest.mark.parametrize("who", ["school_admin_a", "hr_user", "district_admin"])
def test_admin_menu_links_to_reports(request, who):
    response = login(request.getfixturevalue(who)).get("/admin/")
    assert response.status_code == 200
    assert INDEX.encode() in response.content
