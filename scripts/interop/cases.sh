# Shared case helpers for the ours-*.sh interop scripts (sourced, not run): a work
# directory and server PIDs cleaned up at exit, PASS/FAIL counting, run_case with a time
# budget ($BUDGET, set by the caller), expect_fail and expect_exit.
# shellcheck shell=bash

work="$(mktemp -d)"
server_pids=()
cleanup() {
    for pid in "${server_pids[@]}"; do
        kill "${pid}" 2>/dev/null || true
        wait "${pid}" 2>/dev/null || true
    done
    rm -rf "${work}"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
summary() { echo "${passed} passed, ${failed} failed"; }

# run_case NAME FUNCTION [ARGS...]: PASS when FUNCTION returns 0, else FAIL with the last
# line of its output. (errexit is off inside "if": case functions chain with "|| return 1".)
run_case() {
    local name="$1"
    shift
    if (( SECONDS > BUDGET )); then
        fail "${name}" "not run: time budget of ${BUDGET}s exhausted"
        return 0
    fi
    local log="${work}/${name}.log" start="${SECONDS}"
    if "$@" >"${log}" 2>&1; then
        pass "${name} ($((SECONDS - start))s)"
    else
        fail "${name}" "$(grep -v '^[[:space:]]*$' "${log}" | tail -n 1)"
    fi
}

# expect_fail PATTERN CMD...: CMD must exit non-zero with PATTERN in its output.
expect_fail() {
    local pattern="$1" rc=0 out
    shift
    out="$("$@" 2>&1)" || rc=$?
    echo "${out}"
    if [[ ${rc} -eq 0 ]]; then
        echo "expected a failure, got exit status 0: $*"
        return 1
    fi
    grep -q -- "${pattern}" <<<"${out}" || { echo "output lacks '${pattern}'"; return 1; }
}

# expect_exit CODE CMD...: CMD must exit with CODE.
expect_exit() {
    local want="$1" rc=0
    shift
    "$@" || rc=$?
    [[ ${rc} -eq ${want} ]] || { echo "expected exit status ${want}, got ${rc}: $*"; return 1; }
}
