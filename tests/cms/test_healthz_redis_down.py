"""Redis down: /healthz answers 503 naming the part, pages keep answering, and it recovers.

The cache is pointed at a Redis port where nothing listens (a real refused connection, so
this runs in tier 1 too); tier 2 also takes the real broker away from a real worker setup.
"""

from unittest import mock

import pytest
from django.core.cache import cache
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError

from certification import tasks as certification_tasks
from certification.models import PendingRecompute
from cms.celery import app as celery_app
from tests.conftest import PASSWORD

DEAD_REDIS_CACHE = {
    "default": {
        "BACKEND": "cms.cache.FailSafeRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.django_db
def test_cache_down_healthz_503_names_the_cache_and_pages_still_answer(client, settings, teacher_a):
    healthy_caches = settings.CACHES
    settings.CACHES = DEAD_REDIS_CACHE
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["cache"] == "error"
    assert response.json()["database"] == "ok"
    # The web tier keeps working: pages, login (sessions are in the database), search.
    assert client.get("/").status_code == 200
    login = client.post("/accounts/login/", {"username": "TA01", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get("/search/?q=导师").status_code == 200
    # Redis returns: healthy again without a restart.
    settings.CACHES = healthy_caches
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_broker_down_does_not_fail_the_request_that_queued_a_recompute(
    teacher_a, django_capture_on_commit_callbacks
):
    """A credit commits, the recompute cannot be queued: the commit stands, the miss is
    logged, and the queued flag is dropped so the next credit tries again."""
    with (
        mock.patch.object(
            certification_tasks.recompute_pending_statuses,
            "apply_async",
            side_effect=BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused."),
        ),
        mock.patch("cms.queueing.logger") as log,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        certification_tasks.recompute_user_status_later(teacher_a.pk)
    assert len(callbacks) == 1
    assert cache.get(certification_tasks.BATCH_QUEUED_KEY) is None
    # The teacher stays pending for the next run (or the nightly recompute).
    assert PendingRecompute.objects.filter(user=teacher_a).exists()
    assert log.warning.called


@pytest.mark.django_db
def test_broker_down_for_bulk_recompute_is_logged_not_raised(
    teacher_a, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(
            certification_tasks.recompute_users_status, "delay", side_effect=BrokerError("down")
        ),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        certification_tasks.recompute_users_status_later([teacher_a.pk])
    assert len(callbacks) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db
def test_real_redis_down_then_back(client, settings):
    """Tier 2: the real broker and cache are Redis. Take both away, then give them back."""
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }
    healthy_caches = settings.CACHES
    settings.CACHES = DEAD_REDIS_CACHE
    dead_broker = Connection("redis://127.0.0.1:1/0", connect_timeout=1)
    with mock.patch.object(celery_app, "connection_for_write", return_value=dead_broker):
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["broker"] == "error"
        assert body["cache"] == "error"
        assert body["database"] == "ok"
        assert client.get("/").status_code == 200
    settings.CACHES = healthy_caches
    assert client.get("/healthz").status_code == 200
