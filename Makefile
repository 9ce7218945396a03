# The two commands a newcomer needs: `make synth` and `make test`. Both install what they need first.
SHELL := /bin/bash
export CHECKPOINT_DISABLE := 1
export NODE_OPTIONS := --max-old-space-size=4096

STAMP := node_modules/.install-stamp

.PHONY: all deps tools synth build test typecheck bench bench-synth policy review ingest ingest-job bench-rag bench-gateway bench-gateway-soak bench-guardrails train-guardrails env-clone env-diff chart-check eval-guardrails gateway-dev clean

all: synth

## Install the npm dependencies exactly as locked (re-run when the lock changes).
$(STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(STAMP)

## System tools the tests need: redis-server (real Redis for the gateway tests), promtool (rule checks),
## shellcheck (CI's scripts and the workflows' run steps), and Go with sprig and yaml.v2 (tools/chart-render renders
## the charts; no helm here).
tools:
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@command -v promtool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
	@command -v shellcheck >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
	@{ command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/Masterminds/sprig ] && [ -d /usr/share/gocode/src/gopkg.in/yaml.v2 ]; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev >/dev/null; }

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
bench: bench-synth bench-gateway bench-guardrails bench-rag

bench-synth: build
	npx tsx bench/synth-bench.ts --no-build

## Clone an environment: make env-clone FROM=staging TO=perf-1 [ARGS="--region eu-central-1 --gpu-scale-to-zero --set path=value"]
env-clone: deps
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make env-clone FROM=<env> TO=<new env> [ARGS=\"--region R --set path=value ...\"]" >&2; exit 2; }
	npx tsx tools/env/cli.ts clone --from $(FROM) --to $(TO) $(ARGS)

## Typed differences between two environments: make env-diff A=staging B=prod
env-diff: deps
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make env-diff A=<env> B=<env>" >&2; exit 2; }
	npx tsx tools/env/cli.ts diff $(A) $(B) $(ARGS)

## Observability rules: promtool syntax check and rule unit tests, plus the chart/values tests.
chart-check: deps tools
	promtool check rules charts/observability/files/rules/*.rules.yaml
	cd charts/observability/files && promtool test rules rules-tests/*.test.yaml
	npx jest test/platform

## Policy checks over every synthesized stack (make synth first); ends with "N passed, N failed".
policy: synth
	npx tsx policies/cli.ts check --synth cdktf.out

## Pull-request review of `terraform show -json` plans: make review PLANS=plans/
review: deps
	@test -n "$(PLANS)" || { echo "usage: make review PLANS=<folder of plan JSON files>" >&2; exit 2; }
	npx tsx policies/review-cli.ts $(PLANS) --output review.md

## Ingest documents into a collection: make ingest ARGS="--collection handbook docs/handbook"
ingest: deps
	npx tsx services/gateway/src/rag/ingest-cli.ts $(ARGS)

## Ingestion as a Kubernetes Indexed Job (charts/rag-ingest: one pod per shard, retried per shard), one release per
## run: make ingest-job VALUES=run.yaml [RELEASE=ingest-handbook] [NAMESPACE=rag]. For S3, stage the corpus first:
## make ingest ARGS="--collection C --shards N --base DIR --stage-to staged/ DIR" && aws s3 sync staged/ s3://BUCKET/PREFIX/
ingest-job:
	@test -n "$(VALUES)" || { echo "usage: make ingest-job VALUES=<values file: collection, groups, shards, source> [RELEASE=name] [NAMESPACE=rag]" >&2; exit 2; }
	@command -v helm >/dev/null || { echo "make ingest-job needs helm and a kubeconfig for the cluster" >&2; exit 2; }
	helm upgrade --install $(or $(RELEASE),rag-ingest) charts/rag-ingest --namespace $(or $(NAMESPACE),rag) -f $(VALUES)

bench-rag: deps
	npx tsx services/gateway/bench/rag-bench.ts $(ARGS)

## Run the gateway locally (see README "Run the gateway locally"): make gateway-dev GATEWAY_CONFIG=path/to/gateway.yaml
gateway-dev: deps
	GATEWAY_CONFIG=$${GATEWAY_CONFIG:?set GATEWAY_CONFIG to a gateway config file} npx tsx services/gateway/src/server.ts

bench-gateway: deps
	npx tsx services/gateway/bench/gateway-bench.ts --rate 1000 --seconds 20

## The gateway benchmark plus a 5-minute soak at 300 req/s (heap and RSS at start, middle and end).
bench-gateway-soak: deps
	npx tsx services/gateway/bench/gateway-bench.ts --rate 1000 --seconds 20 --soak --soak-rate 300 --soak-seconds 300

## Guardrail quality on the labeled sets in ../shared/data (precision, recall, F1), written to bench/RESULTS.md.
eval-guardrails: deps
	npx tsx services/gateway/scripts/eval-guardrails.ts

bench-guardrails: deps
	npx tsx services/gateway/bench/guardrails-bench.ts

## Retrain the small in-process injection and toxicity models (weights in services/gateway/src/guardrails/models/).
train-guardrails: deps
	npx tsx services/gateway/scripts/train-injection.ts
	npx tsx services/gateway/scripts/train-toxicity.ts

clean:
	rm -rf dist cdktf.out .test-results services/gateway/dist services/gateway/bench/.build
