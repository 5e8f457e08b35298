"""Category schemas: the public view (with its questions), the organization's settings, and input."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from app.inputs import InputSchema
from app.pagination import PaginationArgs
from app.requests.attributes import AttributeSchema, check_unique_codes
from app.requests.models import PublicRestriction
from app.requests.schemas import ROW_ID, Latitude, Longitude

RESTRICTIONS = [r.value for r in PublicRestriction]


class PointArgs(InputSchema, PaginationArgs):
    lat = Latitude(required=True)
    lng = Longitude(required=True)


class CategorySummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    organization_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    public_restriction = ma.fields.String(required=True, validate=ma.validate.OneOf(RESTRICTIONS))


class CategorySchema(CategorySummarySchema):
    """A category as residents see it, with its questions (Open311 service attributes)."""

    active = ma.fields.Boolean(required=True)
    attributes = ma.fields.List(ma.fields.Nested(AttributeSchema), required=True)
    questions = ma.fields.List(ma.fields.Nested(AttributeSchema), dump_only=True, metadata={
        "description": "The attributes a report answers (not `variable: false` notes), in their order."})


class ServingOrganizationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    categories = ma.fields.List(ma.fields.Nested(CategorySummarySchema), required=True)


class StaffCategorySchema(CategorySchema):
    """A category with the organization's settings for it."""

    sla_hours = ma.fields.Integer(required=True, allow_none=True)
    auto_assignee_id = ma.fields.Integer(required=True, allow_none=True)
    routing_emails = ma.fields.List(ma.fields.String(), required=True)
    escalate_to_email = ma.fields.String(required=True, allow_none=True)
    duplicate_radius_m = ma.fields.Integer(metadata={"description": "open requests this close are offered as duplicates"})
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class CategorySettingsSchema(InputSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    active = ma.fields.Boolean(load_default=True)
    sla_hours = ma.fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=ma.validate.Range(min=1, max=24 * 366),
                                  metadata={"description": "Hours to resolve; null for no SLA."})
    auto_assignee_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True,
                                         validate=ROW_ID,
                                         metadata={"description": "A member who may edit requests."})
    routing_emails = ma.fields.List(ma.fields.Email(), load_default=list, validate=ma.validate.Length(max=20))
    escalate_to_email = ma.fields.Email(load_default=None, allow_none=True)
    duplicate_radius_m = ma.fields.Integer(load_default=50, strict=True, validate=ma.validate.Range(min=0, max=5000),
                                           metadata={"description": "Metres: open requests of the category this close "
                                                                    "to a new report are offered as duplicates."})
    public_restriction = ma.fields.String(load_default=PublicRestriction.NONE.value,
                                          validate=ma.validate.OneOf(RESTRICTIONS))
    attributes = ma.fields.List(ma.fields.Nested(AttributeSchema), load_default=list,
                                validate=ma.validate.Length(max=50))

    @ma.validates_schema
    def _unique_question_codes(self, data, **kwargs):
        check_unique_codes(data.get("attributes", []))


class CategoryCreateSchema(CategorySettingsSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^[a-z0-9][a-z0-9_-]{0,63}$", error=_l("Use lower-case letters, digits, '_' or '-'.")))


class CategoryUpdateSchema(CategorySettingsSchema):
    """Any of the settings; fields left out keep their value."""

    def __init__(self, *args, **kwargs):
        # Naming the top-level fields (not partial=True) keeps each question fully validated:
        # partial=True would reach into the nested questions and let their required fields go.
        kwargs.setdefault("partial", tuple(CategorySettingsSchema._declared_fields))
        super().__init__(*args, **kwargs)
