"""/api/v1/orgs/{org}/exports: the organization's requests as CSV or GeoJSON, streamed, with the queue's filters."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import Response, stream_with_context
from flask_smorest import Blueprint

from app.api.auth import current_user, organization_or_404
from app.requests import exports
from app.requests.schemas import RequestFiltersSchema

URL_PREFIX = "/orgs/<org>/exports"
blp = Blueprint("exports", __name__, description="Exports of requests (staff columns for staff, public ones for anyone)")


class ExportFiltersSchema(RequestFiltersSchema):
    sla = ma.fields.String(validate=ma.validate.OneOf(["breached"]),
                           metadata={"description": "`breached`: live requests past their SLA deadline (the queue's filter)."})

    class Meta:
        exclude = ("page", "per_page", "mine")


def _download(org: str, filters: dict, chunks, mimetype: str, extension: str) -> Response:
    organization, user = organization_or_404(org), current_user()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    response = Response(stream_with_context(chunks(organization, user, filters)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{organization.slug}-requests-{stamp}.{extension}"'
    response.headers["Cache-Control"] = "no-store"  # staff columns hold personal data
    return response


@blp.get("/requests.csv")
@blp.arguments(ExportFiltersSchema, location="query")
@blp.response(200, content_type="text/csv", description="One row per request; the header names the columns.")
def requests_csv(filters, org):
    """Every request matching the filters as CSV, oldest first (staff of the organization get staff columns)."""
    return _download(org, filters, exports.csv_chunks, "text/csv", "csv")


@blp.get("/requests.geojson")
@blp.arguments(ExportFiltersSchema, location="query")
@blp.response(200, content_type="application/geo+json", description="A FeatureCollection of points.")
def requests_geojson(filters, org):
    """Every request matching the filters as a GeoJSON FeatureCollection (properties as in the CSV)."""
    return _download(org, filters, exports.geojson_chunks, "application/geo+json", "geojson")
