#!/usr/bin/env bash
# `make test`: every check the project has, counted, ending with the plain line "N passed, N failed".
# Each jest test counts once; each other check (type checks, synth, policies, promtool) counts once.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
mkdir -p .test-results
passed=0
failed=0

# The gateway's stand-ins validate against the official OpenAPI documents, read from $SHARED_DIR/specs or
# ../shared/specs (the repository carries no copy). Where neither exists, jest.config.js leaves out the suites that
# need them and prints one line saying so, shown below; the rest runs as usual.

check() { # check NAME COMMAND...: runs one non-jest check and counts it
  local name=$1; shift
  echo "== $name"
  if "$@" > ".test-results/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "   ok"
  else
    failed=$((failed + 1)); echo "   FAILED (.test-results/$name.log):"; tail -n 40 ".test-results/$name.log" | sed 's/^/   | /'
  fi
}

check typecheck-infra npx tsc -p tsconfig.json --noEmit
check typecheck-gateway npx tsc -p services/gateway/tsconfig.json --noEmit
check synth-all-environments npx cdktf synth
check policy-all-environments npx tsx policies/cli.ts check --synth cdktf.out

echo "== jest"
npx jest --ci --forceExit --json --outputFile=.test-results/jest.json 2>&1 | tee .test-results/jest.log | grep -E "^(PASS|FAIL)|●|Tests:|^OpenAPI documents not found" || true
if [ -s .test-results/jest.json ]; then
  read -r jp jf < <(node -e 'const r=require("./.test-results/jest.json"); const suitesFailedToRun=r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length; console.log(r.numPassedTests, r.numFailedTests+suitesFailedToRun)')
  passed=$((passed + jp)); failed=$((failed + jf))
else
  echo "jest produced no results"; failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
