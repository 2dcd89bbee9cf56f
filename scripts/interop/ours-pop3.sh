#!/usr/bin/env bash
# POP3 interop of the crates' binaries with real software, on 127.0.0.1 only:
#   1. OUR pop3-client against Dovecot (started by start.sh): USER/PASS, APOP, STLS,
#      POP3S, AUTH PLAIN/LOGIN/CRAM-MD5, a 10 MiB message delivered through Postfix,
#      fetch --keep-seen twice (the second fetches nothing), fetch --delete.
#   2. REAL clients against OUR pop3-server, started here on 11110 (STLS) and 11995
#      (implicit TLS) over temporary Maildirs seeded with known messages (a dot-stuffing
#      one, 8-bit UTF-8, bare LF line ends, 10 MiB): Python's poplib, curl pop3:// and
#      pop3s://, and fetchmail (installed from Debian if missing). Fetched bytes are
#      compared with what was stored.
# Prints "PASS name" / "FAIL name: why" per case and "N passed, M failed"; exits non-zero
# on any failure. Builds the binaries once with `cargo build --release -p mail-examples --bins`.
# Needs the peers of start.sh running (scripts/interop.sh runs this while they are up).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${HERE}/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

BUDGET="${INTEROP_POP3_BUDGET:-300}"
OUR_PORT="${OUR_POP3_PORT:-11110}"
OUR_TLS_PORT="${OUR_POP3S_PORT:-11995}"
H="${INTEROP_HOST}"
PY=(timeout 120 python3 "${HERE}/ours_pop3.py")
CURL=(timeout 60 curl --silent --show-error --max-time 50 --connect-timeout 5 --cacert "${CA_PEM}")
RUN_ID="$(date +%s)-$$"

# shellcheck source-path=SCRIPTDIR source=cases.sh
source "${HERE}/cases.sh"

# ------------------------------------------------------------------ preflight and build
for port in "${POP3_PORT}" "${POP3S_PORT}" "${SMTP_PORT}"; do
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
CLIENT=(timeout 120 "${BIN}/pop3-client" --timeout 30)

# ================================================================== our client vs Dovecot
BOB=(--user bob --password bob-secret)
DOVECOT_MAILDIR="${INTEROP_DIR}/mail/bob/Maildir"

# ours_list NAME [client options...]: `list` succeeds and prints the maildrop; the login
# method is checked against the client's log when METHOD is set.
ours_list() {
    local method="$1"
    shift
    local out
    out="$("${CLIENT[@]}" "$@" list 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    grep -Eq '^[0-9]+ messages \([0-9]+ octets\)$' <<<"${out}" || { echo "no STAT line"; return 1; }
    if [[ -n "${method}" ]]; then
        grep -q "logged in as bob with ${method}\$" <<<"${out}" || { echo "not logged in with ${method}"; return 1; }
    fi
}

P="${H}:${POP3_PORT}"
PS="${H}:${POP3S_PORT}"
run_case ours-dovecot-user-pass-plain ours_list USER/PASS --server "${P}" "${BOB[@]}" \
    --user-pass --allow-plaintext
run_case ours-dovecot-plaintext-refused-without-flag expect_fail 'refusing to send a plaintext password' \
    "${CLIENT[@]}" --server "${P}" "${BOB[@]}" --user-pass list
run_case ours-dovecot-apop ours_list APOP --server "${P}" "${BOB[@]}" --apop
run_case ours-dovecot-auth-cram-md5 ours_list "AUTH CRAM-MD5" --server "${P}" "${BOB[@]}" --auth CRAM-MD5
run_case ours-dovecot-auto-picks-cram-md5 ours_list "AUTH CRAM-MD5" --server "${P}" "${BOB[@]}"
run_case ours-dovecot-stls-user-pass ours_list USER/PASS --server "${P}" "${BOB[@]}" \
    --starttls --ca "${CA_PEM}" --user-pass
run_case ours-dovecot-stls-auth-plain ours_list "AUTH PLAIN" --server "${P}" "${BOB[@]}" \
    --starttls --ca "${CA_PEM}" --auth PLAIN
