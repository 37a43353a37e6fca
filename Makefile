# Every target creates what it needs: a virtual environment in .venv, Node tools in
# node_modules (from package-lock.json), Debian's Chromium for the browser tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo site serve test lint audit bench clean

# Build the demo site into site/ for viewing on this machine.
demo: $(VENV)/.installed
	$(BIN)/briefgen build . --base-url http://127.0.0.1:$(PORT)/
	@echo
	@echo "Built site/. To look at it: $(BIN)/python -m http.server --directory site $(PORT)"
	@echo "then open http://127.0.0.1:$(PORT)/"

# Build the site for publishing at BASE_URL (the Pages workflow passes the repository's Pages URL).
site: $(VENV)/.installed
	@test -n "$(BASE_URL)" || { echo "usage: make site BASE_URL=https://user.github.io/repo/" >&2; exit 2; }
	$(BIN)/briefgen build . --base-url "$(BASE_URL)"

# Serve the demo site with live reload while editing content/ or themes/.
serve: $(VENV)/.installed
	$(BIN)/briefgen serve . --port $(PORT)

# The whole test suite: lint, types, unit, build, browser, validator, accessibility, links.
test: $(VENV)/.installed node_modules/.installed
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

audit: $(VENV)/.installed node_modules/.installed
	bash scripts/ensure-chromium.sh
	$(BIN)/python scripts/audit.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The benchmark against Hugo (see benchmarks/README.md); takes about 20 minutes.
bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run --snapshot --json benchmarks/out/results.json

clean:
	rm -rf site .briefgen-cache screenshots
