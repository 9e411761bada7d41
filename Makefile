# Build and test entry points.  CI runs .ci/run, which calls these targets.
#
#   make venv             .venv with the project installed editable (with [test])
#   make test             the whole suite on SQLite (in memory), and the
#                         production shape's tests (tests/production: gunicorn,
#                         cron, queue worker, the desktop and web clients, faults)
#                         on a PostgreSQL server of their own
#   make test-postgresql  the whole suite on a throw-away PostgreSQL server
#                         (without tests/production, which ran in make test)
#   make check            the inner loop, under 3 minutes: the modules' unit
#                         tests and scenarios and the quick tests of tests/,
#                         without the slow end-to-end ones (pytest -m 'not
#                         slow'; tests/conftest.py marks them)
#   make test-core        Tryton's own company and account tests and account's
#                         scenarios, in databases where our modules are
#                         activated too (tests/core, Tryton's runner)
#   make lint             flake8 and isort --check, with Tryton's settings
#                         (.flake8, .isort.cfg)
#   make clients          the desktop client (GTK, under Xvfb) and the web
#                         client (sao, headless Chromium) for tests/production
#   make web              the web client alone (sao with its Russian), as a
#                         server needs it under [web] root
#   make demo             the demonstration database (kazan demo)
#   make production       the production shape on this machine (scripts/stack.py)
#   make doc              the manual (doc/, Sphinx) in var/doc-html, warnings as
#                         errors; installs the [doc] extra into .venv
#   make clean            var/ and build artefacts (keeps .venv)
#
# Variables (from the environment or the command line):
#   TRYTOND_DATABASE_URI  database for the tests (default sqlite://)
#   DB_CACHE              Tryton's cache of databases with modules activated;
#                         default var/db-cache/<hash of modules/ and of the
#                         installed packages>, so a changed module never
#                         restores a stale cached database
#   PYTEST_ARGS           extra pytest arguments, e.g. PYTEST_ARGS='-k payroll -x'

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

TRYTOND_DATABASE_URI ?= sqlite://
PYTEST_ARGS ?=
export TRYTOND_DATABASE_URI

.PHONY: venv clients web test test-postgresql check test-core lint demo \
	production doc clean

venv: $(STAMP)

# The stamp holds `pip freeze`, which also keys the default DB_CACHE.
$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	@$(VPY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(VPY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@$(VPY) -m pip freeze --exclude-editable > $@.tmp && mv $@.tmp $@

# Idempotent installers (Debian packages when root, a venv, npm): quick when
# everything is there
clients: venv
	@bash .ci/desktop-client.sh
	@bash .ci/web-client.sh

web: venv
	@bash .ci/web-client.sh --sao-only

# The default DB_CACHE (see above), exported, at the start of a recipe
define SET_DB_CACHE
if [ -z "$${DB_CACHE:-}" ]; then \
	key=$$( { cat $(STAMP); find modules -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 \
		| LC_ALL=C sort -z | xargs -0r sha1sum; } | sha1sum | cut -c1-12); \
	DB_CACHE=$(CURDIR)/var/db-cache/$$key; \
	mkdir -p var/db-cache; \
	find var/db-cache -mindepth 1 -maxdepth 1 ! -name $$key -exec rm -rf {} +; \
fi; \
export DB_CACHE;
endef

test: venv clients
	@set -u; $(SET_DB_CACHE) \
	echo "pytest: TRYTOND_DATABASE_URI=$$TRYTOND_DATABASE_URI DB_CACHE=$$DB_CACHE"; \
	rc=0; $(VPY) -m pytest -q -ra --durations=20 $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$rc

check: venv
	@set -u; $(SET_DB_CACHE) \
	echo "pytest -m 'not slow': TRYTOND_DATABASE_URI=$$TRYTOND_DATABASE_URI DB_CACHE=$$DB_CACHE"; \
	rc=0; $(VPY) -m pytest -q -ra -m 'not slow' $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$rc

test-core: venv
	@set -u; $(SET_DB_CACHE) \
	echo "unittest tests.core: TRYTOND_DATABASE_URI=$$TRYTOND_DATABASE_URI DB_CACHE=$$DB_CACHE"; \
	$(VPY) -m unittest tests.core.test_company tests.core.test_account \
		tests.core.test_scenario

lint: venv
	@rc=0; \
	$(VPY) -m flake8 --count || rc=1; \
	$(VPY) -m isort --check-only . || rc=1; \
	exit $$rc

# Runs `make test` against a throw-away server, unless TRYTOND_DATABASE_URI
# already names a PostgreSQL server (then that one is used as it is).
test-postgresql: venv
	@case "$$TRYTOND_DATABASE_URI" in \
	postgresql://*) KAZAN_PRODUCTION_TESTS=0 $(MAKE) --no-print-directory test ;; \
	*) KAZAN_PRODUCTION_TESTS=0 bash .ci/postgres.sh run $(MAKE) --no-print-directory test ;; \
	esac

demo: venv
	$(VENV)/bin/kazan demo

production: venv
	$(VPY) scripts/stack.py

DOC_STAMP := $(VENV)/.doc-installed

$(DOC_STAMP): $(STAMP)
	@$(VPY) -m pip install -q --disable-pip-version-check -e '.[doc]'
	@touch $@

doc: $(DOC_STAMP)
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html doc var/doc-html
	@echo "doc: var/doc-html/index.html"

clean:
	@bash .ci/postgres.sh stop
	rm -rf var build dist .pytest_cache
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 \
		| xargs -0r rm -rf
