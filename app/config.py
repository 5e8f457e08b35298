"""One environment-driven configuration, read in one place.

`load_config(environ)` turns environment variables into a dict of Flask settings; the
factory applies it and then any overrides a caller (a test, a script) passes in.
Every variable and its default is listed in README.md.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from emails.dns import StaticResolver, SystemResolver

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The environment cannot produce a safe configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _development_secret_key(instance_dir: str) -> str:
    """A generated key kept in the instance folder, so web, worker and listener agree on it."""
    path = os.path.join(instance_dir, "dev-secret-key")
    try:
        with open(path) as handle:
            key = handle.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(instance_dir, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when two processes start at once, one writes and both read the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path) as handle:
            return handle.read().strip() or key
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# Limits on the account endpoints that guess or send (limits' notation; ";" joins several).
# "per client" counts by client address, "per account" by the email address in the body.
RATE_LIMITS = {
    "RATELIMIT_LOGIN": "10 per minute;100 per hour",              # per client
    "RATELIMIT_LOGIN_ACCOUNT": "20 per hour",                     # per account, failures only
    "RATELIMIT_REGISTER": "5 per minute;30 per hour",             # per client
    "RATELIMIT_ACCOUNT_EMAIL": "5 per minute;30 per hour",        # forgot, resend: per client
    "RATELIMIT_ACCOUNT_EMAIL_ACCOUNT": "3 per 15 minutes",        # forgot, resend: per account
    "RATELIMIT_TOKEN": "10 per minute;60 per hour",               # reset, confirm: per client
    "RATELIMIT_ALIASES": "10 per hour",                           # adding aliases: per user
    "RATELIMIT_OPEN311_POST": "60 per minute",                    # Open311 POST requests: per API key
}


def load_config(environ: Mapping[str, str] | None = None) -> dict:
    """Build the settings dict from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    app_env = env.get("APP_ENV", "development")
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {app_env!r}")

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if app_env == "production":
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
        secret_key = _development_secret_key(env.get("INSTANCE_DIR", "instance"))

    mail_server = env.get("MAIL_SERVER", "")
    mail_sink_port = _int(env, "MAIL_SINK_PORT", 1025)
    inbound_domain = env.get("INBOUND_DOMAIN", "inbound.localhost")
    public_base_url = env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{_int(env, 'PORT', 8000)}")

    return {
        "APP_ENV": app_env,
        "DEBUG": app_env == "development",
        "TESTING": app_env == "testing",
        "SECRET_KEY": secret_key,
        "SERVER_NAME": env.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME", "http"),
        "PUBLIC_BASE_URL": public_base_url,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", "postgresql+psycopg:///civic"),
        # No pool_pre_ping: a checkout looks at the socket instead of sending SELECT 1 (app/pool.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # With no MAIL_SERVER the dev mail sink receives everything, so the demo sends real mail.
        "MAIL_SERVER": mail_server or "127.0.0.1",
        "MAIL_PORT": _int(env, "MAIL_PORT", 25) if mail_server else mail_sink_port,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        # Never silently drop mail, in tests either: tests point MAIL_SERVER at a real listener.
        "MAIL_SUPPRESS_SEND": False,
        # Seconds an SMTP read may wait (Flask-Mail opens its connection without a timeout).
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 30),
        # Flask-Mail would print every SMTP line whenever DEBUG is on; only when asked.
        "MAIL_DEBUG": _bool(env.get("MAIL_DEBUG")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", f"no-reply@{inbound_domain}"),
        "MAIL_TRANSPORT": "smtp" if mail_server else "dev-sink",
        "MAIL_SINK_HOST": env.get("MAIL_SINK_HOST", "127.0.0.1"),
        "MAIL_SINK_PORT": mail_sink_port,
        "MAIL_SINK_DIR": env.get("MAIL_SINK_DIR", os.path.join("instance", "mail-sink")),
        "INBOUND_DOMAIN": inbound_domain,
        "INBOUND_SMTP_HOST": env.get("INBOUND_SMTP_HOST", "127.0.0.1"),
        "INBOUND_SMTP_PORT": _int(env, "INBOUND_SMTP_PORT", 2525),
        "INBOUND_WEBHOOK_SECRET": env.get("INBOUND_WEBHOOK_SECRET", ""),
        # The receiving MTA in front of us whose Authentication-Results (RFC 8601) are trusted;
        # unset: the listener is the edge and checks DKIM and SPF itself.
        "INBOUND_AUTHSERV_ID": env.get("INBOUND_AUTHSERV_ID", "").strip(),
        # Where those checks ask DNS; a test run never asks the network (tests pass a table).
        "INBOUND_DNS_RESOLVER": StaticResolver() if app_env == "testing" else SystemResolver(),
        # Attachments of inbound mail larger than this are refused (and noted).
        "INBOUND_ATTACHMENT_MAX_BYTES": _int(env, "INBOUND_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        # Attempts before an inbound email is marked `failed` (its raw bytes stay stored).
        "INBOUND_MAX_ATTEMPTS": _int(env, "INBOUND_MAX_ATTEMPTS", 3),
        # Seconds a stored email may stay `received` before the sweep sends it to a worker again.
        "INBOUND_SWEEP_AFTER": _int(env, "INBOUND_SWEEP_AFTER", 60),
        "EMAIL_FALLBACK_DELAY": _int(env, "EMAIL_FALLBACK_DELAY", 60),
        # Limits on a drawn watch area (vertices as ST_NPoints counts them; geodesic m²).
        "WATCH_AREA_MAX_VERTICES": _int(env, "WATCH_AREA_MAX_VERTICES", 5000),
        "WATCH_AREA_MAX_AREA_M2": _int(env, "WATCH_AREA_MAX_AREA_M2", 1_000_000_000),
        # Notification engine (app/notify/): see README.md for each.
        "APP_ACTIVE_WINDOW": _int(env, "APP_ACTIVE_WINDOW", 300),
        "EMAIL_BATCH_SIZE": _int(env, "EMAIL_BATCH_SIZE", 200),
        "EMAIL_CLAIM_LEASE": _int(env, "EMAIL_CLAIM_LEASE", 120),
        "EMAIL_MAX_ATTEMPTS": _int(env, "EMAIL_MAX_ATTEMPTS", 6),
        "EMAIL_RETRY_BASE": _int(env, "EMAIL_RETRY_BASE", 60),
        "EVENT_RELAY_AFTER": _int(env, "EVENT_RELAY_AFTER", 30),
        "DIGEST_HOUR_UTC": _int(env, "DIGEST_HOUR_UTC", 12),
        # Operations: the bearer token GET /metrics needs (unset: refused), and log lines as
        # JSON (with request_id) or text.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "LOG_FORMAT": env.get("LOG_FORMAT") or ("text" if app_env == "testing" else "json"),
        # Outbound webhooks (app/notify/webhooks/): hosts allowed although private or loopback
        # (comma-separated; they may also use plain http), and the retry schedule.
        "WEBHOOK_ALLOWED_HOSTS": env.get("WEBHOOK_ALLOWED_HOSTS", ""),
        "WEBHOOK_TIMEOUT": _int(env, "WEBHOOK_TIMEOUT", 10),
        "WEBHOOK_MAX_ATTEMPTS": _int(env, "WEBHOOK_MAX_ATTEMPTS", 8),
        "WEBHOOK_RETRY_BASE": _int(env, "WEBHOOK_RETRY_BASE", 30),
        "WEBHOOK_BATCH_SIZE": _int(env, "WEBHOOK_BATCH_SIZE", 20),
        "WEBHOOK_CLAIM_LEASE": _int(env, "WEBHOOK_CLAIM_LEASE", 300),
        "UPLOAD_DIR": env.get("UPLOAD_DIR", os.path.join("instance", "uploads")),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 26 * 1024 * 1024),
        # Portal pages: the map's tile layer (empty: no tiles, the map draws on a blank
        # background) and CSRF, which the portal's blueprints check (app/portal/web.py); the
        # JSON API authenticates by bearer token or a SameSite session instead.
        "MAP_TILE_URL": env.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "MAP_TILE_ATTRIBUTION": env.get("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"),
        "PORTAL_BADGE_POLL_MS": _int(env, "PORTAL_BADGE_POLL_MS", 20_000),
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": app_env == "production",
        "JSON_SORT_KEYS": False,
        # Open311 GeoReport v2 (/open311/v2): the texts of its discovery document.
        "OPEN311_CONTACT": env.get("OPEN311_CONTACT", f"See {public_base_url} for who serves your area."),
        "OPEN311_KEY_SERVICE": env.get(
            "OPEN311_KEY_SERVICE",
            "Reading needs no key. Posting needs an api_key, issued by the organization's administrators "
            "(POST /api/v1/orgs/{org}/api-keys)."),
        # Reverse proxies in front of the web process; their X-Forwarded-For is trusted so the
        # client address (rate limits) is the caller's, not the proxy's.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # flask-limiter: counters in Redis so every web worker shares them; when Redis is away,
        # each process keeps limiting in memory rather than failing the request.
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": env.get("RATELIMIT_KEY_PREFIX", "civic-ratelimit")},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        **RATE_LIMITS,
        # flask-smorest: the OpenAPI document CONTRACT.md names, and its docs page.
        "API_TITLE": "Civic 311 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": env.get("OPENAPI_SWAGGER_UI_URL", "/static/vendor/swagger-ui/"),
    }
