#!/usr/bin/env python3
"""Helpers of ours-imap.sh (IMAP interop of the crates' binaries with real software).

Subcommands:
  send-big USER TOKEN BODY-FILE      ~10 MiB message through Postfix (SMTP 10025); body saved
  send-8bit USER TOKEN BODY-FILE     8-bit UTF-8 message (BODY=8BITMIME) through Postfix
  send-small USER TOKEN              a small message through Postfix
  wait-file MAILDIR TOKEN            wait (60 s) until a file with TOKEN is in MAILDIR new/ or cur/
  check-body DIR TOKEN BODY-FILE     the file in DIR with Subject TOKEN has exactly that body (CRLF)
  find-uid DIR TOKEN                 print the UID (file name <uid>.eml) of the fetched file with TOKEN
  dovecot-mkdir USER PASSWORD NAME   create folder NAME on Dovecot (imaplib, STARTTLS)
  dovecot-count USER PASSWORD NAME TOKEN
                                     print how many messages of folder NAME contain TOKEN
  seed MAILDIR EXPECT-DIR            seed a Maildir for our server; expected wire forms to EXPECT-DIR
  imaplib PORT TLS-PORT MAILDIR EXPECT-DIR
                                     Python imaplib against OUR server; one PASS/FAIL line per case
  same-set DIR EXPECT-DIR            the files of DIR are exactly the expected messages (LF-normalized,
                                     mbsync's X-TUID header line ignored)
All network use is 127.0.0.1 only; TLS is verified against $CA_PEM.
"""

import hashlib
import imaplib
import os
import re
import smtplib
import ssl
import sys
import time

HOST = os.environ.get("INTEROP_HOST", "127.0.0.1")
DOMAIN = os.environ.get("INTEROP_DOMAIN", "example.test")
CA = os.environ.get("CA_PEM", "/tmp/mail-interop/tls/ca.pem")
SMTP_PORT = int(os.environ.get("SMTP_PORT", "10025"))
IMAP_PORT = int(os.environ.get("IMAP_PORT", "10143"))
TIMEOUT = 30
USER, PASSWORD = "alice", "alice-secret"


def tls_context():
    return ssl.create_default_context(cafile=CA)


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def lf(data):
    return data.replace(b"\r\n", b"\n")


def big_body(token):
    lines, size, i = [], 0, 0
    while size < 10 * 1024 * 1024:
        line = f"{token} line {i:08d} " + "x" * 50
        lines.append(line.encode())
        size += len(line) + 2
        i += 1
    return b"\r\n".join(lines) + b"\r\n"


def send(user, token, body, extra_headers="", options=()):
    msg = (f"From: Interop <alice@{DOMAIN}>\r\nTo: <{user}@{DOMAIN}>\r\n"
           f"Subject: {token}\r\nMessage-ID: <{token}@{DOMAIN}>\r\n{extra_headers}\r\n").encode() + body
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=60) as s:
        s.ehlo("client.example.test")
        s.sendmail(f"alice@{DOMAIN}", [f"{user}@{DOMAIN}"], msg, mail_options=list(options))


def cmd_send_big(user, token, path):
    body = big_body(token)
    open(path, "wb").write(body)
    send(user, token, body)
    print(f"sent {len(body)} octets of body")
    return 0


