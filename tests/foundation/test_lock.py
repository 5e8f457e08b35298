"""requirements.lock pins, with hashes, every dependency pyproject.toml names, at a version it allows.

bootstrap.sh installs from the lock alone (`--require-hashes --no-deps`), so a dependency added to
pyproject.toml without `make lock` would be missing on a fresh machine: this test says so first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    pins = {}
    for match in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", text, re.MULTILINE):
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(spec) for spec in names]


def test_every_declared_dependency_is_pinned_at_an_allowed_version():
    pins = _pins()
    missing = [str(r) for r in _declared() if canonicalize_name(r.name) not in pins]
    assert missing == [], f"not in requirements.lock (run `make lock`): {missing}"
    outside = [f"{r} (locked {pins[canonicalize_name(r.name)]})" for r in _declared()
               if not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)]
    assert outside == [], f"locked outside pyproject.toml's range (run `make lock`): {outside}"


def test_every_pin_carries_a_hash():
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text())
    unhashed = [e.split()[0] for e in entries if "==" in e.split("\n")[0] and "--hash=sha256:" not in e]
    assert unhashed == []
