#!/usr/bin/env bash
# The browser test of the console and the playground: headless Chromium (Debian's package,
# installed here when missing and this runs as root with apt) drives the pages of a
# `celd serve` started on 127.0.0.1. Screenshots, the export and a report go to DIR.
#
#   scripts/browser-test.sh [DIR]        # DIR defaults to target/browser-test
#
# Builds the debug `celd` and `console-test` (after `cargo test` they are already built).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-target/browser-test}"
chromium="${CHROMIUM:-$(command -v chromium || true)}"

if [ -z "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        echo "== installing Debian's chromium"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
        chromium="$(command -v chromium)"
    else
        echo "browser-test: chromium is not installed (apt-get install chromium, as root)" >&2
        exit 1
    fi
fi

cargo build --quiet -p celd-cli -p celd-console-test
target/debug/console-test --celd target/debug/celd --chromium "$chromium" --out "$out"
