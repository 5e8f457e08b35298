"""The request queue (filters, map and list side by side, SLA badges) and a request's staff page
(full timeline, workflow actions, comments, work orders). Every action is one call of the same
app.requests.service function the staff API calls, with `organization=` so that a request of
another organization is a 404."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.inbound import triage
from app.notify import receipts
from app.portal.access import viewer_permissions
from app.portal.forms import ActionForm, CloseForm, ReopenForm, apply_service_error
from app.portal.labels import REQUEST_STATUS_LABELS
from app.portal.refusals import ON_PAGE, attempt, flash_refusal
from app.portal.staff.blueprint import bp
from app.portal.staff.common import (
    local_to_utc,
    member_choices,
    render_staff,
    staff_page,
    utc_to_local,
)
from app.portal.staff.forms import (
    AssignForm,
    DueDateForm,
    MergeForm,
    QueueFilters,
    RecategorizeForm,
    StaffCommentForm,
)
from app.portal.timeline import lines, sla_badge
from app.requests import categories, duplicates, queries, service
from app.requests.models import CommentSource
from app.requests.policy import Audience
from app.work import service as work

QUEUE_PAGE = 50
VIEW = "view_requests"


def category_choices(organization, user, empty: str) -> list[tuple[str, str]]:
    found = categories.list_for_staff(organization, user)
    return [("", empty)] + [(str(c.id), c.name + ("" if c.active else " (inactive)")) for c in found]


@bp.get("/<org>/requests")
def queue(org: str):
    organization, user = staff_page(org, VIEW)
    filters = QueueFilters(formdata=request.args or None)
    filters.category.choices = category_choices(organization, user, "Any")
    filters.validate()
    page = max(request.args.get("page", 1, type=int), 1)
    query = {"page": page, "per_page": QUEUE_PAGE, "status": filters.status.data or None,
             "category": [filters.category.data] if filters.category.data else None,
             "q": (filters.q.data or "").strip() or None,
             "assigned_to": user.id if filters.assigned.data == "me" else None,
             "sla": filters.sla.data or None}
    found = queries.staff_queue(organization, user, query)
    rows = [(item, sla_badge(item.sla_due_at, item.status)) for item in found["items"]]
    markers = [{"lat": v.lat, "lng": v.lng, "status": v.status, "title": f"{v.public_id} {v.description[:60]}",
                "url": url_for("staff.request_detail", org=org, request_id=v.id)} for v in found["items"]]
    # The exports take the API's spelling of the same filters (comma-separated lists).
    export_args = {name: value for name, value in {
        "status": ",".join(query["status"] or []), "category": ",".join(query["category"] or []),
        "q": query["q"], "assigned_to": query["assigned_to"], "sla": query["sla"]}.items() if value}
    exports = {label: url_for(f"exports.requests_{fmt}", org=org, **export_args)
               for label, fmt in (("CSV", "csv"), ("GeoJSON", "geojson"))}
    return render_staff("staff/queue.html", organization, user, filters=filters, found=found, rows=rows,
                        markers=markers, status_labels=REQUEST_STATUS_LABELS, exports=exports,
                        next_args={**request.args.to_dict(flat=False), "page": page + 1},
                        previous_args={**request.args.to_dict(flat=False), "page": page - 1})


def _emails(organization, user, request_id: int) -> list:
    """The inbound messages linked to the request (who wrote, and what), for those who triage mail."""
    if "view_inbound_messages" not in viewer_permissions(user, organization):
        return []
    return db.session.scalars(triage.messages_query(organization, request_id=request_id)).all()


def _detail(org: str, request_id: int, code: int = 200, **forms):
    organization, user = staff_page(org, VIEW)
    row = service.get_request(request_id, organization_id=organization.id)
    view = queries.request_view(row, user)
    entries = queries.timeline_page(row, Audience.STAFF, 1, 200)["items"]
    assign = forms.get("assign") or AssignForm(assignee_id=row.assignee_id)
    assign.assignee_id.choices = member_choices(organization, _("Nobody (unassigned)"))
    recategorize = forms.get("recategorize") or RecategorizeForm(category_id=row.category_id)
    recategorize.category_id.choices = category_choices(organization, user, "Choose…")
    due = forms.get("due") or DueDateForm(due_at=utc_to_local(row.due_at, organization))
    # Open requests of the same category nearby: the likely duplicates to merge this one into.
    possible = [item for item in duplicates.nearby(view.lat, view.lng, row.category_id)["items"]
                if item["request"].id != row.id] if "merge" in view.viewer["actions"] else []
    return render_staff(
        "staff/request.html", organization, user, code, req=view, category=row.category,
        actions=set(view.viewer["actions"]), following=view.viewer["following"],
        timeline=lines(entries, organization.timezone), sla=sla_badge(row.sla_due_at, row.status),
        receipts=receipts.receipts_by_comment(row.id, [e.comment.id for e in entries if e.comment is not None]),
        status_labels=REQUEST_STATUS_LABELS, action_form=ActionForm(), assign_form=assign,
        recategorize_form=recategorize, due_form=due, close_form=forms.get("close") or CloseForm(),
        reopen_form=forms.get("reopen") or ReopenForm(),
        comment_form=forms.get("comment") or StaffCommentForm(),
        merge_form=forms.get("merge") or MergeForm(), possible_duplicates=possible,
        work_orders=db.session.scalars(work.work_orders_query(organization, request_id=row.id)).all(),
        emails=_emails(organization, user, row.id),
        point={"lat": view.lat, "lng": view.lng, "status": view.status, "title": view.public_id})


@bp.get("/<org>/requests/<int:request_id>")
def request_detail(org: str, request_id: int):
    return _detail(org, request_id)


def _act(org: str, request_id: int, form, perform, done: str, form_key: str | None = None):
    """Validate the form, run one service action on the organization's request, come back."""
    organization, user = staff_page(org, VIEW)
    if form is not None and not form.validate_on_submit():
        return _detail(org, request_id, 422, **{form_key: form})

    def show(exc):  # a form's fields say what is wrong with them; any other refusal is flashed
        if form is not None and exc.status == 422:
            apply_service_error(form, exc)
        else:
            flash_refusal(exc)

    outcome = attempt(lambda: perform(organization, user), show=show, only=ON_PAGE)
    if outcome:
        flash(done)
    elif form is not None and outcome.refusal.status == 422:
        return _detail(org, request_id, 422, **{form_key: form})
    return redirect(url_for("staff.request_detail", org=org, request_id=request_id))


