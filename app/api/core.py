"""The API framework: flask-smorest answering errors in this product's shape."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Api

from app.errors import http_message_for, in_reader_language


class ErrorSchema(ma.Schema):
    """Every API error: {"error": code, "message": text, "details": {...}}."""

    error = ma.fields.String(required=True, metadata={"example": "validation_failed"})
    message = ma.fields.String(required=True)
    details = ma.fields.Dict(required=True)


def _code_for(status: int, name: str) -> str:
    if status == 422:
        return "validation_failed"
    return name.lower().replace(" ", "_").replace("'", "")


def _describe(errors: dict) -> str:
    """Name the offending fields: `Invalid input: json.lat, query.page`."""
    fields: list[str] = []

    def walk(prefix: str, node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            fields.append(prefix)

    walk("", errors)
    return _("Invalid input: %(fields)s", fields=", ".join(fields)) if fields else _("Invalid input")


class CivicApi(Api):
    """flask-smorest's Api, answering errors in the shape CONTRACT.md fixes."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        headers = data.get("headers") or {}
        details = in_reader_language(data.get("errors") or data.get("messages") or {})
        if "message" in data:
            message = data["message"]
        elif details:
            message = _describe(details)
        else:
            message = http_message_for(error)
        code = data.get("error") or _code_for(error.code or 500, error.name)
        return {"error": code, "message": message, "details": details}, error.code, headers
