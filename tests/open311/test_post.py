"""POST requests: api_key, validation against the service definition, and the request it creates."""

import pytest
from dramatiq import Message
from sqlalchemy import select

from app.accounts.models import EmailAlias, User
from app.events.models import Event
from app.extensions import db
from app.open311.models import ApiKey, Open311Submission
from app.requests.models import Follower, ServiceRequest
from tests.factories import OrganizationFactory, UserFactory
from tests.open311.support import (
    api_key_for,
    city_with_pothole,
    error_codes_and_descriptions,
    names,
    text_of,
    xml,
)
from tests.support.auth import bearer

INSIDE = {"lat": "39.781", "long": "-89.651"}


def _form(api_key: str, **fields) -> dict:
    return {"api_key": api_key, "service_code": "pothole", **INSIDE, "attribute[size]": "l",
            "description": "Deep hole by the school", "email": "resident@example.org", **fields}


def test_posting_creates_a_request_like_any_other_and_answers_its_id_in_xml(client):
    organization, pothole, _ = city_with_pothole()
    key = api_key_for(organization)
    form = _form(key, email="New.Person@Example.org", first_name="Nora", last_name="Newcomer", phone="555-0199",
                 address_string="12 Elm Street", media_url="https://img.example.org/hole.jpg",
                 device_id="device-7", account_id="acct-42")
    form["attribute[hazards][]"] = ["deep", "traffic"]
    form["attribute[depth_cm]"] = "15"
    response = client.post("/open311/v2/requests.xml", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    root = xml(response)
    assert root.tag == "service_requests"
    assert names(root[0]) == ["service_request_id", "service_notice", "account_id"]
    public_id = text_of(root[0], "service_request_id")
    assert text_of(root[0], "account_id") == "acct-42"

    request = db.session.scalar(select(ServiceRequest).where(ServiceRequest.public_id == public_id))
    assert (request.category_id, request.source, request.status) == (pothole.id, "open311", "open")
    assert request.answers == {"size": "l", "depth_cm": 15, "hazards": ["deep", "traffic"]}
    assert (request.address, request.description) == ("12 Elm Street", "Deep hole by the school")
    assert request.sla_due_at is not None
    reporter = db.session.get(User, request.reporter_id)
    assert (reporter.email, reporter.name, reporter.phone, reporter.confirmed) == (
        "New.Person@Example.org", "Nora Newcomer", "555-0199", False)
    assert db.session.get(Follower, (request.id, reporter.id)) is not None
    [event] = db.session.scalars(select(Event).where(Event.request_id == request.id)).all()
    assert (event.kind, event.actor_id, event.organization_id) == ("request.submitted", reporter.id, organization.id)
    submission = db.session.scalar(select(Open311Submission).where(Open311Submission.request_id == request.id))
    assert (submission.device_id, submission.account_id) == ("device-7", "acct-42")

    [published] = client.get(f"/open311/v2/requests/{public_id}.json").get_json()
    assert published["media_url"] == "https://img.example.org/hole.jpg"
    assert published["address"] == "12 Elm Street"
    assert "New.Person" not in client.get(f"/open311/v2/requests/{public_id}.xml").get_data(as_text=True)


def test_posting_in_json_reuses_the_account_of_a_known_email(client):
    organization, _, _ = city_with_pothole()
    resident = UserFactory(email="ann@example.org", name="Ann Existing")
    response = client.post("/open311/v2/requests.json", data=_form(api_key_for(organization), email="ANN@example.org",
                                                                   first_name="Someone", last_name="Else"))
    assert response.status_code == 200
    [answer] = response.get_json()
    assert list(answer) == ["service_request_id", "service_notice"]
    request = db.session.scalar(select(ServiceRequest).where(ServiceRequest.public_id == answer["service_request_id"]))
    assert request.reporter_id == resident.id
    db.session.refresh(resident)
    assert resident.name == "Ann Existing"
    assert db.session.scalar(select(User).where(User.email == "ann@example.org")).id == resident.id


def test_a_confirmed_alias_names_its_account(client):
    organization, _, _ = city_with_pothole()
    resident = UserFactory(email="ann@example.org")
    db.session.add(EmailAlias(user_id=resident.id, email="ann@work.example", confirmed_at=db.func.now()))
    db.session.commit()
    [answer] = client.post("/open311/v2/requests.json", data=_form(api_key_for(organization),
                                                                   email="ann@work.example")).get_json()
    request = db.session.scalar(select(ServiceRequest).where(ServiceRequest.public_id == answer["service_request_id"]))
    assert request.reporter_id == resident.id


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_api_key_is_required_and_must_be_live_and_of_this_jurisdiction(client, fmt):
    organization, _, _ = city_with_pothole("springfield")
    neighbour = OrganizationFactory(slug="shelbyville")
    revoked = api_key_for(organization)
    db.session.execute(ApiKey.__table__.update().values(revoked_at=db.func.now()))
    db.session.commit()
    for key in ("", "o311_made-up", revoked, api_key_for(neighbour)):
        response = client.post(f"/open311/v2/requests.{fmt}",
                               data=_form(key, jurisdiction_id="springfield"))
        assert response.status_code == 403
        [(code, description)] = error_codes_and_descriptions(response, fmt)
        assert code == 403 and "api_key" in description
    assert db.session.scalar(select(db.func.count()).select_from(ServiceRequest)) == 0


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"service_code": ""}, 400, "service_code was not provided"),
    ({"service_code": "nosuch"}, 404, "nosuch"),
    ({"lat": "", "long": ""}, 400, "lat and long"),
    ({"lat": "", "long": "", "address_string": "12 Elm Street"}, 400, "matches no address"),
    ({"lat": "", "long": "", "address_id": "A-17"}, 400, "address_id is not supported"),
    ({"long": ""}, 400, "together"),
    ({"lat": "north"}, 400, "lat must be a number"),
    ({"lat": "95"}, 400, "between"),
    ({"lat": "39.0", "long": "-89.0"}, 400, "lat, long: No organization serves this point"),
    ({"attribute[size]": ""}, 400, "attribute[size]: An answer is required."),
    ({"attribute[size]": "huge"}, 400, "attribute[size]: Must be one of: l, s."),
    ({"attribute[depth_cm]": "deep"}, 400, "attribute[depth_cm]: Must be a number."),
    ({"attribute[colour]": "red"}, 400, "attribute[colour]: This category has no such question."),
    ({"attribute[size][]": ["s", "l"]}, 400, "attribute[size]: Must be one of"),
    ({"attribute[hazards][]": ["deep", "sharp"]}, 400, "attribute[hazards]: Unknown values: sharp."),
    ({"email": ""}, 400, "email was not provided"),
    ({"description": "  "}, 400, "description was not provided"),
    ({"email": "not-an-address"}, 400, "email"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"description": "x" * 4001}, 400, "description"),
    ({"description": "NUL \x00 inside"}, 400, "description: must be text without NUL characters"),
    ({"jurisdiction_id": "\x00"}, 400, "jurisdiction_id: must be text without NUL characters"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_invalid_reports_are_refused_with_the_specification_codes(client, fmt, fields, status, words):
    organization, _, _ = city_with_pothole()
    form = _form(api_key_for(organization), **fields)
    form = {name: value for name, value in form.items() if value != ""}
    response = client.post(f"/open311/v2/requests.{fmt}", data=form)
    assert response.status_code == status, response.get_data(as_text=True)
    errors = error_codes_and_descriptions(response, fmt)
    assert {code for code, _ in errors} == {status}
    assert any(words in description for _, description in errors), errors
    assert db.session.scalar(select(db.func.count()).select_from(ServiceRequest)) == 0


def test_every_attribute_problem_is_reported_at_once(client):
    organization, _, _ = city_with_pothole()
    form = _form(api_key_for(organization), **{"attribute[size]": "", "attribute[depth_cm]": "deep"})
    del form["attribute[size]"]
    errors = error_codes_and_descriptions(client.post("/open311/v2/requests.json", data=form), "json")
    assert len(errors) == 2


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_requires_jurisdiction_id_when_several_cities_are_served(client, fmt):
    organization, _, _ = city_with_pothole("springfield")
    city_with_pothole("shelbyville")
    key = api_key_for(organization)
    missing = client.post(f"/open311/v2/requests.{fmt}", data=_form(key))
    assert missing.status_code == 400
    assert "jurisdiction_id" in error_codes_and_descriptions(missing, fmt)[0][1]
    assert client.post(f"/open311/v2/requests.{fmt}", data=_form(key, jurisdiction_id="springfield")).status_code == 200


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posts_beyond_the_rate_limit_of_a_key_are_429(client, rate_limits, fmt):
    organization, _, _ = city_with_pothole()
    key, other_key = api_key_for(organization), api_key_for(organization)
    rate_limits(RATELIMIT_OPEN311_POST="2 per minute")
    statuses = [client.post(f"/open311/v2/requests.{fmt}", data=_form(key)).status_code for _ in range(2)]
    limited = client.post(f"/open311/v2/requests.{fmt}", data=_form(key))
    other = client.post(f"/open311/v2/requests.{fmt}", data=_form(other_key))
    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    [(code, description)] = error_codes_and_descriptions(limited, fmt)
    assert code == 429 and "api_key" in description
    assert other.status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(ServiceRequest)) == 3


