"""Address text as the search sees it: accents folded, case folded, street words in both spellings.

What is stored holds every street word in its long and its short form ("st street",
"n north"), so a resident finds "123 MAIN ST" by typing "123 main stre" or "123 main st",
and "Peñasco" by typing "penasco". What is typed is folded the same way but never expanded:
each typed word must then appear in the stored text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The USPS standard abbreviations of the commonest street types and directions.
ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "highway": "hwy",
    "parkway": "pkwy", "circle": "cir", "square": "sq", "trail": "trl",
    "north": "n", "south": "s", "east": "e", "west": "w",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
}
_SPELLINGS = {**{long: (long, short) for long, short in ABBREVIATIONS.items()},
              **{short: (short, long) for long, short in ABBREVIATIONS.items()}, "av": ("av", "ave", "avenue")}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65_536)  # streets and cities repeat on every line of an address file
def words(text: str) -> tuple[str, ...]:
    """The words of `text`: ASCII letters and digits, lower case, accents dropped."""
    folded = text or ""
    if not folded.isascii():
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return tuple(word for word in _NOT_WORD.split(folded.casefold()) if word)


@lru_cache(maxsize=65_536)
def _stored(part: str) -> str:
    return " ".join(spelling for word in words(part) for spelling in _SPELLINGS.get(word, (word,)))


def search_text(*parts: str) -> str:
    """The stored search text: every word in each of its spellings, each with a space either side.

    The spaces let a LIKE pattern ask for a whole word (`% main %`) or a word's start (`% mai%`).
    """
    return " " + " ".join(filter(None, (_stored(part) for part in parts))) + " "


def label(number: str, street: str, unit: str = "", city: str = "", postcode: str = "") -> str:
    """The address as people write it: "12 Main St, Apt 4, Springfield 62701"."""
    line = f"{number} {street}".strip()
    if unit:
        line += f", {unit}"
    place = " ".join(part for part in (city, postcode) if part)
    return f"{line}, {place}" if place else line


@lru_cache(maxsize=65_536)
def _canonical(part: str) -> str:
    return " ".join(ABBREVIATIONS.get(word, "ave" if word == "av" else word) for word in words(part))


def key(number: str, street: str, unit: str = "", city: str = "", postcode: str = "") -> str:
    """The address's identity across imports: its parts, short spellings ("Main Street" is "Main St")."""
    return "|".join(_canonical(part) for part in (number, street, unit, city, postcode))
