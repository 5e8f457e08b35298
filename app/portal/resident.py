"""The resident web app at `/`: the map of requests, reporting a problem, my requests.

A request's own page and the actions on it are in `request_page.py`, on this blueprint.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.addresses import service as addresses
from app.api.auth import current_user, require_user
from app.portal import mapdata
from app.portal.access import login_required
from app.portal.forms import ActionForm, ReportForm, apply_service_error
from app.portal.labels import REQUEST_STATUS_LABELS
from app.portal.refusals import attempt
from app.portal.resident_blueprint import bp
from app.requests import categories, duplicates, queries, service
from app.requests.attributes import typed_answers
from app.requests.models import CommentSource

MAP_REQUESTS = 100


def map_items(views) -> list[dict]:
    """What a map marker needs from each request view."""
    return [{"lat": v.lat, "lng": v.lng, "status": v.status, "title": v.description[:80],
             "url": url_for("resident.request_page", public_id=v.public_id)} for v in views]


@bp.get("/")
def home():
    recent = queries.list_requests({"page": 1, "per_page": MAP_REQUESTS, "status": ["open", "acknowledged"]})
    return render_template("resident/home.html", boundaries=mapdata.boundaries(), recent=recent["items"],
                           map_requests=map_items(recent["items"]), status_labels=REQUEST_STATUS_LABELS)


def _category_choices(form: ReportForm) -> list[dict]:
    """Organizations serving the typed point and their categories (also filled in by the map's script)."""
    if form.lat.data is None or form.lng.data is None or form.lat.errors or form.lng.errors:
        return []
    return categories.serving_point(form.lng.data, form.lat.data)


def _nearby(form: ReportForm) -> list[dict]:
    """Open requests of the chosen category near the point: "Is it one of these?" (also drawn by the script)."""
    if form.lat.data is None or form.lng.data is None or not form.category_id.data or form.lat.errors or form.lng.errors:
        return []
    found = attempt(lambda: duplicates.nearby(form.lat.data, form.lng.data, form.category_id.data), quiet=True)
    return found.value["items"] if found else []


def _questions(category_id: int | None) -> list[dict]:
    """The chosen category's questions that take an answer, in their order."""
    if not category_id:
        return []
    found = attempt(lambda: categories.get_category(category_id), quiet=True)
    return found.value.questions if found else []


def form_answers(questions: list[dict], formdata) -> dict:
    """The answers typed in the `answers.<code>` fields, read as every channel reads them."""
    return typed_answers(questions, {q["code"]: formdata.getlist(f"answers.{q['code']}") for q in questions})


def _report_page(form: ReportForm, code: int = 200, answer_errors: dict | None = None):
    serving = _category_choices(form)
    form.category_id.choices = [("", _("Choose…"))] + [
        (str(category.id), f"{category.name} ({org['name']})" if len(serving) > 1 else category.name)
        for org in serving for category in org["categories"]]
    return render_template("resident/report.html", form=form, serving=serving, boundaries=mapdata.boundaries(),
                           nearby=_nearby(form), action_form=ActionForm(),
                           questions=_questions(form.category_id.data), answers=request.form,
                           answer_errors=answer_errors or {}), code


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report():
    form = ReportForm(lat=request.args.get("lat", type=float), lng=request.args.get("lng", type=float))
    if request.method == "POST" and "find_address" in request.form:
        return _find_address(form)
    if request.method == "POST" and "lookup" in request.form:
        form.validate()  # only to show coordinate errors; the categories come from the point
        form.category_id.errors = form.description.errors = []
        return _report_page(form, 200 if not (form.lat.errors or form.lng.errors) else 422)
    if form.validate_on_submit():
        user = require_user()
        answers = form_answers(_questions(form.category_id.data), request.form)

        def show(exc):  # the answers' problems are shown beside their questions, the rest beside the form's
            if not _answer_errors(exc):
                apply_service_error(form, exc, "category_id")

        submitted = attempt(lambda: service.submit(
            user, category_id=form.category_id.data, lat=form.lat.data, lng=form.lng.data,
            description=form.description.data, address=form.address.data or "", answers=answers,
            source=CommentSource.WEB, anonymous=bool(form.anonymous.data)), show=show)
        if not submitted:
            return _report_page(form, 422, _answer_errors(submitted.refusal))
        created = submitted.value
        _attach_photos(created.id, user, form.photos.data)
        flash(_("Thank you. Your request %(public_id)s is filed; you will hear when it changes.", public_id=created.public_id))
        return redirect(url_for("resident.request_page", public_id=created.public_id))
    return _report_page(form, 422 if form.errors else 200)


def _answer_errors(exc) -> dict | None:
    """A refusal's problems with the answers to the category's questions, by question code."""
    return (exc.details.get("json") or {}).get("answers") if exc.status == 422 else None


def _find_address(form: ReportForm):
    """Place the pin at the typed address (the page's script does this as you type)."""
    form.validate()
    form.lat.errors, form.lng.errors, form.category_id.errors, form.description.errors = [], [], [], []
    typed = (form.address.data or "").strip()
    found = addresses.suggestions(typed, 1, 1)["items"] if typed else []
    if not found:
        form.address.errors = [_("No address found like this. Check the spelling, or choose the point on the map.")]
        return _report_page(form, 422)
    form.lat.data, form.lng.data, form.address.data = found[0]["lat"], found[0]["lng"], found[0]["label"]
    form.lat.raw_data = form.lng.raw_data = []  # show the found point, not the empty boxes sent
    return _report_page(form)


def _attach_photos(request_id: int, user, files) -> None:
    for upload in files or []:
        if not upload or not upload.filename:
            continue
        _attach_photo(request_id, user, upload)


def _attach_photo(request_id: int, user, upload) -> None:
    """One photo; a refused one is named in a flash and the others still go."""
    attempt(lambda: service.add_photo(request_id, user, upload.read(service.MAX_PHOTO_BYTES + 1), upload.filename),
            show=lambda exc: flash(_("%(filename)s: %(message)s", filename=upload.filename, message=exc.message), "error"))


@bp.get("/my/requests")
@login_required
def my_requests():
    page = max(request.args.get("page", 1, type=int), 1)
    found = queries.list_requests({"page": page, "per_page": 25, "reporter_id": current_user().id})
    return render_template("resident/my_requests.html", found=found, status_labels=REQUEST_STATUS_LABELS,
                           map_requests=map_items(found["items"]))


