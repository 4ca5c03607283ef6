# Two commands do all the set-up: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8866
HOST ?= 127.0.0.1

.PHONY: serve test test-fast lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml or constraints.txt changes. constraints.txt
# holds the versions installed (and tested); see its first lines to update it.
# `-qq`: errors only. An editable install otherwise prints setuptools' notice about
# editable installs, which a facilitator running `make serve` has nothing to do about.
$(VENV)/.installed-app: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -qq -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[test,postgres]'
	@touch $@ $(VENV)/.installed-app

serve: $(VENV)/.installed-app
	$(BIN)/mentorkit demo
	$(BIN)/mentorkit serve --host $(HOST) --port $(PORT)

# Two processes (one per core) where tests are independent: the unit tests, and the
# notebooks, the wheel's install and the browser tests file by file (each process starts
# its own servers; such a test mostly waits), the longest files first. Notebooks come
# before any browser test in a process: Playwright's sync API keeps an asyncio loop
# running in the main thread for the rest of the session. One process for the tests that
# share the PostgreSQL database, start servers to count their kernels, or measure a crowd
# (`alone`).
WHEEL_TEST := tests/deploy/test_wheel_install.py
test: $(VENV)/.installed-test lint
	$(BIN)/pytest -n 2 tests/unit
	$(BIN)/pytest --ignore=$(WHEEL_TEST) tests/store tests/security tests/deploy
	$(BIN)/pytest -n 2 --dist loadfile -m "not alone" notebooks $(WHEEL_TEST) \
		tests/rehearsal tests/browser
	$(BIN)/pytest -m alone tests/browser tests/rehearsal

# The unit tests alone (pure core and widget-level views): under a minute, for the loop of
# changing the code; `make test` runs everything.
test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -n 2 -m "not slow" tests/unit -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-results
