"""The audit trail: staff views of a resident's contact details, and every export or deletion.

Written in the caller's transaction for exports and deletions; a view of contact details is
recorded by `record_contact_views`, which commits on its own, because the page or document
that showed the details is a read that writes nothing else.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import insert, select

from app.extensions import db
from app.privacy.models import AuditAction, AuditEntry
from app.transactions import unit_of_work


def record(action: AuditAction, *, organization_id: int | None, actor_id: int | None,
           subject_user_ids, request_id: int | None = None, where: str = "", details: dict | None = None) -> int:
    """Add one entry per subject to the current transaction; returns how many."""
    rows = [_row(action, organization_id, actor_id, subject, request_id, where, details)
            for subject in dict.fromkeys(subject_user_ids)]
    if rows:
        db.session.execute(insert(AuditEntry), rows)
    return len(rows)


def _row(action: AuditAction, organization_id, actor_id, subject_user_id, request_id, where: str, details) -> dict:
    return {"organization_id": organization_id, "action": action.value, "actor_id": actor_id,
            "subject_user_id": subject_user_id, "request_id": request_id, "where": where[:200], "details": details or {}}


def _where() -> str:
    """The page or endpoint being served, when there is one (a worker has none)."""
    return f"{request.method} {request.path}" if has_request_context() else ""


@unit_of_work()
def record_contact_views(organization_id: int, actor_id: int, shown: list[tuple[int, int | None]],
                         where: str | None = None) -> int:
    """A staff member saw the contact details of these (reporter id, request id) pairs; commits."""
    where = _where() if where is None else where
    seen = dict.fromkeys((reporter, request) for reporter, request in shown if reporter is not None)
    if seen:  # one INSERT for the whole page, not one per row
        db.session.execute(insert(AuditEntry), [
            _row(AuditAction.CONTACT_VIEWED, organization_id, actor_id, reporter_id, request_id, where, None)
            for reporter_id, request_id in seen])
    return len(seen)


def organization_trail(organization_id: int, *, action: str | None = None):
    """The organization's audit entries, newest first."""
    query = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return query.order_by(AuditEntry.id.desc())

