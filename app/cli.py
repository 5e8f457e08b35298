"""Flask CLI commands: `seed-demo`, `users create-admin`, `inbound ingest`, `geo import-addresses`, `sso set`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.extensions import db


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo city (idempotent)."""
    from app.seed.demo import seed_demo

    counts = seed_demo(current_app.config["INBOUND_DOMAIN"])
    click.echo("demo city ready: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


users_cli = click.Group("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="Administrator")
@click.option("--org", "org_slug", default=None,
              help="Make them this organization's admin; without it, a platform operator.")
def create_admin(email: str, password: str, name: str, org_slug: str | None) -> None:
    """Create (or promote) an organization's admin (--org) or a platform operator."""
    from app.accounts.models import Membership, Organization, User
    from app.accounts.passwords import hash_password, password_problem
    from app.accounts.roles import ensure_default_roles

    problem = password_problem(password)
    if problem:
        raise click.ClickException(f"password refused: {problem}")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, confirmed=True)
        db.session.add(user)
    user.password_hash = hash_password(password)
    # Only an operator sees platform-wide things: an organization's admin is not one.
    if not org_slug:
        user.is_superadmin = True
    user.active = True
    db.session.flush()
    if org_slug:
        org = db.session.scalar(select(Organization).where(Organization.slug == org_slug))
        if org is None:
            raise click.ClickException(f"no organization with slug {org_slug!r}")
        admin_role = ensure_default_roles(org)["admin"]
        membership = db.session.scalar(select(Membership).where(
            Membership.user_id == user.id, Membership.organization_id == org.id))
        if membership is None:
            db.session.add(Membership(user_id=user.id, organization_id=org.id, role_id=admin_role.id))
        else:
            membership.role_id = admin_role.id
    db.session.commit()
    click.echo(f"{'administrator of ' + org_slug if org_slug else 'platform operator'} {email} ready")


inbound_cli = click.Group("inbound", help="Inbound email.")


@inbound_cli.command("ingest")
@click.argument("source", type=click.File("rb"), default="-")
def ingest(source) -> None:
    """Store one raw RFC 5322 message from FILE or - (stdin), as an MTA pipe would."""
    from app.inbound.receive import accept_raw_message

    raw = source.read()
    if not raw:
        raise click.ClickException("empty message: nothing stored")
    stored = accept_raw_message(raw, received_via="cli")
    click.echo(f"stored inbound message {stored}")
    sys.stdout.flush()


sso_cli = click.Group("sso", help="Staff single sign-on (OpenID Connect) per organization.")


@sso_cli.command("set")
@click.option("--org", "org_slug", required=True)
@click.option("--issuer", required=True, help="The provider's issuer URL.")
@click.option("--client-id", required=True)
@click.option("--client-secret", envvar="SSO_CLIENT_SECRET", default=None,
              help="Or SSO_CLIENT_SECRET in the environment; leave out to keep the stored one.")
@click.option("--domain", "domains", multiple=True, help="An email domain that may sign in (repeat; none: any).")
@click.option("--allow-new-accounts/--no-new-accounts", default=False)
@click.option("--role", "new_member_role", default="staff", help="Role of members created by a first sign-in.")
@click.option("--disable", is_flag=True, help="Keep the settings but refuse sign-ins.")
def sso_set(org_slug, issuer, client_id, client_secret, domains, allow_new_accounts, new_member_role, disable):
    """Configure an organization's provider; prints the redirect URI to register with it."""
    from flask import url_for

    from app.accounts import sso
    from app.accounts.models import Organization
    from app.errors import ApiError

    org = db.session.scalar(select(Organization).where(Organization.slug == org_slug))
    if org is None:
        raise click.ClickException(f"no organization with slug {org_slug!r}")
    try:
        sso.save_settings(org, issuer=issuer, client_id=client_id, client_secret=client_secret,
                          allowed_domains=list(domains), allow_new_accounts=allow_new_accounts,
                          new_member_role=new_member_role, enabled=not disable)
    except ApiError as exc:
        raise click.ClickException(f"{exc.message} {exc.details}") from None
    db.session.commit()
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        callback = url_for("staff.sso_callback", org=org_slug, _external=True)
        login = url_for("staff.sso_login", org=org_slug, _external=True)
    click.echo(f"single sign-on of {org_slug} saved; redirect URI: {callback}; staff sign in at {login}")


def register(app: Flask) -> None:
    app.cli.add_command(sso_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(inbound_cli)
    from app.addresses.cli import geo_cli

    app.cli.add_command(geo_cli)
