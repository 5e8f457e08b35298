"""Load OpenAddresses files (CSV, GeoJSON, line-delimited GeoJSON) into `addresses`.

Rows stream through COPY into a temporary table, then one INSERT ... ON CONFLICT per batch
merges them: a file imported twice adds nothing, and a newer edition moves corrected points.
A row without a number, a street or a usable point is skipped and counted, never fatal: real
address files carry a few.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import text as sql

from app.addresses import text
from app.extensions import db

BATCH = 20_000
_COLUMNS = ("number", "street", "unit", "city", "postcode", "label", "search", "key", "lng", "lat")
_LIMITS = {"number": 40, "street": 200, "unit": 60, "city": 120, "postcode": 20}


@dataclass
class ImportResult:
    """What an import did: rows read, new addresses, moved or relabelled ones, and skipped rows."""

    read: int = 0
    added: int = 0
    updated: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _clean(record: dict, name: str) -> str:
    value = record.get(name)
    return "" if value is None else " ".join(str(value).split())


def _coordinate(value, bound: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None


def row_for(record: dict, lng, lat, result: ImportResult) -> tuple | None:
    """The COPY row of one address record, or None (counted in `result.skipped`)."""
    parts = {name: _clean(record, name) for name in _LIMITS}
    if not parts["number"] or not parts["street"]:
        result.skip("no number or street")
        return None
    if any(len(parts[name]) > limit for name, limit in _LIMITS.items()):
        result.skip("a field too long")
        return None
    lng, lat = _coordinate(lng, 180), _coordinate(lat, 90)
    if lng is None or lat is None:
        result.skip("no usable point")
        return None
    ordered = [parts[name] for name in _LIMITS]
    return (*ordered, text.label(*ordered), text.search_text(*ordered), text.key(*ordered), lng, lat)


def csv_records(stream: io.TextIOBase, result: ImportResult) -> Iterator[tuple]:
    """OpenAddresses CSV (LON, LAT, NUMBER, STREET, UNIT, CITY, ..., POSTCODE), any header case."""
    for record in csv.DictReader(stream):
        result.read += 1
        lowered = {(name or "").strip().lower(): value for name, value in record.items()}
        row = row_for(lowered, lowered.get("lon", lowered.get("lng")), lowered.get("lat"), result)
        if row:
            yield row


def _feature_row(feature, result: ImportResult) -> tuple | None:
    result.read += 1
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point" or not isinstance(
            geometry.get("coordinates"), list) or len(geometry["coordinates"]) < 2:
        result.skip("no usable point")
        return None
    properties = {str(k).lower(): v for k, v in (feature.get("properties") or {}).items()}
    return row_for(properties, *geometry["coordinates"][:2], result)


def geojson_records(stream: io.TextIOBase, result: ImportResult) -> Iterator[tuple]:
    """A FeatureCollection, or one Feature per line (OpenAddresses' own GeoJSON output)."""
    first = stream.readline()
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        head = None
    if isinstance(head, dict) and head.get("type") == "Feature":
        features: Iterable = _lines(first, stream)
    else:
        document = json.loads(first + stream.read())
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise ValueError("GeoJSON must be a FeatureCollection or one Feature per line")
        features = document.get("features") or []
    for feature in features:
        row = _feature_row(feature, result)
        if row:
            yield row


def _lines(first: str, stream: io.TextIOBase) -> Iterator[dict]:
    yield json.loads(first)
    for line in stream:
        if line.strip():
            yield json.loads(line)


def records(stream: io.TextIOBase, name: str, result: ImportResult) -> Iterator[tuple]:
    """The rows of a file, by its format: GeoJSON by extension or by a leading `{`, else CSV."""
    if name.lower().endswith((".geojson", ".geojsonl", ".json", ".ndjson")):
        return geojson_records(stream, result)
    start = stream.read(1)
    joined = _Prepended(start, stream)
    return geojson_records(joined, result) if start == "{" else csv_records(joined, result)


class _Prepended(io.TextIOBase):
    """A text stream with the characters already read put back in front."""

    def __init__(self, head: str, stream: io.TextIOBase):
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> str:
        head, self._head = self._head, ""
        if size is None or size < 0:
            return head + self._stream.read()
        return head + self._stream.read(max(size - len(head), 0))

    def readline(self, size: int = -1) -> str:
        head, self._head = self._head, ""
        if head.endswith("\n"):
            return head
        return head + self._stream.readline()

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def _merge(rows: list[tuple], result: ImportResult) -> None:
    """COPY one batch into a temporary table and merge it into `addresses`."""
    connection = db.session.connection()
    connection.execute(sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS address_import (number text, street text, unit text, "
        "city text, postcode text, label text, search text, key text, lng float8, lat float8) "
        "ON COMMIT DROP"))
    connection.execute(sql("TRUNCATE address_import"))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
            f"COPY address_import ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    # DISTINCT ON: one file may list an address twice; the last line wins, as it would by hand.
    outcome = connection.execute(sql("""
        INSERT INTO addresses (number, street, unit, city, postcode, label, search, key, location)
        SELECT DISTINCT ON (key) number, street, unit, city, postcode, label, search, key,
               ST_SetSRID(ST_MakePoint(lng, lat), 4326)
        FROM address_import
        ORDER BY key, ctid DESC
        ON CONFLICT (key) DO UPDATE SET location = EXCLUDED.location, label = EXCLUDED.label,
            number = EXCLUDED.number, street = EXCLUDED.street, unit = EXCLUDED.unit,
            city = EXCLUDED.city, postcode = EXCLUDED.postcode, search = EXCLUDED.search
        WHERE NOT ST_Equals(addresses.location, EXCLUDED.location) OR addresses.label <> EXCLUDED.label
        RETURNING (xmax = 0) AS added
    """)).scalars().all()
    result.added += sum(1 for added in outcome if added)
    result.updated += sum(1 for added in outcome if not added)


def import_addresses(stream: io.TextIOBase, name: str = "", batch: int = BATCH) -> ImportResult:
    """Import every address in `stream` (named `name`, for its format); committed batch by batch."""
    result = ImportResult()
    pending: list[tuple] = []
    for row in records(stream, name, result):
        pending.append(row)
        if len(pending) >= batch:
            _merge(pending, result)
            db.session.commit()
            pending = []
    if pending:
        _merge(pending, result)
    db.session.commit()
    return result
