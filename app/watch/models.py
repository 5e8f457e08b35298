"""Watch areas and their followers."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column, updated_at_column
from app.extensions import db


class WatchArea(db.Model):
    __tablename__ = "watch_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    # Empty means every category; otherwise only requests in these categories alert.
    category_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, default=list, server_default="{}"
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    owner = relationship("User")

    __table_args__ = (Index("ix_watch_areas_geom", "geom", postgresql_using="gist"),)


class WatchAreaFollower(db.Model):
    __tablename__ = "watch_area_followers"

    watch_area_id: Mapped[int] = mapped_column(
        ForeignKey("watch_areas.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = created_at_column()


class WatchAreaPart(db.Model):
    """A watch area cut by ST_Subdivide into pieces of at most PART_MAX_VERTICES vertices.

    The lookup's index: its GiST index finds the few small pieces whose box holds a point,
    so the exact point-in-polygon test never walks a 5,000-vertex ring. Owner and category
    filter are copied here so the lookup needs no join back to watch_areas. Rows are kept in
    step by the trigger `watch_area_parts_sync` on watch_areas (migration 0007_watch), in the
    same statement as the change, whoever writes it; a deleted area takes its parts along
    (ON DELETE CASCADE). Nothing else writes this table.
    """

    __tablename__ = "watch_area_parts"

    watch_area_id: Mapped[int] = mapped_column(
        ForeignKey("watch_areas.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, nullable=False)
    category_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    geom = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (Index("ix_watch_area_parts_geom", "geom", postgresql_using="gist"),)


# ST_Subdivide's vertex budget per part (in the trigger of 0007_watch): small enough that a
# part is stored inline (64 vertices are about 1 KB, under PostgreSQL's 2 KB TOAST threshold)
# and its point-in-polygon test is a few hundred nanoseconds.
PART_MAX_VERTICES = 64
