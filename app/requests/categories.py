"""Request categories: what serves a point, and an organization's own category settings.

Staff read their organization's categories with `view_requests` (they recategorize with
them) and change them with `manage_settings`. Settings are not request events: no Event.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.boundaries import organizations_serving
from app.accounts.models import Organization, User
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.requests import policy
from app.requests.models import RequestCategory
from app.transactions import unit_of_work

READ_PERMISSION = "view_requests"
WRITE_PERMISSION = "manage_settings"


def serving_point(lng: float, lat: float) -> list[dict]:
    """Organizations serving the point, each with its active categories by name."""
    organizations = organizations_serving(lng, lat)
    categories = db.session.scalars(
        select(RequestCategory)
        .where(RequestCategory.organization_id.in_([org.id for org in organizations]),
               RequestCategory.active.is_(True))
        .order_by(RequestCategory.name, RequestCategory.id)
    ) if organizations else []
    by_org: dict[int, list[RequestCategory]] = {org.id: [] for org in organizations}
    for category in categories:
        by_org[category.organization_id].append(category)
    return [{"id": org.id, "slug": org.slug, "name": org.name, "categories": by_org[org.id]}
            for org in organizations]


def get_category(category_id: int, *, organization_id: int | None = None) -> RequestCategory:
    """The category (of the organization, when given), or 404."""
    category = db.session.get(RequestCategory, category_id)
    if category is None or (organization_id is not None and category.organization_id != organization_id):
        raise NotFound(_("No category %(category_id)s.", category_id=category_id), {"id": category_id})
    return category


def list_for_staff(organization: Organization, actor: User | None) -> list[RequestCategory]:
    """Every category of the organization, inactive ones included."""
    policy.require_permission(organization, actor, READ_PERMISSION)
    return list(db.session.scalars(
        select(RequestCategory).where(RequestCategory.organization_id == organization.id)
        .order_by(RequestCategory.name, RequestCategory.id)))


def get_for_staff(organization: Organization, actor: User | None, category_id: int) -> RequestCategory:
    policy.require_permission(organization, actor, READ_PERMISSION)
    return get_category(category_id, organization_id=organization.id)


def _check_assignee(organization: Organization, fields: dict) -> None:
    assignee_id = fields.get("auto_assignee_id")
    if assignee_id is None:
        return
    user = db.session.get(User, assignee_id)
    if user is None or "edit_requests" not in policy.permissions_of(user, organization.id):
        message = _("User %(id)s is not a member of %(organization)s who may handle requests.", id=assignee_id,
                    organization=organization.slug)
        raise ValidationFailed(message, {"json": {"auto_assignee_id": [message]}})


@unit_of_work()
def create(organization: Organization, actor: User | None, fields: dict) -> RequestCategory:
    """Add a category; its code is unique within the organization (409 otherwise)."""
    policy.require_permission(organization, actor, WRITE_PERMISSION)
    _check_assignee(organization, fields)
    category = RequestCategory(organization_id=organization.id, **fields)
    db.session.add(category)
    # Worded before the flush: a failed flush leaves the session unreadable (the locale is looked up in it).
    taken = _("%(slug)s already has a category %(code)s.", slug=organization.slug, code=repr(fields["code"]))
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(taken, {"code": fields["code"]}) from None
    return category


@unit_of_work()
def update(organization: Organization, actor: User | None, category_id: int, fields: dict) -> RequestCategory:
    """Change the given settings; fields left out keep their value."""
    policy.require_permission(organization, actor, WRITE_PERMISSION)
    category = get_category(category_id, organization_id=organization.id)
    _check_assignee(organization, fields)
    for name, value in fields.items():
        setattr(category, name, value)
    return category
