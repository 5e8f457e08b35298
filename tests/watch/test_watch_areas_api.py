"""/api/v1/watch-areas driven like a client: drawing, seeing, changing, deleting, following."""

import pytest
from shapely.geometry import shape
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.watch.lookup import subscriber_ids_at
from tests.factories import CENTRE, CategoryFactory, UserFactory
from tests.support.auth import bearer

URL = "/api/v1/watch-areas"
LNG, LAT = CENTRE


def square(lng=LNG, lat=LAT, half=0.01):
    return {"type": "Polygon", "coordinates": [[
        [lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half],
        [lng - half, lat + half], [lng - half, lat - half]]]}


BOWTIE = {"type": "Polygon", "coordinates": [[
    [LNG - 0.01, LAT - 0.01], [LNG + 0.01, LAT + 0.01], [LNG + 0.01, LAT - 0.01],
    [LNG - 0.01, LAT + 0.01], [LNG - 0.01, LAT - 0.01]]]}


def draw(client, user, **fields):
    body = {"name": "My street", "geometry": square(), **fields}
    response = client.post(URL, json=body, headers=bearer(user))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def events(kind):
    return list(db.session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def assert_error_shape(response, status, code="validation_failed"):
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    return body


# Drawing


def test_draw_an_area_and_get_it_back_as_geojson(client):
    ann = UserFactory()
    created = draw(client, ann, public=True)
    assert created["name"] == "My street" and created["public"] is True and created["category_ids"] == []
    assert created["geometry"]["type"] == "MultiPolygon"
    assert shape(created["geometry"]).equals(shape(square()))
    fetched = client.get(f"{URL}/{created['id']}", headers=bearer(ann)).get_json()
    assert fetched == created
    [event] = events("watch_area.created")
    assert event.payload == {"watch_area_id": created["id"]} and event.actor_id == ann.id


def test_a_feature_collection_is_stored_as_its_multipolygon(client):
    collection = {"type": "FeatureCollection",
                  "features": [{"type": "Feature", "properties": {}, "geometry": square()}]}
    created = draw(client, UserFactory(), geometry=collection)
    assert shape(created["geometry"]).equals(shape(square()))


def test_self_intersection_is_a_422_naming_reason_and_place(client):
    response = client.post(URL, json={"name": "Bow tie", "geometry": BOWTIE}, headers=bearer(UserFactory()))
    body = assert_error_shape(response, 422)
    assert body["details"]["problem"] == "self_intersection"
    assert body["details"]["reason"] == f"Self-intersection[{LNG} {LAT}]"
    assert body["details"]["location"] == pytest.approx([LNG, LAT])
    assert body["message"].startswith("Invalid geometry: Self-intersection[")
    assert body["details"]["json"]["geometry"]


def test_repair_on_request_stores_a_valid_area(client):
    created = draw(client, UserFactory(), geometry=BOWTIE, repair=True)
    stored = shape(created["geometry"])
    assert stored.is_valid and len(stored.geoms) == 2
    assert stored.area == pytest.approx(0.02 * 0.02 / 2)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400])
def test_non_finite_numbers_in_the_json_are_a_422_not_a_500(client, raw):
    ring = (f"[[-89.66, 39.77], [-89.64, 39.77], [-89.64, {raw}], [-89.66, 39.79], [-89.66, 39.77]]")
    payload = '{"name": "x", "geometry": {"type": "Polygon", "coordinates": [' + ring + "]}}"
    response = client.post(URL, data=payload, content_type="application/json", headers=bearer(UserFactory()))
    body = assert_error_shape(response, 422)
    assert body["details"]["problem"] == "non_finite_coordinate"
    assert body["details"]["path"] == "coordinates[0][2]"


