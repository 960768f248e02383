"""xAPI ingestion throughput under gunicorn, measured with a load generator on loopback.

Called by bench/run.py after seeding (Django is set up, DATABASE_URL chosen). It enrols
LOAD_USERS teachers in one course whose lesson plays the demo H5P quiz, gives each a logged-in
session, starts gunicorn (BENCH_WORKERS workers, default as deploy/gunicorn.conf.py: 2 × CPUs
+ 1 gthread workers × 4 threads) on a free port, and
posts `answered` statements from BENCH_CONCURRENCY keep-alive connections, each statement
with a fresh id. It reports statements/s, latency percentiles and every non-2xx reply.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from loadgen import fire as loadgen_fire
from loadgen import http_request

ROOT = Path(__file__).resolve().parent.parent
LOAD_USERS = int(os.environ.get("BENCH_XAPI_USERS", "200"))
STATEMENTS_PER_USER = int(os.environ.get("BENCH_XAPI_PER_USER", "30"))
# The shape deploy/gunicorn.conf.py gives production: gthread workers, 2 × CPUs + 1 of them,
# 4 threads each (threads keep a worker busy while another request waits on PostgreSQL).
# Measured on the 2-CPU machine, quiet, 2026-12-05 (6,000 statements / 5,000 check-ins):
# this shape 330 statements/s and 232 check-ins/s; sync x2 325 and 255; gthread 2x4 307
# and 187; gthread 3x4 290 and 220 (run-to-run spread about ±10%).
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
THREADS = int(os.environ.get("BENCH_THREADS", "4"))


def default_workers() -> int:
    return int(os.environ.get("BENCH_WORKERS") or 2 * (os.cpu_count() or 1) + 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sessions(users) -> list[tuple[str, str]]:
    """(sessionid, csrf secret) per user, made server-side as a login would."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    # The backend a login records is the one that authenticated: the first that can load a
    # user (django-axes' standalone backend comes first and only guards authenticate()).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    out = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        out.append((store.session_key, secrets.token_hex(16)))
    return out


def prepare() -> dict:
    """A course with one H5P lesson and LOAD_USERS enrolled teachers with sessions."""
    from django.db import transaction

    from courses.choices import CompletionCriterion, EnrollmentStatus
    from courses.models import CourseIndexPage, CoursePage, Enrollment, H5PPackage, LessonPage
    from people.models import User

    package = H5PPackage.objects.filter(status="valid").order_by("pk").first()
    if package is None:
        raise RuntimeError("no valid H5P package was seeded")
    index = CourseIndexPage.objects.get()
    with transaction.atomic():
        course = CoursePage(
            title="xAPI 压测课程",
            slug=f"xapi-load-{uuid.uuid4().hex[:8]}",
            code=f"BENCH-{uuid.uuid4().hex[:8]}",
            summary="bench",
        )
        index.add_child(instance=course)
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
    users = list(User.objects.filter(is_active=True, school__isnull=False)[:LOAD_USERS])
    Enrollment.objects.bulk_create(
        [Enrollment(user=u, course=course, status=EnrollmentStatus.ACTIVE) for u in users],
        ignore_conflicts=True,
    )
    lesson = LessonPage.objects.get(pk=lesson.pk)
    return {
        "package": package,
        "lesson": lesson,
        "sessions": _sessions(users),
        "user_ids": [user.pk for user in users],
    }


def statement(package, lesson, port: int) -> dict:
    """An `answered` statement shaped like the one h5p-standalone sends for our quiz (the
    player adds the id; see docs/h5p.md)."""
    return answered_statement(package, f"http://127.0.0.1:{port}")


def answered_statement(package, origin: str) -> dict:
    """The demo quiz's `answered` statement as served from `origin` (also make loadtest's)."""
    return {
        "actor": {"name": "load", "mbox": "mailto:load@example.invalid"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/answered",
            "display": {"en-US": "answered"},
        },
        "object": {
            "id": f"{origin}/h5p/{package.pk}/files",
            "objectType": "Activity",
            "definition": {
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": package.pk},
                "name": {"en-US": package.title},
            },
        },
        "context": {
            "contextActivities": {
                "category": [{"id": "http://h5p.org/libraries/H5P.QingpuQuiz-1.1"}]
            }
        },
        "result": {
            "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
            "completion": True,
            "success": True,
        },
    }


