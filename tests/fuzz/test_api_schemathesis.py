"""Schemathesis against /api/v1/ (issue 10 item 8): every operation in the OpenAPI schema the
app serves at /api/v1/schema/ is called in-process over WSGI (no server) with generated
query strings, valid and invalid, and a valid district token. No 5xx, and every response
conforms to the schema: status code documented, content type, and body shape.

Deterministic (derandomize, no example database), so CI sees the same requests every run."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from certification.api.services import api_token_create
from certification.api.throttling import ApiTokenRateThrottle
from certification.models.qualification import QualificationState
from cms.wsgi import application
from people.models import Stage
from tests.certification.readiness_helpers import bulk_teachers

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def test_connection_kept():
    """Schemathesis calls the WSGI app directly, so Django closes the database connection at
    the end of each request (CONN_MAX_AGE 0), the test's transaction with it on PostgreSQL.
    Django's own test client disconnects the same handlers for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db, test_connection_kept, district_admin, school_a, school_b, monkeypatch):
    """A district token, and teachers in every state in two schools so pages carry items."""
    # The fuzzer sends hundreds of requests with one token; the throttle is tested elsewhere.
    monkeypatch.setattr(ApiTokenRateThrottle, "rate", "1000000/minute", raising=False)
    for school, stage in ((school_a, Stage.PRIMARY), (school_b, Stage.JUNIOR)):
        for state in QualificationState.values:
            bulk_teachers(school, 2, stage=stage, state=state)
    return api_token_create(name="模糊测试", school=None, created_by=district_admin).key


# Loaded from the app at collection: the schema view needs no database and no token.
# (schemathesis.pytest.from_fixture would load it per test, but fails on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_v1_conforms_to_its_schema(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Token {api_key}"}, checks=CHECKS)


def test_the_fuzzed_schema_covers_the_readiness_endpoint(client, db):
    """The fuzz test above is only as wide as the schema: it must list the endpoint."""
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/mentor-readiness/" in paths
    assert "get" in paths["/api/v1/mentor-readiness/"]
