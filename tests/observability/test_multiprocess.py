"""Metrics under gunicorn with several workers: a scrape sums every worker's counts (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.smtp import free_port

pytestmark = pytest.mark.e2e

GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "multiprocess-metrics-token"


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "prometheus"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "METRICS_TOKEN": TOKEN, "LOG_FORMAT": "json"}
    with open(tmp_path / "gunicorn.log", "ab") as log:
        process = subprocess.Popen(
            [GUNICORN, "-c", "python:app.observability.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "1", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read()
            break
        except OSError:
            time.sleep(0.3)
    try:
        yield base, metrics_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _get(url: str, headers: dict | None = None) -> bytes:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30).read()
    except urllib.error.HTTPError as exc:  # a 4xx is an answer too
        return exc.read()


def test_a_scrape_counts_the_requests_every_worker_answered(gunicorn):
    base, metrics_dir = gunicorn

    def workers_with_files() -> set[str]:
        return {name.rsplit("_", 1)[-1] for name in os.listdir(metrics_dir) if name.startswith("counter_")}

    # The fixture waits for one worker to answer; on a busy machine the other may still be loading
    # the app and answer nothing of a first round, so rounds go on until both have answered some.
    sent, deadline = 0, time.monotonic() + 60
    while len(workers_with_files()) < 2 and time.monotonic() < deadline:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: _get(base + "/api/v1/categories/999999"), range(40)))
        sent += 40
    assert len(workers_with_files()) == 2, workers_with_files()  # both gunicorn workers answered some

    for _ in range(3):  # whichever worker answers the scrape, it tells the sum of both
        text = _get(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"}).decode()
        counted = sum(sample.value for family in text_string_to_metric_families(text)
                      for sample in family.samples
                      if sample.name == "civic_http_requests_total"
                      and sample.labels.get("endpoint", "").startswith("/api/v1/categories/<"))
        assert counted == sent
