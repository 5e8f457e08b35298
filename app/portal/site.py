"""Account pages everyone reaches: log in and out, register, confirm an address, passwords.

The emailed links land here (`/confirm-email`, `/reset-password`, `/set-password`, each with
`?token=`; `/confirm` is the confirm page's older address); a GET only shows a button, so a
mail scanner following the link changes nothing.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts import actors as account_actors
from app.accounts import service as accounts
from app.accounts.tokens import revoke_token
from app.api.auth import log_in_session, log_out_session
from app.portal.access import staff_organizations
from app.portal.forms import ActionForm, EmailForm, LoginForm, NewPasswordForm, RegisterForm
from app.portal.limits import posts_per_account, posts_per_client
from app.portal.refusals import attempt
from app.portal.web import portal_blueprint, safe_next

bp = portal_blueprint("site", __name__)

FORGOT_ANSWER = _l("If an account uses that address, we have sent it a link to choose a new password.")
RESEND_ANSWER = _l("If an unconfirmed account uses that address, we have sent it a new confirmation link.")


def _page(template: str, form, **context):
    return render_template(template, form=form, **context), 422 if form.errors or form.form_errors else 200


@bp.route("/login", methods=["GET", "POST"])
@posts_per_client("RATELIMIT_LOGIN")
@posts_per_account("RATELIMIT_LOGIN_ACCOUNT", failures_only=True)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        # The API's login rule (confirmed accounts only); the browser keeps a session, not the token.
        logged_in = attempt(lambda: accounts.log_in(form.email.data, form.password.data, token_name="web session"),
                            form, field="password")
        if logged_in:
            user, token = logged_in.value
            revoke_token(token)  # the browser keeps its own session token instead
            log_in_session(user)
            return redirect(safe_next(form.next.data, url_for("resident.home")))
    return _page("site/login.html", form)


@bp.post("/logout")
def logout():
    """End the session (the blueprint has checked the form's CSRF token)."""
    log_out_session()
    return redirect(url_for("resident.home"))


@bp.route("/register", methods=["GET", "POST"])
@posts_per_client("RATELIMIT_REGISTER")
def register():
    form = RegisterForm()
    if form.validate_on_submit() and attempt(lambda: accounts.register(form.email.data, form.password.data, form.name.data.strip()),
               form, field="email"):
        return render_template("site/message.html", title=_("Check your email"),
                               message=_("We have sent a confirmation link to %(email)s. Follow it, then log in.",
                                             email=form.email.data))
    return _page("site/register.html", form)


@bp.route("/confirm-email", methods=["GET", "POST"], endpoint="confirm_email")
@bp.route("/confirm", methods=["GET", "POST"], endpoint="confirm")
@posts_per_client("RATELIMIT_TOKEN")
def confirm():
    form = ActionForm()
    token = request.values.get("token", "")
    if request.method == "POST" and form.validate_on_submit():
        outcome = attempt(lambda: accounts.confirm_address(token), quiet=True)
        if not outcome:  # the refusal is the page itself
            return render_template("site/message.html", title=_("This link does not work"),
                                   message=outcome.refusal.message), 422
        confirmed = outcome.value
        flash(_("%(email)s is confirmed. You can log in now.", email=confirmed["email"]) if confirmed["primary"]
              else _("%(email)s is confirmed.", email=confirmed["email"]))
        return redirect(url_for("site.login"))
    return render_template("site/confirm.html", form=form, token=token)


def _email_link(kind: str, answer: str, title: str, button: str):
    """Ask for an address, queue the link; the answer is the same whether the account exists."""
    form = EmailForm()
    if form.validate_on_submit():
        account_actors.request_account_link(kind, form.email.data)
        return render_template("site/message.html", title=_("Check your email"), message=answer)
    return _page("site/email_link.html", form, title=title, button=button)


@bp.route("/confirm/resend", methods=["GET", "POST"])
@posts_per_client("RATELIMIT_ACCOUNT_EMAIL")
@posts_per_account("RATELIMIT_ACCOUNT_EMAIL_ACCOUNT")
def resend_confirmation():
    return _email_link("confirm_email", RESEND_ANSWER, _("Send the confirmation link again"), _("Send the link"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@posts_per_client("RATELIMIT_ACCOUNT_EMAIL")
@posts_per_account("RATELIMIT_ACCOUNT_EMAIL_ACCOUNT")
def forgot_password():
    return _email_link("password_reset", FORGOT_ANSWER, _("Forgot your password?"), _("Email me a link"))


@bp.route("/reset-password", methods=["GET", "POST"], endpoint="reset_password")
@bp.route("/set-password", methods=["GET", "POST"], endpoint="set_password")
@posts_per_client("RATELIMIT_TOKEN")
def choose_password():
    form = NewPasswordForm(token=request.args.get("token", ""))
    if form.validate_on_submit():
        password_set = attempt(lambda: accounts.set_password_with_token(form.token.data, form.password.data),
                               form, field="password")
        if password_set:
            user = password_set.value
            flash(_("Your password is set. Log in with it."))
            # An invited member logs in straight into the staff portal they were invited to.
            organizations = staff_organizations(user)
            after = url_for("staff.dashboard", org=organizations[0].slug) if len(organizations) == 1 else None
            return redirect(url_for("site.login", next=after))
    return _page("site/choose_password.html", form)

