# Campus: the entry points. `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi
# wsgi.py runs production unless told otherwise; these targets are for a developer's machine.
export CAMPUS_ENV ?= development

.DEFAULT_GOAL := help
.PHONY: help run serve-prod test test-postgres bench lint format translations extract-messages update-messages db-upgrade seed clean

help:
	@echo "make run     - set up .venv, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test    - install dev tools, lint, run the whole test suite"
	@echo "make test-postgres - the whole test suite against PostgreSQL"
	@echo "make serve-prod - gunicorn with config/gunicorn.conf.py (set CAMPUS_SECRET_KEY, CAMPUS_DATABASE_URL)"
	@echo "make bench   - every page at 10k/100k/1M tickets, in-process and through gunicorn"
	@echo "make lint    - ruff check + format check"
	@echo "make extract-messages / update-messages - refresh translation catalogs"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Campus needs Python 3.11 or newer (set PYTHON=python3.12 etc.)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

# Compiled only when a catalog changed, so that several runs (make test and
# make test-postgres side by side in .ci/run) never write a catalog another one reads.
CATALOGS := $(wildcard campus/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGS:.po=.mo)

campus/translations/%/LC_MESSAGES/messages.mo: campus/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -d campus/translations -D messages -l $*

db-upgrade: $(VENV)/.installed
	$(BIN)/flask db upgrade

seed: db-upgrade
	$(BIN)/flask campus seed-demo --if-empty

run: translations seed
	$(BIN)/flask run --host $(HOST) --port $(PORT)

$(VENV)/.installed-prod: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[prod]'
	@touch $@

# Production server: needs CAMPUS_SECRET_KEY and CAMPUS_DATABASE_URL in the environment.
serve-prod: $(VENV)/.installed-prod translations
	CAMPUS_ENV=production $(BIN)/flask db upgrade
	CAMPUS_ENV=production $(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(VENV)/.installed-dev translations lint
	$(BIN)/pytest

# The same tests against PostgreSQL, in a throwaway database on the server that
# CAMPUS_TEST_DATABASE_URL names (default: postgresql+psycopg://postgres@127.0.0.1:5432/test).
test-postgres: $(VENV)/.installed-dev translations
	$(BIN)/python -m tests.postgres_run

# Benchmarks (not part of make test): datasets are generated once into $(BENCH_DATA).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--sizes 10000 --big-city ''".
BENCH_DATA ?= /tmp/campus-bench
bench: $(VENV)/.installed-dev translations
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
	  || echo "bench: wrk not found; the load runs with Python threads"
	BENCH_DATA=$(BENCH_DATA) $(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o campus/translations/messages.pot --no-location --sort-by-file --project Campus .

update-messages: extract-messages
	$(BIN)/pybabel update -i campus/translations/messages.pot -d campus/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