@pytest.mark.parametrize(("geometry", "problem"), [
    ({"type": "Point", "coordinates": [LNG, LAT]}, "unsupported_type"),
    ({"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT], [LNG, LAT]]]}, "ring_too_short"),
    ({"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT], [LNG, LAT + 0.01], [LNG, LAT + 0.02]]]},
     "ring_not_closed"),
    ({"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG, 91], [LNG + 1, LAT], [LNG, LAT]]]},
     "coordinate_out_of_range"),
    ({"type": "Polygon", "coordinates": [[["a", LAT]]]}, "malformed_coordinates"),
])
def test_bad_geometries_are_422s_with_their_problem(client, geometry, problem):
    response = client.post(URL, json={"name": "x", "geometry": geometry}, headers=bearer(UserFactory()))
    assert assert_error_shape(response, 422)["details"]["problem"] == problem


def test_vertex_and_area_limits_come_from_the_configuration(client, app, monkeypatch):
    user = UserFactory()
    monkeypatch.setitem(app.config, "WATCH_AREA_MAX_VERTICES", 4)
    response = client.post(URL, json={"name": "x", "geometry": square()}, headers=bearer(user))
    assert assert_error_shape(response, 422)["details"]["problem"] == "too_many_vertices"
    monkeypatch.setitem(app.config, "WATCH_AREA_MAX_VERTICES", 5000)
    monkeypatch.setitem(app.config, "WATCH_AREA_MAX_AREA_M2", 1_000_000)  # the square is ~4.8 km²
    response = client.post(URL, json={"name": "x", "geometry": square()}, headers=bearer(user))
    body = assert_error_shape(response, 422)
    assert body["details"]["problem"] == "area_too_large" and "km²" in body["message"]


def test_category_filter_must_name_existing_categories(client):
    pothole, graffiti = CategoryFactory(), CategoryFactory()
    user = UserFactory()
    created = draw(client, user, category_ids=[graffiti.id, pothole.id, graffiti.id])
    assert created["category_ids"] == sorted([pothole.id, graffiti.id])
    response = client.post(URL, json={"name": "x", "geometry": square(), "category_ids": [pothole.id, 99999]},
                           headers=bearer(user))
    body = assert_error_shape(response, 422)
    assert body["details"]["unknown"] == [99999]
    assert "99999" in body["message"]


def test_unknown_fields_missing_fields_and_anonymous_callers(client):
    user = UserFactory()
    response = client.post(URL, json={"name": "x", "geometry": square(), "owner_id": 1}, headers=bearer(user))
    assert set(assert_error_shape(response, 422)["details"]["json"]) == {"owner_id"}
    response = client.post(URL, json={"name": "  "}, headers=bearer(user))
    assert set(assert_error_shape(response, 422)["details"]["json"]) == {"name"}
    response = client.post(URL, json={"name": "x"}, headers=bearer(user))  # neither drawn nor by place
    assert set(assert_error_shape(response, 422)["details"]["json"]) == {"geometry"}
    response = client.post(URL, json={"name": "x", "geometry": "POLYGON((0 0, 1 1))"}, headers=bearer(user))
    assert set(assert_error_shape(response, 422)["details"]["json"]) == {"geometry"}
    assert_error_shape(client.post(URL, json={"name": "x", "geometry": square()}), 401, "unauthorized")
    assert_error_shape(client.get(URL), 401, "unauthorized")


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "a\x00b", "geometry": square()}, "name"),
    ({"name": "x", "geometry": square(), "category_ids": [2**40]}, "category_ids"),
    ({"name": "x", "geometry": square(), "category_ids": ["1"]}, "category_ids"),
    ({"name": "x" * 201, "geometry": square()}, "name"),
])
def test_values_postgres_would_refuse_are_422s(client, body, field):
    response = client.post(URL, json=body, headers=bearer(UserFactory()))
    assert set(assert_error_shape(response, 422)["details"]["json"]) == {field}


@pytest.mark.parametrize("area_id", ["9999999999", "99999999999999999999999"])
def test_ids_beyond_the_column_are_404s(client, area_id):
    user = UserFactory()
    assert_error_shape(client.get(f"{URL}/{area_id}", headers=bearer(user)), 404, "not_found")
    assert_error_shape(client.post(f"{URL}/{area_id}/follow", headers=bearer(user)), 404, "not_found")


# Seeing


