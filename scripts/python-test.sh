#!/usr/bin/env bash
# The Python package's tests: a virtualenv (created when missing, with maturin, pytest and
# hypothesis from PyPI), the `celd` extension built in debug into it, the conformance suite
# exported by `celd-conformance --export` (for python/tests/test_conformance.py, which runs it
# through the Python API), then pytest over python/tests.
#
#   scripts/python-test.sh [PYTEST ARGS...]     # the venv is $CELD_PYTHON_VENV or target/pyvenv
#
# Without the suite (../shared/cel-spec or $CEL_SPEC_DIR) the conformance test fails, unless
# CELD_SKIP_CONFORMANCE=1 asks to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${CELD_PYTHON_VENV:-target/pyvenv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import maturin, pytest, hypothesis" 2> /dev/null; then
    echo "== installing maturin, pytest, hypothesis from PyPI"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "maturin>=1.9.4,<2" pytest hypothesis
fi

echo "== maturin develop (debug)"
VIRTUAL_ENV="$(cd "$venv" && pwd)" "$venv/bin/maturin" develop --quiet --manifest-path python/Cargo.toml
"$venv/bin/python" -c "import celd, sys; sys.exit(0 if celd.evaluate('1 + 1') == 2 else 1)"

echo "== conformance suite export (celd-conformance --export target/conformance-export)"
export_dir=target/conformance-export
rm -rf "$export_dir"
if ! cargo run --quiet -p celd-conformance -- --export "$export_dir"; then
    echo "!!! the conformance export failed: test_conformance.py will say so"
fi
export CELD_CONFORMANCE_EXPORT="$PWD/$export_dir"

echo "== pytest python/tests"
"$venv/bin/python" -m pytest -q python/tests "$@"
