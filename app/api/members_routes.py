"""/api/v1/orgs/<org>: members, invitations and roles (permission `manage_members`)."""

from __future__ import annotations

from functools import wraps

from flask import jsonify
from flask_smorest import Blueprint

from app.accounts import invitations, organizations
from app.accounts.schemas import (
    InvitationInSchema,
    InvitationSchema,
    MemberInSchema,
    MemberRoleSchema,
    MemberSchema,
    PendingInvitationSchema,
    RoleInSchema,
    RoleSchema,
)
from app.api.auth import org_permission_required
from app.pagination import PaginationArgs, page_schema, paginate

URL_PREFIX = "/orgs/<org>"
blp = Blueprint("members", __name__, description="Organizations: members, invitations and roles")


def manage_members(view):
    """Only members holding `manage_members` (checked before the body is parsed), documented."""
    view = org_permission_required(organizations.MANAGE_MEMBERS)(view)
    for status, response in ((401, "UNAUTHORIZED"), (403, "FORBIDDEN"), (404, "NOT_FOUND")):
        view = blp.alt_response(status, response)(view)
    return view


def paged_list(path: str, item_schema):
    """A GET of one page of what the view's statement selects, as `item_schema` rows, for `manage_members`."""
    def register(statement_of):
        @wraps(statement_of)
        def view(args, org, actor):
            return paginate(statement_of(org), args["page"], args["per_page"])

        view = blp.response(200, page_schema(item_schema))(view)
        view = blp.arguments(PaginationArgs, location="query")(view)
        return blp.get(path)(manage_members(view))
    return register


@paged_list("/members", MemberSchema)
def list_members(org):
    """The organization's members and their roles, by name."""
    return organizations.members_query(org)


@blp.post("/members")
@manage_members
@blp.arguments(MemberInSchema)
@blp.response(202, InvitationSchema, description="The address is invited (the same answer whether or not "
              "an account holds it); it joins when its owner accepts.")
@blp.alt_response(200, schema=MemberSchema, success=True, description="A member's role (by user_id) was changed.")
@blp.alt_response(409, "CONFLICT", description="That would leave nobody who can manage members.")
@blp.alt_response(422, "UNPROCESSABLE_ENTITY", description="A user_id that is not a member: invite by email.")
def add_member(body, org, actor):
    """Invite an address (`email`) to join; or change an existing member's role (`user_id`).

    Nobody joins without accepting: a user_id that is not a member is refused (422)."""
    if "email" in body:
        return {"invitation": organizations.invite(org, actor, body["email"], body["role"])}, 202
    changed = organizations.add_member(org, actor, body["user_id"], body["role"])
    return jsonify(MemberSchema().dump(changed))  # a Response: not serialized as the 202 schema


@blp.patch("/members/<int:user_id>")
@manage_members
@blp.arguments(MemberRoleSchema)
@blp.response(200, MemberSchema)
@blp.alt_response(409, "CONFLICT", description="That would leave nobody who can manage members.")
def change_member(body, org, actor, user_id):
    """Change a member's role."""
    return organizations.change_member_role(org, actor, user_id, body["role"])


@blp.delete("/members/<int:user_id>")
@manage_members
@blp.response(204)
@blp.alt_response(409, "CONFLICT", description="That would leave nobody who can manage members.")
def remove_member(org, actor, user_id):
    """Take a member out of the organization (their account stays)."""
    organizations.remove_member(org, actor, user_id)


@blp.post("/invitations")
@manage_members
@blp.arguments(InvitationInSchema)
@blp.response(202, InvitationSchema)
def invite(body, org, actor):
    """Invite an address to join: it is emailed a link to accept (after logging in, or registering).

    The answer is the same whether or not an account holds the address."""
    return {"invitation": organizations.invite(org, actor, body["email"], body["role"])}


@paged_list("/invitations", PendingInvitationSchema)
def list_invitations(org):
    """Invitations not yet accepted, declined or withdrawn (the address as typed), newest first."""
    return invitations.pending_query(org)


@blp.delete("/invitations/<int:invitation_id>")
@manage_members
@blp.response(204)
def revoke_invitation(org, actor, invitation_id):
    """Withdraw an open invitation: its link stops working."""
    invitations.revoke(org, actor, invitation_id)


@paged_list("/roles", RoleSchema)
def list_roles(org):
    """The organization's roles and the permissions each grants."""
    return organizations.roles_query(org)


@blp.post("/roles")
@manage_members
@blp.arguments(RoleInSchema)
@blp.response(201, RoleSchema)
@blp.alt_response(409, "CONFLICT", description="The name is taken.")
def create_role(body, org, actor):
    """Create a role from permission names."""
    return organizations.create_role(org, actor, body["name"], body["permissions"])


@blp.put("/roles/<int:role_id>")
@manage_members
@blp.arguments(RoleInSchema)
@blp.response(200, RoleSchema)
@blp.alt_response(409, "CONFLICT", description="The name is taken, or nobody could manage members any more.")
def replace_role(body, org, actor, role_id):
    """Rename a role and replace its permissions."""
    return organizations.update_role(org, actor, role_id, body["name"], body["permissions"])
