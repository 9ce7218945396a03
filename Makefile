# The two commands a newcomer needs: `make synth` and `make test`. Both install what they need first.
SHELL := /bin/bash
export CHECKPOINT_DISABLE := 1
export NODE_OPTIONS := --max-old-space-size=4096

STAMP := node_modules/.install-stamp

.PHONY: all deps tools synth build test typecheck bench bench-synth policy review env-clone env-diff eval-guardrails gateway-dev clean

all: synth

## Install the npm dependencies exactly as locked (re-run when the lock changes).
$(STAMP): package.json package-lock.json services/gateway/package.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(STAMP)

## System tools the tests need: redis-server (real Redis for the gateway tests) and promtool (rule checks).
tools:
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@command -v promtool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

build: deps
	npx tsc -p tsconfig.build.json

## Synthesize every environment in environments/ into cdktf.out/ (offline: no AWS credentials, no network).
synth: deps
	npx cdktf synth

## Every check: type checks, unit and integration tests (real Redis), policies over every environment.
test: deps tools
	@bash scripts/test.sh

typecheck: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p services/gateway/tsconfig.json --noEmit

## Benchmarks (not tests): prints tables and appends them to bench/RESULTS.md.
bench: bench-synth

bench-synth: build
	node --expose-gc bench/synth-bench.js

clean:
	rm -rf dist cdktf.out .test-results services/gateway/dist
