//! Our POP3 client against our POP3 server on 127.0.0.1: every login method, STLS and
//! implicit TLS, the listing commands, RETR/TOP content byte for byte, DELE applied only at
//! QUIT, RSET, the maildrop lock, leave-on-server fetching by UIDL, and a server that keeps
//! serving after a misbehaving peer.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mail_common::sasl::Mechanism;
use mail_examples::cli::parse_user;
use mail_examples::maildir::Maildir;
use mail_examples::net::client::ClientStream;
use mail_examples::pop3::Pop3Error;
use mail_examples::pop3::client::{
    FetchOptions, LoginMethod, LoginOptions, Session, fetch, file_name,
};
use mail_examples::pop3::server::{Background, Settings};
use mail_examples::tls::{self, SelfSigned};
use tokio_rustls::TlsAcceptor;

const TIMEOUT: Duration = Duration::from_secs(10);
const USER: &str = "alice";
const PASSWORD: &str = "alice-secret";

/// Messages with what POP3 must get right: a dot-leading line, a bare LF (sent as CRLF),
/// a line that is just a dot, and a body longer than TOP asks for.
const MESSAGES: [&[u8]; 3] = [
    b"Subject: one\r\nFrom: a@example.test\r\n\r\nfirst body\r\n.leading dot\r\n.\r\nlast\r\n",
    b"Subject: two\n\nbare LF body\nsecond line\n",
    b"Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\n",
];

/// The bytes POP3 sends for a stored message: bare LFs as CRLF.
fn on_the_wire(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = 0u8;
    for &b in message {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

struct Fixture {
    dir: tempfile::TempDir,
    maildir: Maildir,
    ca: PathBuf,
    acceptor: TlsAcceptor,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path().join("Maildir")).unwrap();
        for m in MESSAGES {
            maildir.deliver("INBOX", m).unwrap();
        }
        let generated = SelfSigned::localhost().unwrap();
        let ca = dir.path().join("ca.pem");
        generated.write_cert_pem(&ca).unwrap();
        let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
        Fixture {
            dir,
            maildir,
            ca,
            acceptor,
        }
    }

    fn settings(&self, stls: bool, allow_plaintext: bool) -> Settings {
        let mut s = Settings::new(
            self.maildir.clone(),
            vec![
                parse_user(&format!("{USER}:{PASSWORD}")).unwrap(),
                parse_user("bob:bob-secret").unwrap(),
            ],
        );
        s.stls = stls.then(|| self.acceptor.clone());
        s.allow_plaintext = allow_plaintext;
        s.log = false;
        s
    }

    fn server(&self, stls: bool, allow_plaintext: bool) -> Background {
        Background::start(self.settings(stls, allow_plaintext), None).unwrap()
    }

    fn tls_config(&self) -> Arc<rustls::ClientConfig> {
        tls::client_config_with_ca(&self.ca).unwrap()
    }

    fn inbox_len(&self) -> usize {
        self.maildir.open_folder("INBOX").unwrap().len()
    }
}

fn connect(server: &Background) -> Session {
    let stream = ClientStream::connect("127.0.0.1", server.addr().port(), TIMEOUT).unwrap();
    let mut session = Session::start(stream).unwrap();
    session.capa().unwrap();
    session
}

fn options(method: LoginMethod, allow_plaintext: bool) -> LoginOptions {
    LoginOptions {
        method,
        allow_plaintext,
    }
}

fn n(x: u32) -> std::num::NonZeroU32 {
    std::num::NonZeroU32::new(x).unwrap()
}

