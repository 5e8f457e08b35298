"""A request's history in words: what each timeline entry says, and the SLA badge.

Which entries a viewer gets is decided by app.requests.queries (by audience); this module
only phrases them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.db_types import utcnow
from app.events.kinds import KINDS
from app.extensions import db
from app.requests.models import RequestCategory

# A status as a timeline phrase names it (requests' and work orders' statuses).
STATUS_WORDS = {"open": _l("open"), "acknowledged": _l("acknowledged"), "closed": _l("closed"),
                "archived": _l("archived"), "in_progress": _l("in progress"), "done": _l("done"),
                "cancelled": _l("cancelled")}


@dataclass(frozen=True)
class Line:
    """One timeline entry ready for a template."""

    id: str
    kind: str
    created_at: datetime
    who: str
    text: str
    comment: object | None = None

    @property
    def internal(self) -> bool:
        return self.comment is not None and self.comment.visibility == "internal"


def _names(model, ids: set[int], attribute: str) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: getattr(row, attribute) for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def lines(entries, timezone: str | None = None) -> list[Line]:
    """Timeline entries (app.requests.queries.TimelineEntry) in words."""
    users = _names(User, {e.payload.get("assignee_id") for e in entries if e.payload.get("assignee_id")}, "name")
    categories = _names(RequestCategory, {value for e in entries for key, value in e.payload.items()
                                          if key in ("category_id", "previous_category_id") and value}, "name")
    result = []
    for entry in entries:
        kind = KINDS.get(entry.kind)
        who = "" if kind and kind.system else (entry.actor.name if entry.actor else _("The city"))
        if entry.comment is not None:
            result.append(Line(entry.id, entry.kind, entry.created_at, who, "", entry.comment))
            continue
        payload = dict(entry.payload)
        values = {
            **payload,
            "assignee": users.get(payload.get("assignee_id"), _("nobody")),
            "category": categories.get(payload.get("category_id"), _("another category")),
            "previous_category": categories.get(payload.get("previous_category_id"), _("another category")),
            "due_at": _when_text(payload.get("due_at"), timezone) if payload.get("due_at") else _("nothing (cleared)"),
            "status": str(STATUS_WORDS.get(payload.get("status"), str(payload.get("status", "")).replace("_", " "))),
        }
        phrase = str(kind.phrase) if kind and kind.phrase else entry.kind.replace("_", " ").replace(".", ": ")
        result.append(Line(entry.id, entry.kind, entry.created_at, who, phrase.format_map(_Blank(values))))
    return result


class _Blank(dict):
    def __missing__(self, key):
        return "?"


def _when_text(iso: str, timezone: str | None) -> str:
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(iso)
        if timezone:
            value = value.astimezone(ZoneInfo(timezone))
    except (ValueError, OverflowError):  # a payload stored before the date-time window (app/inputs.py)
        return iso
    return value.strftime("%d %b %Y, %H:%M")


@dataclass(frozen=True)
class SlaBadge:
    css: str
    text: str


DUE_SOON = timedelta(hours=8)


def sla_badge(sla_due_at: datetime | None, status: str, now: datetime | None = None) -> SlaBadge | None:
    """How an unfinished request stands against its SLA deadline (None once closed)."""
    if status in ("closed", "archived"):
        return None
    if sla_due_at is None:
        return SlaBadge("sla-none", _("No SLA"))
    left = sla_due_at - (now or utcnow())
    if left <= timedelta(0):
        return SlaBadge("sla-breached", _("SLA breached %(span)s ago", span=_span(-left)))
    if left <= DUE_SOON:
        return SlaBadge("sla-due-soon", _("SLA due in %(span)s", span=_span(left)))
    return SlaBadge("sla-ok", _("SLA due in %(span)s", span=_span(left)))


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        return _("%(num)s days", num=hours // 24)
    if hours >= 1:
        return _("%(num)s h", num=hours)
    return _("%(num)s min", num=max(int(delta.total_seconds() // 60), 1))
