"""/api/v1/requests: report, read, follow, comment on and photograph requests.

`{request_id}` is the request's numeric `id`; `public_id` is for people and email addresses
(`request-<public_id>@`), not for URLs of this API. What a response shows depends on the
caller: the public, the reporter, or staff of the request's organization (see RequestSchema).
"""

from __future__ import annotations

import os

from flask import jsonify, send_file
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.auth import current_user, identified_as, require_user, unidentified_bearer_token
from app.api.paths import BIGINT_ID
from app.api.responses import errors
from app.errors import NotFound
from app.notify import receipts
from app.notify.receipt_schemas import CommentDeliveriesSchema
from app.pagination import PaginationArgs, page_schema
from app.requests import detail, duplicates, queries, service
from app.requests.duplicate_schemas import NearbyArgsSchema, NearbySchema, SupportStateSchema
from app.requests.policy import viewer_of
from app.requests.schemas import (
    CloseSchema,
    CommentCreateSchema,
    CommentSchema,
    FollowStateSchema,
    PhotoSchema,
    PhotoUploadSchema,
    ReopenSchema,
    RequestFiltersSchema,
    RequestSchema,
    RequestSubmitSchema,
    TimelineEntrySchema,
)
from app.requests.service import MAX_PHOTO_BYTES
from app.transactions import reads_outside_transaction

URL_PREFIX = "/requests"
blp = Blueprint("requests", __name__, description="Service requests: report, follow, comment, close and reopen")


def _request_and_audience(request_id: int):
    request = service.get_request(request_id)
    return request, viewer_of(current_user(), request).audience


@blp.get("")
@blp.arguments(RequestFiltersSchema, location="query")
@blp.response(200, page_schema(RequestSchema, "RequestPageSchema"))
@errors(blp, 401)
def list_requests(filters):
    """Requests anywhere, newest change first; public data only. `mine=true` needs a login."""
    if filters.pop("mine"):
        filters["reporter_id"] = require_user().id
    return queries.list_requests(filters)


@blp.post("")
@blp.arguments(RequestSubmitSchema)
@blp.response(201, RequestSchema)
@errors(blp, 401)
def submit(body):
    """Report a problem at a point inside the category's organization's service boundary."""
    user = current_user()
    return queries.request_view(service.submit(user, **body), user)


@blp.get("/nearby")
@blp.arguments(NearbyArgsSchema, location="query")
@blp.response(200, NearbySchema)
@errors(blp)
def nearby(args):
    """Open requests of the category near the point (within its duplicate distance): "Is it one of these?"."""
    return duplicates.nearby(args["lat"], args["lng"], args["category_id"])


@blp.get(f"/<{BIGINT_ID}:request_id>")
@blp.response(200, RequestSchema)
@errors(blp, 404)
def get_request(request_id):
    """One request, as the caller may see it, with what the caller may do to it."""
    # The answer is RequestSchema's, written by app/requests/detail.py (not dumped again here).
    token = unidentified_bearer_token()
    read = None if token is None else detail.answer_for_token(request_id, token)
    if read is None:  # identified already, a browser session, anonymous, or no such request (then 404)
        return jsonify(_answer_for_current_user(request_id))
    answer, caller = read
    identified_as(caller)  # one round trip: the caller was found by the read itself
    return jsonify(answer)


@reads_outside_transaction
def _answer_for_current_user(request_id: int) -> dict:
    return detail.answer(request_id, current_user())


@blp.get(f"/<{BIGINT_ID}:request_id>/timeline")
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, page_schema(TimelineEntrySchema, "TimelinePageSchema"))
@errors(blp, 404)
def timeline(args, request_id):
    """The request's events and comments, oldest first; internal ones only for its staff."""
    return queries.timeline_page(*_request_and_audience(request_id), **args)


@blp.get(f"/<{BIGINT_ID}:request_id>/comments")
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, page_schema(CommentSchema, "CommentPageSchema"))
@errors(blp, 404)
def list_comments(args, request_id):
    """Comments, oldest first; internal comments only for staff of the request's organization."""
    return queries.comments_page(*_request_and_audience(request_id), **args)


