"""Who is looking at a page. The rules themselves (permissions, roles) live in app.accounts
and app.api.auth; this module only asks them and turns a refusal into a page."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Membership, Organization, User
from app.api.auth import login_required, permissions_in, require_org_permission  # noqa: F401  (pages use it)
from app.extensions import db

SITE_ADMIN_PERMISSION = "manage_settings"


def staff_page(slug: str, permission: str) -> tuple[Organization, User]:
    """The organization and the member looking at it, or the login page / a 403 page."""
    return require_org_permission(slug, permission)


def staff_organizations(user: User | None) -> list[Organization]:
    """The organizations `user` is a member of, by name (the portal's organization switcher)."""
    if user is None:
        return []
    return list(db.session.scalars(
        select(Organization).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == user.id).order_by(Organization.name)
    ))


def is_site_admin(user: User | None) -> bool:
    """Superadmins, and members who may manage an organization's settings."""
    if user is None:
        return False
    if user.is_superadmin:
        return True
    return any(SITE_ADMIN_PERMISSION in permissions_in(user, org.id) for org in staff_organizations(user))


def viewer_permissions(user: User, organization: Organization) -> set[str]:
    """The permission names the viewer holds here: pages show only the actions they may take."""
    return permissions_in(user, organization.id)