run_case ours-dovecot-stls-auth-login ours_list "AUTH LOGIN" --server "${P}" "${BOB[@]}" \
    --starttls --ca "${CA_PEM}" --auth LOGIN
run_case ours-dovecot-pop3s-auth-plain ours_list "AUTH PLAIN" --server "${PS}" "${BOB[@]}" \
    --tls --ca "${CA_PEM}" --auth PLAIN
run_case ours-dovecot-pop3s-user-pass ours_list USER/PASS --server "${PS}" "${BOB[@]}" \
    --tls --ca "${CA_PEM}" --user-pass
run_case ours-dovecot-pop3s-apop ours_list APOP --server "${PS}" "${BOB[@]}" --tls --ca "${CA_PEM}" --apop
run_case ours-dovecot-bad-password expect_fail 'refused' \
    "${CLIENT[@]}" --server "${P}" --user bob --password wrong --apop list
run_case ours-dovecot-untrusted-certificate expect_fail 'TLS handshake' \
    "${CLIENT[@]}" --server "${P}" "${BOB[@]}" --starttls --apop list

BIG_TOKEN="ours-pop3-big-${RUN_ID}"
SMALL_TOKEN="ours-pop3-small-${RUN_ID}"
UTF8_TOKEN="ours-pop3-utf8-${RUN_ID}"
SEEN="${work}/dovecot.seen"

