"""The request id of the work in hand: an HTTP call, or a message that such a call (indirectly) sent."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("civic_request_id", default=None)

# An id from the caller (X-Request-ID, e.g. set by a proxy) is kept only when it is tame.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def current_request_id() -> str | None:
    return request_id_var.get()


def request_id_from(header: str | None) -> str:
    """The caller's id when it looks like one, else a new one."""
    if header and _ACCEPTABLE.match(header):
        return header
    return uuid.uuid4().hex
