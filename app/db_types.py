"""Column helpers shared by every domain's models."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, func
from sqlalchemy.orm import Mapped, mapped_column

# Crockford base32 without I, L, O, U: readable aloud, safe in an email local part.
_PUBLIC_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def isoformat_utc(instant: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC (for event payloads), whatever zone it came in; None stays None."""
    return instant.astimezone(UTC).isoformat() if instant is not None else None


def new_public_id(length: int = 10) -> str:
    """A random public identifier that reveals nothing about the row count."""
    return "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(length))


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now())


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def enum_check(column: str, values) -> CheckConstraint:
    """A CHECK constraint that keeps `column` within an enum's values."""
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")
