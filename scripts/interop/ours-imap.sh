#!/usr/bin/env bash
# IMAP interop of the crates' binaries with real software, on 127.0.0.1 only:
#   1. OUR imap-client against Dovecot (started by start.sh): plaintext (LOGIN allowed by
#      flag, CRAM-MD5 by default), STARTTLS, IMAPS, AUTHENTICATE PLAIN/LOGIN/CRAM-MD5, a
#      10 MiB and an 8-bit UTF-8 message delivered through Postfix fetched byte for byte,
#      append, flag, move, and idle seeing a delivery through Postfix.
#   2. REAL clients against OUR imap-server, started here on 11143 (STARTTLS) and 11993
#      (implicit TLS) over temporary Maildirs seeded with known messages (8-bit UTF-8, bare
#      LF line ends, multipart, 10 MiB): Python's imaplib, curl imap:// and imaps://, and
#      mbsync (isync, installed from Debian if missing) syncing into a local Maildir.
# Prints "PASS name" / "FAIL name: why" per case and "N passed, M failed"; exits non-zero
# on any failure. Builds the binaries once with `cargo build --release -p mail-examples --bins`.
# Needs the peers of start.sh running (scripts/interop.sh runs this while they are up).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${HERE}/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

BUDGET="${INTEROP_IMAP_BUDGET:-300}"
OUR_PORT="${OUR_IMAP_PORT:-11143}"
OUR_TLS_PORT="${OUR_IMAPS_PORT:-11993}"
H="${INTEROP_HOST}"
PY=(timeout 120 python3 "${HERE}/ours_imap.py")
CURL=(timeout 60 curl --silent --show-error --max-time 50 --connect-timeout 5 --cacert "${CA_PEM}")
RUN_ID="$(date +%s)-$$"

# shellcheck source-path=SCRIPTDIR source=cases.sh
source "${HERE}/cases.sh"

# ------------------------------------------------------------------ preflight and build
for port in "${IMAP_PORT}" "${IMAPS_PORT}" "${SMTP_PORT}"; do
    if ! ss -Hltn "sport = :${port}" | grep -q .; then
        fail preflight "nothing listens on ${H}:${port}: run scripts/interop/start.sh"
        summary
        exit 1
    fi
done
for port in "${OUR_PORT}" "${OUR_TLS_PORT}"; do
    if ss -Hltn "sport = :${port}" | grep -q .; then
        fail preflight "port ${port} is already in use"
        summary
        exit 1
    fi
done
if ! (cd "${ROOT}" && cargo build --release -p mail-examples --bins) >"${work}/build.log" 2>&1; then
    fail build "$(tail -n 1 "${work}/build.log")"
    summary
    exit 1
fi
BIN="${CARGO_TARGET_DIR:-${ROOT}/target}/release"
CLIENT=(timeout 120 "${BIN}/imap-client" --timeout 30)

# ================================================================== our client vs Dovecot
ALICE=(--user alice --password alice-secret)
DOVECOT_MAILDIR="${INTEROP_DIR}/mail/alice/Maildir"
I="${H}:${IMAP_PORT}"
IS="${H}:${IMAPS_PORT}"

# ours_list [client options...]: `list` succeeds and shows INBOX.
ours_list() {
    local out
    out="$("${CLIENT[@]}" "$@" list 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    grep -q '^INBOX' <<<"${out}" || { echo "INBOX not listed"; return 1; }
}
run_case ours-dovecot-plain-login ours_list --server "${I}" "${ALICE[@]}" --allow-plaintext
run_case ours-dovecot-plain-default-cram-md5 ours_list --server "${I}" "${ALICE[@]}"
run_case ours-dovecot-plain-auth-plain-refused-without-flag expect_fail 'refusing to send a password' \
    "${CLIENT[@]}" --server "${I}" "${ALICE[@]}" --auth PLAIN list
for mech in PLAIN LOGIN CRAM-MD5; do
    run_case "ours-dovecot-starttls-auth-${mech,,}" ours_list --server "${I}" "${ALICE[@]}" \
        --starttls --ca "${CA_PEM}" --auth "${mech}"
    run_case "ours-dovecot-imaps-auth-${mech,,}" ours_list --server "${IS}" "${ALICE[@]}" \
        --tls --ca "${CA_PEM}" --auth "${mech}"
