"""Which files of an email we keep: judged by content (app/uploads.py), at most five."""

from __future__ import annotations

from dataclasses import dataclass

from app.uploads import (
    DEFAULT_MAX_BYTES,
    DOCUMENT_TYPES,
    IMAGE_TYPES,
    inspect_upload,
    sanitize_filename,
)
from emails.mime import MimePart

MAX_ATTACHMENTS = 5
ALLOWED_TYPES = IMAGE_TYPES | DOCUMENT_TYPES


@dataclass(frozen=True)
class KeptFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class RefusedFile:
    filename: str
    reason: str

    def as_note(self) -> dict:
        return {"filename": self.filename, "reason": self.reason}


def screen_attachments(parts: list[MimePart], *, max_files: int = MAX_ATTACHMENTS,
                       max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[KeptFile], list[RefusedFile]]:
    """Accept allowed types within the size limit, in order, up to `max_files`; note the rest."""
    kept: list[KeptFile] = []
    refused: list[RefusedFile] = []
    for index, part in enumerate(parts, start=1):
        fallback = f"attachment-{index}"
        verdict = inspect_upload(part.data, part.filename or fallback, allowed=ALLOWED_TYPES, max_bytes=max_bytes)
        if not verdict.ok:
            refused.append(RefusedFile(verdict.filename, verdict.reason))
        elif len(kept) >= max_files:
            refused.append(RefusedFile(verdict.filename, f"only {max_files} attachments are accepted per email"))
        else:
            kept.append(KeptFile(sanitize_filename(verdict.filename, fallback), verdict.content_type, part.data))
    return kept, refused
