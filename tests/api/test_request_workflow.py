"""Workflow rules seen over HTTP: category restrictions, archived requests, assignment and due dates."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.requests.city import build_city


def _post(client, city, who: str, path: str, **kwargs):
    return client.post(f"/api/v1/requests/{city.request.id}{path}", headers=city.headers(who), **kwargs)


@pytest.mark.parametrize(("restriction", "close", "reopen", "comment_when_closed"), [
    ("none", 200, 200, 201),
    ("disable_reopen", 200, 403, 201),
    ("disable_status_change", 403, 403, 201),
    ("disable_closed_actions", 200, 403, 403),
    ("disable_all", 403, 403, 403),
])
def test_the_reporter_as_each_restriction_allows(client, restriction, close, reopen, comment_when_closed):
    city = build_city(restriction)
    assert _post(client, city, "resident_a", "/close").status_code == close
    city.request.status = "closed"
    db.session.commit()
    refused = _post(client, city, "resident_a", "/reopen")
    assert refused.status_code == reopen
    if reopen == 403:
        assert refused.get_json()["error"] == "restricted_by_category"
    city.request.status = "closed"
    db.session.commit()
    assert _post(client, city, "resident_a", "/comments", json={"body": "Thanks"}).status_code == comment_when_closed
    # Staff are not bound by the category's public restriction.
    assert _post(client, city, "staff", "/reopen").status_code == 200


def test_an_archived_request_is_read_only_but_can_be_unfollowed(client):
    city = build_city()
    city.request.status = "archived"
    db.session.commit()
    assert client.get(f"/api/v1/requests/{city.request.id}").get_json()["viewer"] == {
        "following": False, "supporting": False, "actions": []}
    assert _post(client, city, "staff", "/comments", json={"body": "late"}).status_code == 409
    assert _post(client, city, "resident_a", "/follow").status_code == 409
    assert client.delete(f"/api/v1/requests/{city.request.id}/follow",
                         headers=city.headers("resident_a")).get_json() == {"following": False}
    staff = client.post(f"/api/v1/orgs/springfield/requests/{city.request.id}/assign",
                        headers=city.headers("staff"), json={"assignee_id": city.staff.id})
    assert staff.status_code == 409


def test_only_members_who_may_handle_requests_can_be_assigned(client):
    city = build_city()
    url = f"/api/v1/orgs/springfield/requests/{city.request.id}/assign"
    for outsider in (city.resident_b.id, city.other_staff.id, 2**31 - 1):
        response = client.post(url, headers=city.headers("staff"), json={"assignee_id": outsider})
        assert response.status_code == 422
        assert set(response.get_json()["details"]["json"]) == {"assignee_id"}
    assigned = client.post(url, headers=city.headers("staff"), json={"assignee_id": city.admin.id}).get_json()
    assert assigned["assignee_id"] == city.admin.id
    unassigned = client.post(url, headers=city.headers("staff"), json={"assignee_id": None}).get_json()
    assert unassigned["assignee_id"] is None


def test_recategorizing_stays_within_the_organization(client):
    city = build_city()
    url = f"/api/v1/orgs/springfield/requests/{city.request.id}/recategorize"
    refused = client.post(url, headers=city.headers("staff"), json={"category_id": city.neighbour_category.id})
    assert refused.status_code == 422
    moved = client.post(url, headers=city.headers("staff"), json={"category_id": city.other_category.id})
    assert moved.get_json()["category_id"] == city.other_category.id
    assert moved.get_json()["sla_due_at"] is None  # graffiti has no SLA


def test_due_dates_are_set_in_utc_and_cleared(client):
    city = build_city()
    url = f"/api/v1/orgs/springfield/requests/{city.request.id}"
    set_ = client.patch(url, headers=city.headers("staff"), json={"due_at": "2030-03-01T09:00:00-06:00"})
    assert set_.get_json()["due_at"] == "2030-03-01T15:00:00+00:00"
    naive = client.patch(url, headers=city.headers("staff"), json={"due_at": "2030-03-02T09:00:00"})
    assert naive.get_json()["due_at"] == "2030-03-02T09:00:00+00:00"
    cleared = client.patch(url, headers=city.headers("staff"), json={"due_at": None})
    assert cleared.get_json()["due_at"] is None


def test_a_residents_mention_resolves_no_one(client):
    city = build_city()
    comment = _post(client, city, "resident_b", "/comments", json={"body": "@sam.staff please look"}).get_json()
    assert comment["mentioned_user_ids"] == []
