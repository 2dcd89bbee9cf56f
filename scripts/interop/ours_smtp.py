#!/usr/bin/env python3
"""Helpers and Python-client cases for ours-smtp.sh (standard library only).

Usage:
  ours_smtp.py msg KIND TOKEN FROM TO     print a test message (CRLF) to stdout;
                                          KIND: small | utf8 | big (10 MiB, dot lines)
  ours_smtp.py imap-body USER PW TOKEN FILE
                                          wait until TOKEN's message is in USER's INBOX
                                          (Dovecot, IMAP) and check that its body is
                                          byte-identical to FILE's body
  ours_smtp.py maildir DIR TOKEN [FILE]   wait until a file in the Maildir DIR (new/ or
                                          cur/) has TOKEN in its Subject; with FILE, the
                                          stored file must end with FILE's bytes exactly
  ours_smtp.py cases                      smtplib and raw-socket cases against OUR
                                          smtp-server, PASS/FAIL lines

The cases read OURS_SMTP_PORT, OURS_SUBMISSION_PORT, OURS_SUBMISSIONS_PORT,
OURS_LMTP_PORT, OURS_MAILDIR, OURS_LOG (the SMTP server's log file) and the usual env.sh
variables. Every socket has a timeout.
"""

import glob
import hashlib
import os
import smtplib
import socket
import ssl
import sys
import time
import traceback

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clients  # noqa: E402  (the baseline's helpers: make_msg, imap_find, tls_context)

HOST = clients.HOST
DOMAIN = clients.DOMAIN
TIMEOUT = 15
RUN = clients.RUN


def addr(user):
    return f"{user}@{DOMAIN}"


def build(kind, token, frm, to):
    if kind == "small":
        return clients.make_msg(token, frm, to)
    if kind == "utf8":
        body = "Grüße aus Köln — ½ € ✓ 日本語\r\n.leading dot line\r\n\xa0nbsp\r\n".encode("utf-8")
        return clients.make_msg(token, frm, to, subject_extra=" Grüße ✓", body=body,
                                charset="utf-8")
    if kind == "big":
        line = b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq\r\n"
        dotline = b".a line that starts with a dot and must be dot-stuffed\r\n"
        n = (10 * 1024 * 1024) // (len(line) + len(dotline)) + 1
        return clients.make_msg(token, frm, to, body=(line + dotline) * n)
    raise SystemExit(f"unknown message kind {kind!r}")


def body_of(msg):
    i = msg.find(b"\r\n\r\n")
    return msg[i + 4:] if i >= 0 else b""


def check(cond, msg):
    if not cond:
        raise clients.CaseFailure(msg)


def imap_body(user, password, token, path):
    want = body_of(open(path, "rb").read())
    got = clients.imap_fetch_text(user, password, token)
    check(len(got) == len(want) and hashlib.sha256(got).digest() == hashlib.sha256(want).digest(),
          f"body differs: sent {len(want)} bytes, fetched {len(got)} ({got[:60]!r})")


def maildir_find(directory, token, timeout=10):
    """The stored files whose header section has 'Subject: TOKEN'."""
    deadline = time.monotonic() + timeout
    needle = f"Subject: {token}".encode()
    while True:
        found = []
        for path in glob.glob(os.path.join(directory, "new", "*")) + \
                glob.glob(os.path.join(directory, "cur", "*")):
            try:
                data = open(path, "rb").read()
            except FileNotFoundError:
                continue
            head = data.split(b"\r\n\r\n", 1)[0]
            if needle in head:
                found.append(data)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def maildir_check(directory, token, sent=None):
    found = maildir_find(directory, token)
    check(found, f"no message with Subject {token} in {directory}")
    check(len(found) == 1, f"{len(found)} copies of {token} stored, expected one")
    data = found[0]
    check(data.startswith(b"Return-Path: <") and b"\r\nReceived: from " in data[:400],
          f"no trace headers: {data[:120]!r}")
    if sent is not None:
        check(data.endswith(sent),
              f"stored file does not end with the sent message ({len(data)} vs {len(sent)} bytes)")
    return data


# ------------------------------------------------------------------ cases against OUR server

P = {k: int(os.environ[k]) for k in ("OURS_SMTP_PORT", "OURS_SUBMISSION_PORT",
                                     "OURS_SUBMISSIONS_PORT", "OURS_LMTP_PORT")
     if k in os.environ}
MAILDIR = os.environ.get("OURS_MAILDIR", "")
LOG = os.environ.get("OURS_LOG", "")
ALICE = ("alice", "alice-secret")
CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


def tok(name):
    return f"ours-{RUN}-{name}"


