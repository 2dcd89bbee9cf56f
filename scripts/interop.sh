#!/usr/bin/env bash
# Interop suite entry point: install the real peers (Debian packages), start them
# on 127.0.0.1 high ports, run the baseline cases with real clients, stop them.
# Exits non-zero on any failure. See scripts/interop/README.md.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/interop"

"${DIR}/setup.sh"
"${DIR}/start.sh"
trap '"${DIR}/stop.sh" || true' EXIT
"${DIR}/baseline.sh"
"${DIR}/ours-smtp.sh"
"${DIR}/ours-pop3.sh"
"${DIR}/ours-imap.sh"
