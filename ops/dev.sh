#!/usr/bin/env bash
# HotStock's local runner: installs what is missing (Debian packages), starts throwaway
# Redis and MariaDB instances on loopback ports under .local/ (ignored by git), and
# runs HotStock or its tests against them. Every step is idempotent.
#
#   ops/dev.sh run        install, start the dev services, build, migrate, seed a demo SKU, run HotStock
#   ops/dev.sh test       install, start the test services, build (no warnings), run every test
#   ops/dev.sh faults [--small] [--carts]   the fault suite: a flash sale (or orders of several SKUs) through crashes and outages (test services)
#   ops/dev.sh start [dev|test|cluster]   start one profile's services and print its environment
#   ops/dev.sh stop  [dev|test|cluster]   stop them
#   ops/dev.sh env   [dev|test|cluster]   print the environment that points HotStock at them
#   cluster: a Redis Cluster of 3 primaries + 3 replicas on 127.0.0.1:17001-17006 (DESIGN §11),
#            with the test profile's MariaDB; for failover drills:
#   ops/dev.sh cluster-node-kill PORT    kill -9 one cluster node
#   ops/dev.sh cluster-node-start PORT   start it again, wait until the cluster is whole
#   ops/dev.sh cluster-node-add PORT     a drill's extra primary (17007-17009), with no slot
#   ops/dev.sh cluster-node-remove PORT  its slots handed back, the node taken out
#   ops/dev.sh cluster-wipe              stop the cluster and delete its data (the next start creates it)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# redis-tools brings `redis-cli --cluster` (the cluster profile).
PACKAGES=(redis-server redis-tools mariadb-server mariadb-client libhiredis-dev libmariadb-dev pkg-config curl python3-venv)
# The test command also checks the ops kit: promtool (prometheus), systemd-analyze (systemd).
TEST_PACKAGES=(prometheus systemd)

log() { printf '[dev] %s\n' "$*" >&2; }

profile_settings() {
  PROFILE="${1:-dev}"
  case "$PROFILE" in
    dev) REDIS_PORT=16379; MYSQL_PORT=13306 ;;
    test) REDIS_PORT=16380; MYSQL_PORT=13307 ;;
    # Six cluster nodes (bus ports 27001-27006); REDIS_PORT is the first. MariaDB, and
    # with it the code key, is the test profile's.
    cluster) REDIS_PORT=17001; MYSQL_PORT=13307 ;;
    *) log "unknown profile $PROFILE (dev, test or cluster)"; exit 2 ;;
  esac
  DATA="$ROOT/.local/$PROFILE"
  MYSQL_DATA="$DATA"
  if [ "$PROFILE" = cluster ]; then MYSQL_DATA="$ROOT/.local/test"; fi
  CLUSTER_PORTS=(17001 17002 17003 17004 17005 17006)
  # Local users and passwords: ops/redis/users.acl and ops/mariadb/users.sql.
  # A cluster's URL lists seed nodes (DESIGN §11): three of the six are enough.
  local hosts="127.0.0.1:$REDIS_PORT"
  if [ "$PROFILE" = cluster ]; then hosts="127.0.0.1:17001,127.0.0.1:17002,127.0.0.1:17003"; fi
  REDIS_URL="redis://hotstock:hotstock-dev@$hosts/0"
  REDIS_ADMIN_URL="redis://admin:hotstock-admin-dev@$hosts/0"
  REDIS_OPS_URL="redis://ops:hotstock-ops-dev@$hosts/0"
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
  if [ "$PROFILE" = cluster ]; then start_cluster; return; fi
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

# The cluster profile: six nodes, each with the same redis.conf and ACL file as the single
# Redis, in $DATA/<port>. Replicas sync from their primary as admin (the default user is off).
cluster_admin() {
  local port="$1"; shift
  redis-cli -p "$port" --user admin --pass hotstock-admin-dev --no-auth-warning "$@"
}

cluster_port() {
  case " ${CLUSTER_PORTS[*]} " in
    *" ${1:-} "*) ;;
    *) log "not a cluster port: ${1:-} (${CLUSTER_PORTS[*]})"; exit 2 ;;
  esac
}

