"""`make bench`: seed a fresh database at BENCH_SCALE, then measure and print one table.

PostgreSQL (127.0.0.1:5432) when reachable, else a SQLite file; writes bench/results/latest.json.
Measured now: seed time, page latency and query counts (home, handbook, chapter, search,
course catalog and 我的学习 as a logged-in teacher), search recall@10 over
tests/cms/search_queries.json, xAPI and lecture check-in throughput under gunicorn, and
the privacy scanner's per-kind precision/recall and throughput (bench/privacy.py).
Later issues add their rows here.
No timing is asserted anywhere: this only reports.
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCALE = os.environ.get("BENCH_SCALE", "district")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PG = dict(host="127.0.0.1", port=5432, user="postgres")


def choose_database() -> str:
    try:
        import psycopg

        name = f"qp_bench_{os.getpid()}"
        with psycopg.connect(dbname="postgres", connect_timeout=3, autocommit=True, **PG) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        return name
    except Exception as exc:  # unreachable PostgreSQL: fall back to the embedded default
        print(f"PostgreSQL unreachable ({exc.__class__.__name__}); using SQLite")
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        return ""


def drop_database(name: str) -> None:
    if not name:
        return
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def time_urls(client, urls: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations, queries = [], []
    for url in urls:  # warm caches once
        client.get(url)
    for _ in range(RUNS):
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                durations.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(captured.captured_queries))
    return {
        "requests": len(durations),
        "p50_ms": round(statistics.median(durations), 1),
        "p95_ms": round(percentile(durations, 95), 1),
        "queries_max": max(queries),
    }


def main() -> int:
    db_name = choose_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks inline: the bench measures the web side
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from wagtail.models import Page

    from cms.models import HandbookChapterPage, HandbookPage
    from cms.search.query import page_search

    results: dict = {
        "scale": SCALE,
        "database": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": RUNS,
    }
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        results["migrate_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        call_command("seed_demo", scale=SCALE, verbosity=0)
        results["seed_demo_s"] = round(time.perf_counter() - start, 1)

        queries = json.loads((ROOT / "tests/cms/search_queries.json").read_text("utf-8"))
        k, hits = queries["k"], 0.0
        for item in queries["queries"]:
            top = [page.title for page in page_search(item["query"]).results[:k]]
            hits += sum(title in top for title in item["expect"]) / len(item["expect"])
        results["search_recall_at_10"] = round(hits / len(queries["queries"]), 3)
        results["search_queries"] = len(queries["queries"])

        from urllib.parse import quote

        handbook = HandbookPage.objects.live().first()
        chapter = HandbookChapterPage.objects.live().first()
        with override_settings(ALLOWED_HOSTS=["*"]):
            client = Client()
            pages = {
                "home": ["/"],
                "handbook": [handbook.url],
                "chapter": [chapter.url],
                "search": [f"/search/?q={quote(item['query'])}" for item in queries["queries"]],
                "autocomplete": ["/search/autocomplete/?q=%E5%AE%B6%E8%AE%BF"],
            }
            results["pages"] = {name: time_urls(client, urls) for name, urls in pages.items()}
            # Courses (issue 4): the catalog and 我的学习 as the demo teacher, who is enrolled
            # in several courses, at the seeded scale of enrolments and lesson progress.
            from courses.models import CourseIndexPage, Enrollment, LessonProgress
            from people.models import User

            catalog = CourseIndexPage.objects.live().first()
            teacher_client = Client()
            teacher_client.force_login(User.objects.get(staff_no="teacher"))
            course_pages = {
                "catalog": [
                    catalog.url,
                    f"{catalog.url}?topic=mental-health",
                    f"{catalog.url}?q={quote('心理')}",
                    f"{catalog.url}?level=district&delivery=online",
                ],
                "me": ["/me/"],
            }
            from courses.models import LessonPage

            teacher = User.objects.get(staff_no="teacher")
            mine = (
                Enrollment.objects.filter(user=teacher, status="active")
                .select_related("course")
                .order_by("pk")
                .first()
            )
            if mine is not None:
                lesson = LessonPage.objects.live().child_of(mine.course).first()
                course_pages["course"] = [mine.course.url]
                if lesson is not None:
                    course_pages["lesson"] = [lesson.url]
            results["pages"].update(
                {name: time_urls(teacher_client, urls) for name, urls in course_pages.items()}
            )
            # Case library (issue 6) as the demo teacher; 学分台账 and the dashboards (issue 7)
            # as their readers.
            from casebank.models import CaseIndexPage, CasePage

            cases = CaseIndexPage.objects.live().first()
            case = CasePage.objects.live().order_by("path").first()
            case_pages = {"credits": ["/me/credits/"]}
            if cases is not None:
                case_pages["case list"] = [
                    cases.url,
                    f"{cases.url}?stage=junior&category=emotions",
                    f"{cases.url}?q={quote('手机')}",
                ]
            if case is not None:
                case_pages["case"] = [case.url]
            results["pages"].update(
                {name: time_urls(teacher_client, urls) for name, urls in case_pages.items()}
            )
            for staff_no, name, url in (
                ("schooladmin", "school dash", "/admin/mentor-dashboard/"),
                ("districtadmin", "district dash", "/admin/mentor-dashboard/district/"),
            ):
                admin_client = Client()
                admin_client.force_login(User.objects.get(staff_no=staff_no))
                results["pages"][name] = time_urls(admin_client, [url])
            results["course_enrolments"] = Enrollment.objects.count()
            results["lesson_progress_rows"] = LessonProgress.objects.count()
        results["live_pages"] = Page.objects.live().count()
        # Qualification (issue 7): full set-based recompute and credit → status for one teacher.
        sys.path.insert(0, str(ROOT / "bench"))
        from qualification import measure as measure_qualification

        results["qualification"] = measure_qualification()
        # xAPI ingestion under gunicorn with a load generator on loopback (bench/xapi_load.py).
        sys.path.insert(0, str(ROOT / "bench"))
        from xapi_load import xapi_throughput

        results["xapi"] = xapi_throughput()
        # Lecture check-in under gunicorn: every teacher checks in once (bench/checkin_load.py).
        from checkin_load import checkin_throughput

        results["checkin"] = checkin_throughput()
    finally:
        connection.close()
        drop_database(db_name)

    # --- Privacy scanner (issue 6): per-kind precision/recall over the labelled corpus and
    # scan throughput (bench/privacy.py; needs no database).
    sys.path.insert(0, str(ROOT / "bench"))
    from privacy import print_report as print_privacy
    from privacy import privacy_benchmark

    results["privacy"] = privacy_benchmark()

    print()
    print(f"make bench — scale {SCALE}, {results['database']}, {RUNS} runs, {os.cpu_count()} CPUs")
    print(
        f"  migrate {results['migrate_s']} s, seed_demo --scale {SCALE} {results['seed_demo_s']} s"
    )
    print(
        f"  search recall@10 {results['search_recall_at_10']:.3f} "
        f"over {results['search_queries']} labelled queries"
    )
    print(
        f"  courses: {results['course_enrolments']} enrolments, "
        f"{results['lesson_progress_rows']} lesson progress rows"
    )
    x = results["xapi"]
    print(
        f"  xAPI under gunicorn ({x['gunicorn_workers']} sync workers, {x['concurrency']} "
        f"connections, {x['users']} teachers): {x['per_second']} statements/s, "
        f"p50 {x['p50_ms']} ms, p95 {x['p95_ms']} ms, {x['requests']} requests, "
        f"errors {x['errors'] or 0}, stored {x['stored']}"
    )
    c = results["checkin"]
    print(
        f"  lecture check-in under gunicorn ({c['gunicorn_workers']} sync workers, "
        f"{c['concurrency']} connections): {c['users']} teachers, {c['per_second']} check-ins/s, "
        f"p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms, errors {c['errors'] or 0}, "
        f"attendances stored {c['stored']} of {c['users']}, credited {c['credited']}"
    )
    q = results["qualification"]
    for run in ("full_run1", "full_run2"):
        r = q[run]
        print(
            f"  qualification recompute ({run[-4:]}): {r['teachers']} teachers "
            f"in {r['seconds']} s, {r['queries']} queries, {r['changed']} changed, "
            f"states {r['by_state']}"
        )
    if "single_teacher_ms" in q:
        print(f"  credit → updated status, one teacher (eager): {q['single_teacher_ms']} ms")
    print(f"  {'page':<14}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for name, row in results["pages"].items():
        print(
            f"  {name:<14}{row['requests']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['queries_max']:>9}"
        )
    print_privacy(results["privacy"])
    out = ROOT / "bench" / "results" / "latest.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"  written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
