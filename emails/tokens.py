"""Reply-address tokens: `reply+<token>@INBOUND_DOMAIN` names one delivery, unforgeably.

The token is the delivery id and an HMAC of it, both in lowercase base32, because mail
systems may change the case of a local part. Nobody can make a valid token for a delivery
they were not sent; the inbound router then checks the sender against that delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

_MAC_CHARS = 20  # 100 bits
_MAC_BYTES = 15  # base32 writes each 5 bytes as 8 characters: 15 bytes hold the first 24
_SEPARATOR = "."


_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lowercase
_PAIRS = [first + second for first in _ALPHABET for second in _ALPHABET]  # 10 bits -> 2 characters


def _b32(data: bytes) -> str:
    """Unpadded lowercase base32, as `base64.b32encode(data).decode().rstrip("=").lower()`.

    Four per email sent: the standard library's encoder (Python code, a loop over 5-byte
    groups) cost more than the two HMACs they encode. Here: the bytes as one integer, its
    5-bit groups two at a time from a table.
    """
    bits = len(data) * 8
    groups = -(-bits // 5)  # the last one padded with zero bits, as base32 does
    pairs = (groups + 1) // 2
    number = int.from_bytes(data, "big") << (pairs * 10 - bits)
    text = "".join([_PAIRS[(number >> shift) & 1023] for shift in range(pairs * 10 - 10, -1, -10)])
    return text[:groups]


@lru_cache(maxsize=16)
def _key(secret_key: str, purpose: str) -> bytes:
    # A purpose-bound key, so a token is worthless anywhere else SECRET_KEY signs things.
    return hashlib.sha256(purpose.encode() + b":" + secret_key.encode()).digest()


def _mac(delivery_id: int, secret_key: str, purpose: str) -> str:
    # Two per email sent (reply and unsubscribe): the one-shot C digest, and base32 of only the
    # bytes that hold the characters kept.
    digest = hmac.digest(_key(secret_key, purpose), str(delivery_id).encode(), "sha256")
    return _b32(digest[:_MAC_BYTES])[:_MAC_CHARS]


def make_reply_token(delivery_id: int, secret_key: str, purpose: str = "reply-token") -> str:
    """`purpose` keeps tokens of one use (reply, unsubscribe) from being accepted by another."""
    id_bytes = delivery_id.to_bytes((delivery_id.bit_length() + 7) // 8 or 1, "big")
    return f"{_b32(id_bytes)}{_SEPARATOR}{_mac(delivery_id, secret_key, purpose)}"


def read_reply_token(token: str, secret_key: str, purpose: str = "reply-token") -> int | None:
    """The delivery id a genuine token names, or None for anything forged or garbled."""
    encoded, sep, mac = token.strip().lower().partition(_SEPARATOR)
    if not sep or not encoded or len(mac) != _MAC_CHARS:
        return None
    try:
        padded = encoded.upper() + "=" * (-len(encoded) % 8)
        delivery_id = int.from_bytes(base64.b32decode(padded), "big")
    except (ValueError, base64.binascii.Error):
        return None
    # As bytes: compare_digest refuses str with non-ASCII characters, which a forger may send.
    if not hmac.compare_digest(mac.encode(), _mac(delivery_id, secret_key, purpose).encode()):
        return None
    return delivery_id


def claimed_delivery_id(token: str) -> int | None:
    """The delivery id a token claims, NOT verified: only to tell which organization's
    triage queue a reply with a broken signature belongs in, never to act on its behalf."""
    encoded = token.strip().lower().partition(_SEPARATOR)[0]
    if not encoded or len(encoded) > 16:
        return None
    try:
        return int.from_bytes(base64.b32decode(encoded.upper() + "=" * (-len(encoded) % 8)), "big")
    except (ValueError, base64.binascii.Error):
        return None
