#!/usr/bin/env bash
# Fails when a password, token, key or card code of the test run appears in any of the
# given log files or folders. The secrets: the passwords in the HOTSTOCK_*_URL variables, the code
# key, the tokens of the environment, the fixed tokens of the tests and schemathesis,
# and one per line in $HOTSTOCK_SECRETS_FILE.
#   ops/secret-scan.sh FILE_OR_FOLDER...
set -euo pipefail
secrets=(test-api-token test-admin-token schemathesis-api-token schemathesis-admin-token sigterm-api-token
  sigterm-admin-token)
for name in HOTSTOCK_REDIS_URL HOTSTOCK_REDIS_ADMIN_URL HOTSTOCK_REDIS_OPS_URL HOTSTOCK_MYSQL_URL \
  HOTSTOCK_MYSQL_ADMIN_URL HOTSTOCK_MYSQL_RO_URL; do
  url="${!name:-}"
  password="$(printf '%s' "$url" | sed -n 's|^[a-z]*://[^:/@]*:\([^@]*\)@.*|\1|p')"
  [ -n "$password" ] && secrets+=("$password")
done
# The code key (its key material, after the id) and the tokens of the environment.
[ -n "${HOTSTOCK_CODE_KEY:-}" ] && secrets+=("${HOTSTOCK_CODE_KEY#*:}")
for name in HOTSTOCK_API_TOKEN HOTSTOCK_ADMIN_TOKEN; do
  [ -n "${!name:-}" ] && secrets+=("${!name}")
done
if [ -n "${HOTSTOCK_SECRETS_FILE:-}" ] && [ -f "$HOTSTOCK_SECRETS_FILE" ]; then
  while IFS= read -r line; do [ -n "$line" ] && secrets+=("$line"); done <"$HOTSTOCK_SECRETS_FILE"
fi
# The card codes the tests and load runs sell (their fixed prefixes): no code in clear
# may reach a log either.
secrets+=(LT-flash-codes- CARD-TEST- SECRET-TEST- COLD-TEST- GIFT-TEST- BENCH-CODE- LIC-TEST- KILL-TEST-)
mapfile -t secrets < <(printf '%s\n' "${secrets[@]}" | sort -u)
files=0
found=0
for path in "$@"; do
  [ -e "$path" ] || continue
  files=$((files + $(find "$path" -type f | wc -l)))
  for secret in "${secrets[@]}"; do
    # Print where, never the secret itself.
    if hits="$(grep -rnHF --binary-files=text -- "$secret" "$path" | cut -d: -f1,2)"; then
      printf 'secret-scan: a secret appears at %s\n' "$(printf '%s' "$hits" | head -n 5 | tr '\n' ' ')" >&2
      found=1
    fi
  done
done
if ((found)); then exit 1; fi
echo "secret-scan: ${#secrets[@]} secrets, $files log files, none found"
