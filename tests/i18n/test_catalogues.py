"""The catalogues are complete: every extracted string has its Spanish, and the templates are current.

Two domains, each read with the configuration `make i18n` uses: `messages` (pages, forms, API;
babel.cfg) and `emails` (email templates and `email_text` marks; babel-emails.cfg).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
# domain -> (extraction configuration, extra keywords, where its catalogues live)
DOMAINS = {
    "messages": ("babel.cfg", {}, ROOT / "app" / "translations"),
    "emails": ("babel-emails.cfg", {"email_text": None}, ROOT / "emails" / "translations"),
}


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _msgid(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_every_marked_string_in_the_code(domain):
    config, keywords, directory = DOMAINS[domain]
    with (ROOT / config).open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    marked = {_msgid(message[2]) for message in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, **keywords})}
    template = {_msgid(message.id) for message in _catalogue(directory / f"{domain}.pot") if message.id}
    assert marked - template == set(), "strings marked since the last `make i18n`"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_language_but_english_translates_every_string(domain):
    directory = DOMAINS[domain][2]
    template = [m.id for m in _catalogue(directory / f"{domain}.pot") if m.id]
    for language in set(LANGUAGES) - {"en"}:
        catalogue = _catalogue(directory / language / "LC_MESSAGES" / f"{domain}.po")
        missing = [msgid for msgid in template
                   if catalogue.get(msgid) is None or not catalogue.get(msgid).string]
        assert missing == [], f"{language} lacks {len(missing)} {domain} translations, e.g. {missing[:5]}"
