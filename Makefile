# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export WEB_PORT := $(PORT)
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app wsgi

.PHONY: run setup migrate seed test lint bench clean-test-db

setup:
	@./scripts/bootstrap.sh

migrate: setup
	@$(FLASK) db upgrade

seed: migrate
	@if [ "$${SEED_DEMO:-1}" = "0" ]; then echo "==> SEED_DEMO=0: no demo data"; else $(FLASK) seed-demo; fi

run: seed
	@$(BIN)/python scripts/banner.py
	@exec $(BIN)/honcho -f Procfile start

test: setup
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	@$(BIN)/ruff check .
	@$(BIN)/lint-imports --no-cache

bench: setup
	@set -e; for script in bench/*.py; do echo "==> $$script"; $(BIN)/python $$script; done