# Starts one node unless it answers; does not wait.
start_cluster_node() {
  local port="$1" dir="$DATA/$1"
  mkdir -p "$dir"
  # A drill may have left the node frozen (SIGSTOP).
  if [ -f "$dir/redis.pid" ]; then kill -CONT "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  if [ "$(cluster_admin "$port" ping 2>/dev/null)" = PONG ]; then return; fi
  log "starting Redis cluster node on 127.0.0.1:$port ($dir)"
  redis-server "$ROOT/ops/redis/redis.conf" --port "$port" --dir "$dir" \
    --aclfile "$ROOT/ops/redis/users.acl" \
    --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 2000 \
    --masteruser admin --masterauth hotstock-admin-dev \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
}

wait_cluster_node() {
  local port="$1"
  # As for the single Redis: wait while a large AOF loads.
  for _ in $(seq 1 1200); do
    [ "$(cluster_admin "$port" ping 2>/dev/null)" = PONG ] && return
    sleep 0.1
  done
  log "Redis cluster node $port did not start within 120 s; see $DATA/$port/redis.log"; exit 1
}

# Whole: every node sees six nodes and cluster_state:ok, three primaries serve the slots,
# each with a replica whose link to it is up.
cluster_whole() {
  local port nodes replicas
  for port in "${CLUSTER_PORTS[@]}"; do
    cluster_admin "$port" cluster info 2>/dev/null | tr -d '\r' \
      | grep -q '^cluster_state:ok$' || return 1
    cluster_admin "$port" cluster info 2>/dev/null | tr -d '\r' \
      | grep -q '^cluster_known_nodes:6$' || return 1
  done
  nodes="$(cluster_admin "${CLUSTER_PORTS[0]}" cluster nodes 2>/dev/null | tr -d '\r')" || return 1
  # Every primary with slots has a healthy replica, and nothing is failed.
  echo "$nodes" | awk '
    $3 ~ /fail/ { bad = 1 }
    $3 ~ /master/ && NF >= 9 { primaries[$1] = 1 }
    $3 ~ /slave/ { replicated[$4] = 1 }
    END {
      n = 0
      for (id in primaries) { n++; if (!(id in replicated)) bad = 1 }
      exit (bad || n != 3)
    }' || return 1
  replicas="$(echo "$nodes" | awk '$3 ~ /slave/ { split($2, a, "[:@]"); print a[2] }')"
  for port in $replicas; do
    cluster_admin "$port" info replication 2>/dev/null | tr -d '\r' \
      | grep -q '^master_link_status:up$' || return 1
  done
}

wait_cluster_whole() {
  for _ in $(seq 1 600); do
    cluster_whole && return
    sleep 0.1
  done
  log "the Redis cluster is not whole after 60 s; see $DATA/*/redis.log and:"
  cluster_admin "${CLUSTER_PORTS[0]}" cluster nodes >&2 || true
  exit 1
}

start_cluster() {
  local port fresh=0 formed=0 info
  for port in "${CLUSTER_PORTS[@]}"; do start_cluster_node "$port"; done
  for port in "${CLUSTER_PORTS[@]}"; do wait_cluster_node "$port"; done
  # New nodes know only themselves and own no slot; restarted ones keep their cluster
  # in nodes.conf and find each other again by themselves.
  for port in "${CLUSTER_PORTS[@]}"; do
    info="$(cluster_admin "$port" cluster info | tr -d '\r')"
    if grep -q '^cluster_known_nodes:1$' <<<"$info" && grep -q '^cluster_slots_assigned:0$' <<<"$info"; then
      fresh=$((fresh + 1))
    else
      formed=$((formed + 1))
    fi
  done
  if ((formed == 0)); then
    log "creating the Redis cluster (3 primaries, 3 replicas)"
    local hosts=()
    for port in "${CLUSTER_PORTS[@]}"; do hosts+=("127.0.0.1:$port"); done
    redis-cli --user admin --pass hotstock-admin-dev --no-auth-warning \
      --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$DATA/create.log" 2>&1 \
      || { cat "$DATA/create.log" >&2; log "creating the cluster failed"; exit 1; }
  elif ((fresh > 0)); then
    log "$fresh of 6 cluster nodes are new and the others form a cluster; ops/dev.sh cluster-wipe starts over"
    exit 1
  fi
  wait_cluster_whole
}

