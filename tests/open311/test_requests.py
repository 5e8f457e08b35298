"""GET requests and GET requests/{id}: public fields only, statuses, status_notes, filters, paging."""

from datetime import UTC, datetime, timedelta

import pytest

from app.db_types import utcnow
from app.extensions import db
from app.open311.models import Open311Submission
from tests.factories import (
    CategoryFactory,
    CommentFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.open311.support import (
    REQUEST_ELEMENTS,
    city_with_pothole,
    error_codes_and_descriptions,
    names,
    text_of,
    xml,
)


def _request(category, days_ago: float = 1, **fields):
    created = fields.pop("created_at", None) or utcnow() - timedelta(days=days_ago)
    return ServiceRequestFactory(category=category, created_at=created, updated_at=created, **fields)


def _ids(client, query: str = "") -> list[str]:
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["service_request_id"] for item in response.get_json()]


def test_a_request_in_xml_has_the_specification_elements_and_no_reporter(client):
    _, pothole, _ = city_with_pothole()
    reporter = UserFactory(email="reporter@example.org", name="Rita Reporter", phone="555-0100")
    request = _request(pothole, reporter=reporter, address="12 Elm Street", description="Deep hole",
                       answers={"size": "l"})
    root = xml(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    [element] = root
    assert element.tag == "request"
    assert names(element) == REQUEST_ELEMENTS
    assert text_of(element, "service_request_id") == request.public_id
    assert [text_of(element, n) for n in ("status", "service_code", "service_name", "address", "description")] == [
        "open", "pothole", "Pothole", "12 Elm Street", "Deep hole"]
    assert text_of(element, "agency_responsible") == "City of Springfield"
    assert float(text_of(element, "lat")) == pytest.approx(39.78)
    assert float(text_of(element, "long")) == pytest.approx(-89.65)
    assert datetime.fromisoformat(text_of(element, "requested_datetime")) == request.created_at.replace(microsecond=0)
    assert text_of(element, "requested_datetime").endswith("-06:00")  # Chicago time in November
    body = client.get("/open311/v2/requests.xml").get_data(as_text=True)
    for private in ("reporter@example.org", "Rita", "555-0100"):
        assert private not in body


def test_a_request_in_json(client):
    _, pothole, _ = city_with_pothole()
    request = _request(pothole, due_at=datetime(2030, 1, 2, 15, 0, tzinfo=UTC))
    [item] = client.get(f"/open311/v2/requests/{request.public_id}.json").get_json()
    assert list(item) == REQUEST_ELEMENTS
    assert item["service_request_id"] == request.public_id
    assert item["expected_datetime"] == "2030-01-02T09:00:00-06:00"
    assert item["address_id"] is None and item["zipcode"] is None and item["media_url"] is None
    assert isinstance(item["lat"], float)


@pytest.mark.parametrize(("ours", "open311"), [
    ("open", "open"), ("acknowledged", "open"), ("closed", "closed"), ("archived", "closed")])
def test_workflow_statuses_map_to_open_and_closed(client, ours, open311):
    _, pothole, _ = city_with_pothole()
    request = _request(pothole, status=ours)
    root = xml(client.get(f"/open311/v2/requests/{request.public_id}.xml"))
    assert text_of(root[0], "status") == open311


def test_status_notes_is_the_latest_public_comment_never_an_internal_one(client):
    _, pothole, _ = city_with_pothole()
    request = _request(pothole, status="acknowledged")
    base = utcnow() - timedelta(hours=5)
    CommentFactory(request=request, body="Crew scheduled for Tuesday.", created_at=base)
    CommentFactory(request=request, body="Crew on site.", created_at=base + timedelta(hours=1))
    CommentFactory(request=request, body="Supervisor says: needs the big truck.", visibility="internal",
                   created_at=base + timedelta(hours=2))
    [item] = client.get(f"/open311/v2/requests/{request.public_id}.json").get_json()
    assert item["status_notes"] == "Crew on site."
    other = _request(pothole)
    [bare] = client.get(f"/open311/v2/requests/{other.public_id}.json").get_json()
    assert bare["status_notes"] is None


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_extensions_add_the_public_notes_history(client, fmt):
    organization, pothole, _ = city_with_pothole()
    staff = make_member(organization, "staff", name="Sam Staff")
    resident = UserFactory(name="Rosa Resident")
    request = _request(pothole)
    base = utcnow() - timedelta(hours=5)
    CommentFactory(request=request, author=resident, body="It got bigger.", created_at=base)
    CommentFactory(request=request, author=staff, body="Internal: call the contractor.", visibility="internal",
                   created_at=base + timedelta(hours=1))
    CommentFactory(request=request, author=staff, body="Fixed today.", created_at=base + timedelta(hours=2))
    response = client.get(f"/open311/v2/requests/{request.public_id}.{fmt}?extensions=true")
    if fmt == "json":
        notes = response.get_json()[0]["extended_attributes"]["notes"]
    else:
        element = xml(response)[0]
        assert names(element) == [*REQUEST_ELEMENTS, "extended_attributes"]
        assert names(element.find("extended_attributes/notes")) == ["note", "note"]
        notes = [{child.tag: child.text for child in note} for note in element.find("extended_attributes/notes")]
    assert [note["description"] for note in notes] == ["It got bigger.", "Fixed today."]
    assert [note["summary"] for note in notes] == ["Comment from a resident", "Update from City of Springfield"]
    assert all(list(note) == ["datetime", "type", "summary", "description"] for note in notes)
    body = response.get_data(as_text=True)
    assert "contractor" not in body and "Sam Staff" not in body and "Rosa" not in body
    plain = client.get(f"/open311/v2/requests/{request.public_id}.json").get_json()[0]
    assert "extended_attributes" not in plain


def test_service_request_id_list_overrides_every_other_argument(client):
    _, pothole, graffiti = city_with_pothole()
    old = _request(pothole, days_ago=200, status="closed")
    recent = _request(graffiti)
    _request(pothole)
    assert set(_ids(client, f"?service_request_id={old.public_id},{recent.public_id}&status=open"
                            "&service_code=pothole&start_date=2001-01-01T00:00:00Z")) == {old.public_id, recent.public_id}
    assert set(_ids(client, f"?service_request_id={old.public_id}&service_request_id={recent.public_id}")) == {
        old.public_id, recent.public_id}


def test_service_code_and_status_filters_take_lists(client):
    organization, pothole, graffiti = city_with_pothole()
    trash = CategoryFactory(organization=organization, code="trash")
    open_pothole = _request(pothole)
    closed_graffiti = _request(graffiti, status="closed")
    archived_trash = _request(trash, status="archived")
    acknowledged_trash = _request(trash, status="acknowledged")
    assert set(_ids(client, "?service_code=pothole,graffiti")) == {open_pothole.public_id, closed_graffiti.public_id}
    assert set(_ids(client, "?service_code=pothole&service_code=trash")) == {
        open_pothole.public_id, archived_trash.public_id, acknowledged_trash.public_id}
    assert set(_ids(client, "?status=closed")) == {closed_graffiti.public_id, archived_trash.public_id}
    assert set(_ids(client, "?status=open&service_code=trash")) == {acknowledged_trash.public_id}
    assert len(_ids(client, "?status=open,closed")) == 4


def test_start_and_end_date_select_by_requested_datetime(client):
    _, pothole, _ = city_with_pothole()
    june = _request(pothole, created_at=datetime(2025, 6, 15, 12, tzinfo=UTC))
    _request(pothole, created_at=datetime(2025, 8, 15, 12, tzinfo=UTC))
    assert _ids(client, "?start_date=2025-06-01T00:00:00Z&end_date=2025-06-30T00:00:00Z") == [june.public_id]
    # Only a start: the 90 days from it. Only an end: the 90 days up to it.
    assert len(_ids(client, "?start_date=2025-06-01T00:00:00Z")) == 2
    assert _ids(client, "?end_date=2025-07-01T00:00:00%2B02:00") == [june.public_id]


def test_the_default_window_is_the_latest_90_days(client):
    _, pothole, _ = city_with_pothole()
    recent = _request(pothole, days_ago=89)
    _request(pothole, days_ago=91)
    assert _ids(client) == [recent.public_id]


@pytest.mark.parametrize(("query", "words"), [
    ("?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", "90 days"),
    ("?start_date=2025-06-01T00:00:00Z&end_date=2025-01-01T00:00:00Z", "before"),
    ("?start_date=yesterday", "start_date"),
    ("?updated_after=2025-13-01T00:00:00Z", "updated_after"),
    ("?status=pending", "status"),
    ("?page=0", "page"),
    ("?page_size=5000", "page_size"),
    ("?page_size=ten", "page_size"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_malformed_filters_are_400_naming_the_argument(client, fmt, query, words):
    city_with_pothole()
    response = client.get(f"/open311/v2/requests.{fmt}{query}")
    assert response.status_code == 400
    [(code, description)] = error_codes_and_descriptions(response, fmt)
    assert code == 400 and words in description


def test_updated_after_finds_changes_to_older_requests(client):
    _, pothole, _ = city_with_pothole()
    old_but_touched = _request(pothole, days_ago=200)
    old_but_touched.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    untouched = _request(pothole, days_ago=200)
    since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client, f"?updated_after={since}") == [old_but_touched.public_id]
    assert _ids(client, f"?updated_before={since}") == [untouched.public_id]
    # With a requested_datetime window as well, both must hold.
    assert _ids(client, f"?updated_after={since}&start_date=2001-01-01T00:00:00Z") == []


def test_page_and_page_size_walk_the_list_newest_first(client):
    _, pothole, _ = city_with_pothole()
    made = [_request(pothole, days_ago=days) for days in (5, 4, 3, 2, 1)]
    newest_first = [request.public_id for request in reversed(made)]
    assert _ids(client, "?page_size=2") == newest_first[:2]
    assert _ids(client, "?page_size=2&page=2") == newest_first[2:4]
    assert _ids(client, "?page_size=2&page=3") == newest_first[4:]
    assert _ids(client, "?page_size=2&page=4") == []
    assert names(xml(client.get("/open311/v2/requests.xml?page_size=3"))) == ["request"] * 3


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_request_of_another_jurisdiction_or_unknown_id_is_404(client, fmt):
    _, pothole, _ = city_with_pothole("springfield")
    other = OrganizationFactory(slug="shelbyville")
    theirs = _request(CategoryFactory(organization=other))
    for public_id in (theirs.public_id, "nosuchid00"):
        response = client.get(f"/open311/v2/requests/{public_id}.{fmt}?jurisdiction_id=springfield")
        assert response.status_code == 404
        assert error_codes_and_descriptions(response, fmt)[0][0] == 404
    assert _ids(client, "?jurisdiction_id=shelbyville") == [theirs.public_id]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_token_names_the_request_it_became(client, fmt):
    organization, pothole, _ = city_with_pothole()
    request = _request(pothole)
    db.session.add(Open311Submission(token="tok123", request_id=request.id, organization_id=organization.id))
    db.session.add(Open311Submission(token="deferred", organization_id=organization.id))
    db.session.commit()
    found = client.get(f"/open311/v2/tokens/tok123.{fmt}")
    waiting = client.get(f"/open311/v2/tokens/deferred.{fmt}")
    if fmt == "json":
        assert found.get_json() == [{"service_request_id": request.public_id, "token": "tok123"}]
        assert waiting.get_json() == [{"token": "deferred"}]
    else:
        root = xml(found)
        assert root.tag == "service_requests" and names(root[0]) == ["service_request_id", "token"]
        assert text_of(root[0], "service_request_id") == request.public_id
        assert names(xml(waiting)[0]) == ["token"]
    missing = client.get(f"/open311/v2/tokens/nope.{fmt}")
    assert missing.status_code == 404
    assert error_codes_and_descriptions(missing, fmt)[0][0] == 404


@pytest.mark.parametrize("query", [
    {"jurisdiction_id": "\x00"}, {"service_request_id": "abc\x00"}, {"service_code": "pot\x00hole"},
    {"page": "99999999999999999999"}, {"page": "9" * 5000}, {"page": "²"}, {"page_size": "1" * 40},
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_hostile_arguments_are_an_errors_document_with_a_4xx(client, query, fmt):
    from tests.open311.support import city_with_pothole

    city_with_pothole()  # a jurisdiction, so the arguments themselves are judged
    response = client.get(f"/open311/v2/requests.{fmt}", query_string=query)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert ("<errors>" in text) if fmt == "xml" else (response.get_json()[0]["code"] == 400)
    assert "went wrong on our side" not in text
