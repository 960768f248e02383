"""Bulk certificate generation: set-based issuing of what a school's or cycle's teachers are
owed, the batch job (progress, resume, regenerate, failures) and its district-admin screens."""

import datetime
import subprocess
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    Certificate,
    CertificateBatch,
    CertificateKind,
    CertificateSerial,
    JobStatus,
)
from certification.models.qualification import QualificationState
from certification.pdf import CJKFontMissing
from certification.services import certificate_bulk as bulk
from certification.services.certificates import certificate_issue, next_serials
from courses.choices import EnrollmentStatus
from people import roles
from tests.conftest import PASSWORD
from tests.factories.certification import default_cycle
from tests.factories.courses import enroll, make_course

from .readiness_helpers import status_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
INDEX = "certification_certificate_batches:index"


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def complete(user, course, when=None):
    return enroll(
        user,
        course,
        status=EnrollmentStatus.COMPLETED,
        progress=100,
        completed_at=when or shanghai(2026, 3, 5, 10, 0),
    )


def serial_number(serial: str) -> int:
    return int(serial.rsplit("-", 1)[1])


def mark_rendered(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=f"certificates/2026/{certificate.serial}.pdf",
        rendered_version=F("content_version"),
        rendered_at=timezone.now(),
    )


@pytest.fixture
def fake_render(monkeypatch):
    """Stands in for certificate_render where the PDF itself is not the point: marks the row
    rendered as the real one does, and records which certificates it was asked for."""
    calls = []

    def render(certificate, *, force=False):
        calls.append(certificate.pk)
        if force or certificate.needs_render:
            mark_rendered(certificate)
        return certificate

    monkeypatch.setattr("certification.services.certificate_pdf.certificate_render", render)
    return calls


@pytest.fixture
def owed_school_a(db, make_user, school_a, school_b):
    """School A: three teachers with four completions between them and one qualified; plus
    what is not owed (an unfinished course, a teacher in progress, school B's teacher)."""
    first, second = make_course(title="心理健康教育基础"), make_course(title="家校沟通", hours=2)
    teachers = [
        make_user(roles.TEACHER, school_a, staff_no=f"BK{n}", full_name=f"批量{n}")
        for n in range(3)
    ]
    complete(teachers[0], first)
    complete(teachers[0], second, shanghai(2026, 4, 1, 9, 0))
    complete(teachers[1], first)
    complete(teachers[2], second)
    enroll(make_user(roles.TEACHER, school_a, staff_no="BK9"), first)  # still learning
    complete(make_user(roles.TEACHER, school_b, staff_no="BKB"), first)  # other school
    status_for(teachers[1], QualificationState.QUALIFIED)
    status_for(teachers[2], QualificationState.IN_PROGRESS)
    return {"teachers": teachers, "courses": (first, second)}


# --- Issuing --------------------------------------------------------------------------------


def test_next_serials_is_a_consecutive_block_after_the_counter(db):
    CertificateSerial.objects.create(year=2026, last=7)
    assert next_serials(2026, 3) == ["QP-2026-000008", "QP-2026-000009", "QP-2026-000010"]
    assert next_serials(2026, 0) == []
    assert CertificateSerial.objects.get(year=2026).last == 10