REDIS = ("127.0.0.1", 6379)
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "1"))


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Backend:
    """The production shape when Redis answers: gunicorn queues Celery tasks on a Redis
    broker (a queue and cache prefix of this run's own, so parallel runs and tests on the same
    Redis never take each other's tasks) and a real worker runs them beside it; the cache is
    Redis too, as in production, so the recompute's debounce and the rate limits hold across
    processes. Without Redis: eager Celery (tasks inline in the request) and the local cache,
    said in `describe()`."""

    def __init__(self):
        self.queue = f"bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.broker = redis_reachable()
        self.worker: subprocess.Popen | None = None

    def env(self) -> dict:
        env = dict(os.environ, DJANGO_DEBUG="false", PYTHONUNBUFFERED="1")
        if self.broker:
            url = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"
            env.update(
                CELERY_BROKER_URL=url,
                CELERY_TASK_DEFAULT_QUEUE=self.queue,
                REDIS_URL=url,
                CACHE_KEY_PREFIX=self.queue,
            )
        else:
            env.pop("CELERY_BROKER_URL", None)
            env.pop("REDIS_URL", None)
        return env

    def describe(self) -> dict:
        if not self.broker:
            return {"celery": "eager (no Redis: tasks run inline in the request)"}
        return {
            "celery": f"redis broker, {CELERY_CONCURRENCY} worker process (prefork)",
            "celery_workers": CELERY_CONCURRENCY,
        }

    def start_worker(self) -> None:
        if not self.broker:
            return
        log = tempfile.TemporaryFile()
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cms",
                "worker",
                "--pool=prefork",
                f"--concurrency={CELERY_CONCURRENCY}",
                "-Q",
                self.queue,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.worker.log = log
        wait_until_idle(self.worker.pid)

    def worker_cpu_seconds(self) -> float:
        """CPU seconds the Celery worker (and its pool) used so far; 0.0 when eager."""
        return process_cpu_seconds(self.worker.pid) if self.worker is not None else 0.0

    def queued(self) -> int:
        """Messages waiting in this run's queue (a task being run is not counted)."""
        import redis

        client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
        try:
            return int(client.llen(self.queue))
        finally:
            client.close()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
        if self.broker:
            import redis

            client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
            try:
                keys = list(client.scan_iter(match=f"*{self.queue}*", count=1000))
                if keys:
                    client.delete(*keys)
            finally:
                client.close()


def statuses_drain(backend: Backend, *, user_ids: list[int], since, load_ended: float) -> dict:
    """Wait for the queued qualification recomputes of `user_ids` to finish (the queue empty
    and no status written for two seconds, at most BENCH_DRAIN_TIMEOUT s) and report how long
    after the load they took, and how many teachers' statuses were recomputed since `since`."""
    from django.db import connection
    from django.db.models import Max

    from certification.models import QualificationStatus

    rows = QualificationStatus.objects.filter(user_id__in=user_ids, computed_at__gte=since)
    timeout = float(os.environ.get("BENCH_DRAIN_TIMEOUT", "300"))
    last_count, stable_since = -1, time.time()
    deadline = time.time() + timeout
    while time.time() < deadline:
        count = rows.values("user_id").distinct().count()
        if count != last_count:
            last_count, stable_since = count, time.time()
        elif (not backend.broker or backend.queued() == 0) and time.time() - stable_since >= 2:
            break
        time.sleep(0.5)
    latest = rows.aggregate(latest=Max("computed_at"))["latest"]
    connection.close()
    drain = (latest.timestamp() - load_ended) if latest is not None else 0.0
    return {
        "statuses_updated": last_count,
        "statuses_expected": len(user_ids),
        "drain_s": round(max(0.0, drain), 2),
        "drained": backend.queued() == 0 if backend.broker else True,
    }


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its live children (gunicorn's
    workers), from /proc; 0.0 where /proc is not there. On a machine shared with the load
    generator and PostgreSQL this, divided by the requests, is the figure that does not
    depend on what else runs."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ..., utime (14th field) and stime (15th).
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def database_server_pid() -> int | None:
    """The PostgreSQL postmaster's pid (the parent of this connection's backend), whose
    children are every backend, so `process_cpu_seconds` of it is the database's CPU; None
    on SQLite or a server on another machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    connection.close()
    try:
        with open(f"/proc/{backend}/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def wait_until_idle(pid: int, *, timeout: float = 60.0, window: float = 0.5) -> None:
    """Wait until process `pid` and its children use under a tenth of a CPU over `window`
    seconds: a Celery worker that has finished starting. Its start (Django and every app
    imported, the pool forked) costs seconds of CPU, which would otherwise compete with the
    measured requests and be counted in the worker's CPU per request."""
    deadline = time.time() + timeout
    last = process_cpu_seconds(pid)
    while time.time() < deadline:
        time.sleep(window)
        now = process_cpu_seconds(pid)
        if now - last < window / 10:
            return
        last = now


