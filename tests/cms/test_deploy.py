"""Deployment: `check --deploy` is clean under production settings; the gunicorn config and
the systemd units are consistent with it."""

import json
import os
import runpy
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process (Playwright runs an
# event loop); a deployment never has it, and check --deploy rightly reports it.
CLEARED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(**extra) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="example.org",
        **extra,
    )
    return environ


def test_check_deploy_is_clean():
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "ERRORS" not in output


PROBE_HEALTHZ = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/healthz", HTTP_HOST="example.org")
print(json.dumps({"status": response.status_code, "hsts": response.get("Strict-Transport-Security"),
                  "location": response.get("Location")}))
"""


def test_production_healthz_is_not_redirected_to_https():
    completed = subprocess.run(
        [sys.executable, "-c", PROBE_HEALTHZ],
        cwd=ROOT,
        env=production_env(SQLITE_PATH=":memory:"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["location"] is None
    assert result["status"] in (200, 503)  # the in-memory database has no tables: still JSON


def test_gunicorn_config_defaults_and_env_overrides(monkeypatch):
    for name in ("GUNICORN_WORKERS", "GUNICORN_BIND", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["wsgi_app"] == "cms.wsgi:application"
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] >= 3
    assert conf["worker_class"] == "gthread"
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["timeout"] <= 120
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_BIND", "unix:/run/qingpu/gunicorn.sock")
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["workers"] == 3
    assert conf["bind"] == "unix:/run/qingpu/gunicorn.sock"


def test_gunicorn_freezes_the_loaded_app_before_forking():
    """when_ready (the master, app preloaded) moves the startup objects out of the
    collector's generations, so workers' full collections stay short."""
    import gc

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["preload_app"] is True
    gc.unfreeze()
    try:
        conf["when_ready"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_systemd_units_run_the_documented_commands():
    units = {p.name: p.read_text() for p in (ROOT / "deploy" / "systemd").glob("*.service")}
    assert set(units) >= {"qingpu-web.service", "qingpu-worker.service", "qingpu-beat.service"}
    assert "gunicorn -c deploy/gunicorn.conf.py" in units["qingpu-web.service"]
    assert "celery -A cms worker" in units["qingpu-worker.service"]
    assert "celery -A cms beat" in units["qingpu-beat.service"]
    for text in units.values():
        assert "DJANGO_SETTINGS_MODULE=cms.settings.production" in text or (
            "EnvironmentFile=" in text
        )
