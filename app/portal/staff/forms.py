"""Staff portal forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.accounts.permissions import PERMISSIONS
from app.inbound.models import InboundMessageStatus
from app.portal.forms import email_field, within_window
from app.portal.labels import status_choices
from app.requests.models import RequestStatus


def optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class WorkOrderForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the work order a title."), Length(max=200)])
    notes = TextAreaField("Notes for the crew", validators=[Optional(), Length(max=20_000)])
    request = StringField("Request number", validators=[Optional(), Length(max=16)])
    assignee_id = SelectField("Assigned to", coerce=optional_id, validate_choice=False)
    due_at = DateTimeLocalField("Due", format="%Y-%m-%dT%H:%M", validators=[Optional(), within_window])


class WorkOrderUpdateForm(WorkOrderForm):
    request = None
    status = SelectField("Status")


class InvitationForm(FlaskForm):
    email = email_field("Email address")
    role = SelectField("Role")


class MemberRoleForm(FlaskForm):
    role = SelectField("Role")


class RoleForm(FlaskForm):
    name = StringField("Role name", validators=[DataRequired("Name the role."), Length(max=64)])


def permission_names() -> list[tuple[str, str]]:
    """Every permission with what it allows, for role checkboxes."""
    return list(PERMISSIONS.items())


class StaffCommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired("Write something first."), Length(max=10_000)])
    visibility = RadioField("Who sees it", default="internal", choices=[
        ("internal", "Internal: staff of the organization only"),
        ("public", "Public: the reporter, followers and everyone")])


class AssignForm(FlaskForm):
    assignee_id = SelectField("Assign to", coerce=optional_id, validate_choice=False)


class RecategorizeForm(FlaskForm):
    category_id = SelectField("Category", coerce=optional_id, validate_choice=False,
                              validators=[DataRequired("Choose a category.")])


class DueDateForm(FlaskForm):
    due_at = DateTimeLocalField("Due date", format="%Y-%m-%dT%H:%M", validators=[Optional(), within_window])


class QueueFilters(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = SearchField("Search", validators=[Optional(), Length(max=200)])
    status = SelectMultipleField("Status", choices=status_choices(RequestStatus), default=["open", "acknowledged"])
    category = SelectField("Category", coerce=optional_id, validate_choice=False)
    assigned = SelectField("Assigned", choices=[("", "Anyone"), ("me", "Me")], validate_choice=False)
    sla = SelectField("SLA", choices=[("", "Any"), ("breached", "Breached")], validate_choice=False)


class InboundRequestForm(FlaskForm):
    category_id = SelectField("Category", coerce=optional_id, validate_choice=False,
                              validators=[DataRequired("Choose a category.")])
    lat = FloatField("Latitude", validators=[InputRequired("Click the map, or type the latitude."),
                                             NumberRange(-90, 90, "A latitude is between -90 and 90.")])
    lng = FloatField("Longitude", validators=[InputRequired("Click the map, or type the longitude."),
                                              NumberRange(-180, 180, "A longitude is between -180 and 180.")])
    address = StringField("Address or landmark", validators=[Optional(), Length(max=500)])
    description = TextAreaField("Description", validators=[DataRequired("Describe the problem."),
                                                           Length(max=20_000)])


class AttachForm(FlaskForm):
    request = StringField("Request number", validators=[DataRequired("Which request is it about?"), Length(max=16)])


class InboundStatusForm(FlaskForm):
    status = SelectField("Mark as", choices=status_choices(InboundMessageStatus))


RESTRICTION_LABELS = {
    "none": "Residents may close, reopen and comment",
    "disable_reopen": "Residents may not reopen",
    "disable_status_change": "Residents may not close or reopen",
    "disable_closed_actions": "Nothing once closed (but following)",
    "disable_all": "Residents may only follow",
}


class CategoryForm(FlaskForm):
    code = StringField("Code", validators=[Optional(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired("Name the category."), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    active = BooleanField("Active: residents can choose it", default=True)
    sla_hours = IntegerField("SLA (business hours)", validators=[Optional(), NumberRange(1, 24 * 366)])
    auto_assignee_id = SelectField("Assign new requests to", coerce=optional_id, validate_choice=False)
    routing_emails = TextAreaField("Also email these addresses (one per line)", validators=[Optional()])
    escalate_to_email = StringField("Escalate SLA breaches to", validators=[Optional(), Length(max=254)])
    public_restriction = SelectField("What residents may do", choices=list(RESTRICTION_LABELS.items()))


class TemplateForm(FlaskForm):
    subject = StringField("Subject", validators=[Optional(), Length(max=2000)])
    text = TextAreaField("Text body", validators=[Optional()])
    html = TextAreaField("HTML body", validators=[Optional()])


class InboundNoticeForm(FlaskForm):
    inbound_notice_to = StringField("Send New Inbound Message Notices to", validators=[Optional(), Length(max=254)])
    inbound_notice_cc = StringField("Copy them to", validators=[Optional(), Length(max=254)])


class ApiKeyForm(FlaskForm):
    name = StringField("Who the key is for", validators=[DataRequired("Name the client, like “Mobile app”."),
                                                         Length(max=100)])


class MergeForm(FlaskForm):
    into_id = IntegerField("Merge into request number", validators=[
        InputRequired("Give the number of the request this one duplicates."), NumberRange(min=1)])


class AutomationForm(FlaskForm):
    """A rule with one action (more through the API): the fields of app/automations/rules.py."""

    name = StringField("Name", validators=[DataRequired("Name the automation."), Length(max=200)])
    trigger_kind = SelectField("When this happens")
    category_id = SelectField("Only in the category", coerce=optional_id, validate_choice=False)
    status = SelectField("Only if the request is then", choices=[
        ("", "Any status"), *status_choices(RequestStatus, ["open", "acknowledged", "closed"])])
    delay_minutes = IntegerField("After (minutes; 0: at once)", default=0,
                                 validators=[InputRequired("Give a delay, 0 for at once."), NumberRange(min=0)])
    business_hours = BooleanField("Count the delay in business hours")
    action = SelectField("Then", choices=[("email", "Send an email template"), ("message", "Insert a message"),
                                          ("status", "Change the status")])
    template = SelectField("Email template", validate_choice=False)
    audience = SelectField("To", validate_choice=False)
    visibility = SelectField("Message visibility", choices=[("public", "Public"), ("internal", "Internal")])
    body = TextAreaField("Message (a template)", validators=[Optional(), Length(max=20_000)])
    to = SelectField("New status", choices=status_choices(RequestStatus, ["acknowledged", "closed", "open"]))


class CustomTemplateForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired("Give the template a key, like how-did-we-do."),
                                         Length(max=56)])
    name = StringField("Name", validators=[DataRequired("Name the template."), Length(max=200)])
    subject = StringField("Subject", validators=[DataRequired("Write a subject."), Length(max=2000)])
    text = TextAreaField("Text", validators=[DataRequired("Write the text."), Length(max=100_000)])


class CriticalMessageForm(FlaskForm):
    message = TextAreaField("Message", validators=[DataRequired("Write the message."), Length(max=20_000)])