done
run_case ours-dovecot-starttls-login ours_list --server "${I}" "${ALICE[@]}" --starttls --ca "${CA_PEM}"
run_case ours-dovecot-imaps-login ours_list --server "${IS}" "${ALICE[@]}" --tls --ca "${CA_PEM}"
run_case ours-dovecot-bad-password expect_fail 'refused' \
    "${CLIENT[@]}" --server "${IS}" --user alice --password wrong --tls --ca "${CA_PEM}" list
run_case ours-dovecot-untrusted-certificate expect_fail 'TLS handshake' \
    "${CLIENT[@]}" --server "${I}" "${ALICE[@]}" --starttls list

BIG_TOKEN="ours-imap-big-${RUN_ID}"
UTF8_TOKEN="ours-imap-utf8-${RUN_ID}"
FOLDER="ours-imap-${RUN_ID}"
# A 10 MiB message and an 8-bit UTF-8 one through Postfix into Dovecot, fetched over IMAPS
# into .eml files; the bodies must be identical to what was sent.
dovecot_fetch() {
    "${PY[@]}" send-big alice "${BIG_TOKEN}" "${work}/big.body" || return 1
    "${PY[@]}" send-8bit alice "${UTF8_TOKEN}" "${work}/utf8.body" || return 1
    "${PY[@]}" wait-file "${DOVECOT_MAILDIR}" "${BIG_TOKEN}" || return 1
    "${PY[@]}" wait-file "${DOVECOT_MAILDIR}" "${UTF8_TOKEN}" || return 1
    local out
    out="$("${CLIENT[@]}" --server "${IS}" "${ALICE[@]}" --tls --ca "${CA_PEM}" \
        fetch INBOX --out "${work}/fetch" 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}" | tail -n 2
    "${PY[@]}" check-body "${work}/fetch" "${BIG_TOKEN}" "${work}/big.body" || return 1
    "${PY[@]}" check-body "${work}/fetch" "${UTF8_TOKEN}" "${work}/utf8.body"
}
run_case ours-dovecot-fetch-10mb-and-8bit-byte-exact dovecot_fetch

