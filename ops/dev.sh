#!/usr/bin/env bash
# HotStock's local runner: installs what is missing (Debian packages), starts throwaway
# Redis and MariaDB instances on loopback ports under .local/ (ignored by git), and
# runs HotStock or its tests against them. Every step is idempotent.
#
#   ops/dev.sh run        install, start the dev services, build, migrate, seed a demo SKU, run HotStock
#   ops/dev.sh test       install, start the test services, build (no warnings), run every test
#   ops/dev.sh faults [--small]   the fault suite: a flash sale through crashes and outages (test services)
#   ops/dev.sh start [dev|test]   start one profile's services and print its environment
#   ops/dev.sh stop  [dev|test]   stop them
#   ops/dev.sh env   [dev|test]   print the environment that points HotStock at them
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGES=(redis-server redis-tools mariadb-server mariadb-client libhiredis-dev libmariadb-dev pkg-config curl python3-venv)

log() { printf '[dev] %s\n' "$*" >&2; }

profile_settings() {
  PROFILE="${1:-dev}"
  case "$PROFILE" in
    dev) REDIS_PORT=16379; MYSQL_PORT=13306 ;;
    test) REDIS_PORT=16380; MYSQL_PORT=13307 ;;
    *) log "unknown profile $PROFILE (dev or test)"; exit 2 ;;
  esac
  DATA="$ROOT/.local/$PROFILE"
  # Local users and passwords: ops/redis/users.acl and ops/mariadb/users.sql.
  REDIS_URL="redis://hotstock:hotstock-dev@127.0.0.1:$REDIS_PORT/0"
  REDIS_ADMIN_URL="redis://admin:hotstock-admin-dev@127.0.0.1:$REDIS_PORT/0"
  REDIS_OPS_URL="redis://ops:hotstock-ops-dev@127.0.0.1:$REDIS_PORT/0"
  MYSQL_URL="mysql://hotstock:hotstock-dev@127.0.0.1:$MYSQL_PORT/hotstock"
  MYSQL_ADMIN_URL="mysql://hotstock_admin:hotstock-dev@127.0.0.1:$MYSQL_PORT/hotstock"
  MYSQL_RO_URL="mysql://hotstock_ro:hotstock-dev@127.0.0.1:$MYSQL_PORT/hotstock"
}

install_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
  fi
  command -v swift >/dev/null 2>&1 || { log "Swift 6 is not installed (expected at /opt/swift)"; exit 1; }
}

redis_admin() { redis-cli -p "$REDIS_PORT" --user admin --pass hotstock-admin-dev --no-auth-warning "$@"; }

start_redis() {
  mkdir -p "$DATA/redis"
  if [ "$(redis_admin ping 2>/dev/null)" = PONG ]; then return; fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT ($DATA/redis)"
  redis-server "$ROOT/ops/redis/redis.conf" --port "$REDIS_PORT" --dir "$DATA/redis" \
    --aclfile "$ROOT/ops/redis/users.acl" \
    --daemonize yes --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log"
  # Replaying a large AOF takes a while (about 4 s per 150 MB here): wait while it loads.
  for _ in $(seq 1 1200); do
    [ "$(redis_admin ping 2>/dev/null)" = PONG ] && return
    sleep 0.1
  done
  log "Redis did not start within 120 s; see $DATA/redis/redis.log"; exit 1
}

mysql_admin() { mariadb --no-defaults --socket="$DATA/mariadb/mysqld.sock" -uroot "$@"; }

