"""marshmallow's and webargs' own words in a 422 reach the reader in their language: every message
the installed marshmallow can write is in `app.errors.LIBRARY_MESSAGES` (so in the catalogue), and
an API call in Spanish gets them in Spanish."""

from __future__ import annotations

import inspect

import marshmallow as ma
from marshmallow import fields, validate
from webargs.core import Parser

from app.errors import LIBRARY_MESSAGES, in_reader_language
from tests.factories import UserFactory
from tests.support.auth import bearer

SPANISH = {"Accept-Language": "es"}


def _marshmallows_messages() -> set[str]:
    found = {Parser.DEFAULT_VALIDATION_MESSAGE, *ma.Schema._default_error_messages.values()}
    for _name, field in inspect.getmembers(fields, inspect.isclass):
        for message in getattr(field, "default_error_messages", {}).values():
            found.add(message.replace("{input!r}", "{input}"))
    for obj_type in ("date", "datetime", "time"):
        for template in ('Not a valid {obj_type}.', '"{input}" cannot be formatted as a {obj_type}.'):
            found.add(template.replace("{obj_type}", obj_type))
    for awareness in ("aware", "naive"):
        found.add(f"Not a valid {awareness} datetime.")
    found = {m for m in found if "{obj_type}" not in m and "{awareness}" not in m}
    for _name, validator in inspect.getmembers(validate, inspect.isclass):
        for attribute in ("default_message", "message_min", "message_max", "message_all", "message_equal"):
            message = vars(validator).get(attribute)
            if isinstance(message, str) and validator is not validate.Range:
                found.add(message)
    bounds = validate.Range
    for low in (bounds.message_gte, bounds.message_gt):
        found.add(bounds.message_min.format(min_op=low))
        for high in (bounds.message_lte, bounds.message_lt):
            found.add(bounds.message_all.format(min_op=low, max_op=high))
    for high in (bounds.message_lte, bounds.message_lt):
        found.add(bounds.message_max.format(max_op=high))
    return found


def test_every_message_marshmallow_can_write_is_in_the_table():
    assert _marshmallows_messages() - set(LIBRARY_MESSAGES) == set()


def test_filled_in_messages_are_translated_with_their_values_and_ours_pass_through(app):
    with app.test_request_context(headers=SPANISH):
        assert in_reader_language({"json": {"n": ["Must be greater than or equal to 0 and less than 5."],
                                            "name": ["Longer than maximum length 200."],
                                            "kind": ["Must be one of: a, b."],
                                            "other": ["Ya añadiste esta dirección."]}}) == {"json": {
            "n": ["Debe ser mayor o igual que 0 y menor que 5."],
            "name": ["Supera la longitud máxima de 200."],
            "kind": ["Debe ser uno de estos: a, b."],
            "other": ["Ya añadiste esta dirección."]}}


def test_a_spanish_api_call_gets_marshmallows_messages_in_spanish(client):
    headers = {**bearer(UserFactory()), **SPANISH}
    answer = client.post("/api/v1/requests", headers=headers, json={
        "category_id": "seven", "lat": 39.78, "lng": -89.65})
    assert answer.status_code == 422 and answer.get_json()["error"] == "validation_failed"
    details = answer.get_json()["details"]["json"]
    assert details["category_id"] == ["No es un número entero válido."]
    assert details["description"] == ["Falta este campo obligatorio."]
    english = client.post("/api/v1/requests", headers=bearer(UserFactory()), json={"category_id": "seven"})
    assert english.get_json()["details"]["json"]["category_id"] == ["Not a valid integer."]
