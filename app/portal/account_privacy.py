"""A resident's privacy pages under /account: download my data, delete my account.

The same app.privacy functions as `GET /api/v1/me/export` and `DELETE /api/v1/me`.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import Length, Optional

from app.api.auth import require_user
from app.downloads import private_download
from app.portal.access import login_required
from app.portal.account_blueprint import bp
from app.portal.refusals import attempt, attempt_then_redirect
from app.privacy import export, service
from app.privacy.export import EXPORT_FILENAME


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[Optional(), Length(max=1024)])
    token = HiddenField()


def _privacy_page(form=None, status: int = 200, token: str = ""):
    form = form or DeleteAccountForm(data={"token": token})
    return render_template("account/privacy.html", form=form, by_link=bool(form.token.data)), status


@bp.get("/privacy")
@login_required
def privacy():
    return _privacy_page()


@bp.get("/export")
@login_required
def export_data():
    data = export.export_account(require_user(), where=f"portal: {request.method} {request.path}")
    return private_download(data, EXPORT_FILENAME)


@bp.get("/delete")
@login_required
def confirm_delete():
    """The page an emailed deletion link opens: one button, so a link preview deletes nothing."""
    return _privacy_page(token=request.args.get("token", ""))


@bp.post("/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit() and attempt(lambda: service.delete_own_account(require_user(), password=form.password.data or None,
                                                  token=form.token.data or None,
                                                  where=f"portal: {request.method} {request.path}"),
               form, field="password"):
        session.clear()
        flash(_("Your account is deleted. Your reports stay for the city's records, by \"a former resident\"."))
        return redirect(url_for("resident.home"))
    return _privacy_page(form, status=422)


@bp.post("/delete/link")
@login_required
def email_deletion_link():
    return attempt_then_redirect(lambda: service.request_deletion_link(require_user()),
                                 _("We have emailed you a link that confirms deleting your account; it works for an hour."),
                                 url_for("account.privacy"))
