"""A background job queued while the broker is down: the upload or export is saved and the
request succeeds, and the job says at once that it did not start (instead of a 500 after the
commit, or a progress bar that never moves)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu.exceptions import OperationalError as BrokerError

from certification.hr_tasks import hr_report_export
from certification.import_tasks import training_import_apply_task, training_import_validate_task
from certification.models import CreditCycle, JobStatus, ReportExport, TrainingImport
from certification.selectors.hr_reports import HRReportFilters
from certification.services import hr_reports, imports
from people import services as people_services
from people.models import RosterImport
from people.tasks import roster_import_apply_task, roster_import_validate_task
from tests.factories.roster import roster_csv

from ..certification.test_import_training import HEADER, row


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (
        roster_import_validate_task,
        roster_import_apply_task,
        training_import_validate_task,
        training_import_apply_task,
        hr_report_export,
    ):
        monkeypatch.setattr(task, "delay", refuse)


def _message(job) -> str:
    return " ".join(error["message"] for error in job.errors)


def test_roster_upload_fails_cleanly_without_broker(
    db, broker_down, school_a, district_admin, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("名册.csv", roster_csv([]))
    with django_capture_on_commit_callbacks(execute=True):
        job = people_services.roster_import_create(
            uploaded_file=upload, uploaded_by=district_admin, school_scope=None
        )
    job = RosterImport.objects.get(pk=job.pk)
    assert job.status == RosterImport.Status.FAILED
    assert "后台任务服务暂不可用" in _message(job)


def test_roster_confirm_fails_cleanly_without_broker(
    db, broker_down, district_admin, django_capture_on_commit_callbacks
):
    job = RosterImport.objects.create(
        file=SimpleUploadedFile("r.csv", b"x"),
        original_name="r.csv",
        uploaded_by=district_admin,
        status=RosterImport.Status.VALID,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert people_services.roster_import_confirm(
            roster_import_id=job.pk, applied_by=district_admin
        )
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert "后台任务服务暂不可用" in _message(job)


def test_training_upload_and_confirm_fail_cleanly_without_broker(
    db, broker_down, teacher_a, district_admin, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile(
        "培训.csv", roster_csv([row(teacher_a.staff_no)], header=HEADER, encoding="gb18030")
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.training_import_create(
            uploaded_file=upload, uploaded_by=district_admin, school_scope=None
        )
    job = TrainingImport.objects.get(pk=job.pk)
    assert job.status == TrainingImport.Status.FAILED
    assert "后台任务服务暂不可用" in _message(job)

    TrainingImport.objects.filter(pk=job.pk).update(status=TrainingImport.Status.VALID)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.training_import_confirm(training_import_id=job.pk, applied_by=district_admin)
    job.refresh_from_db()
    assert job.status == TrainingImport.Status.FAILED


def test_hr_export_fails_cleanly_without_broker(
    db, broker_down, hr_user, django_capture_on_commit_callbacks
):
    filters = HRReportFilters(cycle=CreditCycle.objects.order_by("-starts_on").first())
    with django_capture_on_commit_callbacks(execute=True):
        job = hr_reports.report_export_create(requested_by=hr_user, filters=filters)
    job = ReportExport.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert "后台任务服务暂不可用" in job.error
    assert job.finished_at is not None
