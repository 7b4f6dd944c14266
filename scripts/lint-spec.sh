#!/usr/bin/env bash
# Spec quality gate (`npm run lint:spec`): Redocly lint of openapi.yaml with redocly.yaml, failing
# on any error AND on any warning (redocly itself exits 0 when there are only warnings), and on any
# problem in redocly.yaml itself. Knowing exceptions live in .redocly.lint-ignore.yaml.
#
#   scripts/lint-spec.sh [spec]        (default: openapi.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
spec=${1:-openapi.yaml}
redocly=node_modules/.bin/redocly
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
"$redocly" lint --lint-config error --max-problems 10000 --format json "$spec" >"$work/report.json" 2>"$work/stderr" || status=$?

# The report decides; redocly's own exit status only counts when there is no report (a crash or
# a broken config).
if ! node -e '
  const fs = require("fs");
  let report;
  try { report = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { process.exit(2); }
  const { errors, warnings, ignored } = report.totals;
  if (errors + warnings > 0) process.exit(1);
  console.log(`${process.argv[2]}: 0 errors, 0 warnings` + (ignored ? ` (${ignored} known exception${ignored === 1 ? "" : "s"} in .redocly.lint-ignore.yaml)` : ""));
' "$work/report.json" "$spec"; then
  # Show the problems the way people read them, then fail.
  grep -v -e '║' -e '╔' -e '╚' "$work/stderr" | sed '/^[[:space:]]*$/d' >&2 || true
  "$redocly" lint --lint-config error --max-problems 10000 --format codeframe "$spec" 2>&1 \
    | grep -v -e '║' -e '╔' -e '╚' >&2 || true
  echo "lint:spec: failed (every error and every warning counts)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  grep -v -e '║' -e '╔' -e '╚' "$work/stderr" | sed '/^[[:space:]]*$/d' >&2 || true
  echo "lint:spec: redocly exited with status $status" >&2
  exit 1
fi
