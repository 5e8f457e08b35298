"""Turning bytes of any declared (or misdeclared) charset into text, never failing.

Mail in the wild declares charsets that are wrong, unknown to Python, or absent. We decode
with the declared charset's superset where browsers use one (WHATWG: "iso-8859-1" means
windows-1252), then UTF-8, then a statistical guess (charset-normalizer), and finally
windows-1252/latin-1, which cannot fail. Everything we keep must also fit in PostgreSQL text.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Labels mail clients use for a charset whose real-world superset we should decode with.
SUPERSETS: dict[str, str] = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}

_CONTROL = re.compile(r"[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Drop what PostgreSQL text cannot hold: NUL characters and lone surrogates."""
    return _CONTROL.sub("", value)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# Below this share of 8-bit bytes, text is mostly ASCII with a few accents: Western mail,
# where windows-1252 is right far more often than a statistical guess on so little evidence.
_GUESS_ABOVE_8BIT_SHARE = 0.15


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Best-effort text for `data`: declared charset, UTF-8, a guess, then windows-1252."""
    candidates = [c for c in (_codec(declared), "utf-8") if c]
    for codec in dict.fromkeys(candidates):
        try:
            return clean_text(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    eight_bit = sum(1 for byte in data if byte >= 0x80)
    mostly_ascii = eight_bit <= _GUESS_ABOVE_8BIT_SHARE * len(data)
    guess = from_bytes(data[:65536]).best() if data and not mostly_ascii else None
    if guess is not None and guess.encoding:
        try:
            return clean_text(data.decode(guess.encoding))
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return clean_text(data.decode("cp1252"))
    except UnicodeDecodeError:
        return clean_text(data.decode("latin-1"))


def repair_header_text(value: str) -> str:
    """Undo the surrogateescape the email package applies to raw 8-bit header bytes."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return clean_text(value)
    return decode_bytes(value.encode("utf-8", "surrogateescape"))
