# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Development defaults; production sets these in the environment (see .env.example).
export DJANGO_DEBUG ?= 1
export DJANGO_SECRET_KEY ?= development-only-insecure-key-gcm-tracker

.PHONY: install run test lint format messages compilemessages migrate seed chromium clean bench bench-corpus

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt ".[dev]"
	touch $@

install: $(VENV)/.installed

compilemessages: install
	@command -v msgfmt >/dev/null || { echo "Installing gettext (msgfmt) to compile translations"; apt-get update -qq && apt-get install -y -qq gettext; }
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi

messages: install
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py makemessages --all -d djangojs --ignore=.venv --ignore=staticfiles --no-obsolete

migrate: compilemessages
	$(BIN)/python manage.py migrate --no-input -v0

seed: migrate
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py ensure_demo_users

run: seed
	@echo "Serving the GCM Commitment Tracker on http://127.0.0.1:$(PORT)/ (admin: /admin/)"
	$(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests drive Debian's chromium; Playwright itself never downloads a browser.
chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; apt-get update -qq && apt-get install -y -qq chromium; }

test: compilemessages chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Security: bandit fails on any high-severity finding; pip-audit reports known-vulnerable
# packages (it needs the registry's JSON API, which some mirrors do not serve: then it says
# which packages it could not check).
audit: install
	$(BIN)/bandit -q -c pyproject.toml -r . --severity-level high
	$(BIN)/pip-audit --progress-spinner off --skip-editable -l

# The benchmark of docs/performance.md, against PostgreSQL and Redis (never the development
# database): `make bench-corpus` once (a new database gcm_bench, 100,000 recommendations, a few
# minutes), then `make bench` as often as wanted. BENCH_DATABASE_URL picks another database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gcm_bench
bench-corpus: compilemessages
	$(BIN)/python -m benchmarks.run --database-url $(BENCH_DATABASE_URL) --setup-only

bench: compilemessages
	$(BIN)/python -m benchmarks.run --database-url $(BENCH_DATABASE_URL) --json var/benchmark.json

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache
