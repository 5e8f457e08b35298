"""One row per address point, as an OpenAddresses file gives it."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Address(db.Model):
    """An address point. `search` is the normalized text the trigram index covers; `key` its identity.

    `key` (normalized number, street, unit, city, postcode) is unique, so importing a file twice,
    or a newer edition of it, adds only what is new.
    """

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    street: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(60), nullable=False, default="", server_default="")
    city: Mapped[str] = mapped_column(String(120), nullable=False, default="", server_default="")
    postcode: Mapped[str] = mapped_column(String(20), nullable=False, default="", server_default="")
    label: Mapped[str] = mapped_column(Text, nullable=False)
    search: Mapped[str] = mapped_column(Text, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (
        Index("ix_addresses_location", "location", postgresql_using="gist"),
        Index("ix_addresses_search_trgm", "search", postgresql_using="gin",
              postgresql_ops={"search": "gin_trgm_ops"}),
    )
