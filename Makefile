# cellwatch: every set-up step lives here, so a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CELLWATCH_HOME ?= cellwatch-data
DEMO_DIR ?= $(CELLWATCH_HOME)/demo-sources
PORT ?= 8000

.PHONY: install browser pdf demo test test-fast lint typecheck check bench serve clean lock

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install cellwatch with its pinned dependencies

lint: install
	$(BIN)/ruff check src tests

typecheck: install
	$(BIN)/mypy

browser:  ## Debian's Chromium and ChromeDriver for the browser tests (installed when missing)
	scripts/install-browser

pdf:  ## Debian's pango, DejaVu fonts and poppler for the parole summary's PDF (installed when missing)
	scripts/install-pdf

test: lint typecheck browser pdf  ## the whole suite: lint, types, tests (PostgreSQL too when CELLWATCH_TEST_POSTGRES_URL is set)
	$(BIN)/pytest -n 2 -q

test-fast: install  ## the quick tier for local work: no browser, Spark, PostgreSQL or slow tests (a few minutes)
	$(BIN)/pytest -n 2 -q -m "not slow and not spark and not browser and not postgres"

check: test

demo: install pdf  ## build a simulated estate, run the whole pipeline, serve the result
	CELLWATCH_HOME=$(CELLWATCH_HOME) $(BIN)/python -m cellwatch.demo --sources $(DEMO_DIR) --port $(PORT)

bench: install  ## throughput figures with ratios against a baseline measured in the same run
	$(BIN)/python -m cellwatch.bench

load: install  ## 20 users for 60 s on loopback against cellwatch serve (SQLite; LOAD_DATABASE_URL=postgresql+psycopg://... for PostgreSQL); exits 1 on an error or p95 >= 300 ms
	$(BIN)/python -m cellwatch.bench.load $(if $(LOAD_DATABASE_URL),--database-url $(LOAD_DATABASE_URL) --home bench-out/load-home-pg,)

lock:  ## refresh constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^cellwatch' > constraints.txt

clean:
	rm -rf $(VENV) $(CELLWATCH_HOME) .pytest_cache .mypy_cache .ruff_cache
