"""Who may do what to a request: the workflow rules as tables.

Three tables decide every action, checked in this order by `require`:

1. who: staff act through a permission in the request's organization (`STAFF_PERMISSION`);
   residents act through their role on the request (`RESIDENT_ROLE_ACTIONS`: the reporter
   toggles Open/Closed and adds photos, anyone logged in comments and follows);
2. when: the statuses an action may start from (`ACTION_FROM`); archived requests appear in
   no row, so they are read-only for everyone;
3. the category's public-user restriction (`RESTRICTION_ACTIONS`, SeeClickFix's levels), which
   limits residents only, by whether the request is closed.

Failing (1) is 403 (401 when anonymous), failing (2) is 409, failing (3) is 403.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Membership, Permission, User, role_permissions
from app.errors import Conflict, Forbidden, Unauthorized
from app.events.kinds import PUBLIC, timeline_kinds
from app.extensions import db
from app.requests.models import PublicRestriction, RequestStatus, ServiceRequest


class Action(enum.StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    RECATEGORIZE = "recategorize"
    SET_DUE_DATE = "set_due_date"
    CLOSE = "close"
    REOPEN = "reopen"
    COMMENT = "comment"
    COMMENT_INTERNAL = "comment_internal"
    ATTACH = "attach"
    FOLLOW = "follow"
    SUPPORT = "support"  # "me too": one per person, a public count
    MERGE = "merge"  # staff: fold this duplicate into another request


class Audience(enum.IntEnum):
    """Who is looking, from least to most entitled; each sees everything the one below sees."""

    PUBLIC = 0
    REPORTER = 1
    STAFF = 2


class ResidentRole(enum.StrEnum):
    REPORTER = "reporter"
    RESIDENT = "resident"


OPEN, ACKNOWLEDGED, CLOSED = RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED, RequestStatus.CLOSED
LIVE = frozenset({OPEN, ACKNOWLEDGED, CLOSED})
A = Action

# Staff act by permission in the request's organization.
STAFF_PERMISSION: dict[Action, str] = {
    A.ACKNOWLEDGE: "edit_requests",
    A.ASSIGN: "edit_requests",
    A.RECATEGORIZE: "edit_requests",
    A.SET_DUE_DATE: "edit_requests",
    A.CLOSE: "edit_requests",
    A.REOPEN: "edit_requests",
    A.COMMENT: "edit_requests",
    A.COMMENT_INTERNAL: "comment_internal",
    A.ATTACH: "edit_requests",
    A.FOLLOW: "view_requests",
    A.SUPPORT: "view_requests",
    A.MERGE: "edit_requests",
}

# Residents act by their role on the request; Open<->Closed belongs to the reporter.
RESIDENT_ROLE_ACTIONS: dict[ResidentRole, frozenset[Action]] = {
    ResidentRole.REPORTER: frozenset({A.CLOSE, A.REOPEN, A.COMMENT, A.ATTACH, A.FOLLOW, A.SUPPORT}),
    ResidentRole.RESIDENT: frozenset({A.COMMENT, A.FOLLOW, A.SUPPORT}),
}

# The statuses each action may start from. ARCHIVED is in no row: archived requests are read-only.
ACTION_FROM: dict[Action, frozenset[RequestStatus]] = {
    A.ACKNOWLEDGE: frozenset({OPEN}),
    A.CLOSE: frozenset({OPEN, ACKNOWLEDGED}),
    A.REOPEN: frozenset({CLOSED}),
    A.ASSIGN: LIVE,
    A.RECATEGORIZE: LIVE,
    A.SET_DUE_DATE: LIVE,
    A.COMMENT: LIVE,
    A.COMMENT_INTERNAL: LIVE,
    A.ATTACH: LIVE,
    A.FOLLOW: LIVE,
    # Saying "me too" and merging only make sense while the problem is still there.
    A.SUPPORT: frozenset({OPEN, ACKNOWLEDGED}),
    A.MERGE: frozenset({OPEN, ACKNOWLEDGED}),
}

# Where a status-changing action leaves the request.
STATUS_AFTER: dict[Action, RequestStatus] = {A.ACKNOWLEDGE: ACKNOWLEDGED, A.CLOSE: CLOSED, A.REOPEN: OPEN}

# SeeClickFix's public-user restrictions: what each level leaves residents, for a request that
# is not closed (False) or closed (True). Following only subscribes and support only counts, so
# no level removes them.
R = PublicRestriction
RESTRICTION_ACTIONS: dict[PublicRestriction, dict[bool, frozenset[Action]]] = {
    R.NONE: {False: frozenset({A.CLOSE, A.COMMENT, A.ATTACH, A.FOLLOW, A.SUPPORT}),
             True: frozenset({A.REOPEN, A.COMMENT, A.ATTACH, A.FOLLOW})},
    R.DISABLE_REOPEN: {False: frozenset({A.CLOSE, A.COMMENT, A.ATTACH, A.FOLLOW, A.SUPPORT}),
                       True: frozenset({A.COMMENT, A.ATTACH, A.FOLLOW})},
    R.DISABLE_STATUS_CHANGE: {False: frozenset({A.COMMENT, A.ATTACH, A.FOLLOW, A.SUPPORT}),
                              True: frozenset({A.COMMENT, A.ATTACH, A.FOLLOW})},
    R.DISABLE_CLOSED_ACTIONS: {False: frozenset({A.CLOSE, A.COMMENT, A.ATTACH, A.FOLLOW, A.SUPPORT}),
                               True: frozenset({A.FOLLOW})},
    R.DISABLE_ALL: {False: frozenset({A.FOLLOW, A.SUPPORT}), True: frozenset({A.FOLLOW})},
}

# Internal comments, reporter contact details and staff-only timeline entries.
SEE_INTERNAL_PERMISSION = "view_requests"

# The events of a request that residents and the public see on its timeline (comments are
# shown from the comments themselves); staff of the organization see every event. Which kinds
# are public is the catalogue's word (app/events/kinds.py, `timeline=PUBLIC`).
PUBLIC_EVENT_KINDS = timeline_kinds(PUBLIC)


@dataclass(frozen=True)
class Viewer:
    """A user (or nobody) looking at one request, with their permissions in its organization."""

    user: User | None
    permissions: frozenset[str]
    is_reporter: bool

    @property
    def audience(self) -> Audience:
        if SEE_INTERNAL_PERMISSION in self.permissions:
            return Audience.STAFF
        return Audience.REPORTER if self.is_reporter else Audience.PUBLIC

    @property
    def resident_role(self) -> ResidentRole:
        return ResidentRole.REPORTER if self.is_reporter else ResidentRole.RESIDENT


def permissions_of(user: User | None, organization_id: int) -> frozenset[str]:
    """The permission names `user` holds in the organization (none for non-members)."""
    if user is None:
        return frozenset()
    return frozenset(db.session.scalars(permissions_statement(user.id, organization_id)))


def viewer_of(user: User | None, request: ServiceRequest, permissions: frozenset[str] | None = None) -> Viewer:
    """How `user` stands towards `request` (`permissions` in its organization, when already read)."""
    return Viewer(
        user=user,
        permissions=permissions_of(user, request.organization_id) if permissions is None else permissions,
        is_reporter=user is not None and user.id == request.reporter_id,
    )


def permissions_statement(user_id: int, organization_id: int):
    """The names of the permissions a user holds in an organization, as a statement to run or embed."""
    return (select(Permission.name)
            .join(role_permissions, role_permissions.c.permission_id == Permission.id)
            .join(Membership, Membership.role_id == role_permissions.c.role_id)
            .where(Membership.user_id == user_id, Membership.organization_id == organization_id))


def _staff_may(viewer: Viewer, action: Action) -> bool:
    return STAFF_PERMISSION[action] in viewer.permissions


def _role_may(viewer: Viewer, action: Action) -> bool:
    return _staff_may(viewer, action) or action in RESIDENT_ROLE_ACTIONS[viewer.resident_role]


def _restriction_allows(viewer: Viewer, request: ServiceRequest, action: Action) -> bool:
    if _staff_may(viewer, action):
        return True
    level = PublicRestriction(request.category.public_restriction)
    return action in RESTRICTION_ACTIONS[level][request.status == CLOSED]


def is_allowed(viewer: Viewer, request: ServiceRequest, action: Action) -> bool:
    return (
        viewer.user is not None
        and _role_may(viewer, action)
        and request.status in ACTION_FROM[action]
        and _restriction_allows(viewer, request, action)
    )


def allowed_actions(viewer: Viewer, request: ServiceRequest) -> list[Action]:
    """Every action the viewer may take on the request now (what a client shows as buttons)."""
    return list(_allowed(viewer.user is not None, viewer.permissions, viewer.is_reporter, request.status,
                         request.category.public_restriction))


@lru_cache(maxsize=1024)
def _allowed(signed_in: bool, permissions: frozenset[str], is_reporter: bool, status: str,
             public_restriction: str) -> tuple[Action, ...]:
    """`allowed_actions` of what it depends on: the tables' answer, worked out once per case (every
    single request read asks it, and the twelve actions' checks cost more than the read's dump)."""
    viewer = Viewer(user=_SIGNED_IN if signed_in else None, permissions=permissions, is_reporter=is_reporter)
    request = _Rules(status, CategoryRules(public_restriction))
    return tuple(action for action in Action if is_allowed(viewer, request, action))


class CategoryRules(NamedTuple):
    """What the policy reads of a request's category."""

    public_restriction: str


