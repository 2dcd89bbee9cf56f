# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Shared settings for the interop scripts (sourced, not executed).
# Everything listens on 127.0.0.1 only.

INTEROP_DIR="${INTEROP_DIR:-/tmp/mail-interop}"
export INTEROP_DIR

INTEROP_HOST=127.0.0.1
INTEROP_DOMAIN=example.test

# Dovecot
IMAP_PORT=10143
IMAPS_PORT=10993
POP3_PORT=10110
POP3S_PORT=10995
LMTP_PORT=10024
# Postfix
SMTP_PORT=10025
SUBMISSION_PORT=10587
SUBMISSIONS_PORT=10465

# Test users: name:password (plaintext on purpose: CRAM-MD5 and APOP need it).
INTEROP_USERS=("alice:alice-secret" "bob:bob-secret")

# Unix user that owns the Maildirs (exists on every Debian system).
MAIL_UID_NAME=mail

CA_PEM="${INTEROP_DIR}/tls/ca.pem"
CERT_PEM="${INTEROP_DIR}/tls/cert.pem"
KEY_PEM="${INTEROP_DIR}/tls/key.pem"
FULLCHAIN_PEM="${INTEROP_DIR}/tls/fullchain.pem"

DOVECOT_CONF="${INTEROP_DIR}/dovecot/dovecot.conf"
POSTFIX_CONF_DIR="${INTEROP_DIR}/postfix/etc"

export INTEROP_HOST INTEROP_DOMAIN IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT LMTP_PORT \
    SMTP_PORT SUBMISSION_PORT SUBMISSIONS_PORT CA_PEM CERT_PEM KEY_PEM FULLCHAIN_PEM \
    DOVECOT_CONF POSTFIX_CONF_DIR