# A 10 MiB message and an 8-bit UTF-8 one through Postfix into Dovecot, fetched with
# --keep-seen over STLS, RETR pipelined (Dovecot announces PIPELINING); bodies compared.
dovecot_big() {
    "${PY[@]}" send-big bob "${BIG_TOKEN}" "${work}/big.body" || return 1
    "${PY[@]}" send-8bit bob "${UTF8_TOKEN}" "${work}/utf8.body" || return 1
    "${PY[@]}" wait-file "${DOVECOT_MAILDIR}" "${BIG_TOKEN}" || return 1
    "${PY[@]}" wait-file "${DOVECOT_MAILDIR}" "${UTF8_TOKEN}" || return 1
    local out
    out="$("${CLIENT[@]}" --server "${P}" "${BOB[@]}" --starttls --ca "${CA_PEM}" --apop \
        fetch --out "${work}/fetch1" --keep-seen "${SEEN}" 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}" | tail -n 3
    grep -q 'commands were pipelined' <<<"${out}" || { echo "RETR was not pipelined"; return 1; }
    "${PY[@]}" check-body "${work}/fetch1" "${BIG_TOKEN}" "${work}/big.body" || return 1
    "${PY[@]}" check-body "${work}/fetch1" "${UTF8_TOKEN}" "${work}/utf8.body" || return 1
    [[ "$(wc -l <"${SEEN}")" -ge 1 ]] || { echo "keep-seen file is empty"; return 1; }
}
# The same fetch again: every message is in the record, nothing is downloaded again.
# (Mail that other software delivers meanwhile is new and may be fetched; it is reported.)
dovecot_nothing_new() {
    local out f n
    out="$("${CLIENT[@]}" --server "${P}" "${BOB[@]}" --apop \
        fetch --out "${work}/fetch2" --keep-seen "${SEEN}" 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    n="$(sed -n 's/^fetched \([0-9]*\) new messages.*skipped [1-9][0-9]* already seen.*/\1/p' <<<"${out}")"
    [[ -n "${n}" ]] || { echo "no summary line"; return 1; }
    for f in "${work}"/fetch2/*.eml; do
        [[ -e "${f}" ]] || continue
        if [[ -e "${work}/fetch1/$(basename "${f}")" ]]; then echo "fetched again: ${f}"; return 1; fi
    done
    if grep -rlq "${BIG_TOKEN}" "${work}/fetch2"; then echo "the 10 MiB message was fetched again"; return 1; fi
    [[ ${n} -eq 0 ]] || echo "note: ${n} message(s) delivered by others since the first fetch"
}
# --delete: with a record of every message on the server except the 10 MiB one, the 8-bit
# one and a new small one, exactly those three are fetched, and all are gone from Dovecot
# after QUIT.
dovecot_delete() {
    "${PY[@]}" send-small bob "${SMALL_TOKEN}" || return 1
    "${PY[@]}" wait-file "${DOVECOT_MAILDIR}" "${SMALL_TOKEN}" || return 1
    local big_uidl utf8_uidl small_uidl out
    big_uidl="$(basename "$(grep -l "Subject: ${BIG_TOKEN}" "${work}"/fetch1/*.eml | head -n 1)" .eml)"
    utf8_uidl="$(basename "$(grep -l "Subject: ${UTF8_TOKEN}" "${work}"/fetch1/*.eml | head -n 1)" .eml)"
    # Learn the small message's UIDL by fetching what is new (keeping it on the server).
    cp "${SEEN}" "${SEEN}.probe"
    "${CLIENT[@]}" --server "${P}" "${BOB[@]}" --apop \
        fetch --out "${work}/fetch-probe" --keep-seen "${SEEN}.probe" >/dev/null 2>&1 || return 1
    small_uidl="$(basename "$(grep -l "Subject: ${SMALL_TOKEN}" "${work}"/fetch-probe/*.eml | head -n 1)" .eml)"
    [[ -n "${big_uidl}" && -n "${utf8_uidl}" && -n "${small_uidl}" ]] || { echo "UIDLs not found"; return 1; }
    out="$("${CLIENT[@]}" --server "${P}" "${BOB[@]}" --apop list 2>&1)" || { echo "${out}"; return 1; }
    awk 'NF == 3 && $1 ~ /^[0-9]+$/ {print $3}' <<<"${out}" \
        | grep -vxF -e "${big_uidl}" -e "${utf8_uidl}" -e "${small_uidl}" >"${SEEN}.del" || true
    out="$("${CLIENT[@]}" --server "${P}" "${BOB[@]}" --auth CRAM-MD5 \
        fetch --out "${work}/fetch3" --keep-seen "${SEEN}.del" --delete 2>&1)" || { echo "${out}"; return 1; }
    echo "${out}"
    grep -q '^fetched 3 new messages .* deleted 3$' <<<"${out}" || { echo "expected 3 fetched and deleted"; return 1; }
    "${PY[@]}" check-body "${work}/fetch3" "${BIG_TOKEN}" "${work}/big.body" || return 1
    "${PY[@]}" check-body "${work}/fetch3" "${UTF8_TOKEN}" "${work}/utf8.body" || return 1
    grep -lq "Subject: ${SMALL_TOKEN}" "${work}"/fetch3/*.eml || { echo "small message not fetched"; return 1; }
    out="$("${CLIENT[@]}" --server "${P}" "${BOB[@]}" --apop list 2>&1)" || return 1
    if grep -q -e " ${big_uidl}\$" -e " ${utf8_uidl}\$" -e " ${small_uidl}\$" <<<"${out}"; then
        echo "deleted message still listed"
        return 1
    fi
    if grep -rlq -e "${BIG_TOKEN}" -e "${UTF8_TOKEN}" -e "${SMALL_TOKEN}" "${DOVECOT_MAILDIR}/new" "${DOVECOT_MAILDIR}/cur"; then
        echo "deleted messages still in Dovecot's Maildir"
        return 1
    fi
}
run_case ours-dovecot-10mb-and-8bit-fetch-keep-seen dovecot_big
run_case ours-dovecot-fetch-again-nothing-new dovecot_nothing_new
run_case ours-dovecot-fetch-delete dovecot_delete

# ================================================================== real clients vs our server
M1="${work}/maildir-stls"
E1="${work}/expect-stls"
M2="${work}/maildir-pop3s"
E2="${work}/expect-pop3s"
CERT="${FULLCHAIN_PEM}"
[[ -f "${CERT}" ]] || CERT="${CERT_PEM}"

start_servers() {
    "${PY[@]}" seed "${M1}" "${E1}" || return 1
    "${PY[@]}" seed "${M2}" "${E2}" || return 1
    "${BIN}/pop3-server" --listen "${H}:${OUR_PORT}" --maildir "${M1}" --user alice:alice-secret \
        --tls-cert "${CERT}" --tls-key "${KEY_PEM}" >"${work}/server1.out" 2>"${work}/server1.log" &
    server_pids+=($!)
    "${BIN}/pop3-server" --listen "${H}:${OUR_TLS_PORT}" --maildir "${M2}" --user alice:alice-secret \
        --tls-cert "${CERT}" --tls-key "${KEY_PEM}" --implicit-tls >"${work}/server2.out" 2>"${work}/server2.log" &
    server_pids+=($!)

    for _ in $(seq 1 100); do
        if ss -Hltn "sport = :${OUR_PORT}" | grep -q . && ss -Hltn "sport = :${OUR_TLS_PORT}" | grep -q .; then
            cat "${work}/server1.out" "${work}/server2.out"
            return 0
        fi
        sleep 0.1
    done
    echo "our pop3-server did not start: $(cat "${work}/server1.log" "${work}/server2.log")"
    return 1
}
run_case ours-pop3-server-start start_servers

# poplib: one PASS/FAIL line per case from the helper.
py_out="${work}/poplib.out"
set +e
"${PY[@]}" poplib "${OUR_PORT}" "${OUR_TLS_PORT}" "${M1}" "${E1}" >"${py_out}" 2>&1
py_rc=$?
set -e
while IFS= read -r line; do
    case "${line}" in
        "PASS "*) passed=$((passed + 1)); echo "${line}" ;;
        "FAIL "*) failed=$((failed + 1)); echo "${line}" ;;
        *) echo "  ${line}" ;;
    esac
done <"${py_out}"
[[ ${py_rc} -eq 0 ]] || grep -q '^FAIL ' "${py_out}" || fail py-pop3-ours-runner "ours_pop3.py exited with ${py_rc}"
run_case py-pop3-ours-stls-injection-discarded "${PY[@]}" stls-injection "${OUR_PORT}" "${work}/server1.log"

# curl
ALICE=(--user alice:alice-secret)
U="pop3://${H}:${OUR_PORT}"
US="pop3s://localhost:${OUR_TLS_PORT}"
# curl_list METHOD [curl options...]: LIST works, and our server logged the login with METHOD.
curl_list() {
    local method="$1" out last
    shift
    out="$("${CURL[@]}" "$@")" || return 1
    echo "${out}"
    grep -Eq '^1 [0-9]+' <<<"${out}" || { echo "no LIST output"; return 1; }
    last="$(grep 'logged in with' "${work}/server1.log" | tail -n 1)"
    echo "server: ${last}"
    grep -q "alice logged in with ${method}\$" <<<"${last}" || { echo "not logged in with ${method}"; return 1; }
}
# curl_retr_all BASE EXPECT [options...]: UIDL, then every message, byte for byte.
# shellcheck disable=SC2094 # the listing is written once, then only read
curl_retr_all() {
    local base="$1" expect="$2"
    shift 2
    local listing="${work}/uidl.$$.$RANDOM" n want count=0
    "${CURL[@]}" "$@" --request UIDL "${base}/" >"${listing}" || return 1
    while read -r n _ <&3; do
        want="$("${PY[@]}" curl-uidl "${listing}" "${expect}" "${n}")" || { echo "${want}"; return 1; }
        "${CURL[@]}" "$@" "${base}/${n}" -o "${work}/curl.msg" || return 1
        cmp "${work}/curl.msg" "${want}" || { echo "message ${n} differs from ${want}"; return 1; }
        count=$((count + 1))
    done 3<"${listing}"
    echo "${count} messages identical"
    [[ ${count} -ge 4 ]]
}
run_case curl-pop3-ours-list curl_list "AUTH CRAM-MD5" "${ALICE[@]}" "${U}/"
run_case curl-pop3-ours-retr-all curl_retr_all "${U}" "${E1}" "${ALICE[@]}"
run_case curl-pop3-ours-apop curl_list APOP "${ALICE[@]}" --login-options 'AUTH=+APOP' "${U}/"
for mech in PLAIN LOGIN CRAM-MD5; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"${mech}")"
    run_case "curl-pop3-ours-stls-auth-${lower}" curl_list "AUTH ${mech}" "${ALICE[@]}" --ssl-reqd \
        --login-options "AUTH=${mech}" "${U}/"
done
run_case curl-pop3s-ours-retr-all curl_retr_all "${US}" "${E2}" "${ALICE[@]}"
run_case curl-pop3-ours-bad-password expect_exit 67 "${CURL[@]}" --user alice:wrong "${U}/"

# fetchmail (Debian package; installed here if missing)
if ! command -v fetchmail >/dev/null 2>&1; then
    echo "installing fetchmail"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fetchmail \
        >"${work}/apt.log" 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends fetchmail >"${work}/apt.log" 2>&1; } || true
fi
# fetchmail_case NAME PORT EXPECT SERVER-OPTIONS USER-OPTIONS: polls our server with these
# options, keeping the mail; every expected message must come out of the MDA (after the
# Received: line fetchmail adds), and the log must show FM_EXPECT if set.
fetchmail_case() {
    local name="$1" port="$2" expect="$3" server_opts="$4" user_opts="$5"
    local dir="${work}/fm-${name}" out rc=0
    mkdir -p "${dir}/out"
    cat >"${dir}/rc" <<EOF
set no bouncemail
set no syslog
poll ${H} service ${port} ${server_opts}
    user "alice" there with password "alice-secret" is root here
    options keep fetchall norewrite ${user_opts}
    mda "cat > \$(mktemp ${dir}/out/m.XXXXXX)"
EOF
    chmod 600 "${dir}/rc"
    out="$(cd "${dir}" && HOME="${dir}" FETCHMAILHOME="${dir}" timeout 120 fetchmail -v -N \
        -f "${dir}/rc" -i "${dir}/ids" 2>&1)" || rc=$?
    echo "${out}" | grep -Ev '^fetchmail: POP3< [0-9]' | tail -n 40
    [[ ${rc} -eq 0 ]] || { echo "fetchmail exit status ${rc}"; return 1; }
    "${PY[@]}" contains-all "${dir}/out" "${expect}" || return 1
    if [[ -n "${FM_EXPECT:-}" ]]; then
        grep -q -- "${FM_EXPECT}" <<<"${out}" || { echo "fetchmail log lacks '${FM_EXPECT}'"; return 1; }
    fi
}
if command -v fetchmail >/dev/null 2>&1; then
    # The certificate names localhost; fetchmail does not match IP addresses.
    FM_TLS="sslcertck sslcertfile \"${CA_PEM}\" sslcommonname localhost"
    FM_EXPECT='POP3> STLS' run_case fetchmail-ours-stls-user-pass fetchmail_case stls "${OUR_PORT}" "${E1}" \
        "proto pop3 auth password" "sslproto 'TLS1.2+' ${FM_TLS}"
    FM_EXPECT='POP3> APOP alice' run_case fetchmail-ours-apop fetchmail_case apop "${OUR_PORT}" "${E1}" \
        "proto apop" "sslproto ''"
    FM_EXPECT='POP3> AUTH CRAM-MD5' run_case fetchmail-ours-cram-md5 fetchmail_case cram "${OUR_PORT}" "${E1}" \
        "proto pop3 auth cram-md5" "sslproto ''"
    FM_EXPECT='' run_case fetchmail-ours-pop3s fetchmail_case pop3s "${OUR_TLS_PORT}" "${E2}" \
        "proto pop3 auth password" "ssl ${FM_TLS}"
else
    fail fetchmail "not installed and apt-get install fetchmail failed: $(tail -n 1 "${work}/apt.log" 2>/dev/null)"
fi

# The servers must have survived everything above.
alive() {
    local pid
    for pid in "${server_pids[@]}"; do
        kill -0 "${pid}" || { echo "pop3-server ${pid} died"; cat "${work}"/server*.log; return 1; }
    done
    if grep -qi 'panick' "${work}"/server*.log; then echo "a panic was logged"; return 1; fi
}
run_case ours-pop3-server-survived alive

summary
[[ ${failed} -eq 0 ]]