def test_private_areas_are_hidden_from_everyone_but_their_owner(client):
    ann, bob = UserFactory(), UserFactory()
    private = draw(client, ann)
    public = draw(client, ann, name="Park", public=True)
    assert client.get(f"{URL}/{private['id']}", headers=bearer(ann)).status_code == 200
    assert_error_shape(client.get(f"{URL}/{private['id']}", headers=bearer(bob)), 404, "not_found")
    assert_error_shape(client.get(f"{URL}/{private['id']}"), 404, "not_found")
    assert client.get(f"{URL}/{public['id']}", headers=bearer(bob)).get_json()["name"] == "Park"
    assert client.get(f"{URL}/{public['id']}").status_code == 200


def test_lists_show_mine_followed_and_public_near_a_point(client):
    ann, bob = UserFactory(), UserFactory()
    mine = draw(client, ann)
    bobs_near = draw(client, bob, name="Near", public=True, geometry=square(LNG + 0.03, LAT, 0.005))
    draw(client, bob, name="Far", public=True, geometry=square(LNG + 0.5, LAT, 0.005))
    draw(client, bob, name="Secret", geometry=square(LNG, LAT, 0.005))
    client.post(f"{URL}/{bobs_near['id']}/follow", headers=bearer(ann))

    page = client.get(URL, headers=bearer(ann)).get_json()
    assert [a["id"] for a in page["items"]] == [mine["id"]] and page["total"] == 1
    assert {"items", "total", "page", "per_page"} == set(page)
    followed = client.get(f"{URL}?following=true", headers=bearer(ann)).get_json()
    assert [a["name"] for a in followed["items"]] == ["Near"]
    public = client.get(f"{URL}?public=true").get_json()
    assert sorted(a["name"] for a in public["items"]) == ["Far", "Near"]
    # Near's edge is about 2.1 km east of the centre; Far is 43 km away.
    near = client.get(f"{URL}?public=true&lat={LAT}&lng={LNG}&radius_m=2500").get_json()
    assert [a["name"] for a in near["items"]] == ["Near"]
    assert client.get(f"{URL}?public=true&lat={LAT}&lng={LNG}&radius_m=1500").get_json()["total"] == 0


@pytest.mark.parametrize("query", ["public=true&following=true", "public=true&lat=39.7", "lat=39.7&lng=-89.6",
                                   "public=true&lat=95&lng=0", "public=true&lat=1&lng=1&radius_m=60000"])
def test_incoherent_list_filters_are_422(client, query):
    assert_error_shape(client.get(f"{URL}?{query}", headers=bearer(UserFactory())), 422)


# Changing and deleting


def test_owner_changes_name_filter_visibility_and_geometry(client):
    ann = UserFactory()
    pothole = CategoryFactory()
    area = draw(client, ann)
    moved = square(LNG + 0.1, LAT, 0.01)
    response = client.patch(f"{URL}/{area['id']}", headers=bearer(ann), json={
        "name": "Moved", "geometry": moved, "public": True, "category_ids": [pothole.id]})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["name"], changed["public"], changed["category_ids"]) == ("Moved", True, [pothole.id])
    assert shape(changed["geometry"]).equals(shape(moved))
    # The lookup follows the new shape and filter at once.
    assert subscriber_ids_at(LNG, LAT, pothole.id) == []
    assert subscriber_ids_at(LNG + 0.1, LAT, pothole.id) == [ann.id]
    assert subscriber_ids_at(LNG + 0.1, LAT, None) == []
    [event] = events("watch_area.updated")
    assert event.payload == {"watch_area_id": area["id"], "changed": ["category_ids", "geometry", "name", "public"]}


def test_patch_validates_like_create(client):
    ann = UserFactory()
    area = draw(client, ann)
    body = assert_error_shape(client.patch(f"{URL}/{area['id']}", json={"geometry": BOWTIE}, headers=bearer(ann)), 422)
    assert body["details"]["problem"] == "self_intersection"
    repaired = client.patch(f"{URL}/{area['id']}", json={"geometry": BOWTIE, "repair": True}, headers=bearer(ann))
    assert repaired.status_code == 200 and shape(repaired.get_json()["geometry"]).is_valid
    assert_error_shape(client.patch(f"{URL}/{area['id']}", json={}, headers=bearer(ann)), 422)
    assert_error_shape(client.patch(f"{URL}/{area['id']}", json={"repair": True, "name": "x"}, headers=bearer(ann)), 422)