stop_cluster() {
  local port pid
  for port in "${CLUSTER_PORTS[@]}"; do
    if [ -f "$DATA/$port/redis.pid" ]; then kill -CONT "$(cat "$DATA/$port/redis.pid")" 2>/dev/null || true; fi
    cluster_admin "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  # A node that did not answer (frozen, loading) is killed; wait until all are gone.
  for port in "${CLUSTER_PORTS[@]}"; do
    [ -f "$DATA/$port/redis.pid" ] || continue
    pid="$(cat "$DATA/$port/redis.pid")"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null && [ "$(ps -o comm= -p "$pid")" = redis-server ]; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}

cluster_node_kill() {
  cluster_port "${1:-}"
  local pid_file="$DATA/$1/redis.pid"
  [ -f "$pid_file" ] || { log "no pid file $pid_file"; exit 1; }
  log "kill -9 Redis cluster node 127.0.0.1:$1 (pid $(cat "$pid_file"))"
  kill -9 "$(cat "$pid_file")"
}

cluster_node_start() {
  cluster_port "${1:-}"
  start_cluster_node "$1"
  wait_cluster_node "$1"
  wait_cluster_whole
}

# A drill's extra primary (loadtest faults' add-primary): a fresh node on PORT (outside
# the six) joins the cluster with no slot; cluster-node-remove hands its slots back to a
# primary, takes it out and deletes its data.
cluster_node_add() {
  local port="${1:-}"
  case "$port" in 1700[7-9]) ;; *) log "an extra node takes port 17007-17009"; exit 2 ;; esac
  cluster_node_remove_data "$port"
  start_cluster_node "$port"
  wait_cluster_node "$port"
  redis-cli --user admin --pass hotstock-admin-dev --no-auth-warning \
    --cluster add-node "127.0.0.1:$port" "127.0.0.1:$(cluster_live_primary)" >"$DATA/add-$port.log" 2>&1 \
    || { cat "$DATA/add-$port.log" >&2; exit 1; }
  for _ in $(seq 1 300); do
    cluster_admin "$port" cluster info 2>/dev/null | tr -d '\r' | grep -q '^cluster_state:ok$' && return
    sleep 0.1
  done
  log "node $port did not join the cluster"; exit 1
}

cluster_node_remove() {
  local port="${1:-}" id slots target
  case "$port" in 1700[7-9]) ;; *) log "only an extra node (17007-17009) is removed"; exit 2 ;; esac
  id="$(cluster_admin "$port" cluster myid | tr -d '\r')"
  slots="$(cluster_admin "$port" cluster nodes \
    | tr -d '\r' | awk '$3 ~ /myself/ { n = 0; for (i = 9; i <= NF; i++) { split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }')"
  if [ "${slots:-0}" -gt 0 ]; then
    target="$(cluster_admin "$(cluster_live_primary)" cluster myid | tr -d '\r')"
    REDISCLI_AUTH=hotstock-admin-dev redis-cli --user admin --no-auth-warning --cluster reshard "127.0.0.1:$port" \
      --cluster-from "$id" --cluster-to "$target" --cluster-slots "$slots" --cluster-yes >/dev/null 2>&1
  fi
  REDISCLI_AUTH=hotstock-admin-dev redis-cli --user admin --no-auth-warning \
    --cluster del-node "127.0.0.1:$(cluster_live_primary)" "$id" >/dev/null 2>&1 || true
  cluster_node_remove_data "$port"
  wait_cluster_whole
}

cluster_node_remove_data() {
  local port="$1"
  if [ -f "$DATA/$port/redis.pid" ]; then kill -9 "$(cat "$DATA/$port/redis.pid")" 2>/dev/null || true; fi
  rm -rf "${DATA:?}/$port"
}

