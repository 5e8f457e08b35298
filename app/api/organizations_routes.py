"""/api/v1/organizations, /categories and /orgs/{org}/categories: who serves a point, with what.

Residents ask which organizations serve a point and what each category asks; staff read
their organization's categories (`view_requests`) and change them (`manage_settings`).
"""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import current_user, organization_or_404
from app.api.paths import INT_ID
from app.api.responses import errors
from app.pagination import page_schema
from app.requests import categories
from app.requests.category_schemas import (
    CategoryCreateSchema,
    CategorySchema,
    CategoryUpdateSchema,
    PointArgs,
    ServingOrganizationSchema,
    StaffCategorySchema,
)

URL_PREFIX = ""
blp = Blueprint("organizations", __name__, description="Organizations serving a point and their categories")


@blp.get("/organizations")
@blp.arguments(PointArgs, location="query")
@blp.response(200, page_schema(ServingOrganizationSchema, "ServingOrganizationPageSchema"))
def serving(args):
    """Organizations whose service boundary covers (lat, lng), each with its active categories."""
    found = categories.serving_point(args["lng"], args["lat"])
    first = (args["page"] - 1) * args["per_page"]
    return {"items": found[first:first + args["per_page"]], "total": len(found),
            "page": args["page"], "per_page": args["per_page"]}


@blp.get(f"/categories/<{INT_ID}:category_id>")
@blp.response(200, CategorySchema)
@errors(blp, 404)
def category(category_id):
    """A category and its questions (Open311 service attributes) to answer when reporting."""
    return categories.get_category(category_id)


@blp.get("/orgs/<org>/categories")
@blp.response(200, StaffCategorySchema(many=True))
@errors(blp, 401, 403, 404)
def staff_categories(org):
    """Every category of the organization with its settings (permission `view_requests`)."""
    return categories.list_for_staff(organization_or_404(org), current_user())


@blp.post("/orgs/<org>/categories")
@blp.arguments(CategoryCreateSchema)
@blp.response(201, StaffCategorySchema)
@errors(blp, 401, 403, 404, 409)
def create_category(body, org):
    """Add a category (permission `manage_settings`)."""
    return categories.create(organization_or_404(org), current_user(), body)


@blp.get(f"/orgs/<org>/categories/<{INT_ID}:category_id>")
@blp.response(200, StaffCategorySchema)
@errors(blp, 401, 403, 404)
def staff_category(org, category_id):
    """One category with its settings (permission `view_requests`)."""
    return categories.get_for_staff(organization_or_404(org), current_user(), category_id)


@blp.put(f"/orgs/<org>/categories/<{INT_ID}:category_id>")
@blp.arguments(CategoryUpdateSchema)
@blp.response(200, StaffCategorySchema)
@errors(blp, 401, 403, 404)
def update_category(body, org, category_id):
    """Change a category's settings; fields left out keep their value (permission `manage_settings`)."""
    return categories.update(organization_or_404(org), current_user(), category_id, body)
