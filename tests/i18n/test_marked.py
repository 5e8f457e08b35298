"""Every string a person reads on a page, in a form error, a flash or an API message goes through
gettext; the detector itself is shown to catch what it must."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.i18n.unmarked import (
    captions_after_values,
    error_helpers,
    fragmented_sentences,
    template_macros,
    unmarked_in_python,
    unmarked_in_script,
    unmarked_in_template,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "app" / "portal" / "templates").rglob("*.html"))
MACROS = template_macros(TEMPLATES)
# Python whose words people read: the pages, and every service an API or page error comes from.
# Left out, and English on purpose: Open311 (its error descriptions are machine-read, per the
# GeoReport specification), the metrics endpoint and the inbound-mail webhook (read by operators'
# scrapers and mail providers), the CLI and the demo seed.
ENGLISH_ONLY = ("app/open311/", "app/observability/", "app/inbound/webhook.py", "app/cli.py", "app/seed/",
                "app/scheduler.py", "app/mailsink.py")
MODULES = sorted(path for path in (ROOT / "app").rglob("*.py")
                 if not str(path.relative_to(ROOT)).startswith(ENGLISH_ONLY))
# Functions anywhere in the app that turn their argument into a refusal (`refuse(field, message)`).
HELPERS = set().union(*(error_helpers(path.read_text()) for path in MODULES))


SCRIPTS = sorted((ROOT / "app" / "static" / "js").glob("*.js"))


@pytest.fixture(autouse=True)
def _app_context():
    """These tests read source files only: no app, no database to empty after each."""
    yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    yield


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "app" / "portal" / "templates")))
def test_every_visible_string_of_a_template_is_marked(path):
    assert unmarked_in_template(path.read_text(), MACROS) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_for_people_in_python_goes_through_gettext(path):
    assert unmarked_in_python(path.read_text(), helpers=HELPERS) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "app" / "portal" / "templates")))
def test_no_template_builds_a_sentence_from_pieces_around_a_value(path):
    assert fragmented_sentences(path.read_text()) == []


def test_the_fragment_detector_catches_pieces_around_values_but_not_labels_or_whole_messages():
    fixture = """
<p>{{ _('Mail to') }} <strong>{{ address }}</strong> {{ _('and replies land in') }} <a href="/x">{{ _('Inbox') }}</a>.</p>
<p>{{ _('Staff then sign in at') }} <a href="{{ url }}">{{ url }}</a>.</p>
<dt>{{ _('Status') }}</dt><dd>{{ status }}</dd>
<p>{{ _('SLA breached:') }} <span>{{ count }}</span></p>
<p>{{ _('Mail to %(address)s lands in %(inbox)s.', address=address, inbox=inbox) }}</p>
<span>{{ _('overdue') }}</span> {% trans due=due %}due {{ due }}{% endtrans %}
<iframe title="{{ _('The HTML part') }}" srcdoc="{{ html }}"></iframe>
"""
    assert [line.split(":", 1)[0] for line in fragmented_sentences(fixture)] == ["2", "3"]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_word_a_script_shows_goes_through_its_gettext(path):
    assert unmarked_in_script(path.read_text()) == []


def test_the_script_detector_catches_literals_and_template_pieces_but_not_code_or_marked_words():
    fixture = """
// A comment with "Words in quotes" is not shown.
import { gettext, ngettext } from "./i18n.js";
const pattern = /Not a string/g;
link.textContent = item.title || "Request";
status.textContent = `${count} unread notification${count === 1 ? "" : "s"}`;
button.append(element_("button", { className: "button small", textContent: "This is it" }));
marker.title = gettext("The problem is here");
live.textContent = ngettext("{n} unread notification", "{n} unread notifications", count);
if (event.key === "Escape" || "Notification" in window) fetch(`/api/v1/requests?${query}`);
const name = q.required ? gettext("{question} (required)", { question: q.description }) : "Civic 311";
"""
    assert unmarked_in_script(fixture) == ["5: Request", "6: unread notification", "7: This is it"]


def test_the_template_detector_catches_unmarked_text_attributes_and_printed_constants():
    fixture = """
{% from "_forms.html" import field %}
<h1>Report a problem</h1>
<p>{{ _('Marked') }} · {% trans n=3 %}{{ n }} marked too{% endtrans %} — Civic 311</p>
<input type="search" placeholder="Search requests" aria-label="{{ _('Search') }}">
<input type="submit" value="Send it">
<img src="x.png" alt="A photo">
<span class="{{ 'open' if x else 'closed' }}">{{ 'Public' if x else _('Private') }}</span>
{{ field(form.x, autocomplete='email', hint='At least ten characters.') }}
<script type="application/json">{"label": "Not for people"}</script>
"""
    assert unmarked_in_template(fixture, {"field"}) == [
        "Report a problem", 'placeholder="Search requests"', 'value="Send it"', 'alt="A photo"',
        "Public", "At least ten characters."]


def test_the_python_detector_catches_bare_refusals_flashes_and_labels():
    fixture = '''
from flask_babel import gettext as _
class Refused(ValidationFailed):
    pass
def f(name):
    raise NotFound(f"No request {name}.")
    raise Refused("Not like this.", {"json": {"name": ["Too long."]}})
    raise Conflict(_("Marked %(name)s.", name=name), {"json": {"name": [_("Marked too.")]}})
    flash("Saved.")
    flash(_("Saved."))
    render_template("x.html", title="Check your email", kind="plain")
    StringField("Your name", validators=[DataRequired("Tell us your name."), Length(max=3)])
    EqualTo("password", "The two passwords differ.")
    form.category_id.choices = [("", "Any category"), ("", _("Marked"))]
    return _act(request_id, perform, "The request is closed.")
    return attempt_then_redirect(perform, "The member is removed.", "/staff")
def _problem(index, field, message):
    return ValidationFailed(_("Action %(n)s: %(m)s", n=index, m=message), {"json": {field: [message]}})
def check(rule):
    def refuse(field, message):
        raise ValidationFailed(message)
    refuse("status", f"Choose one of {rule}.")
    raise _problem(0, "type", "Unknown field for this action.")
    raise _problem(0, "type", _("Marked."))
    check_message(rule, lambda reason: _problem(0, "body", reason))
'''
    assert [line.split(": ", 1)[1] for line in unmarked_in_python(fixture)] == [
        'f"No request {name}."', '"Not like this."', '"Too long."', '"Saved."', '"Check your email"',
        '"Your name"', '"Tell us your name."', '"The two passwords differ."', '"Any category"',
        '"The request is closed."', '"The member is removed."', 'f"Choose one of {rule}."',
        '"Unknown field for this action."']


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "app" / "portal" / "templates")))
def test_no_template_puts_a_value_before_a_caption_in_another_message(path):
    assert captions_after_values(path.read_text()) == []


def test_the_caption_detector_catches_a_number_before_its_caption_but_not_whole_messages():
    fixture = """
<p><span class="stat" id="total-requests">{{ figures.total_requests }}</span> {{ _('received') }}</p>
<p><span class="stat">{{ queue.open }}</span> {% trans acknowledged=queue.acknowledged %}open · {{ acknowledged }}{% endtrans %}</p>
<p>{{ _('%(count)s received', count=total) }}</p>
<span class="pill">{{ _('overdue') }}</span> {% trans due=due %}due {{ due }}{% endtrans %}
<td>{{ m.received_at }} {{ _('Inbox') }}</td>
"""
    assert [line.split(":", 1)[0] for line in captions_after_values(fixture)] == ["2", "3"]
