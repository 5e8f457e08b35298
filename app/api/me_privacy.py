"""/api/v1/me: take your data (GET /me/export) and leave (DELETE /me, POST /me/deletion-link)."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from app.api.auth import login_required, require_user
from app.api.responses import errors
from app.downloads import private_download
from app.privacy import export, service
from app.privacy.export import EXPORT_FILENAME
from app.privacy.schemas import DeleteAccountSchema
from app.requests.schemas import NoBodySchema

URL_PREFIX = "/me"
blp = Blueprint("me_privacy", __name__, description="Privacy: export your data, delete your account")


@blp.get("/export")
@login_required
@blp.response(200, content_type="application/zip", description="A ZIP of JSON files and your original files.")
@errors(blp, 401)
def export_my_data():
    """Everything about you: profile, aliases, requests, comments, photos, follows, watch areas
    (GeoJSON), notification log and the emails we sent you."""
    data = export.export_account(require_user(), where=f"api: {request.method} {request.path}")
    return private_download(data, EXPORT_FILENAME)


@blp.delete("")
@login_required
@blp.arguments(DeleteAccountSchema)
@blp.response(204)
@errors(blp, 401, 403, 409, 422)
def delete_me(body):
    """Delete your account: send `password`, or the `token` of the link POST /me/deletion-link emailed.

    Your personal data goes at once; your requests and public comments stay, by "a former
    resident". Members of an organization are refused (409) until removed from it."""
    service.delete_own_account(require_user(), password=body.get("password"), token=body.get("token"),
                               where=f"api: {request.method} {request.path}")


@blp.post("/deletion-link")
@login_required
@blp.arguments(NoBodySchema, required=False)
@blp.response(202)
@errors(blp, 401, 409, 422)
def deletion_link(_body):
    """Email yourself a link (valid for an hour) that confirms deleting your account."""
    service.request_deletion_link(require_user())
