#!/usr/bin/env bash
# A bounded schemathesis run against a real `amiable serve` on 127.0.0.1 (finding: 0 server errors,
# 0 schema violations). Usage: scripts/schemathesis_run.sh [MAX_EXAMPLES]   (default 10 per operation)
# Needs the dev extra (schemathesis). Builds a throw-away data dir; prints schemathesis' summary.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
ST=${ST:-$(dirname "$PY")/st}
MAX=${1:-10}
DATA=$(mktemp -d)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export AMIABLE_DATA_DIR=$DATA AMIABLE_ENVIRONMENT=test AMIABLE_TODAY=2026-11-23 HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False
export AMIABLE_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
# a fuzzer sends thousands of requests and bad credentials on purpose: the limits are not under test here
export AMIABLE_RATE_LIMIT_KEY_PER_MINUTE=1000000 AMIABLE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=1000000
export AMIABLE_RATE_LIMIT_LINK_PER_MINUTE=1000000 AMIABLE_RATE_LIMIT_LINK_WRITES_PER_HOUR=1000000
"$PY" -m agent.cli.main init >/dev/null
KEY=$("$PY" -m agent.cli.main keys create --name schemathesis --role admin 2>/dev/null | tail -1)
"$PY" -m uvicorn api.app:create_app --factory --host 127.0.0.1 --port "$PORT" --log-level warning \
  >"$DATA/uvicorn.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.3; done
# the key must survive the run: deleting/revoking keys is left out (it would only turn later calls into 401s)
"$ST" --no-color run "http://127.0.0.1:$PORT/openapi.json" -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$MAX" --request-timeout 30 --exclude-path-regex '^/v1/admin/keys/' \
  --phases examples,coverage,fuzzing
