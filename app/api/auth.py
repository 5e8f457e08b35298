"""Who is calling: a browser session or a bearer token; and what they may do."""

from __future__ import annotations

from functools import wraps

from flask import request, session
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.links import password_fingerprint
from app.accounts.models import Membership, Organization, Role, User
from app.accounts.tokens import Caller, user_for_token
from app.errors import Forbidden, NotFound, Unauthorized
from app.extensions import db

SESSION_USER_KEY = "user_id"
# The password a session was begun with (as a fingerprint): changing the password ends it.
SESSION_PASSWORD_KEY = "password_fp"
# The session's own token (an ApiToken row): logging out revokes it, so a copied cookie dies too.
SESSION_TOKEN_KEY = "sid"
_CACHE_ATTRIBUTE = "_civic_current_user"
_UNSET = object()


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_user() -> User | None:
    """The authenticated, active user of this request, or None (cached on the request).

    Cached on the request, not on `g`: `g` belongs to the app context, which a test (or a
    script) may keep open across several requests made as different users.
    """
    cached = getattr(request, _CACHE_ATTRIBUTE, _UNSET)
    if isinstance(cached, Caller):  # identified by a read that checked the token (identified_as)
        cached = db.session.get(User, cached.id)
        setattr(request, _CACHE_ATTRIBUTE, cached)
    if cached is not _UNSET:
        return cached
    user = None
    token = bearer_token()
    if token:
        user = user_for_token(token)
    elif session.get(SESSION_USER_KEY) and isinstance(session.get(SESSION_TOKEN_KEY), str):
        candidate = user_for_token(session[SESSION_TOKEN_KEY])
        if (candidate is not None and candidate.id == session[SESSION_USER_KEY]
                and session.get(SESSION_PASSWORD_KEY) == password_fingerprint(candidate)):
            user = candidate
    setattr(request, _CACHE_ATTRIBUTE, user)
    return user


def unidentified_bearer_token() -> str | None:
    """The bearer token of a caller this request has not identified yet (a read may identify
    them in its own statement, then says so with `identified_as`), else None."""
    return bearer_token() if getattr(request, _CACHE_ATTRIBUTE, _UNSET) is _UNSET else None


def identified_as(caller: Caller | None) -> None:
    """The caller of this request is `caller`, as a read found them by their bearer token (see current_user)."""
    setattr(request, _CACHE_ATTRIBUTE, caller)


def identified_caller() -> Caller | None:
    """The caller if this request has already identified them (no query), else None."""
    cached = getattr(request, _CACHE_ATTRIBUTE, _UNSET)
    if cached is _UNSET or cached is None:
        return None
    return cached if isinstance(cached, Caller) else Caller.of(cached)


def require_user() -> User:
    user = current_user()
    if user is None:
        raise Unauthorized(_("Log in, or send Authorization: Bearer <token>."))
    return user


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    return wrapper


def log_in_session(user: User) -> None:
    """Begin a browser session, backed by a server-side token that logging out revokes."""
    from app.accounts.service import start_browser_session

    session.clear()
    session[SESSION_USER_KEY] = user.id
    session[SESSION_PASSWORD_KEY] = password_fingerprint(user)
    session[SESSION_TOKEN_KEY] = start_browser_session(user)
    session.permanent = True
    setattr(request, _CACHE_ATTRIBUTE, user)


def log_out_session() -> None:
    """End this browser session on the server, not only in this browser."""
    from app.accounts.service import end_browser_session

    token = session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        end_browser_session(token)
    session.clear()


def organization_or_404(slug: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise NotFound(_("No organization %(slug)s.", slug=repr(slug)), {"org": slug})
    return org


def permissions_in(user: User | None, organization_id: int) -> set[str]:
    """The permission names `user` holds in the organization (empty for non-members)."""
    if user is None:
        return set()
    role = db.session.scalar(
        select(Role).join(Membership, Membership.role_id == Role.id).where(
            Membership.user_id == user.id, Membership.organization_id == organization_id)
    )
    return role.permission_names if role else set()


def require_org_permission(slug: str, permission: str) -> tuple[Organization, User]:
    """The organization and the calling member, or 401/403/404."""
    user = require_user()
    org = organization_or_404(slug)
    if permission not in permissions_in(user, org.id):
        raise Forbidden(_("You need the %(permission)s permission in %(slug)s.", permission=repr(permission), slug=repr(slug)), {"permission": permission})
    return org, user


def org_permission_required(permission: str):
    """View decorator for `/orgs/<org>/...`: 401/404/403 before the body is even parsed.

    The view receives `org` as the Organization (not the slug) and `actor` as the caller.
    Put it right under the route decorator, above `@blp.arguments`.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, org: str, **kwargs):
            organization, actor = require_org_permission(org, permission)
            return view(*args, org=organization, actor=actor, **kwargs)

        return wrapper

    return decorator
