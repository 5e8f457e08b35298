"""The resident web app's blueprint (`resident.*` endpoints), shared by app/portal/resident.py
(map, report, my requests) and app/portal/request_page.py (a request's page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.portal.web import portal_blueprint

bp = portal_blueprint("resident", __name__)

# A request's status as people read it.
STATUS_LABELS = {"open": _l("Open"), "acknowledged": _l("Acknowledged"), "closed": _l("Closed"),
                 "archived": _l("Archived")}
