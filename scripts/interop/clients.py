#!/usr/bin/env python3
"""Real-client checks for the interop peers, using only Python's standard library
(smtplib, imaplib, poplib, ssl).

Usage:
  clients.py cases [--prefix P]         run every Python case, print PASS/FAIL lines
  clients.py wait USER PASSWORD TOKEN   wait until a message whose Subject contains
                                        TOKEN is in USER's INBOX (IMAP), exit 0/1
  clients.py msg FROM TO TOKEN          print a small test message (CRLF) to stdout

Settings come from the environment (see env.sh): INTEROP_HOST, the *_PORT variables,
CA_PEM, INTEROP_DOMAIN. Every network operation has a timeout.
"""

import email.utils
import hashlib
import imaplib
import os
import poplib
import smtplib
import ssl
import sys
import time
import traceback

HOST = os.environ.get("INTEROP_HOST", "127.0.0.1")
DOMAIN = os.environ.get("INTEROP_DOMAIN", "example.test")
CA = os.environ.get("CA_PEM", "/tmp/mail-interop/tls/ca.pem")
P = {
    name: int(os.environ[name])
    for name in (
        "IMAP_PORT", "IMAPS_PORT", "POP3_PORT", "POP3S_PORT", "LMTP_PORT",
        "SMTP_PORT", "SUBMISSION_PORT", "SUBMISSIONS_PORT",
    )
    if name in os.environ
}
TIMEOUT = 10  # seconds, every socket
DELIVERY_TIMEOUT = 20  # seconds to wait for a message to reach the Maildir
ALICE = ("alice", "alice-secret")
BOB = ("bob", "bob-secret")
RUN = os.environ.get("INTEROP_RUN_ID", str(int(time.time())))


def tls_context():
    """Verifying client context: trusts only the suite's CA, checks the host name."""
    ctx = ssl.create_default_context(cafile=CA)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def addr(user):
    return f"{user}@{DOMAIN}"


def make_msg(token, frm, to, subject_extra="", body=None, charset="us-ascii"):
    """A complete RFC 5322 message (bytes, CRLF line ends)."""
    if body is None:
        body = f"Hello from the interop suite.\r\ntoken {token}\r\n".encode()
    headers = (
        f"From: Interop <{frm}>\r\n"
        f"To: <{to}>\r\n"
        f"Subject: {token}{subject_extra}\r\n"
        f"Date: {email.utils.formatdate(localtime=False)}\r\n"
        f"Message-ID: <{token}@{DOMAIN}>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {'8bit' if charset != 'us-ascii' else '7bit'}\r\n"
        "\r\n"
    )
    return headers.encode("utf-8") + body


# ------------------------------------------------------------------ IMAP helpers

def imap_find(user, password, token, timeout=DELIVERY_TIMEOUT):
    """Poll INBOX over IMAP until a message with TOKEN in its Subject exists.
    Returns (sequence number, imap connection still selected) or raises."""
    deadline = time.monotonic() + timeout
    while True:
        imap = imaplib.IMAP4(HOST, P["IMAP_PORT"], timeout=TIMEOUT)
        try:
            imap.login(user, password)
            typ, _ = imap.select("INBOX", readonly=True)
            check(typ == "OK", "SELECT INBOX failed")
            typ, data = imap.search(None, "SUBJECT", token)
            check(typ == "OK", f"SEARCH failed: {data!r}")
            nums = data[0].split()
            if nums:
                return nums[-1].decode(), imap
        except Exception:
            imap.shutdown()
            raise
        imap.logout()
        if time.monotonic() > deadline:
            raise CaseFailure(f"message {token} not delivered to {user} within {timeout}s")
        time.sleep(0.25)


def imap_fetch_text(user, password, token):
    """Wait for TOKEN's message and return its body (BODY[TEXT]) bytes."""
    num, imap = imap_find(user, password, token)
    try:
        typ, data = imap.fetch(num, "(BODY.PEEK[TEXT])")
        check(typ == "OK", f"FETCH failed: {data!r}")
        return data[0][1]
    finally:
        imap.logout()


def wait_delivered(user, password, token):
    _, imap = imap_find(user, password, token)
    imap.logout()


# ------------------------------------------------------------------ harness

class CaseFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise CaseFailure(msg)


CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


def tok(name):
    return f"interop-{RUN}-{name}"


# ------------------------------------------------------------------ SMTP (Postfix)

def smtp_send(s, token, frm, to, **kw):
    msg = make_msg(token, frm, to)
    refused = s.sendmail(frm, [to], msg, **kw)
    check(not refused, f"recipients refused: {refused!r}")


