"""Rendering notification emails: ONE function, a sandboxed Jinja environment, documented variables.

Defaults live in `emails/templates/<event kind>.subject`, `.txt` and `.html`; an
organization may override any of the three per kind and language (app/notify/templates.py
stores them). Every rendering has a language: `{% trans %}` and `_()` read the `emails`
catalogue of that language (emails/i18n.py), and the footer is written in it.
Templates only ever see plain dicts, lists and strings (never ORM objects), in an immutable
sandbox, so an organization's template cannot reach the application; and every template is
rendered by `render_within_budget`, within a time and an output budget (emails/sandbox.py), so
none can hold a web or worker thread or fill its memory.
The footer saying why the email was sent, with the preferences link, is added by
`render_email` itself, outside the templates, so no override can drop it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import FileSystemLoader, TemplateError, TemplateSyntaxError, meta
from markupsafe import escape

from emails.i18n import DEFAULT_LOCALE, email_text, translate, translations
from emails.sandbox import (  # noqa: F401 (OverBudget: the one error of the budget, for callers)
    OUTPUT_BUDGET_CHARS,
    TIME_BUDGET_SECONDS,
    BudgetedSandbox,
    OverBudget,
    ReasonedStrictUndefined,
    ReasonedUndefined,
    Refused,
    check_deadline,
    too_large,
    within_deadline,
)

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
PARTS = ("subject", "text", "html")
_SUFFIX = {"subject": ".subject", "text": ".txt", "html": ".html"}

# Every variable a template may use. Absent ones are None (e.g. `request` for account mail).
TEMPLATE_VARIABLES: dict[str, str] = {
    "organization": "{name, slug}: the organization sending the email",
    "recipient": "{name, email}: who this email is for",
    "actor": "{name}: who did it (None when the system did)",
    "event": "{kind, label, created_at}: what happened",
    "request": "{public_id, description, address, status, status_text, category, url, created_at, due_at,"
               " staff_url} (status_text: the status in the reader's language; staff_url: the staff portal's"
               " page, in staff email only)",
    "request_email": "the request's own address: mail sent there becomes a comment on it",
    "comment": "{body, author, visibility}: the comment (internal ones only for staff)",
    "previous_category": "the category before a recategorization",
    "due_at": "the new due date (due date and work order events)",
    "previous_due_at": "the due date before the change",
    "by_reporter": "True when the reporter closed or reopened the request themselves",
    "merged_into": "{public_id, url}: the request a duplicate was merged into",
    "work_order": "{title, due_at, notes, url}: the work order (staff only)",
    "watch_area": "{name, url}: the watch area",
    "link": "the action link of account emails (confirm, reset, set a password, open the organization)",
    "invitation": "{role, expires_at}: an invitation to join the organization (its accept page is `link`)",
    "register_url": "where someone without an account registers (invitations)",
    "inbound_message": "{id, url, sender, sender_name, subject, body, received_at}: the inbound message to triage",
    "digest_items": "[{subject, url, created_at}]: what a daily digest lists",
    "audience": "which audience of the matrix the recipient is in (reporter, followers, assignee, ...)",
    "reason": "why this person received this email (one sentence)",
    "preferences_url": "where to choose what you receive (None for an address without an account)",
    "unsubscribe_url": "one-click unsubscribe page (subscription emails only, else None)",
    "app_url": "the web app's base address",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class TemplateInvalid(Exception):
    """A template that cannot be used, with the part, line and reason (English).

    `code` and `values` are those of a reason worded here (emails/sandbox.py: REASONS), for the
    caller to translate; None when the words are Jinja's own (a syntax error such as "unexpected
    '}'") or Python's (a filter misused): those stay as their library writes them."""

    def __init__(self, part: str, line: int | None, reason: str, code: str | None = None,
                 values: dict | None = None):
        super().__init__(f"{part} template, line {line}: {reason}" if line else f"{part} template: {reason}")
        self.part, self.line, self.reason = part, line, reason
        self.code, self.values = code, values or {}


