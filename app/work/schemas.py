"""Work-order API input and output, and the business-hours settings an organization stores."""

from __future__ import annotations

import marshmallow as ma

from app.inputs import Moment
from app.pagination import PaginationArgs
from app.work.business_hours import calendar_from_settings
from app.work.models import WorkOrderStatus

STATUSES = [s.value for s in WorkOrderStatus]


def _aware(**kwargs) -> ma.fields.AwareDateTime:
    # An instant without an offset is ambiguous across time zones and DST: refuse it. Inside the window.
    return Moment(format="iso", **kwargs)


class WorkOrderSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    organization = ma.fields.Function(lambda order: order.organization.slug)
    request_id = ma.fields.Integer(allow_none=True)
    title = ma.fields.String(required=True)
    notes = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": STATUSES})
    assignee_id = ma.fields.Integer(allow_none=True)
    created_by_id = ma.fields.Integer(allow_none=True)
    due_at = _aware(allow_none=True)
    created_at = _aware(required=True)
    updated_at = _aware(required=True)


class WorkOrderCreateSchema(ma.Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    notes = ma.fields.String(load_default="", validate=ma.validate.Length(max=20_000))
    request_id = ma.fields.Integer(load_default=None, allow_none=True)
    assignee_id = ma.fields.Integer(load_default=None, allow_none=True)
    due_at = _aware(load_default=None, allow_none=True)


class WorkOrderUpdateSchema(ma.Schema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    notes = ma.fields.String(validate=ma.validate.Length(max=20_000))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    assignee_id = ma.fields.Integer(allow_none=True)
    due_at = _aware(allow_none=True)


class WorkOrderListArgs(PaginationArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    assignee = ma.fields.Integer(data_key="assignee", attribute="assignee_id")
    request = ma.fields.Integer(data_key="request", attribute="request_id")


class BusinessHoursSettingsSchema(ma.Schema):
    """`Organization.settings["business_hours"]` as the settings API should accept it."""

    week = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.List(ma.fields.String())))
    holidays = ma.fields.Dict()

    @ma.validates_schema
    def _is_a_usable_calendar(self, data, **kwargs):
        try:
            calendar_from_settings({"business_hours": data}, "UTC")
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc
