"""/api/v1/me: the caller's own account, and the other addresses it receives and sends from."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.accounts import service as accounts
from app.accounts.schemas import AliasSchema, EmailInSchema, OwnProfileSchema, ProfileUpdateSchema
from app.api.auth import login_required, require_user
from app.api.ratelimit import per_user

URL_PREFIX = "/me"
blp = Blueprint("me", __name__, description="Accounts: your own profile and email aliases")


@blp.get("")
@login_required
@blp.response(200, OwnProfileSchema)
@blp.alt_response(401, "UNAUTHORIZED")
def get_profile():
    """Your account, with your email, phone, aliases and organization roles."""
    return require_user()


@blp.patch("")
@login_required
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, OwnProfileSchema)
@blp.alt_response(401, "UNAUTHORIZED")
def update_profile(body):
    """Change your name or phone (only those: anything else is refused with 422)."""
    return accounts.update_profile(require_user(), body)


@blp.get("/aliases")
@login_required
@blp.response(200, AliasSchema(many=True))
@blp.alt_response(401, "UNAUTHORIZED")
def list_aliases():
    """Your other addresses; each is usable (for replies by email) once confirmed."""
    return accounts.aliases_of(require_user())


@blp.post("/aliases")
@login_required
@per_user("RATELIMIT_ALIASES")
@blp.arguments(EmailInSchema)
@blp.response(201, AliasSchema)
@blp.alt_response(401, "UNAUTHORIZED")
@blp.alt_response(409, "CONFLICT", description="The address is already yours or another account's.")
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def add_alias(body):
    """Add an address: we email it a confirm link (POST /auth/confirm with its token)."""
    return accounts.add_alias(require_user(), body["email"])


@blp.delete("/aliases")
@login_required
@blp.arguments(EmailInSchema, location="query")
@blp.response(204)
@blp.alt_response(401, "UNAUTHORIZED")
@blp.alt_response(404, "NOT_FOUND")
def remove_alias(args):
    """Remove one of your addresses: `DELETE /me/aliases?email=...`."""
    accounts.remove_alias(require_user(), args["email"])
