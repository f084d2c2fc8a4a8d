#!/usr/bin/env bash
# Installs the JavaScript CEL engines that `cargo compare` measures side by side with celd
# (crates/celd-bench/js/package.json, pinned versions) into crates/celd-bench/js/node_modules,
# which git ignores. Needs node and npm; `compare` leaves the column out without them.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/crates/celd-bench/js"
if ! command -v npm > /dev/null; then
    echo "npm is missing: install node (e.g. apt install nodejs npm) and run this again" >&2
    exit 1
fi
npm install --prefix "$dir" --no-audit --no-fund --no-package-lock
echo "installed into $dir/node_modules"
