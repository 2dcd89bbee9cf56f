//! Our `imap-client` session against our `imap-server` on 127.0.0.1: every verb (list,
//! fetch byte for byte, append, flag, move, idle), STARTTLS, implicit TLS, every AUTH
//! mechanism, IDLE seeing a message delivered by our SMTP server, bad peers, and the two
//! binaries end to end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::num::NonZeroU32;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use imap_proto::Flag as ImapFlag;
use mail_common::sasl::Mechanism;
use mail_examples::cli::parse_user;
use mail_examples::imap::client::{ImapError, Session};
use mail_examples::imap::server::{Background, Settings};
use mail_examples::maildir::{Flag, Maildir};
use mail_examples::net::client::ClientStream;
use mail_examples::net::server::ServeOptions;
use mail_examples::smtp::server::{BackgroundServer, Mode, ServerSettings, SmtpService};
use mail_examples::tls::{self, SelfSigned};
use tokio_rustls::TlsAcceptor;

const TIMEOUT: Duration = Duration::from_secs(20);
const ASCII: &[u8] = b"From: Carol <carol@example.test>\r\nSubject: plain\r\n\r\nhello\r\n";
const UTF8: &[u8] = "From: Jos\u{e9} <jose@example.test>\r\nSubject: Gr\u{fc}\u{df}e \u{2603}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\u{e9}t\u{e9} \u{1f600}\r\n"
    .as_bytes();

struct Fixture {
    _dir: tempfile::TempDir,
    maildir: Maildir,
    ca: Arc<rustls::ClientConfig>,
    plain: Background,
    implicit: Background,
    root: std::path::PathBuf,
    ca_path: std::path::PathBuf,
}

fn big_message() -> Vec<u8> {
    let mut m = b"Subject: big\r\n\r\n".to_vec();
    let mut i = 0u32;
    while m.len() < 1_500_000 {
        m.extend_from_slice(
            format!("line {i:07} of a large message, 8-bit: \u{e9}\r\n").as_bytes(),
        );
        i += 1;
    }
    m
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Maildir");
    let maildir = Maildir::open(&root).unwrap();
    maildir.deliver("INBOX", ASCII).unwrap();
    maildir.deliver("INBOX", UTF8).unwrap();
    maildir.deliver("INBOX", &big_message()).unwrap();
    maildir.create_folder("Archive").unwrap();
    maildir.open_folder("INBOX").unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let ca_path = dir.path().join("ca.pem");
    generated.write_cert_pem(&ca_path).unwrap();
    let ca = tls::client_config_with_ca(&ca_path).unwrap();
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let settings = || {
        let mut s = Settings::new(
            maildir.clone(),
            vec![parse_user("alice:alice-secret").unwrap()],
        );
        s.log = false;
        s.idle_poll = Duration::from_millis(100);
        s
    };
    let mut plain = settings();
    plain.starttls = Some(acceptor.clone());
    let plain = Background::start(plain, None).unwrap();
    let implicit = Background::start(settings(), Some(acceptor)).unwrap();
    Fixture {
        _dir: dir,
        maildir,
        ca,
        plain,
        implicit,
        root,
        ca_path,
    }
}

impl Fixture {
    fn session(&self, how: &str, allow_plaintext: bool) -> Session {
        let stream = match how {
            "tls" => ClientStream::connect_tls(
                "localhost",
                self.implicit.addr().port(),
                TIMEOUT,
                Arc::clone(&self.ca),
            )
            .unwrap(),
            _ => ClientStream::connect("localhost", self.plain.addr().port(), TIMEOUT).unwrap(),
        };
        let mut s = Session::start(
            stream,
            "localhost",
            Some(Arc::clone(&self.ca)),
            allow_plaintext,
            TIMEOUT,
        )
        .unwrap();
        if how == "starttls" {
            s.starttls().unwrap();
            assert!(s.is_tls());
        }
        s
    }

    fn logged_in(&self, how: &str) -> Session {
        let mut s = self.session(how, false);
        s.login("alice", "alice-secret", None).unwrap();
        s
    }
}

