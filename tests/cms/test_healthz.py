"""GET /healthz: 200 with each part named when healthy, 503 naming the failing part."""

from unittest import mock

import pytest
from django.db import OperationalError
from kombu import Connection

from cms.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_ok_embedded(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "eager"
    assert body["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_database_down_is_503(client):
    with mock.patch("cms.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error",
        "broker": "eager",
        "cache": "ok",
    }


@pytest.mark.django_db
def test_healthz_unreachable_broker_is_503(client):
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    # A real connection attempt to a port where nothing listens.
    dead_broker = Connection("redis://127.0.0.1:1/0", connect_timeout=1)
    try:
        with mock.patch.object(celery_app, "connection_for_write", return_value=dead_broker):
            response = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager = previous
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_cache_down_is_503_naming_the_cache(client):
    with mock.patch("cms.views.cache") as broken:
        broken.ping.side_effect = ConnectionError("Redis is gone")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_recovers_when_the_part_returns(client):
    with mock.patch("cms.views.connection.cursor", side_effect=OperationalError("down")):
        assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.celery_worker
@pytest.mark.django_db
def test_healthz_real_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}
