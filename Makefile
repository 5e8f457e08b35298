# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export WEB_PORT := $(PORT)
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app wsgi
# `make run`: every web and worker process writes its metrics here; GET /metrics sums them.
run: export PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/instance/prometheus

.PHONY: run setup migrate seed test lint bench lock i18n clean-test-db

setup:
	@./scripts/bootstrap.sh

migrate: setup
	@$(FLASK) db upgrade

seed: migrate
	@if [ "$${SEED_DEMO:-1}" = "0" ]; then echo "==> SEED_DEMO=0: no demo data"; else $(FLASK) seed-demo; fi

run: seed
	@rm -rf "$(PROMETHEUS_MULTIPROC_DIR)" && mkdir -p "$(PROMETHEUS_MULTIPROC_DIR)"
	@$(BIN)/python scripts/banner.py
	@exec $(BIN)/honcho -f Procfile start

# The suite waits on sockets, workers and a browser more than on the CPU: TEST_WORKERS pytest-xdist
# workers, each with its own database (tests/conftest.py), finish it sooner even on 2 cores.
TEST_WORKERS ?= 3
test:
	@BOOTSTRAP_BROWSER=1 ./scripts/bootstrap.sh
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	@$(BIN)/ruff check .
	@$(BIN)/lint-imports --no-cache

# Remake requirements.lock (hash-pinned, every platform) after changing pyproject.toml's
# dependencies; tests/foundation/test_lock.py fails until it is remade.
lock: setup
	@$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal \
		--python-version 3.11 --quiet -o requirements.lock

# `make bench BENCH_ARGS=--quick`: every benchmark in its small form (a few minutes each).
bench: setup
	@set -e; for script in bench/*.py; do echo "==> $$script"; $(BIN)/python $$script $(BENCH_ARGS); done

# Extract every marked string into app/translations/messages.pot (pages, forms, API) and
# emails/translations/emails.pot (email templates, domain `emails`; `shared_text` marks go to both), bring each language's
# catalogues up to date and compile them. A new language: `pybabel init -i
# app/translations/messages.pot -d app/translations -l xx` and `pybabel init -D emails -i
# emails/translations/emails.pot -d emails/translations -l xx`, then add it to app/i18n.py LANGUAGES.
i18n: setup
	@$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k shared_text -o app/translations/messages.pot . >/dev/null
	@for po in app/translations/*/LC_MESSAGES/messages.po; do \
	  [ -f "$$po" ] && $(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching -l "$$(basename $$(dirname $$(dirname $$po)))" >/dev/null; \
	done; true
	@$(BIN)/pybabel compile -d app/translations --statistics
	@PYTHONPATH=. $(BIN)/pybabel extract -F babel-emails.cfg -k email_text -k shared_text -o emails/translations/emails.pot . >/dev/null
	@for po in emails/translations/*/LC_MESSAGES/emails.po; do \
	  [ -f "$$po" ] && $(BIN)/pybabel update -D emails -i emails/translations/emails.pot -d emails/translations --no-fuzzy-matching -l "$$(basename $$(dirname $$(dirname $$po)))" >/dev/null; \
	done; true
	@$(BIN)/pybabel compile -D emails -d emails/translations --statistics
