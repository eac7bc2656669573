#!/usr/bin/env bash
# Runs schemathesis (from PyPI, in .local/venv) against a live `hotstock serve`:
# it fails when any generated request gets a 5xx or a response that breaks
# /openapi.yaml. Expects the test services' environment (ops/dev.sh test sets it).
#   ops/schemathesis.sh PATH/TO/hotstock [MAX_EXAMPLES]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$1"
examples="${2:-40}"
venv="$ROOT/.local/venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis==4.32.5
fi
port=18088
export HOTSTOCK_API_TOKEN="schemathesis-api-token" HOTSTOCK_ADMIN_TOKEN="schemathesis-admin-token"
"$bin" serve --port "$port" --no-syncer --log-level error &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
# A SKU to find, so that some generated holds reach the scripts.
curl -fs -X PUT "http://127.0.0.1:$port/v1/skus/st" -H "Authorization: Bearer $HOTSTOCK_ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"total": 1000000}' >/dev/null
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.yaml" \
  --header "Authorization: Bearer $HOTSTOCK_ADMIN_TOKEN" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
  --max-examples "$examples" --request-timeout 10 --no-color