/// STAT, LIST, UIDL agree with the store, and RETR returns each message byte for byte.
fn check_maildrop(session: &mut Session, maildir: &Maildir) {
    let view = maildir.pop3().unwrap();
    let total: u64 = MESSAGES.iter().map(|m| on_the_wire(m).len() as u64).sum();
    assert_eq!(session.stat().unwrap(), (3, total));
    let list = session.list().unwrap();
    let uidl = session.uidl().unwrap();
    assert_eq!(list.len(), 3);
    for ((num, size), (num2, uid)) in list.iter().zip(&uidl) {
        assert_eq!(num, num2);
        let m = view.get(num.get() as usize).unwrap();
        assert_eq!((*size, uid.as_str()), (m.size(), m.uidl()));
    }
    for (i, original) in MESSAGES.iter().enumerate() {
        let mut got = Vec::new();
        let size = session.retr(n(i as u32 + 1), &mut got).unwrap();
        assert_eq!(got, on_the_wire(original), "message {}", i + 1);
        assert_eq!(size, got.len() as u64);
        assert_eq!(size, list[i].1, "LIST size of message {}", i + 1);
    }
}

#[test]
fn user_pass_with_plaintext_allowed_on_both_sides() {
    let f = Fixture::new();
    let server = f.server(false, true);
    let mut s = connect(&server);
    let how = s
        .login(USER, PASSWORD, &options(LoginMethod::UserPass, true))
        .unwrap();
    assert_eq!(how, "USER/PASS");
    check_maildrop(&mut s, &f.maildir);
    let mut top = Vec::new();
    s.top(n(3), 2, &mut top).unwrap();
    assert_eq!(top, b"Subject: three\r\n\r\nl1\r\nl2\r\n");
    assert!(s.noop().is_ok());
    s.quit().unwrap();
}

#[test]
fn client_refuses_a_password_in_the_clear_without_the_flag() {
    let f = Fixture::new();
    let server = f.server(false, true);
    let mut s = connect(&server);
    for method in [
        LoginMethod::UserPass,
        LoginMethod::Sasl(Mechanism::Plain),
        LoginMethod::Sasl(Mechanism::Login),
    ] {
        let err = s
            .login(USER, PASSWORD, &options(method, false))
            .unwrap_err();
        assert!(matches!(err, Pop3Error::PlaintextRefused), "{err}");
    }
    // Nothing was sent: the session is still usable, with a digest method.
    s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    s.quit().unwrap();
}

#[test]
fn server_refuses_user_pass_and_plain_without_tls_by_default() {
    let f = Fixture::new();
    let server = f.server(false, false);
    let mut s = connect(&server);
    let caps = format!("{:?}", s.capabilities().unwrap());
    assert!(!caps.contains("User"), "USER offered without TLS: {caps}");
    assert!(!s.offers_sasl("PLAIN") && !s.offers_sasl("LOGIN"));
    assert!(s.offers_sasl("CRAM-MD5"));
    let err = s
        .login(USER, PASSWORD, &options(LoginMethod::UserPass, true))
        .unwrap_err();
    assert!(matches!(err, Pop3Error::Refused { .. }), "{err}");
    // The automatic choice takes CRAM-MD5, which is fine in the clear.
    let how = s
        .login(USER, PASSWORD, &options(LoginMethod::Auto, false))
        .unwrap();
    assert_eq!(how, "AUTH CRAM-MD5");
    s.quit().unwrap();
}

#[test]
fn apop_logs_in_and_a_wrong_password_is_refused() {
    let f = Fixture::new();
    let server = f.server(false, false);
    let mut s = connect(&server);
    let ts = s.timestamp().unwrap().to_owned();
    assert!(ts.starts_with('<') && ts.ends_with("@localhost>"), "{ts}");
    let err = s
        .login(USER, "wrong", &options(LoginMethod::Apop, false))
        .unwrap_err();
    match err {
        Pop3Error::Refused { text, .. } => assert!(text.starts_with("[AUTH]"), "{text}"),
        other => panic!("{other}"),
    }
    s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    check_maildrop(&mut s, &f.maildir);
    s.quit().unwrap();
    // Every session gets its own timestamp.
    let s2 = connect(&server);
    assert_ne!(s2.timestamp().unwrap(), ts);
}

