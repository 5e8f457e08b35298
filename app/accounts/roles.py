"""Permissions and organization roles as rows, kept in step with `permissions.py`."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organization, Permission, Role
from app.accounts.permissions import DEFAULT_ROLES, PERMISSIONS
from app.extensions import db


def ensure_permissions() -> dict[str, Permission]:
    """Create any missing Permission rows; return them by name."""
    existing = {p.name: p for p in db.session.scalars(select(Permission))}
    for name, description in PERMISSIONS.items():
        if name not in existing:
            existing[name] = Permission(name=name, description=description)
            db.session.add(existing[name])
    db.session.flush()
    return existing


def ensure_default_roles(org: Organization) -> dict[str, Role]:
    """Give `org` the default roles (admin, staff, viewer) if it lacks them."""
    permissions = ensure_permissions()
    roles = {r.name: r for r in db.session.scalars(select(Role).where(Role.organization_id == org.id))}
    for role_name, permission_names in DEFAULT_ROLES.items():
        if role_name not in roles:
            role = Role(organization_id=org.id, name=role_name)
            role.permissions = [permissions[name] for name in permission_names]
            db.session.add(role)
            roles[role_name] = role
    db.session.flush()
    return roles