def start_gunicorn(port: int, workers: int, env: dict | None = None) -> subprocess.Popen:
    env = env or dict(os.environ, DJANGO_DEBUG="false", PYTHONUNBUFFERED="1")
    # The server's log goes to a file, never to a pipe nobody reads during the run: eager
    # Celery logs a line per task (a credit queues a recompute), and a full pipe blocks
    # gunicorn's workers mid-request, hanging the load generator.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            WORKER_CLASS,
            "--threads",
            str(THREADS),
            "--log-level",
            "warning",
            "--access-logfile",
            "-",
            "--access-logformat",
            "",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    process.log = log
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    log.seek(0)
    raise RuntimeError("gunicorn did not start: " + log.read().decode()[-2000:])


def fire(port: int, jobs: list[tuple[tuple[str, str], bytes]], concurrency: int) -> dict:
    """POST every job from `concurrency` keep-alive connections (bench/loadgen.py); a 2xx
    reply is success."""
    requests = [
        http_request(
            "POST",
            "/courses/xapi/",
            port=port,
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": csrf,
                "Cookie": f"sessionid={sessionid}; csrftoken={csrf}",
                "Referer": f"http://127.0.0.1:{port}/",
            },
            body=body,
        )
        for (sessionid, csrf), body in jobs
    ]
    return loadgen_fire(port, requests, concurrency=concurrency, ok=lambda s: 200 <= s < 300)


def xapi_throughput() -> dict:
    """Statements under gunicorn, with Celery and the cache as in production when Redis
    answers (see Backend). `server_cpu_ms` is gunicorn's CPU time per timed request,
    `database_cpu_ms` PostgreSQL's (every backend, so whatever else uses it counts too)."""
    from django.db import connection

    from courses.models import XAPIStatement

    workers = default_workers()
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "16"))
    data = prepare()
    port = _free_port()
    template = statement(data["package"], data["lesson"], port)
    jobs = []
    for _round in range(STATEMENTS_PER_USER):
        for session in data["sessions"]:
            body = dict(template, id=str(uuid.uuid4()))
            payload = {
                "lesson": data["lesson"].pk,
                "package": data["package"].pk,
                "statement": body,
            }
            jobs.append((session, json.dumps(payload).encode()))
    before = XAPIStatement.objects.count()
    database = database_server_pid()
    connection.close()  # gunicorn workers get their own connections
    backend = Backend()
    process = start_gunicorn(port, workers, backend.env())
    try:
        backend.start_worker()
        # Warm each worker (imports, URL resolver) before measuring.
        fire(port, jobs[: workers * 4], concurrency=workers)
        cpu = process_cpu_seconds(process.pid)
        db_cpu = process_cpu_seconds(database) if database else 0.0
        result = fire(port, jobs[workers * 4 :], concurrency=concurrency)
        cpu = process_cpu_seconds(process.pid) - cpu
        db_cpu = (process_cpu_seconds(database) - db_cpu) if database else 0.0
    finally:
        process.terminate()
        process.wait(timeout=30)
        backend.stop()
    stored = XAPIStatement.objects.count() - before
    result.update(
        {
            "gunicorn_workers": workers,
            "worker_class": WORKER_CLASS,
            "threads": THREADS,
            "concurrency": concurrency,
            "users": len(data["sessions"]),
            "stored": stored,
            "server_cpu_ms": round(cpu * 1000 / max(1, result["requests"]), 2),
            "database_cpu_ms": round(db_cpu * 1000 / max(1, result["requests"]), 2),
            **backend.describe(),
        }
    )
    return result
