#!/usr/bin/env bash
# Interop of OUR SMTP binaries (mail-examples: smtp-client, smtp-server) with software
# nobody here wrote, on 127.0.0.1 only:
#   1. our smtp-client against Postfix (SMTP 10025, submission 10587, submissions 10465)
#      and Dovecot LMTP (10024), delivery checked through Dovecot over IMAP;
#   2. real clients (Python smtplib, curl, swaks) against our smtp-server, started here on
#      127.0.0.1:11025 (SMTP), 11587 (submission), 11465 (submissions), 11024 (LMTP) with
#      its own temporary Maildir, delivery checked in that Maildir's files.
# Needs the peers from start.sh. Prints "PASS name" / "FAIL name: why" per case and
# "N passed, M failed"; exits non-zero on any failure. Budget: OURS_SMTP_BUDGET seconds
# (default 240) after the build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${HERE}/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

BUDGET="${OURS_SMTP_BUDGET:-240}"
INTEROP_RUN_ID="$(date +%s)-$$"
export INTEROP_RUN_ID
H="${INTEROP_HOST}"
D="${INTEROP_DOMAIN}"
ALICE_PW=alice-secret
BOB_PW=bob-secret
OURS_SMTP_PORT=11025
OURS_SUBMISSION_PORT=11587
OURS_SUBMISSIONS_PORT=11465
OURS_LMTP_PORT=11024
export OURS_SMTP_PORT OURS_SUBMISSION_PORT OURS_SUBMISSIONS_PORT OURS_LMTP_PORT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
summary() { echo "${passed} passed, ${failed} failed"; }

work="$(mktemp -d)"
server_pids=()
cleanup() {
    local pid
    for pid in "${server_pids[@]}"; do
        kill "${pid}" 2>/dev/null || true
    done
    for pid in "${server_pids[@]}"; do
        wait "${pid}" 2>/dev/null || true
    done
    rm -rf "${work}"
}
trap cleanup EXIT

# ------------------------------------------------------------------ preflight and build
for port in "${LMTP_PORT}" "${SMTP_PORT}" "${SUBMISSION_PORT}" "${SUBMISSIONS_PORT}" "${IMAP_PORT}"; do
    if ! ss -Hltn "sport = :${port}" | grep -q .; then
        fail preflight "nothing listens on ${H}:${port}: run scripts/interop/start.sh"
        summary
        exit 1
    fi
done
for port in "${OURS_SMTP_PORT}" "${OURS_SUBMISSION_PORT}" "${OURS_SUBMISSIONS_PORT}" "${OURS_LMTP_PORT}"; do
    if ss -Hltn "sport = :${port}" | grep -q .; then
        fail preflight "port ${port} for our smtp-server is already in use"
        summary
        exit 1
    fi
done
[[ -f "${CA_PEM}" ]] || { fail preflight "no CA at ${CA_PEM}"; summary; exit 1; }

echo "building: cargo build --release -p mail-examples --bins"
if ! (cd "${ROOT}" && cargo build --release --quiet -p mail-examples --bins); then
    fail build "cargo build --release -p mail-examples --bins failed"
    summary
    exit 1
fi
target_dir="$(cd "${ROOT}" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
SERVER_BIN="${target_dir}/release/smtp-server"
CLIENT_BIN="${target_dir}/release/smtp-client"
SECONDS=0

PY=(timeout 120 python3 "${HERE}/ours_smtp.py")
CLIENT=(timeout 90 "${CLIENT_BIN}" --helo client.example.test --timeout 30)
CURL=(timeout 30 curl --silent --show-error --max-time 20 --connect-timeout 5 --cacert "${CA_PEM}")
SWAKS=(timeout 30 swaks --timeout 15 --server "${H}" --helo client.example.test
    --tls-verify --tls-ca-path "${CA_PEM}")

# run_case NAME FUNCTION [ARGS...]: PASS when FUNCTION returns 0, else FAIL with the last
# line of its output. (errexit is off inside an "if" condition: steps chain with "|| return 1".)
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

tok() { echo "ours-${INTEROP_RUN_ID}-$1"; }

