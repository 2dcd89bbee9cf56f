#!/usr/bin/env bash
# Prove that the peers started by start.sh work, using only real clients:
# Python's smtplib/imaplib/poplib (clients.py), curl, and swaks.
# Prints "PASS name" / "FAIL name: why" per case and "N passed, M failed";
# exits non-zero on any failure. Every client has a timeout and the whole run
# has a budget (INTEROP_BUDGET seconds, default 150).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

BUDGET="${INTEROP_BUDGET:-150}"
INTEROP_RUN_ID="$(date +%s)-$$"
export INTEROP_RUN_ID
PY=(timeout 60 python3 "${HERE}/clients.py")
CURL=(timeout 30 curl --silent --show-error --max-time 20 --connect-timeout 5 --cacert "${CA_PEM}")
SWAKS=(timeout 30 swaks --timeout 15 --server "${INTEROP_HOST}" --helo client.example.test
    --tls-verify --tls-ca-path "${CA_PEM}")
ALICE_PW=alice-secret
BOB_PW=bob-secret
H="${INTEROP_HOST}"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# run_case NAME FUNCTION [ARGS...]: runs FUNCTION with its output in a log;
# PASS when it returns 0, else FAIL with the log's last line.
# (errexit is off inside a command run as an "if" condition, so every case
# function chains its steps with "|| return 1".)
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

tok() { echo "interop-${INTEROP_RUN_ID}-$1"; }

# wait_for USER PASSWORD TOKEN: the message reached USER's INBOX (checked over IMAP).
wait_for() { "${PY[@]}" wait "$1" "$2" "$3"; }

# expect_exit CODE CMD...: succeeds only if CMD exits with CODE (negative cases:
# curl 67 = login denied, swaks 28 = authentication failed).
expect_exit() {
    local want="$1" rc=0
    shift
    "$@" || rc=$?
    if [[ ${rc} -ne ${want} ]]; then
        echo "expected exit status ${want}, got ${rc}: $*"
        return 1
    fi
}

# ------------------------------------------------------------------ preflight
for port in "${IMAP_PORT}" "${IMAPS_PORT}" "${POP3_PORT}" "${POP3S_PORT}" "${LMTP_PORT}" \
    "${SMTP_PORT}" "${SUBMISSION_PORT}" "${SUBMISSIONS_PORT}"; do
    if ! ss -Hltn "sport = :${port}" | grep -q .; then
        fail preflight "nothing listens on ${H}:${port}: run scripts/interop/start.sh"
        echo "${passed} passed, ${failed} failed"
        exit 1
    fi
done
[[ -f "${CA_PEM}" ]] || { fail preflight "no CA at ${CA_PEM}"; echo "${passed} passed, ${failed} failed"; exit 1; }

# ------------------------------------------------------------------ Python stdlib clients
py_out="${work}/python.out"
set +e
INTEROP_PY_BUDGET=$((BUDGET / 2)) "${PY[@]}" cases >"${py_out}" 2>&1
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
    fail py-runner "clients.py exited with status ${py_rc}"
fi

# ------------------------------------------------------------------ curl: SMTP
# curl_send NAME URL RCPT_USER RCPT_PW [curl options...]
curl_send() {
    local name="$1" url="$2" ruser="$3" rpw="$4"
    shift 4
    local t msg
    t="$(tok "${name}")"
    msg="${work}/${name}.eml"
    "${PY[@]}" msg "alice@${INTEROP_DOMAIN}" "${ruser}@${INTEROP_DOMAIN}" "${t}" >"${msg}" || return 1
    "${CURL[@]}" "$@" --url "${url}" --mail-from "alice@${INTEROP_DOMAIN}" \
        --mail-rcpt "${ruser}@${INTEROP_DOMAIN}" --upload-file "${msg}" || return 1
    wait_for "${ruser}" "${rpw}" "${t}"
}
# Submission without STARTTLS: AUTH is not offered and MAIL gets 530.
curl_submission_notls() {
    local msg="${work}/notls.eml" out rc=0
    "${PY[@]}" msg "alice@${INTEROP_DOMAIN}" "bob@${INTEROP_DOMAIN}" "$(tok notls)" >"${msg}" || return 1
    out="$("${CURL[@]}" --user "alice:${ALICE_PW}" --url "smtp://${H}:${SUBMISSION_PORT}" \
        --mail-from "alice@${INTEROP_DOMAIN}" --mail-rcpt "bob@${INTEROP_DOMAIN}" \
        --upload-file "${msg}" 2>&1)" || rc=$?
    echo "curl exit ${rc}: ${out}"
    [[ ${rc} -ne 0 ]] && grep -q '530' <<<"${out}"
}
run_case curl-smtp-plain curl_send curl-smtp-plain "smtp://${H}:${SMTP_PORT}" alice "${ALICE_PW}"
run_case curl-smtp-starttls curl_send curl-smtp-starttls "smtp://${H}:${SMTP_PORT}" alice "${ALICE_PW}" \
    --ssl-reqd
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "curl-submission-starttls-auth-${lower}" curl_send "curl-submission-starttls-auth-${lower}" \
        "smtp://${H}:${SUBMISSION_PORT}" bob "${BOB_PW}" \
        --ssl-reqd --user "alice:${ALICE_PW}" --login-options "AUTH=${mech}"
done
run_case curl-submissions-implicit-tls curl_send curl-submissions-implicit-tls \
    "smtps://${H}:${SUBMISSIONS_PORT}" alice "${ALICE_PW}" --user "alice:${ALICE_PW}"
run_case curl-submission-without-tls-refused curl_submission_notls