#[test]
fn auth_plain_login_and_cram_md5() {
    let f = Fixture::new();
    let server = f.server(false, true);
    for mech in [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5] {
        let mut s = connect(&server);
        let bad = s.login(
            USER,
            "nope",
            &options(LoginMethod::Sasl(mech.clone()), true),
        );
        assert!(matches!(bad, Err(Pop3Error::Refused { .. })), "{mech:?}");
        let how = s
            .login(
                USER,
                PASSWORD,
                &options(LoginMethod::Sasl(mech.clone()), true),
            )
            .unwrap();
        assert_eq!(how, format!("AUTH {}", mech.as_str()));
        assert_eq!(s.stat().unwrap().0, 3);
        s.quit().unwrap();
    }
    // The other user works too, with its own password.
    let mut s = connect(&server);
    s.login(
        "bob",
        "bob-secret",
        &options(LoginMethod::Sasl(Mechanism::CramMd5), false),
    )
    .unwrap();
    s.quit().unwrap();
}

#[test]
fn stls_then_user_pass() {
    let f = Fixture::new();
    let server = f.server(true, false);
    let mut s = connect(&server);
    assert!(s.offers_stls());
    s.stls(f.tls_config(), "localhost").unwrap();
    assert!(s.is_tls());
    // After STLS: no STLS any more, and the plaintext methods are offered.
    assert!(!s.offers_stls());
    assert!(s.offers_sasl("PLAIN"));
    s.login(USER, PASSWORD, &options(LoginMethod::UserPass, false))
        .unwrap();
    check_maildrop(&mut s, &f.maildir);
    s.quit().unwrap();
}

#[test]
fn implicit_tls_with_auth_plain() {
    let f = Fixture::new();
    let server = Background::start(f.settings(false, false), Some(f.acceptor.clone())).unwrap();
    let stream =
        ClientStream::connect_tls("localhost", server.addr().port(), TIMEOUT, f.tls_config())
            .unwrap();
    let mut s = Session::start(stream).unwrap();
    s.capa().unwrap();
    assert!(s.is_tls() && !s.offers_stls());
    s.login(
        USER,
        PASSWORD,
        &options(LoginMethod::Sasl(Mechanism::Plain), false),
    )
    .unwrap();
    check_maildrop(&mut s, &f.maildir);
    s.quit().unwrap();
}

