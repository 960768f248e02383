"""`make loadtest`: 100 concurrent users for LOAD_SECONDS against gunicorn on loopback (issue 10
item 9), with p50/p95/p99, throughput and statuses per endpoint and overall.

It seeds a fresh database (LOAD_SCALE, default district on PostgreSQL at 127.0.0.1:5432 when
reachable, else small on a throwaway SQLite file; the PostgreSQL database is dropped at the end),
gives LOAD_USERS demo teachers a logged-in session, publishes LOAD_LECTURES lectures happening
now, collects static files and starts gunicorn with deploy/gunicorn.conf.py and the production
settings, behind a simulated nginx (X-Forwarded-Proto: https), with a Redis broker and a real
Celery worker when Redis answers (the production shape), else eager Celery. Then wrk
(bench/wrk/loadtest.lua) runs LOAD_CONNECTIONS (100) keep-alive connections for LOAD_SECONDS
(120): one wrk process per endpoint with the connections split by weight — home 30, course
catalog 20, lesson page 20, xAPI statement POST 20, lecture check-in POST 10 — each request as
the next teacher of the pool with their session cookie, CSRF cookie and token and a Referer.

Prints one table, writes bench/results/loadtest.json and exits 1 when any reply was a 5xx (2
when the set-up itself failed). See bench/LOADTEST.md for the last run.
"""

import json
import os
import platform
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from benchdb import choose_database, drop_database
from loadtest_plan import (
    ENDPOINTS,
    access_log_statuses,
    access_log_times,
    connections_by_weight,
    endpoint_summary,
    lua_data,
    overall_summary,
    print_table,
    request_plan,
)
from xapi_load import _sessions, answered_statement

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LUA_SCRIPT = ROOT / "bench" / "wrk" / "loadtest.lua"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
RESULTS = ROOT / "bench" / "results" / "loadtest.json"

LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
LOAD_CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "100"))
LOAD_USERS = int(os.environ.get("LOAD_USERS", "1000"))
LOAD_LECTURES = int(os.environ.get("LOAD_LECTURES", "3"))
LOAD_TIMEOUT = os.environ.get("LOAD_TIMEOUT", "30s")  # wrk's default 2 s would hide slow replies
WRK = os.environ.get("WRK", "wrk")
REDIS = ("127.0.0.1", 6379)
REDIS_DB = int(os.environ.get("LOAD_REDIS_DB", "10"))
# --- Set-up ------------------------------------------------------------------------------------


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(scale: str) -> float:
    """Migrate and seed; certificates the seed issues are not rendered inline (eager Celery
    would render a thousand PDFs at district scale; no page of the load shows one)."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    # On the real settings object: override_settings' holder has no SETTINGS_MODULE, which
    # seed_demo checks.
    before = getattr(settings, "CERTIFICATE_RENDER_ON_ISSUE", True)
    settings.CERTIFICATE_RENDER_ON_ISSUE = False
    try:
        call_command("seed_demo", scale=scale, verbosity=0)
    finally:
        settings.CERTIFICATE_RENDER_ON_ISSUE = before
    return round(time.perf_counter() - start, 1)


def prepare(origin: str) -> dict:
    """LOAD_USERS teachers with sessions, each with a lesson of a course they are enrolled in;
    a course with an H5P lesson they are all enrolled in (the xAPI target); LOAD_LECTURES
    lectures that started five minutes ago; the catalog's URLs."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from cms.models import HomePage
    from courses.choices import CompletionCriterion, EnrollmentStatus
    from courses.models import (
        CourseIndexPage,
        CoursePage,
        Enrollment,
        H5PPackage,
        LecturePage,
        LectureSeriesPage,
        LessonPage,
    )
    from courses.services.checkin import checkin_code, checkin_step, checkin_step_seconds
    from people.models import User
    from people.roles import TEACHER

    package = H5PPackage.objects.filter(status="valid").order_by("pk").first()
    if package is None:
        raise RuntimeError("no valid H5P package was seeded")
    catalog = CourseIndexPage.objects.live().get()
    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        course = CoursePage(
            title="压测课程", slug=f"load-{tag}", code=f"LOAD-{tag}", summary="load test"
        )
        catalog.add_child(instance=course)
        course.save_revision().publish()
        lesson = LessonPage(
            title="压测课时",
            slug="lesson",
            completion_criterion=CompletionCriterion.H5P_PASSED,
            min_score=80,
            body=json.dumps([{"type": "h5p", "value": {"package": package.pk, "title": ""}}]),
        )
        course.add_child(instance=lesson)
        lesson.save_revision().publish()
        # Its own series without required feedback: a first check-in also takes the credit
        # path (ledger entry, recompute queued), as at a real lecture.
        series = LectureSeriesPage(
            title="压测讲座系列", slug=f"load-{tag}", feedback_required=False
        )
        HomePage.objects.order_by("pk").first().add_child(instance=series)
        series.save_revision().publish()
        starts_at = timezone.now() - timedelta(minutes=5)
        lectures = []
        for number in range(LOAD_LECTURES):
            lecture = LecturePage(
                title=f"压测讲座 {number + 1}",
                slug=f"load-{tag}-{number}",
                summary="load test",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
            )
            series.add_child(instance=lecture)
            lecture.save_revision().publish()
            lectures.append(lecture)
    lesson = LessonPage.objects.get(pk=lesson.pk)
    lectures = list(LecturePage.objects.filter(pk__in=[item.pk for item in lectures]))
    users = list(
        User.objects.filter(is_active=True, school__isnull=False, groups__name=TEACHER)
        .distinct()
        .order_by("pk")[:LOAD_USERS]
    ) or list(User.objects.filter(is_active=True, school__isnull=False).order_by("pk")[:LOAD_USERS])
    Enrollment.objects.bulk_create(
        [Enrollment(user=u, course=course, status=EnrollmentStatus.ACTIVE) for u in users],
        ignore_conflicts=True,
    )
    # Each teacher reads a lesson of a course of their own (the seeded enrolments), the load
    # course's lesson when they have none other.
    lesson_urls_by_course_path: dict[str, list[str]] = {}
    for page in LessonPage.objects.live().only("path", "url_path").order_by("path"):
        url = page.get_url()
        if url:
            lesson_urls_by_course_path.setdefault(page.path[: -page.steplen], []).append(url)
    course_paths = dict(CoursePage.objects.values_list("pk", "path"))
    own: dict[int, str] = {}
    enrolments = Enrollment.objects.filter(
        user__in=users,
        status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED],
    ).exclude(course=course)
    for user_id, course_id in enrolments.order_by("pk").values_list("user_id", "course_id"):
        urls = lesson_urls_by_course_path.get(course_paths.get(course_id, ""), [])
        if urls and user_id not in own:
            own[user_id] = urls[user_id % len(urls)]
    made = _sessions(users)  # stored as a login through the form stores them
    plan_users = [
        {"sessionid": sid, "csrf": csrf, "lesson_path": own.get(user.pk, lesson.get_url())}
        for user, (sid, csrf) in zip(users, made, strict=True)
    ]
    # Codes for every step the run can reach (seed margin included); the server accepts the
    # current and the previous step, as for a code read off the screen a moment ago.
    first = checkin_step() - 1
    steps = range(first, first + (LOAD_SECONDS + 900) // checkin_step_seconds() + 3)
    codes = {
        f"lecture-{lecture.pk}": {step: checkin_code(lecture, step) for step in steps}
        for lecture in lectures
    }
    base = catalog.get_url()
    catalog_paths = [
        base,
        f"{base}?topic=mental-health",
        f"{base}?q={quote('心理')}",
        f"{base}?level=district&delivery=online",
    ]
    return {
        "users": plan_users,
        "user_ids": [user.pk for user in users],
        "catalog_paths": catalog_paths,
        "xapi": {
            "path": "/courses/xapi/",
            "lesson": lesson.pk,
            "package": package.pk,
            "statement": answered_statement(package, origin),
        },
        "lectures": [
            {"path": f"/lectures/checkin/{lecture.pk}/", "key": f"lecture-{lecture.pk}"}
            for lecture in lectures
        ],
        "lecture_ids": [lecture.pk for lecture in lectures],
        "codes": codes,
        "step_seconds": checkin_step_seconds(),
        "cookie_names": {
            "session": settings.SESSION_COOKIE_NAME,
            "csrf": settings.CSRF_COOKIE_NAME,
        },
    }


class Server:
    """gunicorn with deploy/gunicorn.conf.py and the production settings; with Redis, a Celery
    worker on a queue (and cache prefix) of this run's own, so parallel runs and tests on the
    same Redis never take each other's tasks."""

    def __init__(self, port: int, static_root: Path, secret_key: str):
        self.port = port
        self.queue = f"load-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.broker = redis_reachable()
        self.logdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            DJANGO_SECRET_KEY=secret_key,
            DJANGO_DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_ROOT=str(static_root),
            PYTHONUNBUFFERED="1",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_ACCESS_LOG=str(self.logdir / "access.log"),
            GUNICORN_ERROR_LOG=str(self.logdir / "error.log"),
            GUNICORN_LOG_LEVEL="warning",
        )
        if self.broker:
            url = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"
            self.env.update(
                CELERY_BROKER_URL=url,
                CELERY_TASK_DEFAULT_QUEUE=self.queue,
                REDIS_URL=url,
                CACHE_KEY_PREFIX=self.queue,
            )
        else:
            self.env.pop("CELERY_BROKER_URL", None)
            self.env.pop("REDIS_URL", None)
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def config(self) -> dict:
        """workers / threads / worker class as deploy/gunicorn.conf.py resolves them here."""
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            conf = runpy.run_path(str(GUNICORN_CONF))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return {key: conf[key] for key in ("workers", "threads", "worker_class", "max_requests")}

    def celery(self) -> str:
        if not self.broker:
            return "celery eager (no Redis)"
        return "Redis broker + 1 Celery worker (prefork, concurrency 1)"

    def start(self) -> None:
        if self.broker:
            self.worker = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "cms", "worker", "--pool=prefork"),
                    *("--concurrency=1", "-Q", self.queue, "--loglevel=WARNING"),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=(self.logdir / "celery.log").open("wb"),
            )
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=(self.logdir / "gunicorn.stderr").open("wb"),
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.gunicorn.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start:\n" + self.log_tail("error.log"))

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logdir / name
        return path.read_text("utf-8", "replace")[-chars:] if path.exists() else ""

    def access_lines(self) -> list[str]:
        path = self.logdir / "access.log"
        return path.read_text("utf-8", "replace").splitlines() if path.exists() else []

    def settled(self, timeout: float = 60) -> int:
        """Wait until the access log stops growing for two seconds; its line count."""
        count, stable_since, start = len(self.access_lines()), time.time(), time.time()
        while time.time() - stable_since < 2 and time.time() - start < timeout:
            time.sleep(0.5)
            now = len(self.access_lines())
            if now != count:
                count, stable_since = now, time.time()
        return count

    def queued(self) -> int:
        import redis

        client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
        try:
            return int(client.llen(self.queue))
        finally:
            client.close()

    def drain(self, timeout: float = 180) -> str:
        """Wait for the worker to empty this run's queue (the recomputes the credits queued)."""
        if not self.broker:
            return ""
        start, left = time.time(), self.queued()
        at_end = left
        while left and time.time() - start < timeout:
            time.sleep(1)
            left = self.queued()
        took = round(time.time() - start, 1)
        return f"{at_end} tasks queued when the load ended, {left} left after {took} s"

    def stop(self) -> None:
        for process in (self.gunicorn, self.worker):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.broker:
            import redis

            client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
            try:
                keys = list(client.scan_iter(match=f"*{self.queue}*", count=1000))
                if keys:
                    client.delete(*keys)
            finally:
                client.close()


