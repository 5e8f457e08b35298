"""Uploads are judged by their bytes."""

import base64

from app.uploads import DOCUMENT_TYPES, IMAGE_TYPES, inspect_upload, store_upload

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def test_a_png_is_accepted_and_its_name_sanitized():
    verdict = inspect_upload(PNG, "../../etc/passwd photo.png")
    assert verdict.ok and verdict.content_type == "image/png"
    assert verdict.filename == "etc_passwd_photo.png"


def test_an_executable_named_jpg_is_refused():
    verdict = inspect_upload(EXE, "holiday.jpg")
    assert not verdict.ok
    assert "not accepted" in verdict.reason


def test_size_limit_and_empty_files():
    assert not inspect_upload(PNG, "a.png", max_bytes=10).ok
    assert inspect_upload(b"", "a.png").reason == "the file is empty"


def test_pdf_allowed_only_where_documents_are():
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    assert not inspect_upload(pdf, "a.pdf", allowed=IMAGE_TYPES).ok
    assert inspect_upload(pdf, "a.pdf", allowed=IMAGE_TYPES | DOCUMENT_TYPES).ok


def test_store_is_content_addressed(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    first = store_upload(PNG)
    second = store_upload(PNG)
    assert first == second
    with open(first[1], "rb") as handle:
        assert handle.read() == PNG