# expect_exit CODE CMD...: succeeds only if CMD exits with CODE.
expect_exit() {
    local want="$1" rc=0
    shift
    "$@" || rc=$?
    if [[ ${rc} -ne ${want} ]]; then
        echo "expected exit status ${want}, got ${rc}"
        return 1
    fi
}

# ================================================================== 1. our client -> Postfix/Dovecot

# client_send NAME KIND RCPT_USER RCPT_PW EXPECT_GREP [smtp-client options...]:
# our client sends a KIND message to RCPT_USER, the output must match EXPECT_GREP
# (an extended regex on the "session:" line), and the body must arrive byte-identical
# in RCPT_USER's INBOX (Dovecot, IMAP).
client_send() {
    local name="$1" kind="$2" ruser="$3" rpw="$4" expect="$5"
    shift 5
    local t msg out
    t="$(tok "${name}")"
    msg="${work}/${name}.eml"
    "${PY[@]}" msg "${kind}" "${t}" "alice@${D}" "${ruser}@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" "$@" --from "alice@${D}" --to "${ruser}@${D}" "${msg}")" || {
        echo "${out}"
        return 1
    }
    echo "${out}"
    grep -Eq "^session: .*${expect}" <<<"${out}" || { echo "session line lacks ${expect}"; return 1; }
    grep -q "^<${ruser}@${D}>: accepted" <<<"${out}" || { echo "not accepted"; return 1; }
    "${PY[@]}" imap-body "${ruser}" "${rpw}" "${t}" "${msg}"
}

PF_SUB=(--server "${H}:${SUBMISSION_PORT}" --starttls --ca "${CA_PEM}" --user alice --password "${ALICE_PW}")

run_case ours-client-postfix-smtp-plain client_send ours-client-postfix-smtp-plain small bob "${BOB_PW}" \
    'plaintext, PIPELINING' --server "${H}:${SMTP_PORT}"
run_case ours-client-postfix-smtp-starttls client_send ours-client-postfix-smtp-starttls small bob "${BOB_PW}" \
    'STARTTLS, PIPELINING' --server "${H}:${SMTP_PORT}" --starttls --ca "${CA_PEM}"
# Postfix offers AUTH on 10025 without TLS too: CRAM-MD5 sends no reusable secret.
run_case ours-client-postfix-smtp-plaintext-auth-cram-md5 client_send ours-client-postfix-smtp-plaintext-auth-cram-md5 \
    small bob "${BOB_PW}" 'plaintext, AUTH CRAM-MD5,' --server "${H}:${SMTP_PORT}" --user alice \
    --password "${ALICE_PW}" --auth CRAM-MD5
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "ours-client-postfix-submission-starttls-auth-${lower}" client_send \
        "ours-client-postfix-submission-starttls-auth-${lower}" small bob "${BOB_PW}" \
        "STARTTLS, AUTH ${mech}," "${PF_SUB[@]}" --auth "${mech}"
done
run_case ours-client-postfix-submissions-implicit-tls client_send ours-client-postfix-submissions-implicit-tls \
    small alice "${ALICE_PW}" 'implicit TLS, AUTH PLAIN,' --server "${H}:${SUBMISSIONS_PORT}" --tls \
    --ca "${CA_PEM}" --user alice --password "${ALICE_PW}" --auth PLAIN
run_case ours-client-postfix-10mb-bdat client_send ours-client-postfix-10mb-bdat big alice "${ALICE_PW}" \
    'SIZE, CHUNKING' "${PF_SUB[@]}"
run_case ours-client-postfix-10mb-data client_send ours-client-postfix-10mb-data big bob "${BOB_PW}" \
    'PIPELINING, SIZE$' "${PF_SUB[@]}" --no-chunking
run_case ours-client-postfix-8bit-utf8 client_send ours-client-postfix-8bit-utf8 utf8 alice "${ALICE_PW}" \
    '8BITMIME, SMTPUTF8' "${PF_SUB[@]}"

