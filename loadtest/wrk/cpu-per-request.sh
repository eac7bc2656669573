#!/usr/bin/env bash
# CPU time per request of a server process (and of Redis) under a wrk run, from
# /proc/<pid>/stat and Redis's INFO cpu: a measure that does not depend on who else
# shares the cores.
#   loadtest/wrk/cpu-per-request.sh PID [wrk arguments...]
# With REDIS_CLI set (e.g. 'redis-cli -p 16379 --user admin --pass ... --no-auth-warning'),
# Redis's CPU per request is reported too.
set -euo pipefail
pid="$1"; shift
ticks="$(getconf CLK_TCK)"
cpu_of() { awk -v t="$ticks" '{ printf "%.6f", ($14 + $15) / t }' "/proc/$1/stat"; }
redis_cpu() {
  if [ -n "${REDIS_CLI:-}" ]; then
    $REDIS_CLI INFO cpu | awk -F: '/^used_cpu_sys:|^used_cpu_user:/ { s += $2 } END { printf "%.6f", s }'
  else echo 0; fi
}
server_before="$(cpu_of "$pid")"; redis_before="$(redis_cpu)"
output="$(wrk "$@")"
server_after="$(cpu_of "$pid")"; redis_after="$(redis_cpu)"
echo "$output"
requests="$(echo "$output" | awk '/requests in/ { print $1 }')"
awk -v s="$(echo "$server_after - $server_before" | bc -l)" -v r="$(echo "$redis_after - $redis_before" | bc -l)" \
  -v n="$requests" 'BEGIN { printf "cpu_us_per_request server %.1f redis %.1f (%d requests)\n", s * 1e6 / n, r * 1e6 / n, n }'
