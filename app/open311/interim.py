"""STOPGAP until app/requests/service.py is on main: creating a request without the domain service.

Everything Open311 needs from the requests domain is this one function. When the requests
service lands, `submit` calls its submit function instead and this module is deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from app.accounts.models import Organization, User
from app.errors import ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.requests.models import CommentSource, Follower, RequestCategory, ServiceRequest
from app.work.sla import assign_sla_deadline

if TYPE_CHECKING:
    from app.open311.submit import Open311Report


def create_request_without_requests_service(organization: Organization, category: RequestCategory,
                                            report: Open311Report, answers: dict,
                                            reporter: User | None) -> ServiceRequest:
    """Add (not commit) a request from an Open311 report, its reporter following it, and its event."""
    point = from_shape(Point(report.long, report.lat), srid=4326)
    if organization.boundary is not None and not db.session.scalar(
            select(func.ST_Covers(organization.boundary, point))):
        raise ValidationFailed(f"This location is outside the area {organization.name} serves.",
                               {"location": ["Outside the service boundary."]})
    request = ServiceRequest(
        organization_id=organization.id, category=category, reporter_id=reporter.id if reporter else None,
        location=point, address=report.address_string or "", description=report.description,
        answers=answers, source=CommentSource.OPEN311.value,
    )
    db.session.add(request)
    assign_sla_deadline(request)
    db.session.flush()
    if reporter is not None:
        db.session.add(Follower(request_id=request.id, user_id=reporter.id))
    record_event("request.submitted", request=request, actor=reporter)
    return request
