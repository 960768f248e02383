"""The environment switches settings: database, broker, cache; production refuses bad config.

Each case imports the settings module in a fresh interpreter so module-level reads of
os.environ happen under the environment being tested.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as live_settings

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, importlib
mod = importlib.import_module({module!r})
db = mod.DATABASES["default"]
print(json.dumps({{
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "eager": mod.CELERY_TASK_ALWAYS_EAGER, "propagates": mod.CELERY_TASK_EAGER_PROPAGATES,
    "broker": mod.CELERY_BROKER_URL, "cache": mod.CACHES["default"]["BACKEND"],
    "language": mod.LANGUAGE_CODE, "tz": mod.TIME_ZONE, "use_tz": mod.USE_TZ,
    "debug": mod.DEBUG, "hosts": mod.ALLOWED_HOSTS,
}}))
"""
CLEARED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "REDIS_URL",
    "DJANGO_SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
)


def probe(module="cms.settings.dev", **env):
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(env)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return completed


def settings_for(module="cms.settings.dev", **env):
    completed = probe(module, **env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_embedded_default_is_sqlite_eager_locmem_in_chinese():
    conf = settings_for()
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["eager"] is True and conf["propagates"] is True
    assert conf["broker"] == ""
    assert conf["cache"].endswith("LocMemCache")
    assert (conf["language"], conf["tz"], conf["use_tz"]) == ("zh-hans", "Asia/Shanghai", True)


def test_database_url_switches_to_postgresql():
    conf = settings_for(DATABASE_URL="postgres://postgres@127.0.0.1:5432/qingpu")
    assert conf["engine"] == "django.db.backends.postgresql"
    assert (conf["name"], conf["host"]) == ("qingpu", "127.0.0.1")


def test_broker_url_switches_off_eager_and_redis_url_switches_cache():
    conf = settings_for(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3", REDIS_URL="redis://127.0.0.1:6379/4"
    )
    assert conf["eager"] is False
    assert conf["broker"] == "redis://127.0.0.1:6379/3"
    assert conf["cache"] == "cms.cache.FailSafeRedisCache"


def test_production_refuses_to_start_without_secret_key():
    completed = probe("cms.settings.production", ALLOWED_HOSTS="peixun.example.cn")
    assert completed.returncode != 0
    assert "DJANGO_SECRET_KEY" in completed.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    completed = probe("cms.settings.production", DJANGO_SECRET_KEY="x" * 50)
    assert completed.returncode != 0
    assert "ALLOWED_HOSTS" in completed.stderr


def test_production_starts_with_both():
    conf = settings_for(
        "cms.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="peixun.example.cn,www.peixun.example.cn",
    )
    assert conf["debug"] is False
    assert conf["hosts"] == ["peixun.example.cn", "www.peixun.example.cn"]


@pytest.mark.django_db
def test_running_database_matches_this_tier():
    """Tier 2 must really be on PostgreSQL, tier 1 on SQLite: a mis-set runner fails here."""
    from django.db import connection

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected
    if os.environ.get("TEST_TIER") == "2":
        assert connection.vendor == "postgresql"
        assert live_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert live_settings.CELERY_BROKER_URL.startswith("redis://")
    elif os.environ.get("TEST_TIER") == "1":
        assert connection.vendor == "sqlite"
        assert live_settings.CELERY_TASK_ALWAYS_EAGER is True
