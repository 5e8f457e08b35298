"""Portal forms (WTForms): field validation and the CSRF token every form carries."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."),
                                            Email("Enter a valid email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=1024)])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


def apply_service_error(form: FlaskForm, exc, default_field: str | None = None) -> None:
    """Show a domain service's refusal next to the field it names, or at the top of the form."""
    placed = False
    for name, messages in (exc.details or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
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
        return [str(m) for value in messages.values() for m in _as_list(value)]
    return [str(m) for m in messages]
