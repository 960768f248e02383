"""Tier 2: the admin's roster import runs its check and its write on a real Celery worker."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from people import services
from people.models import RosterImport, User
from tests.factories import SchoolFactory, UserFactory
from tests.factories.roster import roster_csv, roster_rows


def wait_for_status(pk, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = RosterImport.objects.get(pk=pk)
        if current.status in statuses:
            return current
        time.sleep(0.2)
    raise AssertionError(f"import {pk} still {current.status} after {timeout} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_roster_import_checks_and_applies_on_the_worker(celery_worker_process):
    SchoolFactory(code="W001", name="青浦区工作进程小学")
    admin = UserFactory(staff_no="WADMIN", school=None, is_superuser=True)
    upload = SimpleUploadedFile(
        "名册.csv", roster_csv(roster_rows(25, school="W001"), encoding="gb18030")
    )

    roster_import = services.roster_import_create(
        uploaded_file=upload, uploaded_by=admin, school_scope=None
    )
    checked = wait_for_status(roster_import.pk, {RosterImport.Status.VALID, "invalid", "failed"})
    assert checked.status == RosterImport.Status.VALID, checked.errors
    assert checked.total_rows == 25
    assert not User.objects.filter(school__code="W001").exists()  # nothing before confirm

    assert services.roster_import_confirm(roster_import_id=checked.pk, applied_by=admin)
    applied = wait_for_status(checked.pk, {RosterImport.Status.APPLIED, "invalid", "failed"})
    assert applied.status == RosterImport.Status.APPLIED, applied.errors
    assert User.objects.filter(school__code="W001").count() == 25

    log = celery_worker_process["log"].read_text()
    assert "people.roster_import_validate" in log
    assert "people.roster_import_apply" in log
