"""The staff portal at `/staff/<org>`: dashboard, request queue and pages, inbound messages,
work orders, organization settings and the email log. One blueprint (`blueprint.py`); each area
one module, adding its routes to it."""

from __future__ import annotations

from app.portal.staff import (  # noqa: F401  (each adds its routes to the blueprint)
    automations,
    categories,
    dashboard,
    email,
    inbound,
    members,
    privacy,
    requests,
    sso,
    statistics,
    work,
)
from app.portal.staff.blueprint import bp  # noqa: F401  (registered by app/portal/__init__.py)
