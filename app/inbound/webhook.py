"""`POST /inbound/raw`: providers hand us one raw RFC 5322 message; stored first, then 202.

Authenticated by INBOUND_WEBHOOK_SECRET, sent as the `X-Inbound-Secret` header or as the
password of HTTP Basic auth (for providers that only let you put credentials in the URL),
compared in constant time. With no secret configured the endpoint refuses everything.
Optional `X-Envelope-From` and `X-Envelope-To` (comma-separated) carry the SMTP envelope.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import ApiError, Unauthorized, ValidationFailed, error_response
from app.inbound.receive import accept_raw_message

log = logging.getLogger(__name__)

bp = Blueprint("inbound_webhook", __name__)


def _presented_secret() -> str:
    header = request.headers.get("X-Inbound-Secret")
    if header:
        return header
    return request.authorization.password or "" if request.authorization else ""


def _check_secret() -> None:
    expected = current_app.config.get("INBOUND_WEBHOOK_SECRET") or ""
    if not expected:
        raise ApiError(_("The inbound webhook is not configured (INBOUND_WEBHOOK_SECRET is unset)."),
                       status=403, code="webhook_disabled")
    if not hmac.compare_digest(_presented_secret().encode(), expected.encode()):
        raise Unauthorized(_("Wrong or missing inbound webhook secret."))


@bp.post("/inbound/raw")
def receive_raw():
    """Store one raw message and queue it for routing."""
    _check_secret()
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise ValidationFailed(_("The body must be one raw RFC 5322 message."), {"body": "empty"})
    envelope_to = [a.strip() for a in request.headers.get("X-Envelope-To", "").split(",") if a.strip()]
    try:
        stored_id = accept_raw_message(raw, received_via="webhook",
                                       envelope_from=request.headers.get("X-Envelope-From"),
                                       envelope_to=envelope_to)
    except Exception:
        # Not stored, so not accepted: the provider keeps the message and retries.
        log.exception("could not store a webhook message; asking the provider to retry")
        return error_response(503, "unavailable", "Could not store the message; try again later.")
    return jsonify({"id": stored_id, "status": "received"}), 202


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    return error_response(413, "too_large", "The message is larger than this server accepts.")
