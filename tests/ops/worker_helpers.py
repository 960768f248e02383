"""Real Celery workers a test can kill and start again (tier 2): each in its own process
group, on its own queue, bound to this run's test database and media."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(
        self,
        queue: str,
        log_path: Path,
        name: str,
        *,
        pool: str = "solo",
        settings_module: str = "tests.ops.fault_worker_settings",
    ):
        self.queue, self.log_path, self.name = queue, log_path, name
        env = os.environ.copy()
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url:
            test_db = connection.settings_dict["NAME"]
            env["DATABASE_URL"] = urlsplit(database_url)._replace(path=f"/{test_db}").geturl()
        env["DJANGO_SETTINGS_MODULE"] = settings_module
        env["TEST_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "cms",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "-Q",
                    queue,
                    "-n",
                    f"{name}-{os.getpid()}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL reaches all of it
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 120) -> None:
        from cms.tasks import ping

        deadline = time.monotonic() + timeout
        result = ping.apply_async(queue=self.queue)
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited early:\n{self.log()[-3000:]}")
            try:
                result.get(timeout=2)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"worker {self.name} not ready in {timeout} s:\n{self.log()[-3000:]}"
                    ) from None

    def wait_for_log(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} not in worker {self.name}'s log:\n{self.log()[-3000:]}"
                )
            time.sleep(0.05)

    def pool_children(self) -> list[int]:
        """Process ids of a prefork worker's pool processes (Linux /proc)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_pool_child(self) -> None:
        """SIGKILL the pool process running the task, as the OOM killer picks the big one;
        the worker's main process lives on and sees its child lost."""
        [child] = self.pool_children()
        os.kill(child, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker, as the OOM killer or a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def wait_until(predicate, timeout: float, message: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(interval)
