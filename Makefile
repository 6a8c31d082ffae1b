# govperf — `make demo` and `make test` are all a new user needs; both install first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)
STAMP  := $(VENV)/.installed-stamp

export GX_ANALYTICS_ENABLED := False
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install demo test test-unit test-integration wheel-check lint format bench clean system-deps

# system-deps first every time (a few `command -v` checks): a package added later reaches an old .venv too
install: system-deps $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
	# --inexact keeps the uv this target may have put into .venv; --compile-bytecode halves GX's import time
	$(UV) sync --frozen --inexact --compile-bytecode --python $(BIN)/python
	@touch $(STAMP)

# Debian packages: antiword and catdoc read legacy .doc attachments (each loses different table
# rows, the reader keeps the fuller text); a CJK font lets pdfium measure
# Chinese text in PDFs whose fonts are not embedded (STSong-Light and kin) — without one it drops
# one-glyph text objects and the reader falls back to pdfplumber, ~5x slower; chromium opens the
# report site in the tests (network off), driven by Playwright without a browser download;
# tesseract-ocr with its Simplified Chinese model (in the package: nothing is downloaded at run
# time) reads scans

system-deps:
	@missing=""; \
	command -v antiword >/dev/null 2>&1 || missing="$$missing antiword"; \
	command -v catdoc >/dev/null 2>&1 || missing="$$missing catdoc"; \
	[ -d /usr/share/fonts/truetype/wqy ] || missing="$$missing fonts-wqy-microhei"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata >/dev/null 2>&1 || missing="$$missing tesseract-ocr-chi-sim"; \
	ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata >/dev/null 2>&1 || missing="$$missing tesseract-ocr-eng"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; \
	    (apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1)) \
	      || echo "warning: could not install$$missing (.doc files are rejected without antiword; PDFs read slower without a CJK font; the report-site test needs chromium; scans are rejected as no_text_layer without tesseract)"; \
	  else echo "warning: missing$$missing (apt-get install$$missing)"; fi; \
	fi

demo: install
	$(BIN)/govperf demo
	@# last, below Prefect's shutdown lines: where to point a browser
	@$(BIN)/python -c "from flows.settings import get_settings; print('report site:', get_settings().site_dir / 'index.html')"

# what CI runs (.ci/run): lint, then the fast unit tests, then the tests that start servers and real
# flows; each lane and the whole suite timed
test: install
	@start=$$(date +%s); \
	for lane in lint test-unit test-integration; do \
	  t0=$$(date +%s); echo "── $$lane"; \
	  $(MAKE) --no-print-directory $$lane || exit 1; \
	  echo "── $$lane: $$(( $$(date +%s) - t0 )) s"; \
	done; \
	echo "── suite: $$(( $$(date +%s) - start )) s"

test-unit: install
	$(BIN)/python -m pytest -q -m "not integration"

test-integration: install
	$(BIN)/python -m pytest -q -m integration

# the wheel test with its dependencies installed afresh too (~150 s here), not shared with .venv
wheel-check: install
	GOVPERF_WHEEL_FULL_INSTALL=1 $(BIN)/python -m pytest -q tests/test_wheel.py

# ruff (lint and format) and the layers of the data path (import-linter, [tool.importlinter])
lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install
	$(BIN)/python benchmarks/demo_bench.py

clean:
	rm -rf $(VENV) data .pytest_cache
