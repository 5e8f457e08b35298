"""How our categories, requests and comments read as Open311 services, requests and notes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.accounts.models import Organization
from app.requests.models import Comment, RequestCategory, ServiceRequest
from geo.wkb import point_coordinates

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"

# Our workflow status -> the specification's two statuses.
OPEN311_STATUS: dict[str, str] = {
    "open": "open",
    "acknowledged": "open",
    "closed": "closed",
    "archived": "closed",
}
# The specification's status -> every workflow status it stands for.
WORKFLOW_STATUSES: dict[str, tuple[str, ...]] = {
    open311: tuple(ours for ours, theirs in OPEN311_STATUS.items() if theirs == open311)
    for open311 in sorted(set(OPEN311_STATUS.values()))
}

LIST_DATATYPES = ("singlevaluelist", "multivaluelist")

# The requests service names fields as the JSON API does; an Open311 client knows the form's names.
FORM_FIELDS: dict[str, str] = {
    "lng": "long",
    "category_id": "service_code",
    "address": "address_string",
}


def form_field(path: str) -> str:
    """The POST form's name for a field the requests service names (`answers.size` -> `attribute[size]`)."""
    if path.startswith("answers."):
        return f"attribute[{path.removeprefix('answers.')}]"
    return FORM_FIELDS.get(path, path)


def w3_datetime(value: datetime | None, organization: Organization) -> str | None:
    """A W3C datetime in the organization's local time, with its UTC offset."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(organization.timezone)).isoformat(timespec="seconds")


def parse_w3_datetime(raw: str) -> datetime:
    """A datetime from W3C/ISO 8601 text; one without a zone is taken as UTC. ValueError otherwise."""
    value = datetime.fromisoformat(raw.strip().replace(" ", "+") if "T" in raw else raw.strip())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def service_notice(category: RequestCategory, organization: Organization) -> str | None:
    if not category.sla_hours:
        return None
    return f"{organization.name} aims to respond within {category.sla_hours} business hours."


def service(category: RequestCategory) -> dict:
    """One entry of GET services."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": None,
        "group": None,
    }


def _attribute(raw: dict, position: int) -> dict:
    datatype = raw.get("datatype", "string")
    attribute = {
        "variable": bool(raw.get("variable", True)),
        "code": str(raw["code"]),
        "datatype": datatype,
        "required": bool(raw.get("required", False)),
        "datatype_description": raw.get("datatype_description") or None,
        "order": int(raw.get("order") or position),
        "description": raw.get("description") or raw.get("name") or str(raw["code"]),
    }
    if datatype in LIST_DATATYPES:
        attribute["values"] = [{"key": value["key"], "name": value.get("name", value["key"])}
                               for value in raw.get("values") or []]
    return attribute


def attribute_definitions(category: RequestCategory) -> list[dict]:
    """The category's questions as Open311 attributes, in their presentation order."""
    attributes = [_attribute(raw, position) for position, raw in enumerate(category.attributes or [], start=1)]
    return sorted(attributes, key=lambda attribute: attribute["order"])


def service_definition(category: RequestCategory) -> dict:
    """GET services/{service_code}."""
    return {"service_code": category.code, "attributes": attribute_definitions(category)}


def service_request(request: ServiceRequest, *, status_notes: str | None, media_url: str | None,
                    notes: list[dict] | None = None) -> dict:
    """One request of GET requests: public fields only, never the reporter or internal notes."""
    organization, category = request.organization, request.category
    lng, lat = point_coordinates(request.location)
    document = {
        "service_request_id": request.public_id,
        "status": OPEN311_STATUS[request.status],
        "status_notes": status_notes,
        "service_name": category.name,
        "service_code": category.code,
        "description": request.description,
        "agency_responsible": organization.name,
        "service_notice": service_notice(category, organization),
        "requested_datetime": w3_datetime(request.created_at, organization),
        "updated_datetime": w3_datetime(request.updated_at, organization),
        "expected_datetime": w3_datetime(request.due_at or request.sla_due_at, organization),
        "address": request.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": media_url,
    }
    if notes is not None:
        # FixMyStreet #958: how many residents said "me too".
        document["extended_attributes"] = {"notes": notes, "support_count": request.support_count}
    return document


def note(comment: Comment, organization: Organization, *, from_staff: bool) -> dict:
    """A public comment as an entry of the notes history (extensions=true); no author is named."""
    return {
        "datetime": w3_datetime(comment.created_at, organization),
        "type": "comment",
        "summary": f"Update from {organization.name}" if from_staff else "Comment from a resident",
        "description": comment.body,
    }
