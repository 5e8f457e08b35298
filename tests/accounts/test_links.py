"""Account links work once, for the right user, and not after they are used or expire."""

from app.accounts.links import (
    make_confirm_token,
    make_password_token,
    read_confirm_token,
    read_password_token,
)
from app.accounts.passwords import hash_password
from app.extensions import db
from tests.factories import UserFactory


def test_password_token_is_single_use():
    user = UserFactory()
    token = make_password_token(user)
    assert read_password_token(token) == user
    user.password_hash = hash_password("a new password")
    db.session.commit()
    assert read_password_token(token) is None


def test_tokens_are_bound_to_their_purpose():
    user = UserFactory()
    assert read_password_token(make_password_token(user, "set"), "reset") is None
    assert read_password_token(make_password_token(user, "reset") + "x") is None


def test_confirm_token_names_user_and_address():
    user = UserFactory(email="ann@example.org")
    found_user, email = read_confirm_token(make_confirm_token(user, "Ann.Alias@Example.org"))
    assert (found_user, email) == (user, "ann.alias@example.org")
    assert read_confirm_token("forged.token.value") is None
