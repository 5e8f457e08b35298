"""Webhooks: one delivery row per (enabled endpoint of the organization that wants the kind, event).

Unlike inapp and email this channel reaches systems, not people: it reads no audience, no
preference and no matrix row, only the organization's endpoints (app/notify/webhooks/),
so it is written whatever the event's rules are, audit-only kinds included. The rows are
sent by the `webhooks` queue's own actor.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlalchemy import String, any_, literal, select
from sqlalchemy.dialects.postgresql import insert

from app.notify.channels import Channel, register
from app.notify.webhooks.actors import (
    deliver_webhooks,  # declared with the channel, so every worker knows it
)

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _statement():
    from app.compiled import CompiledStatement

    return CompiledStatement(_insert())


def _insert():
    from app.notify.audiences import ORGANIZATION_ID
    from app.notify.statements import CLAIMED, EVENT_ID, KIND
    from app.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus

    endpoints = WebhookEndpoint.__table__
    rows = select(endpoints.c.id, EVENT_ID, KIND, literal(WebhookStatus.PENDING.value, String)).where(
        endpoints.c.organization_id == ORGANIZATION_ID, endpoints.c.enabled.is_(True),
        any_(endpoints.c.event_kinds) == KIND, CLAIMED)
    return (insert(WebhookDelivery.__table__)
            .from_select(["endpoint_id", "event_id", "kind", "status"], rows, include_defaults=False)
            .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"]))


class WebhookChannel(Channel):
    name = "webhook"
    label = "Webhooks"
    per_recipient = False  # not a choice in anyone's preferences or in the matrix
    order = 30

    def statement_for(self, plan):
        return _statement()

    def after_commit(self, plan, inserted: int) -> None:
        if not inserted:
            return
        try:
            deliver_webhooks.send()
        except Exception:
            log.exception("could not wake the webhook actor for event %s; the sweep will", plan.ctx.event_id)


register(WebhookChannel())
