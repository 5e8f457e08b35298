"""The web side: a request id and a timing for every HTTP call, one JSON line each, and GET /metrics.

/metrics answers only `Authorization: Bearer $METRICS_TOKEN`; with no METRICS_TOKEN set it
refuses every call, so metrics are never public by accident.
"""

from __future__ import annotations

import hmac
import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, request

from app.errors import error_response
from app.observability import metrics
from app.observability.context import request_id_from, request_id_var

log = logging.getLogger("app.http")
bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def prometheus_metrics():
    expected = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return error_response(401, "unauthorized", "GET /metrics needs Authorization: Bearer $METRICS_TOKEN"
                              + ("." if expected else " (METRICS_TOKEN is not set: every call is refused)."))
    return Response(metrics.exposition(current_app._get_current_object()),
                    mimetype="text/plain; version=0.0.4; charset=utf-8")


def _start() -> None:
    g.civic_started = time.perf_counter()
    g.civic_request_id_token = request_id_var.set(request_id_from(request.headers.get("X-Request-ID")))


def _finish(response: Response) -> Response:
    started = g.pop("civic_started", None)
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"  # bounded labels
    metrics.HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    metrics.HTTP_LATENCY.labels(request.method, endpoint).observe(elapsed)
    response.headers["X-Request-ID"] = request_id_var.get() or ""
    log.info("%s %s %s", request.method, request.path, response.status_code,
             extra={"method": request.method, "path": request.path, "endpoint": endpoint,
                    "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)})
    return response


def _forget(_exc=None) -> None:
    token = g.pop("civic_request_id_token", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # reset from another context (a streamed response's generator): let it go
            request_id_var.set(None)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)
    app.register_blueprint(bp)
