"""The report page without its script: "Find this address" places the point at a typed address."""

from __future__ import annotations

import re

from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.portal.pages import log_in, post_form
from tests.requests.city import build_city


def _input(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*id="{name}"[^>]*>', page).group(0)


def test_find_this_address_fills_the_point_and_the_categories(client, db, tmp_path):
    city = build_city()
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    log_in(client, city.resident_b)
    found = post_form(client, "/report", {"address": "123 main st", "lat": "", "lng": "", "find_address": "1"})
    assert found.status_code == 200
    assert 'value="123 Main Street, Springfield 62701"' in found.text
    assert 'value="39.7801"' in _input(found.text, "lat")
    assert 'value="-89.6501"' in _input(found.text, "lng")
    assert "Handled by City of Springfield." in found.text
    assert 'class="field-error"' not in found.text  # the empty boxes were not the resident's mistake


def test_an_address_it_cannot_find_is_said_next_to_the_address_field(client, db, tmp_path):
    city = build_city()
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    log_in(client, city.resident_b)
    missing = post_form(client, "/report", {"address": "999 Nowhere Lane", "find_address": "1"})
    assert missing.status_code == 422
    assert ('<p class="field-error" id="address-error">No address found like this. Check the spelling, '
            "or choose the point on the map.</p>") in missing.text
    assert 'aria-describedby="address-hint address-error"' in missing.text
