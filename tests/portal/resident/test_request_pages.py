"""A request's public page and the resident's actions on it, through the requests service."""

from __future__ import annotations

from app.requests.models import Comment, Follower, ServiceRequest
from tests.factories import CommentFactory
from tests.portal.pages import log_in, page_token, post_form
from tests.requests.city import LAT, LNG, PNG, build_city


def test_everyone_sees_public_comments_and_nobody_but_staff_the_internal_ones(client, db):
    city = build_city()
    CommentFactory(request=city.request, author=city.staff, body="Crew booked for Monday", visibility="public")
    CommentFactory(request=city.request, author=city.staff, body="Reporter is a regular", visibility="internal")
    page = f"/requests/{city.request.id}"
    for who in (None, city.resident_a, city.resident_b):
        if who is not None:
            log_in(client, who)
        text = client.get(page).text
        assert "Crew booked for Monday" in text and "Reporter is a regular" not in text
    log_in(client, city.staff)
    staff_view = client.get(page).text
    assert "Reporter is a regular" in staff_view and "Open in the staff portal" in staff_view


def test_comment_follow_and_unfollow(client, db):
    city = build_city()
    log_in(client, city.resident_b)
    page = f"/requests/{city.request.id}"
    assert post_form(client, page + "/comments", {"body": "Still there today"}, form_page=page).status_code == 302
    assert db.session.query(Comment).filter_by(body="Still there today", visibility="public").count() == 1
    post_form(client, page + "/follow", form_page=page)
    assert db.session.get(Follower, (city.request.id, city.resident_b.id)) is not None
    assert "Stop following" in client.get(page).text
    post_form(client, page + "/unfollow", form_page=page)
    assert db.session.get(Follower, (city.request.id, city.resident_b.id)) is None


def test_a_resident_cannot_post_an_internal_comment(client, db):
    city = build_city()
    log_in(client, city.resident_a)
    page = f"/requests/{city.request.id}"
    assert "Internal: only staff" not in client.get(page).text
    post_form(client, page + "/comments", {"body": "sneaky", "internal": "y"}, form_page=page)
    assert db.session.query(Comment).filter_by(body="sneaky").count() == 0
    assert "You may not add internal notes to this request." in client.get(page).text


def test_the_reporter_closes_and_reopens_as_the_category_allows(client, db):
    city = build_city(restriction="disable_reopen")
    log_in(client, city.resident_a)
    page = f"/requests/{city.request.id}"
    assert "Close this request" in client.get(page).text
    post_form(client, page + "/close", {"comment": "Fixed, thanks"}, form_page=page)
    db.session.refresh(city.request)
    assert city.request.status == "closed"
    after = client.get(page).text
    assert ">Reopen</button>" not in after  # the category does not let residents reopen
    refused = post_form(client, page + "/reopen", form_page=page)
    assert refused.status_code == 302
    assert "This category does not let residents reopen its requests once closed." in client.get(page).text


def test_another_resident_sees_no_close_button(client, db):
    city = build_city()
    log_in(client, city.resident_b)
    assert "Close this request" not in client.get(f"/requests/{city.request.id}").text


def test_report_with_typed_coordinates_and_a_photo(app, client, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    city = build_city()
    log_in(client, city.resident_b)
    lookup = post_form(client, "/report", {"lat": str(LAT), "lng": str(LNG), "lookup": "1"})
    assert lookup.status_code == 200 and "Handled by City of Springfield." in lookup.text
    assert f'<option value="{city.category.id}">Pothole</option>' in lookup.text

    from io import BytesIO
    token = page_token(client, "/report")
    sent = client.post("/report", data={
        "csrf_token": token, "lat": str(LAT), "lng": str(LNG), "category_id": str(city.category.id),
        "description": "Hole by the bakery", "photos": [(BytesIO(PNG), "hole.png"), (BytesIO(b"MZ not an image"), "x.exe")]},
        content_type="multipart/form-data")
    assert sent.status_code == 302
    created = db.session.query(ServiceRequest).filter_by(description="Hole by the bakery").one()
    page = client.get(sent.headers["Location"]).text
    assert f"/api/v1/requests/{created.id}/attachments/" in page  # the PNG
    assert "x.exe: Photo refused" in page  # the other one, said plainly


def test_report_errors_sit_next_to_their_fields(client, db):
    city = build_city()
    log_in(client, city.resident_b)
    empty = post_form(client, "/report", {"lat": "", "lng": "", "description": ""})
    assert empty.status_code == 422
    assert 'id="lat-error">Click the map, or type the latitude.</p>' in empty.text
    assert 'id="description-error">Tell the city what is wrong.</p>' in empty.text
    outside = post_form(client, "/report", {"lat": str(LAT), "lng": str(LNG - 1.0), "category_id": str(city.category.id),
                                            "description": "Far away"})
    assert outside.status_code == 422
    assert "No organization serves this point" in outside.text


def test_my_requests_lists_only_mine(client, db):
    city = build_city()
    city.new_request(reporter=city.resident_b, description="Bob's own report")
    log_in(client, city.resident_b)
    mine = client.get("/my/requests").text
    assert "Bob&#39;s own report" in mine and city.request.description not in mine


def test_visitors_are_asked_to_log_in_to_report(client, db):
    build_city()
    assert client.get("/report").headers["Location"] == "/login?next=/report"


QUESTIONS = [
    {"code": "depth", "datatype": "number", "required": True, "variable": True, "description": "How deep (cm)?",
     "order": 1, "values": []},
    {"code": "lane", "datatype": "singlevaluelist", "required": False, "variable": True,
     "description": "Which lane?", "order": 2, "values": [{"key": "bike", "name": "Bike lane"},
                                                         {"key": "car", "name": "Car lane"}]},
]


def test_the_categorys_questions_are_asked_and_checked_by_the_service(client, db):
    city = build_city()
    city.category.attributes = QUESTIONS
    db.session.commit()
    log_in(client, city.resident_b)
    base = {"lat": str(LAT), "lng": str(LNG), "category_id": str(city.category.id), "description": "Deep one"}
    missing = post_form(client, "/report", base)
    assert missing.status_code == 422
    assert 'id="q-depth-error">An answer is required.</p>' in missing.text
    assert '<option value="bike">Bike lane</option>' in missing.text
    wrong = post_form(client, "/report", {**base, "answers.depth": "very"})
    assert 'id="q-depth-error">Must be a number.</p>' in wrong.text
    sent = post_form(client, "/report", {**base, "answers.depth": "12.5", "answers.lane": "bike"})
    assert sent.status_code == 302
    created = db.session.query(ServiceRequest).filter_by(description="Deep one").one()
    assert created.answers == {"depth": 12.5, "lane": "bike"}