def test_reading_needs_no_key_and_is_not_rate_limited_by_posting(client, rate_limits):
    city_with_pothole()
    rate_limits(RATELIMIT_OPEN311_POST="1 per minute")
    for _ in range(3):
        assert client.get("/open311/v2/requests.json").status_code == 200


def test_using_a_key_records_when_it_was_last_used(client):
    organization, _, _ = city_with_pothole()
    key = api_key_for(organization)
    assert db.session.scalar(select(ApiKey.last_used_at)) is None
    client.post("/open311/v2/requests.json", data=_form(key))
    db.session.expire_all()
    assert db.session.scalar(select(ApiKey.last_used_at)) is not None


def test_the_submitted_event_goes_to_the_fan_out_after_commit_and_a_refusal_sends_nothing(client, stub_broker):
    organization, _, _ = city_with_pothole()
    key = api_key_for(organization)
    refused = client.post("/open311/v2/requests.json", data=_form(key, **{"attribute[size]": "huge"}))
    assert refused.status_code == 400
    assert stub_broker.queues["fanout"].qsize() == 0
    [answer] = client.post("/open311/v2/requests.json", data=_form(key)).get_json()
    event_id = db.session.scalar(select(Event.id).join(ServiceRequest, ServiceRequest.id == Event.request_id).where(
        ServiceRequest.public_id == answer["service_request_id"], Event.kind == "request.submitted"))
    sent = [Message.decode(raw).args[0] for raw in list(stub_broker.queues["fanout"].queue)]
    assert sent == [event_id]


