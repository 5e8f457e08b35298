"""Scripts show their words in the page's language: every page hands them the translations of the
gettext/ngettext calls in app/static/js (app/portal/script_words.py), plural forms included."""

from __future__ import annotations

import json
import re

from app.portal.script_words import script_messages

SPANISH = {"Accept-Language": "es"}


def _script_words(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page, re.DOTALL)
    assert found, "the page hands its scripts no words"
    return json.loads(found.group(1))


def test_the_scripts_marked_words_are_read_from_the_scripts_themselves():
    messages = script_messages()
    assert "Handled by {organizations}." in messages
    assert ("{n} unread notification", "{n} unread notifications") in messages


def test_a_spanish_page_hands_its_scripts_spanish_words_and_plural_forms(client):
    words = _script_words(client.get("/", headers=SPANISH).text)
    assert words["words"]["Handled by {organizations}."] == "Lo atiende {organizations}."
    assert words["words"]["The problem is here"] == "El problema está aquí"
    forms = words["plurals"]["{n} unread notification"]
    index = words["pluralIndex"]
    assert forms[index[1]] == "{n} notificación sin leer" and forms[index[3]] == "{n} notificaciones sin leer"
    english = _script_words(client.get("/").text)
    assert english["words"]["Handled by {organizations}."] == "Handled by {organizations}."
    assert english["plurals"]["{n} unread notification"][english["pluralIndex"][2]] == "{n} unread notifications"
