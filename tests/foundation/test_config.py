import pytest

from app.config import ConfigError, load_config


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production", "INSTANCE_DIR": str(tmp_path)})


def test_production_uses_the_given_secret_key():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "s3cret"})
    assert config["SECRET_KEY"] == "s3cret"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_one_key_that_every_process_shares(tmp_path):
    first = load_config({"INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    second = load_config({"INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    assert len(first) == 64
    assert first == second


def test_defaults_match_the_contract(tmp_path):
    config = load_config({"INSTANCE_DIR": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg:///civic"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert config["INBOUND_SMTP_PORT"] == 2525
    assert config["EMAIL_FALLBACK_DELAY"] == 60
    # No MAIL_SERVER: mail goes to the dev sink.
    assert (config["MAIL_TRANSPORT"], config["MAIL_SERVER"], config["MAIL_PORT"]) == ("dev-sink", "127.0.0.1", 1025)


def test_mail_server_from_the_environment_replaces_the_sink(tmp_path):
    config = load_config({"INSTANCE_DIR": str(tmp_path), "MAIL_SERVER": "smtp.example.net", "MAIL_PORT": "2526"})
    assert (config["MAIL_TRANSPORT"], config["MAIL_SERVER"], config["MAIL_PORT"]) == ("smtp", "smtp.example.net", 2526)


def test_bad_numbers_and_environments_are_named(tmp_path):
    with pytest.raises(ConfigError, match="INBOUND_SMTP_PORT"):
        load_config({"INSTANCE_DIR": str(tmp_path), "INBOUND_SMTP_PORT": "twenty"})
    with pytest.raises(ConfigError, match="APP_ENV"):
        load_config({"APP_ENV": "staging"})
