//! Python's `imaplib` (an IMAP client nobody here wrote) against our IMAP server on
//! 127.0.0.1: capabilities, LOGINDISABLED before TLS, AUTHENTICATE CRAM-MD5 in plaintext,
//! STARTTLS then LOGIN, implicit TLS with AUTHENTICATE PLAIN, mailbox management, APPEND
//! (synchronizing and LITERAL+ literals), FETCH byte for byte and by section, SEARCH,
//! STORE, COPY/UID MOVE with UIDPLUS codes, EXPUNGE, and IDLE seeing a file dropped into
//! `new/` by another program.
//!
//! Needs `python3` on the PATH. Without it the test prints a note and checks nothing —
//! unless the `CI` environment variable is set, where a missing `python3` is a failure.

use std::process::Command;

use mail_examples::cli::parse_user;
use mail_examples::imap::server::{Background, Settings};
use mail_examples::maildir::{Flag, Maildir};
use mail_examples::tls::SelfSigned;
use tokio_rustls::TlsAcceptor;

const SCRIPT: &str = r#"
import imaplib, os, re, socket, ssl, sys, time
host, port, tls_port, cafile, maildir = sys.argv[1:6]
port, tls_port = int(port), int(tls_port)
ctx = ssl.create_default_context(cafile=cafile)
MSG = open(os.path.join(os.path.dirname(cafile), "msg.eml"), "rb").read()

def out(*a):
    print(*a, flush=True)

# Plaintext: LOGIN refused (LOGINDISABLED), CRAM-MD5 accepted.
c = imaplib.IMAP4(host, port, timeout=20)
out("caps", " ".join(sorted(c.capabilities)))
try:
    c.login("alice", "alice-secret")
    out("login-plaintext accepted")
except imaplib.IMAP4.error:
    out("login-plaintext refused")
c.login_cram_md5("alice", "alice-secret")
out("cram-md5", c.state)
c.logout()

# STARTTLS, then LOGIN; a wrong password first.
c = imaplib.IMAP4(host, port, timeout=20)
c.starttls(ssl_context=ctx)
out("tls-caps", " ".join(sorted(c.capabilities)))
try:
    c.login("alice", "wrong")
    out("wrong-password accepted")
except imaplib.IMAP4.error as e:
    out("wrong-password refused")
typ, data = c.login("alice", "alice-secret")
out("login", typ)
out("create", c.create("Archive")[0], c.create("Work.Projects")[0], c.create("Archive")[0])
out("rename", c.rename("Work.Projects", "Work.Done")[0])
out("subscribe", c.subscribe("Archive")[0])
out("list", sorted(x.decode() for x in c.list()[1]))
out("list-pct", sorted(x.decode() for x in c.list("\"\"", "%")[1]))
out("lsub", [x.decode() for x in c.lsub()[1]])
out("delete", c.delete("Work.Done")[0])
typ, data = c.append("INBOX", "(\\Flagged)", '"01-Feb-2024 10:00:00 +0100"', MSG)
out("append", typ, data[0].decode())
# LITERAL+ by hand: the data follows the announcement without waiting.
c.send(b"L1 APPEND Archive {22+}\r\nSubject: lp\r\n\r\nhello\r\n\r\n")
while True:
    line = c.readline()
    if line.startswith(b"L1 "):
        out("literal-plus", line.decode().strip())
        break
typ, data = c.select("INBOX")
out("select", typ, data[0].decode())
typ, data = c.fetch("1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE)")
for d in data:
    out("fetch-meta", d.decode())
for n in (1, 2):
    typ, data = c.fetch(str(n), "(BODY.PEEK[])")
    out("body", n, len(data[0][1]), data[0][1] == (MSG if n == 2 else None) or n)
    open(os.path.join(os.path.dirname(cafile), f"fetched{n}.eml"), "wb").write(data[0][1])
typ, data = c.fetch("2", "(ENVELOPE BODYSTRUCTURE)")
out("structure", data[0].decode())
typ, data = c.fetch("2", "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.4>)")
for part in data:
    if isinstance(part, tuple):
        out("section", part[0].decode().strip(), repr(part[1]))
