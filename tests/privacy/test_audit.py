"""The audit trail through the API: who saw a resident's contact details, exports and deletions,
readable by the organization's administrators only."""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.inbound.models import InboundMessage
from tests.factories import make_member
from tests.inbound.world import build_world, mail, store_and_process
from tests.support.auth import bearer


def test_contact_views_exports_and_deletions_are_listed_for_admins(app, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    world = build_world()
    admin = make_member(world.org, "admin", email="alex@springfield.gov", name="Alex Admin")
    store_and_process(mail("bob@example.org", "The swings are broken."))
    # As if Bob's domain had proven the sender (DKIM/SPF: the inbound tests' concern), so he is named.
    db.session.execute(update(InboundMessage).values(sender_user_id=world.bob.id))
    db.session.commit()
    message_id = client.get("/api/v1/orgs/springfield/inbound-messages",
                            headers=bearer(world.sam)).get_json()["items"][0]["id"]
    opened = client.get(f"/api/v1/orgs/springfield/inbound-messages/{message_id}", headers=bearer(world.sam))
    assert opened.status_code == 200 and opened.get_json()["sender_email"] == "bob@example.org"
    client.get("/api/v1/orgs/springfield/requests?per_page=5", headers=bearer(world.sam))  # Ann's two reports
    assert client.get("/api/v1/me/export", headers=bearer(world.ann)).status_code == 200

    trail = client.get("/api/v1/orgs/springfield/audit-log", headers=bearer(admin)).get_json()
    seen = [(e["action"], e["actor"]["name"], e["subject"]["name"]) for e in trail["items"]]
    assert ("contact_viewed", "Sam Staff", "Bob Neighbour") in seen
    assert sum(1 for s in seen if s == ("contact_viewed", "Sam Staff", "Ann Resident")) == 2  # one per request
    assert seen[0] == ("data_exported", "Ann Resident", "Ann Resident")  # newest first
    only = client.get("/api/v1/orgs/springfield/audit-log?action=data_exported", headers=bearer(admin)).get_json()
    assert only["total"] == 1
    assert client.get("/api/v1/orgs/springfield/audit-log", headers=bearer(world.sam)).status_code == 403
