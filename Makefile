# The two commands: `make demo` and `make test`. Each sets up everything it needs on a
# fresh Debian machine with Python 3.11: the virtualenv, the packages, and the system
# packages (libzbar0 for pyzbar; datefudge for the shifted-clock runs of `make test`;
# chromium for the browser tests, driven by Playwright: never `playwright install`).
PYTHON ?= python3
# Python writes its bytecode caches here even where the environment says not to: without
# them every pytest process and every `boxoffice` a test starts compiles the project and
# rewrites the tests anew (collection alone: 10 s a process instead of 5).
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo.db

# The tests pin the clock (tests/conftest.py); the shifted-clock runs prove that nothing
# reads the real date behind the pin: the date-sensitive tests (marked `dates`) run again
# with the machine's clock moved 400 days ahead and 730 days back.
CLOCK_SHIFTS ?= +400 -730
# Most tests run on every core; those marked `serial` (process races against the clock)
# run alone afterwards, so a busy neighbour cannot starve them.
PYTEST := $(BIN)/python -m pytest -q
PARALLEL := -n auto

.PHONY: demo serve test test-postgresql test-postgresql-all test-dates lint typecheck check bench clean \
	system-deps postgres-deps

demo: $(STAMP) system-deps
	$(BIN)/boxoffice demo --db $(DEMO_DB)

# the public storefront on the demo database (built if missing), on 127.0.0.1:8080
serve: $(STAMP) system-deps
	$(BIN)/boxoffice demo --db $(DEMO_DB) --no-tui
	$(BIN)/boxoffice serve --db $(DEMO_DB)

# The suite on SQLite, then every test that reaches the database again on PostgreSQL, in
# a throwaway cluster that tools/with_postgres.sh starts and removes (a PostgreSQL that
# cannot start fails the run: a skipped backend is not a pass).
test: $(STAMP) system-deps postgres-deps
	$(PYTEST) $(PARALLEL) -m "not serial and not postgresql"
	$(PYTEST) -m "serial and not postgresql"
	tools/with_postgres.sh $(MAKE) --no-print-directory test-postgresql
	$(MAKE) --no-print-directory test-dates

# inside tools/with_postgres.sh (it exports BOXOFFICE_TEST_PG)
test-postgresql: $(STAMP)
	BOXOFFICE_TEST_DATABASE=postgresql $(PYTEST) $(PARALLEL) -p no:cacheprovider \
		-m "(database or postgresql) and not serial and not sqlite_only and not screens"
	BOXOFFICE_TEST_DATABASE=postgresql $(PYTEST) -p no:cacheprovider \
		-m "(database or postgresql) and serial and not sqlite_only and not screens"

# every database test on PostgreSQL, the window's screens too (not in make test: time)
test-postgresql-all: $(STAMP) postgres-deps
	BOXOFFICE_TEST_DATABASE=postgresql tools/with_postgres.sh $(PYTEST) $(PARALLEL) \
		-p no:cacheprovider -m "(database or postgresql) and not sqlite_only"

# datefudge, not faketime: libfaketime breaks time.sleep (EINVAL) when it leaves the
# monotonic clock alone, and hangs every timed thread wait when it fakes it.
test-dates: $(STAMP) system-deps
	@for days in $(CLOCK_SHIFTS); do \
		when="$$(date -u -d "$$days days" '+%Y-%m-%d %H:%M:%S')"; \
		echo "The date-sensitive tests with the clock at $$when ($$days days)"; \
		datefudge "$$when" $(PYTEST) $(PARALLEL) -m "dates and not serial and not postgresql" -p no:cacheprovider && \
		datefudge "$$when" $(PYTEST) -m "dates and serial and not postgresql" -p no:cacheprovider || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check core tui hardware gateserver web tests bench tools
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP) system-deps
	$(BIN)/python bench/bench_app.py

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# pyzbar needs the system's zbar library; the shifted-clock runs need datefudge; the
# browser tests need Debian's chromium. Install
# what is missing when we are root; otherwise say how. --no-install-recommends keeps
# ImageMagick and friends out.
system-deps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0' || missing="$$missing libzbar0"; \
	command -v datefudge >/dev/null || missing="$$missing datefudge"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing$$missing"; \
			(apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
			 (apt-get update -qq >/dev/null && \
			  apt-get install -y -qq --no-install-recommends $$missing >/dev/null)) || \
			{ echo "Could not install$$missing with apt-get"; exit 1; }; \
		else \
			echo "Missing system packages: run 'sudo apt-get install --no-install-recommends$$missing'"; \
			exit 1; \
		fi; \
	fi

# PostgreSQL for the second pass of `make test` (not for `make demo`): Debian's package
# when we are root and it is missing; otherwise say how.
postgres-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing postgresql"; \
			(apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 || \
			 (apt-get update -qq >/dev/null && \
			  apt-get install -y -qq --no-install-recommends postgresql >/dev/null)) || \
			{ echo "Could not install postgresql with apt-get"; exit 1; }; \
		else \
			echo "Missing system package: run 'sudo apt-get install --no-install-recommends postgresql'"; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
