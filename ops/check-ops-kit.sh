#!/usr/bin/env bash
# Checks the ops kit (DESIGN section 15): the Prometheus rules load and pass their unit
# tests (promtool), the Grafana dashboard is valid JSON with panels that query, and the
# systemd units pass `systemd-analyze verify` (with the binary's install path pointed at
# the built binary, the one thing a build machine lacks). Usage: ops/check-ops-kit.sh BIN
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:?usage: ops/check-ops-kit.sh PATH-TO-hotstock}"

promtool check rules "$ROOT/ops/prometheus/alerts.yml"
promtool test rules "$ROOT/ops/prometheus/alerts_test.yml"

python3 - "$ROOT/ops/grafana/hotstock.json" <<'PY'
import json, sys
board = json.load(open(sys.argv[1]))
panels = [p for p in board["panels"] if any(t.get("expr") for t in p.get("targets", []))]
assert len(panels) >= 6, f"{len(panels)} panels with queries, 6 wanted"
print(f"dashboard: {len(panels)} panels with queries")
PY

units="$(mktemp -d)"
trap 'rm -rf "$units"' EXIT
cp "$ROOT/ops/systemd/hotstock.env.example" "$units/hotstock.env"
for unit in "$ROOT"/ops/systemd/*.service; do
  sed -e "s#/usr/local/bin/hotstock#$BIN#" -e "s#/etc/hotstock/hotstock.env#$units/hotstock.env#" "$unit" \
    > "$units/$(basename "$unit")"
done
systemd-analyze verify "$units"/*.service
echo "systemd units: $(ls "$ROOT"/ops/systemd/*.service | wc -l) verified"
