"""Tier 2: the admin's training-record import runs its check and its write on a real Celery
worker (its tasks are registered from CertificationConfig.ready(), not autodiscovery)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import CreditEntry, TrainingImport
from certification.services import imports
from tests.factories import SchoolFactory, UserFactory
from tests.factories.roster import roster_csv

from .test_import_training import HEADER, row


def wait_for_status(pk, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = TrainingImport.objects.get(pk=pk)
        if current.status in statuses:
            return current
        time.sleep(0.2)
    raise AssertionError(f"import {pk} still {current.status} after {timeout} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_training_import_checks_and_records_on_the_worker(celery_worker_process):
    school = SchoolFactory(code="W002", name="青浦区工作进程中学")
    teachers = [UserFactory(staff_no=f"WT{n:02d}", school=school) for n in range(5)]
    admin = UserFactory(staff_no="WADMIN2", school=None, is_superuser=True)
    rows = [row(teacher.staff_no) for teacher in teachers]
    upload = SimpleUploadedFile("校本研修.csv", roster_csv(rows, header=HEADER, encoding="gb18030"))

    job = imports.training_import_create(uploaded_file=upload, uploaded_by=admin, school_scope=None)
    checked = wait_for_status(job.pk, {TrainingImport.Status.VALID, "invalid", "failed"})
    assert checked.status == TrainingImport.Status.VALID, checked.errors
    assert checked.summary["new"] == 5
    assert not CreditEntry.objects.exists()  # nothing before confirm

    assert imports.training_import_confirm(training_import_id=checked.pk, applied_by=admin)
    applied = wait_for_status(checked.pk, {TrainingImport.Status.APPLIED, "invalid", "failed"})
    assert applied.status == TrainingImport.Status.APPLIED, applied.errors
    assert CreditEntry.objects.filter(user__school=school).count() == 5

    log = celery_worker_process["log"].read_text()
    assert "certification.training_import_validate" in log
    assert "certification.training_import_apply" in log
