"""/api/v1/orgs/{org}/api-keys: Open311 API keys, issued and revoked by organization admins."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from app.api.auth import require_org_permission
from app.open311 import keys
from app.pagination import PaginationArgs, page_schema, paginate

URL_PREFIX = "/orgs/<org>/api-keys"
PERMISSION = "manage_settings"
blp = Blueprint("api_keys", __name__, description="Open311 API keys of an organization")


class ApiKeySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    created_by_id = ma.fields.Integer(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    revoked_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    last_used_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class IssuedApiKeySchema(ApiKeySchema):
    key = ma.fields.String(dump_only=True, attribute="plaintext",
                           metadata={"description": "The key itself: shown only in this answer."})


@blp.get("")
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, page_schema(ApiKeySchema))
def list_keys(paging, org):
    """Every key of the organization, newest first, revoked ones included."""
    organization, _ = require_org_permission(org, PERMISSION)
    return paginate(keys.organization_keys(organization), paging["page"], paging["per_page"])


@blp.post("")
@blp.arguments(ApiKeySchema)
@blp.response(201, IssuedApiKeySchema)
def issue_key(body, org):
    """Issue a key for an Open311 client; the plaintext key is in this answer and nowhere else."""
    organization, user = require_org_permission(org, PERMISSION)
    key, plaintext = keys.issue_api_key(organization, user, body["name"])
    key.plaintext = plaintext  # on this object only: never stored
    return key


@blp.delete("/<int:key_id>")
@blp.response(204)
def revoke_key(org, key_id):
    """Revoke a key: Open311 posts with it are refused from now on."""
    organization, _ = require_org_permission(org, PERMISSION)
    keys.revoke_api_key(organization, key_id)