#[test]
fn dele_is_applied_at_quit_only_and_rset_undoes_it() {
    let f = Fixture::new();
    let server = f.server(false, false);
    let login = |s: &mut Session| {
        s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
            .unwrap();
    };
    // DELE then RSET then QUIT: nothing removed.
    let mut s = connect(&server);
    login(&mut s);
    s.dele(n(1)).unwrap();
    assert_eq!(s.stat().unwrap().0, 2);
    assert!(matches!(
        s.retr(n(1), &mut Vec::new()),
        Err(Pop3Error::Refused { .. })
    ));
    s.rset().unwrap();
    assert_eq!(s.stat().unwrap().0, 3);
    s.quit().unwrap();
    assert_eq!(f.inbox_len(), 3);
    // DELE then a dropped connection: nothing removed (RFC 1939 §6).
    let mut s = connect(&server);
    login(&mut s);
    s.dele(n(1)).unwrap();
    s.into_inner().close().unwrap();
    // The server notices the close and unlocks; wait for it.
    let mut s = loop {
        let mut s = connect(&server);
        match s.login(USER, PASSWORD, &options(LoginMethod::Apop, false)) {
            Ok(_) => break s,
            Err(Pop3Error::Refused { text, .. }) if text.contains("IN-USE") => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(f.inbox_len(), 3);
    // DELE 1 and 3, QUIT: both removed, the middle one stays.
    s.dele(n(1)).unwrap();
    s.dele(n(3)).unwrap();
    let bye = s.quit().unwrap();
    assert!(bye.contains("1 messages left"), "{bye}");
    let mut inbox = f.maildir.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 1);
    let uid = inbox.messages()[0].uid();
    assert_eq!(inbox.read(uid).unwrap(), MESSAGES[1]);
}

#[test]
fn a_second_session_finds_the_maildrop_locked() {
    let f = Fixture::new();
    let server = f.server(false, false);
    let mut first = connect(&server);
    first
        .login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    let mut second = connect(&server);
    match second.login(USER, PASSWORD, &options(LoginMethod::Apop, false)) {
        Err(Pop3Error::Refused { text, .. }) => assert!(text.starts_with("[IN-USE]"), "{text}"),
        other => panic!("{other:?}"),
    }
    first.quit().unwrap();
    second
        .login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    second.quit().unwrap();
}

fn fetch_once(server: &Background, out: &Path, seen: &Path, delete: bool) -> (usize, usize) {
    let mut s = connect(server);
    s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    let report = fetch(
        &mut s,
        &FetchOptions {
            out: out.to_owned(),
            delete,
            keep_seen: Some(seen.to_owned()),
        },
    )
    .unwrap();
    s.quit().unwrap();
    for (_, uidl, path, size) in &report.fetched {
        assert_eq!(path.file_name().unwrap().to_str().unwrap(), file_name(uidl));
        assert_eq!(std::fs::metadata(path).unwrap().len(), *size);
    }
    (report.fetched.len(), report.skipped)
}

#[test]
fn fetch_keeps_mail_on_the_server_and_skips_seen_uidls() {
    let f = Fixture::new();
    let server = f.server(false, false);
    let out = f.dir.path().join("out");
    let seen = f.dir.path().join("seen");
    assert_eq!(fetch_once(&server, &out, &seen, false), (3, 0));
    assert_eq!(f.inbox_len(), 3, "nothing deleted without --delete");
    let record = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(record.lines().count(), 3);
    let mut files: Vec<Vec<u8>> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    files.sort();
    let mut want: Vec<Vec<u8>> = MESSAGES.iter().map(|m| on_the_wire(m)).collect();
    want.sort();
    assert_eq!(files, want);
    // Nothing new: nothing fetched.
    assert_eq!(fetch_once(&server, &out, &seen, false), (0, 3));
    // One new message: only it is fetched; with delete, only it is removed.
    f.maildir
        .deliver("INBOX", b"Subject: four\r\n\r\nnew\r\n")
        .unwrap();
    assert_eq!(fetch_once(&server, &out, &seen, true), (1, 3));
    assert_eq!(f.inbox_len(), 3);
    assert_eq!(std::fs::read_to_string(&seen).unwrap().lines().count(), 4);
}

#[test]
fn fetch_with_delete_empties_the_maildrop() {
    let f = Fixture::new();
    let server = f.server(false, true);
    let out = f.dir.path().join("out");
    let mut s = connect(&server);
    s.login(USER, PASSWORD, &options(LoginMethod::UserPass, true))
        .unwrap();
    let report = fetch(
        &mut s,
        &FetchOptions {
            out: out.clone(),
            delete: true,
            keep_seen: None,
        },
    )
    .unwrap();
    assert_eq!((report.fetched.len(), report.deleted), (3, 3));
    assert!(s.quit().unwrap().contains("maildrop empty"));
    assert_eq!(f.inbox_len(), 0);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
}

/// Reads one CRLF line, a byte at a time (nothing past it is buffered).
fn read_line(stream: &mut ClientStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "closed mid-line: {line:?}"
        );
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

#[test]
fn plaintext_pipelined_after_stls_is_discarded() {
    let f = Fixture::new();
    let server = f.server(true, false);
    let mut c = ClientStream::connect("127.0.0.1", server.addr().port(), TIMEOUT).unwrap();
    assert!(read_line(&mut c).starts_with("+OK"));
    // An attacker's injection rides along with STLS: it must not be executed.
    c.write_all(b"STLS\r\nCAPA\r\n").unwrap();
    c.flush().unwrap();
    assert!(read_line(&mut c).starts_with("+OK"));
    c.upgrade_to_tls(f.tls_config(), "localhost").unwrap();
    c.write_all(b"QUIT\r\n").unwrap();
    c.flush().unwrap();
    let first = read_line(&mut c);
    assert!(
        first.contains("signing off"),
        "the pipelined CAPA was answered: {first}"
    );
}

#[test]
fn the_server_survives_garbage_and_keeps_serving() {
    let f = Fixture::new();
    let server = f.server(false, false);
    let mut c = ClientStream::connect("127.0.0.1", server.addr().port(), TIMEOUT).unwrap();
    assert!(read_line(&mut c).starts_with("+OK"));
    let mut junk = vec![b'A'; 5000];
    junk.extend_from_slice(b"\r\n\x00\xff\xfe\r\nRETR 99999999999999\r\nLIST -1\r\nAUTH\r\n");
    c.write_all(&junk).unwrap();
    c.write_all(b"AUTH CRAM-MD5\r\n!!!not base64!!!\r\nTOP 1 x\r\nSTAT\r\n")
        .unwrap();
    c.flush().unwrap();
    let mut replies = Vec::new();
    for _ in 0..6 {
        replies.push(read_line(&mut c));
    }
    assert!(replies.iter().any(|l| l.starts_with("-ERR")), "{replies:?}");
    drop(c);
    // A fresh session still works.
    let mut s = connect(&server);
    s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    assert_eq!(s.stat().unwrap().0, 3);
    s.quit().unwrap();
}

#[test]
fn the_binaries_print_help() {
    for bin in [
        env!("CARGO_BIN_EXE_pop3-server"),
        env!("CARGO_BIN_EXE_pop3-client"),
    ] {
        let out = std::process::Command::new(bin)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("--maildir") || text.contains("--keep-seen") || text.contains("fetch"),
            "{text}"
        );
        let bad = std::process::Command::new(bin)
            .arg("--no-such-flag")
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(2));
    }
}

