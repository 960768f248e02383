"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py cms.wsgi`.

Every value can be overridden by an environment variable (GUNICORN_*), so the systemd
unit stays the same across machines.
"""

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "cms.wsgi:application"
# Behind nginx on the same machine; nginx terminates TLS and sets X-Forwarded-Proto.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers plus threads: requests are short database reads and writes, and
# threads let a worker keep serving while another request waits on PostgreSQL. On the
# 2-CPU machines this is 2 × 2 + 1 = 5 workers × 4 threads.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
# A slow export or PDF render may take a while; longer work belongs in Celery.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (leaks in C extensions), staggered so they never restart
# all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Load the app before forking: a broken deploy fails at start, and workers share memory.
preload_app = True
# nginx is the only client; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address (as nginx saw it), request, status, size, duration in microseconds.
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
)
# /dev/shm keeps the worker heartbeat off a slow or full disk.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108


def when_ready(server):
    """The app is loaded in the master (preload_app): move its objects out of the garbage
    collector's generations before the workers fork. A full collection in a worker then
    scans only what requests create: over Django's and Wagtail's startup objects it took
    ~150 ms, every twenty-odd requests, on the 2-CPU machines (the district dashboard's p95
    was 240 ms for a 60 ms page; bench/README.md). Frozen pages also stay shared between
    the workers instead of being copied when the collector touches them."""
    gc.collect()
    gc.freeze()
