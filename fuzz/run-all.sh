#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 120), one at a time and niced, with
# libFuzzer's limits of 2 GiB RSS and 1 s per input, and prints per target the duration,
# executions per second and coverage from libFuzzer's final status line.
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Corpora are seeded from the
# project's test expressions (and the conformance suite, when present) by make-seeds.py;
# logs go to fuzz/logs/<target>.log, crashes to fuzz/artifacts/<target>/.
#
# SANITIZER=none builds without AddressSanitizer (into fuzz/target-none/): the engine's
# crates hold no unsafe code, and the 2 GiB limit then measures the engine's own memory —
# under ASan, `structured` passes the limit after about 25 minutes with a live heap of
# 45 MB, on ASan's own bookkeeping of allocation stacks.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-120}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
python3 make-seeds.py
mkdir -p logs
sanitizer="${SANITIZER:-address}"
target_dir=target
[ "$sanitizer" = address ] || target_dir="target-$sanitizer"
if ! nice cargo +nightly fuzz build -O -s "$sanitizer" --target-dir "$target_dir" \
    >logs-build.txt 2>&1; then
    echo "build failed (see fuzz/logs-build.txt); running the binaries already built" >&2
fi
bin="$target_dir/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
printf '%-14s %8s %10s %8s %8s %s\n' target seconds execs exec/s cov result
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="logs/$t.log"
    result=ok
    mkdir -p "artifacts/$t"
    nice "$bin/$t" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=1 -print_final_stats=1 \
        "corpus/$t" >"$log" 2>&1 || { result="FAILED (see fuzz/$log)"; status=1; }
    line=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$line")
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
    rate=$(grep -E '^stat::average_exec_per_sec:' "$log" | awk '{print $2}' || true)
    [ -z "$rate" ] && rate=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$line")
    printf '%-14s %8s %10s %8s %8s %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$result"
done
exit $status
