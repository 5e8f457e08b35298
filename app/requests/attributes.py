"""A category's questions (Open311 service attributes) and checking a resident's answers.

A question is `{code, datatype, required, variable, description, order, values: [{key, name}]}`
as GeoReport v2 defines it; `variable: false` marks an informational note that takes no
answer. Answers are `{code: value}`; each datatype has one checker in `DATATYPE_CHECKS`.
Every channel asks the same questions (`answerable`), reads typed text the same way
(`typed_answers`: the web form, Open311) and stores the same value (`validate_answers`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import ValidationFailed

MAX_TEXT_ANSWER = 5000


class Datatype(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


LIST_DATATYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})


class AttributeValueSchema(ma.Schema):
    key = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class AttributeSchema(ma.Schema):
    """One question of a category, as Open311 GeoReport v2 describes a service attribute."""

    code = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^[A-Za-z0-9_-]{1,64}$", error=_l("Use 1 to 64 letters, digits, '_' or '-'.")))
    datatype = ma.fields.String(required=True, validate=ma.validate.OneOf([d.value for d in Datatype]))
    required = ma.fields.Boolean(load_default=False)
    variable = ma.fields.Boolean(load_default=True)
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    order = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=1000))
    values = ma.fields.List(ma.fields.Nested(AttributeValueSchema), load_default=list,
                            validate=ma.validate.Length(max=100))

    @ma.pre_dump
    def _without_values(self, data, **kwargs):
        """A question stored without `values` (not a list question) has none, not dict.values."""
        return {**data, "values": data.get("values") or []} if isinstance(data, dict) else data

    @ma.validates_schema
    def _values_fit_datatype(self, data, **kwargs):
        keys = [value["key"] for value in data.get("values", [])]
        if data.get("datatype") in LIST_DATATYPES and not keys:
            raise ma.ValidationError(_("A list question needs at least one value."), "values")
        if data.get("datatype") not in LIST_DATATYPES and keys:
            raise ma.ValidationError(_("Only list questions take values."), "values")
        if len(set(keys)) != len(keys):
            raise ma.ValidationError(_("Value keys must be unique."), "values")


def check_unique_codes(attributes: list[dict]) -> None:
    """Raise ValidationError (for the `attributes` field) when two questions share a code."""
    codes = [attribute["code"] for attribute in attributes]
    if len(set(codes)) != len(codes):
        raise ma.ValidationError(_("Question codes must be unique."), "attributes")


def answerable(attributes: Iterable[dict] | None) -> list[dict]:
    """The questions that take an answer (not `variable: false` notes), in their order."""
    return sorted((a for a in attributes or [] if a.get("variable", True)), key=lambda a: a.get("order", 0))


def typed_answers(attributes: Iterable[dict] | None, given: Mapping[str, str | list[str]]) -> dict:
    """Answers typed as text (a form, an Open311 post) as the values their questions' datatypes take.

    `given` maps a question code to the text or texts sent. Text is stripped and blanks are
    left out; a number question's text becomes a number when it reads as one; a list
    question's texts stay a list. Only the shape changes: `validate_answers` says what fits.
    """
    datatypes = {a.get("code"): a.get("datatype") for a in attributes or []}
    answers: dict = {}
    for code, sent in given.items():
        texts = [text.strip() for text in (sent if isinstance(sent, list | tuple) else [sent])
                 if isinstance(text, str) and text.strip()]
        if not texts:
            continue
        if datatypes.get(code) == Datatype.MULTIVALUELIST:
            answers[code] = texts
        elif len(texts) > 1:
            answers[code] = texts  # several texts for one answer: refused as they are
        else:
            answers[code] = _read_number(texts[0]) if datatypes.get(code) == Datatype.NUMBER else texts[0]
    return answers


def _read_number(text: str):
    try:
        return _stored_number(float(text))
    except ValueError:
        return text  # left as text: the check says "Must be a number."


def _stored_number(value):
    """A whole number is stored as an integer, however it was written (3, 3.0, "3.0")."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _text(limit: int):
    def check(value, attribute) -> str | None:
        if not isinstance(value, str):
            return "Must be a string."
        return f"At most {limit} characters." if len(value) > limit else None
    return check


def _number(value, attribute) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value == value  # NaN != NaN
    return None if ok and abs(value) != float("inf") else "Must be a number."


def _datetime(value, attribute) -> str | None:
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "Must be an ISO 8601 date and time."


def _keys(attribute) -> set[str]:
    return {value["key"] for value in attribute.get("values", [])}


def _single(value, attribute) -> str | None:
    return None if isinstance(value, str) and value in _keys(attribute) else (
        f"Must be one of: {', '.join(sorted(_keys(attribute)))}.")


def _multiple(value, attribute) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "Must be a list of value keys."
    unknown = set(value) - _keys(attribute)
    return f"Unknown values: {', '.join(sorted(unknown))}." if unknown else None


DATATYPE_CHECKS = {
    Datatype.STRING: _text(500),
    Datatype.TEXT: _text(MAX_TEXT_ANSWER),
    Datatype.NUMBER: _number,
    Datatype.DATETIME: _datetime,
    Datatype.SINGLEVALUELIST: _single,
    Datatype.MULTIVALUELIST: _multiple,
}


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str | list) and not value)


def validate_answers(attributes: list[dict], answers: dict) -> dict:
    """The answers kept for the request, or 422 naming each offending question under `answers`."""
    questions = {a["code"]: a for a in answerable(attributes)}
    errors: dict[str, list[str]] = {}
    for code in answers.keys() - questions.keys():
        errors[code] = ["This category has no such question."]
    kept = {}
    for code, question in questions.items():
        value = answers.get(code)
        if _is_blank(value):
            if question.get("required"):
                errors[code] = ["An answer is required."]
            continue
        problem = DATATYPE_CHECKS[Datatype(question["datatype"])](value, question)
        if problem:
            errors[code] = [problem]
        else:
            kept[code] = _stored_number(value) if question["datatype"] == Datatype.NUMBER else value
    if errors:
        raise ValidationFailed(_("Some answers do not fit the category's questions."),
                               {"json": {"answers": errors}})
    return kept
