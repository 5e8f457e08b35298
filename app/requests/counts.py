"""Exact request totals without counting rows: the sums of `request_counts` (kept by triggers).

A list whose only filters are the organization and the status reads its total here: a few
rows per key instead of a count over up to every request of a city.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, cast, func, select, text

from app.extensions import db
from app.requests.models import RequestCount
from app.transactions import unit_of_work


def counted_total(*, organization_id: int | None = None, statuses=None):
    """The number of requests of the organization (any, if None) with one of `statuses` (any, if None),
    as a scalar SELECT to embed in the statement that reads the page (either may be a bound parameter)."""
    statement = select(cast(func.coalesce(func.sum(RequestCount.n), 0), BigInteger))  # sum() is numeric
    if organization_id is not None:
        statement = statement.where(RequestCount.organization_id == organization_id)
    if statuses is not None:
        statement = statement.where(RequestCount.status.in_(statuses))
    return statement


# One folder at a time (two schedulers may both send the job); the other returns at once.
FOLD_LOCK = 0x7265_7163  # "reqc"
_FOLD = text("""
WITH folded AS (DELETE FROM request_counts RETURNING organization_id, status, n),
     sums AS (SELECT organization_id, status, sum(n) AS n, count(*) AS rows FROM folded
              GROUP BY organization_id, status),
     written AS (INSERT INTO request_counts (organization_id, status, n)
                 SELECT organization_id, status, n FROM sums WHERE n <> 0 RETURNING 1)
SELECT (SELECT coalesce(sum(rows), 0) FROM sums) - (SELECT count(*) FROM written)
""")


@unit_of_work()
def fold_request_counts() -> int:
    """Fold each key's delta rows into one row (their sum; none if zero); returns the rows removed.

    Safe beside writers: the DELETE takes only rows committed before it started (a delta still
    in flight stays for the next fold) and writers only insert, so nobody waits on anybody.
    """
    if not db.session.scalar(select(func.pg_try_advisory_xact_lock(FOLD_LOCK))):
        return 0
    return int(db.session.scalar(_FOLD))
