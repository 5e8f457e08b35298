"""Carry the request id across Dramatiq: into each message's options when sent, back out when processed.

So the fan-out that an HTTP call's event causes, and the delivery run that fan-out wakes, log
under the call's id. A message sent with no id in hand (the scheduler's sweeps) carries none.
"""

from __future__ import annotations

from dramatiq.middleware import Middleware

from app.observability.context import current_request_id, request_id_var

OPTION = "request_id"


class RequestIdMiddleware(Middleware):
    def __init__(self) -> None:
        self._tokens: dict[int, object] = {}

    def before_enqueue(self, broker, message, delay):
        request_id = current_request_id()
        if request_id and OPTION not in message.options:
            message.options[OPTION] = request_id

    def before_process_message(self, broker, message):
        self._tokens[id(message)] = request_id_var.set(message.options.get(OPTION))

    def _reset(self, message) -> None:
        token = self._tokens.pop(id(message), None)
        if token is not None:
            request_id_var.reset(token)

    def after_process_message(self, broker, message, *, result=None, exception=None):
        self._reset(message)

    def after_skip_message(self, broker, message):
        self._reset(message)
