#!/usr/bin/env bash
# Smoke test of a built llm-gateway image, run by .github/workflows/gateway-image.yml (needs docker, curl and the
# repository's npm install for the OpenAI stand-in). Checks that the image runs as a non-root user on a read-only
# root filesystem, becomes healthy and ready against Redis and a model upstream, answers a chat completion with the
# default guardrails on (their in-process models load), refuses a toxic prompt, and exits 0 on SIGTERM.
#   services/gateway/scripts/image-smoke.sh llm-gateway:ci
set -euo pipefail
IMAGE=${1:?usage: image-smoke.sh IMAGE}
KEY="sk-smoke-0000000000000000000000000001"
PORT=18080
REDIS_PORT=16390
work=$(mktemp -d)
standin_pid=""
cleanup() {
  docker logs gw-smoke >"$work/gateway.log" 2>&1 || true
  docker rm -f gw-smoke gw-smoke-redis >/dev/null 2>&1 || true
  if [[ -n "$standin_pid" ]]; then kill "$standin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "image-smoke: $*" >&2
  docker logs gw-smoke 2>&1 | tail -50 >&2 || true
  exit 1
}

user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE")
[[ -n "$user" && "${user%%:*}" != "0" && "${user%%:*}" != "root" ]] || fail "the image's USER is '$user', expected a non-root user"

docker run -d --name gw-smoke-redis --network host redis:7-alpine redis-server --port "$REDIS_PORT" --save '' >/dev/null

npx tsx services/gateway/bench/standin-process.ts >"$work/standin.out" </dev/null &
standin_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/standin.out" ]] && break; sleep 0.2; done
upstream=$(head -1 "$work/standin.out")
[[ "$upstream" == http://* ]] || fail "the OpenAI stand-in did not start"

# Readable by the image's user (the directory is mounted read-only at /etc/llm-gateway).
chmod 755 "$work"
cat >"$work/keys.yaml" <<YAML
keys:
  - id: smoke
    sha256: $(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
    tenant: smoke
    scopes: [chat]
YAML
cat >"$work/config.yaml" <<YAML
server: { host: 127.0.0.1, port: $PORT }
redis: { url: "redis://127.0.0.1:$REDIS_PORT" }
auth: { apiKeys: { hashesFile: /etc/llm-gateway/keys.yaml } }
guardrails: { enabled: true, toxicity: { localThreshold: 0.5 } }
routing: { auto: { highModel: mistral-7b, lowModel: mistral-7b } }
models:
  mistral-7b: { upstreamModel: mistralai/Mistral-7B-Instruct-v0.3, upstreams: ["$upstream"], tokenizer: mistral }
YAML
chmod 644 "$work"/*.yaml

docker run -d --name gw-smoke --network host --read-only --tmpfs /tmp -v "$work:/etc/llm-gateway:ro" "$IMAGE" >/dev/null
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.3; done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "/healthz did not answer 200"
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || fail "/readyz did not answer 200 (Redis and the upstream are up)"
[[ "$(docker exec gw-smoke id -u)" != "0" ]] || fail "the gateway runs as root"

chat() {
  curl -sS -o "$work/answer.json" -w '%{http_code}' "http://127.0.0.1:$PORT/v1/chat/completions" \
    -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
    -d "{\"model\":\"mistral-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"$1\"}]}"
}
status=$(chat "what a lovely day for a picnic in the park")
[[ "$status" == 200 ]] || fail "a chat completion answered $status: $(cat "$work/answer.json")"
status=$(chat "you are a disgusting pathetic idiot and I hate you")
if [[ "$status" != 400 ]] || ! grep -q content_policy "$work/answer.json"; then fail "a toxic prompt answered $status: $(cat "$work/answer.json")"; fi

docker stop -t 30 gw-smoke >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' gw-smoke)
[[ "$code" == 0 ]] || fail "the gateway exited $code on SIGTERM, expected 0"
echo "image-smoke: $IMAGE ok (user $user, read-only root, healthy, ready, answers, guardrails, graceful stop)"
