# Relais — two commands: `make run` and `make test`. Only python3 (>= 3.11) and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RELAIS_ADDR ?= 127.0.0.1:8000
# Web workers of `make serve` (empty: two per core and one more).
RELAIS_WEB_WORKERS ?=
MO := relais/locale/fr/LC_MESSAGES/django.mo
PO := relais/locale/fr/LC_MESSAGES/django.po

# Relais refuses to start without a secret key: unless one is given, a key is generated once into
# the git-ignored .secret_key and passed to every command run from here (run, the worker, lint).
ifeq ($(origin RELAIS_SECRET_KEY),undefined)
RELAIS_SECRET_KEY := $(shell [ -s .secret_key ] || (umask 077; $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret_key); cat .secret_key)
endif
export RELAIS_SECRET_KEY

.PHONY: run serve test lint pytest install install-dev messages lock clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.lock | $(VENV)/bin/activate
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock | $(VENV)/bin/activate
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

$(MO): $(PO) | $(VENV)/.run-installed
	$(PY) manage.py catalogue compile

# Runs the background worker beside a server command (restarted should it die; stopped with it).
WITH_WORKER = ( trap 'kill $$worker 2>/dev/null; exit 0' TERM; \
	  while :; do \
	    $(PY) manage.py run_worker & worker=$$!; wait $$worker && break; \
	    echo "The worker stopped (status $$?): restarting it."; sleep 1; \
	  done ) & supervisor=$$!; \
	trap 'kill $$supervisor 2>/dev/null' EXIT INT TERM;

## make run: serve Relais with demo data on http://$(RELAIS_ADDR), with the background worker
## (restarted should it die; it exits only when asked to, e.g. by Ctrl-C).
run: install $(MO)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py schedule_jobs
	@echo "Relais on http://$(RELAIS_ADDR)/ (Ctrl-C stops the server and the worker)"
	@$(WITH_WORKER) \
	$(PY) manage.py runserver --noreload $(RELAIS_ADDR)

## make serve: serve Relais for real with gunicorn (gunicorn.conf.py) and the background worker,
## on the database of DATABASE_URL, without demo data. See "Serving Relais for real" in the README.
serve: install $(MO)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py schedule_jobs
	@$(WITH_WORKER) \
	RELAIS_ADDR=$(RELAIS_ADDR) RELAIS_WEB_WORKERS=$(RELAIS_WEB_WORKERS) $(VENV)/bin/gunicorn

## make test: linters, type checks, migrations check, then the whole suite (DATABASE_URL picks the database).
test: install-dev $(MO) lint pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy relais
	$(PY) manage.py makemigrations --check --dry-run

# The suite measures the coverage of the relais package (migrations and tests excluded, see
# pyproject.toml) and fails under COVERAGE_FLOOR percent: raise it as the tests grow, never lower it.
COVERAGE_FLOOR ?= 91
pytest: install-dev $(MO)
	$(VENV)/bin/pytest --cov=relais --cov-report=term-missing:skip-covered \
	  --cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

## make messages: add new strings to the French catalogue (then translate them in the .po file).
messages: install
	$(PY) manage.py catalogue update

## make lock: regenerate the hashed lock files from pyproject.toml.
lock: install-dev
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) $(MO) .mypy_cache .ruff_cache
