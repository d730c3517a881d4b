# The project's commands. Each target creates/uses the local virtual environment in .venv,
# so a fresh clone needs only Python 3.11+ and pip.  (On Windows use `py -m venv .venv` and the
# same pip/pytest commands with .venv\Scripts\.)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: help run test test-core lint fmt bench build clean

help:
	@echo "make run    instala, cria o banco de demonstração e abre o aplicativo"
	@echo "make test   instala e roda toda a suíte (lint incluído)"
	@echo "make lint | fmt | bench | build"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,build]'
	touch $(STAMP)

run: $(STAMP)
	env -u QT_QPA_PLATFORM $(BIN)/saude-municipal --demo

# One worker per core (pytest-xdist); each worker has its own temporary databases and its own
# throwaway PostgreSQL server. The slowest tests are listed at the end of the run.
test: lint
	$(BIN)/python -m pytest -n auto --durations=15

test-core: $(STAMP)
	$(BIN)/python -m pytest -n auto -m "not gui"

lint: $(STAMP)
	$(BIN)/ruff check app ui tests
	$(BIN)/ruff format --check app ui tests
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix app ui tests
	$(BIN)/ruff format app ui tests

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.run

build: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	dist/saude-municipal/saude-municipal --smoke-test

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