def test_school_scope_issues_exactly_the_owed_certificates(owed_school_a, school_a):
    teachers = owed_school_a["teachers"]
    first, second = owed_school_a["courses"]

    result = bulk.certificates_issue_bulk(
        school=school_a, kinds=[CertificateKind.COURSE, CertificateKind.QUALIFICATION]
    )

    assert result.issued == {CertificateKind.COURSE: 4, CertificateKind.QUALIFICATION: 1}
    certificates = Certificate.objects.order_by("pk")
    assert {(c.holder_id, c.kind, c.subject_key) for c in certificates} == {
        (teachers[0].pk, "course", f"course:{first.pk}"),
        (teachers[0].pk, "course", f"course:{second.pk}"),
        (teachers[1].pk, "course", f"course:{first.pk}"),
        (teachers[2].pk, "course", f"course:{second.pk}"),
        (teachers[1].pk, "qualification", "mentor:2026-03-01"),
    }
    numbers = sorted(serial_number(c.serial) for c in certificates)
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    course_certificate = certificates.get(holder=teachers[0], subject_key=f"course:{second.pk}")
    assert course_certificate.title == "家校沟通"
    assert course_certificate.hours == Decimal("2")
    assert course_certificate.points == Decimal("0.5")
    assert course_certificate.issued_on == datetime.date(2026, 4, 1)
    assert course_certificate.holder_name == "批量0"
    assert course_certificate.school_name == school_a.name
    assert len({c.code for c in certificates}) == 5
    qualification = certificates.get(kind="qualification")
    assert qualification.expires_on == datetime.date(2029, 3, 1)

    again = bulk.certificates_issue_bulk(
        school=school_a, kinds=[CertificateKind.COURSE, CertificateKind.QUALIFICATION]
    )
    assert again.issued == {CertificateKind.COURSE: 0, CertificateKind.QUALIFICATION: 0}
    assert Certificate.objects.count() == 5


def test_a_renewal_moves_the_expiry_of_the_same_certificate(owed_school_a, school_a):
    teacher = owed_school_a["teachers"][1]
    bulk.certificates_issue_bulk(school=school_a, kinds=["qualification"])
    before = Certificate.objects.get(holder=teacher, kind="qualification")
    status_for(teacher, QualificationState.QUALIFIED, expires_on=datetime.date(2032, 3, 1))

    result = bulk.certificates_issue_bulk(school=school_a, kinds=["qualification"])

    after = Certificate.objects.get(holder=teacher, kind="qualification")
    assert result.issued == {CertificateKind.QUALIFICATION: 0} and result.renewed == 1
    assert (after.pk, after.serial, after.code) == (before.pk, before.serial, before.code)
    assert after.expires_on == datetime.date(2032, 3, 1)
    assert after.content_version == before.content_version + 1 and after.needs_render


def test_cycle_scope_respects_the_cycle_dates_in_shanghai_time(db, make_user, school_a, school_b):
    cycle = default_cycle()  # 2026-01-01 … 2030-12-31
    course = make_course()
    inside_a = make_user(roles.TEACHER, school_a, staff_no="CY1")
    inside_b = make_user(roles.TEACHER, school_b, staff_no="CY2")
    before = make_user(roles.TEACHER, school_a, staff_no="CY3")
    complete(inside_a, course, shanghai(2026, 1, 1, 0, 30))  # 2025-12-31 in UTC
    complete(inside_b, course, shanghai(2030, 12, 31, 23, 0))
    complete(before, course, shanghai(2025, 12, 31, 23, 30))
    status_for(inside_a, QualificationState.EXPIRING)
    status_for(before, QualificationState.QUALIFIED, qualified_on=datetime.date(2025, 6, 1))

    result = bulk.certificates_issue_bulk(
        cycle=cycle, kinds=[CertificateKind.COURSE, CertificateKind.QUALIFICATION]
    )

    assert result.issued == {CertificateKind.COURSE: 2, CertificateKind.QUALIFICATION: 1}
    assert set(Certificate.objects.values_list("holder__staff_no", "kind")) == {
        ("CY1", "course"),
        ("CY2", "course"),
        ("CY1", "qualification"),
    }
    # Both conditions when both are set.
    Certificate.objects.all().delete()
    both = bulk.certificates_issue_bulk(school=school_b, cycle=cycle, kinds=["course"])
    assert both.issued == {CertificateKind.COURSE: 1}


