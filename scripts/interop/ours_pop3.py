#!/usr/bin/env python3
"""Helpers for ours-pop3.sh (Python standard library only).

Usage:
  ours_pop3.py seed MAILDIR EXPECT          write test messages into MAILDIR/new and each
                                            message as POP3 sends it (CRLF) to EXPECT/<uidl>
  ours_pop3.py send-big USER TOKEN BODY     send a 10 MiB message to USER through Postfix
                                            (SMTP_PORT); write its body (CRLF) to BODY
  ours_pop3.py send-small USER TOKEN        send a small message to USER through Postfix
  ours_pop3.py send-8bit USER TOKEN BODY    send an 8-bit UTF-8 message (BODY=8BITMIME) to
                                            USER through Postfix; write its body to BODY
  ours_pop3.py wait-file MAILDIR TOKEN      wait (60 s) until a file in MAILDIR/new or cur
                                            contains TOKEN
  ours_pop3.py check-body DIR TOKEN BODY    the .eml file in DIR containing TOKEN has exactly
                                            BODY after its header
  ours_pop3.py same-files DIR EXPECT        DIR holds exactly the files of EXPECT, byte for
                                            byte (names may differ)
  ours_pop3.py contains-all DIR EXPECT      every EXPECT message, with LF line ends, ends some
                                            file of DIR (fetchmail prepends Received:)
  ours_pop3.py curl-uidl LISTING EXPECT N   message N of a UIDL listing names an EXPECT file;
                                            print its path
  ours_pop3.py poplib PORT TLS_PORT MAILDIR EXPECT   poplib cases against our server:
                                            PASS/FAIL lines
  ours_pop3.py stls-injection PORT LOG      plaintext pipelined after STLS is not executed

Settings from the environment (env.sh): INTEROP_HOST, SMTP_PORT, CA_PEM, INTEROP_DOMAIN.
"""

import base64
import hashlib
import hmac
import os
import poplib
import smtplib
import socket
import ssl
import sys
import time

HOST = os.environ.get("INTEROP_HOST", "127.0.0.1")
DOMAIN = os.environ.get("INTEROP_DOMAIN", "example.test")
CA = os.environ.get("CA_PEM", "/tmp/mail-interop/tls/ca.pem")
SMTP_PORT = int(os.environ.get("SMTP_PORT", "10025"))
TIMEOUT = 20
USER, PASSWORD = "alice", "alice-secret"