/// Without MOVE the client moves by UID COPY, STORE \Deleted and the typed UID EXPUNGE
/// (RFC 4315 §2.1), which removes only the moved message.
#[test]
fn move_without_move_extension_uses_uid_expunge() {
    let f = fixture();
    let mut settings = Settings::new(
        f.maildir.clone(),
        vec![parse_user("alice:alice-secret").unwrap()],
    );
    settings.log = false;
    settings.allow_plaintext = true;
    settings.offer_move = false;
    let server = Background::start(settings, None).unwrap();
    let stream = ClientStream::connect("localhost", server.addr().port(), TIMEOUT).unwrap();
    let mut s = Session::start(stream, "localhost", None, true, TIMEOUT).unwrap();
    s.login("alice", "alice-secret", None).unwrap();
    assert!(!s.has_capability("MOVE") && s.has_capability("UIDPLUS"));
    // Another message flagged \Deleted stays: UID EXPUNGE names only the moved UID.
    s.flag("INBOX", NonZeroU32::new(3).unwrap(), ImapFlag::Deleted)
        .unwrap();
    let code = s
        .move_message("INBOX", NonZeroU32::new(1).unwrap(), "Archive")
        .unwrap()
        .unwrap();
    assert!(
        code.starts_with("COPYUID ") && code.ends_with(" 1 1"),
        "{code}"
    );
    s.logout().unwrap();
    let inbox = f.maildir.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 2);
    assert!(inbox.by_uid(1).is_none() && inbox.by_uid(3).is_some());
    assert_eq!(f.maildir.open_folder("Archive").unwrap().len(), 1);
}

#[test]
fn list_after_starttls() {
    let f = fixture();
    let mut s = f.logged_in("starttls");
    let names: Vec<String> = s.list().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["INBOX", "Archive"]);
    let caps = s.capability().unwrap();
    assert!(
        caps.iter().any(|c| c == "IDLE") && !caps.iter().any(|c| c == "STARTTLS"),
        "{caps:?}"
    );
    s.logout().unwrap();
}

#[test]
fn every_auth_mechanism() {
    let f = fixture();
    // Without TLS: CRAM-MD5 by default; PLAIN and LOGIN only when allowed.
    let mut s = f.session("plain", false);
    s.login("alice", "alice-secret", None).unwrap();
    s.logout().unwrap();
    for mech in [Mechanism::Plain, Mechanism::Login] {
        let mut s = f.session("plain", false);
        assert!(matches!(
            s.login("alice", "alice-secret", Some(&mech)),
            Err(ImapError::PlaintextRefused)
        ));
        // The server refuses them too without TLS (not offered).
        let mut s = f.session("plain", true);
        assert!(
            matches!(
                s.login("alice", "alice-secret", Some(&mech)),
                Err(ImapError::Refused { .. })
            ),
            "{mech:?}"
        );
    }
    for how in ["starttls", "tls"] {
        for mech in [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5] {
            let mut s = f.session(how, false);
            s.login("alice", "alice-secret", Some(&mech)).unwrap();
            assert_eq!(s.list().unwrap().len(), 2);
            s.logout().unwrap();
            let mut s = f.session(how, false);
            let e = s.login("alice", "wrong", Some(&mech)).unwrap_err();
            assert!(
                matches!(e, ImapError::Refused { kind: "NO", .. }),
                "{how} {mech:?}: {e}"
            );
        }
        // LOGIN command over TLS.
        let mut s = f.session(how, false);
        s.login("alice", "alice-secret", None).unwrap();
        s.logout().unwrap();
    }
}

#[test]
fn fetch_is_byte_exact_over_implicit_tls() {
    let f = fixture();
    let mut s = f.logged_in("tls");
    let out = tempfile::tempdir().unwrap();
    let saved = s.fetch_all("INBOX", out.path()).unwrap();
    assert_eq!(saved.len(), 3);
    assert_eq!(std::fs::read(out.path().join("1.eml")).unwrap(), ASCII);
    assert_eq!(std::fs::read(out.path().join("2.eml")).unwrap(), UTF8);
    assert_eq!(
        std::fs::read(out.path().join("3.eml")).unwrap(),
        big_message()
    );
    // Read-only: nothing became \Seen.
    let inbox = f.maildir.open_folder("INBOX").unwrap();
    assert!(inbox.messages().iter().all(|m| !m.has(Flag::Seen)));
    // An empty folder fetches nothing.
    assert!(s.fetch_all("Archive", out.path()).unwrap().is_empty());
    s.logout().unwrap();
}

