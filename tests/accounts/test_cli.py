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
