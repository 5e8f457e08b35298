"""Documenting the error answers an endpoint can give, in the one error shape."""

from __future__ import annotations

from http import HTTPStatus


def errors(blp, *statuses: int):
    """Decorator: document each status (401, 403, ...) with the shared ErrorSchema response."""
    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view
    return decorate


