#!/usr/bin/env bash
# Install the real mail peers and clients used by the interop suite (Debian/Ubuntu).
# Idempotent: re-running only re-checks that everything is present.
# The packages' own services are NOT started (a temporary policy-rc.d forbids it);
# start.sh runs private instances on loopback high ports instead.
set -euo pipefail

if [[ ${EUID} -ne 0 ]]; then
    echo "setup.sh: must run as root (apt-get install)" >&2
    exit 1
fi

PACKAGES=(
    dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
    postfix
    swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl libdigest-hmac-perl
    curl openssl ca-certificates python3 procps iproute2
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup.sh: all packages already installed"
else
    echo "setup.sh: installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Postfix must not ask questions and must not configure a system instance.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "postfix postfix/mailname string localhost" | debconf-set-selections

    # Keep the packages' init scripts from starting system-wide daemons on the
    # standard ports (25, 110, 143, ...) during installation.
    created_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    cleanup_policy() {
        if [[ ${created_policy} -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
    }
    trap cleanup_policy EXIT

    # A couple of retries for transient mirror errors.
    for attempt in 1 2 3; do
        if apt-get update -qq \
            && apt-get install -y -qq --no-install-recommends \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
                "${missing[@]}"; then
            break
        fi
        if [[ ${attempt} -eq 3 ]]; then
            echo "setup.sh: apt-get failed" >&2
            exit 1
        fi
        sleep 5
    done
fi

# Report what is installed (start.sh writes configuration for these versions).
echo "dovecot $(dovecot --version)"
echo "postfix $(postconf -d -h mail_version 2>/dev/null)"
echo "swaks $(swaks --version 2>/dev/null | head -n 1)"
curl --version | head -n 1
openssl version
python3 --version