# The port of a primary of the six that answers.
cluster_live_primary() {
  local port
  for port in "${CLUSTER_PORTS[@]}"; do
    if cluster_admin "$port" role 2>/dev/null | head -1 | grep -q master; then echo "$port"; return; fi
  done
  log "no primary of the cluster answers"; exit 1
}

mysql_admin() { mariadb --no-defaults --socket="$MYSQL_DATA/mariadb/mysqld.sock" -uroot "$@"; }

start_mariadb() {
  mkdir -p "$MYSQL_DATA/mariadb"
  # A fault run that was itself killed may have left MariaDB frozen (SIGSTOP).
  if [ -f "$MYSQL_DATA/mariadb/mariadb.pid" ]; then kill -CONT "$(cat "$MYSQL_DATA/mariadb/mariadb.pid")" 2>/dev/null || true; fi
  if mysql_admin -e 'SELECT 1' >/dev/null 2>&1; then
    mysql_admin <"$ROOT/ops/mariadb/users.sql"
    return
  fi
  if [ ! -d "$MYSQL_DATA/mariadb/data/mysql" ]; then
    log "initialising MariaDB in $MYSQL_DATA/mariadb/data"
    mariadb-install-db --no-defaults --datadir="$MYSQL_DATA/mariadb/data" --user=root \
      --auth-root-authentication-method=socket >"$MYSQL_DATA/mariadb/install.log" 2>&1
  fi
  log "starting MariaDB on 127.0.0.1:$MYSQL_PORT ($MYSQL_DATA/mariadb)"
  nohup mariadbd --defaults-file="$ROOT/ops/mariadb/my.cnf" --user=root \
    --datadir="$MYSQL_DATA/mariadb/data" --port="$MYSQL_PORT" --socket="$MYSQL_DATA/mariadb/mysqld.sock" \
    --pid-file="$MYSQL_DATA/mariadb/mariadb.pid" --log-error="$MYSQL_DATA/mariadb/mariadb.err" \
    >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if mysql_admin -e 'SELECT 1' >/dev/null 2>&1; then
      mysql_admin <"$ROOT/ops/mariadb/users.sql"
      return
    fi
    sleep 0.1
  done
  log "MariaDB did not start; see $MYSQL_DATA/mariadb/mariadb.err"; exit 1
}

stop_services() {
  # The cluster's MariaDB is the test profile's: `stop test` stops it.
  if [ "$PROFILE" = cluster ]; then stop_cluster; return; fi
  redis_admin shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$DATA/mariadb/mariadb.pid" ]; then
    kill "$(cat "$DATA/mariadb/mariadb.pid")" 2>/dev/null || true
  fi
}

