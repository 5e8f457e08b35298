"""Thousands of mangled messages: nothing crashes, every one is stored and accounted for.

A seeded mutator (reproducible: INBOUND_FUZZ_SEED, INBOUND_FUZZ_COUNT) mangles the corpus the
way broken clients, MTAs and attackers do, and every mutant goes through the real storing
and processing path. Hypothesis adds arbitrary bytes and header values to the parser alone.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.inbound.models import InboundEmail, InboundEmailStatus
from app.inbound.outcomes import OUTCOMES
from app.inbound.processing import process_stored_email
from app.inbound.receive import store_raw_message
from emails.mime import parse_message
from tests.inbound.test_corpus import CORPUS
from tests.inbound.world import build_world, envelope_for, render

FUZZ_COUNT = int(os.environ.get("INBOUND_FUZZ_COUNT", "2000"))
FUZZ_SEED = int(os.environ.get("INBOUND_FUZZ_SEED", "311"))

NASTY = [b"\x00", b"\xff\xfe", b"\r", b"\n", b"\r\n\r\n", b"=?utf-8?b?", b"?=", b"--", b"\t", b"\xc3", b"\xe2\x80",
         b"<", b">", b"@", b";", b"\"", b"=\r\n", b"Content-Type: multipart/mixed; boundary=x\r\n", b"--x\r\n"]
CHARSETS = [b"utf-7", b"big5", b"bogus-charset", b"", b"\"\"", b"utf-16", b"iso-2022-jp", b"x-unknown", b"cp1252;;"]
ENCODINGS = [b"base64", b"quoted-printable", b"8bit", b"binary", b"x-uuencode", b"garbage"]


def _flip(rng, raw):
    data = bytearray(raw)
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _delete_slice(rng, raw):
    start = rng.randrange(len(raw) or 1)
    return raw[:start] + raw[start + rng.randint(1, 200):]


def _duplicate_slice(rng, raw):
    start = rng.randrange(len(raw) or 1)
    return raw[:start] + raw[start:start + rng.randint(1, 400)] * rng.randint(2, 5) + raw[start:]


def _truncate(rng, raw):
    return raw[:rng.randrange(len(raw) or 1)]


def _insert_nasty(rng, raw):
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(raw) + 1)
        raw = raw[:at] + rng.choice(NASTY) + raw[at:]
    return raw


def _swap_charset(rng, raw):
    return re.sub(rb"charset=\"?[\w-]+\"?", b"charset=" + rng.choice(CHARSETS), raw, flags=re.IGNORECASE)


def _swap_encoding(rng, raw):
    return re.sub(rb"Content-Transfer-Encoding: [\w-]+", b"Content-Transfer-Encoding: " + rng.choice(ENCODINGS), raw)


def _no_header_break(rng, raw):
    return raw.replace(b"\n\n", b"\n", 1)


def _huge_header(rng, raw):
    return b"X-Huge: " + b"a" * rng.randint(1000, 50000) + b"\n" + raw


def _splice(rng, raw):
    other = render(rng.choice(_templates()))
    return raw[:rng.randrange(len(raw) or 1)] + other[rng.randrange(len(other) or 1):]


MUTATIONS = [_flip, _delete_slice, _duplicate_slice, _truncate, _insert_nasty, _swap_charset, _swap_encoding,
             _no_header_break, _huge_header, _splice]


def _templates() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]


def mutants(count: int, seed: int):
    """`count` mangled messages, the same ones for the same seed."""
    rng = random.Random(seed)
    templates = [render(t) for t in _templates()]
    for index in range(count):
        raw = rng.choice(templates)
        for mutation in rng.sample(MUTATIONS, rng.randint(1, 3)):
            raw = mutation(rng, raw)
        if rng.random() < 0.9:  # mostly fresh Message-IDs, so routing is reached and not only dedupe
            raw = re.sub(rb"(?im)^Message-ID:.*$", b"Message-ID: <fuzz-%d@fuzz.example>" % index, raw, count=1)
        yield raw


def test_thousands_of_mangled_messages_are_all_stored_and_accounted_for(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    build_world()
    for raw in mutants(FUZZ_COUNT, FUZZ_SEED):
        mail_from, rcpt = envelope_for(raw)
        stored_id = store_raw_message(raw, received_via="smtp", envelope_from=mail_from, envelope_to=rcpt)
        process_stored_email(stored_id)  # raises only to ask for a retry: that would be a crash here
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(InboundEmail)) == FUZZ_COUNT
    statuses = Counter(db.session.scalars(select(InboundEmail.status)))
    assert statuses[InboundEmailStatus.RECEIVED] == 0 and statuses[InboundEmailStatus.FAILED] == 0, statuses
    reasons = set(db.session.scalars(select(InboundEmail.reason).where(InboundEmail.reason.is_not(None))))
    assert reasons <= set(OUTCOMES) | {"duplicate"}
    assert db.session.scalar(select(func.count()).where(InboundEmail.outcome == "")) == 0
    # The mangling still reaches the interesting places, not only the parser's error paths.
    assert statuses[InboundEmailStatus.TRIAGED] > FUZZ_COUNT // 4 and statuses[InboundEmailStatus.IGNORED] > 0


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=4000))
def test_the_parser_never_raises_on_arbitrary_bytes(raw):
    parsed = parse_message(raw)
    assert "\x00" not in parsed.text + parsed.reply + parsed.subject + parsed.from_email


header_values = st.text(st.characters(codec="utf-8"), max_size=200) | st.binary(max_size=200).map(
    lambda b: b.decode("latin-1"))


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=header_values, sender=header_values, charset=st.sampled_from(["utf-8", "big5", "nope", "", "utf-7"]),
       body=st.binary(max_size=2000))
def test_the_parser_survives_any_header_and_charset(subject, sender, charset, body):
    head = f"From: {sender}\nTo: springfield@inbound.test\nSubject: {subject}\nContent-Type: text/plain; charset={charset}\n\n"
    parsed = parse_message(head.encode("utf-8", "surrogateescape") + body)
    for text in (parsed.subject, parsed.text, parsed.reply, parsed.from_name):
        text.encode("utf-8")  # storable: no lone surrogates
        assert "\x00" not in text
