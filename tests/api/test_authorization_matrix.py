"""Object-level authorization: every object endpoint of the request API x every kind of caller.

Each row is one endpoint; each column one caller: nobody, the reporter (resident A), another
resident (B), staff of the request's organization (role "staff"), its admin, and an admin of
the neighbouring organization. A cell is the status code that caller must get.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app.extensions import db
from app.requests.models import Attachment, Comment
from app.uploads import store_upload
from tests.requests.city import PNG, City, build_city

ACTORS = ("anonymous", "resident_a", "resident_b", "staff", "admin", "other_staff")


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str  # formatted with id, category, attachment
    expected: tuple[int, int, int, int, int, int]
    body: Callable[[City], dict] | None = None
    closed: bool = False  # the request is closed before the call
    photo: str | None = None  # "public" or "internal": a photo exists before the call
    files: bool = False


R = "/api/v1/requests/{id}"
S = "/api/v1/orgs/springfield/requests/{id}"
C = "/api/v1/orgs/springfield/categories"
EVERYONE = (200,) * 6
STAFF_ONLY = (401, 403, 403, 200, 200, 403)

MATRIX = [
    #   name                      method    path                           anon  A    B    staff admin other
    Row("read request",            "GET",    R,                             EVERYONE),
    Row("read timeline",           "GET",    R + "/timeline",               EVERYONE),
    Row("read comments",           "GET",    R + "/comments",               EVERYONE),
    Row("read public photo",       "GET",    R + "/attachments/{photo}",    EVERYONE, photo="public"),
    Row("read internal photo",     "GET",    R + "/attachments/{photo}",    (404, 404, 404, 200, 200, 404),
        photo="internal"),
    Row("comment publicly",        "POST",   R + "/comments",               (401, 201, 201, 201, 201, 201),
        body=lambda c: {"body": "Still there this morning"}),
    Row("comment internally",      "POST",   R + "/comments",               (401, 403, 403, 201, 201, 403),
        body=lambda c: {"body": "Needs the big truck", "visibility": "internal"}),
    Row("follow",                  "POST",   R + "/follow",                 (401, 200, 200, 200, 200, 200)),
    Row("unfollow",                "DELETE", R + "/follow",                 (401, 200, 200, 200, 200, 200)),
    Row("add photo",               "POST",   R + "/attachments",            (401, 201, 403, 201, 201, 403),
        files=True),
    Row("close as resident",       "POST",   R + "/close",                  (401, 200, 403, 200, 200, 403)),
    Row("reopen as resident",      "POST",   R + "/reopen",                 (401, 200, 403, 200, 200, 403),
        closed=True),
    Row("acknowledge",             "POST",   S + "/acknowledge",            STAFF_ONLY),
    Row("assign",                  "POST",   S + "/assign",                 STAFF_ONLY,
        body=lambda c: {"assignee_id": c.staff.id}),
    Row("recategorize",            "POST",   S + "/recategorize",           STAFF_ONLY,
        body=lambda c: {"category_id": c.other_category.id}),
    Row("close as staff",          "POST",   S + "/close",                  STAFF_ONLY,
        body=lambda c: {"comment": "Patched."}),
    Row("reopen as staff",         "POST",   S + "/reopen",                 STAFF_ONLY, closed=True),
    Row("set due date",            "PATCH",  S,                             STAFF_ONLY,
        body=lambda c: {"due_at": "2030-01-01T12:00:00Z"}),
    Row("staff queue",             "GET",    "/api/v1/orgs/springfield/requests", STAFF_ONLY),
    Row("read category (public)",  "GET",    "/api/v1/categories/{category}", EVERYONE),
    Row("list category settings",  "GET",    C,                             STAFF_ONLY),
    Row("read category settings",  "GET",    C + "/{category}",             STAFF_ONLY),
    Row("change category settings", "PUT",   C + "/{category}",             (401, 403, 403, 403, 200, 403),
        body=lambda c: {"sla_hours": 24}),
    Row("add category",            "POST",   C,                             (401, 403, 403, 403, 201, 403),
        body=lambda c: {"code": "trees", "name": "Fallen tree"}),
]


def _photo(city: City, visibility: str) -> int:
    digest, path = store_upload(PNG)
    comment = None
    if visibility == "internal":
        comment = Comment(request_id=city.request.id, author_id=city.staff.id, body="site photo",
                          visibility="internal")
        db.session.add(comment)
        db.session.flush()
    attachment = Attachment(request_id=city.request.id, comment_id=comment.id if comment else None,
                            uploaded_by_id=city.staff.id, filename="site.png", content_type="image/png",
                            size=len(PNG), sha256=digest, storage_path=path)
    db.session.add(attachment)
    db.session.commit()
    return attachment.id


@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
@pytest.mark.parametrize("row", MATRIX, ids=[row.name for row in MATRIX])
def test_authorization_matrix(client, upload_dir, row: Row, actor_index: int):
    city = build_city()
    if row.closed:
        city.request.status = "closed"
        db.session.commit()
    photo = _photo(city, row.photo) if row.photo else None
    path = row.path.format(id=city.request.id, category=city.category.id, photo=photo)
    kwargs = {"headers": city.headers(ACTORS[actor_index])}
    if row.body:
        kwargs["json"] = row.body(city)
    if row.files:
        kwargs["data"] = {"file": (io.BytesIO(PNG), "pothole.png")}
        kwargs["content_type"] = "multipart/form-data"
    response = client.open(path, method=row.method, **kwargs)
    assert response.status_code == row.expected[actor_index], response.get_data(as_text=True)[:300]


def test_staff_of_another_organization_cannot_reach_a_request_through_their_own_organization(client):
    city = build_city()
    response = client.post(f"/api/v1/orgs/shelbyville/requests/{city.request.id}/acknowledge",
                           headers=city.headers("other_staff"))
    assert response.status_code == 404


# Who sees what on one request: the reporter's contact details, the answers, internal comments.
SEES_CONTACT = {"anonymous": False, "resident_a": True, "resident_b": False, "staff": True, "admin": True,
                "other_staff": False}


@pytest.mark.parametrize("actor", ACTORS)
def test_what_each_caller_sees(client, actor):
    city = build_city()
    city.request.answers = {"depth": 12}
    db.session.add(Comment(request_id=city.request.id, author_id=city.staff.id, body="internal note",
                           visibility="internal"))
    db.session.add(Comment(request_id=city.request.id, author_id=city.staff.id, body="public note"))
    db.session.commit()
    headers = city.headers(actor)
    shown = client.get(f"/api/v1/requests/{city.request.id}", headers=headers).get_json()
    comments = client.get(f"/api/v1/requests/{city.request.id}/comments", headers=headers).get_json()
    timeline = client.get(f"/api/v1/requests/{city.request.id}/timeline", headers=headers).get_json()
    listed = client.get("/api/v1/requests", headers=headers).get_json()["items"][0]

    entitled = SEES_CONTACT[actor]
    assert ("reporter" in shown) is entitled
    assert ("answers" in shown) is entitled
    if entitled:
        assert shown["reporter"]["email"] == "ann@example.org"
    staff_of_org = actor in ("staff", "admin")
    bodies = [c["body"] for c in comments["items"]]
    assert ("internal note" in bodies) is staff_of_org
    assert ("internal note" in str(timeline)) is staff_of_org
    assert "public note" in bodies
    text = str(shown) + str(comments) + str(timeline) + str(listed)
    for private in ("+1 217 555 0102", "bob@example.org", "sam.staff@springfield.example"):
        assert private not in text
    assert ("ann@example.org" in text) is entitled
    assert ("+1 217 555 0101" in text) is entitled
    assert "reporter" not in listed and "answers" not in listed  # the public list is public data only


@pytest.mark.parametrize("actor", ACTORS)
def test_the_photos_each_caller_sees_on_a_request(client, upload_dir, actor):
    city = build_city()
    public, internal = _photo(city, "public"), _photo(city, "internal")
    db.session.add(Comment(request_id=city.request.id, author_id=city.staff.id, body="public note"))
    db.session.commit()
    shown = client.get(f"/api/v1/requests/{city.request.id}", headers=city.headers(actor)).get_json()
    staff_of_org = actor in ("staff", "admin")
    assert [photo["id"] for photo in shown["photos"]] == ([public, internal] if staff_of_org else [public])
    assert shown["photos"][0]["url"] == f"/api/v1/requests/{city.request.id}/attachments/{public}"
