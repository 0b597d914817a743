# Warwickshire consultation portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help run test lint audit vendor bench load

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed ## Set up, migrate, seed demo data and serve on http://127.0.0.1:5000 (SQLite)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo-officer
	@echo "Serving the portal on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev-installed ## Set up and run every test (SQLite, PostgreSQL if reachable, Chromium if installed)
	$(BIN)/python -m pytest -n auto

lint: $(VENV)/.dev-installed ## ruff (lint and format), mypy, and bandit (fails on medium or high)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive portal --severity-level medium

audit: $(VENV)/.dev-installed ## pip-audit every installed dependency; fails on a known vulnerability
	$(BIN)/python scripts/audit_dependencies.py

vendor: ## Refresh static/vendor/ from the pinned npm versions (needs Node and npm)
	bash scripts/vendor-assets.sh

load: $(VENV)/.dev-installed ## 50 clients x 10,000 submissions on PostgreSQL, then with PostgreSQL restarted mid-run; writes bench/load-results.md
	$(BIN)/python -m bench.load $(LOAD_ARGS)

bench: $(VENV)/.dev-installed ## Measure the portal against a bare reference (SQLite and PostgreSQL); writes bench/results.md
	$(BIN)/python -m bench.run $(BENCH_ARGS)
