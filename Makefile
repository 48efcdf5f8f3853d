# Tenantry: `make run` and `make test` work on a fresh Debian 12 machine.
SHELL := /bin/bash
CARGO_FLAGS := $(if $(CI),--locked,)
# Where cargo builds (CARGO_TARGET_DIR when set, as cargo itself does).
TARGET := $(or $(CARGO_TARGET_DIR),target)

.PHONY: run test deps ui release server bench clean

deps:
	@scripts/deps.sh

## The bundled web UI (static files Tauri embeds at compile time).
ui: deps
	cd ui && npm run build

release: ui
	cargo build --release $(CARGO_FLAGS) -p tenancy-server
	cargo build --release $(CARGO_FLAGS) -p tenantry --features custom-protocol

## Open the console, with a local reference server seeded with the demo MSSP.
run: release
	scripts/run.sh

## Only the reference server with the demo data, on 127.0.0.1:8480 (for curl).
server: deps
	cargo build --release $(CARGO_FLAGS) -p tenancy-server
	mkdir -p .tenantry
	[ -f .tenantry/demo.db ] || $(TARGET)/release/tenancy-server seed --profile demo --db sqlite://.tenantry/demo.db
	$(TARGET)/release/tenancy-server serve --db sqlite://.tenantry/demo.db --bind 127.0.0.1:8480

## Every test: Rust unit, property, HTTP and IPC tests (the server's on SQLite, then on PostgreSQL); the real keyring; bindings; UI tests.
test: ui
	cargo test --workspace $(CARGO_FLAGS)
	# The server's API suite again, on PostgreSQL: the test binary built above, run from its crate as
	# cargo runs it (`cargo test -p tenancy-server` would rebuild ~100 crates with other features).
	api="$$(cargo test --workspace $(CARGO_FLAGS) --no-run --message-format=json | sed -n 's|.*"name":"api","src_path":"[^"]*/crates/tenancy-server/tests/api/main.rs".*"executable":"\([^"]*\)".*|\1|p')"; \
	  [ -x "$$api" ] || { echo "make test: the API test binary was not found" >&2; exit 1; }; \
	  cd crates/tenancy-server && ../../scripts/with-postgres.sh "$$api"
	# --workspace keeps the features of the build above, so this reuses it instead of rebuilding ~200 crates.
	scripts/with-keyring.sh cargo test --workspace $(CARGO_FLAGS) --test keyring -- --ignored
	# Three server processes behind haproxy on one PostgreSQL; faults (killed server, restarted database, full disk).
	CARGO_FLAGS="$(CARGO_FLAGS)" scripts/system.sh
	CARGO_FLAGS="$(CARGO_FLAGS)" scripts/e2e.sh
	scripts/check-bindings.sh
	cd ui && npm test

clean:
	cargo clean
	rm -rf .tenantry ui/dist ui/node_modules

## Benchmarks on the mssp-large seed (seeded once into target/bench); prints a table.
bench: ui
	scripts/deps.sh
	TENANTRY_BENCH_DIR=$(CURDIR)/target/bench cargo bench $(CARGO_FLAGS) -p tenancy-client --bench console
	# The release server under wrk, one core each, on the demo seed and mssp-large, on SQLite and on
	# PostgreSQL (a cluster kept seeded in target/bench/pg, pinned to the server's core), and 3 servers behind haproxy.
	TENANTRY_PG_KEEP=$(CURDIR)/target/bench/pg TENANTRY_PG_CPUS=0 TENANTRY_BENCH_DIR=$(CURDIR)/target/bench \
	  scripts/with-postgres.sh cargo bench $(CARGO_FLAGS) -p tenancy-server --bench load
	# mssp-xl (10,000 communities, 1,000,000 assignments) against mssp-large, both on PostgreSQL (kept
	# seeded in target/bench/pg-xl: ~20 minutes the first time): full sync, delta, aggregate, members page.
	TENANTRY_PG_KEEP=$(CURDIR)/target/bench/pg-xl TENANTRY_BENCH_DIR=$(CURDIR)/target/bench/xl \
	  scripts/with-postgres.sh cargo bench $(CARGO_FLAGS) -p tenancy-client --bench xl
	# The release console in a real window (Xvfb) on mssp-large: memory, cold start, filter, leak check.
	CARGO_FLAGS="$(CARGO_FLAGS)" FOOTPRINT_UI_BUILT=1 TENANTRY_BENCH_DIR=$(CURDIR)/target/bench scripts/footprint.sh
