"""Stored files that no row refers to any more, removed after the commit that dropped their rows.

Used by account deletion (app/privacy/erasure.py) and the retention sweep (app/privacy/retention.py):
files are shared by content (app/uploads.py), so a file goes only when no photo and no email
attachment points at it.
"""

from __future__ import annotations

import contextlib
import os

from sqlalchemy import func, select

from app.extensions import db
from app.inbound.models import InboundMessageAttachment
from app.requests.models import Attachment


def discard_unreferenced_files(paths: list[str]) -> None:
    """Remove stored files no row refers to any more (files are shared by content, see app/uploads.py)."""
    for path in dict.fromkeys(paths):
        still_used = db.session.scalar(select(func.count()).select_from(Attachment)
                                       .where(Attachment.storage_path == path)) or db.session.scalar(
            select(func.count()).select_from(InboundMessageAttachment)
            .where(InboundMessageAttachment.storage_path == path))
        if not still_used:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
