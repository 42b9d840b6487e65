# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
export PORT
HOST ?= 127.0.0.1
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres test-api-schema lint format setup chromium qpdf bench clean messages

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || { PYTHON=$$(sh scripts/find-python) && "$$PYTHON" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/coparent migrate --noinput
	$(BIN)/coparent createcachetable
	$(BIN)/coparent demo
	@echo "Serving on http://$(HOST):$(PORT)/ (demo accounts are listed in README.md)"
	@# The worker (emails, reminders, deadlines) runs beside the server; Ctrl-C stops both.
	@$(BIN)/coparent worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  $(BIN)/coparent runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's Chromium: sudo apt-get install -y chromium" >&2; exit 1; fi; }

# Report tests check every generated PDF with Debian's qpdf (`qpdf --check`), as a court's clerk
# could; it is a test tool only, the app writes and reads PDFs with pip packages.
qpdf:
	@command -v qpdf >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qpdf >/dev/null; \
	  else echo "Report tests need Debian's qpdf: sudo apt-get install -y qpdf" >&2; exit 1; fi; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy coparent
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: setup chromium qpdf
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

# The production shape: PostgreSQL for data and Redis for the cache (sign-in throttling).
test-postgres: setup chromium qpdf
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

# The calendar, exchange and pass tests once more at instants where date bugs live (the whole
# suite runs at one fixed instant, see tests/conftest.py): a Sunday evening in Chicago (Monday
# in UTC), inside Chicago's spring-forward and fall-back hours, and New Year's Eve.
TEST_INSTANTS ?= 2026-11-29T19:30:00-06:00 2026-03-08T01:30:00-06:00 2026-11-01T01:30:00-05:00 2026-12-31T23:30:00-06:00
.PHONY: test-instants
test-instants: setup
	@set -e; for instant in $(TEST_INSTANTS); do \
	  echo "Calendar, exchange and pass tests at $$instant"; \
	  COPARENT_TEST_NOW=$$instant env -u DATABASE_URL $(BIN)/pytest -q tests/schedule tests/exchanges tests/passes; \
	done

# The API against its own OpenAPI document: schemathesis, every check, on a live demo server.
.PHONY: test-api-schema
test-api-schema: setup
	$(PY) scripts/api-schema-check

test: lint test-sqlite test-instants test-api-schema test-postgres

# The load run (bench/load.py) makes a database of its own on PG_URL's server and drops it after.
bench: setup
	BENCH_POSTGRES_URL=$(PG_URL) $(PY) -m bench

# Every catalog in coparent/locale brought up to date with the source, then compiled. The .mo
# files are kept in the repository (a clean clone runs without gettext tools); Babel compiles
# them, and tests/i18n check that they match the .po files.
messages: setup
	cd coparent && ../$(BIN)/coparent makemessages --all --ignore 'static/*' --add-location=file
	$(BIN)/pybabel compile --domain django --directory coparent/locale

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
