"""A category's questions and the answers a resident gives to them."""

from __future__ import annotations

import marshmallow as ma
import pytest

from app.errors import ValidationFailed
from app.requests.attributes import AttributeSchema, validate_answers

QUESTIONS = [
    {"code": "depth", "datatype": "number", "required": True, "variable": True, "description": "How deep (cm)?"},
    {"code": "lane", "datatype": "singlevaluelist", "required": False, "variable": True,
     "description": "Which lane?", "values": [{"key": "left", "name": "Left"}, {"key": "right", "name": "Right"}]},
    {"code": "hazards", "datatype": "multivaluelist", "required": False, "variable": True,
     "description": "Hazards", "values": [{"key": "water", "name": "Water"}, {"key": "glass", "name": "Glass"}]},
    {"code": "seen", "datatype": "datetime", "required": False, "variable": True, "description": "When?"},
    {"code": "notes", "datatype": "text", "required": False, "variable": True, "description": "Notes"},
    {"code": "info", "datatype": "string", "required": False, "variable": False, "description": "Crews work 7-3."},
]


def _errors(answers: dict) -> dict:
    with pytest.raises(ValidationFailed) as failed:
        validate_answers(QUESTIONS, answers)
    return failed.value.details["json"]["answers"]


def test_good_answers_are_kept_and_blank_optional_ones_dropped():
    kept = validate_answers(QUESTIONS, {"depth": 12.5, "lane": "left", "hazards": ["water"],
                                        "seen": "2026-05-01T08:00:00+00:00", "notes": ""})
    assert kept == {"depth": 12.5, "lane": "left", "hazards": ["water"], "seen": "2026-05-01T08:00:00+00:00"}


@pytest.mark.parametrize(("answers", "field"), [
    ({}, "depth"),                                         # required
    ({"depth": None}, "depth"),
    ({"depth": "deep"}, "depth"),                          # not a number
    ({"depth": True}, "depth"),                            # booleans are not numbers
    ({"depth": 3, "lane": "middle"}, "lane"),              # not one of the values
    ({"depth": 3, "hazards": "water"}, "hazards"),         # a list is expected
    ({"depth": 3, "hazards": ["fire"]}, "hazards"),
    ({"depth": 3, "seen": "yesterday"}, "seen"),
    ({"depth": 3, "notes": 7}, "notes"),
    ({"depth": 3, "colour": "red"}, "colour"),             # no such question
    ({"depth": 3, "info": "hello"}, "info"),               # informational notes take no answer
])
def test_each_bad_answer_is_named(answers, field):
    assert field in _errors(answers)


def test_list_questions_need_values_and_others_take_none():
    schema = AttributeSchema()
    with pytest.raises(ma.ValidationError) as failed:
        schema.load({"code": "lane", "datatype": "singlevaluelist", "description": "Lane?"})
    assert "values" in failed.value.messages
    with pytest.raises(ma.ValidationError):
        schema.load({"code": "depth", "datatype": "number", "description": "Depth",
                     "values": [{"key": "a", "name": "A"}]})
    with pytest.raises(ma.ValidationError):
        schema.load({"code": "has space", "datatype": "string", "description": "x"})