@lru_cache(maxsize=64)
def _environment(html: bool, strict: bool, locale: str = DEFAULT_LOCALE) -> BudgetedSandbox:
    """One environment per language: `{% trans %}` and `_()` read that language's `emails` catalogue."""
    environment = BudgetedSandbox(
        loader=FileSystemLoader(TEMPLATE_DIR),
        auto_reload=False,  # the shipped templates change with a deploy, not while running
        autoescape=html,
        undefined=ReasonedStrictUndefined if strict else ReasonedUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations(locale), newstyle=True)
    return environment


@lru_cache(maxsize=1024)
def _compile(source: str, html: bool, strict: bool, locale: str = DEFAULT_LOCALE):
    return _environment(html, strict, locale).from_string(source)


def render_within_budget(template, values: dict, seconds: float = TIME_BUDGET_SECONDS) -> str:
    """Render one compiled template within the time and output budgets; else OverBudget with the reason.

    Every rendering of a template (preview, save, the email worker, automations' messages) goes
    through here. The output is streamed and counted as it grows; the deadline stops the
    rendering wherever it is (emails/sandbox.py).
    """
    def stream() -> str:
        pieces, size = [], 0
        for piece in template.generate(values):
            check_deadline()
            size += len(piece)
            if size > OUTPUT_BUDGET_CHARS:
                raise too_large("output_too_large")
            pieces.append(piece)
        return "".join(pieces)

    return within_deadline(stream, seconds)


@lru_cache(maxsize=256)
def default_source(kind: str, part: str) -> str:
    """The shipped template for one part of one kind ('' when there is none)."""
    path = os.path.join(TEMPLATE_DIR, kind + _SUFFIX[part])
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _one_line(subject: str) -> str:
    # A subject is one header line: no template may inject another header.
    return re.sub(r"\s+", " ", subject).strip()[:250]


_FOOTER = {
    "because": email_text("You received this email because {reason}."),
    "default_reason": email_text("you have an account with us"),
    "choose": email_text("Choose what you receive"),
    "ask_org": email_text("To stop these emails, ask {org} to change its notification settings."),
    "the_org": email_text("the organization"),
    "unsubscribe": email_text("Unsubscribe"),
}


def _footer(context: dict, locale: str, memo: dict | None = None) -> tuple[str, str]:
    """The footer's text and HTML; with a `memo`, what recipients share is written once (all but the unsubscribe link)."""
    org = None if context.get("preferences_url") else (context.get("organization") or {}).get("name")
    reason = context.get("reason")
    key = ("footer", locale, type(reason), reason, context.get("preferences_url"), org)  # type: Markup is not escaped
    shared = memo.get(key) if memo is not None else None
    if shared is None:
        shared = _shared_footer(context, locale)
        if memo is not None:
            memo[key] = shared
    text, html, unsubscribe = shared
    if context.get("unsubscribe_url"):
        text += f"\n{unsubscribe}: {context['unsubscribe_url']}"
        html += f' &middot; <a href="{escape(context["unsubscribe_url"])}">{escape(unsubscribe)}</a>'
    return "\n\n-- \n" + text + "\n", '<hr><div class="footer">' + html + "</p></div>"


def _shared_footer(context: dict, locale: str) -> tuple[str, str, str]:
    """The footer's lines and HTML before the unsubscribe link, and that link's word."""
    said = lambda key, **values: translate(_FOOTER[key], locale, **values)  # noqa: E731
    reason = context.get("reason") or said("default_reason")
    lines = [said("because", reason=reason)]
    html = [f"<p>{said('because', reason=escape(reason))}<br>"]
    if context.get("preferences_url"):
        lines.append(f"{said('choose')}: {context['preferences_url']}")
        html.append(f'<a href="{escape(context["preferences_url"])}">{escape(said("choose"))}</a>')
    else:  # an address the organization configured, not an account: the organization chooses
        org = (context.get("organization") or {}).get("name") or said("the_org")
        lines.append(said("ask_org", org=org))
        html.append(said("ask_org", org=escape(org)))
    return "\n".join(lines), "".join(html), said("unsubscribe")


