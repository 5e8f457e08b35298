"""The specification's `errors` document, with its HTTP codes, for everything under /open311/v2.

404 for what does not exist, 403 for a missing or wrong api_key, 400 for any other request
that cannot be fulfilled; 429 when a key exceeds its rate limit.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from app.errors import ApiError
from app.inputs import unstorable  # one rule for text no column can hold
from app.open311 import mapping
from app.open311.serializers import FORMATS, render

log = logging.getLogger(__name__)


class Open311Error(Exception):
    """A request the client can fix; `errors` is [(code, description), ...]."""

    def __init__(self, status: int, description: str, *, errors: list[tuple[int | str, str]] | None = None):
        super().__init__(description)
        self.status = status
        self.errors = errors or [(status, description)]


class BadRequest(Open311Error):
    def __init__(self, description: str, **kwargs):
        super().__init__(400, description, **kwargs)


class NotFound(Open311Error):
    def __init__(self, description: str, **kwargs):
        super().__init__(404, description, **kwargs)


class InvalidApiKey(Open311Error):
    def __init__(self, description: str, **kwargs):
        super().__init__(403, description, **kwargs)


def requested_format() -> str:
    """The format the client asked for by the resource's extension; XML when it is unclear."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt in FORMATS:
        return fmt
    return "json" if request.path.endswith(".json") else "xml"


def errors_response(error: Open311Error):
    document = [{"code": code, "description": description} for code, description in error.errors]
    return render(requested_format(), "errors", document, status=error.status)


_LOCATIONS = ("json", "form", "query", "files")


def _leaves(details, path: str = "") -> list[tuple[str, str]]:
    """Marshmallow-style {"field": ["message"]} details as (field path, message) pairs."""
    if isinstance(details, dict):
        pairs: list[tuple[str, str]] = []
        for key, value in details.items():
            # webargs nests by location ("json", "form"): the field name is what the client knows.
            name = path if key in _LOCATIONS and not path else f"{path}.{key}" if path else str(key)
            pairs += _leaves(value, name)
        return pairs
    if isinstance(details, list | tuple):
        return [pair for item in details for pair in _leaves(item, path)]
    return [(path, str(details))]


def _descriptions(details) -> list[str]:
    """One line per distinct message, naming every form field it concerns."""
    fields_by_message: dict[str, list[str]] = {}
    for path, message in _leaves(details):
        fields = fields_by_message.setdefault(message, [])
        if path and mapping.form_field(path) not in fields:
            fields.append(mapping.form_field(path))
    return [f"{', '.join(fields)}: {message}" if fields else message for message, fields in fields_by_message.items()]


def from_domain_error(exc: ApiError) -> Open311Error:
    """A domain service's refusal, told in the specification's codes and the form's field names."""
    status = {401: 403, 403: 403, 404: 404, 429: 429}.get(exc.status, 400)
    lines = _descriptions(exc.details) if exc.status == 422 else []
    errors = [(status, line) for line in lines] or [(status, exc.message)]
    return Open311Error(status, exc.message, errors=errors)


def refuse_unstorable_parameters() -> None:
    """A 400 naming the first query or form parameter no column could hold."""
    for name, value in [*request.args.items(multi=True), *request.form.items(multi=True)]:
        if unstorable(name) or unstorable(value):
            shown = "a parameter name" if unstorable(name) else name
            raise BadRequest(f"{shown}: must be text without NUL characters.")


def register(bp: Blueprint) -> None:
    """Answer every error raised under the blueprint with the errors document."""

    bp.before_request(refuse_unstorable_parameters)

    @bp.errorhandler(DataError)
    def handle_data_error(exc: DataError):
        # Registered here, or the app's JSON handler would answer for Open311 (and the
        # database's own words stay in the log).
        from app.extensions import db

        db.session.rollback()
        log.info("database refused Open311 input: %s", exc.orig)
        return errors_response(BadRequest("A value could not be stored: it is out of range or not valid text."))

    @bp.errorhandler(Open311Error)
    def handle_open311_error(exc: Open311Error):
        return errors_response(exc)

    @bp.errorhandler(ApiError)
    def handle_domain_error(exc: ApiError):
        return errors_response(from_domain_error(exc))

    @bp.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        description = exc.description or exc.name
        if exc.code == 429:
            description = f"Too many requests with this api_key: {description}."
        # flask-limiter adds Retry-After and X-RateLimit-* to whatever response this becomes.
        return errors_response(Open311Error(exc.code or 400, description))

    @bp.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        log.exception("unhandled error in Open311")
        return errors_response(Open311Error(500, "Something went wrong on our side; it has been logged."))
