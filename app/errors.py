"""One error shape for the JSON surface: {"error": code, "message": text, "details": {...}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client caused and can fix; raised by domain services and HTTP layers alike."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None, *, status: int | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class NotFound(ApiError):
    status, code = 404, "not_found"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Conflict(ApiError):
    status, code = 409, "conflict"


class ValidationFailed(ApiError):
    status, code = 422, "validation_failed"


def error_response(status: int, code: str, message: str, details: dict | None = None):
    response = jsonify({"error": code, "message": message, "details": details or {}})
    response.status_code = status
    return response


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that only matches ids PostgreSQL can hold: a larger number is a 404, not a 500."""

    max = 2**63 - 1


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter

    @app.errorhandler(DataError)
    def handle_data_error(exc: DataError):
        # Input the schemas let through but PostgreSQL refuses (a NUL byte in text, a number out of
        # a column's range): the client's fault, and nothing was written.
        from app.extensions import db

        db.session.rollback()
        log.info("database refused input: %s", exc.orig)
        # The database's own words stay in the log: they describe our schema, not the client's input.
        return error_response(422, "invalid_input", "A value could not be stored: it is out of range or not "
                                                    "valid text.")

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    # HTTPExceptions (404, 405, 422 from webargs, ...) are answered by CivicApi.handle_http_exception
    # in the same shape; see app/api/core.py.

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")