start_mariadb() {
  mkdir -p "$DATA/mariadb"
  # A fault run that was itself killed may have left MariaDB frozen (SIGSTOP).
  if [ -f "$DATA/mariadb/mariadb.pid" ]; then kill -CONT "$(cat "$DATA/mariadb/mariadb.pid")" 2>/dev/null || true; fi
  if mysql_admin -e 'SELECT 1' >/dev/null 2>&1; then
    mysql_admin <"$ROOT/ops/mariadb/users.sql"
    return
  fi
  if [ ! -d "$DATA/mariadb/data/mysql" ]; then
    log "initialising MariaDB in $DATA/mariadb/data"
    mariadb-install-db --no-defaults --datadir="$DATA/mariadb/data" --user=root \
      --auth-root-authentication-method=socket >"$DATA/mariadb/install.log" 2>&1
  fi
  log "starting MariaDB on 127.0.0.1:$MYSQL_PORT ($DATA/mariadb)"
  nohup mariadbd --defaults-file="$ROOT/ops/mariadb/my.cnf" --user=root \
    --datadir="$DATA/mariadb/data" --port="$MYSQL_PORT" --socket="$DATA/mariadb/mysqld.sock" \
    --pid-file="$DATA/mariadb/mariadb.pid" --log-error="$DATA/mariadb/mariadb.err" \
    >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if mysql_admin -e 'SELECT 1' >/dev/null 2>&1; then
      mysql_admin <"$ROOT/ops/mariadb/users.sql"
      return
    fi
    sleep 0.1
  done
  log "MariaDB did not start; see $DATA/mariadb/mariadb.err"; exit 1
}

stop_services() {
  redis_admin shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$DATA/mariadb/mariadb.pid" ]; then
    kill "$(cat "$DATA/mariadb/mariadb.pid")" 2>/dev/null || true
  fi
}

# The key that seals card codes (HOTSTOCK_CODE_KEY): made once per profile, kept
# under .local/ (never committed).
code_key() {
  local file="$DATA/code.key"
  if [ ! -s "$file" ]; then
    mkdir -p "$DATA"
    printf 'k1:%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >"$file"
  fi
  cat "$file"
}

print_env() {
  cat <<ENV
export HOTSTOCK_REDIS_URL='$REDIS_URL'
export HOTSTOCK_REDIS_ADMIN_URL='$REDIS_ADMIN_URL'
export HOTSTOCK_REDIS_OPS_URL='$REDIS_OPS_URL'
export HOTSTOCK_MYSQL_URL='$MYSQL_URL'
export HOTSTOCK_MYSQL_ADMIN_URL='$MYSQL_ADMIN_URL'
export HOTSTOCK_MYSQL_RO_URL='$MYSQL_RO_URL'
export HOTSTOCK_CODE_KEY='$(code_key)'
ENV
}

export_env() {
  export HOTSTOCK_REDIS_URL="$REDIS_URL" HOTSTOCK_REDIS_ADMIN_URL="$REDIS_ADMIN_URL" HOTSTOCK_REDIS_OPS_URL="$REDIS_OPS_URL"
  export HOTSTOCK_MYSQL_URL="$MYSQL_URL" HOTSTOCK_MYSQL_ADMIN_URL="$MYSQL_ADMIN_URL" HOTSTOCK_MYSQL_RO_URL="$MYSQL_RO_URL"
  HOTSTOCK_CODE_KEY="$(code_key)"
  export HOTSTOCK_CODE_KEY
}

start_services() {
  install_packages
  start_redis
  start_mariadb
}

# Builds and fails when the compiler warns about HotStock's own code.
build_checked() {
  local log_file="$ROOT/.local/build.log"
  mkdir -p "$ROOT/.local"
  swift build "$@" 2>&1 | tee "$log_file" >&2
  if grep -E "^$ROOT/(Sources|Tests|Plugins|loadtest)/.*: warning:" "$log_file" >&2; then
    log "the build has warnings (above)"; exit 1
  fi
}

cmd_run() {
  profile_settings dev
  start_services
  export_env
  cd "$ROOT"
  build_checked -c release --product hotstock
  local bin; bin="$(swift build -c release --show-bin-path)/hotstock"
  "$bin" migrate --mysql-url "$MYSQL_ADMIN_URL"
  # Dev tokens: made once, kept under .local/ (never committed).
  local tokens="$DATA/tokens.env"
  if [ ! -f "$tokens" ]; then
    printf 'HOTSTOCK_API_TOKEN=%s\nHOTSTOCK_ADMIN_TOKEN=%s\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
      "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$tokens"
  fi
  set -a; . "$tokens"; set +a
  local port="${HOTSTOCK_PORT:-8080}"
  "$bin" serve --port "$port" &
  local server=$!
  trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs -X PUT "http://127.0.0.1:$port/v1/skus/demo-card" -H "Authorization: Bearer $HOTSTOCK_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d '{"total": 1000, "max_qty": 5}' >/dev/null
  cat >&2 <<HELP
[dev] HotStock serves http://127.0.0.1:$port (Redis 127.0.0.1:$REDIS_PORT, MariaDB 127.0.0.1:$MYSQL_PORT, tokens in $tokens)
[dev] with a demo SKU "demo-card" of 1000 units. Hold and confirm:

curl -s -X PUT http://127.0.0.1:$port/v1/skus/demo-card/holds/order-1 -H 'Authorization: Bearer $HOTSTOCK_API_TOKEN' -H 'Content-Type: application/json' -d '{"qty": 2, "buyer": "u42"}'
curl -s -X POST http://127.0.0.1:$port/v1/skus/demo-card/holds/order-1/confirm -H 'Authorization: Bearer $HOTSTOCK_API_TOKEN'

[dev] Ctrl-C stops the server.
HELP
  wait $server
}

