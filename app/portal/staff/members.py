"""Members (accepted only), pending invitations and roles of an organization (permission `manage_members`)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.accounts import invitations, organizations
from app.extensions import db
from app.portal.refusals import attempt, attempt_then_redirect
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.portal.staff.forms import InvitationForm, MemberRoleForm, RoleForm, permission_names

MANAGE = organizations.MANAGE_MEMBERS


def _role_choices(org) -> list[tuple[str, str]]:
    return [(role.name, role.name) for role in db.session.scalars(organizations.roles_query(org))]


def _page(organization, user, invitation=None, role_form=None, status=200):
    invitation = invitation or InvitationForm(prefix="invite")
    invitation.role.choices = _role_choices(organization)
    return render_staff(
        "staff/members.html", organization, user, status,
        members=db.session.scalars(organizations.members_query(organization)).unique().all(),
        pending=db.session.scalars(invitations.pending_query(organization)).all(),
        roles=db.session.scalars(organizations.roles_query(organization)).all(),
        invitation=invitation, role_form=role_form or RoleForm(prefix="role"),
        role_choices=_role_choices(organization), all_permissions=permission_names())


@bp.get("/<org>/settings/members")
def members(org: str):
    organization, user = staff_page(org, MANAGE)
    return _page(organization, user)


@bp.post("/<org>/settings/members/invite")
def invite(org: str):
    organization, user = staff_page(org, MANAGE)
    form = InvitationForm(prefix="invite")
    form.role.choices = _role_choices(organization)
    if form.validate_on_submit():
        invited = attempt(lambda: organizations.invite(organization, user, form.email.data, form.role.data),
                          form, field="email")
        if invited:
            flash(_("We have emailed an invitation to %(email)s to join as %(role)s; they become a member when "
                    "they accept it.", email=invited.value.email, role=form.role.data))
            return redirect(url_for("staff.members", org=org))
    return _page(organization, user, invitation=form, status=422)


@bp.post("/<org>/settings/invitations/<int:invitation_id>/revoke")
def revoke_invitation(org: str, invitation_id: int):
    organization, user = staff_page(org, MANAGE)
    return attempt_then_redirect(lambda: invitations.revoke(organization, user, invitation_id),
                                 _("The invitation is withdrawn."), url_for("staff.members", org=org))


@bp.post("/<org>/settings/members/<int:user_id>/role")
def change_role(org: str, user_id: int):
    organization, user = staff_page(org, MANAGE)
    form = MemberRoleForm()
    form.role.choices = _role_choices(organization)
    if form.validate_on_submit() and attempt(lambda: organizations.change_member_role(organization, user, user_id, form.role.data)):
        flash(_("The role is changed."))
    return redirect(url_for("staff.members", org=org))


@bp.post("/<org>/settings/members/<int:user_id>/remove")
def remove_member(org: str, user_id: int):
    organization, user = staff_page(org, MANAGE)
    return attempt_then_redirect(lambda: organizations.remove_member(organization, user, user_id),
                                 _("The member is removed."), url_for("staff.members", org=org))


@bp.post("/<org>/settings/roles", defaults={"role_id": None})
@bp.post("/<org>/settings/roles/<int:role_id>")
def save_role(org: str, role_id: int | None):
    """Create a role, or rename one and replace its permissions (the checked boxes)."""
    organization, user = staff_page(org, MANAGE)
    form = RoleForm(prefix="role")
    if form.validate_on_submit():
        permissions = request.form.getlist("permissions")
        name = form.name.data.strip()
        if attempt(lambda: organizations.create_role(organization, user, name, permissions) if role_id is None
                   else organizations.update_role(organization, user, role_id, name, permissions)):
            flash(_("Role %(name)s saved.", name=form.name.data.strip()))
            return redirect(url_for("staff.members", org=org))
    elif form.errors:
        flash(" ".join(message for messages in form.errors.values() for message in messages), "error")
    return redirect(url_for("staff.members", org=org))