def test_a_key_taken_after_the_check_falls_back_to_one_by_one(owed_school_a, school_a, monkeypatch):
    """The race with a single issue: the pre-check missed a certificate that exists, so the
    chunk's insert hits the natural key, rolls back (serials too) and is issued row by row."""
    teachers = owed_school_a["teachers"]
    first = owed_school_a["courses"][0]
    taken = certificate_issue(
        holder=teachers[1],
        kind=CertificateKind.COURSE,
        subject_key=f"course:{first.pk}",
        title=first.title,
        issued_on=datetime.date(2026, 3, 5),
    ).certificate
    monkeypatch.setattr(bulk, "_held_course_keys", lambda teachers: set())

    result = bulk.certificates_issue_bulk(school=school_a, kinds=[CertificateKind.COURSE])

    assert result.issued == {CertificateKind.COURSE: 3}
    assert Certificate.objects.filter(kind="course").count() == 4
    assert Certificate.objects.get(holder=teachers[1], kind="course").pk == taken.pk
    numbers = sorted(serial_number(s) for s in Certificate.objects.values_list("serial", flat=True))
    assert numbers == [1, 2, 3, 4]  # the rolled-back block's numbers were given back


def test_bulk_and_single_issue_never_duplicate(owed_school_a, school_a):
    from certification.services.certificates import (
        course_certificate_issue,
        qualification_certificate_issue,
    )

    teachers = owed_school_a["teachers"]
    first, second = owed_school_a["courses"]
    status = teachers[1].qualification_statuses.get()
    # Single first, then bulk.
    single = course_certificate_issue(
        user=teachers[0], course=first, completed_on=datetime.date(2026, 3, 5)
    )
    single_qualification = qualification_certificate_issue(status=status)
    result = bulk.certificates_issue_bulk(school=school_a, kinds=["course", "qualification"])
    assert result.issued == {CertificateKind.COURSE: 3, CertificateKind.QUALIFICATION: 0}
    assert Certificate.objects.count() == 5
    # Bulk first, then single: the single path finds the rows bulk wrote.
    bulk_made = Certificate.objects.get(holder=teachers[2], kind="course")
    again = course_certificate_issue(
        user=teachers[2], course=second, completed_on=datetime.date(2026, 3, 5)
    )
    assert not again.created and again.certificate.pk == bulk_made.pk
    assert not qualification_certificate_issue(status=status).created
    assert Certificate.objects.count() == 5
    # Same values either way.
    for issued in (single.certificate, single_qualification.certificate):
        issued.refresh_from_db()
    bulk_course = Certificate.objects.get(holder=teachers[1], subject_key=f"course:{first.pk}")
    fields = ("kind", "title", "hours", "points", "course_id", "issued_on", "expires_on")
    assert [getattr(bulk_course, f) for f in fields] == [
        getattr(single.certificate, f) for f in fields
    ]


def _issue_queries(school) -> int:
    with CaptureQueriesContext(connection) as queries:
        bulk.certificates_issue_bulk(school=school, kinds=["course", "qualification"])
    return len(queries)


def _owed_teachers(make_user, school, course, n, prefix):
    for number in range(n):
        teacher = make_user(roles.TEACHER, school, staff_no=f"{prefix}{number:03d}")
        complete(teacher, course)
        status_for(teacher, QualificationState.QUALIFIED)


def test_issuing_queries_do_not_grow_with_the_number_of_teachers(
    db, make_user, school_a, school_b, django_assert_max_num_queries
):
    course = make_course()
    _owed_teachers(make_user, school_a, course, 3, "QA")
    _owed_teachers(make_user, school_b, course, 30, "QB")

    small = _issue_queries(school_a)
    with django_assert_max_num_queries(small):
        bulk.certificates_issue_bulk(school=school_b, kinds=["course", "qualification"])
    assert Certificate.objects.filter(holder__school=school_b).count() == 60
    assert small <= 27  # with the test transaction's savepoints; per kind, not per teacher


# --- The batch job ------------------------------------------------------------------------


def _run_batch(django_capture_on_commit_callbacks, **fields):
    fields.setdefault("kinds", ["course", "qualification"])
    fields.setdefault("regenerate", False)
    fields.setdefault("school", None)
    fields.setdefault("cycle", None)
    with django_capture_on_commit_callbacks(execute=True):
        batch = bulk.certificate_batch_create(requested_by=None, **fields)
    batch.refresh_from_db()
    return batch


