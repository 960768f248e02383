"""Faults (issue 10 item 7): a Celery worker SIGKILLed in the middle of a full qualification
recompute, and in the middle of a bulk certificate batch, then a new worker started. The
task is handed out again (acks_late: the killed worker never acknowledged it; Redis returns
it after the visibility timeout, shortened for these workers in fault_worker_settings) and
the results are complete with no duplicates: every teacher exactly one status, every owed
certificate exactly once and rendered.

Each test runs its own workers on its own queue, so the suite's shared worker never takes
the task in between."""

import datetime
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import Count
from django.utils import timezone

from certification.batch_tasks import certificate_batch_run_task
from certification.models import Certificate, CertificateBatch, CertificateKind, JobStatus
from certification.models.qualification import QualificationStatus
from certification.services.certificate_bulk import certificate_batch_create
from certification.services.ledger import credit_award_bulk
from certification.tasks import recompute_all_statuses
from cms.choices import CreditCategory, Level
from courses.choices import EnrollmentStatus
from courses.models import Enrollment
from people.models import User
from tests.certification.readiness_helpers import bulk_teachers
from tests.factories import SchoolFactory
from tests.factories.courses import make_course

from .worker_helpers import Worker, wait_until

# Enough teachers for a full recompute to span several chunks (CHUNK_SIZE 2,000), each
# committed on its own, so the kill lands between the first commit and the last.
RECOMPUTE_TEACHERS = 5_000
BATCH_TEACHERS = 40  # PDFs render in chunks of 20: the kill lands after the first chunk
REDELIVERY_TIMEOUT = 300


@pytest.fixture
def queue():
    return f"qp-fault-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def workers(queue, tmp_path):
    started = []

    def start(name, **options):
        worker = Worker(queue, tmp_path / f"{name}.log", name, **options)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def seed_ledger(school, n):
    teachers = bulk_teachers(school, n, prefix="FK")
    rows = [
        {
            "user_id": teacher.pk,
            "points": Decimal("1"),
            "hours": Decimal(hours),
            "category": CreditCategory.KNOWLEDGE,
            "level": Level.DISTRICT,
            "title": "故障演练培训",
            "source": "manual",
            "source_ref": f"fault-{teacher.pk}-{hours}",
            "awarded_on": datetime.date(2026, 3, 5),
        }
        for teacher in teachers
        for hours in ("2", "4")
    ]
    # notify=False: no per-teacher recompute queued; the full one below is the run under test.
    credit_award_bulk(rows, notify=False)
    return teachers


