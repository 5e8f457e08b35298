"""A resident leaving: confirm with the password or a fresh emailed link, then erase at once."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts import links
from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.accounts.service import InvalidToken
from app.errors import Forbidden, ValidationFailed
from app.events.service import record_event
from app.privacy.erasure import check_deletable, erase_account
from app.privacy.files import discard_unreferenced_files
from app.transactions import unit_of_work


def request_deletion_link(user: User) -> None:
    """Email the user a link that confirms deleting the account (valid for an hour)."""
    check_deletable(user)
    with unit_of_work():
        record_event("account.deletion_requested", actor=user, payload={"user_id": user.id})


def delete_own_account(user: User, *, password: str | None = None, token: str | None = None,
                       where: str = "") -> None:
    """Delete the caller's account once the password or an emailed link confirms it."""
    if token:
        if links.read_deletion_token(token) is not user:
            raise InvalidToken()
    elif password:
        if not verify_password(user.password_hash, password):
            message = _("The password is wrong.")
            raise Forbidden(message, {"json": {"password": [message]}}, code="wrong_password")
    else:
        message = _("Give your password, or follow the link we email you to confirm.")
        raise ValidationFailed(message, {"json": {"password": [message]}})
    with unit_of_work():
        files = erase_account(user, where=where)
    discard_unreferenced_files(files)
