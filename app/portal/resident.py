"""The resident web app at `/`: the map, reporting a problem, my requests, watch areas,
notifications and preferences."""

from __future__ import annotations

from flask import render_template

from app.portal import mapdata
from app.portal.web import portal_blueprint

bp = portal_blueprint("resident", __name__)


@bp.get("/")
def home():
    return render_template("resident/home.html", boundaries=mapdata.boundaries())
