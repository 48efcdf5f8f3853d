# Tenantry: `make run` and `make test` work on a fresh Debian 12 machine.
SHELL := /bin/bash
CARGO_FLAGS := $(if $(CI),--locked,)

.PHONY: run test deps build server bench clean

deps:
	@scripts/deps.sh

build: deps
	cargo build --release $(CARGO_FLAGS) -p tenancy-server

## Start the reference tenancy server with the demo MSSP data (seeded on first run).
run: build
	scripts/run-server.sh

## Every test: domain unit and property tests, server black-box HTTP tests.
test: deps
	cargo test --workspace $(CARGO_FLAGS)

clean:
	cargo clean
	rm -rf .tenantry