out("search-from", c.search(None, "FROM", "alice")[1][0].decode())
out("search-or", c.search(None, "OR", "FLAGGED", "SUBJECT", "first")[1][0].decode())
out("search-text", c.search(None, "TEXT", "gr\xfc\xdfe".encode("utf-8") if False else "attachment")[1][0].decode())
out("search-dates", c.search(None, "SINCE", "1-Jan-2024", "BEFORE", "1-Jan-2100")[1][0].decode())
out("search-size", c.search(None, "LARGER", "100", "NOT", "SMALLER", "10")[1][0].decode())
out("uid-search", c.uid("SEARCH", "UNSEEN")[1][0].decode())
out("fetch-seen", c.fetch("1", "(BODY[TEXT])")[1][-1].decode() if isinstance(c.fetch("1", "(FLAGS)")[1][0], bytes) else "")
out("flags-1", c.fetch("1", "(FLAGS)")[1][0].decode())
out("store", c.store("1", "+FLAGS", "(\\Answered)")[1][0].decode())
typ, data = c.copy("1", "Archive")
out("copy", typ, data[0].decode())
typ, data = c.uid("MOVE", "2", "Archive")
out("uid-move", typ, c.untagged_responses.get("OK", [b""])[-1].decode() if "OK" in c.untagged_responses else "")
out("store-deleted", c.store("1", "+FLAGS.SILENT", "\\Deleted")[0])
typ, data = c.expunge()
out("expunge", typ, [d.decode() for d in data if d])
out("status", c.status("Archive", "(MESSAGES UIDNEXT UNSEEN)")[1][0].decode())
out("namespace", c.namespace()[1][0].decode())
out("bad-seq", c._simple_command("FETCH", "99", "(FLAGS)")[0] if False else "skip")

# IDLE while another program drops a message into new/.
c.send(b"I1 IDLE\r\n")
out("idle-start", c.readline().decode().strip())
name = f"{int(time.time())}.test.host"
with open(os.path.join(maildir, "tmp", name), "wb") as f:
    f.write(b"Subject: dropped\r\n\r\nby hand\r\n")
os.rename(os.path.join(maildir, "tmp", name), os.path.join(maildir, "new", name))
line = c.readline()
while not line.endswith(b"EXISTS\r\n"):
    line = c.readline()
out("idle-update", line.decode().strip())
c.send(b"DONE\r\n")
line = c.readline()
while not line.startswith(b"I1 "):
    line = c.readline()
out("idle-done", line.decode().strip())
c.logout()

# Implicit TLS, AUTHENTICATE PLAIN, EXAMINE is read-only.
c = imaplib.IMAP4_SSL(host, tls_port, ssl_context=ctx, timeout=20)
c.authenticate("PLAIN", lambda _: b"\0alice\0alice-secret")
out("plain", c.state)
typ, data = c.select("Archive", readonly=True)
out("examine", typ, data[0].decode())
out("store-readonly", c.store("1", "+FLAGS", "\\Seen")[0])
c.logout()
out("done")
"#;

const MSG: &[u8] = b"From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: second\r\nDate: Thu, 1 Feb 2024 10:00:00 +0100\r\nMessage-ID: <m2@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\ngr\xc3\xbc\xc3\x9fe\r\n--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n";

