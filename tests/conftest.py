"""Shared pytest fixtures."""

import pytest
from django.core.cache import cache

from people import roles
from tests.factories import SchoolFactory, UserFactory

PASSWORD = "pass-Word-2026"


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media():
    """Uploaded files of this run live under a per-process MEDIA_ROOT; remove it afterwards."""
    import shutil

    from django.conf import settings

    yield
    if ".test-media" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reset_celery_join_guard():
    """Eager tasks run inside Celery's `denied_join_result()`, which saves and restores a
    process-wide flag. When two threads of a concurrency test run eager tasks at once (the
    ledger queues a recompute on each commit), the second restores the first's True, and a
    later `result.get()` in this process fails with "Never call result.get() within a task".
    The flag means nothing outside a worker, so each test starts with it cleared."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
    _set_task_join_will_block(False)


@pytest.fixture
def school_a(db):
    return SchoolFactory(code="A001", name="青浦区实验小学", offers_primary=True)


@pytest.fixture
def school_b(db):
    return SchoolFactory(
        code="B001", name="青浦区第一中学", offers_junior=True, offers_primary=False
    )


@pytest.fixture
def make_user(db):
    """make_user(role, school=None, **fields) -> a saved user with that role (or none)."""

    def _make(role=None, school=None, **fields):
        if school is not None:
            fields["school"] = school
        return UserFactory(roles=[role] if role else [], **fields)

    return _make


@pytest.fixture
def teacher_a(make_user, school_a):
    return make_user(roles.TEACHER, school_a, staff_no="TA01", full_name="张老师")


@pytest.fixture
def school_admin_a(make_user, school_a):
    return make_user(roles.SCHOOL_ADMIN, school_a, staff_no="SA01", full_name="李管理")


@pytest.fixture
def teacher_b(make_user, school_b):
    return make_user(roles.TEACHER, school_b, staff_no="TB01", full_name="王老师")


@pytest.fixture
def hr_user(make_user):
    return make_user(roles.HR, None, staff_no="HR01", full_name="人事科陈")


@pytest.fixture
def district_admin(make_user):
    return make_user(roles.DISTRICT_ADMIN, None, staff_no="DA01", full_name="区管理员周")


# --- PostgreSQL-only tests (concurrent writers): tier 1 deselects them; run elsewhere they
# fail rather than skip, so a suite that silently lost them cannot pass.


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("postgres tests need PostgreSQL: they run in tier 2 (make test)")


# --- Celery: eager everywhere except tests marked celery_worker, which use the real broker
# and a worker process started once per session (tier 2 only; tier 1 deselects them).


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    from cms.celery import app

    wants_real = request.node.get_closest_marker("celery_worker") is not None
    if wants_real and not settings.CELERY_BROKER_URL:
        pytest.fail("celery_worker tests need CELERY_BROKER_URL: they run in tier 2 (make test)")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = not wants_real
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` subprocess bound to this run's test database and queue."""
    import os
    import subprocess
    import sys
    import time
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.db import connection

    from cms.celery import app
    from cms.tasks import ping

    if not settings.CELERY_BROKER_URL:
        pytest.fail("no CELERY_BROKER_URL: the worker tests run in tier 2")
    env = os.environ.copy()
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        test_db = connection.settings_dict["NAME"]
        env["DATABASE_URL"] = urlsplit(database_url)._replace(path=f"/{test_db}").geturl()
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    env["TEST_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cms",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"pytest-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        result = ping.apply_async(queue=queue)
        while True:
            if process.poll() is not None:
                pytest.fail(f"celery worker exited early:\n{log_path.read_text()[-3000:]}")
            try:
                reply = result.get(timeout=2)
                break
            except Exception:
                if time.monotonic() > deadline:
                    pytest.fail(f"celery worker not ready in 90 s:\n{log_path.read_text()[-3000:]}")
        assert reply["pong"] is True
        yield {"process": process, "log": log_path, "app": app, "queue": queue}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