cmd_test() {
  profile_settings test
  start_services
  export_env
  cd "$ROOT"
  # Every step's output is kept here and scanned for secrets at the end.
  local logs="$ROOT/.local/test-logs"
  rm -rf "$logs" "$ROOT/.local/loadtest"
  mkdir -p "$logs"
  "$ROOT/ops/format.sh" --check
  build_checked --build-tests
  local bin; bin="$(swift build --show-bin-path)"
  swift test --skip-build "$@" 2>&1 | tee "$logs/swift-test.log"
  # The HTTP contract under generated input: no 5xx, every response true to openapi.yaml.
  "$ROOT/ops/schemathesis.sh" "$bin/hotstock" 2>&1 | tee "$logs/schemathesis.log"
  # Small load runs: they fail (exit 1) on any invariant violation.
  "$bin/loadtest" run flash --buyers 3000 --out "$ROOT/.local/loadtest/flash" 2>&1 | tee "$logs/flash.log"
  "$bin/loadtest" run retry-storm --buyers 1000 --out "$ROOT/.local/loadtest/retry-storm" 2>&1 \
    | tee "$logs/retry-storm.log"
  "$bin/loadtest" run flash-codes --buyers 2000 --out "$ROOT/.local/loadtest/flash-codes" 2>&1 \
    | tee "$logs/flash-codes.log"
  # The fault suite's short form: Redis kill -9 x3, syncer/sweeper kill -9, MariaDB frozen,
  # FUNCTION FLUSH, serve restarted; nothing acknowledged may be lost.
  run_faults --small 2>&1 | tee "$logs/faults.log"
  # No password or token in any log line of the whole run (the processes' logs included).
  "$ROOT/ops/secret-scan.sh" "$logs" "$ROOT/.local/loadtest" "$ROOT/.local/build.log" "$DATA/redis/redis.log" \
    "$DATA/mariadb/mariadb.err"
  local count
  count="$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$logs/swift-test.log" | tail -n 1)"
  echo "tests: ${count:-0} passed, 0 failed"
}

# The fault suite (loadtest faults) on the test services: it kills and restarts Redis
# through this script, freezes MariaDB by its pid, and runs hotstock serve/sync/sweep.
run_faults() {
  local bin; bin="$(swift build --show-bin-path)"
  "$bin/loadtest" faults --hotstock "$bin/hotstock" \
    --redis-pid-file "$DATA/redis/redis.pid" --redis-restart "'$ROOT/ops/dev.sh' start-redis $PROFILE" \
    --mariadb-pid-file "$DATA/mariadb/mariadb.pid" --out "$ROOT/.local/loadtest/faults" "$@"
}

cmd_faults() {
  profile_settings test
  start_services
  export_env
  cd "$ROOT"
  build_checked --product loadtest
  build_checked --product hotstock
  run_faults "$@"
}

command="${1:-}"
shift || true
case "$command" in
  run) cmd_run "$@" ;;
  faults) cmd_faults "$@" ;;
  start-redis) profile_settings "${1:-dev}"; start_redis ;;
  test) cmd_test "$@" ;;
  start) profile_settings "${1:-dev}"; start_services; print_env ;;
  stop) profile_settings "${1:-dev}"; stop_services ;;
  env) profile_settings "${1:-dev}"; print_env ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
