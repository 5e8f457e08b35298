"""The hot read of one request (app/requests/detail.py) answers what the loaded request's view answers."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.requests import detail, queries
from app.requests.models import Attachment, Comment, Follower, Support
from app.requests.schemas import RequestSchema
from tests.requests.city import build_city

ACTORS = ("anonymous", "resident_a", "resident_b", "staff", "admin", "other_staff")


def _attach(request, comment=None, name="site.png") -> int:
    attachment = Attachment(request_id=request.id, comment_id=comment.id if comment else None, filename=name,
                            content_type="image/png", size=10, sha256="0" * 64, storage_path="/nonexistent")
    db.session.add(attachment)
    db.session.flush()
    return attachment.id


@pytest.fixture
def city():
    city = build_city()
    city.request.answers = {"depth": 12}
    public = Comment(request_id=city.request.id, author_id=city.staff.id, body="public note")
    internal = Comment(request_id=city.request.id, author_id=city.staff.id, body="site note", visibility="internal")
    db.session.add_all([public, internal, Follower(request_id=city.request.id, user_id=city.resident_b.id),
                        Support(request_id=city.request.id, user_id=city.resident_b.id)])
    db.session.flush()
    city.photos = (_attach(city.request), _attach(city.request, public), _attach(city.request, internal))
    # A request of the neighbour's own, where its admin may see internal comments.
    db.session.add(city.new_request(category=city.neighbour_category, organization=city.other_org))
    db.session.commit()
    return city


@pytest.mark.parametrize("actor", ACTORS)
def test_the_one_statement_read_answers_as_the_loaded_request(city, actor):
    user = None if actor == "anonymous" else getattr(city, actor)
    read = detail.answer(city.request.id, user)
    db.session.rollback()
    loaded = RequestSchema().dump(queries.request_view(db.session.get(type(city.request), city.request.id), user))
    assert read == loaded
    staff_of_org = actor in ("staff", "admin")
    # Staff of another organization see internal comments there, never here.
    assert [photo["id"] for photo in read["photos"]] == list(city.photos if staff_of_org else city.photos[:2])


def test_an_unknown_request_is_404(client, city):
    response = client.get("/api/v1/requests/999999", headers=city.headers("resident_a"))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_a_read_runs_outside_a_transaction_and_a_unit_inside_it_in_one(client, city):
    """The GET sends no BEGIN (so no ROLLBACK, and psycopg keeps its prepared statements); a
    staff member's read still records, in a transaction of its own, that they saw the contact."""
    from app.privacy.models import AuditEntry

    request_id, staff_id = city.request.id, city.staff.id
    resident, staff = city.headers("resident_b"), city.headers("staff")
    db.session.commit()
    db.session.remove()
    shown = client.get(f"/api/v1/requests/{request_id}", headers=resident)
    assert shown.status_code == 200 and shown.get_json()["viewer"] == {
        "following": True, "supporting": True, "actions": ["comment", "follow", "support"]}
    # The test's app context keeps the request's session: it read, and no transaction is open.
    assert db.session.connection().connection.dbapi_connection.info.transaction_status.name == "IDLE"
    seen = client.get(f"/api/v1/requests/{request_id}", headers=staff)
    assert seen.get_json()["reporter"]["email"] == "ann@example.org"
    db.session.remove()
    assert db.session.query(AuditEntry).filter_by(actor_id=staff_id, request_id=request_id).count() == 1


@pytest.mark.parametrize("actor", ACTORS)
def test_the_read_that_identifies_its_bearer_answers_as_the_read_for_a_known_caller(city, actor):
    from app.accounts.tokens import issue_token

    user = None if actor == "anonymous" else getattr(city, actor)
    token = "c311_not-a-live-token" if user is None else issue_token(user)
    db.session.commit()
    answer, caller = detail.answer_for_token(city.request.id, token)
    assert (caller and caller.id) == (user and user.id)
    assert answer == detail.answer(city.request.id, user)
    assert detail.answer_for_token(999999, token) is None  # no request: the caller is still unknown


def test_a_read_by_bearer_token_identifies_the_caller_once(client, city):
    from app.accounts.models import User
    from app.accounts.tokens import revoke_token

    headers = city.headers("resident_b")
    assert city.resident_b.last_seen_at is None
    shown = client.get(f"/api/v1/requests/{city.request.id}", headers=headers).get_json()
    assert shown["viewer"]["following"] is True
    db.session.rollback()
    assert db.session.get(User, city.resident_b.id).last_seen_at is not None  # presence, as any call
    revoke_token(headers["Authorization"].split()[1])
    anonymous = client.get(f"/api/v1/requests/{city.request.id}").get_json()
    assert client.get(f"/api/v1/requests/{city.request.id}", headers=headers).get_json() == anonymous


def test_a_caller_the_read_identified_is_loaded_only_when_asked_for(app, city):
    from app.accounts.models import User
    from app.accounts.tokens import Caller
    from app.api.auth import current_user, identified_as, identified_caller

    caller = Caller(city.resident_b.id, None)
    with app.test_request_context(f"/api/v1/requests/{city.request.id}"):
        identified_as(caller)
        assert identified_caller() == caller  # what presence reads: no User made, no query
        assert current_user() is db.session.get(User, caller.id)
        assert identified_caller() == Caller.of(current_user())
