"""The base of every input schema: text the database can store, or a 422 naming the field."""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma


def _unstorable(value) -> bool:
    """True for text PostgreSQL cannot store: a NUL, or a lone surrogate (not UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, Mapping):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unstorable(item) for item in value)
    return False


class InputSchema(ma.Schema):
    """Client input. PostgreSQL text and JSONB hold neither NUL nor lone surrogates (which JSON
    can spell as \\u0000 and \\ud800), so such a field is a 422 naming it, not a database error."""

    @ma.pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        if isinstance(data, Mapping):
            bad = [key for key, value in data.items() if _unstorable(key) or _unstorable(value)]
            if bad:
                raise ma.ValidationError({str(key): ["Must be text without NUL characters or lone surrogates."]
                                          for key in bad})
        return data
