"""Lecture check-in throughput under gunicorn, measured with a load generator on loopback.

Called by bench/run.py after seeding (Django is set up, DATABASE_URL chosen). It publishes a
lecture happening now, gives BENCH_CHECKIN_USERS (default 5,000) teachers a logged-in session,
starts gunicorn as bench/xapi_load.py does, and has every teacher POST one check-in form with
the code displayed at that moment, from BENCH_CONCURRENCY keep-alive connections. It reports
check-ins/s, latency percentiles, every reply that is not the success redirect, and how many
attendances were stored (must equal the number of teachers).
"""

import os
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from loadgen import fire as loadgen_fire
from loadgen import http_request
from xapi_load import (
    THREADS,
    WORKER_CLASS,
    Backend,
    _free_port,
    _sessions,
    database_server_pid,
    default_workers,
    process_cpu_seconds,
    start_gunicorn,
    statuses_drain,
)

CHECKIN_USERS = int(os.environ.get("BENCH_CHECKIN_USERS", "5000"))


def prepare() -> dict:
    """A lecture that started five minutes ago (credited at check-in) and CHECKIN_USERS
    teachers with sessions."""
    from django.db import transaction
    from django.utils import timezone

    from cms.models import HomePage
    from courses.models import LecturePage, LectureSeriesPage
    from people.models import User

    with transaction.atomic():
        # Its own series without required feedback, so every check-in also takes the credit
        # path (conditional UPDATE + lecture_attended inside the transaction).
        series = LectureSeriesPage(
            title="签到压测讲座系列",
            slug=f"checkin-load-{uuid.uuid4().hex[:8]}",
            feedback_required=False,
        )
        HomePage.objects.order_by("pk").first().add_child(instance=series)
        series.save_revision().publish()
        starts_at = timezone.now() - timedelta(minutes=5)
        lecture = LecturePage(
            title="签到压测讲座",
            slug=f"checkin-load-{uuid.uuid4().hex[:8]}",
            summary="bench",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
        )
        series.add_child(instance=lecture)
        lecture.save_revision().publish()
    lecture = LecturePage.objects.get(pk=lecture.pk)
    users = list(
        User.objects.filter(is_active=True, school__isnull=False).order_by("pk")[:CHECKIN_USERS]
    )
    return {
        "lecture": lecture,
        "sessions": _sessions(users),
        "user_ids": [user.pk for user in users],
    }


def fire(port: int, lecture, sessions: list[tuple[str, str]], concurrency: int) -> dict:
    """Each session POSTs one check-in (bench/loadgen.py) with the code current when it is
    sent (codes rotate every 45 s); a 302 to the lecture page is success."""
    from courses.services.checkin import checkin_code, checkin_step

    path = f"/lectures/checkin/{lecture.pk}/"
    codes: dict[int, str] = {}

    def job(sessionid: str, csrf: str):
        def build() -> bytes:
            step = checkin_step()
            if step not in codes:
                codes[step] = checkin_code(lecture, step)
            body = urlencode(
                {"code": codes[step], "via": "qr", "csrfmiddlewaretoken": csrf}
            ).encode()
            return http_request(
                "POST",
                path,
                port=port,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"sessionid={sessionid}; csrftoken={csrf}",
                    "Referer": f"http://127.0.0.1:{port}{path}",
                },
                body=body,
            )

        return build

    jobs = [job(sessionid, csrf) for sessionid, csrf in sessions]
    return loadgen_fire(port, jobs, concurrency=concurrency, ok=lambda status: status == 302)


def checkin_throughput() -> dict:
    """Every teacher checks in once under gunicorn. With Redis reachable the qualification
    recompute each credit queues runs on a real Celery worker beside gunicorn (production);
    `drain_s` is how long after the last check-in the last teacher's status was written.
    Without Redis it runs inline in the request (eager), as `celery` says. `server_cpu_ms` is
    gunicorn's CPU time per timed check-in; `database_cpu_ms` PostgreSQL's and
    `worker_cpu_ms` the Celery worker's, per check-in until the queue drained."""
    from django.db import connection
    from django.utils import timezone

    from courses.models import Attendance

    workers = default_workers()
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "16"))
    data = prepare()
    lecture, sessions = data["lecture"], data["sessions"]
    user_ids = data["user_ids"]
    warm = workers * 4
    database = database_server_pid()
    connection.close()  # gunicorn workers get their own connections
    port = _free_port()
    backend = Backend()
    process = start_gunicorn(port, workers, backend.env())
    try:
        backend.start_worker()
        since = timezone.now()
        # The first teachers' check-ins warm each worker (imports, URL resolver); they count
        # towards the stored total but not towards the timed figures.
        warm_result = fire(port, lecture, sessions[:warm], concurrency=workers)
        cpu = process_cpu_seconds(process.pid)
        db_cpu = process_cpu_seconds(database) if database else 0.0
        worker_cpu = backend.worker_cpu_seconds()
        result = fire(port, lecture, sessions[warm:], concurrency=concurrency)
        cpu = process_cpu_seconds(process.pid) - cpu
        load_ended = time.time()
        drain = statuses_drain(backend, user_ids=user_ids, since=since, load_ended=load_ended)
        # The database and the worker until the last status is written.
        db_cpu = (process_cpu_seconds(database) - db_cpu) if database else 0.0
        worker_cpu = backend.worker_cpu_seconds() - worker_cpu
    finally:
        process.terminate()
        process.wait(timeout=30)
        backend.stop()
    stored = Attendance.objects.filter(lecture=lecture).count()
    errors = dict(result["errors"])
    for key, count in warm_result["errors"].items():
        errors[key] = errors.get(key, 0) + count
    credited = Attendance.objects.filter(lecture=lecture, credited_at__isnull=False).count()
    result.update(
        {
            "errors": errors,
            "credited": credited,
            "gunicorn_workers": workers,
            "worker_class": WORKER_CLASS,
            "threads": THREADS,
            "concurrency": concurrency,
            "users": len(sessions),
            "stored": stored,
            "all_recorded": stored == len(sessions),
            "server_cpu_ms": round(cpu * 1000 / max(1, result["requests"]), 2),
            "database_cpu_ms": round(db_cpu * 1000 / max(1, result["requests"]), 2),
            "worker_cpu_ms": round(worker_cpu * 1000 / max(1, result["requests"]), 2),
            **backend.describe(),
            **drain,
        }
    )
    return result
