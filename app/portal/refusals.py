"""Call a domain service from a page and show its refusal: one rule for every page of the portal.

A service refuses by raising an `ApiError` (app/errors.py). A page then rolls the session back
(the refused change must not reach a later commit) and shows the refusal where the person is
looking: next to the form's field it names (`forms.apply_service_error`, the form keeping what
was typed), or as a flash above the page it redirects to. Errors that make the page itself off
limits (401, 403, 404) may be passed on to the blueprint's error pages instead (`only=`).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.errors import ApiError
from app.extensions import db
from app.portal.forms import apply_service_error

T = TypeVar("T")

# Refusals a page explains; the rest (no session, no right, nothing there) are the page's own error.
ON_PAGE = frozenset(range(400, 500)) - {401, 403, 404}


@dataclass
class Outcome(Generic[T]):
    """What a service call gave: its value, or the refusal that was shown. True when it went through."""

    value: T | None = None
    refusal: ApiError | None = None

    def __bool__(self) -> bool:
        return self.refusal is None


def flash_refusal(exc: ApiError) -> None:
    """Show a refusal above the next page."""
    flash(exc.message, "error")


def attempt(perform: Callable[[], T], form: FlaskForm | None = None, *, field: str | None = None,
            show: Callable[[ApiError], Any] | None = None, only: Container[int] | None = None,
            quiet: bool = False) -> Outcome[T]:
    """Call `perform`; on a refusal roll back and show it (by `show`, beside `form`'s fields, or as a flash).

    `field` is where a refusal that names no field of the form goes (else the top of the form);
    `only` the statuses shown here (any other is raised on); `quiet` shows nothing (a lookup
    that may come back empty).
    """
    try:
        return Outcome(value=perform())
    except ApiError as exc:
        db.session.rollback()
        if only is not None and exc.status not in only:
            raise
        if quiet:
            pass
        elif show is not None:
            show(exc)
        elif form is not None:
            apply_service_error(form, exc, field)
        else:
            flash_refusal(exc)
        return Outcome(refusal=exc)


def attempt_then_redirect(perform: Callable[[], Any], done: str, location: str) -> Response:
    """A button's POST: call `perform`, flash `done` if it went through (else its refusal), go to `location`."""
    if attempt(perform):
        flash(done)
    return redirect(location)
