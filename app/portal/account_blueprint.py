"""The account blueprint, in a module of its own so that the modules whose routes are on it
(`app.portal.account`, `app.portal.account_privacy`) import it without importing each other."""

from __future__ import annotations

from app.portal.web import portal_blueprint

bp = portal_blueprint("account", __name__, url_prefix="/account")