def cmd_send_8bit(user, token, path):
    body = ("8-bit UTF-8 body: Grüße, ünïcödé, 日本語, ✓\r\n" f"token {token}\r\n").encode()
    open(path, "wb").write(body)
    send(user, token, body, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n", options=("BODY=8BITMIME",))
    return 0


def cmd_send_small(user, token):
    send(user, token, f"small message {token}\r\n".encode())
    return 0


def cmd_wait_file(maildir, token):
    deadline, needle = time.time() + 60, token.encode()
    while time.time() < deadline:
        for sub in ("new", "cur"):
            d = os.path.join(maildir, sub)
            for name in (os.listdir(d) if os.path.isdir(d) else []):
                try:
                    if needle in open(os.path.join(d, name), "rb").read(4096):
                        print(f"delivered: {sub}/{name}")
                        return 0
                except FileNotFoundError:
                    continue
        time.sleep(0.3)
    print(f"{token} not delivered into {maildir} within 60 s")
    return 1


def files(d):
    return [os.path.join(d, n) for n in sorted(os.listdir(d)) if not n.startswith(".")]


def cmd_check_body(d, token, body_path):
    want = open(body_path, "rb").read()
    needle = f"Subject: {token}".encode()
    for path in files(d):
        data = open(path, "rb").read()
        head, sep, body = data.partition(b"\r\n\r\n")
        if needle not in head:
            continue
        if body != want:
            print(f"{path}: body differs: {len(body)} octets sha256 {hashlib.sha256(body).hexdigest()}, "
                  f"want {len(want)} octets {hashlib.sha256(want).hexdigest()}")
            return 1
        print(f"{path}: body of {len(body)} octets identical")
        return 0
    print(f"no file in {d} has Subject {token}")
    return 1


def cmd_find_uid(d, token):
    needle = f"Subject: {token}".encode()
    for path in files(d):
        if needle in open(path, "rb").read(65536):
            print(os.path.basename(path).removesuffix(".eml"))
            return 0
    print(f"no file in {d} has Subject {token}")
    return 1


def dovecot(user, password):
    c = imaplib.IMAP4(HOST, IMAP_PORT, timeout=TIMEOUT)
    c.starttls(ssl_context=tls_context())
    c.login(user, password)
    return c


def cmd_dovecot_mkdir(user, password, name):
    c = dovecot(user, password)
    typ, data = c.create(name)
    c.logout()
    print(typ, data)
    return 0 if typ == "OK" else 1


def cmd_dovecot_count(user, password, name, token):
    c = dovecot(user, password)
    typ, _ = c.select(name, readonly=True)
    if typ != "OK":
        print(f"cannot select {name}")
        return 1
    typ, data = c.search(None, "SUBJECT", token)
    c.logout()
    print(len(data[0].split()) if data and data[0] else 0)
    return 0


SEED = [
    ("1.ascii", b"From: a@example.test\r\nTo: alice@example.test\r\nSubject: seed one\r\n\r\nfirst\r\nlast line\r\n"),
    ("2.utf8", "From: a@example.test\r\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n"
     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
     "Grüße aus dem Test — ünïcödé ✓\r\n".encode()),
    ("3.barelf", b"From: a@example.test\nSubject: bare LF line ends\n\nline one\nline two\n"),
    ("4.multipart", b"From: a@example.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
     b"Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\n"
     b"part one\r\n--xx\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     b"AAECAwQ=\r\n--xx--\r\n"),
]


def cmd_seed(maildir, expect):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    os.makedirs(expect, exist_ok=True)
    msgs = list(SEED) + [("5.big", b"From: a@example.test\r\nSubject: seed big\r\n\r\n" + big_body("seed-big"))]
    for i, (name, data) in enumerate(msgs):
        # Unique names in time order, so that UIDs follow the seed order.
        base = f"{1700000000 + i}.seed{i}.interop"
        tmp = os.path.join(maildir, "tmp", base)
        open(tmp, "wb").write(data)
        os.rename(tmp, os.path.join(maildir, "new", base))
        open(os.path.join(expect, name), "wb").write(crlf(data))
    print(f"seeded {len(msgs)} messages")
    return 0


def without_x_tuid(data):
    """mbsync adds an `X-TUID:` line to the header of every message it stores (to find it
    again if interrupted); it is not part of what the server sent."""
    head, sep, body = data.partition(b"\n\n")
    head = re.sub(rb"(?m)^X-TUID: [^\n]*\n?", b"", head + b"\n").rstrip(b"\n")
    return head + sep + body


def cmd_same_set(d, expect):
    got = {hashlib.sha256(without_x_tuid(lf(open(p, "rb").read()))).hexdigest(): p for p in files(d)}
    want = {hashlib.sha256(lf(open(p, "rb").read())).hexdigest(): p for p in files(expect)}
    missing = [want[h] for h in want if h not in got]
    extra = [got[h] for h in got if h not in want]
    if missing or extra:
        print(f"missing {missing}, unexpected {extra}")
        return 1
    print(f"{len(got)} messages identical")
    return 0


# ------------------------------------------------------------------ imaplib against ours

class CaseFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise CaseFailure(msg)


def imaplib_cases(port, tls_port, maildir, expect):
    port, tls_port = int(port), int(tls_port)
    want = {n: open(os.path.join(expect, n), "rb").read() for n in os.listdir(expect)}
    order = sorted(want)
    results = []

    def case(name):
        def wrap(fn):
            try:
                fn()
                results.append(True)
                print(f"PASS py-imap-ours-{name}", flush=True)
            except Exception as e:  # noqa: BLE001 - every failure is a FAIL line
                results.append(False)
                print(f"FAIL py-imap-ours-{name}: {type(e).__name__}: {e}", flush=True)
        return wrap

    def starttls_login():
        c = imaplib.IMAP4(HOST, port, timeout=TIMEOUT)
        c.starttls(ssl_context=tls_context())
        c.login(USER, PASSWORD)
        return c

    @case("capabilities-and-logindisabled")
    def _():
        c = imaplib.IMAP4(HOST, port, timeout=TIMEOUT)
        for cap in ("IMAP4REV1", "STARTTLS", "LOGINDISABLED", "IDLE", "UIDPLUS", "MOVE", "LITERAL+", "NAMESPACE"):
            check(cap in c.capabilities, f"{cap} missing from {c.capabilities}")
        try:
            c.login(USER, PASSWORD)
            raise CaseFailure("LOGIN accepted without TLS")
        except imaplib.IMAP4.error:
            pass
        c.logout()

    @case("cram-md5-plaintext")
    def _():
        c = imaplib.IMAP4(HOST, port, timeout=TIMEOUT)
        c.login_cram_md5(USER, PASSWORD)
        check(c.state == "AUTH", c.state)
        c.logout()

    @case("starttls-login-wrong-password")
    def _():
        c = imaplib.IMAP4(HOST, port, timeout=TIMEOUT)
        c.starttls(ssl_context=tls_context())
        check("STARTTLS" not in c.capabilities, "STARTTLS still offered after TLS")
        try:
            c.login(USER, "wrong")
            raise CaseFailure("wrong password accepted")
        except imaplib.IMAP4.error:
            pass
        c.login(USER, PASSWORD)
        c.logout()

    @case("imaps-authenticate-plain")
    def _():
        c = imaplib.IMAP4_SSL(HOST, tls_port, ssl_context=tls_context(), timeout=TIMEOUT)
        c.authenticate("PLAIN", lambda _: f"\0{USER}\0{PASSWORD}".encode())
        typ, data = c.select("INBOX", readonly=True)
        # The IMAPS Maildir may have grown (curl appends to it before this runs).
        check(typ == "OK" and int(data[0]) >= len(want), data)
        c.logout()

    @case("fetch-every-message-byte-exact")
    def _():
        c = starttls_login()
        typ, data = c.select("INBOX", readonly=True)
        check(int(data[0]) == len(want), f"{data[0]} messages, want {len(want)}")
        for i, name in enumerate(order, 1):
            typ, data = c.uid("FETCH", str(i), "(RFC822.SIZE BODY.PEEK[])")
            body = data[0][1]
            check(body == want[name], f"UID {i} ({name}): {len(body)} octets differ from {len(want[name])}")
            size = int(re.search(rb"RFC822.SIZE (\d+)", data[0][0]).group(1))
            check(size == len(want[name]), f"RFC822.SIZE {size} != {len(want[name])}")
        c.logout()

    @case("envelope-bodystructure-sections")
    def _():
        c = starttls_login()
        c.select("INBOX", readonly=True)
        typ, data = c.fetch("4", "(ENVELOPE BODYSTRUCTURE BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        head = b" ".join(p[0] if isinstance(p, tuple) else p for p in data)
        check(b'"parts"' in head, head)
        check(b'("TEXT" "PLAIN"' in head and b'"MIXED"' in head and b'"BASE64" 8' in head, head)
        parts = [p[1] for p in data if isinstance(p, tuple)]
        check(parts[0] == b"part one", parts)
        check(parts[2] == b"Subject: parts\r\n\r\n", parts)
        c.logout()

    @case("search")
    def _():
        c = starttls_login()
        c.select("INBOX", readonly=True)
        check(c.search(None, "SUBJECT", "parts")[1][0] == b"4", "SUBJECT")
        check(c.search(None, "LARGER", "1000000")[1][0] == b"5", "LARGER")
        check(c.search(None, "OR", "BODY", "first", "SUBJECT", "bare")[1][0] == b"1 3", "OR")
        check(c.uid("SEARCH", "ALL")[1][0] == b"1 2 3 4 5", "UID SEARCH")
        c.logout()

    @case("append-literal-store-copy-move-expunge")
    def _():
        c = starttls_login()
        check(c.create("Archive")[0] == "OK", "CREATE")
        msg = b"Subject: appended by imaplib\r\n\r\nbody\r\n"
        typ, data = c.append("INBOX", "(\\Seen)", None, msg)
        check(typ == "OK" and b"APPENDUID" in data[0], data)
        c.select("INBOX")
        typ, data = c.store("6", "+FLAGS", "(\\Flagged)")
        check(b"\\Flagged" in data[0] and b"\\Seen" in data[0], data)
        typ, data = c.copy("6", "Archive")
        check(typ == "OK" and b"COPYUID" in data[0], data)
        typ, data = c.uid("MOVE", "6", "Archive")
        check(typ == "OK", data)
        typ, data = c.status("Archive", "(MESSAGES)")
        check(b"MESSAGES 2" in data[0], data)
        c.select("Archive")
        c.store("1", "+FLAGS", "\\Deleted")
        typ, data = c.expunge()
        check(data[0] == b"1", data)
        c.logout()

    @case("idle-sees-file-dropped-into-new")
    def _():
        c = starttls_login()
        typ, data = c.select("INBOX")
        before = int(data[0])
        tag = b"I1"
        c.send(tag + b" IDLE\r\n")
        check(c.readline().startswith(b"+"), "no continuation")
        name = f"{int(time.time())}.idle{os.getpid()}.interop"
        open(os.path.join(maildir, "tmp", name), "wb").write(b"Subject: dropped\r\n\r\nby hand\r\n")
        os.rename(os.path.join(maildir, "tmp", name), os.path.join(maildir, "new", name))
        line = c.readline()
        while not line.endswith(b" EXISTS\r\n"):
            line = c.readline()
        check(line == f"* {before + 1} EXISTS\r\n".encode(), line)
        c.send(b"DONE\r\n")
        line = c.readline()
        while not line.startswith(tag + b" "):
            line = c.readline()
        check(line.startswith(tag + b" OK"), line)
        c.logout()

    return 0 if all(results) else 1


COMMANDS = {
    "send-big": cmd_send_big, "send-8bit": cmd_send_8bit, "send-small": cmd_send_small,
    "wait-file": cmd_wait_file, "check-body": cmd_check_body, "find-uid": cmd_find_uid,
    "dovecot-mkdir": cmd_dovecot_mkdir, "dovecot-count": cmd_dovecot_count,
    "seed": cmd_seed, "same-set": cmd_same_set, "imaplib": imaplib_cases,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
