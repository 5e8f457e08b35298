"""Organizations' own email templates, one per kind per language: read, replace (validated), preview.

Which override an email uses is `pick_override`: the one written in the recipient's language,
else in the organization's default language, else in English; with none, the built-in template
in the recipient's language.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.accounts.models import Organization, User
from app.dates import format_when
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.i18n import DEFAULT_LOCALE, LANGUAGES, supported
from app.links import page_url
from app.notify.matrix import EVENT_TYPES
from app.notify.models import EmailTemplate
from app.transactions import unit_of_work
from emails.addresses import request_address
from emails.i18n import email_text, translate
from emails.render import (
    PARTS,
    TEMPLATE_VARIABLES,
    TemplateInvalid,
    default_source,
    render_email,
    validate_templates,
)

TEMPLATE_KINDS = (*EVENT_TYPES, "digest")
_COLUMNS = {"subject": "subject", "text": "text_body", "html": "html_body"}


def pick_override(written: dict[str, dict], recipient_locale: str, default_locale: str | None) -> tuple[dict | None, str]:
    """The override to use from `written` (language -> parts) and the language to render in.

    The recipient's language, then the organization's default language, then English; with no
    override in any of them, (None, the recipient's language): the built-in template.
    """
    for locale in (recipient_locale, default_locale, DEFAULT_LOCALE):
        if locale and locale in written:
            return written[locale], locale
    return None, recipient_locale


def _kind(kind: str, org: Organization | None = None) -> str:
    # Besides the event kinds, an organization's own templates ("custom.<key>", made for automations).
    if kind not in TEMPLATE_KINDS and not (org is not None and kind.startswith("custom.") and db.session.scalar(
            select(EmailTemplate.event_kind).where(EmailTemplate.organization_id == org.id,
                                                   EmailTemplate.event_kind == kind).limit(1)) is not None):
        raise NotFound(_("No email template %(kind)s.", kind=repr(kind)), {"event": kind})
    return kind


def template_locale(org: Organization, locale: str | None) -> str:
    """The language an override is read or written in: the one asked for, else the organization's default."""
    if locale in (None, ""):
        return supported(org.default_locale) or DEFAULT_LOCALE
    chosen = supported(locale)
    if chosen is None or chosen != locale:
        raise ValidationFailed(_("No language %(locale)s; one of %(languages)s.", locale=repr(locale),
                                 languages=", ".join(LANGUAGES)), {"locale": [_("Unknown language.")]})
    return chosen


# The reasons emails/sandbox.py words itself (REASONS), by code, in the reader's language: the
# msgids are the English there (tests/notify/test_template_reasons.py keeps both tables equal).
TEMPLATE_REASONS = {
    "too_slow": _l("the template takes longer than %(seconds)s s to render"),
    "repeated_too_large": _l("a repeated value would be larger than %(limit)s characters"),
    "joined_too_large": _l("a joined value would be larger than %(limit)s characters"),
    "formatted_too_large": _l("a formatted value would be larger than %(limit)s characters"),
    "argument_too_large": _l("a value of that width or count would be larger than %(limit)s characters"),
    "output_too_large": _l("the rendered template would be larger than %(limit)s characters"),
    "power_too_large": _l("a number in the template is too large (a power over %(limit)s)"),
    "range_too_long": _l("range() may give at most %(limit)s items"),
    "unsafe_attribute": _l("access to attribute %(name)s of a %(type)s object is unsafe"),
    "unsafe_call": _l("%(name)s is not safely callable"),
    "undefined": _l("%(name)s is undefined"),
    "no_attribute": _l("a %(type)s object has no attribute %(name)s"),
    "no_element": _l("a %(type)s object has no element %(name)s"),
}


def template_reason(exc) -> str:
    """Why a template was refused (a TemplateInvalid or an OverBudget), in the reader's language.

    A reason emails/ worded itself is translated from its code, its numbers written the reader's
    way; Jinja's syntax errors ("unexpected '}'") and Python's own come as their library wrote them."""
    code = getattr(exc, "code", None)
    if code not in TEMPLATE_REASONS:
        return exc.reason
    values = {name: format_decimal(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
              for name, value in exc.values.items()}
    return str(TEMPLATE_REASONS[code]) % values


DIGEST_LABEL = email_text("Daily digest")  # the digest email's label, in previews as in the email


def sample_context(org: Organization, kind: str, locale: str = DEFAULT_LOCALE) -> dict:
    """Every documented variable with example values, as a real email of `kind` would have them."""
    public_id = "abc123xyz0"
    request_url = page_url("request", public_id=public_id)
    when = lambda *moment: format_when(datetime(*moment, tzinfo=UTC), org.timezone, locale)  # noqa: E731
    return {
        "organization": {"name": org.name, "slug": org.slug},
        "recipient": {"name": "Alex Resident", "email": "alex@example.org"},
        "actor": {"name": "Sam Staff", "email": "sam@example.org"},
        "event": {"kind": kind, "label": EVENT_TYPES[kind].label if kind in EVENT_TYPES else translate(DIGEST_LABEL, locale),
                  "created_at": when(2026, 3, 2, 15, 30)},
        "request": {"public_id": public_id, "description": "A pothole the size of a bathtub",
                    "address": "1 Main Street", "status": "acknowledged",
                    "status_text": translate("acknowledged", locale), "category": "Pothole",
                    "url": request_url, "created_at": when(2026, 3, 2, 15, 30),
                    "due_at": when(2026, 3, 4, 23, 0),
                    "staff_url": page_url("staff_request", org=org.slug, request_id=1)},
        "request_email": request_address(public_id, current_app.config["INBOUND_DOMAIN"]),
        "comment": {"body": "A crew is on its way.", "author": "Sam Staff", "visibility": "public"},
        "previous_category": "Sidewalk",
        "due_at": when(2026, 3, 4, 23, 0),
        "previous_due_at": when(2026, 3, 3, 23, 0),
        "by_reporter": False,
        "merged_into": {"public_id": "def456uvw1", "url": page_url("request", public_id="def456uvw1")},
        "work_order": {"title": "Patch the pothole", "due_at": when(2026, 3, 4, 23, 0),
                       "notes": "Bring cold patch.",
                       "url": page_url("staff_work_order", org=org.slug, work_order_id=1)},
        "watch_area": {"name": "My street", "url": page_url("watch_area", area_id=1)},
        "link": _sample_link(org, kind),
        "invitation": {"role": "staff", "expires_at": "Mon 09 Mar 2026 09:30 CST"},
        "register_url": page_url("register"),
        "inbound_message": {"id": 1, "url": page_url("staff_inbound", org=org.slug, message_id=1),
                            "sender": "pat@example.net", "sender_name": "Pat", "subject": "Streetlight out",
                            "body": "The light on Elm Street is out again.", "received_at": when(2026, 3, 2, 15, 30)},
        "digest_items": [{"subject": "A request is acknowledged: request abc123xyz0",
                          "url": request_url, "created_at": when(2026, 3, 2, 15, 30)}],
        "audience": "reporter",
        "reason": translate("you reported this request", locale),
        "preferences_url": page_url("preferences"),
        "unsubscribe_url": page_url("unsubscribe", token="example"),
        "app_url": page_url("home"),
    }


# The page each account email's `link` opens (a sample token: the preview signs nothing).
_ACCOUNT_LINK_PAGES = {"account.confirm_email": "confirm_email", "account.password_reset": "reset_password",
                       "account.registration_attempted": "reset_password",
                       "account.invited_new": "set_password"}


def _sample_link(org: Organization, kind: str) -> str:
    if kind == "organization.invitation":
        return page_url("invitation", token="example")
    return _account_sample_link(org, kind)


def _account_sample_link(org: Organization, kind: str) -> str:
    if kind in _ACCOUNT_LINK_PAGES:
        return page_url(_ACCOUNT_LINK_PAGES[kind], token="example")
    return page_url("staff_home", org=org.slug)


def _written_locales(org: Organization, kind: str) -> list[str]:
    return sorted(db.session.scalars(select(EmailTemplate.locale).where(
        EmailTemplate.organization_id == org.id, EmailTemplate.event_kind == kind)))


def template_view(org: Organization, kind: str, locale: str | None = None) -> dict:
    """The organization's override of `kind` in `locale` (default: its default language), part by part."""
    locale = template_locale(org, locale)
    row = db.session.get(EmailTemplate, (org.id, _kind(kind, org), locale))
    saved = {part: getattr(row, _COLUMNS[part]) if row else None for part in PARTS}
    return {
        "event": kind,
        "locale": locale,
        "written_in": _written_locales(org, kind),
        **{part: saved[part] if saved[part] is not None else default_source(kind, part) for part in PARTS},
        "overridden": {part: saved[part] is not None for part in PARTS},
        "variables": TEMPLATE_VARIABLES,
    }


def check_renders(org: Organization, kind: str) -> None:
    """The organization's template for `kind` renders within the budget (sample data); else 422 with the reason.

    An automation's email action asks first, so a template stored before the budget (or one
    that only a real request's data pushes over it) fails the run, which says why, rather than
    every delivery later."""
    saved = template_view(org, kind)
    try:
        validate_templates(kind, {part: saved[part] for part in PARTS}, sample_context(org, kind))
    except TemplateInvalid as exc:
        reason = template_reason(exc)
        raise ValidationFailed(_("The email template %(kind)r cannot be rendered (%(part)s): %(reason)s",
                                 kind=kind, part=exc.part, reason=reason),
                               {"template": {exc.part: reason}}) from None


def _validated(org: Organization, kind: str, sources: dict, locale: str = DEFAULT_LOCALE) -> None:
    try:
        validate_templates(kind, sources, sample_context(org, kind, locale))
    except TemplateInvalid as exc:
        reason = template_reason(exc)
        message = (_("The %(part)s template is invalid (line %(line)s): %(reason)s", part=exc.part, line=exc.line,
                     reason=reason) if exc.line
                   else _("The %(part)s template is invalid: %(reason)s", part=exc.part, reason=reason))
        raise ValidationFailed(message,
                               {exc.part: {"line": exc.line, "reason": reason}}) from None


@unit_of_work()
def save_template(org: Organization, kind: str, user: User, parts: dict) -> dict:
    """Replace the organization's template for `kind` in `parts["locale"]` (default: the organization's
    language; a part left null reverts to the default) and commit."""
    locale = template_locale(org, parts.get("locale"))
    sources = {part: parts.get(part) or None for part in PARTS}
    _validated(org, _kind(kind, org), sources, locale)
    if all(source is None for source in sources.values()):
        db.session.execute(delete(EmailTemplate).where(EmailTemplate.organization_id == org.id,
                                                       EmailTemplate.event_kind == kind,
                                                       EmailTemplate.locale == locale))
    else:
        row = (db.session.get(EmailTemplate, (org.id, kind, locale))
               or EmailTemplate(organization_id=org.id, event_kind=kind, locale=locale))
        for part, column in _COLUMNS.items():
            setattr(row, column, sources[part])
        row.updated_by_id = user.id
        db.session.add(row)
    return template_view(org, kind, locale)


def preview(org: Organization, kind: str, draft: dict) -> dict:
    """Render the draft (or what is saved, part by part) with sample data, in the draft's `locale`; 422 when invalid."""
    locale = template_locale(org, draft.get("locale"))
    saved = template_view(org, _kind(kind, org), locale)
    sources = {part: draft.get(part) if draft.get(part) is not None else saved[part] for part in PARTS}
    _validated(org, kind, {part: source for part, source in sources.items() if draft.get(part) is not None}, locale)
    rendered = render_email(kind, sample_context(org, kind, locale), sources, locale=locale)
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}


def validate_custom(org: Organization, kind: str, parts: dict) -> None:
    """Refuse (422 naming the part and line) an organization's own template that does not render."""
    _validated(org, kind, {part: parts.get(part) for part in PARTS})