#[test]
fn file_names_are_safe_and_distinct() {
    assert_eq!(
        file_name("1795.M1P2Q3.host,S=50"),
        "1795.M1P2Q3.host,S=50.eml"
    );
    let a = file_name("a/b");
    let b = file_name("a:b");
    assert!(
        a.starts_with("a_b-") && b.starts_with("a_b-") && a != b,
        "{a} {b}"
    );
    assert!(!file_name("..").starts_with(".."), "{}", file_name(".."));
    assert!(!file_name("../../etc/passwd").contains('/'));
}

#[test]
fn seen_record_appends_after_a_last_line_without_newline() {
    use mail_examples::pop3::seen::SeenUidls;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seen");
    std::fs::write(&path, "one\n\n  two  ").unwrap();
    let mut seen = SeenUidls::load(&path).unwrap();
    assert!(seen.contains("one") && seen.contains("two") && !seen.contains("three"));
    seen.insert("three").unwrap();
    seen.insert("three").unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "one\n\n  two  \nthree\n"
    );
    let again = SeenUidls::load(&path).unwrap();
    assert_eq!(again.len(), 3);
    // A missing file is an empty record, created on the first insert.
    let mut fresh = SeenUidls::load(dir.path().join("new")).unwrap();
    assert!(fresh.is_empty());
    fresh.insert("x").unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("new")).unwrap(),
        "x\n"
    );
}

/// The server binary, started on a free port; killed when dropped.
struct ServerProcess(std::process::Child, u16);

impl ServerProcess {
    fn start(maildir: &Path, ca: &Path) -> ServerProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pop3-server"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--user",
                "alice:alice-secret",
                "--quiet",
            ])
            .arg("--maildir")
            .arg(maildir)
            .args(["--self-signed", "--cert-out"])
            .arg(ca)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "pop3-server listening on 127.0.0.1:PORT (STLS offered), maildir ..."
        let port = line
            .split_whitespace()
            .nth(3)
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        assert!(line.contains("STLS offered"), "{line}");
        ServerProcess(child, port)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binaries_fetch_over_stls_and_keep_seen() {
    let f = Fixture::new();
    let ca = f.dir.path().join("server-ca.pem");
    let server = ServerProcess::start(f.maildir.root(), &ca);
    let out = f.dir.path().join("fetched");
    let seen = f.dir.path().join("seen");
    let client = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pop3-client"));
        cmd.args(["--server", &format!("127.0.0.1:{}", server.1)])
            .args(["--user", USER, "--password", PASSWORD, "--timeout", "10"])
            .args(extra);
        cmd.output().unwrap()
    };
    let tls = ["--starttls", "--ca", ca.to_str().unwrap()];
    let fetch = [
        "fetch",
        "--out",
        out.to_str().unwrap(),
        "--keep-seen",
        seen.to_str().unwrap(),
    ];
    let args: Vec<&str> = tls
        .iter()
        .chain(["--user-pass"].iter())
        .chain(fetch.iter())
        .copied()
        .collect();
    let first = client(&args);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("fetched 3 new messages"), "{stdout}");
    // APOP, no TLS: nothing new.
    let args: Vec<&str> = ["--apop"].iter().chain(fetch.iter()).copied().collect();
    let second = client(&args);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{stdout}");
    assert!(
        stdout.contains("fetched 0 new messages (0 octets), skipped 3"),
        "{stdout}"
    );
    // USER/PASS in the clear: refused by the client before anything is sent.
    let refused = client(&["--user-pass", "list"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--allow-plaintext"), "{stderr}");
    // `list` with CRAM-MD5 prints one line per message with its UIDL.
    let list = client(&["--auth", "CRAM-MD5", "list"]);
    let stdout = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{stdout}");
    let uidl = f.maildir.pop3().unwrap().get(1).unwrap().uidl().to_owned();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("1 ") && l.ends_with(&uidl)),
        "{stdout}"
    );
    assert_eq!(f.inbox_len(), 3);
}

