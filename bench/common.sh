# Sourced by every bench/ script: it runs from the checkout's root and
# measures $bin, which is $BENCH_BIN when given (CI's smoke run passes the
# debug build) and otherwise the release build, made now. BENCH_SMOKE=1
# asks for a few seconds' worth of each measurement, so that no script can
# rot unnoticed; its figures mean nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}"
if [ -n "${BENCH_BIN:-}" ]; then
  bin=$(realpath "$BENCH_BIN")
else
  cargo build --release --locked -q -p hearth --bin hearth
  bin="$CARGO_TARGET_DIR/release/hearth"
fi
smoke=${BENCH_SMOKE:-}
