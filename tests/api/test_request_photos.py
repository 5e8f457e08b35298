"""Photos on a request: judged by their bytes, size-limited, at most five, served back."""

from __future__ import annotations

import io

import pytest

from app.requests.service import MAX_PHOTO_BYTES
from tests.requests.city import PNG, build_city

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def city(upload_dir):
    return build_city()


def _upload(client, city, data: bytes, name: str = "photo.png", who: str = "resident_a"):
    return client.post(f"/api/v1/requests/{city.request.id}/attachments", headers=city.headers(who),
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_photo_is_stored_listed_and_served(client, city):
    response = _upload(client, city, PNG, "../../etc/my photo.png")
    assert response.status_code == 201
    photo = response.get_json()
    assert photo["content_type"] == "image/png" and photo["filename"] == "etc_my_photo.png"
    shown = client.get(f"/api/v1/requests/{city.request.id}").get_json()
    assert [p["id"] for p in shown["photos"]] == [photo["id"]]
    served = client.get(photo["url"])
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_type_is_judged_by_content(client, city):
    response = _upload(client, city, EXE, "holiday.jpg")
    assert response.status_code == 415
    assert "file" in response.get_json()["details"]["files"]


def test_size_limit_and_empty_and_missing_files(client, city):
    too_big = PNG + b"\x00" * (MAX_PHOTO_BYTES + 1 - len(PNG))
    assert _upload(client, city, too_big).status_code == 413
    assert _upload(client, city, b"").status_code == 422
    missing = client.post(f"/api/v1/requests/{city.request.id}/attachments", headers=city.headers("resident_a"),
                          data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "file" in missing.get_json()["details"]["files"]


def test_at_most_five_photos(client, city):
    for _ in range(5):
        assert _upload(client, city, PNG).status_code == 201
    sixth = _upload(client, city, PNG, who="staff")
    assert sixth.status_code == 409


def test_an_unknown_photo_is_404(client, city):
    assert client.get(f"/api/v1/requests/{city.request.id}/attachments/999").status_code == 404


def test_a_photo_is_served_with_the_default_relative_upload_dir(client, city, app, tmp_path, monkeypatch):
    """`make run` keeps UPLOAD_DIR at its relative default: the photo must still be served."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", "instance/uploads")
    photo = _upload(client, city, PNG).get_json()
    served = client.get(photo["url"])
    assert served.status_code == 200 and served.data == PNG
    assert (tmp_path / "instance" / "uploads").is_dir()
