"""Backup and restore (issue 10 item 6): scripts/backup.sh makes one tar of the database and
the media, scripts/restore.sh puts it into a NEW empty database, then the media, then runs
verify_ledger. The test seeds ledger entries (with reversals) and certificates with rendered
PDFs, backs up, restores into a fresh database, and reads that database directly: every entry
(id, chain and hash) and every certificate (serial, code, PDF bytes) is there unchanged.

It runs on the tier's own engine: PostgreSQL in tier 2 (pg_dump -Fc / pg_restore into a
`createdb`), SQLite in tier 1 (the in-memory test database copied to a file is the source).
"""

import datetime
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from certification.models import Certificate, CreditEntry
from certification.services.certificate_pdf import certificate_render
from certification.services.certificates import course_certificate_issue
from people import roles
from tests.factories.certification import award, reverse
from tests.factories.courses import make_course

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def seed(make_user, school):
    """Three teachers' ledgers, two of them with a reversal, and two rendered certificates."""
    admin = make_user(roles.DISTRICT_ADMIN, None, staff_no="BKADMIN", full_name="区管理员")
    teachers = [
        make_user(roles.TEACHER, school, staff_no=f"BK{n:02d}", full_name=name)
        for n, name in enumerate(["欧阳晓燕", "王䶮", "李老师"])
    ]
    for n, teacher in enumerate(teachers):
        entries = [
            award(teacher, hours=str(2 + day), awarded_on=datetime.date(2026, 3, 1 + day))
            for day in range(3 + n)
        ]
        if n:
            reverse(entries[0], by=admin, reason="重复录入")
    course = make_course(lessons=0, title="家校沟通与家庭教育指导", hours=4, credit_points=1)
    for teacher in teachers[:2]:
        issued = course_certificate_issue(
            user=teacher, course=course, completed_on=datetime.date(2026, 4, 8)
        )
        certificate_render(issued.certificate)


def script_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_PATH", "MEDIA_ROOT", "TEST_MEDIA_ROOT"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    env["PY"] = str(ROOT / ".venv" / "bin" / "python")
    env.update(overrides)
    return env


def run(args, env, check=True):
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, f"{args} → {result.returncode}\n{result.stderr[-3000:]}"
    return result


def original_rows():
    entries = list(
        CreditEntry.objects.order_by("id").values_list(
            "id", "user_id", "points", "hours", "reverses_id", "prev_hash", "hash"
        )
    )
    certificates = list(
        Certificate.objects.order_by("serial").values_list("serial", "code", "holder_id", "pdf")
    )
    return entries, certificates


ENTRY_SQL = (
    "SELECT id, user_id, points, hours, reverses_id, prev_hash, hash "
    "FROM certification_creditentry ORDER BY id"
)
CERTIFICATE_SQL = (
    "SELECT serial, code, holder_id, pdf FROM certification_certificate ORDER BY serial"
)


def normalised(entries):
    """Decimals read back through a raw DB-API connection: compare them by value."""
    return [
        (pk, user, str(float(points)), str(float(hours)), reverses, prev, digest)
        for pk, user, points, hours, reverses, prev, digest in entries
    ]


def assert_restored(entries, certificates, restored_entries, restored_certificates, media):
    assert len(entries) >= 12 and sum(1 for row in entries if row[4]) == 2
    assert normalised(restored_entries) == normalised(entries)
    assert [tuple(row) for row in restored_certificates] == certificates
    assert len(certificates) == 2
    for _serial, _code, _holder, pdf_name in certificates:
        assert pdf_name
        original = Path(settings.MEDIA_ROOT, pdf_name).read_bytes()
        assert original.startswith(b"%PDF")
        assert Path(media, pdf_name).read_bytes() == original


def backup(env, out_dir) -> Path:
    result = run([SCRIPTS / "backup.sh", out_dir], env)
    tar = Path(result.stdout.strip().splitlines()[-1])
    tar = tar if tar.is_absolute() else ROOT / tar
    assert tar.is_file() and tar.parent == Path(out_dir)
    assert not list(Path(out_dir).glob(".*.partial"))
    return tar


def assert_verified(result, entries):
    assert result.returncode == 0, result.stderr[-3000:]
    # verify_ledger's last line names how many entries it checked (in the site language).
    assert str(len(entries)) in result.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_an_empty_database_intact(make_user, school_a, tmp_path):
    if os.environ.get("TEST_TIER") == "2":
        assert connection.vendor == "postgresql"  # tier 2 must exercise pg_dump/pg_restore
    seed(make_user, school_a)
    entries, certificates = original_rows()
    restored_media = tmp_path / "restored-media"
    if connection.vendor == "postgresql":
        restore_postgres(entries, certificates, tmp_path, restored_media)
    else:
        restore_sqlite(entries, certificates, tmp_path, restored_media)


def restore_sqlite(entries, certificates, tmp_path, restored_media):
    # The in-memory test database, copied to a file, stands for the deployment's db.sqlite3.
    source = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(source) as copy:
        connection.connection.backup(copy)
    env = script_env(SQLITE_PATH=str(source), TEST_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    tar = backup(env, tmp_path / "backups")

    target = tmp_path / "restored" / "db.sqlite3"
    restore_env = script_env(SQLITE_PATH=str(target), TEST_MEDIA_ROOT=str(restored_media))
    assert_verified(run([SCRIPTS / "restore.sh", tar], restore_env, check=False), entries)
    with sqlite3.connect(target) as restored:
        restored_entries = restored.execute(ENTRY_SQL).fetchall()
        restored_certificates = restored.execute(CERTIFICATE_SQL).fetchall()
    assert_restored(entries, certificates, restored_entries, restored_certificates, restored_media)

    refused = run([SCRIPTS / "restore.sh", tar], restore_env, check=False)
    assert refused.returncode == 3 and "not empty" in refused.stderr


def restore_postgres(entries, certificates, tmp_path, restored_media):
    import psycopg

    base = urlsplit(os.environ["DATABASE_URL"])
    test_url = base._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    env = script_env(DATABASE_URL=test_url, TEST_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    tar = backup(env, tmp_path / "backups")

    new_db = f"qp_restore_{uuid.uuid4().hex[:12]}"
    new_url = base._replace(path=f"/{new_db}").geturl()
    admin_url = base._replace(path="/postgres").geturl()
    run(["createdb", "--maintenance-db", admin_url, new_db], os.environ.copy())
    try:
        restore_env = script_env(DATABASE_URL=new_url, TEST_MEDIA_ROOT=str(restored_media))
        assert_verified(run([SCRIPTS / "restore.sh", tar], restore_env, check=False), entries)
        with psycopg.connect(new_url) as restored:
            restored_entries = restored.execute(ENTRY_SQL).fetchall()
            restored_certificates = restored.execute(CERTIFICATE_SQL).fetchall()
        assert_restored(
            entries, certificates, restored_entries, restored_certificates, restored_media
        )
        verify = run([ROOT / ".venv" / "bin" / "python", "manage.py", "verify_ledger"], restore_env)
        assert str(len(entries)) in verify.stdout

        refused = run([SCRIPTS / "restore.sh", tar], restore_env, check=False)
        assert refused.returncode == 3 and "not empty" in refused.stderr
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{new_db}" WITH (FORCE)')
