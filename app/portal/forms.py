"""Portal forms (WTForms): field validation and the CSRF token every form carries."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.accounts.passwords import password_problem
from app.inputs import OUTSIDE_WINDOW, in_window


def password_policy(form, field) -> None:
    """The accounts' password policy, word for word."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def email_field(label: str = _l("Email")) -> EmailField:
    return EmailField(label, validators=[DataRequired(_l("Enter your email address.")),
                                         Email(_l("Enter a valid email address.")), Length(max=254)])


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password.")), password_policy]),
        PasswordField(_l("Repeat the password"), validators=[DataRequired(_l("Repeat the password.")),
                                                         EqualTo("password", _l("The two passwords differ."))]),
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                     Length(max=1024)])
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Tell us your name.")), Length(max=200)])
    email = email_field()
    password, password_again = new_password_fields()


class EmailForm(FlaskForm):
    email = email_field()


class NewPasswordForm(FlaskForm):
    token = HiddenField()
    password, password_again = new_password_fields()


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Your name cannot be empty.")), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ReportForm(FlaskForm):
    lat = FloatField(_l("Latitude"), validators=[InputRequired(_l("Click the map, or type the latitude.")),
                                             NumberRange(-90, 90, _l("A latitude is between -90 and 90."))])
    lng = FloatField(_l("Longitude"), validators=[InputRequired(_l("Click the map, or type the longitude.")),
                                              NumberRange(-180, 180, _l("A longitude is between -180 and 180."))])
    address = StringField(_l("Address or landmark"), validators=[Optional(), Length(max=500)])
    category_id = SelectField(_l("What is the problem?"), coerce=optional_int, validate_choice=False,
                              validators=[InputRequired(_l("Choose what kind of problem it is."))])
    description = TextAreaField(_l("Describe it"), validators=[DataRequired(_l("Tell the city what is wrong.")),
                                                            Length(max=5000)])
    photos = MultipleFileField(_l("Photos"))
    anonymous = BooleanField(_l("Do not show my name publicly (the city's staff still see who reported)"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write something first.")), Length(max=10_000)])
    internal = BooleanField(_l("Internal: only staff of the organization see it"))


class CloseForm(FlaskForm):
    comment = TextAreaField(_l("Closing comment (optional, public)"), validators=[Optional(), Length(max=10_000)])


class ReopenForm(FlaskForm):
    comment = TextAreaField(_l("Why reopen it? (optional, public)"), validators=[Optional(), Length(max=10_000)])


def optional_float(value):
    """A number from a hidden field a script fills in; anything else is no number."""
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


class WatchAreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the area, like “Around home”.")), Length(max=200)])
    # Around an address (app.watch.around): the address, how far around it, and the point the
    # page's script found for the chosen suggestion (empty without the script: the server resolves it).
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    radius_m = SelectField(_l("How far around it"), coerce=int, validate_choice=False)
    address_lat = HiddenField(filters=[optional_float])
    address_lng = HiddenField(filters=[optional_float])
    geometry = TextAreaField(_l("The area's corners"), validators=[Optional()])
    public = BooleanField(_l("Public: others may see and follow it"))
    category_ids = SelectMultipleField(_l("Only these kinds of problem (none chosen: every kind)"),
                                       coerce=int, validate_choice=False)
    repair = BooleanField(_l("Fix the outline if its edges cross"))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


# Where a service's ValidationFailed details put field errors (webargs' locations).
_LOCATIONS = ("json", "form", "query", "files")


def _field_details(details: dict) -> dict:
    for location in _LOCATIONS:
        if isinstance(details.get(location), dict):
            return details[location]
    return details


def apply_service_error(form: FlaskForm, exc, default_field: str | None = None) -> None:
    """Show a domain service's refusal next to the field it names, or at the top of the form."""
    placed = False
    # Only a 422's details name fields; a 409's (say) describe the conflict instead.
    details = _field_details(exc.details or {}) if exc.status == 422 else {}
    for name, messages in details.items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors") or name == "csrf_token":
            continue
        if field.type == "HiddenField":  # nobody sees an error beside a hidden field
            form.form_errors.extend(_as_list(messages))
        else:
            field.errors = list(field.errors) + _as_list(messages)
        placed = True
    if not placed:
        if default_field and getattr(form, default_field, None) is not None:
            getattr(form, default_field).errors = list(getattr(form, default_field).errors) + [exc.message]
        else:
            form.form_errors.append(exc.message)


def _as_list(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        if "reason" in messages:  # a template error: {"line": n, "reason": text}
            line = messages.get("line")
            return [_("Line %(line)s: %(reason)s", line=line, reason=messages["reason"]) if line else messages["reason"]]
        return [m for value in messages.values() for m in _as_list(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _as_list(value)]
    return [str(messages)]


def within_window(form, field) -> None:
    """A date-time field's value inside the window every date-time input keeps (app/inputs.py)."""
    if field.data is not None and not in_window(field.data):
        raise ValidationError(_(OUTSIDE_WINDOW))