#[test]
fn python_imaplib_against_our_server() {
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 not found under CI: IMAP interoperability with imaplib cannot be checked"
        );
        eprintln!("python3 not found: IMAP interoperability with imaplib not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Maildir");
    let maildir = Maildir::open(&root).unwrap();
    maildir
        .deliver(
            "INBOX",
            b"From: Carol <carol@example.test>\r\nSubject: first\r\n\r\nfirst body\r\n",
        )
        .unwrap();
    // Opening the folder gives the delivered message its UID (1) before the APPEND.
    maildir.open_folder("INBOX").unwrap();
    std::fs::write(dir.path().join("msg.eml"), MSG).unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let ca = dir.path().join("ca.pem");
    generated.write_cert_pem(&ca).unwrap();
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let settings = || {
        let mut s = Settings::new(
            maildir.clone(),
            vec![parse_user("alice:alice-secret").unwrap()],
        );
        s.log = false;
        s.idle_poll = std::time::Duration::from_millis(100);
        s
    };
    let mut plain = settings();
    plain.starttls = Some(acceptor.clone());
    let plain = Background::start(plain, None).unwrap();
    let implicit = Background::start(settings(), Some(acceptor)).unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            SCRIPT,
            "localhost",
            &plain.addr().port().to_string(),
            &implicit.addr().port().to_string(),
            ca.to_str().unwrap(),
            root.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "imaplib failed:\n{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let line = |prefix: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{stdout}"))
            .to_string()
    };
    let caps = line("caps ");
    for c in [
        "IMAP4REV1",
        "STARTTLS",
        "LOGINDISABLED",
        "AUTH=CRAM-MD5",
        "IDLE",
        "UIDPLUS",
        "MOVE",
        "NAMESPACE",
        "LITERAL+",
        "ENABLE",
        "ID",
    ] {
        assert!(caps.split(' ').any(|x| x == c), "{c} missing: {caps}");
    }
    assert!(!line("tls-caps ").contains("STARTTLS"));
    assert_eq!(line("login-plaintext"), "login-plaintext refused");
    assert_eq!(line("cram-md5"), "cram-md5 AUTH");
    assert_eq!(line("wrong-password"), "wrong-password refused");
    assert_eq!(line("create"), "create OK OK NO");
    assert_eq!(line("rename"), "rename OK");
    let list = line("list ");
    for n in ["\\\"INBOX", "Archive", "Work.Done", "Work"] {
        assert!(
            list.contains(n.trim_start_matches("\\\"")),
            "{n} not in {list}"
        );
    }
    assert!(
        line("list-pct").contains("(\\\\Noselect \\\\HasChildren) \".\" Work"),
        "{stdout}"
    );
    assert!(!line("list-pct").contains("Work.Done"), "{stdout}");
    assert_eq!(line("lsub"), "lsub ['() \".\" Archive']");
    assert_eq!(line("delete"), "delete OK");
    let append = line("append ");
    assert!(append.starts_with("append OK [APPENDUID "), "{append}");
    assert!(
        line("literal-plus").contains("L1 OK [APPENDUID"),
        "{stdout}"
    );
    assert_eq!(line("select"), "select OK 2");
    assert!(
        line("fetch-meta 2").contains(&format!("RFC822.SIZE {}", MSG.len())),
        "{stdout}"
    );
    assert!(
        line("fetch-meta 2").contains("INTERNALDATE \" 1-Feb-2024 09:00:00 +0000\""),
        "{stdout}"
    );
    assert!(
        line("fetch-meta 2").contains("FLAGS (\\Flagged)"),
        "{stdout}"
    );
    assert_eq!(line("body 2"), format!("body 2 {} True", MSG.len()));
    assert_eq!(std::fs::read(dir.path().join("fetched2.eml")).unwrap(), MSG);
    let structure = line("structure");
    assert!(structure.contains("ENVELOPE (\"Thu, 1 Feb 2024 10:00:00 +0100\" \"second\" ((\"Alice\" NIL \"alice\" \"example.test\"))"), "{structure}");
    assert!(
        structure.contains(
            "BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"8BIT\" 7 1 "
        ),
        "{structure}"
    );
    assert!(structure.contains("(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"a.bin\") NIL NIL \"BASE64\" 8 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.bin\"))"), "{structure}");
    assert!(
        structure.contains("\"MIXED\" (\"BOUNDARY\" \"b1\")"),
        "{structure}"
    );
    assert!(
        stdout.contains("section 2 (BODY[1] {7} b'gr\\xc3\\xbc\\xc3\\x9fe'"),
        "{stdout}"
    );
    assert!(stdout.contains("section BODY[2.MIME] {142}"), "{stdout}");
    assert!(
        stdout
            .contains("section BODY[HEADER.FIELDS (SUBJECT)] {19} b'Subject: second\\r\\n\\r\\n'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("section BODY[TEXT]<0> {4} b'prea'"),
        "{stdout}"
    );
    assert_eq!(line("search-from"), "search-from 2");
    assert_eq!(line("search-or"), "search-or 1 2");
    assert_eq!(line("search-text"), "search-text 2");
    assert_eq!(line("search-dates"), "search-dates 1 2");
    assert_eq!(line("search-size"), "search-size 2");
    assert_eq!(line("uid-search"), "uid-search 1 2");
    // BODY[TEXT] without PEEK set \Seen on message 1.
    assert!(line("flags-1").contains("\\Seen"), "{stdout}");
    assert!(line("store").contains("\\Answered"), "{stdout}");
    assert!(line("copy").starts_with("copy OK [COPYUID "), "{stdout}");
    assert!(line("uid-move").contains("COPYUID"), "{stdout}");
    assert!(
        line("expunge").starts_with("expunge OK [") && line("expunge").ends_with("'1']"),
        "{stdout}"
    );
    assert!(line("status").contains("MESSAGES 3"), "{stdout}");
    assert_eq!(line("namespace"), "namespace ((\"\" \".\")) NIL NIL");
    assert_eq!(line("idle-start"), "idle-start + idling");
    assert_eq!(line("idle-update"), "idle-update * 1 EXISTS");
    assert_eq!(line("idle-done"), "idle-done I1 OK IDLE terminated");
    assert_eq!(line("plain"), "plain AUTH");
    assert_eq!(line("examine"), "examine OK 3");
    assert_eq!(line("store-readonly"), "store-readonly NO");
    assert_eq!(line("done"), "done");

    // The store: the copy kept its flags, the moved message is in Archive, INBOX holds
    // only the dropped message, which the IDLE session picked up from new/.
    let archive = maildir.open_folder("Archive").unwrap();
    assert_eq!(archive.len(), 3);
    assert!(archive.messages()[1].has(Flag::Seen) && archive.messages()[1].has(Flag::Replied));
    let mut archive = archive;
    let uid = archive.messages()[2].uid();
    assert_eq!(archive.read(uid).unwrap(), MSG);
    let inbox = maildir.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 1);
}