# Pipelining: the transcript must show every RCPT and DATA sent before the first reply to
# MAIL arrived (RFC 2920), and both recipients get the message.
client_pipelining() {
    local t msg out
    t="$(tok pipelining)"
    msg="${work}/pipelining.eml"
    "${PY[@]}" msg small "${t}" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" --server "${H}:${SMTP_PORT}" --no-chunking --transcript \
        --from "alice@${D}" --to "bob@${D}" --to "alice@${D}" "${msg}" 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    # The transcript merges what each side sent until the other answered: the envelope is
    # one C: block (MAIL, RCPT, RCPT) before the first S: reply to it.
    awk '/^C: MAIL FROM/ {m=NR} /^C: RCPT TO:<alice/ {r=NR} /^S: 250 2.1.0/ && !s {s=NR}
        END {exit !(m && r && s && m < r && r < s)}' <<<"${out}" \
        || { echo "envelope was not pipelined"; return 1; }
    "${PY[@]}" imap-body bob "${BOB_PW}" "${t}" "${msg}" || return 1
    "${PY[@]}" imap-body alice "${ALICE_PW}" "${t}" "${msg}"
}
run_case ours-client-postfix-pipelining client_pipelining

client_requires_auth() {
    local msg="${work}/noauth.eml" out rc=0
    "${PY[@]}" msg small "$(tok noauth)" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" --server "${H}:${SUBMISSION_PORT}" --starttls --ca "${CA_PEM}" \
        --from "alice@${D}" --to "bob@${D}" "${msg}" 2>&1)" || rc=$?
    echo "exit ${rc}: ${out}"
    [[ ${rc} -eq 1 ]] && grep -q 'rejected at RCPT (5' <<<"${out}"
}
run_case ours-client-postfix-submission-requires-auth client_requires_auth

client_bad_password() {
    local msg="${work}/badpw.eml" out rc=0
    "${PY[@]}" msg small "$(tok badpw)" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" --server "${H}:${SUBMISSION_PORT}" --starttls --ca "${CA_PEM}" \
        --user alice --password wrong --auth PLAIN --from "alice@${D}" --to "bob@${D}" "${msg}" 2>&1)" || rc=$?
    echo "exit ${rc}: ${out}"
    [[ ${rc} -eq 3 ]] && grep -q '535' <<<"${out}"
}
run_case ours-client-postfix-submission-bad-password client_bad_password

client_unknown_user() {
    local t msg out rc=0
    t="$(tok unknown)"
    msg="${work}/unknown.eml"
    "${PY[@]}" msg small "${t}" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" --server "${H}:${SMTP_PORT}" --from "alice@${D}" --to "nobody@${D}" \
        --to "bob@${D}" "${msg}")" || rc=$?
    echo "exit ${rc}: ${out}"
    [[ ${rc} -eq 1 ]] || return 1
    grep -q "^<nobody@${D}>: rejected at RCPT (550" <<<"${out}" || return 1
    grep -q "^<bob@${D}>: accepted" <<<"${out}" || return 1
    "${PY[@]}" imap-body bob "${BOB_PW}" "${t}" "${msg}"
}
run_case ours-client-postfix-unknown-user client_unknown_user

# LMTP into Dovecot: two local recipients and an unknown one, one reply each.
client_lmtp() {
    local t msg out rc=0
    t="$(tok lmtp)"
    msg="${work}/lmtp.eml"
    "${PY[@]}" msg small "${t}" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" --server "${H}:${LMTP_PORT}" --lmtp --from "alice@${D}" --to "bob@${D}" \
        --to "nobody@${D}" --to "alice@${D}" "${msg}")" || rc=$?
    echo "exit ${rc}: ${out}"
    [[ ${rc} -eq 1 ]] || return 1
    grep -q "^<bob@${D}>: accepted (250 2.0.0 <bob@${D}>" <<<"${out}" || return 1
    grep -q "^<alice@${D}>: accepted (250 2.0.0 <alice@${D}>" <<<"${out}" || return 1
    grep -q "^<nobody@${D}>: rejected at RCPT (550" <<<"${out}" || return 1
    "${PY[@]}" imap-body bob "${BOB_PW}" "${t}" "${msg}" || return 1
    "${PY[@]}" imap-body alice "${ALICE_PW}" "${t}" "${msg}"
}
run_case ours-client-dovecot-lmtp client_lmtp
run_case ours-client-dovecot-lmtp-data client_send ours-client-dovecot-lmtp-data small bob "${BOB_PW}" \
    'plaintext, PIPELINING$' --server "${H}:${LMTP_PORT}" --lmtp --no-chunking