def test_a_batch_issues_renders_and_reaches_100_percent(
    owed_school_a, school_a, fake_render, django_capture_on_commit_callbacks
):
    batch = _run_batch(django_capture_on_commit_callbacks, school=school_a)

    assert batch.status == JobStatus.DONE
    assert batch.total == batch.processed == 5
    assert batch.progress_percent == 100
    assert batch.summary["issued"] == {"course": 4, "qualification": 1}
    assert batch.summary["rendered"] == 5 and batch.summary["failed"] == 0
    assert not any(c.needs_render for c in Certificate.objects.all())

    # Run twice: a finished batch returns at once.
    fake_render.clear()
    assert bulk.certificate_batch_run(batch_id=batch.pk).status == JobStatus.DONE
    assert fake_render == []
    # A new batch of the same scope has nothing left to issue or render.
    second = _run_batch(django_capture_on_commit_callbacks, school=school_a)
    assert second.summary["issued"] == {"course": 0, "qualification": 0}
    assert second.total == 0 and second.progress_percent == 100


def test_a_crashed_batch_resumes_where_it_stopped(
    owed_school_a, school_a, fake_render, django_capture_on_commit_callbacks
):
    bulk.certificates_issue_bulk(school=school_a, kinds=["course", "qualification"])
    done_before = list(Certificate.objects.order_by("pk")[:2])
    for certificate in done_before:
        mark_rendered(certificate)
    batch = CertificateBatch.objects.create(
        school=school_a,
        kinds=["course", "qualification"],
        status=JobStatus.RUNNING,
        processed=2,
        total=5,
        summary={"started_at": timezone.now().isoformat(), "rendered": 2, "failed": 0},
    )
    fake_render.clear()

    batch = bulk.certificate_batch_run(batch_id=batch.pk)

    assert batch.status == JobStatus.DONE
    assert sorted(fake_render) == sorted(
        Certificate.objects.exclude(pk__in=[c.pk for c in done_before]).values_list("pk", flat=True)
    )
    assert batch.processed == batch.total == 5
    assert batch.summary["rendered"] == 5


def test_a_run_out_of_time_stops_after_a_chunk_and_the_next_run_goes_on(
    owed_school_a, school_a, fake_render, monkeypatch
):
    monkeypatch.setattr(bulk, "RENDER_CHUNK_SIZE", 2)
    batch = CertificateBatch.objects.create(school=school_a, kinds=["course", "qualification"])

    progress = []
    for _ in range(3):
        batch = bulk.certificate_batch_run(batch_id=batch.pk, time_budget=0)
        progress.append((batch.status, batch.processed, batch.total))

    assert progress == [
        (JobStatus.RUNNING, 2, 5),
        (JobStatus.RUNNING, 4, 5),
        (JobStatus.DONE, 5, 5),
    ]
    assert batch.summary["issued"] == {"course": 4, "qualification": 1}  # issued once
    assert sorted(fake_render) == sorted(Certificate.objects.values_list("pk", flat=True))


def test_the_task_queues_the_rest_of_a_batch_after_each_slice(
    owed_school_a, school_a, fake_render, monkeypatch, django_capture_on_commit_callbacks
):
    from certification import batch_tasks

    monkeypatch.setattr(bulk, "RENDER_CHUNK_SIZE", 2)
    monkeypatch.setattr(batch_tasks, "slice_seconds", lambda: 0)

    batch = _run_batch(django_capture_on_commit_callbacks, school=school_a)

    assert batch.status == JobStatus.DONE
    assert batch.processed == batch.total == 5 and batch.summary["rendered"] == 5
    assert len(fake_render) == 5


def test_regenerate_renders_again_and_a_resumed_one_skips_what_it_did(
    owed_school_a, school_a, fake_render, django_capture_on_commit_callbacks
):
    _run_batch(django_capture_on_commit_callbacks, school=school_a)
    before = {c.pk: (c.serial, c.code, c.rendered_at) for c in Certificate.objects.all()}
    fake_render.clear()

    regenerated = _run_batch(django_capture_on_commit_callbacks, school=school_a, regenerate=True)

    assert regenerated.status == JobStatus.DONE and regenerated.total == 5
    for certificate in Certificate.objects.all():
        serial, code, rendered_at = before[certificate.pk]
        assert (certificate.serial, certificate.code) == (serial, code)
        assert certificate.rendered_at > rendered_at
    # Resume of a regenerate batch: rendered since it started are not redone.
    started = timezone.now()
    redone = Certificate.objects.order_by("pk").first()
    Certificate.objects.filter(pk=redone.pk).update(rendered_at=timezone.now())
    crashed = CertificateBatch.objects.create(
        school=school_a,
        kinds=["course", "qualification"],
        regenerate=True,
        status=JobStatus.RUNNING,
        summary={"started_at": started.isoformat()},
    )
    fake_render.clear()
    bulk.certificate_batch_run(batch_id=crashed.pk)
    assert len(fake_render) == 4 and redone.pk not in fake_render


