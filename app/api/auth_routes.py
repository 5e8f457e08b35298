"""/api/v1/auth: register, confirm, log in and out, forgot and reset a password.

Rate limits (app/api/ratelimit.py) sit outside the body parsing, so a flood of malformed
bodies is limited too. Unconfirmed accounts cannot log in (403 `email_not_confirmed`).
"""

from __future__ import annotations

from flask_smorest import Blueprint

from app.accounts import actors as account_actors
from app.accounts import service as accounts
from app.accounts.schemas import (
    AcceptedSchema,
    ConfirmedSchema,
    EmailInSchema,
    LoginSchema,
    PasswordResetSchema,
    RegisteredSchema,
    RegisterSchema,
    TokenInSchema,
    TokenSchema,
)
from app.accounts.tokens import revoke_token
from app.api.auth import bearer_token, log_in_session, log_out_session
from app.api.ratelimit import per_account, per_client

URL_PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Accounts: register, confirm, log in and out, passwords")

REGISTER_ANSWER = "We have sent a message to that address: follow its link to confirm it, then log in."
FORGOT_ANSWER = "If an account uses that address, we have sent it a link to choose a new password."
RESEND_ANSWER = "If an unconfirmed account uses that address, we have sent it a new confirmation link."


@blp.post("/register")
@per_client("RATELIMIT_REGISTER")
@blp.arguments(RegisterSchema)
@blp.response(201, RegisteredSchema)
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def register(body):
    """Create an account; it can log in once the emailed confirm link has been followed.

    An address that already has an account gets the same answer (its owner is emailed instead)."""
    accounts.register(body["email"], body["password"], body["name"], body.get("locale"))
    return {"email": body["email"], "message": REGISTER_ANSWER}


@blp.post("/confirm")
@per_client("RATELIMIT_TOKEN")
@blp.arguments(TokenInSchema)
@blp.response(200, ConfirmedSchema)
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def confirm(body):
    """Confirm an address (the account's own, or an alias) with the token of an emailed link."""
    return accounts.confirm_address(body["token"])


@blp.post("/confirm/resend")
@per_client("RATELIMIT_ACCOUNT_EMAIL")
@per_account("RATELIMIT_ACCOUNT_EMAIL_ACCOUNT")
@blp.arguments(EmailInSchema)
@blp.response(202, AcceptedSchema)
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def resend_confirmation(body):
    """Send a new confirm link; the answer is the same whether or not the account exists."""
    account_actors.request_account_link("confirm_email", body["email"])
    return {"message": RESEND_ANSWER}


@blp.post("/login")
@per_client("RATELIMIT_LOGIN")
@per_account("RATELIMIT_LOGIN_ACCOUNT", failures_only=True)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, "UNAUTHORIZED")
@blp.alt_response(403, "FORBIDDEN", description="The account's address is not confirmed yet.")
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def login(body):
    """Log in: starts a browser session and returns a bearer token for mobile clients."""
    user, token = accounts.log_in(body["email"], body["password"], token_name=body["token_name"])
    log_in_session(user)
    return {"token": token, "user_id": user.id}


@blp.post("/logout")
@blp.response(204)
def logout():
    """End the browser session and revoke the bearer token used for this call, if any."""
    token = bearer_token()
    if token:
        revoke_token(token)
    log_out_session()


@blp.post("/password/forgot")
@per_client("RATELIMIT_ACCOUNT_EMAIL")
@per_account("RATELIMIT_ACCOUNT_EMAIL_ACCOUNT")
@blp.arguments(EmailInSchema)
@blp.response(202, AcceptedSchema)
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def forgot_password(body):
    """Email a reset link; the answer and the work done here are the same for unknown addresses."""
    account_actors.request_account_link("password_reset", body["email"])
    return {"message": FORGOT_ANSWER}


@blp.post("/password/reset")
@per_client("RATELIMIT_TOKEN")
@blp.arguments(PasswordResetSchema)
@blp.response(204)
@blp.alt_response(422, "UNPROCESSABLE_ENTITY", description="Weak password, or the link is invalid, expired or used.")
@blp.alt_response(429, "TOO_MANY_REQUESTS")
def reset_password(body):
    """Choose a password with a reset link, or an invited account's first one with its set link.

    Ends every bearer token and browser session of the account.
    """
    accounts.set_password_with_token(body["token"], body["password"])
