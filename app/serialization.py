"""Dumping hot schemas without marshmallow's per-field machinery, to the same output.

marshmallow's `dump` reaches each value through `get_value`, `get_attribute` and
`utils.get_value`, then formats it through `serialize` and `_serialize`; for a page of requests
that is most of the time a list takes after its one statement (bench/city.py). `FastDump` keeps
the schema (the OpenAPI document, the fields, their `_serialize`) and only skips the lookups:
each field's value is read with one `getattr` (or `[]` on a dict), and formatted by the field's
own `_serialize` unless it is a value that `_serialize` gives back unchanged (`_UNCHANGED`: None,
an `int` for an Integer, a `str` for a String...), which is kept as it is; a nested FastDump
schema (or a list of them, or a list of unchanged values) is dumped by its own loop directly.
A schema with dump hooks keeps marshmallow's path unless it says, in `shown_keys`, which keys
an object shows (its hook's rule, in one place). tests/foundation/test_serialization.py checks
both paths agree, to the JSON text.
"""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import missing

# How a field's value is reached: one attribute (or key), a dotted path, or computed by the field.
_PLAIN, _DOTTED, _COMPUTED = "plain", "dotted", "computed"
_ANY = None  # every value is dumped unchanged (the field's `_serialize` is marshmallow's identity)
_NONE = frozenset({type(None)})


def _unchanged(field: ma.fields.Field):
    """The types of value the field's `_serialize` returns as they are (`_ANY`: all of them).

    Exact classes only: a subclass may format differently. Integer and Float return
    `num_type(value)`, itself for a value of that type; String `str(value)`; Boolean, Raw and
    Field the value; Number fields `as_string` format every value; every other field at least
    returns None for None.
    """
    kind = type(field)
    if kind in (ma.fields.Boolean, ma.fields.Raw, ma.fields.Field):
        return _ANY
    if kind in (ma.fields.Integer, ma.fields.Float) and not field.as_string:
        return frozenset({field.num_type, type(None)})
    if kind is ma.fields.String:
        return frozenset({str, type(None)})
    return _NONE if field._CHECK_ATTRIBUTE else frozenset()  # a computed field formats None too


def _dumps_fast(schema) -> bool:
    return isinstance(schema, FastDump) and not schema._marshmallows_own_path()


def _formatter(field: ma.fields.Field):
    """What formats a value the field does not keep unchanged: a nested FastDump schema's own
    loop, one per item for a list, else the field's `_serialize`."""
    if type(field) is ma.fields.Nested and _dumps_fast(field.schema):
        schema = field.schema
        if not (schema.many or field.many):
            return lambda value, name, obj: schema.dump_one(value)
        return lambda value, name, obj: [schema.dump_one(item) for item in value]
    if type(field) is ma.fields.List:
        inner = field.inner
        if type(inner) is ma.fields.Nested and _dumps_fast(inner.schema) and not (inner.many or inner.schema.many):
            dump_one = inner.schema.dump_one
            return lambda value, name, obj: [None if item is None else dump_one(item) for item in value]
        kept = _unchanged(inner)
        if kept is not _ANY:
            serialize = inner._serialize
            return lambda value, name, obj: [item if type(item) in kept else serialize(item, name, obj)
                                             for item in value]
    return field._serialize


class FastDump:
    """Mixin for an `ma.Schema` whose `dump` is a loop over its fields (same result as marshmallow)."""

    def shown_keys(self, obj) -> frozenset[str] | None:
        """The keys `obj` shows (None: all); a schema with a post_dump filter says it here."""
        return None

    def dump(self, obj, *, many: bool | None = None):
        many = self.many if many is None else many
        if self._marshmallows_own_path():
            return ma.Schema.dump(self, obj, many=many)
        if many:
            dump_one = self.dump_one
            return [dump_one(item) for item in obj]
        return self.dump_one(obj)

    def _marshmallows_own_path(self) -> bool:
        has_hooks = self._hooks[PRE_DUMP] or self._hooks[POST_DUMP]
        return bool(has_hooks) and type(self).shown_keys is FastDump.shown_keys

    def _plan(self) -> list[tuple]:
        """Per dumped field: its key, its attribute, how it is reached, the field, the types it
        keeps unchanged and what formats the others; made once per schema instance."""
        plan = self.__dict__.get("_fast_plan")
        if plan is None:
            plan = self._fast_plan = [
                (field.data_key or name, field.attribute or name,
                 _COMPUTED if not field._CHECK_ATTRIBUTE else _DOTTED if "." in (field.attribute or name) else _PLAIN,
                 field, _unchanged(field), _formatter(field), name)
                for name, field in self.dump_fields.items()]
            self._shown_plans = {}
            self._narrows = type(self).shown_keys is not FastDump.shown_keys
        return plan

    def dump_one(self, obj) -> dict:
        """`dump` of one object (as marshmallow would, hooks included: see `shown_keys`)."""
        plan = self.__dict__.get("_fast_plan") or self._plan()
        if self._narrows:
            shown = self.shown_keys(obj)
            narrowed = self._shown_plans.get(shown)
            if narrowed is None:  # the plan of the fields `shown`, made once per set of keys
                narrowed = self._shown_plans[shown] = [step for step in plan if step[0] in shown]
            plan = narrowed
        mapping = isinstance(obj, dict | Mapping)
        result = {}
        for key, attribute, reach, field, unchanged, formatter, name in plan:
            if reach is _PLAIN:
                value = obj.get(attribute, missing) if mapping else getattr(obj, attribute, missing)
            elif reach is _COMPUTED:  # Function, Method: computed from the object
                value = None
            else:
                value = field.get_value(obj, attribute)
            if value is missing:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is missing:
                    continue
            if unchanged is _ANY or type(value) in unchanged:
                result[key] = value
            else:
                result[key] = formatter(value, name, obj)
        return result
