"""What the account endpoints accept, and what each audience sees of an account.

Audiences: `OwnProfileSchema` is the caller's own account (email, phone, aliases);
`PublicUserSchema` ({id, name}) is everyone else's view of a person, for every area to reuse;
`MemberSchema` is the member-management view, which shows a person only through
`PublicUserSchema` as well. Input schemas reject unknown fields (marshmallow's RAISE).
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, password_problem
from app.accounts.permissions import PERMISSIONS
from app.inputs import InputSchema
from app.serialization import FastDump

EMAIL_MAX_LENGTH = 254


class Trimmed(ma.fields.String):
    """A string with surrounding whitespace removed before it is validated."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class SortedStrings(ma.fields.List):
    """A list of names, always in the same order."""

    def __init__(self, **kwargs):
        super().__init__(ma.fields.String(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return sorted(super()._serialize(value, attr, obj, **kwargs) or [])


def _password_policy(value: str) -> None:
    problem = password_problem(value)
    if problem:
        raise ma.ValidationError(problem)


def email_field(**kwargs) -> ma.fields.Email:
    return ma.fields.Email(validate=ma.validate.Length(max=EMAIL_MAX_LENGTH), **kwargs)


def password_field() -> ma.fields.String:
    return ma.fields.String(required=True, validate=_password_policy, load_only=True,
                            metadata={"minLength": PASSWORD_MIN_LENGTH, "maxLength": PASSWORD_MAX_LENGTH})


def name_field(**kwargs) -> Trimmed:
    return Trimmed(validate=ma.validate.Length(min=1, max=200), **kwargs)


# -- input ----------------------------------------------------------------------------------

class LoginSchema(InputSchema):
    email = ma.fields.Email(required=True)
    # No policy here: an old password that predates the policy must still log in.
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=1024))
    token_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))


def locale_field(**kwargs) -> ma.fields.String:
    """A language the product speaks (`en`, `es`); the pages and emails use it."""
    from app.i18n import LANGUAGES

    return ma.fields.String(validate=ma.validate.OneOf(LANGUAGES), **kwargs)


class RegisterSchema(InputSchema):
    email = email_field(required=True)
    password = password_field()
    name = name_field(required=True)
    locale = locale_field(load_default=None, allow_none=True)


class TokenInSchema(InputSchema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))


class EmailInSchema(InputSchema):
    email = email_field(required=True)


class PasswordResetSchema(InputSchema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))
    password = password_field()


class ProfileUpdateSchema(InputSchema):
    """The only writable parts of one's own account; the email changes through aliases, never here."""

    name = name_field()
    phone = Trimmed(allow_none=True, validate=ma.validate.Regexp(
        r"^\+?[0-9][0-9 ().\-]{2,38}$", error=_l("Use digits, spaces, ( ) . - and an optional leading +.")))
    locale = locale_field(allow_none=True)


class MemberInSchema(InputSchema):
    """By `email`: an invitation (the only way to join); by `user_id`: an existing member's role."""

    user_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    email = email_field()
    role = Trimmed(required=True, validate=ma.validate.Length(min=1, max=64))

    @ma.validates_schema
    def _one_of(self, data, **kwargs):
        if ("user_id" in data) == ("email" in data):
            raise ma.ValidationError(_("Give the address to invite (email), or a member's user_id."), "email")


class MemberRoleSchema(InputSchema):
    role = Trimmed(required=True, validate=ma.validate.Length(min=1, max=64))


class InvitationInSchema(InputSchema):
    email = email_field(required=True)
    name = name_field(load_default=None)
    role = Trimmed(required=True, validate=ma.validate.Length(min=1, max=64))


class RoleInSchema(InputSchema):
    name = Trimmed(required=True, validate=ma.validate.Length(min=1, max=64))
    permissions = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(PERMISSIONS))),
                                 required=True)


# -- output ---------------------------------------------------------------------------------

class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True)
    user_id = ma.fields.Integer(required=True)


class AcceptedSchema(ma.Schema):
    """The one answer to forgot-password and resend-confirmation, whatever the address."""

    message = ma.fields.String(required=True)


class ConfirmedSchema(ma.Schema):
    email = ma.fields.String(required=True)
    primary = ma.fields.Boolean(required=True, metadata={"description": "the account's address, not an alias"})


class PublicUserSchema(ma.Schema):
    """A person as anyone else sees them: never an email address or a phone number."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class AliasSchema(ma.Schema):
    email = ma.fields.String(required=True)
    confirmed = ma.fields.Boolean(required=True, metadata={"description": "usable only once true"})
    created_at = ma.fields.DateTime(required=True)


class OrganizationRefSchema(FastDump, ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class OwnMembershipSchema(ma.Schema):
    organization = ma.fields.Nested(OrganizationRefSchema, required=True)
    role = ma.fields.String(required=True, attribute="role.name")
    permissions = SortedStrings(required=True, attribute="role.permission_names")


class RegisteredSchema(ma.Schema):
    """The answer to a registration: the same whether or not the address already had an account."""

    email = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class OwnProfileSchema(ma.Schema):
    """The caller's own account."""

    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    phone = ma.fields.String(allow_none=True)
    locale = ma.fields.String(allow_none=True, metadata={"description": "Language of pages and emails; null: the browser's"})
    confirmed = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    aliases = ma.fields.List(ma.fields.Nested(AliasSchema), required=True)
    organizations = ma.fields.List(ma.fields.Nested(OwnMembershipSchema), required=True,
                                   attribute="memberships")


class MemberSchema(ma.Schema):
    user = ma.fields.Nested(PublicUserSchema, required=True)
    role = ma.fields.String(required=True, attribute="role.name")
    role_id = ma.fields.Integer(required=True)
    joined_at = ma.fields.DateTime(required=True, attribute="created_at")


class PendingInvitationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True, attribute="role.name")
    status = ma.fields.Function(lambda invitation: "pending", required=True)
    sent_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(required=True)


class InvitationSchema(ma.Schema):
    """The answer to an invitation: the same whether or not an account holds the address."""

    invitation = ma.fields.Nested(PendingInvitationSchema, required=True)


class RoleSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    permissions = SortedStrings(required=True, attribute="permission_names")
