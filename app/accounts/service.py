"""Account rules: logging in, registration, confirmation, passwords, the profile and aliases.

Every public function that changes something owns its transaction (`unit_of_work()`, app/transactions.py) and
records the Event that describes the change in it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, text

from app.accounts import links
from app.accounts.models import EmailAlias, User
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.tokens import issue_token, revoke_all_tokens, revoke_token
from app.db_types import utcnow
from app.errors import ApiError, Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from app.events.models import Event
from app.events.service import record_event
from app.extensions import db
from app.transactions import unit_of_work

# Verifying against a real hash when the account does not exist keeps the timing the same.
_DUMMY_HASH = hash_password("no such account")
# Advisory-lock class for email addresses: registration, invitation and aliases queue on one address.
_ADDRESS_LOCK_CLASS = 3110
MAX_ALIASES = 10
PROFILE_FIELDS = ("name", "phone", "locale")

# What a forgot-password or resend-confirmation request records, and for which accounts.
ACCOUNT_LINKS = {
    "password_reset": ("account.password_reset", lambda user: True),
    "confirm_email": ("account.confirm_email", lambda user: not user.confirmed),
}


class InvalidToken(ApiError):
    """A confirm or password link that is forged, expired or already used (one message for all)."""

    status, code = 422, "invalid_token"

    def __init__(self) -> None:
        message = _("This link is invalid, has expired or has already been used.")
        super().__init__(message, {"json": {"token": [message]}})


# -- who is who -----------------------------------------------------------------------------

def user_by_email(email: str) -> User | None:
    """The user whose primary address is `email` (case-insensitive)."""
    return db.session.scalar(select(User).where(User.email == email.strip()))


def user_for_address(email: str) -> User | None:
    """The user an address belongs to: their primary email or a confirmed alias."""
    return user_by_email(email) or db.session.scalar(
        select(User).join(EmailAlias, EmailAlias.user_id == User.id).where(
            EmailAlias.email == email.strip(), EmailAlias.confirmed_at.is_not(None))
    )


def lock_address(email: str) -> None:
    """Queue every claim on one address (registration, invitation, alias) until this commit."""
    db.session.execute(text("SELECT pg_advisory_xact_lock(:cls, hashtext(lower(:email)))"),
                       {"cls": _ADDRESS_LOCK_CLASS, "email": email.strip()})


def _address_owner(email: str) -> User | None:
    """The account whose primary address or confirmed alias `email` is."""
    holder = user_by_email(email)
    if holder is not None:
        return holder
    alias = db.session.scalar(select(EmailAlias).where(EmailAlias.email == email.strip(),
                                                       EmailAlias.confirmed_at.isnot(None)))
    return alias.user if alias is not None else None


def claim_address(email: str, claimant: User | None = None) -> None:
    """Lock `email` until commit and check nobody holds it (409 otherwise).

    An unconfirmed alias of another account gives way: it proved nothing, and must not let
    anyone squat an address.
    """
    lock_address(email)
    holder = user_by_email(email)
    if holder is not None:
        mine = claimant is not None and holder.id == claimant.id
        raise _address_conflict(_("This is already your account's address.") if mine
                                else _("An account with this email address already exists."))
    alias = db.session.scalar(select(EmailAlias).where(EmailAlias.email == email.strip()))
    if alias is None:
        return
    if claimant is not None and alias.user_id == claimant.id:
        raise _address_conflict(_("You have already added this address."))
    if alias.confirmed_at is not None:
        raise _address_conflict(_("This address belongs to another account."))
    db.session.delete(alias)
    db.session.flush()


def _address_conflict(message: str) -> Conflict:
    return Conflict(message, {"json": {"email": [message]}})


# -- logging in -----------------------------------------------------------------------------

def authenticate(email: str, password: str) -> User:
    """The active user with this email and password, or 401 with one message for every failure."""
    user = user_by_email(email)
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        raise Unauthorized(_("Email or password is wrong."), code="invalid_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def log_in(email: str, password: str, token_name: str = "") -> tuple[User, str]:
    """Check the credentials of a confirmed account and issue a bearer token (403 until confirmed)."""
    with unit_of_work():
        user = authenticate(email, password)
        if not user.confirmed:
            raise Forbidden(_("Confirm your email address first: follow the link we sent you."),
                            code="email_not_confirmed")
        token = issue_token(user, token_name)
    return user, token


def start_browser_session(user: User) -> str:
    """A token for one browser session, kept server-side so logging out can end it for good."""
    with unit_of_work():
        return issue_token(user, "browser session")


def end_browser_session(token: str) -> None:
    """Revoke a browser session's token: a copy of the cookie is worth nothing from now on."""
    with unit_of_work():
        revoke_token(token)


# -- registration and confirmation ----------------------------------------------------------

