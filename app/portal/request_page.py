"""A request's public page: details, photos, timeline, and what the viewer may do to it.

What the viewer sees and may do comes from app.requests (queries.request_view: audience and
allowed actions; queries.timeline_page: the entries for that audience). Each action posts to
the same service function as the API.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.api.auth import current_user, require_user
from app.errors import NotFound
from app.notify import receipts
from app.portal.access import login_required
from app.portal.forms import ActionForm, CloseForm, CommentForm, ReopenForm
from app.portal.labels import REQUEST_STATUS_LABELS
from app.portal.refusals import attempt
from app.portal.resident_blueprint import bp
from app.portal.timeline import lines
from app.requests import duplicates, queries, service
from app.requests.models import CommentSource
from app.requests.policy import Audience, viewer_of

TIMELINE_LENGTH = 100  # the newest entries beyond this are on the API's paginated timeline


def request_context(request_id: int, *, comment_form=None, close_form=None, reopen_form=None) -> dict:
    """Everything a request page shows, as the current user may see it."""
    user = current_user()
    row = service.get_request(request_id)
    view = queries.request_view(row, user)
    audience = viewer_of(user, row).audience
    entries = queries.timeline_page(row, audience, 1, TIMELINE_LENGTH)["items"]
    # A resident sees on their own comments whether staff have seen them (OneDesk's receipts).
    own = [e.comment.id for e in entries if e.comment is not None and user is not None
           and e.comment.author_id == user.id] if audience is not Audience.STAFF else []
    return {
        "own_comment_ids": set(own),
        "staff_seen": receipts.seen_by_staff(row.id, row.organization_id, own) if own else {},
        "req": view, "actions": set(view.viewer["actions"]), "following": view.viewer["following"],
        "timeline": lines(entries, row.organization.timezone), "org": row.organization,
        "category": row.category, "status_labels": REQUEST_STATUS_LABELS,
        "comment_form": comment_form or CommentForm(), "close_form": close_form or CloseForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "action_form": ActionForm(), "is_staff": audience is Audience.STAFF,
        "point": {"lat": view.lat, "lng": view.lng, "status": view.status, "title": view.public_id},
    }


@bp.get("/requests/<public_id>")
def request_page(public_id: str):
    """The address emails link to (app/links.py); the numeric id answers too, for older links."""
    row = service.find_by_public_id(public_id)
    if row is None and not public_id.isdigit():
        raise NotFound(_("No request %(public_id)s.", public_id=public_id), {"public_id": public_id})
    request_id = row.id if row is not None else int(public_id)
    return render_template("resident/request.html", **request_context(request_id))


def _back_to_page(request_id: int):
    return redirect(url_for("resident.request_page", public_id=service.get_request(request_id).public_id))


def _done(request_id: int, message: str):
    flash(message)
    return _back_to_page(request_id)


def _act(request_id: int, perform, done: str):
    """Run one action on the request and come back to its page, saying what happened or why not."""
    if attempt(perform):
        flash(done)
    return _back_to_page(request_id)


@bp.post("/requests/<int:request_id>/comments")
@login_required
def comment(request_id: int):
    form = CommentForm()
    if not form.validate_on_submit():
        return render_template("resident/request.html", **request_context(request_id, comment_form=form)), 422
    visibility = "internal" if form.internal.data else "public"
    return _act(request_id,
                lambda: service.add_comment(request_id, require_user(), form.body.data, visibility,
                                            source=CommentSource.WEB),
                _("Your internal note is added.") if visibility == "internal" else _("Your comment is posted."))


@bp.post("/requests/<int:request_id>/follow")
@login_required
def follow(request_id: int):
    return _act(request_id, lambda: service.follow(request_id, require_user()),
                _("You follow this request: its updates will reach you."))


@bp.post("/requests/<int:request_id>/support")
@login_required
def support(request_id: int):
    """ "Me too" (also what choosing a request under "Is it one of these?" on the report page does)."""
    return _act(request_id, lambda: duplicates.support(request_id, require_user()),
                _("Thank you: your support is counted, and you follow this request."))


@bp.post("/requests/<int:request_id>/unsupport")
@login_required
def unsupport(request_id: int):
    duplicates.unsupport(request_id, require_user())
    return _done(request_id, _("Your support is taken back."))


@bp.post("/requests/<int:request_id>/unfollow")
@login_required
def unfollow(request_id: int):
    service.unfollow(request_id, require_user())
    return _done(request_id, _("You no longer follow this request."))


@bp.post("/requests/<int:request_id>/close")
@login_required
def close(request_id: int):
    form = CloseForm()
    if not form.validate_on_submit():
        return render_template("resident/request.html", **request_context(request_id, close_form=form)), 422
    return _act(request_id, lambda: service.close(request_id, require_user(), (form.comment.data or "").strip() or None),
                _("The request is closed."))


@bp.post("/requests/<int:request_id>/reopen")
@login_required
def reopen(request_id: int):
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_template("resident/request.html", **request_context(request_id, reopen_form=form)), 422
    return _act(request_id,
                lambda: service.reopen(request_id, require_user(), (form.comment.data or "").strip() or None),
                _("The request is open again."))
