# Two entry points, both working on a fresh machine: `make plan` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup plan test lint schema bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Validate every tenant, render all of them offline and enforce the policy pack; writes out/plan.json.
plan: setup
	mkdir -p out
	$(BIN)/tenantctl validate tenants/
	$(BIN)/tenantctl plan tenants/ --format json --output out/plan.json
	$(BIN)/tenantctl plan tenants/

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy spec components tenantctl

test: setup lint
	$(BIN)/pytest -q -n 2

schema: setup
	$(BIN)/tenantctl schema

bench: setup
	$(BIN)/python benchmarks/plan_fleet.py
