"""Who may speak by email: forged senders are refused, proven ones are heard.

Real DKIM signatures made with a key generated for the run, real SPF evaluation (pyspf), the
real SMTP listener as the edge, and DNS answered from a table (`StaticResolver`), never the
network. What we look at is what people see: the request's comments, and the triage queue
with its reason, as staff read it through the API.
"""

from __future__ import annotations

import base64
import subprocess

import dkim
import pytest
from sqlalchemy import select

from app.extensions import db
from app.inbound.models import InboundEmail
from app.inbound.smtp import start_listener
from app.requests.models import Comment
from emails.dns import StaticResolver
from emails.tokens import make_reply_token
from tests.inbound.world import mail, send_smtp, store_and_process
from tests.support.auth import bearer
from tests.support.smtp import free_port

REQUEST_ADDRESS = "request-open000001@inbound.test"


def _keypair(tmp_path_factory, name: str) -> tuple[bytes, str]:
    """A fresh RSA key (PKCS#1 PEM, as dkimpy signs with) and its DNS `p=` value."""
    folder = tmp_path_factory.mktemp(name)
    pem = folder / "key.pem"
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(pem), "1024"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(pem), "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return pem.read_bytes(), base64.b64encode(der).decode()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return {domain: _keypair(tmp_path_factory, domain.replace(".", "-"))
            for domain in ("example.org", "springfield.gov", "evil.example")}


@pytest.fixture
def dns(app, keys, monkeypatch):
    """DNS as the senders' domains publish it: DKIM keys, and SPF allowing only 192.0.2.10."""
    records = {(f"sel._domainkey.{domain}", "TXT"): [f"v=DKIM1; k=rsa; p={public}"]
               for domain, (_, public) in keys.items()}
    for domain in keys:
        records[(domain, "TXT")] = ["v=spf1 ip4:192.0.2.10 -all"]
    resolver = StaticResolver(records)
    monkeypatch.setitem(app.config, "INBOUND_DNS_RESOLVER", resolver)
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "")  # our listener is the edge
    return resolver


@pytest.fixture
def listener(app):
    controller = start_listener(app, host="127.0.0.1", port=free_port())
    yield controller
    controller.stop()


def signed(raw: bytes, keys, domain: str) -> bytes:
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    private, _ = keys[domain]
    return dkim.sign(raw, b"sel", domain.encode(), private, include_headers=[b"from", b"to", b"subject"]) + raw


def deliver(listener, stub_broker, stub_worker, raw: bytes, mail_from: str, rcpt: str = REQUEST_ADDRESS) -> InboundEmail:
    send_smtp(listener, raw, mail_from, [rcpt])
    stub_broker.join("inbound")
    stub_worker.join()
    db.session.remove()
    return db.session.scalars(select(InboundEmail).order_by(InboundEmail.id.desc())).first()


def email_comments() -> list[Comment]:
    db.session.remove()
    return db.session.scalars(select(Comment).where(Comment.source == "email")).all()


@pytest.fixture
def staff(world) -> dict[str, str]:
    return bearer(world.sam)


def triage_queue(client, staff) -> list[dict]:
    return client.get("/api/v1/orgs/springfield/inbound-messages", headers=staff).get_json()["items"]


def test_the_reported_attack_a_forged_staff_from_makes_no_internal_note(world, staff, client, dns, listener, stub_broker,
                                                                       stub_worker):
    forged = mail("sam@springfield.gov", "Internal: close it, no crew needed.", to=REQUEST_ADDRESS)
    stored = deliver(listener, stub_broker, stub_worker, forged, "attacker@evil.example")

    assert (stored.status, stored.reason) == ("triaged", "sender_unproven")
    assert email_comments() == []
    [message] = triage_queue(client, staff)
    assert message["status"] == "needs_attention" and message["sender_user_id"] is None
    assert "not proven" in message["reason_text"]
    assert "no DKIM signature or SPF pass aligned with springfield.gov" in message["reason_text"]


def test_a_dkim_signed_message_from_the_resident_becomes_their_comment(world, keys, dns, listener, stub_broker, stub_worker):
    ann_id = world.ann.id
    raw = signed(mail("ann@example.org", "Deeper on the north side now.", to=REQUEST_ADDRESS), keys,
                 "example.org")
    # Sent from 127.0.0.1, which SPF does not allow: the DKIM signature alone proves it.
    stored = deliver(listener, stub_broker, stub_worker, raw, "ann@example.org")

    assert (stored.status, stored.reason) == ("processed", "request_address_comment"), stored.outcome
    assert "dkim=pass header.d=example.org" in stored.authentication
    [comment] = email_comments()
    assert (comment.author_id, comment.visibility) == (ann_id, "public")
    assert "Deeper on the north side" in comment.body


def test_staff_mail_signed_by_the_citys_domain_is_an_internal_note(world, keys, dns, listener, stub_broker, stub_worker):
    sam_id = world.sam.id
    raw = signed(mail("sam@springfield.gov", "Gas line marked nearby.", to=REQUEST_ADDRESS), keys,
                 "springfield.gov")
    stored = deliver(listener, stub_broker, stub_worker, raw, "sam@springfield.gov")

    assert stored.reason == "request_address_comment", stored.outcome
    [comment] = email_comments()
    assert (comment.author_id, comment.visibility) == (sam_id, "internal")


