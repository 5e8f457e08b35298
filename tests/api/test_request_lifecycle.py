"""End to end over HTTP only: a request from submission to reopening, and its timeline per audience."""

from __future__ import annotations

from app.extensions import db
from tests.factories import PASSWORD
from tests.requests.city import LAT, LNG, build_city

QUESTIONS = [{"code": "depth", "datatype": "number", "required": True, "variable": True,
              "description": "How deep is it (cm)?", "order": 1, "values": []}]


def _login(client, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _kinds(client, request_id: int, headers: dict) -> list[str]:
    items = _ok(client.get(f"/api/v1/requests/{request_id}/timeline?per_page=100", headers=headers))["items"]
    return [item["kind"] for item in items]


def test_a_request_from_submission_to_reopening(app, client):
    city = build_city()
    city.category.attributes = QUESTIONS
    city.category.auto_assignee_id = city.staff.id
    db.session.commit()
    ann, bob = _login(client, "ann@example.org"), _login(client, "bob@example.org")
    sam, alex = _login(client, "sam.staff@springfield.example"), _login(client, "alex.admin@springfield.example")
    staff_url = "/api/v1/orgs/springfield/requests/{id}/{action}"

    # A resident finds who serves the spot and what the category asks, then reports.
    serving = _ok(client.get(f"/api/v1/organizations?lat={LAT}&lng={LNG}"))["items"]
    assert [org["slug"] for org in serving] == ["springfield"]
    pothole = next(c for c in serving[0]["categories"] if c["code"] == "pothole")
    questions = _ok(client.get(f"/api/v1/categories/{pothole['id']}"))["attributes"]
    assert [q["code"] for q in questions] == ["depth"]
    created = _ok(client.post("/api/v1/requests", headers=ann, json={
        "category_id": pothole["id"], "lat": LAT, "lng": LNG, "address": "12 Elm Street",
        "description": "Pothole in the left lane", "answers": {"depth": 15}}), 201)
    rid = created["id"]
    assert created["status"] == "open"
    assert created["assignee_id"] == city.staff.id  # the category's auto-assignee
    assert created["viewer"] == {"following": True, "supporting": False,
                                 "actions": ["close", "comment", "attach", "follow", "support"]}
    assert created["email_address"] == f"request-{created['public_id']}@inbound.test"

    # Only staff acknowledge; the reporter cannot, even through the staff path.
    assert client.post(staff_url.format(id=rid, action="acknowledge"), headers=ann).status_code == 403
    assert _ok(client.post(staff_url.format(id=rid, action="acknowledge"), headers=sam))["status"] == "acknowledged"
    assert client.post(staff_url.format(id=rid, action="acknowledge"), headers=sam).status_code == 409

    assigned = _ok(client.post(staff_url.format(id=rid, action="assign"), headers=sam,
                               json={"assignee_id": city.admin.id}))
    assert assigned["assignee_id"] == city.admin.id

    internal = _ok(client.post(f"/api/v1/requests/{rid}/comments", headers=sam, json={
        "body": "@alex.admin this needs the big patch truck", "visibility": "internal"}), 201)
    assert internal["mentioned_user_ids"] == [city.admin.id]
    _ok(client.post(f"/api/v1/requests/{rid}/comments", headers=alex,
                    json={"body": "A crew is scheduled for Thursday."}), 201)
    _ok(client.post(f"/api/v1/requests/{rid}/comments", headers=bob, json={"body": "Me too, nearly lost a tyre."}),
        201)
    assert _ok(client.post(f"/api/v1/requests/{rid}/follow", headers=bob)) == {"following": True}
    assert client.post(f"/api/v1/requests/{rid}/close", headers=bob).status_code == 403  # not his request

    closed = _ok(client.post(staff_url.format(id=rid, action="close"), headers=alex, json={"comment": "Patched."}))
    assert closed["status"] == "closed" and closed["closed_at"]
    reopened = _ok(client.post(f"/api/v1/requests/{rid}/reopen", headers=ann))
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    assert reopened["viewer"]["actions"] == ["close", "comment", "attach", "follow", "support"]

    staff_view = [
        "request.submitted", "request.assigned", "request.acknowledged", "request.assigned",
        "request.comment_internal", "request.comment_public", "request.comment_public", "request.followed",
        "request.comment_public", "request.closed", "request.reopened",
    ]
    public_view = [kind for kind in staff_view if kind not in ("request.comment_internal", "request.followed")]
    assert _kinds(client, rid, sam) == staff_view
    assert _kinds(client, rid, alex) == staff_view
    for headers in (ann, bob):
        assert _kinds(client, rid, headers) == public_view
    # Logging in above left a session cookie in `client`; a fresh client is nobody.
    assert _kinds(app.test_client(), rid, {}) == public_view

    timeline = _ok(client.get(f"/api/v1/requests/{rid}/timeline?per_page=100", headers=bob))["items"]
    closing = next(item for item in timeline if item["kind"] == "request.closed")
    assert closing["payload"]["by_reporter"] is False
    assert closing["actor"] == {"id": city.admin.id, "name": "Alex Admin"}
    comment_bodies = [item["comment"]["body"] for item in timeline if item["comment"]]
    assert comment_bodies == ["A crew is scheduled for Thursday.", "Me too, nearly lost a tyre.", "Patched."]
    assert next(i for i in timeline if i["kind"] == "request.reopened")["payload"] == {"by_reporter": True,
                                                                                              "comment_id": None}

    # What each audience reads on the request itself.
    assert _ok(client.get(f"/api/v1/requests/{rid}", headers=sam))["reporter"]["email"] == "ann@example.org"
    assert "reporter" not in _ok(client.get(f"/api/v1/requests/{rid}", headers=bob))
    queue = _ok(client.get("/api/v1/orgs/springfield/requests?status=open", headers=sam))["items"]
    assert [item["id"] for item in queue] == [rid, city.request.id]
