"""Inbound Messages: the triage queue of emails nobody's reply address claimed, and each
message's actions (create a request, attach to a request, mark as, delete as spam), all
through app.inbound.triage, as the triage API does."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.inbound import triage
from app.portal import mapdata
from app.portal.forms import ActionForm
from app.portal.labels import INBOUND_STATUS_LABELS
from app.portal.refusals import attempt
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.portal.staff.forms import AttachForm, InboundRequestForm, InboundStatusForm
from app.portal.staff.requests import category_choices
from app.portal.staff.work import request_by_reference

VIEW, MODIFY = "view_inbound_messages", "modify_inbound_message_status"
LISTED = 100


@bp.get("/<org>/inbound")
def inbound_messages(org: str):
    organization, user = staff_page(org, VIEW)
    status = request.args.get("status") if request.args.get("status") in INBOUND_STATUS_LABELS else None
    messages = db.session.scalars(triage.messages_query(organization, status=status).limit(LISTED)).all()
    return render_staff("staff/inbound_list.html", organization, user, messages=messages, status=status,
                        status_labels=INBOUND_STATUS_LABELS, counts=triage.queue_counts(organization))


def _message_page(org: str, message_id: int, code: int = 200, **forms):
    organization, user = staff_page(org, VIEW)
    message = triage.read_message(organization, message_id, user)
    create = forms.get("create") or InboundRequestForm(description=message.body or message.full_body)
    create.category_id.choices = category_choices(organization, user, "Choose…")
    status = forms.get("status") or InboundStatusForm(status=message.status)
    return render_staff("staff/inbound_message.html", organization, user, code, message=message,
                        status_labels=INBOUND_STATUS_LABELS, create_form=create, attach_form=forms.get("attach") or AttachForm(),
                        status_form=status, action_form=ActionForm(),
                        boundaries=mapdata.boundaries(organization.slug))


@bp.get("/<org>/inbound/<int:message_id>")
def inbound_message(org: str, message_id: int):
    return _message_page(org, message_id)


@bp.post("/<org>/inbound/<int:message_id>/create-request")
def inbound_create_request(org: str, message_id: int):
    organization, user = staff_page(org, MODIFY)
    form = InboundRequestForm()
    form.category_id.choices = []
    if form.validate_on_submit():
        created = attempt(lambda: triage.create_request(
            organization, user, message_id, category_id=form.category_id.data, lat=form.lat.data,
            lng=form.lng.data, address=form.address.data or "", description=form.description.data), form)
        if created:
            flash(_("Request %(public_id)s created from the message; the message is closed.", public_id=created.value.public_id))
            return redirect(url_for("staff.request_detail", org=org, request_id=created.value.id))
    return _message_page(org, message_id, 422, create=form)


@bp.post("/<org>/inbound/<int:message_id>/attach")
def inbound_attach(org: str, message_id: int):
    organization, user = staff_page(org, MODIFY)
    form = AttachForm()
    if form.validate_on_submit():
        request_id = request_by_reference(organization, form.request.data)
        if request_id is None:
            form.request.errors = [f"{organization.name} has no request {form.request.data.strip()}."]
            return _message_page(org, message_id, 422, attach=form)
        attached = attempt(lambda: triage.attach_to_request(organization, user, message_id, request_id),
                           form, field="request")
        if not attached:
            return _message_page(org, message_id, 422, attach=form)
        comment_id = attached.value
        flash(_("Added to the request as a comment; the message is closed.") if comment_id else
              _("Linked to the request. Post the update on the request yourself; the message stays open."))
        return redirect(url_for("staff.request_detail", org=org, request_id=request_id))
    return _message_page(org, message_id, 422, attach=form)


@bp.post("/<org>/inbound/<int:message_id>/status")
def inbound_status(org: str, message_id: int):
    organization, user = staff_page(org, MODIFY)
    form = InboundStatusForm()
    if form.validate_on_submit():
        triage.set_status(organization, user, message_id, form.status.data)
        flash(_("Marked as %(status)s.", status=INBOUND_STATUS_LABELS[form.status.data]))
    return redirect(url_for("staff.inbound_message", org=org, message_id=message_id))


@bp.post("/<org>/inbound/<int:message_id>/delete")
def inbound_delete(org: str, message_id: int):
    organization, user = staff_page(org, MODIFY)
    triage.delete_as_spam(organization, user, message_id)
    flash(_("The message is deleted."))
    return redirect(url_for("staff.inbound_messages", org=org))
