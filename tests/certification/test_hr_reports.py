"""The HR report (人事报表): rows match the ledger (reversals included), the cycle requirement on
both sides of its boundary, the mentor state, each filter, the XLSX (Chinese headers, the
ledger's numbers), query pins at two sizes, who may see and export what by URL, and the
background export (eager here, one test on a real worker)."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import NoReverseMatch
from django.urls import reverse as url
from openpyxl import load_workbook

from certification.hr_tasks import hr_report_export
from certification.models import CreditEntry, CycleRequirement, JobStatus, ReportExport
from certification.models.qualification import QualificationState
from certification.selectors import hr_reports as report
from certification.selectors.ledger import credit_record_for
from certification.services import hr_reports as services
from cms.choices import CreditCategory, Level
from people import roles
from people.models import ProfessionalTitle, Stage
from tests.factories import SchoolFactory, UserFactory
from tests.factories.certification import award, default_cycle, make_cycle, requirement
from tests.factories.certification import reverse as reverse_entry

from .readiness_helpers import bulk_teachers, status_for

S = QualificationState
C = CreditCategory
INDEX_URL = url("certification_hr_reports:index")
EXPORT_URL = url("certification_hr_reports:export")
D = Decimal


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def cycle(db):
    """十五五 with a small, known matrix: total ≥ 3, ethics ≥ 1, city level ≥ 1."""
    current = default_cycle()
    CycleRequirement.objects.filter(cycle=current).delete()
    current.min_total_points = D("3")
    current.save()
    requirement(current, category=C.ETHICS, min_points="1")
    requirement(current, level=Level.CITY, min_points="1")
    return current


def filters_for(cycle, **fields):
    cycle = type(cycle).objects.prefetch_related("requirements").get(pk=cycle.pk)
    return report.HRReportFilters(cycle=cycle, **fields)


def rows_by_staff_no(filters):
    return {row.teacher.staff_no: row for row in report.hr_report_rows(filters)}


def ledger_points(user, cycle, **match):
    total = CreditEntry.objects.filter(user=user, cycle=cycle, **match).aggregate(s=Sum("points"))
    return total["s"] or D(0)


# --- Rows match the ledger ----------------------------------------------------------------


def test_row_sums_match_the_ledger_with_a_reversal(cycle, teacher_a, district_admin):
    award(teacher_a, points="2", hours="8", category=C.ETHICS, level=Level.CITY)
    award(teacher_a, points="1.5", hours="6", category=C.PRACTICE, level=Level.SCHOOL)
    wrong = award(teacher_a, points="4", hours="16", category=C.KNOWLEDGE, level=Level.DISTRICT)
    reverse_entry(wrong, by=district_admin)
    award(teacher_a, points="9", hours="9", awarded_on=datetime.date(2025, 6, 1))  # no cycle

    row = rows_by_staff_no(filters_for(cycle))["TA01"]
    assert row.points == ledger_points(teacher_a, cycle) == D("3.5")
    assert row.hours == D("14")
    assert row.by_category == [ledger_points(teacher_a, cycle, category=c) for c in C.values]
    assert row.by_category == [D("2"), D("0"), D("1.5"), D("0")]
    assert row.by_level == [ledger_points(teacher_a, cycle, level=lv) for lv in Level.values]
    assert row.by_level == [D("2"), D("0"), D("1.5")]
    assert row.requirement_met is True
    # The same rule as the teacher's own record (/me/credits/).
    record = next(
        r for r in credit_record_for(teacher_a, today=cycle.starts_on) if r.cycle == cycle
    )
    assert record.all_met is row.requirement_met
    assert record.total_points == row.points


@pytest.mark.parametrize(
    ("ethics_city", "practice", "met"),
    [
        ("1", "2", True),  # exactly on every minimum
        ("1", "1.99", False),  # total 2.99 < 3
        ("0.99", "2.01", False),  # ethics and city 0.99 < 1
        ("1", "5", True),
    ],
)
def test_requirement_on_both_sides_of_the_boundary(cycle, teacher_a, ethics_city, practice, met):
    award(teacher_a, points=ethics_city, category=C.ETHICS, level=Level.CITY)
    award(teacher_a, points=practice, category=C.PRACTICE, level=Level.SCHOOL)
    row = rows_by_staff_no(filters_for(cycle))["TA01"]
    assert row.requirement_met is met
    record = next(
        r for r in credit_record_for(teacher_a, today=cycle.starts_on) if r.cycle == cycle
    )
    assert record.all_met is met


def test_a_reversal_can_undo_meeting_the_requirement(cycle, teacher_a, district_admin):
    award(teacher_a, points="1", category=C.ETHICS, level=Level.CITY)
    extra = award(teacher_a, points="2", category=C.PRACTICE, level=Level.SCHOOL)
    assert rows_by_staff_no(filters_for(cycle))["TA01"].requirement_met is True
    reverse_entry(extra, by=district_admin)
    row = rows_by_staff_no(filters_for(cycle))["TA01"]
    assert row.points == D("1")
    assert row.requirement_met is False


def test_teacher_without_entries_and_a_cycle_that_asks_nothing(cycle, teacher_a):
    assert rows_by_staff_no(filters_for(cycle))["TA01"].requirement_met is False
    empty = make_cycle("空周期")
    row = rows_by_staff_no(filters_for(empty))["TA01"]
    assert row.points == D(0)
    assert row.requirement_met is True
    summary = report.hr_report_summary(filters_for(empty))
    assert (summary.teachers, summary.requirement_met) == (1, 1)


@pytest.mark.parametrize(
    ("state", "met"),
    [(S.QUALIFIED, True), (S.EXPIRING, True), (S.IN_PROGRESS, False), (S.EXPIRED, False)],
)
def test_mentor_state(cycle, teacher_a, state, met):
    status_for(teacher_a, state)
    row = rows_by_staff_no(filters_for(cycle))["TA01"]
    assert row.mentor_state == state
    assert row.mentor_met is met


def test_mentor_state_not_computed_reads_not_started(cycle, teacher_a):
    row = rows_by_staff_no(filters_for(cycle))["TA01"]
    assert row.mentor_state == S.NOT_STARTED
    assert row.mentor_met is False


def test_only_active_teachers_with_a_school(cycle, teacher_a, make_user, school_a, hr_user):
    make_user(roles.TEACHER, school_a, staff_no="GONE", is_active=False)
    make_user(roles.SCHOOL_ADMIN, school_a, staff_no="ADM")
    assert set(rows_by_staff_no(filters_for(cycle))) == {"TA01"}


def test_summary_counts(cycle, school_a, teacher_a, teacher_b):
    award(teacher_a, points="3", category=C.ETHICS, level=Level.CITY)
    status_for(teacher_a, S.QUALIFIED)
    status_for(teacher_b, S.IN_PROGRESS)
    summary = report.hr_report_summary(filters_for(cycle))
    assert (summary.teachers, summary.requirement_met, summary.mentor_qualified) == (2, 1, 1)
    summary = report.hr_report_summary(filters_for(cycle, school_id=teacher_b.school_id))
    assert (summary.teachers, summary.requirement_met, summary.mentor_qualified) == (1, 0, 0)


def test_summary_counts_only_filtered_teachers_who_meet_it(cycle, school_a, teacher_a, make_user):
    """Across every school the ledger is aggregated first and the filtered teachers kept:
    an inactive teacher or a school admin who meets the rule must not be counted."""
    gone = make_user(roles.TEACHER, school_a, staff_no="GONE", is_active=False)
    admin = make_user(roles.SCHOOL_ADMIN, school_a, staff_no="ADM")
    for user in (gone, admin, teacher_a):
        award(user, points="3", category=C.ETHICS, level=Level.CITY)
    summary = report.hr_report_summary(filters_for(cycle))
    assert (summary.teachers, summary.requirement_met) == (1, 1)
    summary = report.hr_report_summary(filters_for(cycle, school_id=school_a.pk))
    assert (summary.teachers, summary.requirement_met) == (1, 1)


def test_summary_counts_in_sql_what_the_rows_say_in_python(cycle, school_a, district_admin):
    requirement(cycle, category=C.PRACTICE, level=Level.SCHOOL, min_points="0")  # empty cell
    t = bulk_teachers(school_a, 6)
    award(t[0], points="3", category=C.ETHICS, level=Level.CITY)
    award(t[1], points="1", category=C.ETHICS, level=Level.CITY)
    award(t[1], points="2", category=C.PRACTICE, level=Level.SCHOOL)
    award(t[2], points="0.99", category=C.ETHICS, level=Level.CITY)  # ethics 0.99 < 1
    award(t[2], points="5", category=C.KNOWLEDGE, level=Level.CITY)
    reverse_entry(award(t[3], points="3", category=C.ETHICS, level=Level.CITY), by=district_admin)
    award(t[4], points="2", category=C.ETHICS, level=Level.DISTRICT)
    award(t[4], points="1", category=C.SELF_STUDY, level=Level.CITY)
    # t[5] has no entry at all.
    filters = filters_for(cycle)
    met = [row.teacher.pk for row in report.hr_report_rows(filters) if row.requirement_met]
    assert met == [t[0].pk, t[1].pk, t[4].pk]
    assert report.hr_report_summary(filters).requirement_met == 3


# --- Filters --------------------------------------------------------------------------------


def test_each_filter_narrows(cycle, school_a, school_b, make_user):
    make_user(
        roles.TEACHER, school_a, staff_no="P1", stage=Stage.PRIMARY, title=ProfessionalTitle.FIRST
    )
    make_user(
        roles.TEACHER, school_a, staff_no="P2", stage=Stage.PRIMARY, title=ProfessionalTitle.SECOND
    )
    make_user(
        roles.TEACHER, school_b, staff_no="J1", stage=Stage.JUNIOR, title=ProfessionalTitle.FIRST
    )
    assert set(rows_by_staff_no(filters_for(cycle))) == {"P1", "P2", "J1"}
    assert set(rows_by_staff_no(filters_for(cycle, school_id=school_b.pk))) == {"J1"}
    assert set(rows_by_staff_no(filters_for(cycle, title=ProfessionalTitle.FIRST))) == {"P1", "J1"}
    assert set(rows_by_staff_no(filters_for(cycle, stage=Stage.PRIMARY))) == {"P1", "P2"}
    both = filters_for(cycle, stage=Stage.PRIMARY, title=ProfessionalTitle.FIRST)
    assert set(rows_by_staff_no(both)) == {"P1"}


def test_category_filter_switches_the_point_and_hour_columns(cycle, teacher_a):
    award(teacher_a, points="2", hours="8", category=C.ETHICS, level=Level.CITY)
    award(teacher_a, points="1", hours="3", category=C.PRACTICE, level=Level.SCHOOL)
    row = rows_by_staff_no(filters_for(cycle, category=C.PRACTICE))["TA01"]
    assert (row.points, row.hours) == (D("1"), D("3"))
    assert row.by_level == [D(0), D(0), D("1")]
    assert row.by_category == [D("2"), D(0), D("1"), D(0)]  # every category still shown


def test_cycle_filter_counts_only_that_cycles_entries(cycle, teacher_a):
    later = make_cycle("十六五", starts_on=datetime.date(2031, 1, 1))
    award(teacher_a, points="2", category=C.ETHICS, level=Level.CITY)
    award(teacher_a, points="5", category=C.ETHICS, awarded_on=datetime.date(2031, 3, 1))
    assert rows_by_staff_no(filters_for(cycle))["TA01"].points == D("2")
    assert rows_by_staff_no(filters_for(later))["TA01"].points == D("5")


def test_sort_by_school_and_by_points(cycle, school_a, school_b, teacher_a, teacher_b):
    award(teacher_a, points="1")
    award(teacher_b, points="4")
    order = [row.teacher.staff_no for row in report.hr_report_rows(filters_for(cycle))]
    assert order == ["TA01", "TB01"]  # A001 before B001
    order = [r.teacher.staff_no for r in report.hr_report_rows(filters_for(cycle, sort="-school"))]
    assert order == ["TB01", "TA01"]
    order = [r.teacher.staff_no for r in report.hr_report_rows(filters_for(cycle, sort="-points"))]
    assert order == ["TB01", "TA01"]
    order = [r.teacher.staff_no for r in report.hr_report_rows(filters_for(cycle, sort="points"))]
    assert order == ["TA01", "TB01"]


# --- The page -------------------------------------------------------------------------------


def test_page_shows_rows_summary_and_filters(cycle, hr_user, teacher_a, teacher_b):
    award(teacher_a, points="3", category=C.ETHICS, level=Level.CITY)
    response = client_for(hr_user).get(INDEX_URL, {"school": "A001", "cycle": cycle.pk})
    assert response.status_code == 200
    assert [item["row"].teacher.staff_no for item in response.context["rows"]] == ["TA01"]
    assert response.context["summary"].teachers == 1
    assert response.context["summary"].requirement_met == 1
    content = response.content.decode()
    assert "张老师" in content and "王老师" not in content


def test_page_defaults_to_the_current_cycle(cycle, hr_user, teacher_a):
    make_cycle("十六五", starts_on=datetime.date(2031, 1, 1))
    response = client_for(hr_user).get(INDEX_URL)
    today = datetime.date.today()
    expected = cycle if cycle.starts_on <= today <= cycle.ends_on else None
    if expected is not None:
        assert response.context["filters"].cycle == cycle
    assert response.status_code == 200


def test_bad_filter_values_are_ignored_not_500(cycle, hr_user, teacher_a):
    response = client_for(hr_user).get(
        INDEX_URL,
        {"school": "NOPE", "cycle": "x", "title": "boss", "stage": "<b>", "sort": "pk", "p": "z"},
    )
    assert response.status_code == 200
    filters = response.context["filters"]
    assert (filters.school_id, filters.title, filters.stage, filters.sort) == (
        None,
        "",
        "",
        "school",
    )
    assert response.context["form"].errors  # shown, not swallowed


def test_transcript_link_when_the_transcript_admin_exists(cycle, hr_user, teacher_a):
    response = client_for(hr_user).get(INDEX_URL, {"cycle": cycle.pk})
    link = response.context["rows"][0]["transcript_url"]
    try:
        expected = url("certification_transcripts:detail", args=[teacher_a.pk])
    except NoReverseMatch:
        assert link is None
    else:
        assert link == f"{expected}?cycle={cycle.pk}"


@pytest.mark.parametrize("n", [5, 40])
def test_page_queries_do_not_grow(cycle, hr_user, school_a, n, django_assert_max_num_queries):
    teachers = bulk_teachers(school_a, n, state=S.IN_PROGRESS)
    for teacher in teachers[:5]:
        award(teacher, points="2")
    client = client_for(hr_user)
    client.get(INDEX_URL)  # warm the session and Wagtail's caches
    # 11 of them are the session, permissions and Wagtail menu; 11 are the report, and two
    # read the teacher group's id (coverage.teacher_group_id).
    with django_assert_max_num_queries(22):
        response = client.get(INDEX_URL, {"cycle": cycle.pk, "sort": "-points"})
    assert len(response.context["rows"]) == n


# --- XLSX -----------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_has_chinese_headers_and_the_ledgers_numbers(
    cycle, hr_user, teacher_a, teacher_b, district_admin
):
    award(teacher_a, points="2", hours="8", category=C.ETHICS, level=Level.CITY)
    award(teacher_a, points="1.5", hours="6", category=C.PRACTICE, level=Level.SCHOOL)
    reverse_entry(award(teacher_a, points="7", hours="7"), by=district_admin)
    status_for(teacher_a, S.QUALIFIED)
    response = client_for(hr_user).post(EXPORT_URL, {"cycle": cycle.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == services.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    header = rows[0]
    assert header[:7] == ("工号", "姓名", "学校", "学段", "职称", "学分", "学时")
    assert header[7:14] == ("师德素养", "知识技能", "实践体验", "自主研修", "市级", "区级", "校级")
    by_no = {row[0]: row for row in rows[1:]}
    assert set(by_no) == {"TA01", "TB01"}
    a = by_no["TA01"]
    assert a[1:3] == ("张老师", "青浦区实验小学")
    assert D(str(a[5])) == ledger_points(teacher_a, cycle) == D("3.5")
    assert D(str(a[6])) == D("14")
    assert [D(str(v)) for v in a[7:11]] == [
        ledger_points(teacher_a, cycle, category=c) for c in C.values
    ]
    assert [D(str(v)) for v in a[11:14]] == [
        ledger_points(teacher_a, cycle, level=lv) for lv in Level.values
    ]
    assert a[14:] == ("是", "已具备", "是")
    assert by_no["TB01"][14] == "否"


@pytest.mark.parametrize("n", [5, 40])
def test_export_queries_do_not_grow(cycle, school_a, n, django_assert_max_num_queries):
    teachers = bulk_teachers(school_a, n, state=S.QUALIFIED)
    for teacher in teachers[:5]:
        award(teacher, points="1")
    filters = filters_for(cycle)
    # The teacher group's id, the ids, then teachers, sums, mentor states.
    with django_assert_max_num_queries(5):
        data = services.hr_report_xlsx_bytes(filters)
    assert len(read_xlsx(data)) == n + 1


def test_export_queries_per_chunk_are_constant(cycle, school_a, django_assert_num_queries):
    bulk_teachers(school_a, 25)
    filters = filters_for(cycle)
    chunks = []
    # The teacher group's id and the ids once, then per chunk of 10: teachers, sums, mentor
    # states (3 chunks).
    with django_assert_num_queries(2 + 3 * 3):
        data = services.hr_report_xlsx_bytes(filters, chunk_size=10, on_chunk=chunks.append)
    assert chunks == [10, 20, 25]
    assert len(read_xlsx(data)) == 26


# --- Permissions by URL -------------------------------------------------------------------------


def test_teachers_and_anonymous_are_sent_to_login(cycle, teacher_a):
    for client in (Client(), client_for(teacher_a)):
        response = client.get(INDEX_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(url("login"))
        assert client.post(EXPORT_URL, {"cycle": cycle.pk}).status_code == 302


@pytest.mark.parametrize("role", [roles.LECTURER, roles.REVIEWER])
def test_lecturers_and_reviewers_get_403(cycle, make_user, school_a, teacher_a, role):
    client = client_for(make_user(role, school_a, is_staff=True))
    assert client.get(INDEX_URL).status_code == 403
    assert client.post(EXPORT_URL, {"cycle": cycle.pk}).status_code == 403


def test_school_admin_sees_only_own_school_even_when_asking_for_another(
    cycle, school_admin_a, teacher_a, teacher_b
):
    client = client_for(school_admin_a)
    response = client.get(INDEX_URL, {"school": "B001", "cycle": cycle.pk})
    assert response.status_code == 200
    assert [item["row"].teacher.staff_no for item in response.context["rows"]] == ["TA01"]
    assert "王老师" not in response.content.decode()
    response = client.post(EXPORT_URL, {"school": "B001", "cycle": cycle.pk})
    assert response.status_code == 200
    assert [row[0] for row in read_xlsx(response.content)[1:]] == ["TA01"]


def test_hr_reads_and_exports_but_posts_nothing_else(cycle, hr_user, teacher_a):
    client = client_for(hr_user)
    assert client.get(INDEX_URL).status_code == 200
    assert client.post(EXPORT_URL, {"cycle": cycle.pk}).status_code == 200
    assert client.post(INDEX_URL, {"cycle": cycle.pk}).status_code == 405
    assert client.get(EXPORT_URL).status_code == 405
    job = ReportExport.objects.create(requested_by=hr_user, filters={"cycle": cycle.pk})
    for name in ("export_detail", "export_status", "export_download"):
        assert (
            client.post(url(f"certification_hr_reports:{name}", args=[job.pk])).status_code == 405
        )


def test_export_needs_csrf(cycle, hr_user, teacher_a):
    client = client_for(hr_user, enforce_csrf_checks=True)
    assert client.post(EXPORT_URL, {"cycle": cycle.pk}).status_code == 403


# --- Background export ------------------------------------------------------------------------


@pytest.fixture
def five_teachers(cycle, school_a):
    teachers = bulk_teachers(school_a, 5, state=S.QUALIFIED)
    for teacher in teachers:
        award(teacher, points="2", category=C.ETHICS, level=Level.CITY)
    return teachers


def start_background_export(client, cycle, capture):
    with capture(execute=True):
        response = client.post(EXPORT_URL, {"cycle": cycle.pk, "school": "A001"})
    assert response.status_code == 302
    return ReportExport.objects.get()


def test_large_export_runs_as_a_job(
    cycle, settings, hr_user, five_teachers, django_capture_on_commit_callbacks
):
    settings.HR_EXPORT_INLINE_MAX = 3
    client = client_for(hr_user)
    job = start_background_export(client, cycle, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE
    assert job.processed == job.total == 5
    assert job.requested_by == hr_user
    detail = url("certification_hr_reports:export_detail", args=[job.pk])
    assert client.get(detail).status_code == 200
    status = client.get(url("certification_hr_reports:export_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["running"] is False
    assert status["progress"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    rows = read_xlsx(b"".join(download.streaming_content))
    assert len(rows) == 6
    assert {D(str(row[5])) for row in rows[1:]} == {D("2")}
    # Listed among the person's recent exports.
    assert client.get(INDEX_URL).context["exports"] == [job]


def test_running_the_task_twice_does_not_redo_it(
    cycle, settings, hr_user, five_teachers, django_capture_on_commit_callbacks
):
    settings.HR_EXPORT_INLINE_MAX = 3
    job = start_background_export(client_for(hr_user), cycle, django_capture_on_commit_callbacks)
    name, finished = job.file.name, job.finished_at
    assert hr_report_export(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert (job.file.name, job.finished_at) == (name, finished)
    assert ReportExport.objects.count() == 1


def test_a_queued_job_runs_once_when_its_task_arrives_twice(cycle, hr_user, five_teachers):
    job = ReportExport.objects.create(
        requested_by=hr_user, filters=filters_for(cycle).as_json(), total=5
    )
    assert hr_report_export(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    name = job.file.name
    assert hr_report_export(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.file.name == name
    assert len(read_xlsx(job.file.read())) == 6


def test_a_job_of_a_deleted_cycle_fails_with_a_message(cycle, hr_user):
    job = ReportExport.objects.create(requested_by=hr_user, filters={"cycle": 999999})
    assert hr_report_export(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error and job.finished_at is not None


def test_another_users_export_is_404(
    cycle, settings, hr_user, make_user, district_admin, five_teachers,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.HR_EXPORT_INLINE_MAX = 3
    job = start_background_export(client_for(hr_user), cycle, django_capture_on_commit_callbacks)
    other = client_for(make_user(roles.HR, None, staff_no="HR02"))
    for name in ("export_detail", "export_status", "export_download"):
        assert other.get(url(f"certification_hr_reports:{name}", args=[job.pk])).status_code == 404
    assert other.get(INDEX_URL).context["exports"] == []
    admin = client_for(district_admin)
    download = url("certification_hr_reports:export_download", args=[job.pk])
    assert admin.get(download).status_code == 200


def test_school_admin_export_is_written_at_once(cycle, settings, school_admin_a, five_teachers):
    settings.HR_EXPORT_INLINE_MAX = 3  # no export permission: one school is written at once
    response = client_for(school_admin_a).post(EXPORT_URL, {"cycle": cycle.pk})
    assert response.status_code == 200
    assert len(read_xlsx(response.content)) == 6
    assert not ReportExport.objects.exists()


def test_a_job_not_done_has_no_download(cycle, hr_user):
    job = ReportExport.objects.create(requested_by=hr_user, filters={"cycle": cycle.pk})
    client = client_for(hr_user)
    assert client.get(url("certification_hr_reports:export_status", args=[job.pk])).json()[
        "running"
    ]
    download = url("certification_hr_reports:export_download", args=[job.pk])
    assert client.get(download).status_code == 404
    detail = client.get(url("certification_hr_reports:export_detail", args=[job.pk]))
    assert detail.status_code == 200
    content = detail.content.decode()
    assert 'id="export-progress-bar"' in content and download not in content


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_runs_on_a_real_worker(celery_worker_process):
    school = SchoolFactory(code="W008", name="青浦区工作进程小学")
    hr = UserFactory(staff_no="WHR8", school=None, roles=[roles.HR])
    teachers = bulk_teachers(school, 5, state=S.QUALIFIED)
    for teacher in teachers:
        award(teacher, points="2", category=C.ETHICS, level=Level.CITY)
    filters = report.HRReportFilters(cycle=default_cycle(), school_id=school.pk)
    job = services.report_export_create(requested_by=hr, filters=filters)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.2)
    assert job.status == JobStatus.DONE, job.error
    assert job.processed == job.total == 5
    assert len(read_xlsx(job.file.read())) == 6
    assert "certification.hr_report_export" in celery_worker_process["log"].read_text()
