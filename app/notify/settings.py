"""Organization settings of the engine: the switch per notification type, and per-category overrides."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.accounts.models import Organization
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.notify.audiences import AUDIENCES
from app.notify.channels import recipient_channels
from app.notify.matrix import (
    CRITICAL_ROWS,
    EVENT_TYPES,
    audience_refusal,
    critical_refusal,
    rules_for,
)
from app.notify.models import CategoryNotificationRule, OrganizationNotificationSettings
from app.requests.models import RequestCategory
from app.transactions import unit_of_work


def _settings_row(org: Organization, lock: bool = False) -> OrganizationNotificationSettings | None:
    return db.session.get(OrganizationNotificationSettings, org.id, with_for_update=lock)


def organization_settings(org: Organization) -> dict:
    row = _settings_row(org)
    disabled = set(row.disabled_kinds) if row else set()
    return {
        "events": [{"event": kind, "label": t.label, "enabled": kind not in disabled, "can_disable": t.switchable}
                   for kind, t in EVENT_TYPES.items()],
        "inbound_notice_to": row.inbound_notice_to if row else None,
        "inbound_notice_cc": row.inbound_notice_cc if row else None,
        "general_email": org.general_email,
    }


@unit_of_work()
def update_organization_settings(org: Organization, changes: dict) -> dict:
    """Apply {events: {kind: bool}, inbound_notice_to, inbound_notice_cc} (each optional) and commit."""
    row = _settings_row(org, lock=True)
    if row is None:
        row = OrganizationNotificationSettings(organization_id=org.id, disabled_kinds=[])
        db.session.add(row)
    disabled = set(row.disabled_kinds or [])
    for kind, enabled in (changes.get("events") or {}).items():
        if kind not in EVENT_TYPES:
            raise ValidationFailed(_("No notification type %(kind)s.", kind=repr(kind)), {"events": {kind: [_("Unknown event.")]}})
        if not enabled and not EVENT_TYPES[kind].switchable:
            why = (_("It is the critical automation: a new message notifies the request's followers.")
                   if any(kind == critical for critical, _a in CRITICAL_ROWS) else _("Cannot be disabled."))
            raise ValidationFailed(_("%(label)s emails cannot be turned off.", label=EVENT_TYPES[kind].label) + " " + why,
                                   {"events": {kind: [why]}})
        (disabled.discard if enabled else disabled.add)(kind)
    row.disabled_kinds = sorted(disabled)
    for key in ("inbound_notice_to", "inbound_notice_cc"):
        if key in changes:
            setattr(row, key, changes[key] or None)
    return organization_settings(org)


def _category(org: Organization, category_id: int) -> RequestCategory:
    category = db.session.scalar(select(RequestCategory).where(
        RequestCategory.id == category_id, RequestCategory.organization_id == org.id))
    if category is None:
        raise NotFound(_("No category %(category_id)s in %(slug)s.", category_id=category_id, slug=repr(org.slug)), {"category_id": category_id})
    return category


def category_rules(org: Organization, category_id: int) -> dict:
    """Every category-scoped cell of the matrix for this category: defaults and overrides."""
    category = _category(org, category_id)
    overrides = {(r.event_kind, r.audience): r.channels for r in db.session.scalars(
        select(CategoryNotificationRule).where(CategoryNotificationRule.category_id == category.id))}
    rules = []
    for kind, event_type in EVENT_TYPES.items():
        if not event_type.category_scoped:
            continue
        defaults = {rule.audience: list(rule.channels) for rule in rules_for(kind)}
        for audience in list(defaults) + [a for (k, a) in overrides if k == kind and a not in defaults]:
            default = defaults.get(audience, [])
            rules.append({"event": kind, "audience": audience, "default_channels": default,
                          "channels": list(overrides.get((kind, audience), default)),
                          "overridden": (kind, audience) in overrides})
    return {
        "category_id": category.id,
        "rules": rules,
        "audiences": [{"name": a.name, "label": a.label} for a in AUDIENCES.values()],
        "channels": list(recipient_channels()),
    }


def _refusal(override: dict) -> str | None:
    kind, audience, channels = override["event"], override["audience"], override["channels"]
    refusal = audience_refusal(kind, audience)
    if refusal:
        return refusal
    if not EVENT_TYPES[kind].category_scoped:
        return f"{kind} is not about a request: categories cannot change who receives it"
    critical = critical_refusal(kind, audience, channels)
    if critical:
        return critical
    unknown = [c for c in channels if c not in recipient_channels()]
    if unknown:
        return f"unknown channels {unknown}"
    if AUDIENCES[audience].addresses_only and any(not recipient_channels()[c].reaches_addresses for c in channels):
        return f"{audience} is a list of addresses: only {[n for n, c in recipient_channels().items() if c.reaches_addresses]}"
    return None


@unit_of_work()
def replace_category_overrides(org: Organization, category_id: int, overrides: list[dict]) -> dict:
    """Replace the category's overrides (channels [] turns a cell off) and commit; 422 says which and why."""
    category = _category(org, category_id)
    for index, override in enumerate(overrides):
        refusal = _refusal(override)
        if refusal:
            raise ValidationFailed(_("Override %(index)s: %(refusal)s.", index=index, refusal=refusal), {"overrides": {str(index): [refusal]}})
    db.session.execute(delete(CategoryNotificationRule).where(CategoryNotificationRule.category_id == category.id))
    db.session.add_all(CategoryNotificationRule(category_id=category.id, event_kind=o["event"],
                                                audience=o["audience"], channels=sorted(set(o["channels"])))
                       for o in {(o["event"], o["audience"]): o for o in overrides}.values())
    return category_rules(org, category_id)
