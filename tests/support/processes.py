"""A real `dramatiq app.worker` process for tests that kill it (SIGKILL) and start it again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

DRAMATIQ = os.path.join(os.path.dirname(sys.executable), "dramatiq")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class WorkerProcess:
    """`dramatiq app.worker` in its own process group, pointed at this test's database, Redis namespace and sink."""

    def __init__(self, namespace: str, mail_port: int, log_path, queues=("fanout", "email")) -> None:
        env = {**os.environ, "DRAMATIQ_BROKER": "redis", "DRAMATIQ_NAMESPACE": namespace,
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_port), "EMAIL_CLAIM_LEASE": "1",
               "EMAIL_BATCH_SIZE": "20", "EVENT_RELAY_AFTER": "0", "PYTHONUNBUFFERED": "1"}
        self.log = open(log_path, "ab")  # noqa: SIM115  (closed in stop/kill)
        self.process = subprocess.Popen(
            [DRAMATIQ, "app.worker", "--processes", "1", "--threads", "2", "--queues", *queues],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the whole group: the supervisor and its worker
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self.log.close()