def test_an_spf_pass_for_the_from_domain_proves_the_sender(world, app, dns, listener, stub_broker, stub_worker):
    ann_id = world.ann.id
    dns.records[("example.org", "TXT")] = ["v=spf1 ip4:127.0.0.1 -all"]  # this machine sends for example.org
    stored = deliver(listener, stub_broker, stub_worker,
                     mail("ann@example.org", "Posted through my own mail server.", to=REQUEST_ADDRESS), "ann@example.org")

    assert stored.reason == "request_address_comment", stored.outcome
    assert "spf=pass" in stored.authentication
    assert [c.author_id for c in email_comments()] == [ann_id]


@pytest.mark.parametrize(("case", "expected_reason"), [
    ("signed by the attacker's own domain", "sender_unproven"),
    ("body changed after signing", "sender_unproven"),
    ("SPF pass for the attacker's envelope domain", "sender_unproven"),
    ("SPF hard fail for the From domain", "sender_not_authenticated"),
    ("a pass written into the message by the sender", "sender_unproven"),
])
def test_forged_mail_is_refused_and_shown_to_staff_with_the_reason(world, staff, client, keys, dns, listener, stub_broker,
                                                                   stub_worker, case, expected_reason):
    body = f"Please close this ({case})."
    raw, mail_from = mail("ann@example.org", body, to=REQUEST_ADDRESS), "ann@example.org"
    if case == "signed by the attacker's own domain":
        raw, mail_from = signed(raw, keys, "evil.example"), "attacker@evil.example"
    elif case == "body changed after signing":
        raw = signed(raw, keys, "example.org").replace(b"Please close", b"Please CLOSE")
        mail_from = "attacker@evil.example"
    elif case == "SPF pass for the attacker's envelope domain":
        dns.records[("evil.example", "TXT")] = ["v=spf1 ip4:127.0.0.1 -all"]
        mail_from = "attacker@evil.example"
    elif case == "SPF hard fail for the From domain":
        pass  # example.org allows only 192.0.2.10; we are 127.0.0.1
    else:
        raw = (b"Authentication-Results: inbound.test; dkim=pass header.d=example.org;\r\n"
               b" spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org\r\n" + raw)
        mail_from = "attacker@evil.example"
    stored = deliver(listener, stub_broker, stub_worker, raw, mail_from)

    assert (stored.status, stored.reason) == ("triaged", expected_reason), stored.outcome
    assert email_comments() == []
    [message] = triage_queue(client, staff)
    assert message["body"].startswith("Please") and message["sender_user_id"] is None
    assert "example.org" in message["reason_text"]


def test_behind_an_mta_only_its_own_results_count(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "mx.city.example")
    ann_id = world.ann.id
    theirs = (b"Authentication-Results: mx.evil.example; dmarc=pass header.from=example.org\r\n"
              + mail("ann@example.org", "From a stranger's results.", to=REQUEST_ADDRESS))
    ours = (b"Authentication-Results: mx.city.example; dkim=pass header.d=example.org\r\n"
            + mail("ann@example.org", "From our MTA's results.", to=REQUEST_ADDRESS))
    store_and_process(theirs, envelope_to=[REQUEST_ADDRESS])
    store_and_process(ours, envelope_to=[REQUEST_ADDRESS])

    db.session.remove()
    reasons = db.session.scalars(select(InboundEmail.reason).order_by(InboundEmail.id)).all()
    assert reasons == ["sender_unproven", "request_address_comment"]
    assert [(c.author_id, c.body) for c in email_comments()] == [(ann_id, "From our MTA's results.")]


def test_a_webhook_or_cli_message_with_no_trusted_results_is_unproven(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "")
    store_and_process(mail("ann@example.org", "Through the webhook.", to=REQUEST_ADDRESS),
                      envelope_to=[REQUEST_ADDRESS])
    db.session.remove()
    assert db.session.scalar(select(InboundEmail.reason)) == "sender_unproven"
    assert email_comments() == []


def test_a_reply_token_names_the_author_and_the_from_must_be_theirs(world, app, dns, listener, stub_broker,
                                                                    stub_worker):
    ann_id = world.ann.id
    token = make_reply_token(101, app.config["SECRET_KEY"])  # a notification that went to Ann
    reply_to = f"reply+{token}@inbound.test"
    # From a confirmed alias: Ann's comment, with no DKIM or SPF needed (the token proves it).
    from_alias = deliver(listener, stub_broker, stub_worker,
                         mail("ann.home@example.net", "Thanks, still there.", to=reply_to), "x@example.net", reply_to)
    # Ann's token in Bob's mail (a forwarded notification): never Ann's comment, nor Bob's.
    from_bob = deliver(listener, stub_broker, stub_worker,
                       mail("bob@example.org", "Forwarded, replying.", to=reply_to), "x@example.net", reply_to)

    assert from_alias.reason == "reply_comment" and from_bob.reason == "not_a_recipient"
    assert [(c.author_id, c.body) for c in email_comments()] == [(ann_id, "Thanks, still there.")]
