"""Operations: Prometheus metrics (`/metrics`) and JSON log lines that carry a request id.

`context.py` holds the request id of what is being done now; `logs.py` puts it on every log
record and writes JSON lines; `tracing.py` carries it in Dramatiq message options from the
HTTP call to the fan-out and on to the delivery run; `metrics.py` defines the metrics and the
scrape-time collector; `web.py` times HTTP requests and serves `/metrics`.
"""
