"""What every benchmark shares: its own database, goal lines, the command line, the timing loop."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def parser(doc: str, default_url: str) -> argparse.ArgumentParser:
    """`--quick` (a run of a few minutes) and `--database-url` (default: the bench's own database)."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a small run of a few minutes")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", default_url),
                   help="a database of its own, created and dropped by the run (default: %(default)s)")
    return p


def _admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: str) -> None:
    engine = _admin_engine(url)
    name = make_url(url).database
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(url: str) -> None:
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def goal(text: str, met: bool) -> str:
    """A goal line: it ends in `met` or `MISSED`."""
    return f"  {text}: {'met' if met else 'MISSED'}"


def timed_in_turns(runs: int, warmup: int, draw: Callable[[], object], ours: Callable, floor: Callable,
                   after: Callable[[object], object] | None = None, profiler=None) -> tuple[list[float], list[float]]:
    """Time `ours` against `floor` in turns, each run both given the same `draw()`, in milliseconds.

    Odd runs start with `ours`, even ones with `floor` (neither always pays the other's leftovers);
    the first `warmup` runs warm caches, plans and the pool and are not kept. `after` sees each
    result outside the timing (a check, a rollback); `profiler` (cProfile) records `ours` in the kept runs.
    """
    ours_ms, floor_ms = [], []
    for n in range(runs + warmup):
        params = draw()
        for side in ((ours, floor) if n % 2 else (floor, ours)):
            profiled = profiler is not None and side is ours
            start = time.perf_counter()
            if profiled and n >= warmup:
                profiler.enable()
            result = side(params)
            if profiled:
                profiler.disable()
            elapsed = (time.perf_counter() - start) * 1e3
            if after is not None:
                after(result)
            if n >= warmup:
                (ours_ms if side is ours else floor_ms).append(elapsed)
    return ours_ms, floor_ms
