"""A resident's own account: profile, other email addresses (aliases), notification preferences."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts import service as accounts
from app.api.auth import require_user
from app.portal.access import login_required
from app.portal.account_blueprint import bp
from app.portal.forms import EmailForm, ProfileForm
from app.portal.limits import posts_per_user
from app.portal.refusals import attempt


def _account_page(profile_form=None, alias_form=None, status: int = 200):
    user = require_user()
    profile_form = profile_form or ProfileForm(obj=user)
    alias_form = alias_form or EmailForm(prefix="alias")
    return render_template("account/profile.html", profile_form=profile_form, alias_form=alias_form,
                           aliases=accounts.aliases_of(user)), status


@bp.get("/")
@login_required
def profile():
    return _account_page()


@bp.post("/")
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit() and attempt(lambda: accounts.update_profile(require_user(), {
            "name": form.name.data.strip(), "phone": (form.phone.data or "").strip() or None}), form):
        flash(_("Your profile is saved."))
        return redirect(url_for("account.profile"))
    return _account_page(profile_form=form, status=422)


@bp.post("/aliases")
@login_required
@posts_per_user("RATELIMIT_ALIASES")
def add_alias():
    form = EmailForm(prefix="alias")
    if form.validate_on_submit():
        added = attempt(lambda: accounts.add_alias(require_user(), form.email.data), form, field="email")
        if added:
            flash(_("We have sent a confirmation link to %(email)s; it works once you follow it.", email=added.value.email))
            return redirect(url_for("account.profile"))
    return _account_page(alias_form=form, status=422)


@bp.post("/aliases/remove")
@login_required
def remove_alias():
    accounts.remove_alias(require_user(), request.form.get("email", ""))
    flash(_("The address is removed."))
    return redirect(url_for("account.profile"))

