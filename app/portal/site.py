"""Logging in and out of the web pages (a browser session, the same one the API accepts)."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from app.accounts import service as accounts
from app.api.auth import log_in_session
from app.errors import Unauthorized
from app.extensions import db
from app.portal.forms import LoginForm, apply_service_error
from app.portal.web import portal_blueprint, safe_next

bp = portal_blueprint("site", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except Unauthorized as exc:
            apply_service_error(form, exc, default_field="password")
        else:
            db.session.commit()
            log_in_session(user)
            return redirect(safe_next(form.next.data, url_for("resident.home")))
    status = 422 if form.errors else 200
    return render_template("site/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session (the blueprint has checked the form's CSRF token)."""
    session.clear()
    return redirect(url_for("resident.home"))
