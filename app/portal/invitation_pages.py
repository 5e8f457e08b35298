"""The page an emailed organization invitation opens: log in, then accept or decline (issue 14)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.accounts import invitations
from app.api.auth import require_user
from app.errors import ApiError
from app.portal.access import login_required
from app.portal.refusals import attempt
from app.portal.web import portal_blueprint

bp = portal_blueprint("invitations", __name__)


def _page(token: str, refusal: ApiError | None = None, status: int = 200):
    invitation = invitations.open_invitation(token)  # expired, answered or withdrawn: the 404 page says so
    return render_template("account/invitation.html", invitation=invitation, token=token, form=FlaskForm(),
                           refusal=refusal), status


@bp.get("/invitations/<token>")
@login_required
def invitation(token: str):
    return _page(token)


def _answer(token: str, perform, done: str):
    user = require_user()
    if not FlaskForm().validate_on_submit():
        return _page(token, ApiError(_("The form expired; try again.")), 400)
    # A link that is no more (404) is the error page; any other refusal is shown on this page.
    outcome = attempt(lambda: perform(token, user), quiet=True, only=frozenset(range(400, 500)) - {404})
    if not outcome:
        return _page(token, outcome.refusal, outcome.refusal.status)
    flash(done(outcome.value))
    return redirect(url_for("resident.home"))


@bp.post("/invitations/<token>/accept")
@login_required
def accept(token: str):
    return _answer(token, invitations.accept,
                   lambda membership: _("You are now a member of %(org)s.", org=membership.organization.name))


@bp.post("/invitations/<token>/decline")
@login_required
def decline(token: str):
    return _answer(token, invitations.decline, lambda _result: _("You declined the invitation."))
