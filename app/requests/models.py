"""Request categories and service requests with their comments, followers and attachments."""

from __future__ import annotations

import enum
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column, enum_check, new_public_id, updated_at_column
from app.extensions import db
from app.requests.attributes import answerable
from app.uploads import StoredFile
from geo.plane import FROM_LOCATION, PlanePoint


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"
    ARCHIVED = "archived"


class PublicRestriction(enum.StrEnum):
    """What residents may do on requests of a category (SeeClickFix's restriction levels)."""

    NONE = "none"
    DISABLE_REOPEN = "disable_reopen"
    DISABLE_STATUS_CHANGE = "disable_status_change"
    DISABLE_CLOSED_ACTIONS = "disable_closed_actions"
    DISABLE_ALL = "disable_all"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class CommentSource(enum.StrEnum):
    WEB = "web"
    API = "api"
    EMAIL = "email"
    OPEN311 = "open311"


class RequestCategory(db.Model):
    __tablename__ = "request_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="true")
    sla_hours: Mapped[int | None] = mapped_column(Integer)
    auto_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    routing_emails: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default="{}"
    )
    escalate_to_email: Mapped[str | None] = mapped_column(CITEXT)
    public_restriction: Mapped[str] = mapped_column(
        String(32), nullable=False, default=PublicRestriction.NONE.value, server_default=PublicRestriction.NONE.value
    )
    # Open requests of the category this close to a new report are offered as possible duplicates.
    duplicate_radius_m: Mapped[int] = mapped_column(Integer, nullable=False, default=50, server_default="50")
    # Open311 service attributes: [{code, datatype, required, description, order, values: [{key, name}]}]
    attributes: Mapped[list[dict]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    organization = relationship("Organization")
    auto_assignee = relationship("User")

    @property
    def questions(self) -> list[dict]:
        """The questions a report answers, in their order (every channel asks these)."""
        return answerable(self.attributes)

    __table_args__ = (
        UniqueConstraint("organization_id", "code"),
        enum_check("public_restriction", PublicRestriction),
    )


MAP_POINT_INCLUDES = ("id", "updated_at", "organization_id", "status", "category_id")


class ServiceRequest(db.Model):
    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, nullable=False, default=new_public_id)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("request_categories.id", ondelete="RESTRICT"), nullable=False)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    # The same place as PostgreSQL's own point, kept by the database: map reads count their
    # matches from its index alone (geo/plane.py). Never loaded with the row.
    map_point = mapped_column(PlanePoint(), Computed(FROM_LOCATION, persisted=True), deferred=True)
    address: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    answers: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=RequestStatus.OPEN.value, server_default=RequestStatus.OPEN.value
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sla_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(16), nullable=False, default=CommentSource.WEB.value, server_default="web")
    # The reporter's name is not shown publicly: the resident chose so, or staff hid it.
    # Staff of the organization still see who reported.
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    # Residents saying "me too" (rows in request_supports); kept in the transaction that changes them.
    support_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # A duplicate merged by staff: closed, and pointing at the request that goes on.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    organization = relationship("Organization")
    category: Mapped[RequestCategory] = relationship()
    reporter = relationship("User", foreign_keys=[reporter_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    merged_into = relationship("ServiceRequest", remote_side=[id], foreign_keys=[merged_into_id])

    __table_args__ = (
        Index("ix_service_requests_location", "location", postgresql_using="gist"),
        # A map read's matches and their count from the index alone: the page's order and the
        # filters a map combines with a place are INCLUDEd (migration 0027_map_point).
        Index("ix_service_requests_map_point", "map_point", postgresql_using="gist",
              postgresql_include=list(MAP_POINT_INCLUDES)),
        Index("ix_service_requests_org_status_updated", "organization_id", "status", "updated_at"),
        Index("ix_service_requests_category_id", "category_id"),
        # A survivor's merged duplicates, whose places' watchers hear of it (app/watch/lookup.py).
        Index("ix_service_requests_merged_into_id", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL")),
        # The hot reads' indexes (migration 0015_search; tests/requests/test_query_plans.py):
        # list order, globally and per organization, and trigram search for `q`.
        Index("ix_service_requests_updated_at", "updated_at", "id"),
        Index("ix_service_requests_org_updated", "organization_id", "updated_at", "id"),
        Index("ix_service_requests_description_trgm", "description", postgresql_using="gin",
              postgresql_ops={"description": "gin_trgm_ops"}),
        Index("ix_service_requests_address_trgm", "address", postgresql_using="gin",
              postgresql_ops={"address": "gin_trgm_ops"}),
        enum_check("status", RequestStatus),
        enum_check("source", CommentSource),
    )


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    visibility: Mapped[str] = mapped_column(String(16), nullable=False, default=Visibility.PUBLIC.value)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default=CommentSource.WEB.value)
    mentioned_user_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, default=list, server_default="{}"
    )
    created_at: Mapped[datetime] = created_at_column()

    author = relationship("User")
    request = relationship("ServiceRequest")

    __table_args__ = (
        Index("ix_comments_request_id_created_at", "request_id", "created_at"),
        enum_check("visibility", Visibility),
        enum_check("source", CommentSource),
    )


class Follower(db.Model):
    __tablename__ = "followers"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = created_at_column()


class Attachment(StoredFile, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class Support(db.Model):
    """One resident's "me too" on a request: one per person, counted publicly."""

    __tablename__ = "request_supports"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = created_at_column()


class RequestCount(db.Model):
    """A signed number of requests with one (organization, status): the rows of a key sum to its count.

    Written only by triggers on service_requests (migration 0026_request_counts): every insert,
    delete and change of status or organization adds a delta row, so no writer waits on another
    for a counter row; `app.requests.counts.fold_request_counts` folds each key's rows into one.
    """

    __tablename__ = "request_counts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        Index("ix_request_counts_org_status", "organization_id", "status", postgresql_include=["n"]),
    )
