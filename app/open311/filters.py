"""GET requests' arguments: the specification's filters and the common paging extensions.

Every argument is optional, and an empty one counts as absent (the specification's rule).
Lists may be comma separated, repeated, or both. requested_datetime windows may span at
most 90 days and default to the latest 90 days; `updated_after`/`updated_before` select by
last change instead and then lift the default window, which is what they are for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from werkzeug.datastructures import MultiDict

from app.db_types import utcnow
from app.inputs import OUTSIDE_WINDOW, in_window
from app.open311 import mapping
from app.open311.errors import BadRequest
from app.open311.queries import RequestFilters

MAX_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
MAX_IDS = 1000
MAX_PAGE = 100_000  # page * page_size stays far inside what an OFFSET can hold


def _listed(args: MultiDict, name: str) -> list[str]:
    values = [part.strip() for raw in args.getlist(name) for part in raw.split(",")]
    return list(dict.fromkeys(value for value in values if value))


def _datetime(args: MultiDict, name: str) -> datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = mapping.parse_w3_datetime(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a W3C datetime such as 2010-01-01T00:00:00Z, got {raw[:40]!r}.") from None
    if not in_window(value):
        raise BadRequest(f"{name}: {OUTSIDE_WINDOW}")
    return value


def _positive_int(args: MultiDict, name: str, default: int, maximum: int | None = None) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    # isascii: str.isdigit also says yes to "²", which int() refuses; 18 digits fit a bigint.
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        raise BadRequest(f"{name} must be a positive whole number, got {raw[:40]!r}.")
    maximum = maximum or 10**18 - 1
    if len(raw.lstrip("0")) > 18 or int(raw) > maximum:
        raise BadRequest(f"{name} may be at most {maximum}, got {raw[:40]}.")
    return int(raw)


def requested_window(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The requested_datetime range to search: at most 90 days, the latest 90 when unspecified."""
    if start is None and end is None:
        return now - MAX_WINDOW, now
    if start is None:
        return end - MAX_WINDOW, end
    if end is None:
        return start, start + MAX_WINDOW
    if end < start:
        raise BadRequest("end_date is before start_date.")
    if end - start > MAX_WINDOW:
        raise BadRequest("start_date and end_date may not span more than 90 days.")
    return start, end


def parse(args: MultiDict) -> RequestFilters:
    """Validated filters from a query string, or a 400 naming what is wrong."""
    ids = _listed(args, "service_request_id")
    if len(ids) > MAX_IDS:
        raise BadRequest(f"At most {MAX_IDS} service_request_id values may be asked for at once.")
    statuses = _listed(args, "status")
    unknown = [status for status in statuses if status not in mapping.WORKFLOW_STATUSES]
    if unknown:
        raise BadRequest(f"status must be open or closed, got {', '.join(unknown)}.")
    filters = RequestFilters(
        ids=ids,
        service_codes=_listed(args, "service_code"),
        statuses=statuses,
        updated_after=_datetime(args, "updated_after"),
        updated_before=_datetime(args, "updated_before"),
        page=_positive_int(args, "page", 1, MAX_PAGE),
        page_size=_positive_int(args, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )
    start, end = _datetime(args, "start_date"), _datetime(args, "end_date")
    by_update = filters.updated_after is not None or filters.updated_before is not None
    if start is not None or end is not None or not by_update:
        filters.start, filters.end = requested_window(start, end, utcnow())
    return filters


def wants_extensions(args: MultiDict) -> bool:
    return (args.get("extensions") or "").strip().lower() == "true"
