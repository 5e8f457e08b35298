"""`flask users create-admin` obeys the same password policy as the API."""

from app.accounts.models import User
from app.extensions import db


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "--email", "boss@example.org",
                                                "--password", "short"])
    assert result.exit_code != 0
    assert "password refused" in result.output
    assert db.session.scalar(db.select(User).where(User.email == "boss@example.org")) is None


def test_create_admin_with_a_good_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "--email", "boss@example.org",
                                                "--password", "a long admin passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "boss@example.org"))
    assert user.is_superadmin and user.confirmed


def test_create_admin_without_org_is_the_platform_operator_and_with_org_is_not(app):
    from tests.factories import OrganizationFactory

    OrganizationFactory(slug="springfield")
    runner = app.test_cli_runner()
    with_org = runner.invoke(args=["users", "create-admin", "--email", "mayor@example.org", "--org", "springfield",
                                   "--password", "a long admin passphrase"])
    without = runner.invoke(args=["users", "create-admin", "--email", "ops@example.org",
                                  "--password", "a long admin passphrase"])
    assert with_org.exit_code == 0 and without.exit_code == 0, (with_org.output, without.output)
    assert "platform operator ops@example.org" in without.output
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    assert users["mayor@example.org"].is_superadmin is False and users["mayor@example.org"].memberships
    assert users["ops@example.org"].is_superadmin is True
