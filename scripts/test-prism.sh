#!/usr/bin/env bash
# The integration suite (tests/api) once more, every request and response passing through
# `prism proxy openapi.yaml … --errors` (@stoplight/prism-cli), an independent validator: any
# exchange that breaks openapi.yaml fails the test that made it, and so this script.
#
#   scripts/test-prism.sh                                      # tests/api on embedded PGlite
#   scripts/test-prism.sh tests/api/tasks-crud.test.ts -t PATCH   # any jest arguments
#   scripts/test-prism.sh --json --outputFile=prism.json          # still tests/api
#   TEST_DATABASE_URL=postgres://… scripts/test-prism.sh          # on a PostgreSQL server
#
# A request that breaks the contract is answered by Prism itself; tests/helpers/contract.ts then
# sends it straight to the service (whose answer those tests are about), so every test runs here
# and no test has to know about Prism.
set -euo pipefail
cd "$(dirname "$0")/.."

export PRISM_PROXY=1
log_dir=${PRISM_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/task-api-prism-XXXXXX")}
export PRISM_LOG_DIR=$log_dir
rm -f "$log_dir/forwarded-requests"

# Jest arguments pass through; without a test path among them, the suite is tests/api.
args=("$@")
has_path=false
for arg in "$@"; do
  case $arg in tests/*) has_path=true ;; esac
done
$has_path || args=(tests/api "${args[@]}")

# Every request makes two more hops (Prism, and the router behind it): give hooks and tests
# more time than the direct run's 30 s on a busy two-core machine.
status=0
npm test --silent -- --testTimeout=120000 "${args[@]}" || status=$?

forwarded=$(cat "$log_dir/forwarded-requests" 2>/dev/null || echo 0)
echo "prism: ${forwarded} requests validated by Prism and passed on to the service (log: $log_dir/prism.log)"
if [ "$status" -ne 0 ]; then
  echo "prism: the suite failed behind Prism; Prism's last log lines:" >&2
  tail -n 40 "$log_dir/prism.log" >&2 2>/dev/null || true
  exit "$status"
fi
if [ "$forwarded" -eq 0 ]; then
  echo "prism: no request went through Prism, so nothing was validated" >&2
  exit 1
fi
