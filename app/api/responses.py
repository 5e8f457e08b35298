"""Documenting the error answers an endpoint can give, in the one error shape; private downloads."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response


def errors(blp, *statuses: int):
    """Decorator: document each status (401, 403, ...) with the shared ErrorSchema response."""
    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view
    return decorate


def private_download(data: bytes, filename: str, mimetype: str = "application/zip"):
    """A file for the caller alone: saved, not shown, and never kept by a cache."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
