"""Watch areas: choose one around an address, or draw one on the map (or type its corners); list
mine, the ones I follow and public ones, follow them. Rules and geometry checks are app.watch's (`service`)."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from app.accounts.models import Organization
from app.addresses import service as addresses
from app.api.auth import current_user, require_user
from app.errors import NotFound, Unauthorized
from app.extensions import db
from app.portal import mapdata
from app.portal.access import login_required
from app.portal.forms import ActionForm, WatchAreaForm
from app.portal.refusals import attempt
from app.portal.web import portal_blueprint
from app.requests.models import RequestCategory
from app.watch import around
from app.watch import service as watch
from geo.geojson import to_geojson

bp = portal_blueprint("watch", __name__, url_prefix="/watch-areas")

LISTED = 100
SUGGESTED = 5  # addresses offered when a typed one is not found


class TypedGeometryError(ValueError):
    """What a person typed is neither GeoJSON nor a list of "lat, lng" lines."""


def parse_typed_geometry(text: str) -> dict:
    """GeoJSON as typed or drawn, or one "lat, lng" corner per line (the ring is closed for you)."""
    text = (text or "").strip()
    if not text:
        raise TypedGeometryError(_("Type an address, draw the area on the map, or type its corners: one “lat, lng” per line."))
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise TypedGeometryError(_("This is not valid GeoJSON: %(problem)s (line %(line)s).", problem=exc.msg,
                                       line=exc.lineno)) from None
    corners = []
    for number, line in enumerate(filter(None, (line.strip() for line in text.splitlines())), start=1):
        parts = [part for part in line.replace(";", ",").replace(" ", ",").split(",") if part]
        try:
            lat, lng = (float(part) for part in parts)
        except ValueError:
            raise TypedGeometryError(_("Line %(number)s should be “lat, lng”, like 39.78, -89.65.", number=number)) from None
        corners.append([lng, lat])
    if len(corners) < 3:
        raise TypedGeometryError(_("An area needs at least three corners."))
    if corners[0] != corners[-1]:
        corners.append(corners[0])
    return {"type": "Polygon", "coordinates": [corners]}


def category_choices() -> list[tuple[str, str]]:
    """Every active category, named with its organization."""
    rows = db.session.execute(
        select(RequestCategory.id, RequestCategory.name, Organization.name)
        .join(Organization, Organization.id == RequestCategory.organization_id)
        .where(RequestCategory.active.is_(True)).order_by(Organization.name, RequestCategory.name))
    return [(str(category_id), f"{name} ({org_name})") for category_id, name, org_name in rows]


def _geometry_text(area) -> str:
    return json.dumps(to_geojson(to_shape(area.geom)))


def watch_area_form(**kwargs) -> WatchAreaForm:
    """The area form with its choices: categories, and the radii offered around an address."""
    form = WatchAreaForm(**kwargs)
    form.category_ids.choices = category_choices()
    form.radius_m.choices = [(radius, around.radius_label(radius)) for radius in around.RADIUS_CHOICES_M]
    if form.radius_m.data is None:
        form.radius_m.data = around.RADIUS_CHOICES_M[1]
    return form


def _form_page(template: str, form: WatchAreaForm, area=None, code: int = 200, suggestions=()):
    facts = watch.watch_area_facts(area) if area is not None else None
    return render_template(template, form=form, area=area, facts=facts, suggestions=suggestions,
                           boundaries=mapdata.boundaries()), code


def _where(form: WatchAreaForm) -> dict | None:
    """The area as the form gives it: around the address (when one is typed), else the drawn outline.

    A suggestion chosen on the page comes with its point (filled in by the page's script); an
    address typed without the script is resolved by the service. None: the form says what is wrong.
    """
    if (form.address.data or "").strip():
        if form.address_lat.data is not None and form.address_lng.data is not None:
            return {"lat": form.address_lat.data, "lng": form.address_lng.data, "radius_m": form.radius_m.data}
        return {"address": form.address.data, "radius_m": form.radius_m.data}
    try:
        return {"geometry": parse_typed_geometry(form.geometry.data)}
    except TypedGeometryError as exc:
        form.geometry.errors = [str(exc)]
        return None


def _save(form: WatchAreaForm, area=None):
    """Create or change the area from a validated form; None when the service refused it."""
    where = _where(form)
    if where is None:
        return None
    fields = {"name": form.name.data, **where, "public": form.public.data,
              "category_ids": form.category_ids.data or [], "repair": form.repair.data}
    user = require_user()
    return attempt(lambda: watch.create_watch_area(user, **fields) if area is None
                   else watch.update_watch_area(user, area.id, **fields), form, field="geometry").value


def _suggestions(form: WatchAreaForm) -> list[dict]:
    """Addresses like a typed one that was not found: offered as buttons (the script offers them as you type)."""
    typed = (form.address.data or "").strip()
    if not form.address.errors or not typed:
        return []
    return addresses.suggestions(typed, 1, SUGGESTED)["items"]


@bp.get("/")
@login_required
def index():
    user = require_user()
    public = db.session.scalars(watch.watch_areas_query(user, public=True).limit(LISTED)).all()
    return render_template(
        "watch/index.html",
        mine=db.session.scalars(watch.watch_areas_query(user).limit(LISTED)).all(),
        following=db.session.scalars(watch.watch_areas_query(user, following=True).limit(LISTED)).all(),
        public=[area for area in public if area.owner_id != user.id],
        action_form=ActionForm())


def _chosen_suggestion(form: WatchAreaForm) -> None:
    """A suggestion's button was pressed: it is the address, and the point is the server's to find."""
    chosen = request.form.get("use_address")
    if chosen:
        form.address.data = chosen
        form.address_lat.data = form.address_lng.data = None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = watch_area_form()
    _chosen_suggestion(form)
    if form.validate_on_submit():
        area = _save(form)
        if area is not None:
            flash(_("Your watch area “%(name)s” is saved: new requests inside it will reach you.", name=area.name))
            return redirect(url_for("watch.detail", area_id=area.id))
    return _form_page("watch/edit.html", form, code=422 if form.errors or form.form_errors else 200,
                      suggestions=_suggestions(form))


@bp.get("/<int:area_id>")
def detail(area_id: int):
    user = current_user()
    try:
        area = watch.visible_watch_area(user, area_id)
    except NotFound:
        if user is None:  # emailed to its owner or a follower: log in, then come back here
            raise Unauthorized(_("Log in to see this watch area.")) from None
        raise
    following = user is not None and any(
        followed.id == area.id for followed in db.session.scalars(watch.watch_areas_query(user, following=True)))
    return render_template("watch/detail.html", area=area, geometry=to_geojson(to_shape(area.geom)),
                           facts=watch.watch_area_facts(area),
                           mine=user is not None and area.owner_id == user.id, following=following,
                           action_form=ActionForm(), boundaries=mapdata.boundaries())


@bp.route("/<int:area_id>/edit", methods=["GET", "POST"])
@login_required
def edit(area_id: int):
    area = watch.visible_watch_area(require_user(), area_id)
    form = watch_area_form(obj=area) if request.method == "GET" else watch_area_form()
    _chosen_suggestion(form)
    if request.method == "GET":
        form.geometry.data = _geometry_text(area)
    elif form.validate_on_submit() and _save(form, area) is not None:
        flash(_("Watch area saved."))
        return redirect(url_for("watch.detail", area_id=area_id))
    return _form_page("watch/edit.html", form, area, 422 if form.errors or form.form_errors else 200,
                      suggestions=_suggestions(form))


def _act(area_id: int, perform, message: str, target: str = "watch.detail"):
    if attempt(lambda: perform(require_user(), area_id)):
        flash(message)
    return redirect(url_for(target, area_id=area_id) if target == "watch.detail" else url_for(target))


@bp.post("/<int:area_id>/delete")
@login_required
def delete(area_id: int):
    return _act(area_id, watch.delete_watch_area, _("The watch area is deleted."), "watch.index")


@bp.post("/<int:area_id>/follow")
@login_required
def follow(area_id: int):
    return _act(area_id, watch.follow_watch_area, _("You follow this area: new requests inside it will reach you."))


@bp.post("/<int:area_id>/unfollow")
@login_required
def unfollow(area_id: int):
    return _act(area_id, watch.unfollow_watch_area, _("You no longer follow this area."))
