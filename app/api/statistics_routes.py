"""/api/v1/orgs/{org}/statistics: the figures of the staff statistics page, for a chosen period."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from app.api.auth import require_org_permission
from app.api.inputs import InputSchema
from app.requests import statistics

URL_PREFIX = "/orgs/<org>/statistics"
PERMISSION = "view_requests"
blp = Blueprint("statistics", __name__, description="Staff statistics: volumes, backlog, SLA compliance, medians")


class StatisticsArgs(InputSchema):
    start = ma.fields.Date(data_key="from", metadata={"description": "First day (organization's time zone); default: 29 days before `to`."})
    end = ma.fields.Date(data_key="to", metadata={"description": "Last day, included; default: today."})
    interval = ma.fields.String(validate=ma.validate.OneOf(statistics.INTERVALS),
                                metadata={"description": "Buckets of requests_by_category (default: day, or week past 61 days)."})


class StatisticsSchema(ma.Schema):
    start = ma.fields.String(data_key="from", required=True)
    end = ma.fields.String(data_key="to", required=True)
    interval = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)
    categories = ma.fields.List(ma.fields.Dict(), required=True)
    total_requests = ma.fields.Integer(required=True)
    requests_by_category = ma.fields.List(ma.fields.Dict(), required=True,
                                          metadata={"description": "{period, category_id, count} per bucket."})
    backlog = ma.fields.Dict(required=True, metadata={"description": "Not closed at the end of the period."})
    sla = ma.fields.Dict(required=True, metadata={"description": "decided, breached, compliance (0..1 or null)."})
    time_to_acknowledge = ma.fields.Dict(required=True, metadata={"description": "Medians in seconds."})
    time_to_close = ma.fields.Dict(required=True)


@blp.get("")
@blp.arguments(StatisticsArgs, location="query")
@blp.response(200, StatisticsSchema)
def get_statistics(args, org):
    """Requests per category over time, the open backlog, SLA compliance and median times (permission `view_requests`)."""
    organization, _ = require_org_permission(org, PERMISSION)
    period = statistics.period_for(organization, args.get("start"), args.get("end"), args.get("interval"))
    figures = statistics.statistics(organization, period)
    return {**figures, "start": figures.pop("from"), "end": figures.pop("to")}