def test_only_the_owner_changes_or_deletes(client):
    ann, bob = UserFactory(), UserFactory()
    public = draw(client, ann, public=True)
    private = draw(client, ann)
    assert_error_shape(client.patch(f"{URL}/{public['id']}", json={"name": "Mine now"}, headers=bearer(bob)),
                       403, "forbidden")
    assert_error_shape(client.delete(f"{URL}/{public['id']}", headers=bearer(bob)), 403, "forbidden")
    assert_error_shape(client.patch(f"{URL}/{private['id']}", json={"name": "x"}, headers=bearer(bob)),
                       404, "not_found")
    assert_error_shape(client.delete(f"{URL}/{private['id']}"), 401, "unauthorized")
    assert client.get(f"{URL}/{public['id']}").get_json()["name"] == "My street"


def test_deleting_an_area_stops_its_alerts(client):
    ann = UserFactory()
    area = draw(client, ann)
    assert subscriber_ids_at(LNG, LAT, None) == [ann.id]
    assert client.delete(f"{URL}/{area['id']}", headers=bearer(ann)).status_code == 204
    assert_error_shape(client.get(f"{URL}/{area['id']}", headers=bearer(ann)), 404, "not_found")
    assert subscriber_ids_at(LNG, LAT, None) == []
    assert [e.payload for e in events("watch_area.deleted")] == [{"watch_area_id": area["id"]}]


# Following


def test_following_a_public_area(client):
    ann, bob = UserFactory(), UserFactory()
    area = draw(client, ann, public=True)
    assert client.post(f"{URL}/{area['id']}/follow", headers=bearer(bob)).status_code == 204
    assert client.post(f"{URL}/{area['id']}/follow", headers=bearer(bob)).status_code == 204
    assert sorted(subscriber_ids_at(LNG, LAT, None)) == sorted([ann.id, bob.id])
    [event] = events("watch_area.followed")  # following twice is one follow
    assert event.payload == {"watch_area_id": area["id"], "user_id": bob.id} and event.actor_id == bob.id
    assert client.delete(f"{URL}/{area['id']}/follow", headers=bearer(bob)).status_code == 204
    assert client.delete(f"{URL}/{area['id']}/follow", headers=bearer(bob)).status_code == 204
    assert subscriber_ids_at(LNG, LAT, None) == [ann.id]
    assert len(events("watch_area.unfollowed")) == 1


def test_private_and_own_areas_cannot_be_followed(client):
    ann, bob = UserFactory(), UserFactory()
    private = draw(client, ann)
    public = draw(client, ann, public=True)
    assert_error_shape(client.post(f"{URL}/{private['id']}/follow", headers=bearer(bob)), 404, "not_found")
    assert_error_shape(client.post(f"{URL}/{public['id']}/follow", headers=bearer(ann)), 409, "own_watch_area")
    assert_error_shape(client.post(f"{URL}/{public['id']}/follow"), 401, "unauthorized")
    assert_error_shape(client.post(f"{URL}/987654/follow", headers=bearer(bob)), 404, "not_found")
    assert events("watch_area.followed") == []


def test_making_an_area_private_drops_its_followers(client):
    ann, bob = UserFactory(), UserFactory()
    area = draw(client, ann, public=True)
    client.post(f"{URL}/{area['id']}/follow", headers=bearer(bob))
    client.patch(f"{URL}/{area['id']}", json={"public": False}, headers=bearer(ann))
    assert subscriber_ids_at(LNG, LAT, None) == [ann.id]
    assert client.get(f"{URL}?following=true", headers=bearer(bob)).get_json()["total"] == 0
    assert_error_shape(client.get(f"{URL}/{area['id']}", headers=bearer(bob)), 404, "not_found")


def test_openapi_documents_the_watch_area_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/watch-areas", "/api/v1/watch-areas/{area_id}", "/api/v1/watch-areas/{area_id}/follow"} <= set(paths)
    assert {"get", "post"} <= set(paths["/api/v1/watch-areas"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/watch-areas/{area_id}"])
