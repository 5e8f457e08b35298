"""Stored date-times outside the window (app/inputs.py) are read as its edges, so no page breaks on one.

Inputs are refused outside the window and migration 0021 repaired the rows stored before; this
is the last line: a `timestamptz` Python cannot hold (before year 1, after 9999: psycopg raises
"timestamp too small/large", which broke every list showing the row) or that would overflow
when shown in a time zone reads as 1970-01-01 or 2200-01-01 instead.
"""

from __future__ import annotations

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import Format

from app.inputs import EARLIEST, LATEST

_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
_BASE = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


class WindowedTimestamptzLoader(Loader):
    """psycopg's own loader, then the window's edges for anything outside it."""

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._base = _BASE(oid, context)

    def load(self, data):
        try:
            value = self._base.load(data)
        except psycopg.DataError as exc:
            return EARLIEST if "small" in str(exc) else LATEST
        if value < EARLIEST:
            return EARLIEST
        if value > LATEST:
            return LATEST
        return value


def register() -> None:
    """Read every connection's `timestamptz` through the window (idempotent; called by app/extensions.py)."""
    psycopg.adapters.register_loader(_TIMESTAMPTZ, WindowedTimestamptzLoader)