def register(email: str, password: str, name: str, locale: str | None = None) -> User | None:
    """Create an unconfirmed account and record the event that mails its confirm link.

    An address that already has an account (or is another account's confirmed alias) creates
    nothing: its owner is emailed instead ("someone tried to register with your address"), and
    None comes back, which the channels answer exactly as a fresh registration (issue 14: the
    answer must not tell whether an address has an account).
    """
    password_hash = hash_password(password)  # slow on purpose: before taking the address lock
    with unit_of_work():
        lock_address(email)
        owner = _address_owner(email)
        if owner is not None:
            if owner.active:
                record_event("account.registration_attempted", actor=None, payload={"user_id": owner.id})
            return None
        claim_address(email)
        user = User(email=email.strip(), name=name, password_hash=password_hash, confirmed=False, locale=locale)
        db.session.add(user)
        db.session.flush()
        record_event("account.confirm_email", actor=user, payload={"user_id": user.id, "email": user.email})
    return user


def confirm_address(token: str) -> dict:
    """Confirm the primary address or the alias a confirm link names; each link works once."""
    with unit_of_work():
        found = links.read_confirm_token(token)
        if found is None or not found[0].active:
            raise InvalidToken()
        user, email = found
        db.session.refresh(user, with_for_update=True)
        primary = user.email.lower() == email
        if primary:
            if user.confirmed:
                raise InvalidToken()
            user.confirmed = True
        else:
            alias = db.session.scalar(select(EmailAlias).where(
                EmailAlias.user_id == user.id, EmailAlias.email == email).with_for_update())
            if alias is None or alias.confirmed_at is not None:
                raise InvalidToken()
            alias.confirmed_at = utcnow()
        record_event("account.email_confirmed", actor=user,
                     payload={"user_id": user.id, "email": email, "primary": primary})
    return {"email": email, "primary": primary}


def record_account_link(kind: str, email: str, request_key: str) -> int | None:
    """Record the event that mails the link, when the address has an account that may have one.

    Idempotent: a redelivered message (same `request_key`) records nothing twice.
    """
    event_kind, wanted = ACCOUNT_LINKS[kind]
    with unit_of_work():
        user = db.session.scalar(select(User).where(User.email == email).with_for_update())
        if user is None or not user.active or not wanted(user):
            return None
        earlier = db.session.scalar(select(Event.id).where(
            Event.kind == event_kind, Event.payload["request_key"].astext == request_key))
        if earlier is not None:
            return earlier
        payload = {"user_id": user.id, "request_key": request_key}
        if kind == "confirm_email":
            payload["email"] = user.email
        return record_event(event_kind, actor=user, payload=payload).id


# -- passwords ------------------------------------------------------------------------------

def set_password_with_token(token: str, password: str) -> User:
    """Set a password from a "reset" or "set" link: once per link, ending every other login.

    The link reached the account's address, so the address counts as confirmed.
    """
    password_hash = hash_password(password)
    with unit_of_work():
        user, purpose = _user_for_password_token(token)
        user.password_hash = password_hash
        user.confirmed = True
        revoke_all_tokens(user.id)
        record_event("account.password_changed", actor=user, payload={"user_id": user.id, "purpose": purpose})
    return user


def _user_for_password_token(token: str) -> tuple[User, str]:
    for purpose in links.PASSWORD_PURPOSES:
        user = links.read_password_token(token, purpose)
        if user is None:
            continue
        # Lock, then read again: of two requests racing with one link, only the first passes.
        db.session.refresh(user, with_for_update=True)
        if user.active and links.read_password_token(token, purpose) is user:
            return user, purpose
        break
    raise InvalidToken()


# -- the profile and aliases ----------------------------------------------------------------

def update_profile(user: User, changes: dict) -> User:
    """Change the caller's own name or phone; nothing else is writable here."""
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationFailed(_("Only name, phone and locale can be changed."),
                               {"json": {field: [_("Unknown field.")] for field in unknown}})
    with unit_of_work():
        changed = sorted(field for field, value in changes.items() if getattr(user, field) != value)
        for field in changed:
            setattr(user, field, changes[field])
        if changed:
            record_event("account.profile_updated", actor=user, payload={"user_id": user.id, "fields": changed})
    return user


def aliases_of(user: User) -> list[EmailAlias]:
    return list(db.session.scalars(
        select(EmailAlias).where(EmailAlias.user_id == user.id).order_by(EmailAlias.created_at, EmailAlias.id)))


def add_alias(user: User, email: str) -> EmailAlias:
    """Add another address to the caller's account; it is unusable until its link is followed."""
    with unit_of_work():
        claim_address(email, claimant=user)
        if len(aliases_of(user)) >= MAX_ALIASES:
            raise Conflict(_("An account can have at most %(MAX_ALIASES)s other addresses.", MAX_ALIASES=MAX_ALIASES),
                           {"limit": MAX_ALIASES})
        alias = EmailAlias(user_id=user.id, email=email.strip())
        db.session.add(alias)
        db.session.flush()
        record_event("account.confirm_email", actor=user, payload={"user_id": user.id, "email": alias.email})
    return alias


def remove_alias(user: User, email: str) -> None:
    """Remove one of the caller's own aliases (404 for any other address)."""
    with unit_of_work():
        alias = db.session.scalar(select(EmailAlias).where(
            EmailAlias.user_id == user.id, EmailAlias.email == email.strip()))
        if alias is None:
            raise NotFound(_("Your account has no such address."), {"email": email})
        record_event("account.alias_removed", actor=user, payload={"user_id": user.id, "email": alias.email})
        db.session.delete(alias)
