"""The catalogues are complete: every extracted string has its Spanish, and the templates are current.

Two domains, each read with the configuration `make i18n` uses: `messages` (pages, forms, API;
babel.cfg) and `emails` (email templates and `email_text` marks; babel-emails.cfg).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
# domain -> (extraction configuration, keywords besides gettext's own, where its catalogues live),
# as `make i18n` extracts them (module-level tables use the lazy names).
DOMAINS = {
    "messages": ("babel.cfg", {"_l": None, "lazy_gettext": None, "shared_text": None}, ROOT / "app" / "translations"),
    "emails": ("babel-emails.cfg", {"email_text": None, "shared_text": None}, ROOT / "emails" / "translations"),
}


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _msgid(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_every_marked_string_in_the_code(domain):
    config, keywords, directory = DOMAINS[domain]
    with (ROOT / config).open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    marked = {_msgid(message[2]) for message in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, **keywords})}
    template = {_msgid(message.id) for message in _catalogue(directory / f"{domain}.pot") if message.id}
    assert marked - template == set(), "strings marked since the last `make i18n`"


def gaps(template_ids, catalogue) -> list:
    """The template's msgids the catalogue lacks, leaves empty (a plural form too) or marks fuzzy."""
    found = []
    for msgid in template_ids:
        message = catalogue.get(msgid)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)) if message else ()
        if message is None or not all(strings) or not strings or message.fuzzy:
            found.append(msgid)
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_language_but_english_translates_every_string(domain):
    directory = DOMAINS[domain][2]
    template = [m.id for m in _catalogue(directory / f"{domain}.pot") if m.id]
    for language in set(LANGUAGES) - {"en"}:
        catalogue = _catalogue(directory / language / "LC_MESSAGES" / f"{domain}.po")
        missing = gaps(template, catalogue)
        assert missing == [], f"{language} lacks {len(missing)} {domain} translations, e.g. {missing[:5]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_translation_is_fuzzy_and_every_compiled_catalogue_is_current(domain):
    directory = DOMAINS[domain][2]
    for language in set(LANGUAGES) - {"en"}:
        folder = directory / language / "LC_MESSAGES"
        catalogue = _catalogue(folder / f"{domain}.po")
        fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
        assert fuzzy == [], f"{language} has fuzzy translations, e.g. {fuzzy[:5]}"
        with (folder / f"{domain}.mo").open("rb") as handle:
            compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
        written = {_key(m.id): _key(m.string) for m in catalogue if m.id}
        assert compiled == written, f"{language}: {domain}.mo is older than {domain}.po; run `make i18n`"


def test_the_detector_of_missing_translations_catches_a_gap(tmp_path):
    """`gaps` finds a missing msgid, an empty one, a fuzzy one and a half-translated plural."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalogue = Catalog(locale="es")
    catalogue.add("Report a problem", "Reportar un problema")
    catalogue.add("Log in", "")
    catalogue.add("Map", "Mapa", flags=["fuzzy"])
    path = tmp_path / "messages.po"
    template = ["Report a problem", "Log in", "Map", "Follow", ("%(n)s request", "%(n)s requests")]
    catalogue.add(("%(n)s request", "%(n)s requests"), ("%(n)s solicitud", "", ""))
    with path.open("wb") as handle:
        write_po(handle, catalogue)
    assert gaps(template, _catalogue(path)) == ["Log in", "Map", "Follow", ("%(n)s request", "%(n)s requests")]
