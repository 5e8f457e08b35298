"""docker-compose.yml, read as data (no Docker engine here): workers scale, and every variable is one the app reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The images' own variables, read by them and not by the app.
IMAGE_VARIABLES = {"db": {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}}
TOOL_VARIABLES = {"dramatiq_worker_timeout"}  # read by Dramatiq itself (dramatiq.worker), not by app/
APP_SERVICES = ("migrate", "web", "worker", "scheduler", "inbound", "mailsink")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _variables_the_app_reads() -> set[str]:
    """Every environment name read in app/ (config.py and the few modules that read os.environ)."""
    pattern = re.compile(r"""(?:env|environ)\.get\(\s*["']([A-Z0-9_]+)["']|_(?:int|bool)\(\s*env,\s*["']([A-Z0-9_]+)["']"""
                         r"""|environ\[\s*["']([A-Z0-9_]+)["']\s*\]""")
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        for match in pattern.finditer(path.read_text()):
            names.add(next(group for group in match.groups() if group))
    return names


def test_the_worker_scales_with_no_fixed_name_or_host_port():
    services = _compose()["services"]
    for name in ("worker", "scheduler"):
        assert "container_name" not in services[name], name
        assert "ports" not in services[name], name
    assert "dramatiq" in services["worker"]["command"][0]
    assert {"default", "fanout", "email", "inbound", "webhooks"} <= set(services["worker"]["command"])


def test_every_variable_a_service_sets_is_one_the_app_reads():
    services, read = _compose()["services"], _variables_the_app_reads()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MAIL_SERVER", "UPLOAD_DIR"} <= read  # the scan finds config.py
    for name, service in services.items():
        if name == "redis":
            continue
        allowed = IMAGE_VARIABLES.get(name, read)
        unknown = set(service.get("environment", {})) - allowed - TOOL_VARIABLES
        assert not unknown, f"{name} sets {sorted(unknown)}, which nothing reads"


def test_app_services_share_the_upload_volume():
    """Photos written by web or worker (inbound attachments) are served by web: one volume, one path."""
    compose = _compose()
    for name in APP_SERVICES:
        service = compose["services"][name]
        if name == "mailsink":
            continue
        assert "uploads:/srv/civic/instance/uploads" in service["volumes"], name
        assert service["environment"]["UPLOAD_DIR"] == "/srv/civic/instance/uploads", name
    assert "uploads" in compose["volumes"]


def test_every_app_service_reaches_the_same_database_and_redis():
    services = _compose()["services"]
    for name in APP_SERVICES:
        if name == "mailsink":
            continue
        env = services[name]["environment"]
        assert env["DATABASE_URL"].endswith("@db:5432/civic"), name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