def task_lines(log: str, task_name: str) -> list[str]:
    return [line for line in log.splitlines() if task_name in line]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_full_recompute_survives_a_killed_worker(workers, queue):
    school = SchoolFactory(code="F001", name="青浦区故障演练学校")
    teachers = seed_ledger(school, RECOMPUTE_TEACHERS)
    first = workers("first")

    task = recompute_all_statuses.apply_async(queue=queue)
    first.wait_for_log(f"[{task.id}] received")
    # Killed once the first chunk is committed and before the last one is.
    wait_until(
        lambda: QualificationStatus.objects.count() > 0,
        timeout=REDELIVERY_TIMEOUT,
        message="the recompute wrote nothing",
        interval=0.02,
    )
    first.kill()
    killed_at = timezone.now()
    written = QualificationStatus.objects.count()
    assert 0 < written < RECOMPUTE_TEACHERS, (
        f"the recompute finished ({written} statuses) before the worker was killed"
    )
    assert f"[{task.id}] succeeded" not in first.log()

    second = workers("second")
    wait_until(
        lambda: (
            QualificationStatus.objects.filter(computed_at__gte=killed_at).count()
            == RECOMPUTE_TEACHERS
        ),
        timeout=REDELIVERY_TIMEOUT,
        message=f"the recompute was not run again to the end:\n{second.log()[-3000:]}",
        interval=0.5,
    )
    second.wait_for_log(f"[{task.id}] succeeded", timeout=60)
    assert task_lines(second.log(), f"[{task.id}] received")  # the same task, handed out again

    statuses = QualificationStatus.objects.filter(standard_code="mentor")
    assert statuses.count() == RECOMPUTE_TEACHERS
    assert set(statuses.values_list("user_id", flat=True)) == {t.pk for t in teachers}
    assert not (
        QualificationStatus.objects.values("user_id", "standard_code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_certificate_batch_survives_a_killed_worker(workers, queue, district_admin):
    school = SchoolFactory(code="F002", name="青浦区证书演练学校")
    teachers = bulk_teachers(school, BATCH_TEACHERS, prefix="FC")
    course = make_course(lessons=0, title="家校沟通与家庭教育指导", hours=4, credit_points=1)
    completed_at = timezone.now() - datetime.timedelta(days=3)
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                user=teacher,
                course=course,
                status=EnrollmentStatus.COMPLETED,
                progress=100,
                completed_at=completed_at,
            )
            for teacher in teachers
        ]
    )
    # The batch is made by its service; its run goes to this test's queue, not the default.
    with mock.patch("certification.services.certificate_bulk.task_delay_or_log"):
        batch = certificate_batch_create(
            school=school,
            cycle=None,
            kinds=[CertificateKind.COURSE],
            regenerate=False,
            requested_by=district_admin,
        )
    first = workers("first")
    task = certificate_batch_run_task.apply_async((batch.pk,), queue=queue)
    first.wait_for_log(f"[{task.id}] received")
    wait_until(
        lambda: CertificateBatch.objects.get(pk=batch.pk).processed > 0,
        timeout=REDELIVERY_TIMEOUT,
        message=f"the batch rendered nothing:\n{first.log()[-3000:]}",
        interval=0.05,
    )
    first.kill()
    stopped = CertificateBatch.objects.get(pk=batch.pk)
    assert stopped.status == JobStatus.RUNNING
    assert 0 < stopped.processed < BATCH_TEACHERS, "the batch finished before the kill"

    second = workers("second")
    done = wait_until(
        lambda: CertificateBatch.objects.filter(pk=batch.pk, status=JobStatus.DONE).first(),
        timeout=REDELIVERY_TIMEOUT,
        message=f"the batch was not run again to the end:\n{second.log()[-3000:]}",
        interval=0.5,
    )
    assert task_lines(second.log(), f"[{task.id}] received")

    certificates = Certificate.objects.filter(holder__school=school, kind=CertificateKind.COURSE)
    # Every owed certificate exactly once, each with its PDF.
    assert sorted(certificates.values_list("holder_id", flat=True)) == sorted(
        t.pk for t in teachers
    )
    assert certificates.values("serial").distinct().count() == BATCH_TEACHERS
    assert not certificates.filter(pdf="").exists()
    assert done.summary["issued"] == {CertificateKind.COURSE: BATCH_TEACHERS}
    assert done.summary["failed"] == 0
    assert User.objects.filter(school=school).count() == BATCH_TEACHERS


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recompute_requeued_at_once_when_its_pool_process_is_killed(workers, queue):
    """The other kill: the OOM killer takes the pool process, the worker's main process lives.
    CELERY_TASK_REJECT_ON_WORKER_LOST puts the task back at once (this worker keeps Redis'
    one-hour visibility timeout, so only the reject can explain a quick second run)."""
    school = SchoolFactory(code="F003", name="青浦区进程演练学校")
    teachers = seed_ledger(school, RECOMPUTE_TEACHERS)
    worker = workers("prefork", pool="prefork", settings_module="cms.settings.test")

    task = recompute_all_statuses.apply_async(queue=queue)
    worker.wait_for_log(f"[{task.id}] received")
    wait_until(
        lambda: QualificationStatus.objects.count() > 0,
        timeout=REDELIVERY_TIMEOUT,
        message="the recompute wrote nothing",
        interval=0.02,
    )
    worker.kill_pool_child()
    killed_at = timezone.now()
    written = QualificationStatus.objects.count()
    assert 0 < written < RECOMPUTE_TEACHERS, (
        f"the recompute finished ({written} statuses) before its process was killed"
    )

    wait_until(
        lambda: (
            QualificationStatus.objects.filter(computed_at__gte=killed_at).count()
            == RECOMPUTE_TEACHERS
        ),
        timeout=REDELIVERY_TIMEOUT,
        message=f"the recompute was not put back and run again:\n{worker.log()[-3000:]}",
        interval=0.5,
    )
    worker.wait_for_log(f"[{task.id}] succeeded", timeout=60)
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
    statuses = QualificationStatus.objects.filter(standard_code="mentor")
    assert sorted(statuses.values_list("user_id", flat=True)) == sorted(t.pk for t in teachers)