@blp.post(f"/<{BIGINT_ID}:request_id>/comments")
@blp.arguments(CommentCreateSchema)
@blp.response(201, CommentSchema)
@errors(blp, 401, 403, 404, 409)
def add_comment(body, request_id):
    """Comment publicly, or (staff of the organization) internally with "visibility": "internal"."""
    return service.add_comment(request_id, current_user(), body["body"], body["visibility"])


@blp.post(f"/<{BIGINT_ID}:request_id>/follow")
@blp.response(200, FollowStateSchema)
@errors(blp, 401, 404, 409)
def follow(request_id):
    """Follow the request: its updates reach you. Following twice is harmless."""
    service.follow(request_id, current_user())
    return {"following": True}


@blp.delete(f"/<{BIGINT_ID}:request_id>/follow")
@blp.response(200, FollowStateSchema)
@errors(blp, 401, 404)
def unfollow(request_id):
    """Stop following the request."""
    service.unfollow(request_id, current_user())
    return {"following": False}


@blp.post(f"/<{BIGINT_ID}:request_id>/attachments")
@blp.arguments(PhotoUploadSchema, location="files")
@blp.response(201, PhotoSchema)
@errors(blp, 401, 403, 404, 409, 413, 415)
def add_photo(files, request_id):
    """Add a photo (multipart field `file`; type judged by content; at most 5 per request)."""
    upload = files["file"]
    return service.add_photo(request_id, current_user(), upload.read(MAX_PHOTO_BYTES + 1), upload.filename)


@blp.get(f"/<{BIGINT_ID}:request_id>/attachments/<{BIGINT_ID}:attachment_id>")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream",
              description="The file, with its own content type (an image).")
@errors(blp, 404)
def get_photo(request_id, attachment_id):
    """One photo of the request."""
    request, audience = _request_and_audience(request_id)
    attachment = queries.photo(request, attachment_id, audience)
    if attachment is None:
        raise NotFound(_("No attachment %(attachment_id)s on request %(request_id)s.", attachment_id=attachment_id, request_id=request_id), {"attachment_id": attachment_id})
    # abspath: rows stored before paths were absolute hold one relative to the working directory.
    response = send_file(os.path.abspath(attachment.storage_path), mimetype=attachment.content_type,
                         download_name=attachment.filename, conditional=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.post(f"/<{BIGINT_ID}:request_id>/close")
@blp.arguments(CloseSchema, required=False)
@blp.response(200, RequestSchema)
@errors(blp, 401, 403, 404, 409)
def close(body, request_id):
    """Close the request (its reporter, as the category allows), optionally with a public comment."""
    user = current_user()
    return queries.request_view(service.close(request_id, user, body.get("comment")), user)


@blp.post(f"/<{BIGINT_ID}:request_id>/reopen")
@blp.arguments(ReopenSchema, required=False)
@blp.response(200, RequestSchema)
@errors(blp, 401, 403, 404, 409)
def reopen(body, request_id):
    """Reopen a closed request (its reporter, as the category allows), optionally saying why (a public comment)."""
    user = current_user()
    return queries.request_view(service.reopen(request_id, user, body.get("comment")), user)


@blp.get(f"/<{BIGINT_ID}:request_id>/comments/<{BIGINT_ID}:comment_id>/deliveries")
@blp.response(200, CommentDeliveriesSchema)
@errors(blp, 401, 403, 404)
def comment_deliveries(request_id, comment_id):
    """Staff: who was told of the comment, who saw it in the app and when, who was emailed and the SMTP reply."""
    return receipts.comment_deliveries(request_id, comment_id, current_user())


@blp.post(f"/<{BIGINT_ID}:request_id>/support")
@blp.response(200, SupportStateSchema)
@errors(blp, 401, 403, 404, 409)
def support(request_id):
    """Say "me too" (once per person; you follow it too); the count is public."""
    request = duplicates.support(request_id, current_user())
    return {"supporting": True, "support_count": request.support_count}


@blp.delete(f"/<{BIGINT_ID}:request_id>/support")
@blp.response(200, SupportStateSchema)
@errors(blp, 401, 404)
def unsupport(request_id):
    """Take your "me too" back."""
    request = duplicates.unsupport(request_id, current_user())
    return {"supporting": False, "support_count": request.support_count}
