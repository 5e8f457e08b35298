"""Who is looking at a page. The rules themselves (permissions, roles) live in app.accounts
and app.api.auth; this module only asks them and turns a refusal into a page."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Membership, Organization, User
from app.api.auth import login_required, permissions_in, require_org_permission  # noqa: F401  (pages use it)
from app.extensions import db


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


def is_platform_operator(user: User | None) -> bool:
    """The platform's operators (`flask users create-admin` without --org), and nobody else.

    An organization's admin runs one organization; platform-wide things (the dev mail sink,
    with every organization's reset links and tokens) are for operators only.
    """
    return user is not None and bool(user.is_superadmin)


def viewer_permissions(user: User, organization: Organization) -> set[str]:
    """The permission names the viewer holds here: pages show only the actions they may take."""
    return permissions_in(user, organization.id)
