"""Dumping hot schemas without marshmallow's per-field machinery, to the same output.

marshmallow's `dump` reaches each value through `get_value`, `get_attribute` and
`utils.get_value`; for a page of requests that is most of the time a list takes after its one
statement (bench/city.py). `FastDump` keeps the schema (the OpenAPI document, the fields, their
`_serialize`) and only skips the lookups: each field's value is read with one `getattr` (or
`[]` on a dict) and formatted by the field's own `_serialize`. A schema with dump hooks keeps
marshmallow's path unless it says, in `shown_keys`, which keys an object shows (its hook's
rule, in one place). tests/foundation/test_serialization.py checks both paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import missing

# How a field's value is reached: one attribute (or key), a dotted path, or computed by the field.
_PLAIN, _DOTTED, _COMPUTED = "plain", "dotted", "computed"


class FastDump:
    """Mixin for an `ma.Schema` whose `dump` is a loop over its fields (same result as marshmallow)."""

    def shown_keys(self, obj) -> frozenset[str] | None:
        """The keys `obj` shows (None: all); a schema with a post_dump filter says it here."""
        return None

    def dump(self, obj, *, many: bool | None = None):
        many = self.many if many is None else many
        has_hooks = self._hooks[PRE_DUMP] or self._hooks[POST_DUMP]
        if has_hooks and type(self).shown_keys is FastDump.shown_keys:
            return ma.Schema.dump(self, obj, many=many)
        plan = self.__dict__.get("_fast_plan")
        if plan is None:
            plan = self._fast_plan = [
                (field.data_key or name, field.attribute or name, field,
                 _COMPUTED if not field._CHECK_ATTRIBUTE else _DOTTED if "." in (field.attribute or name) else _PLAIN)
                for name, field in self.dump_fields.items()]
            self._shown_plans = {}
        if many:
            return [self._dump_one(item, plan) for item in obj]
        return self._dump_one(obj, plan)

    def _dump_one(self, obj, plan) -> dict:
        shown = self.shown_keys(obj)
        if shown is not None:  # the plan of the fields `shown`, made once per set of keys
            narrowed = self._shown_plans.get(shown)
            if narrowed is None:
                narrowed = self._shown_plans[shown] = [step for step in plan if step[0] in shown]
            plan = narrowed
        mapping = isinstance(obj, Mapping)
        result = {}
        for key, attribute, field, reach in plan:
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
            result[key] = field._serialize(value, attribute, obj)
        return result
