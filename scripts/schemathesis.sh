#!/usr/bin/env bash
# Property-based tests of the sandbox against its own OpenAPI description (`GET /openapi.json`):
# schemathesis sends generated requests, valid and invalid, to every operation and fails on any
# 5xx and on any answer the description does not allow (status, content type, headers, body).
#
# The venv (.venv-schemathesis/, gitignored) is made once and reused while it holds the pinned
# version. The sandbox runs on a fresh database with the Tokyo seed on a free loopback port.
# SCHEMATHESIS_MAX_EXAMPLES (default 25 per operation) and SCHEMATHESIS_SEED (default fixed, so
# a failure reproduces) tune a run; the default takes about a minute on two cores.
set -euo pipefail

VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-schemathesis"
ST="$VENV/bin/schemathesis"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
SEED="${SCHEMATHESIS_SEED:-20240601}"
KEY="schemathesis-$RANDOM$RANDOM"
# RouteMate operations take a bearer token: a credential pair preconfigured at start.
RM_ID="rm_ci_schemathesis$RANDOM"
RM_SECRET="rm_cs_$RANDOM$RANDOM$RANDOM"

if ! [ -x "$ST" ] || [ "$("$ST" --version 2>/dev/null | awk '{print $NF}')" != "$VERSION" ]; then
  echo "schemathesis: installing $VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

cd "$ROOT"
cargo build --quiet -p hakobu-sandbox
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/hakobu-sandbox"

WORK="$(mktemp -d)"
SANDBOX_PID=""
cleanup() {
  if [ -n "$SANDBOX_PID" ]; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" --addr 127.0.0.1:0 --db "$WORK/sandbox.db" --api-key "$KEY" --seed tokyo \
  --routemate-client "$RM_ID:$RM_SECRET" \
  >"$WORK/stdout" 2>"$WORK/stderr" &
SANDBOX_PID=$!
BASE=""
for _ in $(seq 1 300); do
  BASE="$(sed -n '1s/^listening on //p' "$WORK/stdout")"
  [ -n "$BASE" ] && break
  if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
    echo "schemathesis: the sandbox did not start:" >&2
    cat "$WORK/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$BASE" ] || { echo "schemathesis: the sandbox printed no address" >&2; exit 1; }

# The description needs the Api-Key like every path; fetch it once, then test from the file.
curl --silent --show-error --fail -H "Api-Key: $KEY" "$BASE/openapi.json" >"$WORK/openapi.json"

# A token for the RouteMate operations (an hour is longer than the run). DIAq operations
# ignore the Authorization header, so one header set serves both APIs.
TOKEN="$(curl --silent --show-error --fail -H 'Content-Type: application/json' \
  -d "{\"client_id\": \"$RM_ID\", \"client_secret\": \"$RM_SECRET\"}" \
  "$BASE/v1/integration-token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

# From the scratch directory, so its example database (.schemathesis/) goes with it.
status=0
(cd "$WORK" && "$ST" run "$WORK/openapi.json" \
  --url "$BASE" \
  --header "Api-Key: $KEY" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --request-timeout 10 \
  --suppress-health-check too_slow,filter_too_much \
  --warnings off) \
  || status=$?

if [ "$status" -ne 0 ]; then
  echo "schemathesis: failures (seed $SEED); the sandbox's log follows" >&2
  tail -n 50 "$WORK/stderr" >&2
fi
exit "$status"
