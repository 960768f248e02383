"""A cheap HTTP/1.1 load generator for the gunicorn benches (xAPI, lecture check-in).

The machine under test has two CPUs shared by gunicorn, PostgreSQL, Celery and this client,
so the client must cost little: one asyncio event loop, `concurrency` keep-alive connections,
requests pre-built as bytes (a callable may finish one at send time, e.g. the check-in code
current at that moment) and replies parsed only as far as the status line and the
Content-Length. Python threads with http.client cost several times more CPU per request.

Every request is still a real one: the caller builds it with the teacher's session cookie,
the CSRF cookie and token, and a Referer, as a browser sends it.
"""

import asyncio
import statistics
import time
from collections.abc import Callable, Sequence

Job = bytes | Callable[[], bytes]


def http_request(
    method: str, path: str, *, port: int, headers: dict[str, str], body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request as bytes (keep-alive, Content-Length set)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: keep-alive", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


async def _reply(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one reply; return its status and whether the server keeps the connection open
    (gunicorn's sync workers close it after every reply)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = False
    keep_alive = True
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            keep_alive = False
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep_alive


async def _run(port: int, jobs: Sequence[Job], concurrency: int, ok: Callable[[int], bool]):
    latencies: list[float] = []
    errors: dict[str, int] = {}
    cursor = iter(jobs)

    def failed(key: str) -> None:
        errors[key] = errors.get(key, 0) + 1

    async def connection():
        reader = writer = None
        for job in cursor:  # one event loop: the shared iterator needs no lock
            data = job() if callable(job) else job
            start = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(data)
                status, keep_alive = await asyncio.wait_for(_reply(reader), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                failed(exc.__class__.__name__)
                if writer is not None:
                    writer.close()
                reader = writer = None
                latencies.append((time.perf_counter() - start) * 1000)
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            if not keep_alive:
                writer.close()
                reader = writer = None
            if not ok(status):
                failed(str(status))
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - start


def fire(port: int, jobs: Sequence[Job], *, concurrency: int, ok: Callable[[int], bool]) -> dict:
    """Send every job once from `concurrency` keep-alive connections; a reply whose status
    `ok` refuses (or a connection error) is counted in `errors` by status (or error name).
    Also reports the client's own CPU time per request."""
    cpu = time.process_time()
    latencies, errors, seconds = asyncio.run(_run(port, jobs, concurrency, ok))
    cpu = time.process_time() - cpu
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "errors": errors,
        "client_cpu_ms": round(cpu * 1000 / max(1, len(latencies)), 3),
    }
