"""Accepting files (request photos, email attachments): type judged by content, never by name.

Both the API's uploads and inbound email attachments go through `inspect_upload`, then
`store_upload` writes the bytes once, content-addressed by SHA-256, under UPLOAD_DIR. A row
that holds such a file (a request's photo, an email's attachment) has the `StoredFile` columns,
filled by `keep_file`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import filetype
from flask import current_app
from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.utils import secure_filename

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"})
DOCUMENT_TYPES = frozenset({
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
})
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class UploadVerdict:
    ok: bool
    filename: str
    content_type: str | None
    size: int
    reason: str = ""  # why it was refused, in words a resident understands


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def sanitize_filename(name: str | None, fallback: str = "file") -> str:
    cleaned = secure_filename(name or "")[:200]
    return cleaned or fallback


def sniff_content_type(data: bytes) -> str | None:
    kind = filetype.guess(data)
    return kind.mime if kind else None


def inspect_upload(data: bytes, filename: str | None, *, allowed=IMAGE_TYPES,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> UploadVerdict:
    """Judge one file by its bytes: allowed type and size; the name is only sanitized."""
    name = sanitize_filename(filename)
    size = len(data)
    if size == 0:
        return UploadVerdict(False, name, None, size, "the file is empty")
    if size > max_bytes:
        return UploadVerdict(False, name, None, size, f"the file is larger than {_human_size(max_bytes)}")
    content_type = sniff_content_type(data)
    if content_type not in allowed:
        found = content_type or "an unrecognised format"
        return UploadVerdict(False, name, content_type, size, f"{found} files are not accepted")
    return UploadVerdict(True, name, content_type, size)


def store_upload(data: bytes) -> tuple[str, str]:
    """Write the bytes under UPLOAD_DIR (once per content); return (sha256, storage path)."""
    digest = hashlib.sha256(data).hexdigest()
    # Stored absolute: Flask's send_file resolves a relative path against the app package, not
    # the working directory the processes share, so a relative UPLOAD_DIR (the default) would 404.
    directory = os.path.join(os.path.abspath(current_app.config["UPLOAD_DIR"]), digest[:2])
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, digest)
    if not os.path.exists(path):
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    return digest, path


class StoredFile:
    """The columns of a row that holds a stored file (mixed into each such model)."""

    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_path: Mapped[str] = mapped_column(Text, nullable=False)

    def stored_file(self) -> dict:
        """This file's columns, to give another row the same stored file (no second copy)."""
        return {name: getattr(self, name) for name in STORED_FILE_COLUMNS}


STORED_FILE_COLUMNS = ("filename", "content_type", "size", "sha256", "storage_path")


def keep_file(data: bytes, filename: str, content_type: str) -> dict:
    """Store the bytes and return the `StoredFile` columns of the row that will hold them."""
    digest, path = store_upload(data)
    return {"filename": filename, "content_type": content_type, "size": len(data), "sha256": digest,
            "storage_path": path}
