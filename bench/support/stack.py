"""The real processes for a benchmark: web, workers, scheduler, an SMTP sink that times arrivals.

Everything runs on loopback, on free ports, against the bench's own database and its own Redis
database and namespace, so `make run` and the tests are never disturbed. Processes are started
in their own process group and stopped by that group's id only.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

from aiosmtpd.controller import Controller

from tests.support.smtp import CapturingHandler, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
# An idle queue is polled at most this many ms apart (Dramatiq's default, 1000, adds up to a second
# to each hop of change -> fan-out -> email): `dramatiq_worker_timeout`, as the Procfile and
# docker-compose.yml set it (the dramatiq command has no option for it).
WORKER_TIMEOUT_MS = "100"
BENCH_REDIS_DB = 7  # not `make run`'s (0) nor the tests' (0, own namespaces)
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


class TimedHandler(CapturingHandler):
    """The sink: keeps (arrival time, recipient, Message-ID) of each message, nothing more.

    `latency` seconds before the 250 reply stands for a real relay's answer time (the 20-50 ms
    of a production smarthost); it waits without blocking other connections.
    """

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__()
        self.latency = latency
        self.arrivals: list[tuple[float, str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        head = envelope.original_content or envelope.content
        found = _MESSAGE_ID.search(head[:8192])
        message_id = found.group(1).decode() if found else ""
        if self.latency:
            await asyncio.sleep(self.latency)
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                self.arrivals.append((arrived, rcpt.lower(), message_id))
        return "250 Message accepted"

    def snapshot(self) -> list[tuple[float, str, str]]:
        with self._lock:
            return list(self.arrivals)

    def clear(self) -> None:
        with self._lock:
            self.arrivals.clear()


class TimedSink:
    def __init__(self, latency: float = 0.0) -> None:
        self.handler = TimedHandler(latency)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> TimedSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class Stack:
    """Environment and processes of one bench run (its database must exist; `migrate` fills it)."""

    def __init__(self, database_url: str, mail_port: int, name: str, **env: str) -> None:
        self.database_url = database_url
        self.web_port = free_port()
        self.namespace = f"civic-bench-{name}-{uuid.uuid4().hex[:6]}"
        self.redis_url = f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}"
        self.workdir = tempfile.mkdtemp(prefix=f"civic-bench-{name}-")
        self.metrics_token = uuid.uuid4().hex
        self.env = {
            **os.environ,
            "APP_ENV": "development", "SECRET_KEY": f"bench-{name}", "DATABASE_URL": database_url,
            "REDIS_URL": self.redis_url, "DRAMATIQ_NAMESPACE": self.namespace, "DRAMATIQ_BROKER": "redis",
            "RATELIMIT_KEY_PREFIX": f"{self.namespace}-ratelimit",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_port), "MAIL_USE_TLS": "0",
            "PORT": str(self.web_port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "INSTANCE_DIR": self.workdir, "UPLOAD_DIR": os.path.join(self.workdir, "uploads"),
            "MAIL_SINK_PORT": str(free_port()), "INBOUND_SMTP_PORT": str(free_port()),
            "METRICS_TOKEN": self.metrics_token, "LOG_FORMAT": "text",
            **env,
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.processes: list[tuple[str, subprocess.Popen]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def run(self, *args: str) -> str:
        """A one-off command (flask CLI and the like) in the bench's environment."""
        done = subprocess.run(list(args), cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def flask(self, *args: str) -> str:
        return self.run(os.path.join(BIN, "flask"), "--app", "wsgi", *args)

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        with open(os.path.join(self.workdir, f"{name}.log"), "ab") as log:  # the child keeps its own copy
            process = subprocess.Popen(list(args), cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=log,
                                       start_new_session=True)
        self.processes.append((name, process))
        return process

    def start_web(self, workers: int = 2, threads: int = 4) -> subprocess.Popen:
        process = self.start("web", os.path.join(BIN, "gunicorn"), "-c", "python:app.observability.gunicorn_conf",
                             "--bind", f"127.0.0.1:{self.web_port}", "--workers", str(workers),
                             "--threads", str(threads), "wsgi:app")
        wait_http(f"{self.base_url}/healthz", accept=(200, 503))
        return process

    def start_worker(self, index: int = 0, threads: int = 8) -> subprocess.Popen:
        """One `dramatiq app.worker` process (one process, `threads` threads), as one container runs it."""
        return self.start(f"worker{index}", os.path.join(BIN, "dramatiq"), "app.worker", "--processes", "1",
                          "--threads", str(threads), "--queues", "default", "fanout", "email", "inbound", "webhooks",
                          dramatiq_worker_timeout=WORKER_TIMEOUT_MS)

    def start_scheduler(self, index: int = 0) -> subprocess.Popen:
        return self.start(f"scheduler{index}", sys.executable, "-m", "app.scheduler")

    def stop(self, process: subprocess.Popen, timeout: float = 20) -> None:
        """SIGTERM to the group this run started for `process` (its id), then SIGKILL if it lingers."""
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
            except ProcessLookupError:
                pass
        self.processes = [(n, p) for n, p in self.processes if p is not process]

    def stop_all(self) -> None:
        for _, process in reversed(list(self.processes)):
            self.stop(process)

    def redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url)

    def live_workers(self) -> int:
        """Worker processes consuming now (Dramatiq's heartbeats, refreshed as they fetch)."""
        client = self.redis()
        cutoff = (time.time() - 5) * 1000
        return client.zcount(f"{self.namespace}:__heartbeats__", cutoff, "+inf")

    def wait_workers(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.live_workers() < count:
            dead = [name for name, p in self.processes if name.startswith("worker") and p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"fewer than {count} workers came up; logs in {self.workdir}")
            time.sleep(0.2)

    def queue_depth(self) -> dict[str, int]:
        """Ready + delayed messages per queue, read from the web's own /metrics (civic_queue_messages)."""
        request = urllib.request.Request(f"{self.base_url}/metrics",
                                         headers={"Authorization": f"Bearer {self.metrics_token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
        depth: dict[str, int] = {}
        for line in body.splitlines():
            found = re.match(r'civic_queue_messages\{([^}]*)\} ([0-9.e+]+)$', line)
            queue = found and re.search(r'queue="([^"]+)"', found.group(1))
            if queue:
                depth[queue.group(1)] = depth.get(queue.group(1), 0) + int(float(found.group(2)))
        return depth

    def forget_rate_limits(self) -> None:
        """A phase starts with no rate-limit counters of the one before (logins are limited per address)."""
        client = self.redis()
        for key in client.scan_iter(f"{self.env['RATELIMIT_KEY_PREFIX']}*"):
            client.delete(key)

    def flush_redis(self) -> None:
        client = self.redis()
        for key in client.scan_iter(f"{self.namespace}*"):
            client.delete(key)


def exit_on_sigterm() -> None:
    """SIGTERM (a `timeout`, a CI stop) unwinds like Ctrl-C, so `finally` stops the processes and drops the database."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def wait_http(url: str, timeout: float = 60, accept=(200,)) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status in accept:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in accept:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.2)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


class Ticker(threading.Thread):
    """Calls `fn` every `interval` seconds in the background until stopped (progress lines)."""

    def __init__(self, interval: float, fn) -> None:
        super().__init__(daemon=True)
        self.interval, self.fn, self.stopped = interval, fn, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.fn()