def preflight(port: int, plan: dict[str, list[dict]]) -> None:
    """One request per endpoint before the load: a set-up mistake (a session the server does
    not accept, a CSRF refusal) fails here with its status instead of as two minutes of 403s."""
    import http.client

    for endpoint in ENDPOINTS:
        entry = plan[endpoint.name][-1]  # the last teacher: the load starts with the first
        body = None
        if entry["kind"] == "xapi":
            body = entry["body_head"] + str(uuid.uuid4()) + entry["body_tail"]
        elif entry["kind"] == "checkin":
            body = entry["body_head"] + "000000" + entry["body_tail"]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            entry["method"], entry["path"], body=body and body.encode(), headers=entry["headers"]
        )
        reply = connection.getresponse()
        reply.read()
        connection.close()
        # A wrong code is refused with 400 on the form: that proves the session and CSRF
        # token were accepted, without spending a first check-in.
        expected = (400,) if endpoint.name == "checkin" else endpoint.ok
        if reply.status not in expected:
            raise RuntimeError(
                f"preflight {endpoint.method} {entry['path']} answered {reply.status}, "
                f"expected {expected}; location {reply.getheader('Location')}"
            )


def run_wrk(port: int, plan: dict, data: dict, seconds: int, workdir: Path) -> dict[str, dict]:
    """One wrk per endpoint at once, connections by weight; their JSON results by endpoint."""
    split = connections_by_weight(LOAD_CONNECTIONS)
    processes = {}
    for endpoint in ENDPOINTS:
        plan_file = workdir / f"plan-{endpoint.name}.lua"
        plan_file.write_text(
            lua_data(
                requests=plan[endpoint.name],
                codes=data["codes"] if endpoint.name == "checkin" else {},
                step_seconds=data["step_seconds"],
            ),
            "utf-8",
        )
        out = workdir / f"result-{endpoint.name}.json"
        out.unlink(missing_ok=True)
        env = dict(os.environ, LOADTEST_PLAN=str(plan_file), LOADTEST_OUT=str(out))
        command = [WRK, "-t1", f"-c{split[endpoint.name]}", f"-d{seconds}s"]
        command += [f"--timeout={LOAD_TIMEOUT}", "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}"]
        processes[endpoint.name] = (
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
            out,
        )
    results = {}
    for name, (process, out) in processes.items():
        output = process.communicate(timeout=seconds + 120)[0].decode("utf-8", "replace")
        if process.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk for {name} failed ({process.returncode}):\n{output}")
        results[name] = json.loads(out.read_text("utf-8"))
        results[name]["connections"] = split[name]
    return results


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of `pid`, its live children and the children it has reaped
    (gunicorn's recycled workers), from /proc; 0.0 without /proc. On a machine shared with
    other work this, divided by the requests, is the figure that does not depend on it."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return 0.0
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ..., utime, stime, cutime, cstime (fields 14-17).
        if int(entry) == pid:
            total += sum(int(value) for value in fields[11:15]) / ticks
        elif int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class LoadSampler:
    """The machine's 1-minute load average every 5 s while the load runs: the figures are
    only comparable with the contention they ran under."""

    def __init__(self):
        import threading

        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(5):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        values = self.samples or [os.getloadavg()[0]]
        return {
            "min": round(min(values), 1),
            "mean": round(sum(values) / len(values), 1),
            "max": round(max(values), 1),
        }


def collectstatic(static_root: Path, env: dict) -> subprocess.Popen:
    """The production settings serve hashed static names from a manifest: collect them (in
    the background, beside the seed). LOAD_STATIC_ROOT names a folder collected before, to
    skip the two minutes this takes on a busy machine."""
    command = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
    if (static_root / "staticfiles.json").exists():
        command = [sys.executable, "-c", ""]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(env, STATIC_ROOT=str(static_root)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as meminfo:
            info["ram_gb"] = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
        info["cpu"] = (
            subprocess.run(["lscpu"], capture_output=True, text=True, check=False)
            .stdout.split("Model name:")[1]
            .splitlines()[0]
            .strip()
        )
    except (OSError, IndexError):
        pass
    return info


def main() -> int:
    if shutil.which(WRK) is None:
        print(f"{WRK} is required: apt-get install wrk", file=sys.stderr)
        return 2
    load_start = round(os.getloadavg()[0], 1)
    secret_key = secrets.token_urlsafe(50)
    db_name = choose_database("qp_load", force_sqlite=os.environ.get("LOAD_DATABASE") == "sqlite")
    scale = os.environ.get("LOAD_SCALE") or ("district" if db_name else "small")
    # The seed runs in this process with the dev settings (eager Celery); the sessions it
    # stores are signed with the key gunicorn gets.
    os.environ["DJANGO_SECRET_KEY"] = secret_key
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    static_root = Path(os.environ.get("LOAD_STATIC_ROOT") or workdir / "static")
    port = free_port()
    origin = f"https://127.0.0.1:{port}"
    server = Server(port, static_root, secret_key)
    static = collectstatic(static_root, server.env)
    import django

    django.setup()
    from django.db import connection

    from courses.models import Attendance, XAPIStatement

    results: dict = {"scale": scale, "connections": LOAD_CONNECTIONS, "seconds": LOAD_SECONDS}
    try:
        results["database"] = connection.vendor
        results["seed_s"] = seed(scale)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give them
                cursor.execute("SHOW server_version")
                results["database"] = f"postgresql {cursor.fetchone()[0].split()[0]}"
        data = prepare(origin)
        plan = request_plan(
            origin=origin,
            users=data["users"],
            catalog_paths=data["catalog_paths"],
            xapi=data["xapi"],
            lectures=data["lectures"],
            cookie_names=data["cookie_names"],
        )
        statements_before = XAPIStatement.objects.count()
        connection.close()  # gunicorn's workers get their own connections
        if static.wait() != 0:
            raise RuntimeError("collectstatic failed:\n" + static.stderr.read().decode()[-2000:])
        results["gunicorn"] = server.config()
        results["celery"] = server.celery()
        results["users"] = len(data["users"])
        results["lectures"] = len(data["lectures"])
        server.start()
        try:
            preflight(port, plan)
            # Warm every worker (URL resolver, templates, first connections) on the pages.
            warm_plan = {name: plan[name] for name in ("home", "catalog", "lesson")}
            warm = run_wrk_subset(port, warm_plan, data, workdir)
            results["warmup_5xx"] = warm
            cpu = {
                "gunicorn": process_tree_cpu_seconds(server.gunicorn.pid),
                "celery": process_tree_cpu_seconds(server.worker.pid) if server.worker else 0.0,
            }
            served_before = len(server.access_lines())
            with LoadSampler() as sampler:
                raw = run_wrk(port, plan, data, LOAD_SECONDS, workdir)
            results["load_average_during"] = sampler.summary()
            # The server finishes the requests in flight when wrk stopped: their CPU and their
            # log lines belong to the load too.
            served = server.settled()
            cpu["gunicorn"] = process_tree_cpu_seconds(server.gunicorn.pid) - cpu["gunicorn"]
            if server.worker:
                cpu["celery"] = process_tree_cpu_seconds(server.worker.pid) - cpu["celery"]
            results["cpu_s"] = {name: round(value, 1) for name, value in cpu.items()}
            results["served_during_load"] = served - served_before
            load_ended = time.time()
            results["celery_drain"] = server.drain()
            results["drain_s_after_load"] = round(time.time() - load_ended, 1)
        finally:
            server.stop()
        endpoints = {
            e.name: endpoint_summary(raw[e.name], e, raw[e.name]["connections"]) for e in ENDPOINTS
        }
        results["overall"] = overall_summary(endpoints)
        results["gunicorn_cpu_ms_per_request"] = round(
            results["cpu_s"]["gunicorn"] * 1000 / max(1, results["served_during_load"]), 1
        )
        results["endpoints"] = endpoints
        results["xapi"] = {"stored": XAPIStatement.objects.count() - statements_before}
        # Every other path the plan sends is a lesson page.
        routing = {
            "exact": {"/": "home", data["catalog_paths"][0]: "catalog", "/courses/xapi/": "xapi"},
            "prefixes": {"/lectures/checkin/": "checkin"},
            "default": "lesson",
        }
        server_counts = access_log_statuses(server.access_lines(), **routing)
        results["server_time"] = access_log_times(server.access_lines(), **routing)
        results["server_statuses"] = server_counts
        # The mix from the server's side: wrk counts only replies that arrived before it
        # stopped, the server also answered the requests in flight at that moment.
        first = Attendance.objects.filter(lecture_id__in=data["lecture_ids"]).count()
        checkins = server_counts.get("checkin", {})
        refused = sum(count for status, count in checkins.items() if status != "302")
        results["checkin"] = {
            "first": first,
            "repeats": max(0, checkins.get("302", 0) - first),
            "refused": refused,
            "note": "server access log; refused includes the preflight's deliberately wrong code",
        }
        results["server_5xx"] = sum(
            count
            for counts in server_counts.values()
            for status, count in counts.items()
            if status.startswith("5")
        )
        results["server_errors"] = results["overall"]["server_errors"] + warm
        if results["server_errors"] or results["server_5xx"]:
            results["error_log_tail"] = server.log_tail("error.log")
    finally:
        connection.close()
        drop_database(db_name)
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(server.logdir, ignore_errors=True)
        if not db_name:  # the throwaway SQLite file's folder
            shutil.rmtree(Path(os.environ["SQLITE_PATH"]).parent, ignore_errors=True)
    results["machine"] = machine()
    results["load_average"] = {"start": load_start, "end": round(os.getloadavg()[0], 1)}
    print_table(results)
    for item in results["endpoints"].values():
        item.pop("quantiles_us")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    if results.get("error_log_tail"):
        print(results["error_log_tail"])
    return 1 if results["server_errors"] or results["server_5xx"] else 0


def run_wrk_subset(port: int, plan: dict, data: dict, workdir: Path) -> int:
    """A short warm-up over the GET pages; returns how many of its replies were 5xx."""
    seconds = int(os.environ.get("LOAD_WARMUP_SECONDS", "5"))
    if seconds <= 0:
        return 0
    errors = 0
    for name, requests in plan.items():
        plan_file = workdir / f"warm-{name}.lua"
        plan_file.write_text(lua_data(requests=requests, codes={}, step_seconds=45), "utf-8")
        out = workdir / f"warm-{name}.json"
        env = dict(os.environ, LOADTEST_PLAN=str(plan_file), LOADTEST_OUT=str(out))
        subprocess.run(
            [
                *(WRK, "-t1", "-c5", f"-d{seconds}s", "--timeout=30s"),
                *("-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        statuses = json.loads(out.read_text("utf-8"))["statuses"]
        errors += sum(v for k, v in statuses.items() if int(k) >= 500)
    return errors


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"loadtest set-up failed: {exc}", file=sys.stderr)
        sys.exit(2)
