# Two commands for a user: `make run` (the product) and `make test` (the whole suite).
# Each does its own set-up on a fresh clone, idempotently: venv, CPU torch, the package,
# the embedding model and the indexes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup model browser index eval bench bench-stores clean

# app.py loads the model and builds the indexes first if they are missing or stale.
run: model
	$(BIN)/python app.py

# The gate's report goes to a temp folder so `make test` leaves the tree clean;
# `make eval` rewrites eval/report.md.
test: model browser
	$(BIN)/python -m pytest -q
	$(BIN)/assistant eval --gate --split test --out "$$(mktemp -d)"

setup: $(STAMP)

# torch first, pinned to the CPU build that lies on local disk; the constraints file
# pins everything else (and torch again) so no later step can swap in a CUDA build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/python -c "import sys, torch; sys.exit('torch is a CUDA build; expected the CPU build' if torch.version.cuda else 0)"
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,bench]'
	touch $(STAMP)

model: setup
	$(BIN)/assistant model fetch

# The browser test drives Debian's Chromium (Playwright's own browser download cannot work
# offline); CJK fonts so pages render Chinese. tests/test_pdf_engines.py prints 公文 PDFs with
# the same Chromium (its OCR fixtures rasterise them with pypdfium2 from PyPI, no system
# package). Installed only when missing.
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

index: model
	$(BIN)/assistant build

eval: model
	$(BIN)/assistant eval

# Benchmark (speed, memory, growth to 1000x) plus the 50-client load test; ~10 minutes.
bench: model
	$(BIN)/python -m bench bench --load

# Vector stores as the corpus grows (FAISS Flat / HNSW32, Milvus Lite; 10x-1000x), and our
# BM25 vs Milvus's; under 15 minutes. Numbers: eval/store_growth.json, eval/store_bm25.json.
bench-stores: model
	$(BIN)/python -m bench.store_growth --out eval/store_growth.json
	$(BIN)/python -m bench.store_bm25 --out eval/store_bm25.json

clean:
	rm -rf $(VENV) indexes/*/ indexes/.tmp* *.egg-info