class _Rules(NamedTuple):
    """What the tables read of a request."""

    status: str
    category: CategoryRules


_SIGNED_IN = object()  # a viewer who is somebody: the tables never ask who


def require_user(user: User | None) -> User:
    """The user, or 401: every change to a request has a named actor."""
    if user is None:
        raise Unauthorized(_("Log in, or send Authorization: Bearer <token>."))
    return user


def require_permission(organization, user: User | None, permission: str) -> None:
    """401 unless logged in, 403 unless `user` holds `permission` in the organization."""
    require_user(user)
    if permission not in permissions_of(user, organization.id):
        raise Forbidden(_("You need the %(permission)s permission in %(slug)s.", permission=repr(permission), slug=repr(organization.slug)),
                        {"permission": permission})


def require(viewer: Viewer, request: ServiceRequest, action: Action) -> None:
    """Raise 401/403/409 unless the viewer may take `action` on the request now."""
    require_user(viewer.user)
    if not _role_may(viewer, action):
        detail = {"action": action.value}
        if action in STAFF_PERMISSION and action not in RESIDENT_ROLE_ACTIONS[ResidentRole.REPORTER]:
            detail["permission"] = STAFF_PERMISSION[action]
        raise Forbidden(_("You may not %(action)s this request.", action=_verb(action)), detail)
    if request.status not in ACTION_FROM[action]:
        if request.status == RequestStatus.ARCHIVED:
            raise Conflict(_("This request is archived and read-only."), {"status": request.status})
        raise Conflict(_("A request that is %(status)s cannot be %(done)s.", status=_status_word(request.status),
                         done=_past(action)),
                       {"status": request.status, "action": action.value})
    if not _restriction_allows(viewer, request, action):
        raise Forbidden(
            _("This category does not let residents %(action)s its requests once closed.", action=_verb(action))
            if request.status == CLOSED
            else _("This category does not let residents %(action)s its requests.", action=_verb(action)),
            {"action": action.value, "public_restriction": request.category.public_restriction},
            code="restricted_by_category",
        )


