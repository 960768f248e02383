"""Automatic issuing: a completed course gets one 结业证书, a reached qualification one
导师资格证明 whose expiry follows renewals (same serial and code), a revoked qualification
revokes its certificate; serials run in order per year; renders are queued on commit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from certification.certificate_tasks import render_certificate
from certification.models import Certificate, CertificateKind
from certification.services.certificates import (
    CODE_ALPHABET,
    course_certificate_issue,
    qualification_certificate_issue,
)
from certification.services.qualification import (
    qualification_recompute,
    qualification_revoke,
    qualification_unrevoke,
)
from courses.models import CoursePage, LessonPage
from courses.services.completion import course_evaluation_submit, lesson_viewed
from courses.signals import course_completed
from people import roles
from tests.factories.certification import award
from tests.factories.courses import enroll, make_course
from tests.factories.qualification import course_credit, course_req, only_standard

pytestmark = pytest.mark.django_db

QUALIFIED_ON = datetime.date(2026, 3, 5)
EXPIRES_ON = datetime.date(2029, 3, 5)


@pytest.fixture
def no_render_on_issue(settings):
    settings.CERTIFICATE_RENDER_ON_ISSUE = False


def send_completed(user, course, completed_at):
    course_completed.send(
        sender=CoursePage, user=user, course=course, enrollment=None, completed_at=completed_at
    )


def test_completing_a_course_issues_one_certificate(teacher_a, no_render_on_issue):
    course = make_course(lessons=0, title="学生心理危机识别与上报", hours=Decimal("2"))
    # 23:30 UTC is the next day in Shanghai: the certificate carries the local day.
    completed_at = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC)
    for _ in range(2):
        send_completed(teacher_a, course, completed_at)
    certificate = Certificate.objects.get()
    assert certificate.kind == CertificateKind.COURSE
    assert (certificate.holder, certificate.course_id) == (teacher_a, course.pk)
    assert certificate.subject_key == f"course:{course.pk}"
    assert certificate.title == "学生心理危机识别与上报"
    assert (certificate.hours, certificate.points) == (Decimal("2"), Decimal("0.5"))
    assert certificate.issued_on == datetime.date(2026, 3, 5)
    assert (certificate.holder_name, certificate.school_name) == ("张老师", "青浦区实验小学")
    assert certificate.expires_on is None and certificate.needs_render


def test_completing_through_the_service_issues_the_certificate(teacher_a, no_render_on_issue):
    course = make_course(lessons=1)
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=LessonPage.objects.child_of(course).get())
    assert not Certificate.objects.exists()
    course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="很实用")
    certificate = Certificate.objects.get(holder=teacher_a)
    assert certificate.issued_on == timezone.localdate()


def test_the_render_is_queued_on_commit_and_only_once(
    teacher_a, django_capture_on_commit_callbacks, monkeypatch
):
    rendered = []
    monkeypatch.setattr(
        "certification.certificate_tasks.certificate_render",
        lambda certificate, force=False: rendered.append(certificate.pk) or certificate,
    )
    course = make_course(lessons=0)
    with django_capture_on_commit_callbacks(execute=True):
        send_completed(teacher_a, course, timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        send_completed(teacher_a, course, timezone.now())
    assert rendered == [Certificate.objects.get().pk]


def test_no_render_on_issue_when_switched_off(
    teacher_a, django_capture_on_commit_callbacks, monkeypatch, no_render_on_issue
):
    rendered = []
    monkeypatch.setattr(
        "certification.certificate_tasks.certificate_render",
        lambda certificate, force=False: rendered.append(certificate.pk) or certificate,
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_completed(teacher_a, make_course(lessons=0), timezone.now())
    assert Certificate.objects.count() == 1 and rendered == []


def test_serials_run_in_order_and_codes_are_unique(teacher_a, teacher_b):
    certificates = [
        course_certificate_issue(
            user=user, course=make_course(lessons=0), completed_on=datetime.date(2026, 5, n)
        ).certificate
        for n, user in enumerate([teacher_a, teacher_b, teacher_a], start=1)
    ]
    assert [c.serial for c in certificates] == [
        "QP-2026-000001",
        "QP-2026-000002",
        "QP-2026-000003",
    ]
    # Another year has its own counter.
    later = course_certificate_issue(
        user=teacher_b, course=make_course(lessons=0), completed_on=datetime.date(2027, 1, 2)
    ).certificate
    assert later.serial == "QP-2027-000001"
    codes = [c.code for c in [*certificates, later]]
    assert len(set(codes)) == 4
    assert all(len(code) >= 20 and set(code) <= set(CODE_ALPHABET) for code in codes)


def test_issuing_again_finds_the_same_certificate(teacher_a):
    course = make_course(lessons=0)
    first = course_certificate_issue(user=teacher_a, course=course, completed_on=QUALIFIED_ON)
    again = course_certificate_issue(
        user=teacher_a, course=course, completed_on=datetime.date(2026, 9, 1)
    )
    assert first.created and not again.created
    assert again.certificate.pk == first.certificate.pk
    assert Certificate.objects.count() == 1


# --- Qualification ----------------------------------------------------------------------------


@pytest.fixture
def qualified(make_user, school_a):
    """A teacher who met the only requirement on QUALIFIED_ON; renewal needs 8 hours."""
    teacher = make_user(roles.TEACHER, school_a, staff_no="T300", full_name="陈思远")
    course = make_course(lessons=0)
    only_standard(
        requirements=[course_req(course)],
        name="导师上岗资格",
        validity_months=36,
        renewal_hours=8,
    )
    award(teacher, **course_credit(course, awarded_on=QUALIFIED_ON))
    return teacher


def qualification_certificates(user):
    return list(
        Certificate.objects.filter(holder=user, kind=CertificateKind.QUALIFICATION).order_by("pk")
    )


def test_reaching_the_qualification_issues_one_certificate(qualified, no_render_on_issue):
    for _run in range(2):
        qualification_recompute(today=datetime.date(2026, 6, 1))
    [certificate] = qualification_certificates(qualified)
    assert certificate.title == "导师上岗资格" and certificate.standard_code == "t"
    assert certificate.subject_key == "t:2026-03-05"
    assert certificate.issued_on == QUALIFIED_ON and certificate.expires_on == EXPIRES_ON
    assert certificate.details == {"qualified_on": "2026-03-05"}
    assert certificate.content_version == 1
    assert certificate.holder_name == "陈思远"


def test_not_qualified_issues_nothing(make_user, school_a, no_render_on_issue):
    teacher = make_user(roles.TEACHER, school_a, staff_no="T301")
    only_standard(requirements=[course_req(make_course(lessons=0))])
    qualification_recompute(today=datetime.date(2026, 6, 1))
    assert teacher.qualification_statuses.get().state == "not_started"
    assert not Certificate.objects.exists()


def test_renewal_moves_the_expiry_of_the_same_certificate(
    qualified, django_capture_on_commit_callbacks, monkeypatch
):
    rendered = []
    monkeypatch.setattr(
        "certification.certificate_tasks.certificate_render",
        lambda certificate, force=False: (
            rendered.append(certificate.content_version) or certificate
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        qualification_recompute(today=datetime.date(2026, 6, 1))
    [before] = qualification_certificates(qualified)
    award(qualified, hours="8", mentor_topic=True, awarded_on=datetime.date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        qualification_recompute(today=datetime.date(2027, 1, 2))
    [after] = qualification_certificates(qualified)
    assert (after.pk, after.serial, after.code) == (before.pk, before.serial, before.code)
    assert after.expires_on == datetime.date(2032, 3, 5)
    assert after.content_version == 2 and after.needs_render
    # Rendered when issued, and again for the renewal.
    assert rendered == [1, 2]


def test_regaining_after_expiry_is_a_new_certificate(qualified, no_render_on_issue):
    qualification_recompute(today=datetime.date(2026, 6, 1))
    regained_on = datetime.date(2029, 4, 1)
    award(qualified, hours="8", mentor_topic=True, awarded_on=regained_on)
    qualification_recompute(today=regained_on)
    first, second = qualification_certificates(qualified)
    assert first.expires_on == EXPIRES_ON and first.revoked_at is None
    assert second.subject_key == "t:2029-04-01" and second.serial != first.serial
    assert second.expires_on == datetime.date(2032, 4, 1)


def test_revoking_the_qualification_revokes_its_certificate(
    qualified, district_admin, no_render_on_issue
):
    today = timezone.localdate()
    qualification_recompute(today=today)
    qualification_revoke(
        user=qualified, standard_code="t", reason="师德考核不合格", revoked_by=district_admin
    )
    [certificate] = qualification_certificates(qualified)
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "师德考核不合格"
    assert certificate.revoked_by == district_admin
    assert certificate.validity() == "revoked"
    # Lifted: the same period is qualified again, with a new certificate (the revoked one
    # stays revoked).
    qualification_unrevoke(user=qualified, standard_code="t", today=today)
    revoked, fresh = qualification_certificates(qualified)
    assert revoked.revoked_at is not None and fresh.revoked_at is None
    assert fresh.subject_key == "t:2026-03-05#2"


def test_single_issue_outside_the_engine(qualified, no_render_on_issue):
    qualification_recompute(today=datetime.date(2026, 6, 1))
    status = qualified.qualification_statuses.get()
    issued = qualification_certificate_issue(status=status)
    assert not issued.created and issued.certificate.subject_key == "t:2026-03-05"
    status.state = "expired"
    assert qualification_certificate_issue(status=status) is None


def test_the_render_task_ignores_a_certificate_that_is_gone(db):
    assert render_certificate.delay(999_999).get() == "missing"


# --- Concurrency (PostgreSQL; SQLite serialises writers) -------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_concurrent_issues_of_one_key_make_one_certificate(teacher_a, no_render_on_issue):
    import threading

    from django.db import connections

    from certification.models import CertificateSerial

    course = make_course(lessons=0)
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    outcomes, errors = [], []

    def work():
        try:
            barrier.wait()
            outcomes.append(
                course_certificate_issue(user=teacher_a, course=course, completed_on=QUALIFIED_ON)
            )
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    certificate = Certificate.objects.get()
    assert {issued.certificate.pk for issued in outcomes} == {certificate.pk}
    assert sum(issued.created for issued in outcomes) == 1
    # The losers' serials were given back with their rolled-back transactions: no gap.
    assert certificate.serial == "QP-2026-000001"
    assert CertificateSerial.objects.get(year=2026).last == 1


def test_a_broker_outage_does_not_fail_the_completion(
    teacher_a, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError as BrokerError

    with (
        mock.patch.object(
            render_certificate, "delay", side_effect=BrokerError("Connection refused.")
        ),
        mock.patch("cms.queueing.logger") as log,
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_completed(teacher_a, make_course(lessons=0), timezone.now())
    certificate = Certificate.objects.get()
    assert certificate.needs_render  # rendered by the first download instead
    assert log.warning.called


def test_teachers_qualifying_together_take_one_block_of_serials(
    make_user, school_a, no_render_on_issue
):
    """The engine inserts a chunk's new certificates at once (certificates_insert): the
    queries do not grow with the number of teachers who qualify, and their serials are one
    consecutive block. One by one, each took the year's counter row again in the same
    transaction, which grew with the square of the count at city scale."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)], validity_months=36)

    def qualify(count, start):
        for n in range(start, start + count):
            teacher = make_user(roles.TEACHER, school_a, staff_no=f"T9{n:02d}")
            award(teacher, **course_credit(course, awarded_on=QUALIFIED_ON))
        with CaptureQueriesContext(connection) as queries:
            qualification_recompute(today=datetime.date(2026, 6, 1))
        return len(queries)

    few = qualify(2, 0)
    many = qualify(7, 2)
    assert many <= few  # the first run also creates the year's serial counter
    certificates = Certificate.objects.filter(kind=CertificateKind.QUALIFICATION)
    serials = sorted(certificates.values_list("serial", flat=True))
    assert serials == [f"QP-2026-{n:06d}" for n in range(1, 10)]
    assert certificates.filter(issued_on=QUALIFIED_ON, expires_on=EXPIRES_ON).count() == 9
