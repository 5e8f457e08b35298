"""gunicorn settings for metrics (`gunicorn -c python:app.observability.gunicorn_conf`).

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its counters to files there;
a worker that exits must be marked dead so its live gauges drop out (its counters stay summed).
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
