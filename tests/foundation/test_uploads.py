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


def test_a_request_photo_and_an_email_attachment_hold_a_stored_file_alike(app, tmp_path, monkeypatch):
    from sqlalchemy import inspect

    from app.inbound.models import InboundMessageAttachment
    from app.requests.models import Attachment
    from app.uploads import STORED_FILE_COLUMNS, keep_file

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    for model in (Attachment, InboundMessageAttachment):
        columns = inspect(model).columns
        assert {name: (str(columns[name].type), columns[name].nullable) for name in STORED_FILE_COLUMNS} == {
            "filename": ("VARCHAR(255)", False), "content_type": ("VARCHAR(100)", False),
            "size": ("BIGINT", False), "sha256": ("VARCHAR(64)", False), "storage_path": ("TEXT", False)}

    emailed = InboundMessageAttachment(**keep_file(PNG, "photo.png", "image/png"))
    assert (emailed.size, emailed.sha256, emailed.storage_path) == (len(PNG), *store_upload(PNG))
    copied = Attachment(request_id=1, **emailed.stored_file())  # a request made from the email: the same file
    assert copied.stored_file() == emailed.stored_file()
