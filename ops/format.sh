#!/usr/bin/env bash
# Formats HotStock's Swift code with `swift format` and the checked-in .swift-format.
#   ops/format.sh          rewrite files in place
#   ops/format.sh --check  fail (exit 1) when any file is not formatted
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
paths=(Package.swift Sources Tests Plugins)
[ -d loadtest/Sources ] && paths+=(loadtest/Sources)
if [ "${1:-}" = "--check" ]; then
  swift format lint --strict --recursive --parallel "${paths[@]}"
else
  swift format format --in-place --recursive --parallel "${paths[@]}"
fi