def smtp_auth(s, mech, user, password):
    features = s.esmtp_features.get("auth", "").upper().split()
    check(mech in features, f"AUTH {mech} not offered (offered: {features})")
    s.user, s.password = user, password
    authobject = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
    code, resp = s.auth(mech, authobject, initial_response_ok=(mech != "CRAM-MD5"))
    check(code == 235, f"AUTH {mech}: {code} {resp!r}")


@case("py-smtp-plain")
def _smtp_plain():
    t = tok("py-smtp-plain")
    with smtplib.SMTP(HOST, P["SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        check(s.has_extn("pipelining"), "PIPELINING not advertised")
        check(s.has_extn("8bitmime"), "8BITMIME not advertised")
        check(s.has_extn("starttls"), "STARTTLS not advertised")
        smtp_send(s, t, addr("bob"), addr("alice"))
    wait_delivered(*ALICE, t)


@case("py-smtp-starttls")
def _smtp_starttls():
    t = tok("py-smtp-starttls")
    with smtplib.SMTP(HOST, P["SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=tls_context())
        s.ehlo("client.example.test")
        check(not s.has_extn("starttls"), "STARTTLS still advertised after TLS")
        smtp_send(s, t, addr("bob"), addr("alice"))
    wait_delivered(*ALICE, t)


@case("py-submission-requires-starttls")
def _submission_requires_tls():
    with smtplib.SMTP(HOST, P["SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        check(s.has_extn("starttls"), "STARTTLS not advertised")
        check(not s.has_extn("auth"), "AUTH advertised before TLS on submission")
        code, resp = s.mail(addr("alice"))
        check(500 <= code < 600, f"MAIL before STARTTLS accepted: {code} {resp!r}")


@case("py-submission-requires-auth")
def _submission_requires_auth():
    with smtplib.SMTP(HOST, P["SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=tls_context())
        s.ehlo("client.example.test")
        try:
            s.sendmail(addr("alice"), [addr("bob")], make_msg(tok("noauth"), addr("alice"), addr("bob")))
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused):
            return
        raise CaseFailure("unauthenticated submission was accepted")


@case("py-smtp-relay-denied")
def _smtp_relay_denied():
    """Nothing leaves the machine: an unauthenticated client cannot relay."""
    with smtplib.SMTP(HOST, P["SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        code, _ = s.mail(addr("alice"))
        check(code == 250, f"MAIL: {code}")
        code, resp = s.rcpt("someone@example.com")
        check(code == 554, f"relay to example.com not denied: {code} {resp!r}")


@case("py-smtp-unknown-user")
def _smtp_unknown_user():
    with smtplib.SMTP(HOST, P["SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        code, _ = s.mail(addr("alice"))
        check(code == 250, f"MAIL: {code}")
        code, resp = s.rcpt(addr("nobody"))
        check(code == 550, f"unknown local user not rejected: {code} {resp!r}")


for _mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
    def _make(mech):
        name = f"py-submission-starttls-auth-{mech.lower()}"

        @case(name)
        def _sub():
            t = tok(name)
            with smtplib.SMTP(HOST, P["SUBMISSION_PORT"], timeout=TIMEOUT) as s:
                s.ehlo("client.example.test")
                s.starttls(context=tls_context())
                s.ehlo("client.example.test")
                smtp_auth(s, mech, *ALICE)
                smtp_send(s, t, addr("alice"), addr("bob"))
            wait_delivered(*BOB, t)
    _make(_mech)


@case("py-submission-bad-password")
def _submission_bad_password():
    with smtplib.SMTP(HOST, P["SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=tls_context())
        s.ehlo("client.example.test")
        s.user, s.password = "alice", "wrong-password"
        try:
            s.auth("PLAIN", s.auth_plain)
        except smtplib.SMTPAuthenticationError as e:
            check(e.smtp_code == 535, f"wrong password: expected 535, got {e.smtp_code}")
            return
        raise CaseFailure("wrong password accepted")


@case("py-submissions-implicit-tls")
def _submissions():
    t = tok("py-submissions-implicit-tls")
    with smtplib.SMTP_SSL(HOST, P["SUBMISSIONS_PORT"], timeout=TIMEOUT, context=tls_context()) as s:
        s.ehlo("client.example.test")
        s.login(*ALICE)
        smtp_send(s, t, addr("alice"), addr("alice"))
    wait_delivered(*ALICE, t)


@case("py-smtp-8bit-utf8")
def _smtp_utf8():
    t = tok("py-smtp-8bit-utf8")
    body = "Grüße aus Köln — ½ € ✓ 日本語\r\n.leading dot line\r\n".encode("utf-8")
    msg = make_msg(t, addr("alice"), addr("alice"), subject_extra=" Grüße ✓", body=body, charset="utf-8")
    with smtplib.SMTP(HOST, P["SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=tls_context())
        s.ehlo("client.example.test")
        check(s.has_extn("smtputf8"), "SMTPUTF8 not advertised")
        s.login(*ALICE)
        refused = s.sendmail(addr("alice"), [addr("alice")], msg,
                             mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        check(not refused, f"refused: {refused!r}")
    got = imap_fetch_text(*ALICE, t)
    check(got == body, f"8-bit body changed in transit: {got[:80]!r}")


@case("py-smtp-10mb")
def _smtp_big():
    t = tok("py-smtp-10mb")
    line = b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq\r\n"
    dotline = b".a line that starts with a dot and must be dot-stuffed\r\n"
    n = (10 * 1024 * 1024) // (len(line) + len(dotline)) + 1
    body = (line + dotline) * n
    msg = make_msg(t, addr("alice"), addr("alice"), body=body)
    with smtplib.SMTP(HOST, P["SUBMISSION_PORT"], timeout=30) as s:
        s.ehlo("client.example.test")
        s.starttls(context=tls_context())
        s.ehlo("client.example.test")
        size_limit = int(s.esmtp_features.get("size", "0") or 0)
        check(size_limit == 0 or size_limit >= len(msg), f"SIZE {size_limit} < {len(msg)}")
        s.login(*ALICE)
        refused = s.sendmail(addr("alice"), [addr("alice")], msg, mail_options=[f"SIZE={len(msg)}"])
        check(not refused, f"refused: {refused!r}")
    got = imap_fetch_text(*ALICE, t)
    check(len(got) == len(body) and hashlib.sha256(got).digest() == hashlib.sha256(body).digest(),
          f"10 MB body differs: sent {len(body)} bytes, fetched {len(got)}")


@case("py-lmtp-dovecot")
def _lmtp():
    t = tok("py-lmtp-dovecot")
    s = smtplib.LMTP(HOST, P["LMTP_PORT"], timeout=TIMEOUT)
    try:
        s.ehlo("client.example.test")  # sends LHLO
        msg = make_msg(t, addr("alice"), addr("bob"))
        refused = s.sendmail(addr("alice"), [addr("bob"), addr("alice")], msg)
        check(not refused, f"refused: {refused!r}")
    finally:
        s.quit()
    wait_delivered(*BOB, t)
    wait_delivered(*ALICE, t)


@case("py-lmtp-unknown-user")
def _lmtp_unknown():
    s = smtplib.LMTP(HOST, P["LMTP_PORT"], timeout=TIMEOUT)
    try:
        s.ehlo("client.example.test")
        code, _ = s.mail(addr("alice"))
        check(code == 250, f"MAIL: {code}")
        code, resp = s.rcpt(addr("nobody"))
        check(500 <= code < 600, f"unknown recipient accepted: {code} {resp!r}")
    finally:
        s.quit()


# ------------------------------------------------------------------ IMAP (Dovecot)

def imap_check_session(imap, user, password, token=None):
    typ, _ = imap.login(user, password) if password is not None else ("OK", None)
    check(typ == "OK", "LOGIN failed")
    typ, data = imap.select("INBOX")
    check(typ == "OK", f"SELECT failed: {data!r}")
    check(int(data[0]) >= 1, "INBOX is empty")
    if token:
        typ, data = imap.search(None, "SUBJECT", token)
        nums = data[0].split()
        check(typ == "OK" and nums, f"SEARCH SUBJECT {token} found nothing")
        typ, data = imap.fetch(nums[-1], "(UID FLAGS RFC822.SIZE BODY.PEEK[])")
        check(typ == "OK", f"FETCH failed: {data!r}")
        check(token.encode() in data[0][1], "fetched message lacks the token")
    imap.logout()


@case("py-imap-plain-login")
def _imap_plain():
    imap = imaplib.IMAP4(HOST, P["IMAP_PORT"], timeout=TIMEOUT)
    caps = imap.capabilities
    check("STARTTLS" in caps, f"STARTTLS not in {caps}")
    imap_check_session(imap, *ALICE, token=tok("py-smtp-plain"))


@case("py-imap-starttls")
def _imap_starttls():
    imap = imaplib.IMAP4(HOST, P["IMAP_PORT"], timeout=TIMEOUT)
    imap.starttls(ssl_context=tls_context())
    check("STARTTLS" not in imap.capabilities, "STARTTLS advertised after TLS")
    imap_check_session(imap, *ALICE, token=tok("py-submissions-implicit-tls"))


@case("py-imaps-implicit-tls")
def _imaps():
    imap = imaplib.IMAP4_SSL(HOST, P["IMAPS_PORT"], ssl_context=tls_context(), timeout=TIMEOUT)
    imap_check_session(imap, *BOB, token=tok("py-submission-starttls-auth-plain"))


def _imap_auth_case(mech):
    name = f"py-imap-authenticate-{mech.lower()}"

    @case(name)
    def _auth():
        imap = imaplib.IMAP4(HOST, P["IMAP_PORT"], timeout=TIMEOUT)
        check(f"AUTH={mech}" in imap.capabilities, f"AUTH={mech} not in {imap.capabilities}")
        user, password = ALICE
        if mech == "CRAM-MD5":
            typ, _ = imap.login_cram_md5(user, password)
        elif mech == "PLAIN":
            typ, _ = imap.authenticate("PLAIN", lambda _c: f"\0{user}\0{password}".encode())
        else:  # LOGIN: username then password, one per challenge
            answers = iter([user.encode(), password.encode()])
            typ, _ = imap.authenticate("LOGIN", lambda _c: next(answers))
        check(typ == "OK", f"AUTHENTICATE {mech} failed")
        imap_check_session(imap, user, None)


for _mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
    _imap_auth_case(_mech)


@case("py-imap-bad-password")
def _imap_bad():
    imap = imaplib.IMAP4(HOST, P["IMAP_PORT"], timeout=TIMEOUT)
    try:
        imap.login("alice", "wrong-password")
    except imaplib.IMAP4.error:
        imap.logout()
        return
    raise CaseFailure("wrong password accepted")


@case("py-imap-append-store-expunge")
def _imap_append():
    t = tok("py-imap-append")
    imap = imaplib.IMAP4(HOST, P["IMAP_PORT"], timeout=TIMEOUT)
    imap.login(*BOB)
    typ, data = imap.list()
    check(typ == "OK", "LIST failed")
    listing = b"\n".join(data)
    for box in (b"INBOX", b"Sent", b"Drafts", b"Trash"):
        check(box in listing, f"LIST lacks {box!r}: {listing!r}")
    typ, data = imap.append("Drafts", r"(\Draft)", None, make_msg(t, addr("bob"), addr("bob")))
    check(typ == "OK", f"APPEND failed: {data!r}")
    check(b"APPENDUID" in data[0], f"no APPENDUID (UIDPLUS): {data!r}")
    typ, data = imap.select("Drafts")
    check(typ == "OK", "SELECT Drafts failed")
    typ, data = imap.uid("SEARCH", None, "SUBJECT", t)
    uids = data[0].split()
    check(typ == "OK" and len(uids) == 1, f"UID SEARCH: {data!r}")
    uid = uids[0]
    typ, data = imap.uid("STORE", uid, "+FLAGS", r"(\Flagged \Seen)")
    check(typ == "OK", f"UID STORE failed: {data!r}")
    typ, data = imap.uid("FETCH", uid, "(FLAGS)")
    flags = data[0]
    check(b"\\Flagged" in flags and b"\\Seen" in flags and b"\\Draft" in flags, f"FLAGS: {flags!r}")
    typ, data = imap.uid("COPY", uid, "Trash")
    check(typ == "OK", f"UID COPY failed: {data!r}")
    typ, _ = imap.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
    typ, _ = imap.expunge()
    check(typ == "OK", "EXPUNGE failed")
    typ, data = imap.uid("SEARCH", None, "SUBJECT", t)
    check(data[0].split() == [], f"message still in Drafts after EXPUNGE: {data!r}")
    typ, data = imap.status("Trash", "(MESSAGES UIDNEXT)")
    check(typ == "OK" and b"MESSAGES" in data[0], f"STATUS Trash: {data!r}")
    imap.logout()


# ------------------------------------------------------------------ POP3 (Dovecot)

def pop3_find(pop, token):
    """Message number whose headers (TOP n 0) contain TOKEN, or None."""
    count, _ = pop.stat()
    for n in range(count, 0, -1):
        _, lines, _ = pop.top(n, 0)
        if any(token.encode() in line for line in lines):
            return n
    return None


def pop3_check_session(pop, token):
    count, size = pop.stat()
    check(count >= 1 and size > 0, f"STAT {count} {size}")
    _, listing, _ = pop.list()
    check(len(listing) == count, f"LIST has {len(listing)} lines, STAT says {count}")
    _, uidls, _ = pop.uidl()
    check(len(uidls) == count, "UIDL line count differs from STAT")
    n = pop3_find(pop, token)
    check(n is not None, f"no message with {token}")
    _, lines, _ = pop.retr(n)
    check(any(token.encode() in line for line in lines), "RETR lacks the token")
    pop.quit()


@case("py-pop3-user-pass")
def _pop3_user():
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    caps = pop.capa()
    for c in ("USER", "UIDL", "TOP", "STLS", "SASL"):
        check(c in caps, f"CAPA lacks {c}: {caps}")
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        check(mech in caps["SASL"], f"CAPA SASL lacks {mech}: {caps['SASL']}")
    pop.user("alice")
    pop.pass_("alice-secret")
    pop3_check_session(pop, tok("py-smtp-plain"))


@case("py-pop3-apop")
def _pop3_apop():
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    check(b"<" in pop.getwelcome(), f"no APOP timestamp in greeting {pop.getwelcome()!r}")
    pop.apop(*ALICE)
    pop3_check_session(pop, tok("py-smtp-starttls"))


@case("py-pop3-apop-bad-password")
def _pop3_apop_bad():
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    try:
        pop.apop("alice", "wrong-password")
    except poplib.error_proto:
        pop.close()
        return
    raise CaseFailure("wrong APOP digest accepted")


@case("py-pop3-stls")
def _pop3_stls():
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    pop.stls(context=tls_context())
    pop.user("bob")
    pop.pass_("bob-secret")
    pop3_check_session(pop, tok("py-submission-starttls-auth-login"))


@case("py-pop3s-implicit-tls")
def _pop3s():
    pop = poplib.POP3_SSL(HOST, P["POP3S_PORT"], timeout=TIMEOUT, context=tls_context())
    pop.user("bob")
    pop.pass_("bob-secret")
    pop3_check_session(pop, tok("py-submission-starttls-auth-cram-md5"))


@case("py-pop3-dele-at-quit")
def _pop3_dele():
    t = tok("py-pop3-dele")
    with smtplib.SMTP(HOST, P["SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        smtp_send(s, t, addr("alice"), addr("bob"))
    wait_delivered(*BOB, t)
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    pop.user("bob")
    pop.pass_("bob-secret")
    before, _ = pop.stat()
    n = pop3_find(pop, t)
    check(n is not None, "message to delete not found")
    pop.dele(n)
    pop.rset()  # undo, then delete again: only QUIT commits
    check(pop.stat()[0] == before, "RSET did not undelete")
    pop.dele(n)
    pop.quit()
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    pop.user("bob")
    pop.pass_("bob-secret")
    after, _ = pop.stat()
    check(after == before - 1, f"STAT {before} -> {after} after DELE+QUIT")
    check(pop3_find(pop, t) is None, "deleted message still present")
    pop.quit()


@case("py-pop3-bad-password")
def _pop3_bad():
    pop = poplib.POP3(HOST, P["POP3_PORT"], timeout=TIMEOUT)
    pop.user("alice")
    try:
        pop.pass_("wrong-password")
    except poplib.error_proto:
        pop.close()
        return
    raise CaseFailure("wrong password accepted")


# ------------------------------------------------------------------ main

def run_cases(deadline_s):
    start = time.monotonic()
    failed = 0
    for name, fn in CASES:
        if time.monotonic() - start > deadline_s:
            print(f"FAIL {name}: not run, Python time budget of {deadline_s}s exhausted", flush=True)
            failed += 1
            continue
        t0 = time.monotonic()
        try:
            fn()
            print(f"PASS {name} ({time.monotonic() - t0:.2f}s)", flush=True)
        except CaseFailure as e:
            failed += 1
            print(f"FAIL {name}: {e}", flush=True)
        except Exception as e:  # any client error is a failed case, with its cause
            failed += 1
            where = traceback.extract_tb(e.__traceback__)[-1]
            print(f"FAIL {name}: {type(e).__name__}: {e} (line {where.lineno})", flush=True)
    return failed


def main(argv):
    if len(argv) >= 2 and argv[1] == "cases":
        run_cases(float(os.environ.get("INTEROP_PY_BUDGET", "90")))
        return 0  # the caller counts PASS/FAIL lines
    if len(argv) == 5 and argv[1] == "wait":
        try:
            wait_delivered(argv[2], argv[3], argv[4])
        except Exception as e:
            print(f"wait: {e}", file=sys.stderr)
            return 1
        return 0
    if len(argv) == 5 and argv[1] == "msg":
        sys.stdout.buffer.write(make_msg(argv[4], argv[2], argv[3]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
