"""Writing an outgoing text + HTML message as bytes, fast: the headers we give, two QP parts.

The standard library's generator re-folds (and, with the modern policy, re-parses) every
header of every message, which cost more than sending it. Our headers are known, short and
ASCII (non-ASCII values arrive already RFC 2047-encoded, see `header_value`), so they are
written as they are, after removing any line break a value could smuggle in.
"""

from __future__ import annotations

import binascii
import secrets
from email.header import Header
from email.utils import formataddr


def header_value(value: str) -> str:
    """One header line's value: ASCII as is, anything else RFC 2047-encoded."""
    value = " ".join(value.split("\n")).replace("\r", " ")
    return value if value.isascii() else Header(value, "utf-8").encode()


def address(name: str | None, email: str) -> str:
    """`Name <email>` (the name encoded when it is not ASCII), or the bare address."""
    return formataddr((" ".join((name or "").split()), email)) if name else email


def _quoted_printable(text: str) -> bytes:
    body = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return body.replace(b"\n", b"\r\n")


def alternative_message(headers: list[tuple[str, str]], text: str, html: str) -> bytes:
    """A multipart/alternative message (text, then HTML) with CRLF line ends, ready for DATA."""
    # "=_" never occurs in quoted-printable output ("=" is always followed by hex or a line end).
    boundary = "=_" + secrets.token_hex(12)
    lines = [f"{name}: {' '.join(value.splitlines())}" for name, value in headers]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    head = "\r\n".join(lines).encode("ascii") + b"\r\n"
    part = "--{b}\r\nContent-Type: text/{sub}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    return b"".join((
        head,
        part.format(b=boundary, sub="plain").encode(), _quoted_printable(text), b"\r\n",
        part.format(b=boundary, sub="html").encode(), _quoted_printable(html), b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ))
