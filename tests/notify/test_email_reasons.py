"""The footer says why an email came, for every audience, in the reader's language: REASONS is one
table read by the inbox (the pages' catalogue) and by emails (the `emails` catalogue)."""

import pytest

from app.accounts.models import Organization
from app.events.service import record_event
from app.extensions import db
from app.notify.audiences import REASONS
from app.notify.compose import email_reason
from app.notify.fanout import fan_out
from app.notify.models import EmailDelivery
from emails.i18n import translate
from emails.render import render_email
from tests.factories import ServiceRequestFactory, UserFactory, make_member
from tests.support.auth import bearer

CITY = Organization(name="City of Springfield")


def _footer(audience: str, locale: str) -> str:
    delivery = EmailDelivery(kind="request.comment_public", audience=audience)
    context = {"reason": email_reason(delivery, CITY, locale), "preferences_url": "http://127.0.0.1:8000/me"}
    text = render_email("request.comment_public", context, locale=locale).text
    return text.split("\n-- \n", 1)[1].splitlines()[0]


@pytest.mark.parametrize("audience", sorted(REASONS))
def test_the_footer_gives_every_audiences_reason_in_spanish(audience):
    english = _footer(audience, "en")
    spanish = _footer(audience, "es")
    english_reason = REASONS[audience].format(org=CITY.name)
    assert english == f"You received this email because {english_reason}."
    assert spanish.startswith("Recibió este correo porque ") and spanish.endswith(".")
    spanish_reason = spanish.removeprefix("Recibió este correo porque ").removesuffix(".")
    assert spanish_reason != english_reason and english_reason not in spanish
    if "{org}" in REASONS[audience]:
        assert CITY.name in spanish_reason


def test_the_reporters_footer_reads_as_the_emails_write():
    assert _footer("reporter", "es") == "Recibió este correo porque usted presentó esta solicitud."


def test_an_email_reads_words_only_the_pages_translate_from_their_catalogue():
    """The emails' catalogue falls back to the pages' (emails/i18n.py: PAGES_TRANSLATIONS_DIR)."""
    assert translate("Requests I reported", "es") == "Solicitudes que reporté"


def test_the_inbox_gives_the_same_reason_in_the_pages_language(client, stub_broker):
    request = ServiceRequestFactory(reporter=UserFactory(locale="es"))
    event = record_event("request.acknowledged", request=request, actor=make_member(request.organization, "staff"))
    db.session.commit()
    fan_out(event.id)
    [note] = client.get("/api/v1/notifications", headers=bearer(request.reporter)).get_json()["items"]
    assert note["reason"] == "reportaste esta solicitud"


@pytest.mark.parametrize("preferences_url", ["http://127.0.0.1:8000/me", None])
def test_recipients_sharing_a_rendering_get_the_footer_each_would_alone(preferences_url):
    memo: dict = {}
    for locale in ("en", "es", "en"):
        for unsubscribe_url in ("http://127.0.0.1:8000/unsubscribe/a.b", None, "http://127.0.0.1:8000/unsubscribe/c&d"):
            context = {"reason": "you followed <this>", "preferences_url": preferences_url,
                       "unsubscribe_url": unsubscribe_url, "organization": {"name": "Springfield & Co"}}
            alone = render_email("request.comment_public", context, locale=locale)
            assert render_email("request.comment_public", context, locale=locale, memo=memo) == alone