def test_a_missing_cjk_font_fails_the_batch_with_its_message(
    owed_school_a, school_a, monkeypatch, django_capture_on_commit_callbacks
):
    def no_font(certificate, *, force=False):
        raise CJKFontMissing("未找到中文字体（Noto CJK），无法生成证书 PDF。")

    monkeypatch.setattr("certification.services.certificate_pdf.certificate_render", no_font)

    batch = _run_batch(django_capture_on_commit_callbacks, school=school_a)

    assert batch.status == JobStatus.FAILED
    assert "未找到中文字体" in batch.error
    assert batch.finished_at is not None
    assert Certificate.objects.count() == 5  # issued; their PDFs wait for the font


def test_an_unexpected_error_fails_the_batch_without_raising(
    db, school_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("数据库不可用")

    monkeypatch.setattr(bulk, "certificates_issue_bulk", broken)

    batch = _run_batch(django_capture_on_commit_callbacks, school=school_a)

    assert batch.status == JobStatus.FAILED
    assert "数据库不可用" in batch.error


def test_one_certificate_that_fails_to_render_is_listed_and_the_rest_go_on(
    owed_school_a, school_a, fake_render, monkeypatch, django_capture_on_commit_callbacks
):
    from certification.services import certificate_pdf

    real_fake = certificate_pdf.certificate_render
    broken = {}

    def sometimes(certificate, *, force=False):
        if not broken:
            broken["serial"] = certificate.serial
            raise ValueError("模板错误")
        return real_fake(certificate, force=force)

    monkeypatch.setattr(certificate_pdf, "certificate_render", sometimes)

    batch = _run_batch(django_capture_on_commit_callbacks, school=school_a)

    assert batch.status == JobStatus.DONE
    assert batch.summary["rendered"] == 4 and batch.summary["failed"] == 1
    assert batch.summary["failures"] == [{"serial": broken["serial"], "reason": "模板错误"}]
    assert batch.processed == batch.total == 5


def test_a_broker_outage_leaves_the_batch_queued_for_a_resume(
    db, school_a, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerError

    from certification import batch_tasks

    def broker_down(*args, **kwargs):
        raise BrokerError("redis unreachable")

    monkeypatch.setattr(batch_tasks.certificate_batch_run_task, "delay", broker_down)

    batch = _run_batch(django_capture_on_commit_callbacks, school=school_a)

    assert batch.status == JobStatus.PENDING
    later = timezone.now() + bulk.STALLED_AFTER + datetime.timedelta(minutes=1)
    assert bulk.batch_is_stalled(batch, now=later)


def test_a_second_batch_of_the_same_scope_is_refused_while_one_runs(db, school_a):
    CertificateBatch.objects.create(school=school_a, kinds=["course"], status=JobStatus.RUNNING)
    with pytest.raises(bulk.BatchAlreadyRunning):
        bulk.certificate_batch_create(
            school=school_a, cycle=None, kinds=["course"], regenerate=False, requested_by=None
        )
    assert CertificateBatch.objects.count() == 1


def test_transcripts_are_issued_one_per_teacher_for_the_current_cycle(
    owed_school_a, school_a, fake_render
):
    result = bulk.certificates_issue_bulk(school=school_a, kinds=["transcript"])

    # Four active staff of school A (the three teachers and the one still learning).
    assert result.issued == {CertificateKind.TRANSCRIPT: 4}
    transcripts = Certificate.objects.filter(kind="transcript")
    assert {t.cycle_id for t in transcripts} == {default_cycle().pk}
    again = bulk.certificates_issue_bulk(school=school_a, kinds=["transcript"])
    assert again.issued == {CertificateKind.TRANSCRIPT: 0}


# --- Real PDFs end to end -----------------------------------------------------------------------


def test_a_batch_renders_real_pdfs_and_regenerates_them(
    db, make_user, school_a, django_capture_on_commit_callbacks
):
    teacher = make_user(roles.TEACHER, school_a, staff_no="PDF1", full_name="陈思远")
    complete(teacher, make_course(title="学生心理危机识别与上报"))

    first = _run_batch(django_capture_on_commit_callbacks, school=school_a, kinds=["course"])

    assert first.status == JobStatus.DONE, first.error
    certificate = Certificate.objects.get(holder=teacher)
    assert certificate.pdf and not certificate.needs_render
    text = subprocess.run(
        ["pdftotext", certificate.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "陈思远" in text and certificate.serial in text
    serial, code, rendered_at = certificate.serial, certificate.code, certificate.rendered_at

    again = _run_batch(
        django_capture_on_commit_callbacks, school=school_a, kinds=["course"], regenerate=True
    )

    assert again.status == JobStatus.DONE and again.summary["rendered"] == 1
    certificate.refresh_from_db()
    assert (certificate.serial, certificate.code) == (serial, code)
    assert certificate.rendered_at > rendered_at
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    # Media outlives the test database: leave no file for a later test's serial 000001.
    certificate.pdf.storage.delete(certificate.pdf.name)


# --- Admin screens ------------------------------------------------------------------------


def _client(client, user):
    client.login(username=user.staff_no, password=PASSWORD)
    return client


@pytest.mark.parametrize("who", ["hr_user", "school_admin_a"])
def test_hr_and_school_admins_cannot_open_or_post_the_batch_screen(request, client, who, school_a):
    user = request.getfixturevalue(who)
    batch = CertificateBatch.objects.create(school=school_a, kinds=["course"])
    _client(client, user)
    assert client.get(reverse(INDEX)).status_code == 403
    response = client.post(reverse(INDEX), {"school": school_a.pk, "kinds": ["course"]})
    assert response.status_code == 403
    detail = reverse("certification_certificate_batches:detail", args=[batch.pk])
    assert client.get(detail).status_code == 403
    assert client.get(detail + "status/").status_code == 403
    assert CertificateBatch.objects.count() == 1


def test_teachers_and_anonymous_are_sent_to_the_login(client, teacher_a, school_a):
    assert client.get(reverse(INDEX)).status_code == 302
    _client(client, teacher_a)
    response = client.post(reverse(INDEX), {"school": school_a.pk, "kinds": ["course"]})
    assert response.status_code == 302
    assert not CertificateBatch.objects.exists()


def test_the_district_admin_starts_a_batch_and_follows_it(
    client,
    district_admin,
    owed_school_a,
    school_a,
    fake_render,
    django_capture_on_commit_callbacks,
):
    _client(client, district_admin)
    page = client.get(reverse(INDEX))
    assert page.status_code == 200
    assert set(page.context["form"]["kinds"].initial) == set(CertificateKind.values)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(INDEX), {"school": school_a.pk, "kinds": ["course", "qualification"]}
        )

    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certification_certificate_batches:detail", args=[batch.pk]
    )
    # Eager Celery ran it on commit.
    batch.refresh_from_db()
    assert batch.status == JobStatus.DONE, batch.error
    status = client.get(reverse("certification_certificate_batches:status", args=[batch.pk]))
    assert status.json() == {
        "status": "done",
        "label": str(JobStatus.DONE.label),
        "running": False,
        "progress": 100,
        "processed_rows": 5,
        "total_rows": 5,
    }
    detail = client.get(reverse("certification_certificate_batches:detail", args=[batch.pk]))
    assert detail.status_code == 200
    assert detail.context["summary"]["rendered"] == 5


def test_a_running_batch_shows_its_progress(client, district_admin, school_a):
    batch = CertificateBatch.objects.create(
        school=school_a, kinds=["course"], status=JobStatus.RUNNING, processed=2, total=5
    )
    _client(client, district_admin)

    page = client.get(reverse("certification_certificate_batches:detail", args=[batch.pk]))
    status = client.get(reverse("certification_certificate_batches:status", args=[batch.pk]))

    assert page.status_code == 200
    assert b'id="batch-progress-bar"' in page.content and b"2 / 5" in page.content
    assert status.json()["progress"] == 40 and status.json()["running"] is True


def test_a_stalled_batch_can_be_resumed_by_the_district_admin(
    client,
    district_admin,
    owed_school_a,
    school_a,
    fake_render,
    django_capture_on_commit_callbacks,
):
    batch = CertificateBatch.objects.create(
        school=school_a, kinds=["course", "qualification"], status=JobStatus.RUNNING
    )
    resume = reverse("certification_certificate_batches:resume", args=[batch.pk])
    detail = reverse("certification_certificate_batches:detail", args=[batch.pk])
    _client(client, district_admin)

    # Still making progress: no button, and a POST queues nothing.
    assert not client.get(detail).context["may_resume"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resume)
    batch.refresh_from_db()
    assert batch.status == JobStatus.RUNNING and fake_render == []

    CertificateBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert client.get(detail).context["may_resume"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resume).status_code == 302
    batch.refresh_from_db()
    assert batch.status == JobStatus.DONE and batch.processed == 5


def test_only_the_district_admin_may_resume(client, hr_user, school_a):
    batch = CertificateBatch.objects.create(school=school_a, kinds=["course"])
    CertificateBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    _client(client, hr_user)
    response = client.post(reverse("certification_certificate_batches:resume", args=[batch.pk]))
    assert response.status_code == 403


def test_the_form_needs_a_scope_and_refuses_a_second_running_batch(
    client, district_admin, school_a
):
    _client(client, district_admin)
    response = client.post(reverse(INDEX), {"kinds": ["course"]})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not CertificateBatch.objects.exists()

    CertificateBatch.objects.create(school=school_a, kinds=["course"], status=JobStatus.RUNNING)
    response = client.post(reverse(INDEX), {"school": school_a.pk, "kinds": ["course"]})
    assert response.status_code == 200
    assert "已有批次正在进行" in " ".join(response.context["form"].non_field_errors())
    assert CertificateBatch.objects.count() == 1


def test_the_batch_post_needs_csrf(district_admin, school_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username=district_admin.staff_no, password=PASSWORD)
    response = client.post(reverse(INDEX), {"school": school_a.pk, "kinds": ["course"]})
    assert response.status_code == 403
    assert not CertificateBatch.objects.exists()


def test_the_batch_list_has_constant_queries(
    client, district_admin, school_a, django_assert_max_num_queries
):
    _client(client, district_admin)
    CertificateBatch.objects.create(school=school_a, kinds=["course"], status=JobStatus.DONE)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(INDEX)).status_code == 200
    for _ in range(10):
        CertificateBatch.objects.create(school=school_a, kinds=["course"], status=JobStatus.DONE)
    with django_assert_max_num_queries(len(one)):
        assert client.get(reverse(INDEX)).status_code == 200


# --- A real worker (tier 2) ---------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_runs_on_the_worker(celery_worker_process, make_user, school_a):
    teachers = [make_user(roles.TEACHER, school_a, staff_no=f"WK{n}") for n in range(2)]
    course = make_course()
    for teacher in teachers:
        complete(teacher, course)

    batch = bulk.certificate_batch_create(
        school=school_a, cycle=None, kinds=["course"], regenerate=False, requested_by=None
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if not batch.is_running:
            break
        time.sleep(0.3)
    assert batch.status == JobStatus.DONE, batch.error
    assert batch.processed == batch.total == 2
    rendered = list(Certificate.objects.filter(holder__in=teachers))
    assert all(c.pdf for c in rendered)
    for certificate in rendered:
        certificate.pdf.storage.delete(certificate.pdf.name)
    assert "certification.certificate_batch_run" in celery_worker_process["log"].read_text()
