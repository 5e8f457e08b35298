"""Status labels are one table keyed by the domain's status enums (app/portal/labels.py)."""

from __future__ import annotations

import pytest

from app.inbound.models import InboundMessageStatus
from app.portal import labels
from app.portal.staff.forms import InboundStatusForm, QueueFilters
from app.requests.models import RequestStatus
from app.work.models import WorkOrderStatus


def test_every_status_of_every_enum_has_its_label():
    assert set(labels.STATUS_LABELS) == {RequestStatus, WorkOrderStatus, InboundMessageStatus}
    for kind, table in labels.STATUS_LABELS.items():
        assert set(table) == {status.value for status in kind}
        assert all(label and label[0].isupper() for label in table.values())


def test_a_status_without_a_label_stops_the_app(monkeypatch):
    monkeypatch.setitem(labels.STATUS_LABELS, RequestStatus, {"open": "Open"})
    with pytest.raises(RuntimeError, match="RequestStatus"):
        labels.check_labels()


def test_the_forms_offer_the_tables_labels(app):
    with app.test_request_context():
        assert QueueFilters().status.choices == list(labels.REQUEST_STATUS_LABELS.items())
        assert InboundStatusForm().status.choices == list(labels.INBOUND_STATUS_LABELS.items())
