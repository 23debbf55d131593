# participation — the single entry point. `make run` and `make test` do all their own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app participation
PORT ?= 5000

.PHONY: run serve test test-sqlite test-postgresql test-redis check lint typecheck bench screenshots setup setup-dev \
	db-upgrade demo browser wrk redis scale faults translations-extract translations-update translations-compile clean

## Runtime environment: virtualenv, the package and its dependencies.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

## Development extras: pytest, ruff, mypy, playwright, pabutools...
$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

## A random secret for this instance, written once.
instance/config.py: | $(VENV)/.installed
	$(BIN)/python -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' > $@

translations-compile: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

setup: $(VENV)/.installed instance/config.py translations-compile

db-upgrade: setup
	$(FLASK) db upgrade

demo: db-upgrade
	PARTICIPATION_DEMO=1 $(FLASK) seed-demo

## Set up everything, then serve the demo site on http://127.0.0.1:5000 (SQLite in instance/).
run: demo
	PARTICIPATION_DEMO=1 PARTICIPATION_SESSION_COOKIE_SECURE=false PARTICIPATION_REMEMBER_COOKIE_SECURE=false \
		$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Production-like: gunicorn, database from PARTICIPATION_SQLALCHEMY_DATABASE_URI.
serve: db-upgrade
	$(BIN)/gunicorn --workers 2 --reuse-port --bind 127.0.0.1:$(PORT) 'participation.wsgi:app'

setup-dev: $(VENV)/.installed-dev translations-compile

## Debian packages, installed when we may (root with apt-get), else named in a note.
define debian-packages
	@missing=""; for pair in $(1); do \
		[ -e "$${pair%%=*}" ] || missing="$$missing $${pair#*=}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "note: missing Debian packages:$$missing ($(2))"; fi; \
	fi
endef

## Chromium for the browser tests; DejaVu fonts for PDFs beyond Latin-1 (Arabic names...).
browser:
	$(call debian-packages,/usr/bin/chromium=chromium /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf=fonts-dejavu-core,browser tests are skipped and PDFs fall back to Latin-1)

## wrk, the load generator of `make bench`.
wrk:
	$(call debian-packages,/usr/bin/wrk=wrk,make bench needs it)

## The whole suite on SQLite, then on PostgreSQL when PARTICIPATION_TEST_DATABASE_URI is set.
test: setup-dev browser
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$PARTICIPATION_TEST_DATABASE_URI" ]; then $(MAKE) --no-print-directory test-postgresql; fi

## Two workers (pytest-xdist, one per core here): measured about 1.6x faster than one
## process on this 2-core machine. Browser journeys stay together on one worker
## (loadgroup); on PostgreSQL each worker gets its own database. PYTEST_ARGS= for one.
PYTEST_ARGS ?= -n auto --dist loadgroup

## pytest with extra arguments $(1), saying so when it collected no test (exit 5):
## that is a failure here. A function, so arguments go before the `||`.
pytest = $(BIN)/pytest $(PYTEST_ARGS) $(1) || { status=$$?; \
	[ $$status -ne 5 ] || echo "pytest collected no test: the suite is never empty, failing" >&2; \
	exit $$status; }

test-sqlite:
	env -u PARTICIPATION_TEST_DATABASE_URI $(call pytest)

## Tests marked db_independent (pure computations, such as the counting engine against
## pabutools on every shared election) touch no database: the SQLite pass runs them.
test-postgresql:
	$(call pytest,-m "not db_independent")

## The rate-limit tests against a real Redis server (counters shared by workers).
PARTICIPATION_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
test-redis: setup-dev
	PARTICIPATION_TEST_REDIS_URL=$(PARTICIPATION_TEST_REDIS_URL) env -u PARTICIPATION_TEST_DATABASE_URI \
		$(BIN)/pytest tests/security/test_rate_limits.py

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-dev
	$(BIN)/mypy

check: lint typecheck test

## Load the public pages under gunicorn on SQLite and PostgreSQL (participation_bench).
bench: setup-dev wrk
	$(BIN)/python -m bench $(BENCH_ARGS)

## 390 px screenshots (fr, ar) of the main pages, from the demo `make run` serves.
screenshots: setup-dev
	$(BIN)/python scripts/screenshots.py --base http://127.0.0.1:$(PORT) $(SCREENSHOT_ARGS)

## Two gunicorn servers on one PostgreSQL and one Redis (page cache, data version,
## rate limits): both loaded at once, cache and limits checked across them.
scale: setup-dev wrk redis
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

## A casting run with one gunicorn worker SIGKILLed and PostgreSQL's connections cut.
faults: setup-dev
	$(BIN)/python -m bench.faults $(FAULTS_ARGS)

## redis-server, for `make scale`.
redis:
	$(call debian-packages,/usr/bin/redis-server=redis-server,make scale needs it)

translations-extract: setup-dev
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 --no-location --sort-output \
		--project participation -o translations/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
