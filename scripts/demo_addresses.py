"""Generate the demo city's address file (app/seed/data/demo-addresses.csv), OpenAddresses CSV.

Each demo city gets a street grid: named streets running east-west, numbered streets running
north-south, about a kilometre apart, with an address point every ~250 m on both sides, US
style numbers (100 per block, odd on one side, even on the other) and a few apartment units.
Deterministic: run it again and the file is byte-for-byte the same.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.seed.demo import HALF_HEIGHT_LAT, HALF_WIDTH_LNG, ORGANIZATIONS  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "app" / "seed" / "data" / "demo-addresses.csv"
NAMED = {
    "springfield": ["Adams", "Monroe", "Jefferson", "Washington", "Madison", "Jackson", "Lincoln",
                    "Capitol", "Edwards", "Cook", "Lawrence", "Canedy", "Allen", "Vine", "Ash"],
    "shelbyville": ["Oak", "Maple", "Elm", "Cedar", "Walnut", "Chestnut", "Poplar", "Spruce",
                    "Willow", "Hickory", "Birch", "Sycamore", "Laurel", "Magnolia", "Peñasco"],
}
CITY = {"springfield": ("Springfield", "62701"), "shelbyville": ("Shelbyville", "62565")}
STREETS_EACH_WAY = 15
POINTS_PER_STREET = 60
OFFSET = 0.00015  # degrees either side of the centre line (~15 m)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _inside(x: float, y: float) -> bool:
    return x * x + y * y < 0.95


def rows_for(slug: str):
    lng0, lat0 = ORGANIZATIONS[slug]["centre"]
    city, postcode = CITY[slug]
    for i in range(STREETS_EACH_WAY):
        y = -1 + (i + 0.5) * 2 / STREETS_EACH_WAY
        street = f"{NAMED[slug][i]} St"
        for j in range(POINTS_PER_STREET):
            x = -1 + (j + 0.5) * 2 / POINTS_PER_STREET
            for side in (0, 1):
                if not _inside(x, y):
                    continue
                number = 100 * (j + 1) + side + (2 * (j % 5))
                lat = lat0 + y * HALF_HEIGHT_LAT + (OFFSET if side else -OFFSET)
                lng = lng0 + x * HALF_WIDTH_LNG
                unit = "Apt 2" if (i + j) % 17 == 0 and side else ""
                yield lng, lat, number, street, unit, city, postcode
    for i in range(STREETS_EACH_WAY):
        x = -1 + (i + 0.5) * 2 / STREETS_EACH_WAY
        street = f"{_ordinal(i + 1)} St"
        for j in range(POINTS_PER_STREET):
            y = -1 + (j + 0.5) * 2 / POINTS_PER_STREET
            for side in (0, 1):
                if not _inside(x, y):
                    continue
                number = 100 * (j + 1) + side + (2 * (j % 5))
                lng = lng0 + x * HALF_WIDTH_LNG + (OFFSET if side else -OFFSET)
                lat = lat0 + y * HALF_HEIGHT_LAT
                yield lng, lat, number, street, "", city, postcode


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["LON", "LAT", "NUMBER", "STREET", "UNIT", "CITY", "DISTRICT", "REGION",
                         "POSTCODE", "ID", "HASH"])
        for slug in ORGANIZATIONS:
            for lng, lat, number, street, unit, city, postcode in rows_for(slug):
                writer.writerow([f"{lng:.6f}", f"{lat:.6f}", number, street, unit, city, "", "IL",
                                 postcode, "", ""])
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT.name}")


if __name__ == "__main__":
    main()