def send_and_check(s, name, kind="small", to=None, **kw):
    t = tok(name)
    to = to or addr("bob")
    msg = build(kind, t, addr("alice"), to)
    refused = s.sendmail(addr("alice"), [to], msg, **kw)
    check(not refused, f"refused: {refused!r}")
    return maildir_check(MAILDIR, t, msg)


def auth(s, mech):
    offered = s.esmtp_features.get("auth", "").upper().split()
    check(mech in offered, f"AUTH {mech} not offered ({offered})")
    s.user, s.password = ALICE
    obj = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
    code, resp = s.auth(mech, obj, initial_response_ok=(mech != "CRAM-MD5"))
    check(code == 235, f"AUTH {mech}: {code} {resp!r}")


@case("py-ours-smtp-plain")
def _plain():
    with smtplib.SMTP(HOST, P["OURS_SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        for ext in ["pipelining", "8bitmime", "smtputf8", "size", "chunking", "dsn",
                    "enhancedstatuscodes", "starttls", "auth"]:
            check(s.has_extn(ext), f"EHLO lacks {ext.upper()}")
        auth_offered = s.esmtp_features["auth"].split()
        check(auth_offered == ["CRAM-MD5"], f"before TLS only CRAM-MD5 expected: {auth_offered}")
        send_and_check(s, "py-ours-smtp-plain")


@case("py-ours-smtp-starttls")
def _starttls():
    with smtplib.SMTP(HOST, P["OURS_SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=clients.tls_context())
        s.ehlo("client.example.test")
        check(not s.has_extn("starttls"), "STARTTLS still offered after STARTTLS")
        offered = s.esmtp_features["auth"].split()
        check(offered == ["PLAIN", "LOGIN", "CRAM-MD5"], f"AUTH over TLS: {offered}")
        data = send_and_check(s, "py-ours-smtp-starttls")
        check(b" with ESMTPS id " in data[:400], "Received: lacks ESMTPS")


@case("py-ours-smtp-unknown-user")
def _unknown():
    with smtplib.SMTP(HOST, P["OURS_SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        code, _ = s.mail(addr("alice"))
        check(code == 250, f"MAIL: {code}")
        for rcpt in [addr("nobody"), "bob@elsewhere.test"]:
            code, resp = s.rcpt(rcpt)
            check(code == 550, f"RCPT {rcpt}: {code} {resp!r}")
        code, _ = s.rcpt("postmaster@" + DOMAIN)
        check(code == 250, f"RCPT postmaster: {code}")
        s.rset()


def _submission(mech):
    def run():
        with smtplib.SMTP(HOST, P["OURS_SUBMISSION_PORT"], timeout=TIMEOUT) as s:
            s.ehlo("client.example.test")
            s.starttls(context=clients.tls_context())
            s.ehlo("client.example.test")
            auth(s, mech)
            data = send_and_check(s, f"py-ours-submission-auth-{mech.lower()}")
            check(b" with ESMTPSA id " in data[:400], "Received: lacks ESMTPSA")
    return run


for _m in ["PLAIN", "LOGIN", "CRAM-MD5"]:
    case(f"py-ours-submission-starttls-auth-{_m.lower()}")(_submission(_m))


@case("py-ours-submission-requires-auth")
def _requires_auth():
    with smtplib.SMTP(HOST, P["OURS_SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=clients.tls_context())
        s.ehlo("client.example.test")
        code, resp = s.mail(addr("alice"))
        check(code == 530, f"MAIL without AUTH: {code} {resp!r}")


@case("py-ours-submission-bad-password")
def _bad_password():
    with smtplib.SMTP(HOST, P["OURS_SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=clients.tls_context())
        s.ehlo("client.example.test")
        try:
            s.login("alice", "wrong")
        except smtplib.SMTPAuthenticationError as e:
            check(e.smtp_code == 535, f"wrong password: {e.smtp_code}")
            return
    raise clients.CaseFailure("wrong password accepted")


@case("py-ours-submissions-implicit-tls")
def _implicit():
    with smtplib.SMTP_SSL(HOST, P["OURS_SUBMISSIONS_PORT"], timeout=TIMEOUT,
                          context=clients.tls_context()) as s:
        s.ehlo("client.example.test")
        check(not s.has_extn("starttls"), "STARTTLS offered on implicit TLS")
        s.login(*ALICE)
        send_and_check(s, "py-ours-submissions-implicit-tls")


@case("py-ours-8bit-utf8")
def _utf8():
    with smtplib.SMTP(HOST, P["OURS_SUBMISSION_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        s.starttls(context=clients.tls_context())
        s.ehlo("client.example.test")
        s.login(*ALICE)
        data = send_and_check(s, "py-ours-8bit-utf8", kind="utf8",
                              mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        check(b" with UTF8SMTPSA id " in data[:400], "Received: lacks UTF8SMTPSA")


@case("py-ours-10mb")
def _big():
    with smtplib.SMTP(HOST, P["OURS_SUBMISSION_PORT"], timeout=60) as s:
        s.ehlo("client.example.test")
        s.starttls(context=clients.tls_context())
        s.ehlo("client.example.test")
        s.login(*ALICE)
        t = tok("py-ours-10mb")
        msg = build("big", t, addr("alice"), addr("bob"))
        size_limit = int(s.esmtp_features.get("size", "0") or 0)
        check(size_limit >= len(msg), f"SIZE {size_limit} < {len(msg)}")
        # smtplib adds SIZE= itself when SIZE is offered (passing it again in mail_options
        # would send the parameter twice, which our server refuses with 501 5.5.4).
        refused = s.sendmail(addr("alice"), [addr("bob")], msg)
        check(not refused, f"refused: {refused!r}")
        data = maildir_check(MAILDIR, t)
        check(hashlib.sha256(data[-len(msg):]).digest() == hashlib.sha256(msg).digest(),
              "10 MB message changed in transit")


@case("py-ours-lmtp")
def _lmtp():
    t = tok("py-ours-lmtp")
    msg = build("small", t, addr("alice"), addr("bob"))
    s = smtplib.LMTP(HOST, P["OURS_LMTP_PORT"], timeout=TIMEOUT)
    try:
        code, _ = s.ehlo("client.example.test")  # LHLO
        check(code == 250, f"LHLO: {code}")
        check(s.mail(addr("alice"))[0] == 250, "MAIL")
        check(s.rcpt(addr("bob"))[0] == 250, "RCPT bob")
        check(s.rcpt(addr("nobody"))[0] == 550, "RCPT nobody not refused")
        check(s.rcpt(addr("alice"))[0] == 250, "RCPT alice")
        code, _ = s.docmd("DATA")
        check(code == 354, f"DATA: {code}")
        s.send(msg.replace(b"\r\n.", b"\r\n..") + b".\r\n")
        replies = [s.getreply() for _ in range(2)]  # RFC 2033: one per accepted recipient
        check([c for c, _ in replies] == [250, 250], f"per-recipient replies: {replies!r}")
        check(b"bob@" in replies[0][1] and b"alice@" in replies[1][1],
              f"replies not in RCPT order: {replies!r}")
    finally:
        s.quit()
    maildir_check(MAILDIR, t, msg)


@case("py-ours-dsn-notify-success")
def _dsn():
    t = tok("py-ours-dsn-notify-success")
    msg = build("small", t, addr("alice"), addr("bob"))
    with smtplib.SMTP(HOST, P["OURS_SMTP_PORT"], timeout=TIMEOUT) as s:
        s.ehlo("client.example.test")
        check(s.has_extn("dsn"), "no DSN")
        refused = s.sendmail(addr("alice"), [addr("bob")], msg, mail_options=["RET=HDRS", f"ENVID={t}"],
                             rcpt_options=["NOTIFY=SUCCESS", f"ORCPT=rfc822;{addr('bob')}"])
        check(not refused, f"refused: {refused!r}")
    maildir_check(MAILDIR, t, msg)
    # The "delivered" report for the local sender lands in the same Maildir.
    deadline = time.monotonic() + 10
    needle = f"Original-Envelope-Id: {t}\r\n".encode()
    while True:
        reports = [open(p, "rb").read() for p in glob.glob(os.path.join(MAILDIR, "new", "*"))]
        reports = [r for r in reports if needle in r]
        if reports or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(len(reports) == 1, f"{len(reports)} DSNs for {t}")
    r = reports[0]
    for want in [b"Return-Path: <>\r\n", b"report-type=delivery-status",
                 f"Final-Recipient: rfc822; {addr('bob')}\r\nAction: delivered\r\nStatus: 2.0.0".encode(),
                 b"Content-Type: text/rfc822-headers", f"Subject: {t}".encode()]:
        check(want in r, f"DSN lacks {want!r}")


def read_reply(f):
    """One SMTP reply (all lines) from a file object."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise clients.CaseFailure(f"connection closed after {lines!r}")
        lines.append(line)
        if line[3:4] != b"-":
            return lines


@case("py-ours-raw-pipelining")
def _pipelining():
    t = tok("py-ours-raw-pipelining")
    msg = build("small", t, addr("alice"), addr("bob"))
    with socket.create_connection((HOST, P["OURS_SMTP_PORT"]), timeout=TIMEOUT) as sock:
        f = sock.makefile("rb")
        read_reply(f)
        sock.sendall(b"EHLO client.example.test\r\n")
        check(b"250-PIPELINING\r\n" in b"".join(read_reply(f)), "no PIPELINING")
        # RFC 2920: the whole envelope and DATA in one write.
        sock.sendall(f"MAIL FROM:<{addr('alice')}>\r\nRCPT TO:<{addr('bob')}>\r\n"
                     f"RCPT TO:<{addr('nobody')}>\r\nRCPT TO:<{addr('alice')}>\r\nDATA\r\n".encode())
        codes = [read_reply(f)[0][:3] for _ in range(5)]
        check(codes == [b"250", b"250", b"550", b"250", b"354"], f"replies: {codes!r}")
        sock.sendall(msg.replace(b"\r\n.", b"\r\n..") + b".\r\nQUIT\r\n")
        codes = [read_reply(f)[0][:3] for _ in range(2)]
        check(codes == [b"250", b"221"], f"end of data, QUIT: {codes!r}")
    maildir_check(MAILDIR, t, msg)


@case("py-ours-raw-bdat")
def _bdat():
    t = tok("py-ours-raw-bdat")
    msg = build("small", t, addr("alice"), addr("bob")) + b"\r\n.\r\nnot the end\r\n"
    half = len(msg) // 2
    with socket.create_connection((HOST, P["OURS_SMTP_PORT"]), timeout=TIMEOUT) as sock:
        f = sock.makefile("rb")
        read_reply(f)
        sock.sendall(b"EHLO client.example.test\r\n")
        check(b"250-CHUNKING\r\n" in b"".join(read_reply(f)), "no CHUNKING")
        sock.sendall(f"MAIL FROM:<{addr('alice')}> BODY=BINARYMIME\r\nRCPT TO:<{addr('bob')}>\r\n".encode()
                     + f"BDAT {half}\r\n".encode() + msg[:half]
                     + f"BDAT {len(msg) - half} LAST\r\n".encode() + msg[half:] + b"QUIT\r\n")
        codes = [read_reply(f)[0][:3] for _ in range(5)]
        check(codes == [b"250"] * 4 + [b"221"], f"replies: {codes!r}")
    # BDAT content is stored exactly, ".\r\n" lines and all (RFC 3030: no dot-stuffing).
    maildir_check(MAILDIR, t, msg)


@case("py-ours-starttls-injection-discarded")
def _injection():
    ctx = clients.tls_context()
    with socket.create_connection((HOST, P["OURS_SMTP_PORT"]), timeout=TIMEOUT) as sock:
        f = sock.makefile("rb")
        read_reply(f)
        injected = f"MAIL FROM:<evil@{DOMAIN}>\r\n".encode()
        sock.sendall(b"EHLO client.example.test\r\nSTARTTLS\r\n" + injected)
        read_reply(f)
        code = read_reply(f)[0][:3]
        check(code == b"220", f"STARTTLS: {code!r}")
        with ctx.wrap_socket(sock, server_hostname=HOST) as tls:
            g = tls.makefile("rb")
            tls.sendall(b"EHLO client.example.test\r\n")
            read_reply(g)
            tls.sendall(f"RCPT TO:<{addr('bob')}>\r\n".encode())
            reply = b"".join(read_reply(g))
            check(reply.startswith(b"503"), f"injected MAIL took effect: {reply!r}")
            tls.sendall(b"QUIT\r\n")
            read_reply(g)
    if LOG:
        want = f"STARTTLS: discarded {len(injected)} byte(s)"
        deadline = time.monotonic() + 5
        while want not in open(LOG, encoding="utf-8", errors="replace").read():
            check(time.monotonic() < deadline, f"server log lacks {want!r}")
            time.sleep(0.1)


def run_cases():
    for name, fn in CASES:
        t0 = time.monotonic()
        try:
            fn()
            print(f"PASS {name} ({time.monotonic() - t0:.2f}s)", flush=True)
        except clients.CaseFailure as e:
            print(f"FAIL {name}: {e}", flush=True)
        except Exception as e:  # any client error is a failed case, with its cause
            where = traceback.extract_tb(e.__traceback__)[-1]
            print(f"FAIL {name}: {type(e).__name__}: {e} (line {where.lineno})", flush=True)


def main(argv):
    try:
        if len(argv) == 6 and argv[1] == "msg":
            sys.stdout.buffer.write(build(argv[2], argv[3], argv[4], argv[5]))
            return 0
        if len(argv) == 6 and argv[1] == "imap-body":
            imap_body(argv[2], argv[3], argv[4], argv[5])
            return 0
        if len(argv) in (4, 5) and argv[1] == "maildir":
            sent = open(argv[4], "rb").read() if len(argv) == 5 else None
            maildir_check(argv[2], argv[3], sent)
            return 0
        if len(argv) == 2 and argv[1] == "cases":
            run_cases()
            return 0
    except Exception as e:  # a failed check: one line for the caller's FAIL message
        print(f"{argv[1]}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
