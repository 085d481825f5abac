# Two commands do all the set-up: `make demo` and `make test`. Each creates .venv and
# installs the package with its development tools into it when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint check-types check-imports unit bench bench-large fuzz

$(STAMP): pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

demo: $(STAMP)
	$(BIN)/guoying demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

check-types: $(STAMP)
	$(BIN)/mypy

check-imports: $(STAMP)
	$(BIN)/lint-imports

test: lint check-types check-imports
	$(BIN)/python -m pytest -n 2 -q

# The fuzz harness of `apply` (tests/e2e/test_fuzz_apply.py) with many more examples than
# the bounded run inside `make test` (40 examples per store): about 9 minutes on 2 cores.
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	GUOYING_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n 2 -q tests/e2e/test_fuzz_apply.py

# Benchmarks (bench/): the `bench` extra (the raw PostgreSQL recorder needs psycopg_pool).
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP)
	rm -f $(VENV)/.bench-installed*
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

bench-large: $(BENCH_STAMP)
	$(BIN)/python -m bench --large
