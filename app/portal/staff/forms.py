"""Staff portal forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
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
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the work order a title.")), Length(max=200)])
    notes = TextAreaField(_l("Notes for the crew"), validators=[Optional(), Length(max=20_000)])
    request = StringField(_l("Request number"), validators=[Optional(), Length(max=16)])
    assignee_id = SelectField(_l("Assigned to"), coerce=optional_id, validate_choice=False)
    due_at = DateTimeLocalField(_l("Due"), format="%Y-%m-%dT%H:%M", validators=[Optional(), within_window])


class WorkOrderUpdateForm(WorkOrderForm):
    request = None
    status = SelectField(_l("Status"))


class InvitationForm(FlaskForm):
    email = email_field(_l("Email address"))
    role = SelectField(_l("Role"))


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Role"))


class RoleForm(FlaskForm):
    name = StringField(_l("Role name"), validators=[DataRequired(_l("Name the role.")), Length(max=64)])


def permission_names() -> list[tuple[str, str]]:
    """Every permission with what it allows, for role checkboxes."""
    return list(PERMISSIONS.items())


class StaffCommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write something first.")), Length(max=10_000)])
    visibility = RadioField(_l("Who sees it"), default="internal", choices=[
        ("internal", _l("Internal: staff of the organization only")),
        ("public", _l("Public: the reporter, followers and everyone"))])


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assign to"), coerce=optional_id, validate_choice=False)


class RecategorizeForm(FlaskForm):
    category_id = SelectField(_l("Category"), coerce=optional_id, validate_choice=False,
                              validators=[DataRequired(_l("Choose a category."))])


class DueDateForm(FlaskForm):
    due_at = DateTimeLocalField(_l("Due date"), format="%Y-%m-%dT%H:%M", validators=[Optional(), within_window])


class QueueFilters(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    status = SelectMultipleField(_l("Status"), choices=status_choices(RequestStatus), default=["open", "acknowledged"])
    category = SelectField(_l("Category"), coerce=optional_id, validate_choice=False)
    assigned = SelectField(_l("Assigned"), choices=[("", _l("Anyone")), ("me", _l("Me"))], validate_choice=False)
    sla = SelectField(_l("SLA"), choices=[("", _l("Any")), ("breached", _l("Breached"))], validate_choice=False)


class InboundRequestForm(FlaskForm):
    category_id = SelectField(_l("Category"), coerce=optional_id, validate_choice=False,
                              validators=[DataRequired(_l("Choose a category."))])
    lat = FloatField(_l("Latitude"), validators=[InputRequired(_l("Click the map, or type the latitude.")),
                                             NumberRange(-90, 90, _l("A latitude is between -90 and 90."))])
    lng = FloatField(_l("Longitude"), validators=[InputRequired(_l("Click the map, or type the longitude.")),
                                              NumberRange(-180, 180, _l("A longitude is between -180 and 180."))])
    address = StringField(_l("Address or landmark"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(_l("Describe the problem.")),
                                                           Length(max=20_000)])


class AttachForm(FlaskForm):
    request = StringField(_l("Request number"), validators=[DataRequired(_l("Which request is it about?")), Length(max=16)])


class InboundStatusForm(FlaskForm):
    status = SelectField(_l("Mark as"), choices=status_choices(InboundMessageStatus))


RESTRICTION_LABELS = {
    "none": _l("Residents may close, reopen and comment"),
    "disable_reopen": _l("Residents may not reopen"),
    "disable_status_change": _l("Residents may not close or reopen"),
    "disable_closed_actions": _l("Nothing once closed (but following)"),
    "disable_all": _l("Residents may only follow"),
}


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the category.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("Active: residents can choose it"), default=True)
    sla_hours = IntegerField(_l("SLA (business hours)"), validators=[Optional(), NumberRange(1, 24 * 366)])
    auto_assignee_id = SelectField(_l("Assign new requests to"), coerce=optional_id, validate_choice=False)
    routing_emails = TextAreaField(_l("Also email these addresses (one per line)"), validators=[Optional()])
    escalate_to_email = StringField(_l("Escalate SLA breaches to"), validators=[Optional(), Length(max=254)])
    public_restriction = SelectField(_l("What residents may do"), choices=list(RESTRICTION_LABELS.items()))


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=2000)])
    text = TextAreaField(_l("Text body"), validators=[Optional()])
    html = TextAreaField(_l("HTML body"), validators=[Optional()])


class LanguageForm(FlaskForm):
    default_locale = SelectField(_l("Default language"), validators=[DataRequired()])


class InboundNoticeForm(FlaskForm):
    inbound_notice_to = StringField(_l("Send New Inbound Message Notices to"), validators=[Optional(), Length(max=254)])
    inbound_notice_cc = StringField(_l("Copy them to"), validators=[Optional(), Length(max=254)])


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Who the key is for"), validators=[DataRequired(_l("Name the client, like “Mobile app”.")),
                                                         Length(max=100)])


class MergeForm(FlaskForm):
    into_id = IntegerField(_l("Merge into request number"), validators=[
        InputRequired(_l("Give the number of the request this one duplicates.")), NumberRange(min=1)])


class AutomationActionForm(Form):
    """One action row of a rule: its type and the fields of that type (app/automations/rules.py: ACTIONS)."""

    type = SelectField(_l("Then"), choices=[("email", _l("Send an email template")), ("message", _l("Insert a message")),
                                            ("status", _l("Change the status")), ("assign", _l("Assign")),
                                            ("set_due", _l("Set the due date"))])
    template = SelectField(_l("Email template"), validate_choice=False)
    audience = SelectField(_l("To"), validate_choice=False)
    visibility = SelectField(_l("Message visibility"), choices=[("public", _l("Public")), ("internal", _l("Internal"))])
    body = TextAreaField(_l("Message (a template)"), validators=[Optional(), Length(max=20_000)])
    to = SelectField(_l("New status"), choices=status_choices(RequestStatus, ["acknowledged", "closed", "open"]))
    assignee_id = SelectField(_l("Assign to"), coerce=optional_id, validate_choice=False)
    hours = IntegerField(_l("Due in (hours)"), default=48, validators=[Optional(), NumberRange(min=1, max=24 * 366)])
    business_hours = BooleanField(_l("Business hours"))
    remove = SubmitField(_l("Remove this action"))


class AutomationForm(FlaskForm):
    """A rule and its actions, as many as the API takes: rows are added and removed by the form's own
    buttons (a round trip, so it works without JavaScript)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the automation.")), Length(max=200)])
    trigger_kind = SelectField(_l("When this happens"))
    category_id = SelectField(_l("Only in the category"), coerce=optional_id, validate_choice=False)
    status = SelectField(_l("Only if the request is then"), choices=[
        ("", _l("Any status")), *status_choices(RequestStatus, ["open", "acknowledged", "closed"])])
    delay_minutes = IntegerField(_l("After (minutes; 0: at once)"), default=0,
                                 validators=[InputRequired(_l("Give a delay, 0 for at once.")), NumberRange(min=0)])
    business_hours = BooleanField(_l("Count the delay in business hours"))
    actions = FieldList(FormField(AutomationActionForm), min_entries=1, max_entries=10)
    add_action = SubmitField(_l("Add an action"))


class CustomTemplateForm(FlaskForm):
    key = StringField(_l("Key"), validators=[DataRequired(_l("Give the template a key, like how-did-we-do.")),
                                         Length(max=56)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the template.")), Length(max=200)])
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=2000)])
    text = TextAreaField(_l("Text"), validators=[DataRequired(_l("Write the text.")), Length(max=100_000)])


class CriticalMessageForm(FlaskForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write the message.")), Length(max=20_000)])
