"""One error shape for the JSON surface: {"error": code, "message": text, "details": {...}}."""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.i18n import N_

log = logging.getLogger(__name__)


# The words marshmallow and webargs write into a 422's details (English, fixed in their code), so
# that a reader gets them in their language where an error is built (`in_reader_language`).
# `{name}` is a value the library fills in; tests/i18n/test_library_messages.py checks that every
# message of the installed marshmallow is here.
LIBRARY_MESSAGES = (
    N_("Missing data for required field."), N_("Field may not be null."), N_("Invalid value."),
    N_("Unknown field."), N_("Invalid input type."), N_("Invalid type."), N_("Invalid input."),
    N_("Not a valid string."), N_("Not a valid utf-8 string."), N_("Not a valid integer."),
    N_("Not a valid number."), N_("Number too large."), N_("Not a valid boolean."),
    N_("Special numeric values (nan or infinity) are not permitted."), N_("Not a valid mapping type."),
    N_("Not a valid list."), N_("Not a valid tuple."), N_("Not a valid email address."),
    N_("Not a valid URL."), N_("Not a valid UUID."), N_("Not a valid IP address."),
    N_("Not a valid IPv4 address."), N_("Not a valid IPv6 address."), N_("Not a valid IP interface."),
    N_("Not a valid IPv4 interface."), N_("Not a valid IPv6 interface."), N_("Not a valid date."),
    N_("Not a valid datetime."), N_("Not a valid time."), N_("Not a valid period of time."),
    N_("Not a valid aware datetime."), N_("Not a valid naive datetime."),
    N_("\"{input}\" cannot be formatted as a date."), N_("\"{input}\" cannot be formatted as a datetime."),
    N_("\"{input}\" cannot be formatted as a time."), N_("{input} cannot be formatted as a timedelta."),
    N_("String does not match expected pattern."), N_("Must be one of: {choices}."),
    N_("Must be equal to {other}."), N_("One or more of the choices you made was in: {values}."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("Length must be between {min} and {max}."), N_("Length must be {equal}."),
    N_("Longer than maximum length {max}."), N_("Shorter than minimum length {min}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min}."), N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."), N_("Must be less than {max}."),
)
_EXACT = frozenset(message for message in LIBRARY_MESSAGES if "{" not in message)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ... text
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)"
                              for i, part in enumerate(parts)) + r"\Z", re.DOTALL)


_PATTERNS = tuple((_pattern(message), message) for message in LIBRARY_MESSAGES if "{" in message)


def _in_reader_language(message: str) -> str:
    if message in _EXACT:
        return _(message)
    for pattern, template in _PATTERNS:
        found = pattern.match(message)
        if found:
            return _(template).format(**found.groupdict())
    return message


def in_reader_language(details):
    """A 422's details with the libraries' own messages (LIBRARY_MESSAGES) in the reader's language;
    every other string (ours, already translated; field names) as it was."""
    if isinstance(details, dict):
        return {key: in_reader_language(value) for key, value in details.items()}
    if isinstance(details, list | tuple):
        return [in_reader_language(item) for item in details]
    return _in_reader_language(details) if isinstance(details, str) else details


class ApiError(Exception):
    """An error a client caused and can fix; raised by domain services and HTTP layers alike.

    `message` is for people, in the caller's language (services pass it through gettext);
    `code` is for machines and never translated.
    """

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None, *, status: int | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        # A service may hand on a schema's messages (marshmallow's words among them).
        self.details = in_reader_language(details or {})
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


# What an HTTP error says to people when no service said more (werkzeug's descriptions are English).
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Log in first."),
    403: _l("You may not do this."),
    404: _l("Nothing was found at this address."),
    405: _l("This address does not take that method."),
    409: _l("This conflicts with the current state."),
    413: _l("What was sent is too large."),
    415: _l("This kind of content is not accepted here."),
    429: _l("Too many attempts; wait a little and try again."),
    500: _l("Something went wrong on our side; it has been logged."),
    503: _l("The service is unavailable for a moment; try again later."),
}


def http_message(status: int | None, fallback: str) -> str:
    """The people's words for an HTTP status, in the caller's language."""
    message = HTTP_MESSAGES.get(status or 500)
    return str(message) if message is not None else fallback


def http_message_for(exc: HTTPException) -> str:
    """An HTTPException's words: its own when it was given some, else the table's."""
    if exc.description and exc.description != type(exc).description:
        return exc.description
    return http_message(exc.code, exc.description or exc.name)


def error_response(status: int, code: str, message: str, details: dict | None = None):
    response = jsonify({"error": code, "message": str(message), "details": details or {}})
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
        # The session through the app (not app.extensions, which imports the API that imports us).
        current_app.extensions["sqlalchemy"].session.rollback()
        log.info("database refused input: %s", exc.orig)
        # The database's own words stay in the log: they describe our schema, not the client's input.
        return error_response(422, "invalid_input", _("A value could not be stored: it is out of range or not "
                                                      "valid text."))

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
        return error_response(500, "internal_error", http_message(500, ""))