def test_a_request_posted_through_open311_is_the_residents_own_in_the_resident_api(client):
    organization, pothole, _ = city_with_pothole()
    resident = UserFactory(email="ann@example.org")
    [answer] = client.post("/open311/v2/requests.json", data=_form(
        api_key_for(organization), email="ann@example.org", address_string="12 Elm Street")).get_json()
    mine = client.get("/api/v1/requests?mine=true", headers=bearer(resident))
    assert mine.status_code == 200, mine.get_json()
    [item] = mine.get_json()["items"]
    assert item["public_id"] == answer["service_request_id"]
    one = client.get(f"/api/v1/requests/{item['id']}", headers=bearer(resident)).get_json()
    assert (one["category_id"], one["description"], one["address"], one["status"]) == (
        pothole.id, "Deep hole by the school", "12 Elm Street", "open")
    assert (one["lat"], one["lng"]) == (pytest.approx(39.781), pytest.approx(-89.651))
    timeline = client.get(f"/api/v1/requests/{item['id']}/timeline", headers=bearer(resident)).get_json()
    assert [(entry["kind"], entry["actor"]["id"]) for entry in timeline["items"]] == [("request.submitted", resident.id)]


def _posted(client, organization, **fields) -> ServiceRequest:
    response = client.post("/open311/v2/requests.json",
                           data=_form(api_key_for(organization), jurisdiction_id=organization.slug, **fields))
    assert response.status_code == 200, response.get_data(as_text=True)
    [answer] = response.get_json()
    return db.session.scalar(select(ServiceRequest).where(ServiceRequest.public_id == answer["service_request_id"]))


def test_a_report_naming_a_staff_address_is_never_filed_as_that_staff_member(client):
    """The probe: an Open311 key holder posted with email=staff@springfield.example and got reporter "Sam Staff"."""
    from tests.factories import make_member
    organization, _, _ = city_with_pothole()
    staff = make_member(organization, "staff", name="Sam Staff", email="staff@springfield.example")
    elsewhere = make_member(OrganizationFactory(slug="shelbyville"), "staff", email="shel@shelbyville.example")
    for person in (staff, elsewhere):  # staff of this organization or of any other
        request = _posted(client, organization, email=person.email.upper(), first_name="Sam", phone="555-0100")
        assert request.reporter_id is None
        assert db.session.get(Follower, (request.id, person.id)) is None
        submission = db.session.scalar(select(Open311Submission).where(Open311Submission.request_id == request.id))
        assert (submission.contact_email, submission.contact_name, submission.contact_phone) == (
            person.email.upper(), "Sam", "555-0100")  # the contact as given
        [event] = db.session.scalars(select(Event).where(Event.request_id == request.id)).all()
        assert (event.kind, event.actor_id) == ("request.submitted", None)
        staff_view = client.get(f"/api/v1/requests/{request.id}", headers=bearer(staff)).get_json()
        assert "Sam Staff" not in str(staff_view)


def test_an_organization_may_refuse_attaching_reports_to_residents_accounts(client):
    organization, _, _ = city_with_pothole()
    resident = UserFactory(email="ann@example.org", name="Ann Existing")
    assert _posted(client, organization, email="ann@example.org").reporter_id == resident.id  # allowed by default
    organization.settings = {**organization.settings, "open311_attach_to_resident_accounts": False}
    db.session.commit()
    request = _posted(client, organization, email="ann@example.org")
    assert request.reporter_id is None
    submission = db.session.scalar(select(Open311Submission).where(Open311Submission.request_id == request.id))
    assert submission.contact_email == "ann@example.org"
