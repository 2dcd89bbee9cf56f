#!/usr/bin/env bash
# Stop the Dovecot and Postfix instances started by start.sh (state dir is kept
# for inspection; start.sh recreates it).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

status=0
if [[ -f "${POSTFIX_CONF_DIR}/main.cf" ]]; then
    if postfix -c "${POSTFIX_CONF_DIR}" status >/dev/null 2>&1; then
        postfix -c "${POSTFIX_CONF_DIR}" stop || status=1
        echo "stop.sh: postfix stopped"
    else
        echo "stop.sh: postfix not running"
    fi
fi
dovecot_pid_file="${INTEROP_DIR}/dovecot/run/master.pid"
if [[ -f "${DOVECOT_CONF}" && -f "${dovecot_pid_file}" ]] \
    && kill -0 "$(cat "${dovecot_pid_file}")" 2>/dev/null; then
    dovecot -c "${DOVECOT_CONF}" stop || status=1
    echo "stop.sh: dovecot stopped"
else
    echo "stop.sh: dovecot not running"
fi

# Wait (bounded) until the ports are closed.
deadline=$((SECONDS + 15))
for port in "${IMAP_PORT}" "${IMAPS_PORT}" "${POP3_PORT}" "${POP3S_PORT}" "${LMTP_PORT}" \
    "${SMTP_PORT}" "${SUBMISSION_PORT}" "${SUBMISSIONS_PORT}"; do
    while ss -Hltn "sport = :${port}" | grep -q .; do
        if (( SECONDS > deadline )); then
            echo "stop.sh: port ${port} still open" >&2
            status=1
            break
        fi
        sleep 0.2
    done
done
exit "${status}"
