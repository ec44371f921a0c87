# Two commands from a fresh clone: `make test` and `make run`. Needs Python 3.11+ and make.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test run lint format migrate clean bench

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3 --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

run: $(STAMP)
	$(BIN)/python -m bot

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every bench/bench_*.py in turn (docs/benchmarks.md). `make bench QUICK=1`: a second of load
# each, to prove they still run. PostgreSQL too when BENCH_DATABASE_URL is set.
bench: $(STAMP)
	@for script in bench/bench_*.py; do \
		echo "== $$script"; \
		BENCH_QUICK=$(QUICK) $(BIN)/python $$script || exit 1; \
	done

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
