"""/api/v1/auth: log in (session and bearer token) and log out."""

from __future__ import annotations

import marshmallow as ma
from flask import session
from flask_smorest import Blueprint

from app.accounts import service as accounts
from app.accounts.tokens import revoke_token
from app.api.auth import bearer_token, log_in_session
from app.api.inputs import InputSchema
from app.extensions import db

URL_PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Accounts: log in and out")


class LoginSchema(InputSchema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))
    token_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True)
    user_id = ma.fields.Integer(required=True)


@blp.post("/login")
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
def login(body):
    """Log in: starts a browser session and returns a bearer token for mobile clients."""
    user, token = accounts.log_in(body["email"], body["password"], token_name=body["token_name"])
    db.session.commit()
    log_in_session(user)
    return {"token": token, "user_id": user.id}


@blp.post("/logout")
@blp.response(204)
def logout():
    """End the browser session and revoke the bearer token used for this call, if any."""
    token = bearer_token()
    if token:
        revoke_token(token)
        db.session.commit()
    session.clear()
