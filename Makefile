# Two commands do all the set-up: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8866
HOST ?= 127.0.0.1

.PHONY: serve test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	@touch $@ $(VENV)/.installed-app

serve: $(VENV)/.installed-app
	$(BIN)/mentorkit demo
	$(BIN)/mentorkit serve --host $(HOST) --port $(PORT)

# The pure unit tests run in two processes (one per core); the rest share one process: the
# PostgreSQL store tests reset one database, and the browser tests time a real server each.
test: $(VENV)/.installed-test lint
	$(BIN)/pytest -n 2 tests/unit
	$(BIN)/pytest --ignore=tests/unit

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-results