@lru_cache(maxsize=1024)
def _variables(source: str, html: bool) -> frozenset[str] | None:
    """The variables a template (with what it includes or extends) reads; None when it cannot be told."""
    environment = _environment(html, False)
    tree = environment.parse(source)
    names = set(meta.find_undeclared_variables(tree))
    for name in meta.find_referenced_templates(tree):
        included = None if name is None else _variables(environment.loader.get_source(environment, name)[0], html)
        if included is None:
            return None
        names |= included
    return frozenset(names)


def _memo_key(sources: dict, values: dict) -> tuple | None:
    used: set[str] = set()
    for part in PARTS:
        names = _variables(sources[part], part == "html")
        if names is None:
            return None
        used |= names
    return (tuple(sources.values()), repr([values.get(name) for name in sorted(used)]))


def render_email(kind: str, context: dict, override: dict | None = None, *, strict: bool = False,
                 memo: dict | None = None, locale: str = DEFAULT_LOCALE) -> RenderedEmail:
    """Render subject, text and HTML for `kind` in `locale`; `override` maps part -> source (None: the default).

    With a `memo` dict, recipients whose templates read the same values share one rendering
    (the templates of a request event rarely read anything about the recipient); the footer
    is still written for each.
    """
    sources = {part: (override or {}).get(part) or default_source(kind, part) for part in PARTS}
    values = {name: context.get(name) for name in TEMPLATE_VARIABLES}
    key = _memo_key(sources, values) if memo is not None else None
    key = (locale, key) if key is not None else None
    if key is not None and key in memo:
        subject, text, html = memo[key]
    else:
        subject = _one_line(render_within_budget(_compile(sources["subject"], False, strict, locale), values))
        text = render_within_budget(_compile(sources["text"], False, strict, locale), values).rstrip()
        html = render_within_budget(_compile(sources["html"], True, strict, locale), values)
        if key is not None:
            memo[key] = (subject, text, html)
    text_footer, html_footer = _footer(values, locale, memo)
    if "</body>" in html:
        html = html.replace("</body>", html_footer + "</body>", 1)
    else:
        html += html_footer
    return RenderedEmail(subject, text + "\n" + text_footer, html)


def _template_line(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja rewrites tracebacks to point there)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def validate_templates(kind: str, sources: dict, context: dict) -> None:
    """Raise TemplateInvalid unless every given part parses and renders with `context`."""
    for part in PARTS:
        source = sources.get(part)
        if source is None:
            continue
        try:
            render_within_budget(_compile.__wrapped__(source, part == "html", True),
                                 {name: context.get(name) for name in TEMPLATE_VARIABLES})
        except Refused as exc:  # the budget, an unsafe attribute or call, an undefined value: our words
            raise TemplateInvalid(part, _template_line(exc), exc.reason, exc.code, exc.values) from None
        except TemplateSyntaxError as exc:  # Jinja's own words (English), as Jinja writes them
            raise TemplateInvalid(part, exc.lineno, exc.message or str(exc)) from None
        except TemplateError as exc:  # any other of Jinja's, in its words
            raise TemplateInvalid(part, _template_line(exc), str(exc)) from None
        except Exception as exc:  # e.g. a TypeError from a filter misused in the template
            raise TemplateInvalid(part, _template_line(exc), f"{type(exc).__name__}: {exc}") from None


def render_snippet(source: str, context: dict, locale: str = DEFAULT_LOCALE) -> str:
    """One plain-text template (an automation's message), in the same sandbox, variables and budget."""
    return render_within_budget(_compile(source, False, False, locale), {name: context.get(name) for name in TEMPLATE_VARIABLES})
