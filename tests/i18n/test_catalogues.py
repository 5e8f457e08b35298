"""The catalogues are complete: every extracted string has its Spanish, and the template is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
METHODS = [("app/**.py", "python"), ("emails/**.py", "python"),
           ("app/portal/templates/**.html", "jinja2"), ("emails/templates/**", "jinja2")]


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


# As `make i18n` extracts: gettext's own names, and the lazy ones module-level tables use.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def test_the_template_holds_every_marked_string_in_the_code():
    marked = {message[2] if isinstance(message[2], str) else message[2][0]
              for message in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    template = {message.id if isinstance(message.id, str) else message.id[0]
                for message in _catalogue(TRANSLATIONS / "messages.pot") if message.id}
    assert marked - template == set(), "strings marked since the last `make i18n`"


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def gaps(template_ids, catalogue) -> list:
    """The template's msgids the catalogue lacks, leaves empty (a plural form too) or marks fuzzy."""
    found = []
    for msgid in template_ids:
        message = catalogue.get(msgid)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)) if message else ()
        if message is None or not all(strings) or not strings or message.fuzzy:
            found.append(msgid)
    return found


def test_every_language_but_english_translates_every_string():
    template = [m.id for m in _catalogue(TRANSLATIONS / "messages.pot") if m.id]
    for language in set(LANGUAGES) - {"en"}:
        catalogue = _catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
        missing = gaps(template, catalogue)
        assert missing == [], f"{language} lacks {len(missing)} translations, e.g. {missing[:5]}"


def test_no_translation_is_fuzzy_and_every_compiled_catalogue_is_current():
    for language in set(LANGUAGES) - {"en"}:
        folder = TRANSLATIONS / language / "LC_MESSAGES"
        catalogue = _catalogue(folder / "messages.po")
        fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
        assert fuzzy == [], f"{language} has fuzzy translations, e.g. {fuzzy[:5]}"
        with (folder / "messages.mo").open("rb") as handle:
            compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
        written = {_key(m.id): _key(m.string) for m in catalogue if m.id}
        assert compiled == written, f"{language}: messages.mo is older than messages.po; run `make i18n`"


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
