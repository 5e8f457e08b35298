"""Organization rules: members, invitations and roles.

Accounts join only by accepting an invitation (app/accounts/invitations.py).

The HTTP layer checks that the caller holds `manage_members` in the organization; these
functions keep the organization manageable: at least one member always holds that
permission. Each change locks the organization row first, so two admins demoting each other
at the same moment cannot both succeed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts import invitations
from app.accounts.models import (
    Membership,
    Organization,
    OrganizationInvitation,
    Permission,
    Role,
    User,
    role_permissions,
)
from app.accounts.roles import ensure_permissions
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.transactions import unit_of_work

MANAGE_MEMBERS = "manage_members"


def members_query(org: Organization):
    """The organization's memberships, by member name, with user and role loaded."""
    return (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org.id)
        .options(joinedload(Membership.user), joinedload(Membership.role))
        .order_by(User.name, User.id)
    )


def roles_query(org: Organization):
    return select(Role).where(Role.organization_id == org.id).order_by(Role.name, Role.id)


def add_member(org: Organization, actor: User, user_id: int, role_name: str) -> Membership:
    """Change a member's role by id; an account that is not a member joins only by invitation (422)."""
    with unit_of_work():
        _lock(org)
        role = _role_named(org, role_name)
        membership = _membership(org, user_id)
        if membership is None:
            invitations.refuse_by_id()  # the same answer for any id: no account is revealed or added
        _change_role(org, actor, membership, role)
    return membership


def invite(org: Organization, actor: User, email: str, role_name: str) -> OrganizationInvitation:
    """Invite an address to join as `role_name` (app/accounts/invitations.py); nobody joins until they accept."""
    return invitations.invite(org, actor, email, _role_named(org, role_name))


def change_member_role(org: Organization, actor: User, user_id: int, role_name: str) -> Membership:
    with unit_of_work():
        _lock(org)
        membership = _membership_or_404(org, user_id)
        _change_role(org, actor, membership, _role_named(org, role_name))
    return membership


def remove_member(org: Organization, actor: User, user_id: int) -> None:
    """Take a member out of `org` (never the last one who can manage members)."""
    with unit_of_work():
        _lock(org)
        membership = _membership_or_404(org, user_id)
        if MANAGE_MEMBERS in membership.role.permission_names:
            _keep_a_manager(org, user_id=user_id)
        record_event("membership.removed", organization_id=org.id, actor=actor,
                     payload={"user_id": user_id, "previous_role": membership.role.name})
        db.session.delete(membership)


def create_role(org: Organization, actor: User, name: str, permissions: list[str]) -> Role:
    with unit_of_work():
        _lock(org)
        _name_free(org, name)
        role = Role(organization_id=org.id, name=name, permissions=_permissions(permissions))
        db.session.add(role)
        db.session.flush()
        _record_role(org, actor, role, created=True)
    return role


def update_role(org: Organization, actor: User, role_id: int, name: str, permissions: list[str]) -> Role:
    """Rename a role and replace its permissions (never leaving nobody able to manage members)."""
    with unit_of_work():
        _lock(org)
        role = db.session.scalar(select(Role).where(Role.id == role_id, Role.organization_id == org.id))
        if role is None:
            raise NotFound(_("No such role in this organization."), {"role_id": role_id})
        if name != role.name:
            _name_free(org, name)
        if MANAGE_MEMBERS in role.permission_names and MANAGE_MEMBERS not in permissions:
            _keep_a_manager(org, role_id=role.id)
        role.name = name
        role.permissions = _permissions(permissions)
        _record_role(org, actor, role, created=False)
    return role


def _lock(org: Organization) -> None:
    db.session.execute(select(Organization.id).where(Organization.id == org.id).with_for_update())


def _membership(org: Organization, user_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.organization_id == org.id, Membership.user_id == user_id))


def _membership_or_404(org: Organization, user_id: int) -> Membership:
    membership = _membership(org, user_id)
    if membership is None:
        raise NotFound(_("No such member in this organization."), {"user_id": user_id})
    return membership


def _role_named(org: Organization, name: str) -> Role:
    role = db.session.scalar(select(Role).where(Role.organization_id == org.id, Role.name == name))
    if role is None:
        raise ValidationFailed(_("No role %(name)s in this organization.", name=repr(name)),
                               {"json": {"role": [_("No role %(name)s in this organization.", name=repr(name))]}})
    return role


def _name_free(org: Organization, name: str) -> None:
    if db.session.scalar(select(Role.id).where(Role.organization_id == org.id, Role.name == name)):
        raise Conflict(_("This organization already has a role named %(name)s.", name=repr(name)),
                       {"json": {"name": [_("Already taken.")]}})


def _permissions(names: list[str]) -> list[Permission]:
    known = ensure_permissions()
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValidationFailed(_("Unknown permissions: %(names)s", names=", ".join(unknown)),
                               {"json": {"permissions": [_("Unknown permission %(name)s.", name=repr(n))
                                                         for n in unknown]}})
    return [known[name] for name in sorted(set(names))]


def _managers_besides(org: Organization, *, user_id: int | None = None, role_id: int | None = None) -> int:
    """Members holding `manage_members`, not counting `user_id` nor the holders of role `role_id`."""
    query = (
        select(func.count(Membership.id))
        .join(role_permissions, role_permissions.c.role_id == Membership.role_id)
        .join(Permission, Permission.id == role_permissions.c.permission_id)
        .where(Membership.organization_id == org.id, Permission.name == MANAGE_MEMBERS)
    )
    if user_id is not None:
        query = query.where(Membership.user_id != user_id)
    if role_id is not None:
        query = query.where(Membership.role_id != role_id)
    return db.session.scalar(query)


def _keep_a_manager(org: Organization, **excluding) -> None:
    if _managers_besides(org, **excluding) == 0:
        raise Conflict(_("That would leave nobody who can manage this organization's members."),
                       {"permission": MANAGE_MEMBERS})


def _change_role(org: Organization, actor: User, membership: Membership, role: Role) -> None:
    previous = membership.role
    if previous.id == role.id:
        return
    if MANAGE_MEMBERS in previous.permission_names and MANAGE_MEMBERS not in role.permission_names:
        _keep_a_manager(org, user_id=membership.user_id)
    membership.role = role
    record_event("membership.role_changed", organization_id=org.id, actor=actor,
                 payload={"user_id": membership.user_id, "role": role.name, "previous_role": previous.name})


def _record_role(org: Organization, actor: User, role: Role, *, created: bool) -> None:
    db.session.flush()
    record_event("role.saved", organization_id=org.id, actor=actor, payload={
        "role_id": role.id, "name": role.name, "permissions": sorted(role.permission_names), "created": created})
