"""Address files as OpenAddresses writes them, imported through the real CLI command."""

from __future__ import annotations

import csv
import io

from flask import current_app

HEADER = ["LON", "LAT", "NUMBER", "STREET", "UNIT", "CITY", "DISTRICT", "REGION", "POSTCODE", "ID", "HASH"]

# Inside the factories' organization boundary (a square of 0.07 degrees around -89.65, 39.78).
SPRINGFIELD_ROWS = [
    (-89.6501, 39.7801, "123", "Main Street", "", "Springfield", "62701"),
    (-89.6505, 39.7801, "125", "Main Street", "", "Springfield", "62701"),
    (-89.6510, 39.7790, "12", "Elm St", "", "Springfield", "62701"),
    (-89.6520, 39.7790, "1200", "Elm Street", "Apt 4", "Springfield", "62701"),
    (-89.6400, 39.7700, "7", "Calle Peñasco", "", "Springfield", "62702"),
    (-89.6300, 39.7650, "450", "North Avenue", "", "Springfield", "62702"),
]
# Far outside every boundary: never suggested, never resolved.
ELSEWHERE_ROWS = [(-88.0, 41.0, "123", "Main Street", "", "Elsewhere", "60000")]


def csv_text(rows, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for lng, lat, number, street, unit, city, postcode in rows:
        writer.writerow([lng, lat, number, street, unit, city, "", "IL", postcode, "", ""])
    return out.getvalue()


def run_import(tmp_path, content: str, name: str = "addresses.csv"):
    """`flask geo import-addresses FILE` on a file holding `content`; the CLI result."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return current_app.test_cli_runner().invoke(args=["geo", "import-addresses", str(path)])


def import_rows(tmp_path, rows) -> None:
    result = run_import(tmp_path, csv_text(rows))
    assert result.exit_code == 0, result.output
