#!/usr/bin/env bash
# Issue 9, "streaming cost is linear": feeds N bytes one byte per call to every decoder and
# session machine of `benches/src/bin/linearity.rs` under callgrind, counting only the
# instructions of the decoder's `measure_*` function (deterministic, unlike wall time), for
# a small and a 4x larger input. PASS if count(4x) / count(1x) is within [3.6, 4.4].
# Exits non-zero if any decoder FAILs.
#
# Usage: scripts/linearity.sh [decoder...]      (default: all)
# Env:   SMALL=1M LARGE=4M (sizes; K/M suffixes), LINEARITY_TIMEOUT=900 (seconds per run)
set -euo pipefail
cd "$(dirname "$0")/.."

SMALL=${SMALL:-1M}
LARGE=${LARGE:-4M}
TIMEOUT=${LINEARITY_TIMEOUT:-900}

if ! command -v valgrind >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y valgrind >/dev/null
fi

cargo build --release -p benches --bin linearity >&2
BIN=${CARGO_TARGET_DIR:-target}/release/linearity
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ $# -gt 0 ]; then
    DECODERS=("$@")
else
    list=$("$BIN" list) # a failure here stops the script (set -e), unlike in a <(...)
    mapfile -t DECODERS <<<"$list"
fi
# A run that measured nothing must not pass.
if [ "${#DECODERS[@]}" -eq 0 ] || [ -z "${DECODERS[0]}" ]; then
    echo "linearity: no decoder to measure" >&2
    exit 1
fi

# Instructions counted inside measure_* for one decoder and size; "timeout" if it ran out
# of time (which only a super-linear decoder does).
count() {
    local dec=$1 size=$2 file="$OUT/$1.$2.cg"
    if ! timeout "$TIMEOUT" valgrind --tool=callgrind --callgrind-out-file="$file" \
        --collect-atstart=no '--toggle-collect=*measure_*' "$BIN" "$dec" "$size" \
        >"$OUT/$dec.$size.out" 2>"$OUT/$dec.$size.err"; then
        if [ -f "$file" ] && grep -q '^summary:' "$file"; then :; else echo timeout; return; fi
    fi
    awk '/^summary:/ {print $2}' "$file"
}

fail=0
printf '| %-38s | %8s | %15s | %8s | %15s | %6s | %s |\n' decoder small instructions large instructions ratio result
printf '|%s|\n' "----------------------------------------|----------|-----------------|----------|-----------------|--------|--------"
for dec in "${DECODERS[@]}"; do
    small=$SMALL large=$LARGE
    # One SMTP reply is at most 256 lines (ReplyConfig): this row scales a single reply.
    if [ "$dec" = smtp_client_single_reply ]; then small=8K large=32K; fi
    a=$(count "$dec" "$small")
    b=$(count "$dec" "$large")
    if [ "$a" = timeout ] || [ "$b" = timeout ] || [ -z "$a" ] || [ -z "$b" ]; then
        ratio=n/a result=FAIL
    else
        ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
        result=$(awk -v r="$ratio" 'BEGIN { print (r >= 3.6 && r <= 4.4) ? "PASS" : "FAIL" }')
    fi
    [ "$result" = PASS ] || fail=1
    printf '| %-38s | %8s | %15s | %8s | %15s | %6s | %s |\n' "$dec" "$small" "$a" "$large" "$b" "$ratio" "$result"
done
exit $fail
