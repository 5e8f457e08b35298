#!/usr/bin/env bash
# Install what a fresh machine lacks: the virtualenv and packages, PostGIS, the database.
# Safe to run again: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

say() { printf '==> %s\n' "$*"; }

# 1. The virtualenv, from the hash-pinned lock (requirements.lock, remade by `make lock`):
#    every machine gets the same versions, and a tampered download fails its hash. Reinstalled
#    only when the lock or pyproject.toml changes.
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing Python packages into $VENV (requirements.lock, hashes checked)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

# 2. PostGIS for the local PostgreSQL server.
pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
if [ -z "$pg_major" ]; then
  say "PostgreSQL is not installed here. Install PostgreSQL 15 with PostGIS 3, or point DATABASE_URL at a server that has them."
elif ! ls /usr/share/postgresql/"$pg_major"/extension/postgis.control >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing PostGIS for PostgreSQL $pg_major (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$pg_major-postgis-3" >/dev/null
  else
    say "PostGIS is missing. Install it as root:  apt-get install postgresql-$pg_major-postgis-3"
    exit 1
  fi
fi

# 3. Browser assets (Leaflet, Leaflet-Geoman, Swagger UI) from npm into app/static/vendor/.
./scripts/vendor_assets.sh

# 4. Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
#    Only `make test` asks for it (BOOTSTRAP_BROWSER=1): `make run` starts without it.
if [ "${BOOTSTRAP_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Chromium for the browser tests (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "Chromium is missing: the browser tests will be skipped. Install it as root:  apt-get install chromium"
  fi
fi

# 5. The database named by DATABASE_URL, with its extensions (the first migration creates them too).
"$VENV/bin/python" scripts/ensure_db.py