fn fill(maildir: &Maildir, count: usize) {
    for i in 0..count {
        let body = format!("Subject: bulk {i}\r\n\r\n.dot line {i}\r\nbody {i}\r\n");
        maildir.deliver("INBOX", body.as_bytes()).unwrap();
    }
}

#[test]
fn fetch_pipelines_retr_and_dele_in_windows() {
    let f = Fixture::new();
    fill(&f.maildir, 37); // 40 messages: more than two windows
    let server = f.server(false, false);
    let out = f.dir.path().join("out");
    let mut s = connect(&server);
    assert!(s.offers_pipelining());
    s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    let report = fetch(
        &mut s,
        &FetchOptions {
            out: out.clone(),
            delete: true,
            keep_seen: None,
        },
    )
    .unwrap();
    assert!(report.pipelined);
    assert_eq!((report.fetched.len(), report.deleted), (40, 40));
    for (i, (msg, _, path, _)) in report.fetched.iter().enumerate() {
        assert_eq!(msg.get() as usize, i + 1);
        let data = std::fs::read(path).unwrap();
        if i >= 3 {
            let want = format!(
                "Subject: bulk {}\r\n\r\n.dot line {0}\r\nbody {0}\r\n",
                i - 3
            );
            assert_eq!(data, want.as_bytes());
        }
    }
    // The session is still in step after the pipelined answers.
    assert_eq!(s.stat().unwrap(), (0, 0));
    s.quit().unwrap();
    assert_eq!(f.inbox_len(), 0);
}

#[test]
fn a_failed_retr_in_a_pipeline_leaves_the_session_in_step() {
    let f = Fixture::new();
    fill(&f.maildir, 10);
    let server = f.server(false, false);
    let mut s = connect(&server);
    s.login(USER, PASSWORD, &options(LoginMethod::Apop, false))
        .unwrap();
    // Message 5 vanishes behind the session's back (another program removed it).
    let uidl = f.maildir.pop3().unwrap().get(5).unwrap().uidl().to_owned();
    let cur = f.maildir.root().join("cur");
    let file = std::fs::read_dir(&cur)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(&uidl))
        .unwrap();
    std::fs::remove_file(file).unwrap();
    let out = f.dir.path().join("out");
    let err = fetch(
        &mut s,
        &FetchOptions {
            out: out.clone(),
            delete: false,
            keep_seen: Some(f.dir.path().join("seen")),
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, Pop3Error::Refused { command, text } if command == "RETR" && text.contains("SYS/TEMP")),
        "{err}"
    );
    // The four messages before it were saved and recorded; the answers after it were read.
    // No partial file of the failed one is left behind.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 4);
    assert_eq!(
        std::fs::read_to_string(f.dir.path().join("seen"))
            .unwrap()
            .lines()
            .count(),
        4
    );
    assert_eq!(s.stat().unwrap().0, 13);
    s.quit().unwrap();
}
