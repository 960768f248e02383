"""Tier 2: tasks really run on a separate worker process against the test database."""

import pytest
from django.db import connection

from cms.tasks import ping


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_runs_on_worker_against_the_same_database(celery_worker_process):
    result = ping.apply_async(queue=celery_worker_process["queue"])
    reply = result.get(timeout=60)
    assert reply["pong"] is True
    # Proves the task left this process: eager results are never tracked by a backend.
    assert result.backend.__class__.__name__ != "DisabledBackend"
    assert reply["vendor"] == connection.vendor
    assert reply["database"] == connection.settings_dict["NAME"]
    log = celery_worker_process["log"].read_text()
    assert "cms.ping" in log and "succeeded" in log


def test_app_uses_json_and_time_limits():
    from cms.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    app.loader.import_default_modules()  # what a worker does at start-up
    assert "cms.ping" in app.tasks