# ------------------------------------------------------------------ curl: IMAP
curl_imap_list() {
    local out
    out="$("${CURL[@]}" --user "alice:${ALICE_PW}" "imap://${H}:${IMAP_PORT}/")" || return 1
    echo "${out}"
    grep -q 'INBOX' <<<"${out}" && grep -q 'Sent' <<<"${out}"
}
# curl_imap_fetch SCHEME PORT TOKEN [curl options...]: SEARCH then FETCH by sequence number.
curl_imap_fetch() {
    local scheme="$1" port="$2" t="$3"
    shift 3
    local out n
    out="$("${CURL[@]}" "$@" --user "alice:${ALICE_PW}" "${scheme}://${H}:${port}/INBOX?SUBJECT%20${t}")" || return 1
    echo "search: ${out}"
    n="$(awk '/^\* SEARCH/ {print $NF}' <<<"${out}" | tr -d '\r')"
    [[ -n "${n}" ]] || { echo "SEARCH found nothing"; return 1; }
    out="$("${CURL[@]}" "$@" --user "alice:${ALICE_PW}" "${scheme}://${H}:${port}/INBOX/;MAILINDEX=${n}")" || return 1
    grep -q "token ${t}" <<<"${out}" || { echo "fetched message ${n} lacks token"; return 1; }
}
curl_imap_examine() {
    local out
    out="$("${CURL[@]}" --user "alice:${ALICE_PW}" --request 'EXAMINE INBOX' "imaps://${H}:${IMAPS_PORT}/")" || return 1
    echo "${out}"
    grep -q 'EXISTS' <<<"${out}"
}
run_case curl-imap-list curl_imap_list
run_case curl-imap-search-fetch curl_imap_fetch imap "${IMAP_PORT}" "$(tok curl-smtp-plain)"
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "curl-imap-starttls-auth-${lower}" curl_imap_fetch imap "${IMAP_PORT}" \
        "$(tok curl-smtp-starttls)" --ssl-reqd --login-options "AUTH=${mech}"
done
run_case curl-imaps-implicit-tls curl_imap_fetch imaps "${IMAPS_PORT}" "$(tok curl-submissions-implicit-tls)"
run_case curl-imaps-examine curl_imap_examine
run_case curl-imap-bad-password expect_exit 67 "${CURL[@]}" --user alice:wrong "imap://${H}:${IMAP_PORT}/"

# ------------------------------------------------------------------ curl: POP3
curl_pop3_list() {
    local url="$1"
    shift
    local out
    out="$("${CURL[@]}" "$@" "${url}")" || return 1
    echo "${out}"
    grep -Eq '^1 [0-9]+' <<<"${out}"
}
curl_pop3_retr() {
    local url="$1"
    shift
    local out
    out="$("${CURL[@]}" "$@" "${url}")" || return 1
    if ! grep -q '^Return-Path:' <<<"${out}" || ! grep -q "token interop-" <<<"${out}"; then
        echo "RETR output is not a delivered test message"
        return 1
    fi
}
run_case curl-pop3-list curl_pop3_list "pop3://${H}:${POP3_PORT}/" --user "alice:${ALICE_PW}"
run_case curl-pop3-retr curl_pop3_retr "pop3://${H}:${POP3_PORT}/1" --user "alice:${ALICE_PW}"
run_case curl-pop3-apop curl_pop3_retr "pop3://${H}:${POP3_PORT}/1" --user "alice:${ALICE_PW}" \
    --login-options 'AUTH=+APOP'
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "curl-pop3-stls-auth-${lower}" curl_pop3_list "pop3://${H}:${POP3_PORT}/" \
        --user "alice:${ALICE_PW}" --ssl-reqd --login-options "AUTH=${mech}"
done
run_case curl-pop3s-implicit-tls curl_pop3_retr "pop3s://${H}:${POP3S_PORT}/1" --user "alice:${ALICE_PW}"
run_case curl-pop3-bad-password expect_exit 67 "${CURL[@]}" --user alice:wrong "pop3://${H}:${POP3_PORT}/"

# ------------------------------------------------------------------ swaks
# swaks_send NAME RCPT_USER RCPT_PW [swaks options...]
swaks_send() {
    local name="$1" ruser="$2" rpw="$3"
    shift 3
    local t
    t="$(tok "${name}")"
    "${SWAKS[@]}" --from "alice@${INTEROP_DOMAIN}" --to "${ruser}@${INTEROP_DOMAIN}" \
        --header "Subject: ${t}" --body "token ${t}" "$@" || return 1
    wait_for "${ruser}" "${rpw}" "${t}"
}
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "swaks-submission-starttls-auth-${lower}" swaks_send "swaks-submission-starttls-auth-${lower}" \
        bob "${BOB_PW}" --port "${SUBMISSION_PORT}" --tls \
        --auth "${mech}" --auth-user alice --auth-password "${ALICE_PW}"
done
run_case swaks-submissions-implicit-tls swaks_send swaks-submissions-implicit-tls alice "${ALICE_PW}" \
    --port "${SUBMISSIONS_PORT}" --tls-on-connect --auth PLAIN --auth-user alice --auth-password "${ALICE_PW}"
run_case swaks-smtp-pipelining swaks_send swaks-smtp-pipelining alice "${ALICE_PW}" \
    --port "${SMTP_PORT}" --pipeline
run_case swaks-lmtp-dovecot swaks_send swaks-lmtp-dovecot bob "${BOB_PW}" \
    --port "${LMTP_PORT}" --protocol LMTP
run_case swaks-submission-bad-password expect_exit 28 "${SWAKS[@]}" --port "${SUBMISSION_PORT}" --tls \
    --auth PLAIN --auth-user alice --auth-password wrong --to "bob@${INTEROP_DOMAIN}" \
    --from "alice@${INTEROP_DOMAIN}"

echo "${passed} passed, ${failed} failed"
[[ ${failed} -eq 0 ]]