def _past(action: Action) -> str:
    return str(_PAST.get(action, _PAST[None]))


def _verb(action: Action) -> str:
    return str(_VERBS.get(action, action.value.replace("_", " ")))


def _status_word(status: str) -> str:
    return str(_STATUS_WORDS.get(status, status))


# The words of refusals, in the caller's language.
_PAST = {Action.ACKNOWLEDGE: _l("acknowledged"), Action.CLOSE: _l("closed"), Action.REOPEN: _l("reopened"),
         None: _l("changed")}
_VERBS = {Action.ACKNOWLEDGE: _l("acknowledge"), Action.ASSIGN: _l("assign"), Action.RECATEGORIZE: _l("recategorize"),
          Action.SET_DUE_DATE: _l("set the due date of"), Action.CLOSE: _l("close"), Action.REOPEN: _l("reopen"),
          Action.COMMENT: _l("comment on"), Action.COMMENT_INTERNAL: _l("add internal notes to"),
          Action.ATTACH: _l("attach files to"), Action.FOLLOW: _l("follow"), Action.SUPPORT: _l("support"),
          Action.MERGE: _l("merge")}
_STATUS_WORDS = {RequestStatus.OPEN: _l("open"), RequestStatus.ACKNOWLEDGED: _l("acknowledged"),
                 RequestStatus.CLOSED: _l("closed"), RequestStatus.ARCHIVED: _l("archived")}
