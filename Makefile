# Everything sets itself up: a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test lint typecheck unit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p reports
	$(BIN)/auditor audit --subscription 00000000-0000-0000-0000-000000000000 \
		--replay cassettes/demo --save reports/demo.json --format table -v --fail-on never

lint: $(STAMP)
	$(BIN)/ruff check auditor tests tools bench
	$(BIN)/ruff format --check auditor tests tools bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) reports/*.json .pytest_cache .mypy_cache .ruff_cache
