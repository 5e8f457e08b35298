"""/api/v1/orgs/{org}/sso: the organization's OpenID Connect settings (staff sign in at /staff/<org>/sso/login)."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.accounts import sso
from app.api.auth import require_org_permission
from app.api.inputs import InputSchema
from app.errors import NotFound

URL_PREFIX = "/orgs/<org>/sso"
PERMISSION = "manage_settings"
blp = Blueprint("sso", __name__, description="Staff single sign-on (OpenID Connect) of an organization")


class SsoInputSchema(InputSchema):
    issuer = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                              metadata={"description": "The provider's issuer URL (https; http only on loopback)."})
    client_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    client_secret = ma.fields.String(validate=ma.validate.Length(min=1, max=2000),
                                     metadata={"description": "Write-only; leave out to keep the stored one."})
    allowed_domains = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=253)), load_default=list,
                                     metadata={"description": "Email domains that may sign in (empty: any)."})
    allow_new_accounts = ma.fields.Boolean(load_default=False, metadata={
        "description": "A verified address that is no member yet becomes one (with new_member_role)."})
    new_member_role = ma.fields.String(load_default="staff", validate=ma.validate.Length(min=1, max=64))
    enabled = ma.fields.Boolean(load_default=True)


class SsoSchema(ma.Schema):
    issuer = ma.fields.String(required=True)
    client_id = ma.fields.String(required=True)
    client_secret_set = ma.fields.Function(lambda s: bool(s.client_secret), required=True)
    allowed_domains = ma.fields.List(ma.fields.String(), required=True)
    allow_new_accounts = ma.fields.Boolean(required=True)
    new_member_role = ma.fields.String(required=True)
    enabled = ma.fields.Boolean(required=True)
    login_url = ma.fields.Function(lambda s: url_for("staff.sso_login", org=s.organization_slug, _external=True),
                                   required=True)
    redirect_uri = ma.fields.Function(
        lambda s: url_for("staff.sso_callback", org=s.organization_slug, _external=True), required=True,
        metadata={"description": "Register this redirect URI with the provider."})
    updated_at = ma.fields.DateTime(required=True)


def _dumpable(settings, organization):
    settings.organization_slug = organization.slug  # for the URLs, on this object only
    return settings


@blp.get("")
@blp.response(200, SsoSchema)
def get_sso(org):
    """The organization's settings (the client secret is never shown)."""
    organization, _member = require_org_permission(org, PERMISSION)
    settings = sso.settings_for(organization)
    if settings is None:
        raise NotFound(_("%(name)s has no single sign-on yet.", name=organization.name), {"org": org})
    return _dumpable(settings, organization)


@blp.put("")
@blp.arguments(SsoInputSchema)
@blp.response(200, SsoSchema)
def put_sso(body, org):
    """Set the provider, the allowed email domains and whether unknown addresses may become members."""
    organization, _member = require_org_permission(org, PERMISSION)
    settings = sso.save_settings(organization, **body)
    return _dumpable(settings, organization)
