"""The catalogues are complete: every extracted string has its Spanish, and the template is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
METHODS = [("app/**.py", "python"), ("emails/**.py", "python"),
           ("app/portal/templates/**.html", "jinja2"), ("emails/templates/**", "jinja2")]


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_the_template_holds_every_marked_string_in_the_code():
    marked = {message[2] if isinstance(message[2], str) else message[2][0]
              for message in extract_from_dir(str(ROOT), METHODS)}
    template = {message.id if isinstance(message.id, str) else message.id[0]
                for message in _catalogue(TRANSLATIONS / "messages.pot") if message.id}
    assert marked - template == set(), "strings marked since the last `make i18n`"


def test_every_language_but_english_translates_every_string():
    template = [m.id for m in _catalogue(TRANSLATIONS / "messages.pot") if m.id]
    for language in set(LANGUAGES) - {"en"}:
        catalogue = _catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
        missing = [msgid for msgid in template
                   if catalogue.get(msgid) is None or not catalogue.get(msgid).string]
        assert missing == [], f"{language} lacks {len(missing)} translations, e.g. {missing[:5]}"
