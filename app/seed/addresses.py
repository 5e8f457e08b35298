"""The demo city's address points, loaded from the generated file shipped beside this module.

`scripts/demo_addresses.py` writes the file from the demo boundaries; importing is idempotent
(addresses are keyed by their normalized parts), so the seed may run any number of times.
"""

from __future__ import annotations

from pathlib import Path

DEMO_ADDRESSES = Path(__file__).with_name("data") / "demo-addresses.csv"


def load_demo_addresses() -> int:
    """Import the demo address file; return how many addresses it added."""
    from app.addresses.importer import import_addresses

    with DEMO_ADDRESSES.open(encoding="utf-8") as stream:
        return import_addresses(stream, DEMO_ADDRESSES.name).added