#[test]
fn append_flag_move() {
    let f = fixture();
    let mut s = f.logged_in("starttls");
    let code = s.append("Archive", UTF8).unwrap().unwrap();
    assert!(
        code.starts_with("APPENDUID ") && code.ends_with(" 1"),
        "{code}"
    );
    let flags = s
        .flag("INBOX", NonZeroU32::new(2).unwrap(), ImapFlag::Flagged)
        .unwrap();
    assert_eq!(flags, "(\\Flagged)");
    let code = s
        .move_message("INBOX", NonZeroU32::new(1).unwrap(), "Archive")
        .unwrap()
        .unwrap();
    assert!(
        code.starts_with("COPYUID ") && code.ends_with(" 1 2"),
        "{code}"
    );
    let e = s
        .move_message("INBOX", NonZeroU32::new(2).unwrap(), "Nowhere")
        .unwrap_err();
    assert!(e.to_string().contains("TRYCREATE"), "{e}");
    s.logout().unwrap();

    let mut archive = f.maildir.open_folder("Archive").unwrap();
    assert_eq!(archive.len(), 2);
    assert_eq!(archive.read(1).unwrap(), UTF8);
    assert_eq!(archive.read(2).unwrap(), ASCII);
    let inbox = f.maildir.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 2);
    assert!(inbox.by_uid(2).unwrap().has(Flag::Flagged));
}

/// A minimal SMTP dialogue with our SMTP server (the message is dot-stuffing free).
fn smtp_send(port: u16, to: &str, message: &[u8]) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    let expect = |code: &str, reader: &mut BufReader<TcpStream>| loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with(code), "expected {code}, got {line:?}");
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    };
    expect("220", &mut reader);
    for (cmd, code) in [
        ("EHLO client.test\r\n".to_owned(), "250"),
        ("MAIL FROM:<carol@example.test>\r\n".to_owned(), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_owned(), "354"),
    ] {
        w.write_all(cmd.as_bytes()).unwrap();
        expect(code, &mut reader);
    }
    w.write_all(message).unwrap();
    w.write_all(b".\r\n").unwrap();
    expect("250", &mut reader);
    w.write_all(b"QUIT\r\n").unwrap();
    expect("221", &mut reader);
}

#[test]
fn idle_sees_a_delivery_by_the_smtp_server() {
    let f = fixture();
    let mut settings = ServerSettings::new("localhost", Mode::Smtp);
    settings.users = vec![parse_user("alice:alice-secret").unwrap()];
    settings.log = false;
    let smtp = BackgroundServer::start(
        SmtpService::new(settings, f.maildir.clone()),
        "127.0.0.1:0".parse().unwrap(),
        ServeOptions::default(),
    )
    .unwrap();
    let port = smtp.addr().port();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        smtp_send(
            port,
            "alice@localhost",
            b"Subject: via smtp\r\n\r\nnew mail\r\n",
        );
    });
    let mut s = f.logged_in("starttls");
    let mut updates = Vec::new();
    s.idle("INBOX", Duration::from_secs(3), |l| {
        updates.push(l.to_owned())
    })
    .unwrap();
    sender.join().unwrap();
    assert!(updates.iter().any(|l| l == "* 4 EXISTS"), "{updates:?}");
    s.logout().unwrap();
}