# ================================================================== 2. real clients -> our server

OURS_MAILDIR="${work}/ours-maildir"
OURS_LOG="${work}/ours-smtp.log"
export OURS_MAILDIR OURS_LOG
COMMON=(--maildir "${OURS_MAILDIR}" --user "alice:${ALICE_PW}" --user "bob:${BOB_PW}" --domain "${D}"
    --hostname ours.example.test --timeout 30)
TLS=(--tls-cert "${FULLCHAIN_PEM}" --tls-key "${KEY_PEM}")

# start_ours PORT LOG [flags...]: start our smtp-server and wait for "listening on".
start_ours() {
    local port="$1" log="$2"
    shift 2
    local out="${work}/ours-${port}.out" _
    "${SERVER_BIN}" --listen "${H}:${port}" "${COMMON[@]}" "$@" >"${out}" 2>"${log}" &
    server_pids+=("$!")
    for _ in $(seq 1 100); do
        grep -q '^listening on ' "${out}" 2>/dev/null && return 0
        kill -0 "${server_pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "smtp-server on ${port} did not start: $(tail -n 3 "${log}")"
    return 1
}
start_all() {
    start_ours "${OURS_SMTP_PORT}" "${OURS_LOG}" "${TLS[@]}" || return 1
    start_ours "${OURS_SUBMISSION_PORT}" "${work}/ours-submission.log" "${TLS[@]}" --submission || return 1
    start_ours "${OURS_SUBMISSIONS_PORT}" "${work}/ours-submissions.log" "${TLS[@]}" --submission \
        --implicit-tls || return 1
    start_ours "${OURS_LMTP_PORT}" "${work}/ours-lmtp.log" --lmtp
}
if ! start_all >"${work}/start.log" 2>&1; then
    fail ours-server-start "$(tail -n 1 "${work}/start.log")"
    summary
    exit 1
fi
pass "ours-server-start (SMTP ${OURS_SMTP_PORT}, submission ${OURS_SUBMISSION_PORT}, submissions ${OURS_SUBMISSIONS_PORT}, LMTP ${OURS_LMTP_PORT})"

# ------------------------------------------------------------------ Python smtplib
py_out="${work}/python.out"
set +e
"${PY[@]}" cases >"${py_out}" 2>&1
py_rc=$?
set -e
while IFS= read -r line; do
    case "${line}" in
        "PASS "*) passed=$((passed + 1)); echo "${line}" ;;
        "FAIL "*) failed=$((failed + 1)); echo "${line}" ;;
        *) echo "  ${line}" ;;
    esac
done <"${py_out}"
if [[ ${py_rc} -ne 0 ]]; then
    fail py-ours-runner "ours_smtp.py exited with status ${py_rc}"
fi

# ------------------------------------------------------------------ curl
# curl_ours NAME URL [curl options...]: send a message with curl, find it in our Maildir.
curl_ours() {
    local name="$1" url="$2"
    shift 2
    local t msg
    t="$(tok "${name}")"
    msg="${work}/${name}.eml"
    "${PY[@]}" msg small "${t}" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    "${CURL[@]}" "$@" --url "${url}" --mail-from "alice@${D}" --mail-rcpt "bob@${D}" \
        --upload-file "${msg}" || return 1
    "${PY[@]}" maildir "${OURS_MAILDIR}" "${t}" "${msg}"
}
curl_ours_noauth() {
    local msg="${work}/curl-noauth.eml" out rc=0
    "${PY[@]}" msg small "$(tok curl-noauth)" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CURL[@]}" --ssl-reqd --url "smtp://${H}:${OURS_SUBMISSION_PORT}" \
        --mail-from "alice@${D}" --mail-rcpt "bob@${D}" --upload-file "${msg}" 2>&1)" || rc=$?
    echo "curl exit ${rc}: ${out}"
    [[ ${rc} -ne 0 ]] && grep -q '530' <<<"${out}"
}
run_case curl-ours-smtp-plain curl_ours curl-ours-smtp-plain "smtp://${H}:${OURS_SMTP_PORT}"
run_case curl-ours-smtp-starttls curl_ours curl-ours-smtp-starttls "smtp://${H}:${OURS_SMTP_PORT}" --ssl-reqd
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "curl-ours-submission-starttls-auth-${lower}" curl_ours "curl-ours-submission-starttls-auth-${lower}" \
        "smtp://${H}:${OURS_SUBMISSION_PORT}" --ssl-reqd --user "alice:${ALICE_PW}" --login-options "AUTH=${mech}"