@bp.post("/<org>/requests/<int:request_id>/acknowledge")
def acknowledge(org: str, request_id: int):
    return _act(org, request_id, None,
                lambda o, u: service.acknowledge(request_id, u, organization=o), _("Acknowledged."))


@bp.post("/<org>/requests/<int:request_id>/assign")
def assign(org: str, request_id: int):
    form = AssignForm()
    form.assignee_id.choices = []
    return _act(org, request_id, form,
                lambda o, u: service.assign(request_id, u, form.assignee_id.data, organization=o),
                _("Assignment saved."), "assign")


@bp.post("/<org>/requests/<int:request_id>/recategorize")
def recategorize(org: str, request_id: int):
    form = RecategorizeForm()
    form.category_id.choices = []
    return _act(org, request_id, form,
                lambda o, u: service.recategorize(request_id, u, form.category_id.data, organization=o),
                _("Category changed."), "recategorize")


@bp.post("/<org>/requests/<int:request_id>/due-date")
def due_date(org: str, request_id: int):
    form = DueDateForm()
    return _act(org, request_id, form,
                lambda o, u: service.set_due_date(request_id, u, local_to_utc(form.due_at.data, o), organization=o),
                _("Due date saved."), "due")


@bp.post("/<org>/requests/<int:request_id>/close")
def close(org: str, request_id: int):
    form = CloseForm()
    return _act(org, request_id, form,
                lambda o, u: service.close(request_id, u, (form.comment.data or "").strip() or None, organization=o),
                _("Closed."), "close")


@bp.post("/<org>/requests/<int:request_id>/anonymous")
def set_anonymous(org: str, request_id: int):
    hide = request.form.get("anonymous") == "1"
    return _act(org, request_id, None,
                lambda o, u: service.set_anonymous(request_id, u, hide, organization=o),
                _("The reporter's name is hidden from the public.") if hide else _("The reporter's name is shown again."))


@bp.post("/<org>/requests/<int:request_id>/reopen")
def reopen(org: str, request_id: int):
    form = ReopenForm()
    return _act(org, request_id, form,
                lambda o, u: service.reopen(request_id, u, (form.comment.data or "").strip() or None, organization=o),
                _("Reopened."), "reopen")


@bp.post("/<org>/requests/<int:request_id>/comments")
def comment(org: str, request_id: int):
    form = StaffCommentForm()

    def add(organization, user):
        service.get_request(request_id, organization_id=organization.id)  # 404 for another organization's
        service.add_comment(request_id, user, form.body.data, form.visibility.data, source=CommentSource.WEB)

    done = _("Internal note added.") if form.visibility.data == "internal" else _("Public comment posted.")
    return _act(org, request_id, form, add, done, "comment")


@bp.post("/<org>/requests/<int:request_id>/merge")
def merge(org: str, request_id: int):
    form = MergeForm()
    return _act(org, request_id, form,
                lambda o, u: duplicates.merge(request_id, u, form.into_id.data, organization=o),
                _("Merged: this duplicate is closed, its followers and supporters moved."), "merge")
