"""What the pages call each status: one table for every kind of thing that has a status.

Keyed by the domain's status enums and checked at import (`check_labels`), so a status added to
an enum without its label stops the app instead of showing a raw code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from app.inbound.models import InboundMessageStatus
from app.requests.models import RequestStatus
from app.work.models import WorkOrderStatus

STATUS_LABELS: dict[type[enum.StrEnum], dict[str, str]] = {
    RequestStatus: {"open": _l("Open"), "acknowledged": _l("Acknowledged"), "closed": _l("Closed"), "archived": _l("Archived")},
    WorkOrderStatus: {"open": _l("Open"), "in_progress": _l("In progress"), "done": _l("Done"), "cancelled": _l("Cancelled")},
    InboundMessageStatus: {"awaiting_review": _l("Awaiting review"), "needs_attention": _l("Needs attention"),
                           "closed": _l("Closed")},
}


def check_labels() -> None:
    """Every status of every enum in the table has a label, and no label names another status."""
    for kind, labels in STATUS_LABELS.items():
        if set(labels) != {status.value for status in kind}:
            raise RuntimeError(f"STATUS_LABELS[{kind.__name__}] does not match the enum's statuses")


def status_choices(kind: type[enum.StrEnum], statuses: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(status, label) pairs for a select field: every status of `kind` in order, or those named."""
    labels = STATUS_LABELS[kind]
    return [(status, labels[status]) for status in (statuses if statuses is not None else labels)]


check_labels()

REQUEST_STATUS_LABELS = STATUS_LABELS[RequestStatus]
WORK_ORDER_STATUS_LABELS = STATUS_LABELS[WorkOrderStatus]
INBOUND_STATUS_LABELS = STATUS_LABELS[InboundMessageStatus]
