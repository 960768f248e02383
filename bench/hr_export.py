"""HR report XLSX export at district scale (issue 8: "the time of a 10,000-teacher XLSX
export"): runs the background export job (the path an export above HR_EXPORT_INLINE_MAX
takes) over every active teacher in the current cycle, synchronously, and times it.

`measure()` assumes Django is set up against a migrated database that already has teachers
and credit (bench/run.py calls it after seed_demo). Run as a script, it makes its own
throwaway database (SQLite, or a fresh database on the PostgreSQL server named by
BENCH_DATABASE_URL), seeds 10,000 teachers with ledger entries in bulk, and prints:

    HR XLSX export: 10,000 teachers in X s (Y rows/s)

No timing is asserted anywhere.
"""

import datetime
import itertools
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEACHERS = int(os.environ.get("BENCH_HR_TEACHERS", "10000"))
ENTRIES_PER_TEACHER = 4
# (category, level, points, hours, day): a spread over the matrix inside 十五五 (2026–2030).
TRAININGS = (
    ("ethics", "district", "2", "8", datetime.date(2026, 3, 18)),
    ("knowledge", "city", "3", "12", datetime.date(2026, 5, 9)),
    ("practice", "school", "1.5", "6", datetime.date(2026, 9, 23)),
    ("self_study", "school", "1", "4", datetime.date(2026, 11, 2)),
)


def seed(teachers: int = TEACHERS) -> dict:
    """Schools and teachers from the demo generators, ENTRIES_PER_TEACHER ledger entries each
    through the set-based award, and a mentor status for every teacher (a tenth qualified)."""
    from django.utils import timezone

    from certification.models import CreditSource
    from certification.models.qualification import (
        QualificationStandard,
        QualificationState,
        QualificationStatus,
    )
    from certification.services.ledger import credit_award_bulk
    from people.demo.generate import SCALES, scale_schools, scale_teachers
    from people.demo.write import demo_schools_create, demo_teachers_create
    from people.models import User

    start = time.perf_counter()
    scale = SCALES["district"]
    school_ids, _created = demo_schools_create(specs=scale_schools(scale))
    demo_teachers_create(
        teachers=itertools.islice(scale_teachers(scale), teachers), school_ids=school_ids
    )
    ids = list(
        User.objects.filter(is_active=True, school__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:teachers]
    )
    rows = [
        {
            "user_id": user_id,
            "points": Decimal(points),
            "hours": Decimal(hours),
            "category": category,
            "level": level,
            "title": f"培训{index}",
            "source": CreditSource.IMPORT,
            "source_ref": f"bench-hr-{index}",
            "awarded_on": day,
        }
        for user_id in ids
        for index, (category, level, points, hours, day) in enumerate(TRAININGS)
    ]
    created = credit_award_bulk(rows, notify=False).created
    standard = QualificationStandard.objects.get(code="mentor", is_current=True)
    now = timezone.now()
    QualificationStatus.objects.bulk_create(
        [
            QualificationStatus(
                user_id=user_id,
                standard=standard,
                standard_code="mentor",
                state=QualificationState.QUALIFIED
                if n % 10 == 0
                else QualificationState.IN_PROGRESS,
                computed_at=now,
                changed_at=now,
            )
            for n, user_id in enumerate(ids)
        ],
        batch_size=2_000,
        ignore_conflicts=True,
    )
    return {
        "teachers": len(ids),
        "entries": created,
        "seed_s": round(time.perf_counter() - start, 1),
    }


def measure() -> dict:
    """Export every active teacher of the current cycle through the job (file written to the
    configured storage, then removed) and the report page's summary over all of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certification.models import JobStatus, ReportExport
    from certification.selectors import hr_reports as report
    from certification.services.hr_reports import report_export_run

    cycle = report.current_cycle(report.report_cycles())
    if cycle is None:
        return {"not_available": "no credit cycle"}
    filters = report.HRReportFilters(cycle=cycle)
    job = ReportExport.objects.create(filters=filters.as_json())
    try:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            job = report_export_run(export_id=job.pk)
            seconds = time.perf_counter() - start
        if job.status != JobStatus.DONE:
            return {"failed": job.error or job.status}
        size = job.file.size
        start = time.perf_counter()
        summary = report.hr_report_summary(filters)
        page = report.hr_report_rows_for(list(report.hr_report_teachers(filters)[:50]), filters)
        page_ms = (time.perf_counter() - start) * 1000
    finally:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return {
        "hr_export_seconds": round(seconds, 2),
        "teachers": job.processed,
        "rows_per_second": round(job.processed / seconds) if seconds else 0,
        "queries": len(captured.captured_queries),
        "file_kb": round(size / 1024),
        "summary_and_page_ms": round(page_ms, 1),
        "requirement_met": summary.requirement_met,
        "page_rows": len(page),
    }


# --- As a script: a throwaway database --------------------------------------------------------


def _throwaway_database() -> str:
    """Point Django at a new database; returns the PostgreSQL database to drop ("" for SQLite)."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "hr_bench.sqlite3")
        return ""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = f"qp_hr_bench_{os.getpid()}"
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()
    return name


def _drop(name: str) -> None:
    if not name:
        return
    from urllib.parse import urlsplit

    import psycopg

    server = urlsplit(os.environ["BENCH_DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    import shutil

    sys.path.insert(0, str(ROOT))
    name = _throwaway_database()
    media = tempfile.mkdtemp(prefix="hr_bench_media_")
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        seeded = seed()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result = measure()
    finally:
        connection.close()
        _drop(name)
        shutil.rmtree(media, ignore_errors=True)
        if "SQLITE_PATH" in os.environ and not name:
            shutil.rmtree(Path(os.environ["SQLITE_PATH"]).parent, ignore_errors=True)
    if "hr_export_seconds" not in result:
        print(f"HR XLSX export: not measured ({result})")
        return 1
    print(
        f"HR XLSX export: {result['teachers']:,} teachers in {result['hr_export_seconds']} s "
        f"({result['rows_per_second']:,} rows/s) on {connection.vendor}; "
        f"{result['queries']} queries, {result['file_kb']} KB; report summary + first page "
        f"{result['summary_and_page_ms']} ms (seeded {seeded['entries']:,} entries in "
        f"{seeded['seed_s']} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
