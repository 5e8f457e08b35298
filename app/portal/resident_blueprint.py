"""The resident web app's blueprint (`resident.*` endpoints), shared by app/portal/resident.py
(map, report, my requests) and app/portal/request_page.py (a request's page)."""

from __future__ import annotations

from app.portal.web import portal_blueprint

bp = portal_blueprint("resident", __name__)
