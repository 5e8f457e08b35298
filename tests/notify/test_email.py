"""What an email looks like to its reader: sender, reply address, thread, parts, why, and unsubscribing."""

from flask import current_app

from app.events.service import record_event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.requests.models import Comment, Follower
from emails.addresses import classify
from emails.tokens import read_reply_token
from tests.factories import CategoryFactory, ServiceRequestFactory, UserFactory, make_member
from tests.notify.helpers import delivery_for, emails
from tests.support.auth import bearer


def _send(kind, request, actor, payload=None):
    event = record_event(kind, request=request, actor=actor, payload=payload or {})
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    return event


def _comment(request, author, body):
    comment = Comment(request_id=request.id, author_id=author.id, body=body, visibility="public")
    db.session.add(comment)
    db.session.flush()
    return comment.id


def test_a_request_email_comes_from_the_organization_threads_and_can_be_replied_to(stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff", name="Sam Staff")
    event = _send("request.comment_public", request, staff,
                  {"comment_id": _comment(request, staff, "Crew scheduled for Tuesday.")})
    [mail] = smtp_server.wait_for(1)
    headers = mail.message
    org = request.organization
    assert headers["From"] == f"{org.name} <{org.sender_email}>"
    assert headers["To"] == f"{request.reporter.name} <{request.reporter.email}>"
    assert headers["Subject"] == f"[{org.name}] New comment on {request.public_id}"
    root = f"<request-{request.public_id}@inbound.test>"
    assert headers["In-Reply-To"] == root and headers["References"] == root
    delivery = delivery_for(event.id, request.reporter.email)
    assert headers["Message-ID"] == delivery.message_id != root
    assert headers["Auto-Submitted"] == "auto-generated"
    # Reply-To names this delivery, unforgeably, for the inbound router.
    reply_to = classify(headers["Reply-To"], "inbound.test")
    assert reply_to.kind == "reply"
    assert read_reply_token(reply_to.value, current_app.config["SECRET_KEY"]) == delivery.id
    # Text and HTML, both saying what happened, where to reply, why it came and where to choose.
    text = mail.text()
    html = headers.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "Crew scheduled for Tuesday." in part and "Sam Staff" in part
        assert f"request-{request.public_id}@inbound.test" in part
        assert "you reported this request" in part
        assert "http://127.0.0.1:8000/account/preferences" in part
        assert f"http://127.0.0.1:8000/requests/{request.public_id}" in part


def test_two_emails_about_one_request_share_its_thread(stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    _send("request.acknowledged", request, staff)
    _send("request.closed", request, staff, {"by_reporter": False})
    first, second = smtp_server.wait_for(2)
    assert first.message["References"] == second.message["References"]
    assert first.message["Message-ID"] != second.message["Message-ID"]


def test_subscription_mail_has_one_click_unsubscribe_and_work_mail_does_not(stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    _send("request.assigned", request, make_member(request.organization, "staff"), {"assignee_id": staff.id, "previous_assignee_id": None})
    _send("request.acknowledged", request, staff)
    assigned, acknowledged = sorted(smtp_server.wait_for(2), key=lambda m: m.rcpt_tos[0] != staff.email)
    assert assigned.rcpt_tos == [staff.email] and assigned.message["List-Unsubscribe"] is None
    unsubscribe = acknowledged.message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/api/v1/unsubscribe/")
    assert "<mailto:unsubscribe+" in unsubscribe and "@inbound.test>" in unsubscribe
    assert acknowledged.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def _unsubscribe_url(mail) -> str:
    return mail.message["List-Unsubscribe"].split(">")[0].lstrip("<").replace("http://127.0.0.1:8000", "")


def test_one_click_post_unsubscribes_without_login(client, stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    follower = UserFactory()
    db.session.add(Follower(request_id=request.id, user_id=follower.id))
    db.session.commit()
    _send("request.acknowledged", request, staff)
    [mail] = [m for m in smtp_server.wait_for(2) if m.rcpt_tos == [follower.email]]
    url = _unsubscribe_url(mail)

    response = client.post(url, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")  # what a mail client sends
    assert response.status_code == 200
    assert response.get_json() == {"unsubscribed": True, "email": follower.email,
                                   "what": f"emails about “Requests I follow” to {follower.email}"}
    prefs = client.get("/api/v1/me/preferences", headers=bearer(follower)).get_json()
    assert next(g for g in prefs["groups"] if g["group"] == "following")["channels"]["email"] is False

    later = record_event("request.closed", request=request, actor=staff, payload={"by_reporter": False})
    db.session.commit()
    fan_out(later.id)
    assert follower.email.lower() not in emails(later.id)
    assert request.reporter.email.lower() in emails(later.id)


def test_the_unsubscribe_page_only_asks_and_its_button_unsubscribes(client, stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    _send("request.acknowledged", request, staff)
    [mail] = smtp_server.wait_for(1)
    token = _unsubscribe_url(mail).rsplit("/", 1)[1]
    assert client.get(f"/api/v1/unsubscribe/{token}").headers["Location"].endswith(f"/unsubscribe/{token}")

    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and b"Stop receiving emails about" in page.data and b"<form" in page.data
    prefs = client.get("/api/v1/me/preferences", headers=bearer(request.reporter)).get_json()
    assert all(g["channels"]["email"] for g in prefs["groups"])  # looking changed nothing

    done = client.post(f"/unsubscribe/{token}")
    assert done.status_code == 200 and b"Done" in done.data
    prefs = client.get("/api/v1/me/preferences", headers=bearer(request.reporter)).get_json()
    assert next(g for g in prefs["groups"] if g["group"] == "my_requests")["channels"]["email"] is False


def test_a_forged_unsubscribe_token_is_refused(client, stub_broker):
    assert client.post("/api/v1/unsubscribe/aa.bbbbbbbbbbbbbbbbbbbb").status_code == 404
    assert client.get("/unsubscribe/not-a-token").status_code == 404


def test_account_mail_carries_its_signed_link(stub_broker, smtp_server):
    user = UserFactory(name="Robin")
    event = record_event("account.password_reset", actor=user, payload={"user_id": user.id})
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.subject == "Reset your password" and mail.message["List-Unsubscribe"] is None
    assert "http://127.0.0.1:8000/reset-password?token=" in mail.text()
    assert mail.message["From"] == current_app.config["MAIL_DEFAULT_SENDER"]


def test_logs_show_what_was_sent_to_whom_with_the_servers_reply(client, stub_broker, smtp_server):
    category = CategoryFactory(routing_emails=["roads@dept.example"])
    request = ServiceRequestFactory(category=category)
    admin = make_member(request.organization, "admin")
    staff = make_member(request.organization, "staff")
    smtp_server.handler.reject["roads@dept.example"] = "550 5.1.1 No such mailbox"
    _send("request.submitted", request, request.reporter)

    log = client.get(f"/api/v1/orgs/{request.organization.slug}/email-log?direction=out",
                     headers=bearer(admin)).get_json()
    rows = {row["email"]: row for row in log["items"]}
    assert rows["roads@dept.example"]["status"] == "failed"
    assert (rows["roads@dept.example"]["smtp_code"], rows["roads@dept.example"]["smtp_reply"]) == \
        (550, "5.1.1 No such mailbox")
    assert rows[request.reporter.email]["status"] == "sent" and rows[request.reporter.email]["smtp_code"] == 250
    assert client.get(f"/api/v1/orgs/{request.organization.slug}/email-log",
                      headers=bearer(staff)).status_code == 403
    incoming = client.get(f"/api/v1/orgs/{request.organization.slug}/email-log?direction=in", headers=bearer(admin))
    assert incoming.status_code == 200 and incoming.get_json()["items"] == []  # nothing received yet

    mine = client.get("/api/v1/me/notification-log", headers=bearer(request.reporter)).get_json()
    assert [(i["channel"], i["event"], i["status"]) for i in mine["items"]] == \
        [("email", "request.submitted", "sent")]
    assert mine["items"][0]["status_at"] is not None
