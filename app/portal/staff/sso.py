"""Staff sign-in through the organization's OpenID Connect provider: /staff/<org>/sso/login and its callback.

Authlib does the protocol: discovery from the issuer, state and nonce kept in the session,
the code exchange, and the ID token's signature (the provider's JWKS), issuer, audience,
expiry and nonce. Who may come in is app.accounts.sso's answer.
"""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, redirect, url_for

from app.accounts import sso
from app.api.auth import log_in_session, organization_or_404
from app.extensions import db
from app.portal.staff import bp

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
        flash(f"Single sign-on did not complete: {exc.description or exc.error}.", "error")
        return redirect(url_for("site.login"))
    user = sso.member_for_claims(organization, settings, dict(token.get("userinfo") or {}))
    db.session.commit()
    log_in_session(user)
    return redirect(url_for("staff.dashboard", org=org))
