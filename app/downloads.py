"""A file answered for its caller alone, shared by the API and the pages (the privacy export)."""

from __future__ import annotations

from flask import Response


def private_download(data: bytes, filename: str, mimetype: str = "application/zip") -> Response:
    """A file for the caller alone: saved, not shown, and never kept by a cache."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
