"""The words the pages' scripts show, in the page's language.

Scripts mark them as the templates do: `gettext("...")` and `ngettext("...", "...", n)` from
app/static/js/i18n.js, with `{name}` placeholders. `make i18n` extracts them into the `messages`
catalogue (babel.cfg); here the same calls are read from the same files, so the layout can hand
their translations to the scripts as JSON (`<script type="application/json" id="i18n">` in
base.html), with the language's plural forms.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.extract import extract
from flask_babel import get_translations

SCRIPTS = Path(__file__).resolve().parents[1] / "static" / "js"
KEYWORDS = {"gettext": None, "ngettext": (1, 2)}
# Scripts cannot evaluate a catalogue's plural rule (the CSP forbids eval), so they get the form
# of every count below 200 and read a larger count as 100 + count % 100: the rules look at the
# last two digits past 100 (Spanish's "millions" form reads as its "other" in our catalogue).
PLURAL_TABLE_SIZE = 200


@lru_cache(maxsize=1)
def script_messages() -> tuple:
    """Every msgid the scripts mark (a (singular, plural) pair for ngettext), in file order."""
    found = []
    for path in sorted(SCRIPTS.glob("*.js")):
        with path.open("rb") as handle:
            found.extend(message for _line, message, _comments, _context in extract("javascript", handle, KEYWORDS))
    return tuple(dict.fromkeys(found))


def script_words() -> dict:
    """What base.html hands the scripts: each msgid's text, each plural's forms, the plural index."""
    translations = get_translations()
    plural_of = getattr(translations, "plural", lambda n: int(n != 1))
    index = [plural_of(n) for n in range(PLURAL_TABLE_SIZE)]
    # A count that takes each form the table uses (a form no count below 200 takes is never read).
    counts = [index.index(form) if form in index else PLURAL_TABLE_SIZE - 1 for form in range(max(index) + 1)]
    words, plurals = {}, {}
    for message in script_messages():
        if isinstance(message, tuple):
            singular, plural = message
            plurals[singular] = [translations.ngettext(singular, plural, n) for n in counts]
        else:
            words[message] = translations.gettext(message)
    return {"words": words, "plurals": plurals, "pluralIndex": index}
