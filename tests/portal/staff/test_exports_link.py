"""The queue page links to the exports of exactly what it shows; the link works with the page's session."""

from __future__ import annotations

import csv
import html
import io
import re

from tests.portal.pages import log_in
from tests.requests.city import build_city

QUEUE = "/staff/springfield/requests"


def test_the_queue_links_to_csv_and_geojson_of_its_filtered_requests(client, db):
    city = build_city()
    wanted = city.new_request(description="Closed pothole by the park", status="closed")
    city.new_request(description="Closed elsewhere", status="closed")
    log_in(client, city.staff)
    page = client.get(QUEUE + "?status=closed&q=park").text
    links = {label: html.unescape(href) for href, label in re.findall(r'<a class="button small" href="([^"]+)" download>(\w+)</a>', page)}
    assert set(links) == {"CSV", "GeoJSON"}
    assert links["CSV"].startswith("/api/v1/orgs/springfield/exports/requests.csv?")
    response = client.get(links["CSV"])  # the browser session is enough: no token
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["public_id"] for row in rows] == [wanted.public_id]
    assert "reporter_email" in rows[0]  # staff columns for staff
    geojson = client.get(links["GeoJSON"]).get_json(force=True)
    assert [f["properties"]["public_id"] for f in geojson["features"]] == [wanted.public_id]
