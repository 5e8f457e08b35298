"""Staff sign-in through the organization's OpenID Connect provider: /staff/<org>/sso/login and its callback.

Authlib does the protocol: discovery from the issuer, state and nonce kept in the session,
the code exchange, and the ID token's signature (the provider's JWKS), issuer, audience,
expiry and nonce. Who may come in is app.accounts.sso's answer.
"""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts import sso
from app.api.auth import log_in_session, organization_or_404
from app.portal.refusals import attempt
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page

oauth = OAuth()


def _client(organization, settings):
    """The Authlib client of this organization's provider (registered again: settings may have changed)."""
    if "authlib.integrations.flask_client" not in current_app.extensions:
        oauth.init_app(current_app)
    name = f"sso-{organization.slug}"
    oauth.register(name, overwrite=True, client_id=settings.client_id, client_secret=settings.client_secret,
                   server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid email profile"})
    return oauth.create_client(name)


@bp.get("/<org>/sso/login")
def sso_login(org: str):
    """Send the visitor to the organization's identity provider."""
    organization = organization_or_404(org)
    settings = sso.enabled_settings(organization)
    return _client(organization, settings).authorize_redirect(url_for("staff.sso_callback", org=org, _external=True))


@bp.get("/<org>/sso/callback")
def sso_callback(org: str):
    """Back from the provider: check the ID token, find the member, start their session."""
    organization = organization_or_404(org)
    settings = sso.enabled_settings(organization)
    try:
        token = _client(organization, settings).authorize_access_token()
    except AuthlibBaseError as exc:  # denied at the provider, a replayed state, a bad token
        flash(_("Single sign-on did not complete: %(reason)s.", reason=exc.description or exc.error), "error")
        return redirect(url_for("site.login"))
    user = sso.member_for_claims(organization, settings, dict(token.get("userinfo") or {}))
    log_in_session(user)
    return redirect(url_for("staff.dashboard", org=org))


class SsoForm(FlaskForm):
    issuer = StringField(_l("Issuer URL"), validators=[DataRequired(_l("The provider's issuer URL.")), Length(max=500)])
    client_id = StringField(_l("Client id"), validators=[DataRequired(_l("The client id the provider gave.")), Length(max=500)])
    client_secret = PasswordField(_l("Client secret"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Leave empty to keep the stored secret."))
    allowed_domains = StringField(_l("Allowed email domains"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Separated by commas or spaces; empty: any domain."))
    allow_new_accounts = BooleanField(_l("A verified address that is no member yet becomes one"))
    new_member_role = StringField(_l("Role of such new members"), default="staff", validators=[DataRequired(), Length(max=64)])
    enabled = BooleanField(_l("Staff may sign in with the provider"), default=True)


@bp.route("/<org>/settings/sso", methods=["GET", "POST"])
def sso_settings(org: str):
    """The organization's OpenID Connect settings (permission `manage_settings`)."""
    organization, user = staff_page(org, "manage_settings")
    settings = sso.settings_for(organization)
    form = SsoForm(obj=settings) if request.method == "GET" and settings else SsoForm()
    if request.method == "GET" and settings:
        form.allowed_domains.data = ", ".join(settings.allowed_domains)
    code = 200
    if form.validate_on_submit():
        saved = attempt(lambda: sso.save_settings(
            organization, issuer=form.issuer.data, client_id=form.client_id.data,
            client_secret=form.client_secret.data or None,
            allowed_domains=(form.allowed_domains.data or "").replace(",", " ").split(),
            allow_new_accounts=form.allow_new_accounts.data, new_member_role=form.new_member_role.data,
            enabled=form.enabled.data), form)
        if not saved:
            code = 422
        else:
            flash(_("Single sign-on settings saved."))
            return redirect(url_for("staff.sso_settings", org=org))
    elif request.method == "POST":
        code = 422
    return render_staff("staff/sso_settings.html", organization, user, code, form=form, settings=settings,
                        login_url=url_for("staff.sso_login", org=org, _external=True),
                        redirect_uri=url_for("staff.sso_callback", org=org, _external=True))
