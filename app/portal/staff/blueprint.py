"""The staff portal's one blueprint, and its entry page (choose an organization)."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from app.api.auth import require_user
from app.portal.access import staff_organizations
from app.portal.web import portal_blueprint

bp = portal_blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
def choose_organization():
    """Members of one organization go straight to it; others choose."""
    organizations = staff_organizations(require_user())
    if len(organizations) == 1:
        return redirect(url_for("staff.dashboard", org=organizations[0].slug))
    return render_template("staff/choose.html", organizations=organizations)

