# The two commands: `make demo` and `make test`. Each sets up everything it needs on a
# fresh Debian machine with Python 3.11: the virtualenv, the packages, and libzbar0.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo.db

.PHONY: demo test lint typecheck check bench clean system-deps

demo: $(STAMP) system-deps
	$(BIN)/boxoffice demo --db $(DEMO_DB)

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check core tui hardware tests bench

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

# pyzbar needs the system's zbar library. Install it when we are root and it is missing;
# otherwise say how. --no-install-recommends keeps ImageMagick and friends out.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0'; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing libzbar0 (for pyzbar)"; \
			(apt-get install -y -qq --no-install-recommends libzbar0 >/dev/null 2>&1 || \
			 (apt-get update -qq >/dev/null && \
			  apt-get install -y -qq --no-install-recommends libzbar0 >/dev/null)) || \
			{ echo "Could not install libzbar0 with apt-get"; exit 1; }; \
		else \
			echo "libzbar0 is missing: run 'sudo apt-get install --no-install-recommends libzbar0'"; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