def tls_context():
    ctx = ssl.create_default_context(cafile=CA)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def crlf(data):
    """Bare LFs as CRLF: what a POP3 server sends for a stored message."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def big_body(token):
    """About 10 MiB of 76-octet lines, every 7th starting with a dot (dot-stuffing)."""
    lines = []
    size = 0
    i = 0
    while size < 10 * 1024 * 1024:
        prefix = "." if i % 7 == 0 else ""
        line = f"{prefix}{token} line {i:08d} " + "x" * 40
        lines.append(line.encode())
        size += len(line) + 2
        i += 1
    return b"\r\n".join(lines) + b"\r\n"


SEED = [
    ("seed-1.ascii",
     b"From: a@example.test\r\nTo: alice@example.test\r\nSubject: seed one\r\n\r\n"
     b"first\r\n.leading dot\r\n..two dots\r\n.\r\nlast line\r\n"),
    ("seed-2.utf8",
     "From: a@example.test\r\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\n"
     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
     "Grüße aus dem Test — ünïcödé ✓\r\n".encode()),
    ("seed-3.barelf",
     b"From: a@example.test\nSubject: bare LF line ends\n\nline one\nline two\n"),
    ("seed-4.dele-me",
     b"From: a@example.test\r\nSubject: delete me\r\n\r\nthis one is deleted by poplib\r\n"),
]


def cmd_seed(maildir, expect):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    os.makedirs(expect, exist_ok=True)
    messages = list(SEED)
    big = b"From: a@example.test\r\nSubject: seed big\r\n\r\n" + big_body("seed-big")
    messages.append(("seed-5.big", big))
    for name, data in messages:
        tmp = os.path.join(maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(maildir, "new", name))
        with open(os.path.join(expect, name), "wb") as f:
            f.write(crlf(data))
    print(f"seeded {len(messages)} messages")


def send(user, token, body, subject_extra="", extra_headers="", options=()):
    msg = (
        f"From: Interop <alice@{DOMAIN}>\r\nTo: <{user}@{DOMAIN}>\r\n"
        f"Subject: {token}{subject_extra}\r\nMessage-ID: <{token}@{DOMAIN}>\r\n"
        f"{extra_headers}\r\n"
    ).encode() + body
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=60) as s:
        s.ehlo("client.example.test")
        s.sendmail(f"alice@{DOMAIN}", [f"{user}@{DOMAIN}"], msg, mail_options=list(options))


def cmd_send_big(user, token, body_path):
    body = big_body(token)
    with open(body_path, "wb") as f:
        f.write(body)
    send(user, token, body, " (10 MiB)")
    print(f"sent {len(body)} octets of body")


def cmd_send_8bit(user, token, body_path):
    body = ("8-bit UTF-8 body: Grüße, ünïcödé, 日本語, ✓\r\n"
            ".a dot-leading line\r\n" + f"token {token}\r\n").encode()
    with open(body_path, "wb") as f:
        f.write(body)
    send(user, token, body, " 8bit",
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n", options=("BODY=8BITMIME",))


def cmd_send_small(user, token):
    send(user, token, f"small message {token}\r\n".encode())


def cmd_wait_file(maildir, token):
    deadline = time.time() + 60
    needle = token.encode()
    while time.time() < deadline:
        for sub in ("new", "cur"):
            d = os.path.join(maildir, sub)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                try:
                    with open(os.path.join(d, name), "rb") as f:
                        if needle in f.read(4096):
                            print(f"delivered: {sub}/{name}")
                            return 0
                except FileNotFoundError:
                    continue
        time.sleep(0.5)
    print(f"{token} not delivered into {maildir} within 60 s")
    return 1


def eml_files(d):
    return [os.path.join(d, n) for n in sorted(os.listdir(d)) if not n.startswith(".")]


def cmd_check_body(d, token, body_path):
    with open(body_path, "rb") as f:
        want = f.read()
    needle = f"Subject: {token}".encode()
    for path in eml_files(d):
        with open(path, "rb") as f:
            data = f.read()
        head, sep, body = data.partition(b"\r\n\r\n")
        if needle not in head:
            continue
        if not sep:
            print(f"{path}: no header/body separator")
            return 1
        if body != want:
            print(f"{path}: body differs: {len(body)} octets, sha256 "
                  f"{hashlib.sha256(body).hexdigest()}, want {len(want)} octets "
                  f"{hashlib.sha256(want).hexdigest()}")
            return 1
        if b"\n" in data.replace(b"\r\n", b""):
            print(f"{path}: bare LF in a fetched message")
            return 1
        print(f"{path}: body of {len(body)} octets identical")
        return 0
    print(f"no fetched file in {d} has Subject {token}")
    return 1


def digests(d):
    out = {}
    for path in eml_files(d):
        with open(path, "rb") as f:
            out[hashlib.sha256(f.read()).hexdigest()] = path
    return out


def cmd_same_files(d, expect):
    got, want = digests(d), digests(expect)
    missing = [want[h] for h in want if h not in got]
    extra = [got[h] for h in got if h not in want]
    if missing or extra:
        print(f"missing {missing}, unexpected {extra}")
        return 1
    print(f"{len(got)} files identical")
    return 0


def cmd_contains_all(d, expect):
    fetched = []
    for path in eml_files(d):
        with open(path, "rb") as f:
            fetched.append(f.read().replace(b"\r\n", b"\n"))
    for path in eml_files(expect):
        with open(path, "rb") as f:
            want = f.read().replace(b"\r\n", b"\n")
        if not any(data.endswith(want) for data in fetched):
            print(f"no fetched message ends with {path}")
            return 1
    print(f"all {len(eml_files(expect))} messages found in {len(fetched)} fetched files")
    return 0


def cmd_curl_uidl(listing, expect, n):
    with open(listing, "rb") as f:
        for line in f.read().decode().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == n:
                path = os.path.join(expect, parts[1])
                if os.path.exists(path):
                    print(path)
                    return 0
                print(f"message {n} has UIDL {parts[1]}, which is not a seeded message")
                return 1
    print(f"message {n} not in the UIDL listing")
    return 1


# ------------------------------------------------------------------ poplib cases

class CaseFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise CaseFailure(msg)


def expected(expect):
    out = {}
    for name in os.listdir(expect):
        with open(os.path.join(expect, name), "rb") as f:
            out[name] = f.read()
    return out


def body(lines):
    return b"".join(line + b"\r\n" for line in lines)


def verify_all(pop, want, label):
    count, size = pop.stat()
    uidls = {}
    for entry in pop.uidl()[1]:
        n, uid = entry.decode().split()
        uidls[int(n)] = uid
    sizes = {int(e.split()[0]): int(e.split()[1]) for e in pop.list()[1]}
    check(count == len(uidls) == len(sizes), f"{label}: STAT {count}, UIDL {len(uidls)}, "
          f"LIST {len(sizes)}")
    check(sum(sizes.values()) == size, f"{label}: STAT size {size} != sum of LIST")
    for n, uid in uidls.items():
        check(uid in want, f"{label}: UIDL {uid} is not a seeded message")
        _, lines, octets = pop.retr(n)
        got = body(lines)
        check(got == want[uid], f"{label}: RETR {n} ({uid}) differs: {len(got)} octets, "
              f"want {len(want[uid])}")
        check(sizes[n] == len(want[uid]), f"{label}: LIST size of {n} is {sizes[n]}, "
              f"want {len(want[uid])}")
    return uidls


def poplib_cases(port, tls_port, maildir, expect):
    want = expected(expect)
    cases = []

    def case(name):
        def deco(fn):
            cases.append((name, fn))
            return fn
        return deco

    @case("py-pop3-ours-capa")
    def _capa():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        caps = pop.capa()
        for c in ("UIDL", "TOP", "STLS", "SASL", "PIPELINING", "RESP-CODES"):
            check(c in caps, f"CAPA lacks {c}: {caps}")
        check("USER" not in caps, "USER offered before TLS")
        check(caps["SASL"] == ["CRAM-MD5"], f"SASL before TLS: {caps['SASL']}")
        pop.stls(context=tls_context())
        caps = pop.capa()
        check("USER" in caps and "STLS" not in caps, f"CAPA after STLS: {caps}")
        check(set(caps["SASL"]) == {"PLAIN", "LOGIN", "CRAM-MD5"}, f"SASL: {caps['SASL']}")
        pop.quit()

    @case("py-pop3-ours-apop")
    def _apop():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        check(b"<" in pop.getwelcome(), f"no APOP timestamp: {pop.getwelcome()!r}")
        pop.apop(USER, PASSWORD)
        verify_all(pop, want, "APOP")
        pop.quit()

    @case("py-pop3-ours-apop-bad-password")
    def _apop_bad():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        try:
            pop.apop(USER, "wrong")
        except poplib.error_proto as e:
            check(e.args[0].startswith(b"-ERR [AUTH]"), f"reply {e.args[0]!r}")
            pop.quit()
            return
        raise CaseFailure("wrong APOP digest accepted")

    @case("py-pop3-ours-user-refused-without-tls")
    def _user_plain():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        try:
            pop.user(USER)
            pop.pass_(PASSWORD)
        except poplib.error_proto:
            pop.quit()
            return
        raise CaseFailure("USER/PASS accepted without TLS")

    @case("py-pop3-ours-stls-user-pass")
    def _stls():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        pop.stls(context=tls_context())
        pop.user(USER)
        pop.pass_(PASSWORD)
        uidls = verify_all(pop, want, "STLS")
        n = next(n for n, u in uidls.items() if u == "seed-1.ascii")
        _, lines, _ = pop.top(n, 2)
        full = want["seed-1.ascii"]
        head = full[: full.index(b"\r\n\r\n") + 4]
        check(body(lines) == head + b"first\r\n.leading dot\r\n", f"TOP {n} 2: {lines}")
        pop.quit()

    @case("py-pop3-ours-pop3s")
    def _pop3s():
        pop = poplib.POP3_SSL(HOST, tls_port, context=tls_context(), timeout=TIMEOUT)
        pop.user(USER)
        pop.pass_(PASSWORD)
        verify_all(pop, want, "POP3S")
        pop.quit()

    @case("py-pop3-ours-auth-cram-md5")
    def _cram():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        resp = pop._shortcmd("AUTH CRAM-MD5")
        check(resp.startswith(b"+ "), f"no challenge: {resp!r}")
        challenge = base64.b64decode(resp[2:])
        digest = hmac.new(PASSWORD.encode(), challenge, "md5").hexdigest()
        resp = pop._shortcmd(base64.b64encode(f"{USER} {digest}".encode()).decode())
        check(resp.startswith(b"+OK"), f"AUTH CRAM-MD5: {resp!r}")
        check(pop.stat()[0] == len(want), "STAT after CRAM-MD5")
        pop.quit()

    @case("py-pop3-ours-stls-auth-plain")
    def _plain():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        pop.stls(context=tls_context())
        ir = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        resp = pop._shortcmd(f"AUTH PLAIN {ir}")
        check(resp.startswith(b"+OK"), f"AUTH PLAIN: {resp!r}")
        check(pop.stat()[0] == len(want), "STAT after AUTH PLAIN")
        pop.quit()

    @case("py-pop3-ours-stls-auth-login")
    def _login():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        pop.stls(context=tls_context())
        check(pop._shortcmd("AUTH LOGIN").startswith(b"+ "), "no LOGIN prompt")
        check(pop._shortcmd(base64.b64encode(USER.encode()).decode()).startswith(b"+ "),
              "no password prompt")
        resp = pop._shortcmd(base64.b64encode(PASSWORD.encode()).decode())
        check(resp.startswith(b"+OK"), f"AUTH LOGIN: {resp!r}")
        pop.quit()

    @case("py-pop3-ours-dele-rset-quit")
    def _dele():
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        pop.apop(USER, PASSWORD)
        uidls = {u: n for n, u in
                 ((int(e.split()[0]), e.split()[1].decode()) for e in pop.uidl()[1])}
        n = uidls["seed-4.dele-me"]
        before = pop.stat()[0]
        pop.dele(n)
        check(pop.stat()[0] == before - 1, "DELE did not hide the message")
        pop.rset()
        check(pop.stat()[0] == before, "RSET did not undelete")
        pop.dele(n)
        names = lambda: [x.split(":")[0] for s in ("new", "cur")
                         for x in os.listdir(os.path.join(maildir, s))]
        check("seed-4.dele-me" in names(), "file removed before QUIT")
        reply = pop.quit()
        check(reply.startswith(b"+OK"), f"QUIT: {reply!r}")
        check("seed-4.dele-me" not in names(), "file still in the Maildir after QUIT")
        os.remove(os.path.join(expect, "seed-4.dele-me"))
        want.pop("seed-4.dele-me")
        pop = poplib.POP3(HOST, port, timeout=TIMEOUT)
        pop.apop(USER, PASSWORD)
        check(pop.stat()[0] == before - 1, "a new session still sees the message")
        pop.quit()

    passed = failed = 0
    for name, fn in cases:
        start = time.time()
        try:
            fn()
            passed += 1
            print(f"PASS {name} ({time.time() - start:.1f}s)", flush=True)
        except Exception as e:  # every failure is a FAIL line, never a crash
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    return 0 if failed == 0 else 1


def cmd_stls_injection(port, log):
    s = socket.create_connection((HOST, port), timeout=TIMEOUT)
    f = s.makefile("rb")
    check(f.readline().startswith(b"+OK"), "no greeting")
    s.sendall(b"STLS\r\nCAPA\r\n")
    check(f.readline().startswith(b"+OK"), "STLS refused")
    t = tls_context().wrap_socket(s, server_hostname="localhost")
    t.sendall(b"QUIT\r\n")
    first = t.makefile("rb").readline()
    check(b"signing off" in first, f"the pipelined CAPA was answered: {first!r}")
    time.sleep(0.3)
    with open(log, "rb") as f:
        check(b"discarded 6 octets of pipelined plaintext" in f.read(), "not logged")
    print("pipelined plaintext discarded and logged")
    return 0


def main(argv):
    cmds = {
        "seed": (cmd_seed, 2), "send-big": (cmd_send_big, 3), "send-small": (cmd_send_small, 2),
        "send-8bit": (cmd_send_8bit, 3),
        "wait-file": (cmd_wait_file, 2), "check-body": (cmd_check_body, 3),
        "same-files": (cmd_same_files, 2), "contains-all": (cmd_contains_all, 2),
        "curl-uidl": (cmd_curl_uidl, 3), "stls-injection": (cmd_stls_injection, 2),
    }
    if len(argv) >= 2 and argv[1] == "poplib" and len(argv) == 6:
        return poplib_cases(int(argv[2]), int(argv[3]), argv[4], argv[5])
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    fn, _ = cmds[argv[1]]
    args = argv[2:]
    if argv[1] == "stls-injection":
        args = [int(args[0]), args[1]]
    try:
        return fn(*args) or 0
    except CaseFailure as e:
        print(e)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
