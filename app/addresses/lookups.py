"""Address lookups: suggestions for typed text, the nearest address to a point, one best match.

Typed text becomes one LIKE pattern per word over the normalized `addresses.search`: every
word but the last must appear whole, the last as a word's start (it is still being typed), so
the GIN trigram index finds the candidates, and all of them are ranked by trigram similarity
(so the order, and each page of it, is the same on every call). Only points inside some
organization's service boundary count: the product cannot file a report anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, literal, select

from app.accounts.models import Organization
from app.addresses.models import Address
from app.addresses.text import words
from app.extensions import db
from geo.spatial import metres_from, within_metres

MIN_QUERY_CHARACTERS = 2
# A resolved address must share this much of its text with what was typed: "1 A St" must not
# settle on "100 Amber Street".
RESOLVE_MIN_SIMILARITY = 0.3


# What a lookup returns of each address: plain columns, the point as numbers (no ORM objects
# and no geometry parsing on the hot path of an autocomplete).
_COLUMNS = (Address.id, Address.label, Address.number, Address.street, Address.unit, Address.city,
            Address.postcode, func.ST_Y(Address.location).label("lat"), func.ST_X(Address.location).label("lng"))


@dataclass
class Found:
    """An address (its columns, `lat` and `lng`) and how it was found: similarity, or metres away."""

    address: dict
    similarity: float | None = None
    distance_m: float | None = None


def _served(organization_id: int | None):
    """The address lies inside a service boundary (of this organization, when one is named)."""
    covered = func.ST_Covers(Organization.boundary, Address.location)
    if organization_id is not None:
        covered = and_(covered, Organization.id == organization_id)
    return exists().where(covered)


def _patterns(tokens: list[str], last_is_prefix: bool) -> list[str]:
    # Tokens are [0-9a-z]+ only (text.words), so none carries a LIKE wildcard.
    patterns = [f"% {token} %" for token in tokens]
    if last_is_prefix:
        patterns[-1] = f"% {tokens[-1]}%"
    return patterns


def ranked_statement(tokens, *, last_is_prefix: bool, organization_id: int | None, limit: int,
                     offset: int = 0):
    """The SELECT of the addresses matching every typed word, ranked, one page of them."""
    similarity = func.similarity(Address.search, literal(" ".join(tokens)))
    return (
        select(*_COLUMNS, similarity.label("similarity"), func.count().over().label("total"))
        .where(*[Address.search.like(pattern) for pattern in _patterns(tokens, last_is_prefix)],
               _served(organization_id))
        .order_by(similarity.desc(), Address.label, Address.id)
        .limit(limit).offset(offset)
    )


def _ranked(tokens, *, last_is_prefix: bool, organization_id: int | None, limit: int,
            offset: int = 0) -> tuple[list[Found], int]:
    rows = db.session.execute(ranked_statement(
        tokens, last_is_prefix=last_is_prefix, organization_id=organization_id, limit=limit, offset=offset,
    )).mappings().all()
    total = rows[0]["total"] if rows else 0
    return [Found(_address(row), similarity=row["similarity"]) for row in rows], total


def _address(row) -> dict:
    return {column: row[column] for column in ("id", "label", "number", "street", "unit", "city", "postcode",
                                               "lat", "lng")}


def still_typing_last_word(query: str) -> bool:
    """A space or a comma after the last word says it is complete: "12 " is 12, not 123."""
    return query[-1:].isalnum()


def suggest(query: str, *, limit: int = 10, offset: int = 0,
            organization_id: int | None = None) -> tuple[list[Found], int]:
    """Addresses for what has been typed so far, best first, and how many matched in all."""
    tokens = words(query)
    if sum(len(token) for token in tokens) < MIN_QUERY_CHARACTERS:
        return [], 0
    still_typing = still_typing_last_word(query)
    return _ranked(tokens, last_is_prefix=still_typing, organization_id=organization_id, limit=limit,
                   offset=offset)


def _known_word(token: str) -> bool:
    """Some address anywhere in the table has this word (a city, a street, a number)."""
    return bool(db.session.scalar(select(exists().where(Address.search.like(f"% {token} %")))))


def resolve(address_string: str, organization_id: int | None = None) -> Found | None:
    """The one address a complete written address means, or None.

    Words no address in the table holds at all (a state, a country) are left out; a word some
    address holds (a city) must match, so "123 Main St, Elsewhere" does not settle in
    Springfield. The address's number must have been written: "Main Street" is no one point.
    """
    tokens = [token for token in words(address_string) if _known_word(token)]
    if len(tokens) < 2:
        return None
    found, _ = _ranked(tokens, last_is_prefix=False, organization_id=organization_id, limit=1)
    if not found:
        return None
    best = found[0]
    if best.similarity < RESOLVE_MIN_SIMILARITY or not set(words(best.address["number"])) <= set(tokens):
        return None
    return best


def nearest(lng: float, lat: float, radius_m: float, organization_id: int | None = None) -> Found | None:
    """The address point nearest (lng, lat) within `radius_m` metres, or None."""
    distance = metres_from(Address.location, lng, lat)
    row = db.session.execute(
        select(*_COLUMNS, distance.label("distance"))
        .where(within_metres(Address.location, lng, lat, radius_m), _served(organization_id))
        # Geodesic order: within the radius there are few points, and degrees of longitude
        # are shorter than degrees of latitude, so a planar KNN order could pick the wrong one.
        .order_by(distance, Address.id)
        .limit(1)
    ).mappings().first()
    return Found(_address(row), distance_m=row["distance"]) if row else None
