"""xAPI ingestion throughput under gunicorn, measured with a load generator on loopback.

Called by bench/run.py after seeding (Django is set up, DATABASE_URL chosen). It enrols
LOAD_USERS teachers in one course whose lesson plays the demo H5P quiz, gives each a logged-in
session, starts gunicorn (BENCH_WORKERS workers, default the CPU count) on a free port, and
posts `answered` statements from BENCH_CONCURRENCY keep-alive connections, each statement
with a fresh id. It reports statements/s, latency percentiles and every non-2xx reply.
"""

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_USERS = int(os.environ.get("BENCH_XAPI_USERS", "200"))
STATEMENTS_PER_USER = int(os.environ.get("BENCH_XAPI_PER_USER", "10"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "1"))


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
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
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
    return {"package": package, "lesson": lesson, "sessions": _sessions(users)}


def statement(package, lesson, port: int) -> dict:
    """An `answered` statement shaped like the one h5p-standalone sends for our quiz (the
    player adds the id; see docs/h5p.md)."""
    return {
        "actor": {"name": "load", "mbox": "mailto:load@example.invalid"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/answered",
            "display": {"en-US": "answered"},
        },
        "object": {
            "id": f"http://127.0.0.1:{port}/h5p/{package.pk}/files",
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


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_DEBUG="false", PYTHONUNBUFFERED="1")
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
    """POST every job from `concurrency` keep-alive connections; returns throughput figures."""
    lock = threading.Lock()
    cursor = iter(jobs)
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                job = next(cursor, None)
            if job is None:
                break
            (sessionid, csrf), body = job
            headers = {
                "Content-Type": "application/json",
                "X-CSRFToken": csrf,
                "Cookie": f"sessionid={sessionid}; csrftoken={csrf}",
                "Referer": f"http://127.0.0.1:{port}/",
            }
            start = time.perf_counter()
            try:
                conn.request("POST", "/courses/xapi/", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = exc.__class__.__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if not (isinstance(status, int) and 200 <= status < 300):
                    errors[str(status)] = errors.get(str(status), 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "errors": errors,
    }


def xapi_throughput() -> dict:
    from django.db import connection

    from courses.models import XAPIStatement

    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
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
    connection.close()  # gunicorn workers get their own connections
    process = start_gunicorn(port, workers)
    try:
        # Warm each worker (imports, URL resolver) before measuring.
        fire(port, jobs[: workers * 4], concurrency=workers)
        result = fire(port, jobs[workers * 4 :], concurrency=concurrency)
    finally:
        process.terminate()
        process.wait(timeout=30)
    stored = XAPIStatement.objects.count() - before
    result.update(
        {
            "gunicorn_workers": workers,
            "worker_class": WORKER_CLASS,
            "threads": THREADS,
            "concurrency": concurrency,
            "users": len(data["sessions"]),
            "stored": stored,
        }
    )
    return result
