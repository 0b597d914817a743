# Warwickshire consultation portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help run demo-password serve test lint audit vendor bench load screenshots translations

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The interface catalogues (portal/translations/<language>/LC_MESSAGES/messages.po) are
# compiled to the .mo files Flask-Babel reads as part of every install: `make run` needs nothing
# more.
CATALOGUES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)

$(VENV)/.runtime-installed: pyproject.toml $(CATALOGUES) | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pybabel compile --statistics --directory portal/translations
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(CATALOGUES) | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pybabel compile --statistics --directory portal/translations
	@touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed ## Set up, migrate, seed demo data and serve on http://127.0.0.1:5000 (SQLite)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo-officer
	@echo "Serving the portal on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

demo-password: $(VENV)/.runtime-installed ## Give the demo officer of `make run` a new password, and print it
	$(BIN)/flask users set-password --email demo.officer@warwickshire.example --generate

# make serve: the production setup, locally, on PostgreSQL.
SERVE_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/portal
# Rate-limit counts shared by every gunicorn worker (production refuses memory:// with several).
SERVE_RATELIMIT_STORAGE_URI ?= redis://127.0.0.1:6379/0
serve: $(VENV)/.runtime-installed ## Production setup locally: migrate, seed, gunicorn (JSON logs) on PostgreSQL, http://127.0.0.1:8000
	@export DATABASE_URL="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}" PORTAL_ENV=production \
	  SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')}" \
	  PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://127.0.0.1:$${PORT:-8000}}" \
	  PORTAL_TRUSTED_HOSTS="$${PORTAL_TRUSTED_HOSTS:-localhost}" \
	  RATELIMIT_STORAGE_URI="$${RATELIMIT_STORAGE_URI:-$(SERVE_RATELIMIT_STORAGE_URI)}" && \
	$(BIN)/python scripts/ensure_database.py && \
	$(BIN)/flask db upgrade && $(BIN)/flask seed && \
	echo "Serving the production setup on http://127.0.0.1:$${PORT:-8000} (Ctrl+C to stop)" && \
	exec $(BIN)/gunicorn -c python:portal.gunicorn_config wsgi:app

test: $(VENV)/.dev-installed ## Set up and run every test (SQLite, PostgreSQL if reachable, Chromium if installed)
	$(BIN)/python -m pytest -n auto

screenshots: $(VENV)/.dev-installed ## Refresh the README's screenshots in docs/screenshots/ (needs Chromium)
	PORTAL_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser/test_screenshots.py tests/browser/test_school_register_journey.py tests/browser/test_response_lookup_journey.py tests/browser/test_waves_journey.py -k sqlite

lint: $(VENV)/.dev-installed ## ruff (lint and format), mypy, and bandit (fails on medium or high)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive portal --severity-level medium

audit: $(VENV)/.dev-installed ## pip-audit every installed dependency; fails on a known vulnerability
	$(BIN)/python scripts/audit_dependencies.py

translations: $(VENV)/.dev-installed ## Extract the portal's words to portal/translations/messages.pot and update each language's catalogue
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --no-location --sort-output --project "Warwickshire consultation portal" --output-file portal/translations/messages.pot .
	$(BIN)/pybabel update --input-file portal/translations/messages.pot --output-dir portal/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --statistics --directory portal/translations

vendor: ## Refresh static/vendor/ from the pinned npm versions (needs Node and npm)
	bash scripts/vendor-assets.sh

load: $(VENV)/.dev-installed ## 50 clients x 10,000 submissions on PostgreSQL, then with PostgreSQL restarted mid-run; writes bench/load-results.md
	$(BIN)/python -m bench.load $(LOAD_ARGS)

bench: $(VENV)/.dev-installed ## Measure the portal against a bare reference (SQLite and PostgreSQL); writes bench/results.md
	$(BIN)/python -m bench.run $(BENCH_ARGS)
