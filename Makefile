# govperf — `make demo` and `make test` are all a new user needs; both install first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)
STAMP  := $(VENV)/.installed-stamp

export GX_ANALYTICS_ENABLED := False
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install demo test lint format bench clean system-deps

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
	# --inexact keeps the uv this target may have put into .venv; --compile-bytecode halves GX's import time
	$(UV) sync --frozen --inexact --compile-bytecode --python $(BIN)/python
	@touch $(STAMP)

# antiword reads legacy .doc attachments; Debian's package is 1.3 MB
system-deps:
	@if ! command -v antiword >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing antiword (legacy .doc reader)"; \
	    (apt-get install -y -qq antiword >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq antiword >/dev/null 2>&1)) \
	      || echo "warning: could not install antiword; .doc files will be rejected as unsupported_format"; \
	  else echo "warning: antiword missing (apt-get install antiword); .doc files will be rejected"; fi; \
	fi

demo: install
	$(BIN)/govperf demo

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install
	$(BIN)/python benchmarks/demo_bench.py

clean:
	rm -rf $(VENV) data .pytest_cache