#[test]
fn bad_peers_get_answers_and_do_not_stop_the_server() {
    let f = fixture();
    let garbage: [&[u8]; 8] = [
        b"\xff\xfe\x00garbage\r\n",
        b"a1 FETCH {99999999999}\r\n",
        b"a2 LOGIN {2+}\r\nab\r\n",
        b"a3 UID MOVE\r\n",
        b"a4 SELECT\r\n",
        b"a5 AUTHENTICATE PLAIN\r\n!!!\r\n",
        b"a6 IDLE\r\nnot done\r\n",
        b"(((((((((((((((((((((((((((((((((((((((((\r\n",
    ];
    for g in garbage {
        let mut t = TcpStream::connect(f.plain.addr()).unwrap();
        t.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        t.write_all(g).unwrap();
        t.write_all(b"z9 NOOP\r\n").unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains("z9 ") {
            match t.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&got);
        assert!(
            text.contains("z9 OK") || text.contains("* BYE"),
            "{g:?}: {text}"
        );
    }
    // Logged in and selected, with bad sequence numbers and sections.
    let mut s = f.logged_in("tls");
    s.select("INBOX", false).unwrap();
    for body in [
        &b"FETCH 99 (FLAGS)"[..],
        b"FETCH 1 (BODY[9.9.9])",
        b"FETCH 1 (BODY[1.MIME]<5.1>)",
        b"UID FETCH 4000000000:* (UID)",
        b"STORE 1:* +FLAGS (\\Recent)",
        b"SEARCH CHARSET KOI8-R TEXT x",
        b"UID EXPUNGE 1:*",
    ] {
        let (name, args) = body.split_at(body.iter().position(|&b| b == b' ').unwrap());
        let r = s.run(imap_proto::CommandBody::Other {
            name: imap_proto::Atom::new(String::from_utf8(name.to_vec()).unwrap()).unwrap(),
            arguments: args[1..].to_vec().into(),
        });
        // Refusals are fine; what matters is that the session goes on.
        let _ = r;
    }
    assert_eq!(s.list().unwrap().len(), 2);
    s.logout().unwrap();
    // And a fresh session still works.
    let s = f.logged_in("starttls");
    s.logout().unwrap();
}

fn run_bin(name: &str, args: &[&str]) -> std::process::Output {
    let path = match name {
        "imap-client" => env!("CARGO_BIN_EXE_imap-client"),
        _ => env!("CARGO_BIN_EXE_imap-server"),
    };
    Command::new(path).args(args).output().unwrap()
}

#[test]
fn the_binaries() {
    for bin in ["imap-client", "imap-server"] {
        let out = run_bin(bin, &["--help"]);
        assert!(out.status.success(), "{bin} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
        let out = run_bin(bin, &["--no-such-flag"]);
        assert_eq!(out.status.code(), Some(2), "{bin}");
    }
    let f = fixture();
    let port = f.plain.addr().port().to_string();
    let server = format!("localhost:{port}");
    let ca = f.ca_path.to_str().unwrap();
    let base = [
        "--server",
        server.as_str(),
        "--user",
        "alice",
        "--password",
        "alice-secret",
        "--starttls",
        "--ca",
        ca,
    ];
    let with = |extra: &[&str]| {
        let mut v: Vec<&str> = base.to_vec();
        v.extend_from_slice(extra);
        run_bin("imap-client", &v)
    };
    let out = with(&["list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("INBOX\t"));
    let dir = tempfile::tempdir().unwrap();
    let dir_s = dir.path().to_str().unwrap();
    let out = with(&["fetch", "INBOX", "--out", dir_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(dir.path().join("2.eml")).unwrap(), UTF8);
    let file = dir.path().join("new.eml");
    std::fs::write(&file, ASCII).unwrap();
    let out = with(&["append", "Archive", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("appended: APPENDUID "));
    let out = with(&["flag", "INBOX", "1", "\\Seen"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "UID 1 flags (\\Seen)"
    );
    let out = with(&["move", "INBOX", "1", "Archive"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("moved: COPYUID "));
    let out = with(&["idle", "INBOX", "--seconds", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong password: exit 1 and a message.
    let out = run_bin(
        "imap-client",
        &[
            "--server",
            server.as_str(),
            "--user",
            "alice",
            "--password",
            "x",
            "--starttls",
            "--ca",
            ca,
            "list",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused"));
    assert!(Path::new(&f.root).join("cur").is_dir());
}

#[test]
fn lost_uid_file_ends_the_session_with_bye() {
    let f = fixture();
    let mut s = f.logged_in("tls");
    assert_eq!(s.select("INBOX", false).unwrap(), 3);
    // Another program loses the UID file: UIDs are assigned afresh with a new UIDVALIDITY,
    // and a selected session must not go on with the old ones (RFC 3501 §2.3.1.1).
    std::fs::remove_file(f.root.join(mail_examples::maildir::uidlist::UID_FILE)).unwrap();
    let e = s.run(imap_proto::CommandBody::Noop).unwrap_err();
    assert!(
        matches!(&e, ImapError::Closed(t) if t.contains("BYE")),
        "{e}"
    );
    // A new session sees the new UIDs.
    let mut s = f.logged_in("tls");
    assert_eq!(s.select("INBOX", true).unwrap(), 3);
    s.logout().unwrap();
}
