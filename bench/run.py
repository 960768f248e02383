"""`make bench`: seed a fresh database at BENCH_SCALE, measure, and print ONE table with budgets.

PostgreSQL (127.0.0.1:5432) when reachable, else a SQLite file; BENCH_SCALE=district|city
(default district); writes bench/results/latest.json. Every row has its budget and PASS/MISS
(or "info" where the issue sets none; "n/a" where the part is not built yet). See
bench/README.md for what each figure means. No timing is asserted anywhere: this only reports.
"""

import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

from benchdb import choose_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SCALE = os.environ.get("BENCH_SCALE", "district")
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
# A database already seeded at BENCH_SCALE (a DATABASE_URL): measured as it is, without
# migrating, seeding or dropping it (it keeps the bench's own course, lecture and sessions).
# For re-measuring after a code change without another seed, e.g. of a city database.
REUSE_DATABASE = os.environ.get("BENCH_REUSE_DATABASE", "")

# Budgets of issue 9 (district scale, 2 cores, PostgreSQL).
PAGE_P95_MS = 100
FULL_RECOMPUTE_S = 60 if SCALE == "city" else 5
SINGLE_USER_MS = 2000
XAPI_PER_S = 300
CHECKIN_PER_S = 200
HR_REPORT_URL = "/admin/hr-reports/"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def time_urls(client, urls: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations, queries, errors = [], [], 0
    for url in urls:  # warm caches once
        client.get(url)
    for _ in range(RUNS):
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                durations.append((time.perf_counter() - start) * 1000)
            errors += response.status_code != 200
            queries.append(len(captured.captured_queries))
    return {
        "urls": urls,
        "requests": len(durations),
        "p50_ms": round(statistics.median(durations), 1),
        "p95_ms": round(percentile(durations, 95), 1),
        "queries_max": max(queries),
        "errors": errors,
    }


@contextlib.contextmanager
def no_render_on_issue():
    """CERTIFICATE_RENDER_ON_ISSUE off for a block. Set on the real settings object, not by
    override_settings, whose holder has no SETTINGS_MODULE (seed_demo checks it)."""
    from django.conf import settings

    before = getattr(settings, "CERTIFICATE_RENDER_ON_ISSUE", True)
    settings.CERTIFICATE_RENDER_ON_ISSUE = False
    try:
        yield
    finally:
        settings.CERTIFICATE_RENDER_ON_ISSUE = before


def guarded(label: str, func):
    """Run one measurement; a part that is not built yet (ImportError/AttributeError) or that
    fails reports why instead of losing the rest of the table."""
    try:
        return func()
    except (ImportError, AttributeError) as exc:
        return {"not_available": f"{exc.__class__.__name__}: {exc}"}
    except Exception as exc:  # a failure is a row of the table, not a lost run
        traceback.print_exc()
        return {"failed": f"{label}: {exc.__class__.__name__}: {exc}"}


# --- What is measured -------------------------------------------------------------------------


def measure_search_recall() -> dict:
    from cms.search.query import page_search

    queries = json.loads((ROOT / "tests/cms/search_queries.json").read_text("utf-8"))
    k, hits = queries["k"], 0.0
    for item in queries["queries"]:
        top = [page.title for page in page_search(item["query"]).results[:k]]
        hits += sum(title in top for title in item["expect"]) / len(item["expect"])
    return {
        "recall_at_10": round(hits / len(queries["queries"]), 3),
        "queries": [item["query"] for item in queries["queries"]],
    }


def verification_url() -> str:
    """Issue (idempotently) a qualification certificate to the demo teacher; its public page."""
    from django.utils import timezone

    from certification.services.certificates import certificate_issue
    from people.models import User

    teacher = User.objects.get(staff_no="teacher")
    issued = certificate_issue(
        holder=teacher,
        kind="qualification",
        subject_key="bench-qualification",
        title="导师上岗资格证书",
        issued_on=timezone.localdate(),
        standard_code="mentor",
    )
    return f"/verify/{issued.certificate.code}/"


def measure_pages(search_queries: list[str]) -> dict:
    """Server time (in-process test client, so no network) and query count of every page,
    each as the user who reads it."""
    from urllib.parse import quote

    from django.test import Client
    from django.test.utils import override_settings

    from casebank.models import CaseIndexPage, CasePage
    from cms.models import HandbookChapterPage, HandbookPage
    from courses.models import CourseIndexPage, Enrollment, LessonPage
    from people.models import User

    def client_for(staff_no: str | None) -> Client:
        client = Client()
        if staff_no:
            client.force_login(User.objects.get(staff_no=staff_no))
        return client

    teacher = User.objects.get(staff_no="teacher")
    catalog = CourseIndexPage.objects.live().first()
    mine = (
        Enrollment.objects.filter(user=teacher, status="active")
        .select_related("course")
        .order_by("pk")
        .first()
    )
    lesson = LessonPage.objects.live().child_of(mine.course).first() if mine else None
    cases = CaseIndexPage.objects.live().first()
    case = CasePage.objects.live().order_by("path").first()
    handbook = HandbookPage.objects.live().first()
    chapter = HandbookChapterPage.objects.live().first()
    # (name, reader, urls): a None url list makes an "n/a" row.
    plan = [
        ("home", "teacher", ["/"]),
        (
            "catalog",
            "teacher",
            [
                catalog.url,
                f"{catalog.url}?topic=mental-health",
                f"{catalog.url}?q={quote('心理')}",
                f"{catalog.url}?level=district&delivery=online",
            ]
            if catalog
            else None,
        ),
        ("course page", "teacher", [mine.course.url] if mine else None),
        ("lesson page", "teacher", [lesson.url] if lesson else None),
        (
            "case list + facets",
            "teacher",
            [
                cases.url,
                f"{cases.url}?stage=junior&category=emotions",
                f"{cases.url}?q={quote('手机')}",
            ]
            if cases
            else None,
        ),
        ("case page", "teacher", [case.url] if case else None),
        ("search", None, [f"/search/?q={quote(q)}" for q in search_queries]),
        ("/me/", "teacher", ["/me/"]),
        ("/me/credits/", "teacher", ["/me/credits/"]),
        ("handbook chapter", None, [chapter.url] if chapter else None),
        ("handbook", None, [handbook.url] if handbook else None),
        ("school dashboard", "schooladmin", ["/admin/mentor-dashboard/"]),
        ("district dashboard", "districtadmin", ["/admin/mentor-dashboard/district/"]),
    ]
    plan.append(("HR report", "hr", [HR_REPORT_URL]))
    try:
        plan.append(("verification page", None, [verification_url()]))
    except Exception as exc:
        print(f"verification page: {exc.__class__.__name__}: {exc}")
        plan.append(("verification page", None, None))

    pages: dict = {}
    clients: dict = {}
    with override_settings(ALLOWED_HOSTS=["*"]):
        for name, reader, urls in plan:
            if urls is None:
                pages[name] = {"not_available": "page not built yet or no demo data for it"}
                continue
            if reader not in clients:
                clients[reader] = client_for(reader)
            pages[name] = time_urls(clients[reader], urls)
    return pages


def measure_counts() -> dict:
    from casebank.models import CasePage
    from certification.models import CreditEntry, QualificationStatus
    from courses.models import (
        Attendance,
        CoursePage,
        Enrollment,
        LectureRegistration,
        LessonPage,
        LessonProgress,
    )
    from people.models import School, User

    return {
        model_name: model.objects.count()
        for model_name, model in (
            ("schools", School),
            ("users", User),
            ("courses", CoursePage),
            ("lessons", LessonPage),
            ("enrolments", Enrollment),
            ("lesson_progress", LessonProgress),
            ("lecture_registrations", LectureRegistration),
            ("attendances", Attendance),
            ("cases", CasePage),
            ("credit_entries", CreditEntry),
            ("qualification_statuses", QualificationStatus),
        )
    }


def measure_other(module: str, function: str = "measure"):
    """A bench module of another issue (certificate PDF, HR export): called when it exists."""
    return getattr(__import__(module), function)()


# --- The table --------------------------------------------------------------------------------


def _scalars(result: dict, limit: int = 4) -> str:
    parts = [
        f"{key}={value}"
        for key, value in result.items()
        if isinstance(value, int | float | str) and not isinstance(value, bool)
    ]
    return ", ".join(parts[:limit])


def table_rows(results: dict) -> list[dict]:
    rows: list[dict] = []

    def row(figure, *, p50="", p95="", queries="", value="", budget="", ok=None, note=""):
        verdict = "info" if ok is None else ("PASS" if ok else "MISS")
        if note:
            verdict = note
        rows.append(
            {
                "figure": figure,
                "p50_ms": p50,
                "p95_ms": p95,
                "queries": queries,
                "value": value,
                "budget": budget,
                "result": verdict,
            }
        )

    counts = results.get("counts", {})
    seeded = results.get("seed_demo_s")
    row(
        f"seed_demo --scale {SCALE}",
        value=(f"{seeded} s" if seeded is not None else "database reused, not seeded")
        + f"; {counts.get('users', 0):,} users, {counts.get('credit_entries', 0):,} credit entries",
    )
    for name, page in results.get("pages", {}).items():
        if "p95_ms" not in page:
            row(f"page: {name}", budget=f"p95 ≤ {PAGE_P95_MS} ms", note="n/a")
            continue
        row(
            f"page: {name}",
            p50=page["p50_ms"],
            p95=page["p95_ms"],
            queries=page["queries_max"],
            value=f"{page['requests']} requests, {page['errors']} errors",
            budget=f"p95 ≤ {PAGE_P95_MS} ms",
            ok=page["p95_ms"] <= PAGE_P95_MS and not page["errors"],
        )
    q = results.get("qualification", {})
    if "full_run1" in q:
        for run in ("full_run1", "full_run2"):
            r = q[run]
            row(
                f"qualification full recompute ({run[-4:]})",
                queries=r["queries"],
                value=f"{r['teachers']:,} teachers in {r['seconds']} s, {r['changed']:,} changed",
                budget=f"≤ {FULL_RECOMPUTE_S} s",
                ok=r["seconds"] <= FULL_RECOMPUTE_S,
            )
    else:
        row("qualification full recompute", value=_problem(q), note="n/a")
    if "single_teacher_ms" in q:
        row(
            "qualification single user",
            value=f"credit → status {q['single_teacher_ms']} ms",
            budget=f"≤ {SINGLE_USER_MS} ms",
            ok=q["single_teacher_ms"] <= SINGLE_USER_MS and q.get("single_teacher_recomputed"),
        )
    for key, label, budget in (
        ("xapi", "xAPI statements", XAPI_PER_S),
        ("checkin", "lecture check-in", CHECKIN_PER_S),
    ):
        x = results.get(key, {})
        if "per_second" not in x:
            row(f"{label} throughput", value=_problem(x), note="n/a")
            continue
        errors = sum((x.get("errors") or {}).values()) if isinstance(x.get("errors"), dict) else 0
        # Check-in: every teacher once, warm-up included; xAPI: the timed requests (the
        # warm-up statements are stored too).
        expected = x.get("users") if key == "checkin" else f"{x.get('requests')} timed"
        shape = (
            f"{x.get('gunicorn_workers')} gunicorn {x.get('worker_class', 'sync')} workers"
            + (f" x {x['threads']} threads" if x.get("threads") and x.get("threads") > 1 else "")
            + f", Celery {x.get('celery', 'eager')}"
        )
        if key == "checkin" and "drain_s" in x:
            shape += (
                f"; queue drained in {x['drain_s']} s, statuses "
                f"{x.get('statuses_updated')}/{x.get('statuses_expected')}"
            )
        if x.get("server_cpu_ms"):
            shape += f"; server CPU {x['server_cpu_ms']} ms/request"
        if x.get("database_cpu_ms"):
            shape += f", database {x['database_cpu_ms']} ms"
        if x.get("worker_cpu_ms"):
            shape += f", Celery worker {x['worker_cpu_ms']} ms"
        row(
            f"{label} ({shape})",
            p50=x.get("p50_ms", ""),
            p95=x.get("p95_ms", ""),
            value=f"{x['per_second']}/s, {errors} errors, stored {x.get('stored')}/{expected}",
            budget=f"≥ {budget}/s, 0 errors",
            ok=x["per_second"] >= budget and errors == 0,
        )
    s = results.get("search", {})
    search_page = results.get("pages", {}).get("search", {})
    row(
        "search recall@10",
        p50=search_page.get("p50_ms", ""),
        p95=search_page.get("p95_ms", ""),
        value=f"{s.get('recall_at_10')} over {len(s.get('queries', []))} labelled queries",
    )
    p = results.get("privacy", {})
    if "micro" in p:
        t = p.get("throughput", {})
        row(
            "privacy scanner",
            value=f"P {p['micro']['precision']} R {p['micro']['recall']} "
            f"(holdout P {p['holdout']['micro']['precision']} R "
            f"{p['holdout']['micro']['recall']}); {t.get('sentences_per_s')} sentences/s, "
            f"{t.get('kb_per_s')} KB/s",
        )
    for key, label in (("certificate_pdf", "certificate PDF"), ("hr_export", "XLSX 10,000 rows")):
        r = results.get(key, {})
        if "not_available" in r or "failed" in r:
            row(label, value=_problem(r), note="n/a")
        else:
            row(label, value=_scalars(r))
    return rows


def _problem(result: dict) -> str:
    return (result.get("not_available") or result.get("failed") or "not measured")[:60]


def print_table(results: dict, rows: list[dict]) -> None:
    print()
    print(
        f"make bench — scale {SCALE}, {results['database']} {results.get('database_version', '')}"
        f", {RUNS} runs per URL, {results['cpus']} CPUs, Python {results['python']}"
    )
    load = results.get("load_average", {})
    if load:
        # Timings on a shared machine scale with its load: say how busy it was.
        print(f"load average (1 min) at start {load.get('start')}, at end {load.get('end')}")
    header = ("figure", "p50 ms", "p95 ms", "queries", "value", "budget", "result")
    keys = ("figure", "p50_ms", "p95_ms", "queries", "value", "budget", "result")
    cells = [header, *[[str(r[k]) for k in keys] for r in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    right = {1, 2, 3}
    for n, line in enumerate(cells):
        print(
            "  ".join(
                cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                for i, cell in enumerate(line)
            ).rstrip()
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    misses = [r["figure"] for r in rows if r["result"] == "MISS"]
    print(f"budgets missed: {', '.join(misses) if misses else 'none'}")


def main() -> int:
    load_start = round(os.getloadavg()[0], 1)
    if REUSE_DATABASE:
        os.environ["DATABASE_URL"] = REUSE_DATABASE
        db_name = ""  # not ours: never dropped
    else:
        db_name = choose_database("qp_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks inline: the bench measures the web side
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from wagtail.models import Page

    results: dict = {
        "scale": SCALE,
        "database": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": RUNS,
        "budgets": {
            "page_p95_ms": PAGE_P95_MS,
            "full_recompute_s": FULL_RECOMPUTE_S,
            "single_user_ms": SINGLE_USER_MS,
            "xapi_per_s": XAPI_PER_S,
            "checkin_per_s": CHECKIN_PER_S,
        },
    }
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                results["database_version"] = cursor.fetchone()[0]
        if REUSE_DATABASE:
            results["reused_database"] = connection.settings_dict["NAME"]
        else:
            start = time.perf_counter()
            call_command("migrate", verbosity=0)
            results["migrate_s"] = round(time.perf_counter() - start, 1)
            start = time.perf_counter()
            # Certificates of the teachers the seed qualifies are issued, but their PDFs are
            # not rendered inline (eager Celery would render a thousand at district scale):
            # the PDF time has its own row.
            with no_render_on_issue():
                call_command("seed_demo", scale=SCALE, verbosity=0)
            results["seed_demo_s"] = round(time.perf_counter() - start, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give them
        results["counts"] = measure_counts()
        results["live_pages"] = Page.objects.live().count()
        results["search"] = guarded("search", measure_search_recall)
        # As deploy/gunicorn.conf.py does once the app is loaded: the objects alive now (Django,
        # Wagtail, the seed's leftovers) leave the collector's generations, or a full
        # collection every twenty-odd requests adds ~150 ms to whichever page it lands in.
        gc.collect()
        gc.freeze()
        results["pages"] = measure_pages(results["search"].get("queries", []))
        from qualification import measure as measure_qualification

        # As in production, a certificate the recompute issues is rendered by a worker later,
        # not inside the credit → status latency measured here.
        with no_render_on_issue():
            results["qualification"] = guarded("qualification", measure_qualification)
        results["certificate_pdf"] = guarded(
            "certificate PDF", lambda: measure_other("certificate_pdf")
        )
        results["hr_export"] = guarded("HR export", lambda: measure_other("hr_export"))
        # xAPI and check-in under gunicorn with a load generator on loopback.
        results["xapi"] = guarded("xAPI", lambda: __import__("xapi_load").xapi_throughput())
        results["checkin"] = guarded(
            "check-in", lambda: __import__("checkin_load").checkin_throughput()
        )
    finally:
        connection.close()
        drop_database(db_name)

    # The privacy scanner needs no database.
    from privacy import privacy_benchmark

    results["privacy"] = guarded("privacy", privacy_benchmark)
    results["machine"] = machine()
    results["load_average"] = {"start": load_start, "end": round(os.getloadavg()[0], 1)}
    rows = table_rows(results)
    results["table"] = rows
    print_table(results, rows)
    out = ROOT / "bench" / "results" / "latest.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", "utf-8")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
        info["ram_gb"] = round(kb / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info["cpu"] = (
            subprocess.run(["lscpu"], capture_output=True, text=True, check=False)
            .stdout.split("Model name:")[1]
            .splitlines()[0]
            .strip()
        )
    except (OSError, IndexError):
        pass
    return info


if __name__ == "__main__":
    sys.exit(main())
