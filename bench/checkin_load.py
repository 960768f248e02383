"""Lecture check-in throughput under gunicorn, measured with a load generator on loopback.

Called by bench/run.py after seeding (Django is set up, DATABASE_URL chosen). It publishes a
lecture happening now, gives BENCH_CHECKIN_USERS (default 2,000) teachers a logged-in session,
starts gunicorn as bench/xapi_load.py does, and has every teacher POST one check-in form with
the code displayed at that moment, from BENCH_CONCURRENCY keep-alive connections. It reports
check-ins/s, latency percentiles, every reply that is not the success redirect, and how many
attendances were stored (must equal the number of teachers).
"""

import http.client
import os
import statistics
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from xapi_load import THREADS, WORKER_CLASS, _free_port, _sessions, start_gunicorn

CHECKIN_USERS = int(os.environ.get("BENCH_CHECKIN_USERS", "2000"))


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
    return {"lecture": lecture, "sessions": _sessions(users)}


def fire(port: int, lecture, sessions: list[tuple[str, str]], concurrency: int) -> dict:
    """Each session POSTs one check-in (the code current at send time); a 302 to the lecture
    page is success."""
    from courses.services.checkin import checkin_code, checkin_step

    path = f"/lectures/checkin/{lecture.pk}/"
    lock = threading.Lock()
    cursor = iter(sessions)
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                session = next(cursor, None)
            if session is None:
                break
            sessionid, csrf = session
            body = urlencode(
                {
                    "code": checkin_code(lecture, checkin_step()),
                    "via": "qr",
                    "csrfmiddlewaretoken": csrf,
                }
            ).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={sessionid}; csrftoken={csrf}",
                "Referer": f"http://127.0.0.1:{port}{path}",
            }
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
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
                if status != 302:
                    errors[str(status)] = errors.get(str(status), 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "errors": errors,
    }


def checkin_throughput() -> dict:
    from django.db import connection

    from courses.models import Attendance

    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "16"))
    data = prepare()
    lecture, sessions = data["lecture"], data["sessions"]
    warm = workers * 4
    connection.close()  # gunicorn workers get their own connections
    port = _free_port()
    process = start_gunicorn(port, workers)
    try:
        # The first teachers' check-ins warm each worker (imports, URL resolver); they count
        # towards the stored total but not towards the timed figures.
        warm_result = fire(port, lecture, sessions[:warm], concurrency=workers)
        result = fire(port, lecture, sessions[warm:], concurrency=concurrency)
    finally:
        process.terminate()
        process.wait(timeout=30)
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
        }
    )
    return result