done
run_case curl-ours-submissions-implicit-tls curl_ours curl-ours-submissions-implicit-tls \
    "smtps://${H}:${OURS_SUBMISSIONS_PORT}" --user "alice:${ALICE_PW}"
run_case curl-ours-submission-without-auth-refused curl_ours_noauth
run_case curl-ours-bad-password expect_exit 67 "${CURL[@]}" --ssl-reqd --user alice:wrong \
    --url "smtp://${H}:${OURS_SUBMISSION_PORT}" --mail-from "alice@${D}" --mail-rcpt "bob@${D}" \
    --upload-file /dev/null

# ------------------------------------------------------------------ swaks
# swaks_ours NAME [swaks options...]: swaks sends; the message is in our Maildir.
swaks_ours() {
    local name="$1"
    shift
    local t
    t="$(tok "${name}")"
    "${SWAKS[@]}" --from "alice@${D}" --to "bob@${D}" --header "Subject: ${t}" --body "token ${t}" "$@" || return 1
    "${PY[@]}" maildir "${OURS_MAILDIR}" "${t}"
}
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "swaks-ours-submission-starttls-auth-${lower}" swaks_ours "swaks-ours-submission-starttls-auth-${lower}" \
        --port "${OURS_SUBMISSION_PORT}" --tls --auth "${mech}" --auth-user alice --auth-password "${ALICE_PW}"
done
run_case swaks-ours-submissions-implicit-tls swaks_ours swaks-ours-submissions-implicit-tls \
    --port "${OURS_SUBMISSIONS_PORT}" --tls-on-connect --auth PLAIN --auth-user alice --auth-password "${ALICE_PW}"
run_case swaks-ours-smtp-pipelining swaks_ours swaks-ours-smtp-pipelining --port "${OURS_SMTP_PORT}" --pipeline
run_case swaks-ours-smtp-starttls-pipelining swaks_ours swaks-ours-smtp-starttls-pipelining \
    --port "${OURS_SMTP_PORT}" --tls --pipeline
run_case swaks-ours-lmtp swaks_ours swaks-ours-lmtp --port "${OURS_LMTP_PORT}" --protocol LMTP
run_case swaks-ours-bad-password expect_exit 28 "${SWAKS[@]}" --port "${OURS_SUBMISSION_PORT}" --tls \
    --auth PLAIN --auth-user alice --auth-password wrong --to "bob@${D}" --from "alice@${D}"

# ------------------------------------------------------------------ our client -> our server
ours_pair() {
    local t msg out
    t="$(tok ours-pair)"
    msg="${work}/ours-pair.eml"
    "${PY[@]}" msg utf8 "${t}" "alice@${D}" "bob@${D}" >"${msg}" || return 1
    out="$("${CLIENT[@]}" --server "${H}:${OURS_SUBMISSION_PORT}" --starttls --ca "${CA_PEM}" \
        --user alice --password "${ALICE_PW}" --auth CRAM-MD5 --from "alice@${D}" --to "bob@${D}" "${msg}")" \
        || { echo "${out}"; return 1; }
    echo "${out}"
    grep -q '^session: STARTTLS, AUTH CRAM-MD5, PIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING$' <<<"${out}" \
        || { echo "unexpected session line"; return 1; }
    "${PY[@]}" maildir "${OURS_MAILDIR}" "${t}" "${msg}"
}
run_case ours-client-ours-server-starttls-auth ours_pair

# No session may have ended with an error other than peers going away, and nothing panicked.
server_logs_clean() {
    local bad
    bad="$(grep -h -E 'panicked|ended with an error' "${work}"/ours-*.log "${OURS_LOG}" \
        | grep -v -E 'connection reset|broken pipe|unexpected end of file|close_notify' || true)"
    if [[ -n "${bad}" ]]; then
        echo "${bad}"
        return 1
    fi
}
run_case ours-server-logs-clean server_logs_clean

summary
[[ ${failed} -eq 0 ]]