APPEND_TOKEN="ours-imap-append-${RUN_ID}"
# append a message (APPENDUID), flag it \Flagged, move it to a new folder.
dovecot_append_flag_move() {
    printf 'From: alice@example.test\r\nSubject: %s\r\n\r\nappended by imap-client \xc3\xa9\r\n' \
        "${APPEND_TOKEN}" >"${work}/append.eml"
    local out uid
    out="$("${CLIENT[@]}" --server "${I}" "${ALICE[@]}" --starttls --ca "${CA_PEM}" \
        append INBOX "${work}/append.eml" 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    uid="$(sed -n 's/^appended: APPENDUID [0-9]* \([0-9]*\)$/\1/p' <<<"${out}")"
    [[ -n "${uid}" ]] || { echo "no APPENDUID"; return 1; }
    "${PY[@]}" wait-file "${DOVECOT_MAILDIR}" "${APPEND_TOKEN}" || return 1
    out="$("${CLIENT[@]}" --server "${I}" "${ALICE[@]}" --starttls --ca "${CA_PEM}" \
        flag INBOX "${uid}" '\Flagged' 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    grep -q '\\Flagged' <<<"${out}" || { echo "flag not reported"; return 1; }
    "${PY[@]}" dovecot-mkdir alice alice-secret "${FOLDER}" || return 1
    out="$("${CLIENT[@]}" --server "${IS}" "${ALICE[@]}" --tls --ca "${CA_PEM}" \
        move INBOX "${uid}" "${FOLDER}" 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    grep -q '^moved: COPYUID ' <<<"${out}" || { echo "no COPYUID"; return 1; }
    [[ "$("${PY[@]}" dovecot-count alice alice-secret "${FOLDER}" "${APPEND_TOKEN}")" == 1 ]] \
        || { echo "message not in ${FOLDER}"; return 1; }
    [[ "$("${PY[@]}" dovecot-count alice alice-secret INBOX "${APPEND_TOKEN}")" == 0 ]] \
        || { echo "message still in INBOX"; return 1; }
    # Fetch the moved message back: byte for byte what was appended.
    out="$("${CLIENT[@]}" --server "${IS}" "${ALICE[@]}" --tls --ca "${CA_PEM}" \
        fetch "${FOLDER}" --out "${work}/moved" 2>&1)" || { echo "${out}"; return 1; }
    local moved=("${work}"/moved/*.eml)
    cmp "${work}/append.eml" "${moved[0]}"
}
run_case ours-dovecot-append-flag-move dovecot_append_flag_move

IDLE_TOKEN="ours-imap-idle-${RUN_ID}"
# idle on INBOX while Postfix delivers a message: an EXISTS is printed.
dovecot_idle() {
    "${CLIENT[@]}" --server "${I}" "${ALICE[@]}" --starttls --ca "${CA_PEM}" \
        idle INBOX --seconds 10 >"${work}/idle.out" 2>&1 &
    local pid=$!
    sleep 2
    "${PY[@]}" send-small alice "${IDLE_TOKEN}" || { kill "${pid}"; return 1; }
    wait "${pid}" || { cat "${work}/idle.out"; return 1; }
    cat "${work}/idle.out"
    grep -q '^\* [0-9]* EXISTS$' "${work}/idle.out" || { echo "no EXISTS during IDLE"; return 1; }
}
run_case ours-dovecot-idle-sees-postfix-delivery dovecot_idle

# ================================================================== real clients vs our server
M1="${work}/maildir-starttls"
E1="${work}/expect-starttls"
M2="${work}/maildir-imaps"
E2="${work}/expect-imaps"
CERT="${FULLCHAIN_PEM}"
[[ -f "${CERT}" ]] || CERT="${CERT_PEM}"

start_servers() {
    "${PY[@]}" seed "${M1}" "${E1}" || return 1
    "${PY[@]}" seed "${M2}" "${E2}" || return 1
    "${BIN}/imap-server" --listen "${H}:${OUR_PORT}" --maildir "${M1}" --user alice:alice-secret \
        --tls-cert "${CERT}" --tls-key "${KEY_PEM}" --idle-poll-ms 200 \
        >"${work}/server1.out" 2>"${work}/server1.log" &
    server_pids+=($!)
    "${BIN}/imap-server" --listen "${H}:${OUR_TLS_PORT}" --maildir "${M2}" --user alice:alice-secret \
        --tls-cert "${CERT}" --tls-key "${KEY_PEM}" --implicit-tls \
        >"${work}/server2.out" 2>"${work}/server2.log" &
    server_pids+=($!)
    for _ in $(seq 1 100); do
        if ss -Hltn "sport = :${OUR_PORT}" | grep -q . && ss -Hltn "sport = :${OUR_TLS_PORT}" | grep -q .; then
            cat "${work}/server1.out" "${work}/server2.out"
            return 0
        fi
        sleep 0.1
    done
    echo "our imap-server did not start: $(cat "${work}/server1.log" "${work}/server2.log")"
    return 1
}
run_case ours-imap-server-start start_servers

# mbsync first (it syncs the untouched seed), then curl, then imaplib (which changes M1).
MBSYNC_HOME="${work}/mbsync-home"
mbsync_pull() {
    if ! command -v mbsync >/dev/null; then
        DEBIAN_FRONTEND=noninteractive timeout 120 apt-get install -y -qq isync >/dev/null 2>&1 \
            || { echo "cannot install isync"; return 1; }
    fi
    mkdir -p "${MBSYNC_HOME}/local"
    cat >"${MBSYNC_HOME}/mbsyncrc" <<EOF
IMAPAccount ours
Host localhost
Port ${OUR_TLS_PORT}
User alice
Pass alice-secret
TLSType IMAPS
CertificateFile ${CA_PEM}
AuthMechs LOGIN

IMAPStore ours-remote
Account ours

MaildirStore ours-local
Path ${MBSYNC_HOME}/local/
Inbox ${MBSYNC_HOME}/local/INBOX

Channel ours
Far :ours-remote:
Near :ours-local:
Patterns INBOX
Sync Pull
Create Near
SyncState *
EOF
    # isync 1.4 spells TLSType as SSLType.
    if mbsync --version 2>/dev/null | grep -q 'isync 1\.[0-4]'; then
        sed -i 's/^TLSType /SSLType /' "${MBSYNC_HOME}/mbsyncrc"
    fi
    HOME="${MBSYNC_HOME}" timeout 120 mbsync -c "${MBSYNC_HOME}/mbsyncrc" -V ours || return 1
    mkdir -p "${work}/mbsync-all"
    cp "${MBSYNC_HOME}"/local/INBOX/cur/* "${MBSYNC_HOME}"/local/INBOX/new/* "${work}/mbsync-all/" 2>/dev/null || true
    "${PY[@]}" same-set "${work}/mbsync-all" "${E2}" || return 1
    # A second run has nothing to do.
    HOME="${MBSYNC_HOME}" timeout 120 mbsync -c "${MBSYNC_HOME}/mbsyncrc" ours || return 1
    [[ "$(find "${MBSYNC_HOME}/local/INBOX" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l)" -eq 5 ]] \
        || { echo "second sync changed the message count"; return 1; }
}
run_case mbsync-ours-imaps-pull-byte-exact mbsync_pull

AL=(--user alice:alice-secret)
U="imap://${H}:${OUR_PORT}"
US="imaps://${H}:${OUR_TLS_PORT}"
curl_list() {
    local out
    out="$("${CURL[@]}" "$@")" || return 1
    echo "${out}"
    grep -q 'INBOX' <<<"${out}" || { echo "INBOX not listed"; return 1; }
}
# curl_fetch_all BASE EXPECT [options...]: every message by UID, byte for byte.
curl_fetch_all() {
    local base="$1" expect="$2" i=1 f
    shift 2
    for f in "${expect}"/*; do
        "${CURL[@]}" "$@" "${base}/INBOX;UID=${i}" -o "${work}/curl.msg" || return 1
        cmp "${work}/curl.msg" "${f}" || { echo "UID ${i} differs from ${f}"; return 1; }
        i=$((i + 1))
    done
    echo "$((i - 1)) messages identical"
}
curl_append() {
    printf 'Subject: curl append %s\r\n\r\nby curl\r\n' "${RUN_ID}" >"${work}/curl-append.eml"
    "${CURL[@]}" "$@" -T "${work}/curl-append.eml" "${US}/INBOX" || return 1
    "${PY[@]}" wait-file "${M2}" "curl append ${RUN_ID}"
}
run_case curl-ours-starttls-list curl_list "${AL[@]}" --ssl-reqd "${U}/"
run_case curl-ours-plain-cram-md5-list curl_list "${AL[@]}" --login-options 'AUTH=CRAM-MD5' "${U}/"
run_case curl-ours-starttls-fetch-byte-exact curl_fetch_all "${U}" "${E1}" "${AL[@]}" --ssl-reqd
run_case curl-ours-imaps-fetch-byte-exact curl_fetch_all "${US}" "${E2}" "${AL[@]}"
run_case curl-ours-imaps-auth-plain-list curl_list "${AL[@]}" --login-options 'AUTH=PLAIN' "${US}/"
run_case curl-ours-imaps-append curl_append "${AL[@]}"
curl_search() {
    local out
    out="$("${CURL[@]}" "${AL[@]}" --ssl-reqd -X 'SEARCH SUBJECT parts' "${U}/INBOX")" || return 1
    echo "${out}"
    grep -q '^\* SEARCH 4' <<<"${out}" || { echo "expected * SEARCH 4"; return 1; }
}
run_case curl-ours-starttls-search curl_search

# imaplib: one PASS/FAIL line per case from the helper.
py_out="${work}/imaplib.out"
set +e
"${PY[@]}" imaplib "${OUR_PORT}" "${OUR_TLS_PORT}" "${M1}" "${E1}" >"${py_out}" 2>&1
py_rc=$?
set -e
while IFS= read -r line; do
    case "${line}" in
        "PASS "*) passed=$((passed + 1)); echo "${line}" ;;
        "FAIL "*) failed=$((failed + 1)); echo "${line}" ;;
        *) echo "  ${line}" ;;
    esac
done <"${py_out}"
[[ ${py_rc} -eq 0 ]] || grep -q '^FAIL ' "${py_out}" || fail py-imap-ours-runner "ours_imap.py exited with ${py_rc}"

# Our server never crashed.
for pid in "${server_pids[@]}"; do
    kill -0 "${pid}" 2>/dev/null || fail ours-imap-server-alive "imap-server ${pid} exited"
done

summary
[[ ${failed} -eq 0 ]]
