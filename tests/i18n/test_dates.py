"""One way to write a moment: the organization's time zone, the reader's language (pages and emails alike)."""

from datetime import UTC, datetime

from app.dates import format_when
from tests.factories import ServiceRequestFactory

EVENT = datetime(2026, 12, 1, 20, 5, tzinfo=UTC)  # 14:05 in Chicago, 15:05 in New York


def test_the_same_moment_reads_in_each_language_in_the_organizations_zone():
    assert format_when(EVENT, "America/Chicago", "es") == "1 dic 2026, 14:05"
    assert format_when(EVENT, "America/Chicago", "en") == "Dec 1, 2026, 2:05\u202fPM"  # CLDR's narrow space
    assert format_when(EVENT, "America/New_York", "en") == "Dec 1, 2026, 3:05\u202fPM"
    assert format_when(EVENT.isoformat(), "America/Chicago", "es") == "1 dic 2026, 14:05"  # payloads carry ISO text
    assert format_when(None, "America/Chicago", "es") is None


def test_a_page_writes_dates_in_the_organizations_zone_and_the_readers_language(client):
    request = ServiceRequestFactory(created_at=EVENT)
    page = f"/requests/{request.public_id}"
    spanish = client.get(page, headers={"Accept-Language": "es"}).text
    english = client.get(page, headers={"Accept-Language": "en"}).text
    stamp = f'<time datetime="{EVENT.isoformat()}">'
    assert stamp + "1 dic 2026, 14:05</time>" in spanish
    assert stamp + "Dec 1, 2026, 2:05\u202fPM</time>" in english
