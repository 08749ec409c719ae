# Everything sets itself up: a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
# Azurite (the Azure Storage emulator) for the --upload tests, from npm into the venv.
AZURITE_VERSION := 3.37.0
AZURITE := $(VENV)/azurite/node_modules/.bin/azurite-blob
DEMO_SUBSCRIPTION := 00000000-0000-0000-0000-000000000000

.PHONY: setup demo schedule-demo regen test lint typecheck unit bench image clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser tests drive Debian's chromium (never a downloaded browser).
$(CHROMIUM):
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

# Without npm the Azurite tests skip (CI sets AUDITOR_REQUIRE_AZURITE, so there they fail instead).
$(AZURITE): | $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix $(VENV)/azurite --no-audit --no-fund --loglevel=error azurite@$(AZURITE_VERSION); \
	else \
		echo "make: npm not found; the --upload tests against Azurite will be skipped"; \
	fi

demo: $(STAMP)
	mkdir -p reports
	$(BIN)/auditor audit --subscription $(DEMO_SUBSCRIPTION) --replay cassettes/demo \
		--save reports/demo.json --format table -v --fail-on never
	for pair in html:html sarif:sarif csv:csv markdown:md; do \
		$(BIN)/auditor report reports/demo.json --format $${pair%%:*} --output reports/demo.$${pair##*:} || exit 1; \
	done
	@echo "reports written: reports/demo.json .html .sarif .csv .md"

# Two nights of the demo subscription (cassettes/demo, then cassettes/demo-day2 recorded a day
# later) into a throw-away run history, with the example policy and waivers; then what changed.
schedule-demo: $(STAMP)
	@work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && \
	for day in demo demo-day2; do \
		echo "== night of cassettes/$$day"; \
		$(BIN)/auditor audit --subscription $(DEMO_SUBSCRIPTION) --replay cassettes/$$day \
			--store "$$work/history.sqlite" --policy examples/policy.yaml --waivers examples/waivers.yaml \
			--format json --output "$$work/$$day.json" --fail-on never || exit 1; \
	done && \
	echo "== auditor history" && $(BIN)/auditor history --store "$$work/history.sqlite" && \
	echo "== auditor diff (the last two runs of the same scope)" && $(BIN)/auditor diff --store "$$work/history.sqlite"

# Rebuild everything generated from the demo description (tools/demo_contoso.py): the demo
# cassettes, the hostile cassette, the golden digests and cassettes/demo/EXPECTED.md.
regen: $(STAMP)
	$(BIN)/python tools/regen_demo.py

lint: $(STAMP)
	$(BIN)/ruff check auditor tests tools bench
	$(BIN)/ruff format --check auditor tests tools bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(CHROMIUM) $(AZURITE)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench

# The container image (Dockerfile), with the first engine whose daemon answers. Where none does,
# say so and succeed: `make image` is part of the release path, not of `make test`.
CONTAINER_ENGINES ?= docker podman
IMAGE ?= auditor:$(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

image:
	@engine=; for candidate in $(CONTAINER_ENGINES); do \
		if command -v "$$candidate" >/dev/null 2>&1 && timeout 20 "$$candidate" info >/dev/null 2>&1; then \
			engine=$$candidate; break; \
		fi; \
	done; \
	if [ -z "$$engine" ]; then \
		echo "make image: no container engine with a running daemon ($(CONTAINER_ENGINES)); nothing built"; \
		exit 0; \
	fi; \
	echo "make image: building $(IMAGE) with $$engine"; \
	"$$engine" build --tag "$(IMAGE)" --file Dockerfile .

clean:
	rm -rf $(VENV) reports/demo.* .pytest_cache .mypy_cache .ruff_cache
