"""Account rules: logging in. (Registration, confirmation and resets: issue 3.)"""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.tokens import issue_token
from app.errors import Unauthorized
from app.extensions import db

# Verifying against a real hash when the account does not exist keeps the timing the same.
_DUMMY_HASH = hash_password("no such account")


def authenticate(email: str, password: str) -> User:
    """The active user with this email and password, or 401 with one message for every failure."""
    user = user_by_email(email)
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        raise Unauthorized("Email or password is wrong.", code="invalid_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def log_in(email: str, password: str, token_name: str = "") -> tuple[User, str]:
    user = authenticate(email, password)
    return user, issue_token(user, token_name)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip()))