# The key that seals card codes (HOTSTOCK_CODE_KEY): made once per profile, kept
# under .local/ (never committed); it goes with the MariaDB that holds the sealed codes.
code_key() {
  local file="$MYSQL_DATA/code.key"
  if [ ! -s "$file" ]; then
    mkdir -p "$MYSQL_DATA"
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
  if [ "$PROFILE" = cluster ]; then
    echo "export HOTSTOCK_REDIS_CLUSTER_PORTS=\"${CLUSTER_PORTS[*]}\""
    echo "export HOTSTOCK_REDIS_CLUSTER_URL='$REDIS_URL'"
  fi
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
  PACKAGES+=("${TEST_PACKAGES[@]}")
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
  # The ops kit: alert rules (promtool check and unit tests), dashboard, systemd units.
  "$ROOT/ops/check-ops-kit.sh" "$bin/hotstock" 2>&1 | tee "$logs/ops-kit.log"
  swift test --skip-build "$@" 2>&1 | tee "$logs/swift-test.log"
  # The HTTP contract under generated input: no 5xx, every response true to openapi.yaml.
  "$ROOT/ops/schemathesis.sh" "$bin/hotstock" 2>&1 | tee "$logs/schemathesis.log"
  # Small load runs: they fail (exit 1) on any invariant violation.
  "$bin/loadtest" run flash --buyers 3000 --out "$ROOT/.local/loadtest/flash" 2>&1 | tee "$logs/flash.log"
  "$bin/loadtest" run retry-storm --buyers 1000 --out "$ROOT/.local/loadtest/retry-storm" 2>&1 \
    | tee "$logs/retry-storm.log"
  "$bin/loadtest" run flash-codes --buyers 2000 --out "$ROOT/.local/loadtest/flash-codes" 2>&1 \
    | tee "$logs/flash-codes.log"
  "$bin/loadtest" run cart --buyers 3000 --out "$ROOT/.local/loadtest/cart" 2>&1 | tee "$logs/cart.log"
  # The fault suite's short form, buyers placing orders of 1-5 SKUs: Redis kill -9 x3,
  # syncer/sweeper kill -9, MariaDB frozen, FUNCTION FLUSH, serve restarted and killed -9;
  # nothing acknowledged may be lost, no order left partial (the cluster's drill holds).
  run_faults --small --carts 2>&1 | tee "$logs/faults.log"
  local test_data="$DATA"
  # The same engine on a Redis Cluster of 3 primaries + 3 replicas (DESIGN §11).
  run_cluster_stage "$bin" "$logs"
  # No password or token in any log line of the whole run (the processes' logs included).
  "$ROOT/ops/secret-scan.sh" "$logs" "$ROOT/.local/loadtest" "$ROOT/.local/build.log" "$test_data/redis/redis.log" \
    "$test_data/mariadb/mariadb.err" "$DATA"/*/redis.log
  local count cluster_count
  count="$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$logs/swift-test.log" | tail -n 1)"
  cluster_count="$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$logs/swift-test-cluster.log" \
    | tail -n 1)"
  echo "tests: ${count:-0} passed, 0 failed; on the cluster: ${cluster_count:-0} passed, 0 failed"
}

# On the local cluster: the engine's, the server's (the HTTP contract) and the CLI's
# suites through a URL of seed nodes, schemathesis, a flash sale, and the short fault
# suite with failovers and a reshard; the load runs exit 1 on any invariant violation.
run_cluster_stage() {
  local bin="$1" logs="$2"
  profile_settings cluster
  start_services
  export_env
  export HOTSTOCK_REDIS_CLUSTER_URL="$REDIS_URL"
  swift test --skip-build --filter 'HotStockCoreTests|HotStockServerTests|hotstockTests|ClusterRoutingTests' 2>&1 \
    | tee "$logs/swift-test-cluster.log"
  "$ROOT/ops/schemathesis.sh" "$bin/hotstock" 2>&1 | tee "$logs/schemathesis-cluster.log"
  "$bin/loadtest" run flash --buyers 3000 --out "$ROOT/.local/loadtest/cluster-flash" 2>&1 | tee "$logs/cluster-flash.log"
  cluster_failover_drill "$bin" 2>&1 | tee "$logs/cluster-failover.log"
}

# The fault suite's short form on the cluster, every change waiting for a replica: a
# flash sale over HTTP through kill -9 of two primaries (each replica promoted, the node
# back as a replica), a reshard of 300 slots, a syncer, sweeper and serve restart, a
# MariaDB freeze and FUNCTION FLUSH; nothing acknowledged may be lost.
cluster_failover_drill() {
  local bin="$1"
  "$bin/loadtest" faults --hotstock "$bin/hotstock" --cluster-dir "$DATA" --cluster-script "'$ROOT/ops/dev.sh'" \
    --mariadb-pid-file "$MYSQL_DATA/mariadb/mariadb.pid" --small --wait-replicas 1 \
    --out "$ROOT/.local/loadtest/cluster-faults"
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
  cluster-node-kill) profile_settings cluster; cluster_node_kill "$@" ;;
  cluster-node-start) profile_settings cluster; cluster_node_start "$@" ;;
  cluster-node-add) profile_settings cluster; cluster_node_add "$@" ;;
  cluster-node-remove) profile_settings cluster; cluster_node_remove "$@" ;;
  cluster-wipe) profile_settings cluster; stop_cluster; rm -rf "$DATA" ;;
  test) cmd_test "$@" ;;
  start) profile_settings "${1:-dev}"; start_services; print_env ;;
  stop) profile_settings "${1:-dev}"; stop_services ;;
  env) profile_settings "${1:-dev}"; print_env ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
