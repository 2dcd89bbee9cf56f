//! Our SMTP client against our SMTP server on 127.0.0.1: plaintext, STARTTLS with every
//! AUTH mechanism, implicit TLS, submission's AUTH requirement, LMTP, refused recipients,
//! DATA and BDAT, 8-bit and UTF-8, size limits, STARTTLS injection, and bad peers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mail_common::sasl::{Mechanism, Secret};
use mail_common::service::Security;
use mail_examples::cli::parse_user;
use mail_examples::maildir::Maildir;
use mail_examples::net::client::ClientStream;
use mail_examples::net::server::ServeOptions;
use mail_examples::smtp::client::{self, Envelope, Login, SendReport, SessionOptions, Stage};
use mail_examples::smtp::server::{
    BackgroundServer, Mode, ServerSettings, SessionSummary, SmtpService,
};
use mail_examples::smtp::{SmtpError, reply_text};
use mail_examples::tls::{self, SelfSigned};
use mail_examples::transcript::{Side, Transcript};
use smtp_proto::{ForwardPath, Host, Mailbox, ReversePath};
use tokio_rustls::TlsAcceptor;

const TIMEOUT: Duration = Duration::from_secs(10);

struct Fixture {
    server: BackgroundServer,
    maildir: tempfile::TempDir,
    ca: PathBuf,
    _ca_dir: tempfile::TempDir,
}

#[derive(Clone, Copy, PartialEq)]
enum Transport {
    Plain,
    StartTls,
    Implicit,
}

fn fixture(mode: Mode, tls: Transport, tweak: impl FnOnce(&mut ServerSettings)) -> Fixture {
    let maildir = tempfile::tempdir().unwrap();
    let ca_dir = tempfile::tempdir().unwrap();
    let cert = SelfSigned::localhost().unwrap();
    let ca = ca_dir.path().join("ca.pem");
    cert.write_cert_pem(&ca).unwrap();
    let acceptor = TlsAcceptor::from(cert.identity().server_config().unwrap());
    let mut settings = ServerSettings::new("mx.example.test", mode);
    settings.users = vec![
        parse_user("alice:alice-secret").unwrap(),
        parse_user("bob:bob-secret").unwrap(),
    ];
    settings.log = false;
    settings.timeout = TIMEOUT;
    if tls == Transport::StartTls {
        settings.starttls = Some(acceptor.clone());
    }
    tweak(&mut settings);
    let service = SmtpService::new(settings, Maildir::open(maildir.path()).unwrap());
    let options = ServeOptions {
        implicit_tls: (tls == Transport::Implicit).then_some(acceptor),
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = BackgroundServer::start(service, "127.0.0.1:0".parse().unwrap(), options).unwrap();
    Fixture {
        server,
        maildir,
        ca,
        _ca_dir: ca_dir,
    }
}

impl Fixture {
    fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    fn options(&self, security: Security) -> SessionOptions {
        let mut o = SessionOptions::new(
            "localhost",
            Host::parse("client.test").unwrap().into_owned(),
        );
        o.security = security;
        if security != Security::Plain {
            o.tls = Some(tls::client_config_with_ca(&self.ca).unwrap());
        }
        o
    }

    fn connect(&self, options: &SessionOptions) -> ClientStream {
        let port = self.addr().port();
        match options.security {
            Security::ImplicitTls => ClientStream::connect_tls(
                "localhost",
                port,
                TIMEOUT,
                Arc::clone(options.tls.as_ref().unwrap()),
            )
            .unwrap(),
            _ => ClientStream::connect("127.0.0.1", port, TIMEOUT).unwrap(),
        }
    }

    fn send(
        &self,
        options: &SessionOptions,
        to: &[&str],
        content: &[u8],
    ) -> Result<SendReport, SmtpError> {
        let envelope = Envelope {
            from: ReversePath::Mailbox(Mailbox::parse("alice@example.test").unwrap().into_owned()),
            to: to.iter().map(|t| rcpt(t)).collect(),
        };
        client::send(self.connect(options), options, &envelope, content)
    }

    /// The files in INBOX's `new/`, oldest name first.
    fn delivered(&self) -> Vec<Vec<u8>> {
        delivered(self.maildir.path())
    }

    /// The summary of the `n`-th finished session (waiting for it to finish).
    fn session(&self, n: usize) -> SessionSummary {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(s) = self.server.service().finished_sessions().get(n) {
                return s.clone();
            }
            assert!(Instant::now() < deadline, "session {n} did not finish");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn delivered(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<_> = std::fs::read_dir(dir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn rcpt(addr: &str) -> ForwardPath<'static> {
    ForwardPath::Mailbox(Mailbox::parse(addr).unwrap().into_owned())
}

fn login(mech: Option<&str>) -> Login {
    Login {
        mechanism: mech.map(|m| Mechanism::parse(m.as_bytes()).unwrap().into_owned()),
        user: "alice".into(),
        password: Secret::new("alice-secret"),
    }
}

/// The stored file is trace headers followed by exactly `content`.
fn assert_stored(file: &[u8], content: &[u8]) {
    assert!(
        file.starts_with(
            b"Return-Path: <alice@example.test>\r\nReceived: from client.test ([127.0.0.1])\r\n"
        ),
        "{}",
        String::from_utf8_lossy(file)
    );
    assert!(file.ends_with(content), "{}", String::from_utf8_lossy(file));
    let headers = file.len() - content.len();
    let trace = String::from_utf8_lossy(&file[..headers]);
    assert_eq!(trace.matches("\r\n").count(), 4, "{trace}");
}

const MESSAGE: &[u8] = b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: hello\r\n\r\nHi Bob.\r\n.a line with a leading dot\r\n..two\r\n.\r\nend\r\n";

#[test]
fn plain_smtp_delivers_with_pipelining_and_chunking() {
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    let report = f
        .send(&f.options(Security::Plain), &["bob@example.test"], MESSAGE)
        .unwrap();
    assert!(report.all_accepted(), "{report:?}");
    assert!(!report.tls);
    assert_eq!(report.extensions, ["PIPELINING", "SIZE", "CHUNKING"]);
    let files = f.delivered();
    assert_eq!(files.len(), 1);
    assert_stored(&files[0], MESSAGE);
    let text = String::from_utf8_lossy(&files[0]);
    assert!(text.contains("with ESMTP id "), "{text}");
    assert!(text.contains("\tfor <bob@example.test>; "), "{text}");
}

#[test]
fn data_without_chunking_is_dot_stuffed_and_byte_identical() {
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    let mut o = f.options(Security::Plain);
    o.chunking = false;
    let report = f.send(&o, &["bob@example.test"], MESSAGE).unwrap();
    assert!(report.all_accepted(), "{report:?}");
    assert_eq!(report.extensions, ["PIPELINING", "SIZE"]);
    assert_stored(&f.delivered()[0], MESSAGE);
}

#[test]
fn bare_lf_content_is_sent_as_crlf_by_both_data_and_bdat() {
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    let lf = b"Subject: lf\n\nline one\n.dot\nno final newline";
    let crlf = b"Subject: lf\r\n\r\nline one\r\n.dot\r\nno final newline\r\n";
    for chunking in [true, false] {
        let mut o = f.options(Security::Plain);
        o.chunking = chunking;
        o.chunk_size = 7; // many chunks, one write each (pipelined)
        assert!(
            f.send(&o, &["bob@example.test"], lf)
                .unwrap()
                .all_accepted()
        );
    }
    let files = f.delivered();
    assert_eq!(files.len(), 2);
    for file in files {
        assert_stored(&file, crlf);
    }
}

#[test]
fn starttls_then_every_auth_mechanism_on_submission() {
    let f = fixture(Mode::Submission, Transport::StartTls, |_| {});
    for mech in ["PLAIN", "LOGIN", "CRAM-MD5"] {
        let mut o = f.options(Security::StartTls);
        o.login = Some(login(Some(mech)));
        let report = f.send(&o, &["bob@example.test"], MESSAGE).unwrap();
        assert!(report.all_accepted(), "{mech}: {report:?}");
        assert!(report.tls, "{mech}");
        assert_eq!(report.authenticated.as_deref(), Some(mech));
        // After STARTTLS the capabilities are the ones announced over TLS.
        let caps = report.capabilities.unwrap();
        let mechs: Vec<_> = caps
            .auth_mechanisms()
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect();
        assert_eq!(mechs, ["PLAIN", "LOGIN", "CRAM-MD5"]);
    }
    let files = f.delivered();
    assert_eq!(files.len(), 3);
    for (i, file) in files.iter().enumerate() {
        assert_stored(file, MESSAGE);
        assert!(String::from_utf8_lossy(file).contains("with ESMTPSA id"));
        let s = f.session(i);
        assert!(s.tls);
        assert_eq!(s.authenticated.as_deref(), Some("alice"));
        assert_eq!(s.discarded_after_starttls, 0);
    }
}

#[test]
fn starttls_asked_of_a_server_without_it_sends_no_mail() {
    // The server has no STARTTLS: the client machine's TLS policy (Required) sends only
    // QUIT after EHLO, never MAIL or the content in the clear.
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    let mut o = f.options(Security::StartTls);
    let transcript = Transcript::new();
    o.transcript = Some(transcript.clone());
    let e = f.send(&o, &["bob@example.test"], MESSAGE).unwrap_err();
    assert!(e.to_string().contains("does not offer STARTTLS"), "{e}");
    assert_eq!(
        String::from_utf8_lossy(&transcript.stream(Side::Client)),
        "EHLO client.test\r\nQUIT\r\n"
    );
    assert!(f.delivered().is_empty());
}

#[test]
fn submission_refuses_mail_before_auth() {
    let f = fixture(Mode::Submission, Transport::StartTls, |_| {});
    let report = f
        .send(
            &f.options(Security::StartTls),
            &["bob@example.test"],
            MESSAGE,
        )
        .unwrap();
    assert!(!report.all_accepted());
    let o = &report.outcomes[0];
    assert_eq!(o.stage, Stage::Mail);
    assert_eq!(
        reply_text(o.reply.as_ref().unwrap()),
        "530 5.7.0 Authentication required"
    );
    assert!(f.delivered().is_empty());
}

#[test]
fn plaintext_auth_is_not_offered_before_tls_but_cram_md5_is() {
    let f = fixture(Mode::Submission, Transport::StartTls, |_| {});
    let mut o = f.options(Security::Plain);
    o.login = Some(login(Some("PLAIN")));
    let e = f.send(&o, &["bob@example.test"], MESSAGE).unwrap_err();
    assert!(e.to_string().contains("does not offer AUTH PLAIN"), "{e}");
    // Automatic choice without TLS: CRAM-MD5.
    o.login = Some(login(None));
    let report = f.send(&o, &["bob@example.test"], MESSAGE).unwrap();
    assert!(report.all_accepted(), "{report:?}");
    assert_eq!(report.authenticated.as_deref(), Some("CRAM-MD5"));
}

#[test]
fn wrong_password_fails_auth() {
    let f = fixture(Mode::Submission, Transport::StartTls, |_| {});
    let mut o = f.options(Security::StartTls);
    let mut l = login(Some("PLAIN"));
    l.password = Secret::new("wrong");
    o.login = Some(l);
    let e = f.send(&o, &["bob@example.test"], MESSAGE).unwrap_err();
    assert_eq!(
        e.to_string(),
        "AUTH refused: 535 5.7.8 Authentication credentials invalid"
    );
    assert!(f.delivered().is_empty());
}

#[test]
fn implicit_tls_submission() {
    let f = fixture(Mode::Submission, Transport::Implicit, |_| {});
    let mut o = f.options(Security::ImplicitTls);
    o.login = Some(login(None));
    let report = f.send(&o, &["bob@example.test"], MESSAGE).unwrap();
    assert!(report.all_accepted(), "{report:?}");
    assert!(report.tls);
    assert_eq!(report.authenticated.as_deref(), Some("PLAIN"));
    let caps = report.capabilities.unwrap();
    assert!(!caps.has(&smtp_proto::Capability::StartTls));
    assert_stored(&f.delivered()[0], MESSAGE);
    assert!(f.session(0).tls);
}

#[test]
fn lmtp_answers_per_recipient() {
    let f = fixture(Mode::Lmtp, Transport::Plain, |_| {});
    for chunking in [true, false] {
        let mut o = f.options(Security::Plain);
        o.lmtp = true;
        o.chunking = chunking;
        let report = f
            .send(
                &o,
                &[
                    "bob@example.test",
                    "carol@example.test",
                    "alice@example.test",
                ],
                MESSAGE,
            )
            .unwrap();
        let got: Vec<_> = report
            .outcomes
            .iter()
            .map(|o| (o.accepted, o.stage, reply_text(o.reply.as_ref().unwrap())))
            .collect();
        assert_eq!(
            got,
            [
                (
                    true,
                    Stage::Data,
                    "250 2.0.0 <bob@example.test> delivered".to_owned()
                ),
                (false, Stage::Rcpt, "550 5.1.1 No such user here".to_owned()),
                (
                    true,
                    Stage::Data,
                    "250 2.0.0 <alice@example.test> delivered".to_owned()
                ),
            ]
        );
    }
    // One copy per transaction in the shared Maildir.
    let files = f.delivered();
    assert_eq!(files.len(), 2);
    assert!(String::from_utf8_lossy(&files[0]).contains("with LMTP id"));
}

#[test]
fn rejected_recipient_is_reported_and_others_delivered() {
    let f = fixture(Mode::Smtp, Transport::Plain, |s| {
        s.domains = vec!["example.test".into()]
    });
    let report = f
        .send(
            &f.options(Security::Plain),
            &[
                "nobody@example.test",
                "bob@example.test",
                "bob@elsewhere.test",
            ],
            MESSAGE,
        )
        .unwrap();
    assert!(!report.all_accepted());
    let stages: Vec<_> = report
        .outcomes
        .iter()
        .map(|o| (o.accepted, o.stage))
        .collect();
    assert_eq!(
        stages,
        [
            (false, Stage::Rcpt),
            (true, Stage::Data),
            (false, Stage::Rcpt)
        ]
    );
    assert_eq!(f.delivered().len(), 1);
    // Every recipient refused: nothing is sent.
    let report = f
        .send(
            &f.options(Security::Plain),
            &["nobody@example.test"],
            MESSAGE,
        )
        .unwrap();
    assert_eq!(report.outcomes[0].stage, Stage::Rcpt);
    assert_eq!(f.delivered().len(), 1);
}

#[test]
fn eight_bit_and_utf8_use_8bitmime_and_smtputf8() {
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    let content = "From: alice@example.test\r\nSubject: Gr\u{fc}\u{df}e \u{2603}\r\n\r\n\u{e9}t\u{e9} \u{1f600}\r\n.\u{e0} la ligne\r\n".as_bytes();
    let options = f.options(Security::Plain);
    let envelope = Envelope {
        from: ReversePath::Mailbox(Mailbox::parse("alice@example.test").unwrap().into_owned()),
        to: vec![rcpt("bob@b\u{fc}cher.example")],
    };
    let report = client::send(f.connect(&options), &options, &envelope, content).unwrap();
    assert!(report.all_accepted(), "{report:?}");
    assert_eq!(
        report.extensions,
        ["PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "CHUNKING"]
    );
    let file = &f.delivered()[0];
    assert!(file.ends_with(content));
    assert!(String::from_utf8_lossy(file).contains("with UTF8SMTP id"));
}

#[test]
fn message_over_the_size_limit_is_refused() {
    let f = fixture(Mode::Smtp, Transport::Plain, |s| s.max_message_size = 1000);
    let big = [MESSAGE, &b"x".repeat(70).repeat(20)].concat();
    for chunking in [true, false] {
        let mut o = f.options(Security::Plain);
        o.chunking = chunking;
        // The server announces SIZE 1000, so the client refuses before MAIL (RFC 1870 §6).
        let e = f.send(&o, &["bob@example.test"], &big).unwrap_err();
        assert_eq!(
            e.to_string(),
            "SIZE=1520 exceeds the server's advertised limit of 1000"
        );
    }
    assert!(f.delivered().is_empty());
}

#[test]
fn data_over_the_size_limit_without_size_param_is_refused_after_the_data() {
    let f = fixture(Mode::Smtp, Transport::Plain, |s| s.max_message_size = 1000);
    let mut conn = TcpStream::connect(f.addr()).unwrap();
    conn.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut session =
        b"EHLO c.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
            .to_vec();
    conn.write_all(&session).unwrap();
    let text = read_until(&mut conn, "354 ");
    assert!(text.contains("250 2.1.5"), "{text}");
    session = [
        &b"Subject: x\r\n\r\n"[..],
        &b"0123456789".repeat(50),
        b"\r\n",
        &b"0123456789".repeat(70),
        b"\r\n.\r\nQUIT\r\n",
    ]
    .concat();
    conn.write_all(&session).unwrap();
    let text = read_until(&mut conn, "221 ");
    assert!(text.contains("552 5.3.4"), "{text}");
    assert!(f.delivered().is_empty());
}

/// Reads until a line starting with `marker` has arrived.
fn read_until(conn: &mut impl Read, marker: &str) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if text.lines().any(|l| l.starts_with(marker)) {
            return text;
        }
        let n = conn.read(&mut buf).unwrap_or(0);
        assert!(n > 0, "connection closed before {marker:?}: {text}");
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn plaintext_pipelined_after_starttls_is_discarded() {
    let f = fixture(Mode::Smtp, Transport::StartTls, |_| {});
    let tcp = TcpStream::connect(f.addr()).unwrap();
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut conn = ClientStream::Plain(tcp);
    read_until(&mut conn, "220 ");
    // An attacker's injection rides along after STARTTLS in the same packet.
    let injected = b"MAIL FROM:<evil@example.test>\r\nRCPT TO:<bob@example.test>\r\n";
    conn.write_all(&[&b"EHLO c.test\r\nSTARTTLS\r\n"[..], injected].concat())
        .unwrap();
    let text = read_until(&mut conn, "220 2.0.0");
    assert!(text.contains("250-STARTTLS"), "{text}");
    conn.upgrade_to_tls(tls::client_config_with_ca(&f.ca).unwrap(), "localhost")
        .unwrap();
    // The injected MAIL was never run: RCPT without MAIL is a bad sequence now.
    conn.write_all(b"EHLO c.test\r\nRCPT TO:<bob@example.test>\r\nQUIT\r\n")
        .unwrap();
    let text = read_until(&mut conn, "221 ");
    assert!(text.contains("503 5.5.1"), "{text}");
    assert!(!text.contains("STARTTLS"), "{text}");
    assert_eq!(f.session(0).discarded_after_starttls, injected.len());
}

#[test]
fn bad_peers_do_not_hurt_the_server() {
    let f = fixture(Mode::Smtp, Transport::StartTls, |_| {});
    let abuse: Vec<Vec<u8>> = vec![
        b"\x00\xff\xfe garbage\r\n\r\n\r\nHELO\r\nMAIL FROM:<<>>\r\n".to_vec(),
        [b"EHLO ".as_slice(), &b"x".repeat(100_000), b"\r\nQUIT\r\n"].concat(),
        b"EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\nbare\nLF\r\n.\r\nQUIT\r\n".to_vec(),
        b"EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@b.test>\r\nBDAT 99999999999\r\nabc".to_vec(),
        b"EHLO c\r\nAUTH PLAIN !!!\r\nAUTH LOGIN\r\n*\r\nAUTH CRAM-MD5\r\nnot base64\r\nAUTH X\r\n".to_vec(),
        b"EHLO c\r\nSTARTTLS\r\n\x16\x03\x01\x00\x05hello".to_vec(),
        vec![b'\n'; 70_000],
    ];
    for bytes in abuse {
        let mut conn = TcpStream::connect(f.addr()).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = conn.write_all(&bytes);
        let _ = conn.shutdown(std::net::Shutdown::Write);
        let mut sink = Vec::new();
        let _ = conn.read_to_end(&mut sink);
    }
    // The bare-LF message was refused, nothing stored, and the server still works.
    assert!(f.delivered().is_empty());
    let report = f
        .send(&f.options(Security::Plain), &["bob@example.test"], MESSAGE)
        .unwrap();
    assert!(report.all_accepted());
}

#[test]
fn three_auth_failures_close_the_session() {
    let f = fixture(Mode::Smtp, Transport::Plain, |s| {
        s.allow_plaintext_auth = true;
        s.max_auth_failures = 3;
    });
    let mut conn = TcpStream::connect(f.addr()).unwrap();
    conn.set_read_timeout(Some(TIMEOUT)).unwrap();
    // AUTH PLAIN with \0alice\0wrong, three times.
    conn.write_all(b"EHLO c\r\nAUTH PLAIN AGFsaWNlAHdyb25n\r\nAUTH PLAIN AGFsaWNlAHdyb25n\r\nAUTH PLAIN AGFsaWNlAHdyb25n\r\nNOOP\r\n").unwrap();
    let mut all = String::new();
    let _ = conn.read_to_string(&mut all);
    assert_eq!(all.matches("535 5.7.8").count(), 3, "{all}");
    assert!(
        all.ends_with("421 4.7.0 Too many authentication failures\r\n"),
        "{all}"
    );
}

/// Pieces of SMTP, good and bad, for the random sessions below.
const PIECES: &[&[u8]] = &[
    b"EHLO c.test\r\n",
    b"HELO c\r\n",
    b"LHLO c\r\n",
    b"MAIL FROM:<a@example.test>\r\n",
    b"MAIL FROM:<> SIZE=10 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x\r\n",
    b"MAIL FROM:<a@example.test> BODY=BINARYMIME\r\n",
    b"RCPT TO:<bob@example.test>\r\n",
    b"RCPT TO:<nobody@example.test>\r\n",
    b"RCPT TO:<Postmaster> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b\r\n",
    b"DATA\r\n",
    b"Subject: x\r\n\r\nhello\r\n",
    b".\r\n",
    b"..dot\r\n",
    b"bare\nLF\r\n",
    b"\r",
    b"BDAT 5\r\n",
    b"BDAT 3 LAST\r\n",
    b"BDAT 0 LAST\r\n",
    b"abc",
    b"RSET\r\n",
    b"NOOP\r\n",
    b"VRFY bob\r\n",
    b"HELP\r\n",
    b"AUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\n",
    b"AUTH PLAIN\r\n",
    b"AUTH LOGIN\r\n",
    b"YWxpY2U=\r\n",
    b"AUTH CRAM-MD5\r\n",
    b"*\r\n",
    b"STARTTLS\r\n",
    b"QUIT\r\n",
    b"\x00\xff\xfe\r\n",
    b"XYZZY plugh\r\n",
];

#[test]
fn random_sessions_never_kill_a_session_task() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let f = fixture(Mode::Submission, Transport::StartTls, |s| {
        s.allow_plaintext_auth = true;
        s.max_message_size = 2000;
    });
    let piece = prop_oneof![
        8 => proptest::sample::select(PIECES),
        1 => Just(&b"x"[..]),
    ];
    let session = (
        proptest::collection::vec(piece, 0..40),
        proptest::collection::vec(1usize..64, 1..8),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config::with_cases(64));
    let connections = std::sync::atomic::AtomicU64::new(0);
    runner
        .run(&session, |(pieces, splits, long)| {
            let mut bytes: Vec<u8> = pieces.concat();
            if long {
                bytes.extend_from_slice(&b"y".repeat(1500));
            }
            let mut conn = TcpStream::connect(f.addr()).unwrap();
            connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            conn.set_read_timeout(Some(TIMEOUT)).unwrap();
            let mut rest = &bytes[..];
            for n in splits.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (now, later) = rest.split_at((*n).min(rest.len()));
                if conn.write_all(now).is_err() {
                    break;
                }
                rest = later;
            }
            let _ = conn.shutdown(std::net::Shutdown::Write);
            let mut replies = Vec::new();
            let _ = conn.read_to_end(&mut replies);
            // Every reply line the server wrote is a well-formed reply line (up to the
            // go-ahead for STARTTLS: after it come TLS records, here a TLS alert).
            let text = String::from_utf8_lossy(&replies);
            let plain = match text.find("220 2.0.0 Ready to start TLS\r\n") {
                Some(i) => &text[..i],
                None => &text[..],
            };
            for line in plain.split_terminator("\r\n") {
                let ok = line.len() >= 3
                    && line.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                    && matches!(line.as_bytes().get(3), None | Some(b' ' | b'-'));
                prop_assert!(ok, "bad reply line {line:?}");
            }
            Ok(())
        })
        .unwrap();
    // Every session task ran to its end (a panic would leave one uncounted).
    let connections = connections.into_inner();
    assert_eq!(connections, 64);
    let deadline = Instant::now() + TIMEOUT;
    while f.server.service().sessions_ended() < connections {
        assert!(Instant::now() < deadline, "a session did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(f.server.service().sessions_ended(), connections);
}

#[test]
fn smtp_smuggling_attempts_do_not_end_the_data() {
    // Bare-LF and bare-CR variants of the end-of-data marker (the 2023 "SMTP smuggling"
    // attacks): none may end the data, so the smuggled MAIL is never run; the message with
    // bare line endings is refused after the real end of data.
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    for marker in [&b"\n.\n"[..], b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\r\n.\r"] {
        let mut conn = TcpStream::connect(f.addr()).unwrap();
        conn.set_read_timeout(Some(TIMEOUT)).unwrap();
        conn.write_all(
            b"EHLO c\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
        )
        .unwrap();
        read_until(&mut conn, "354 ");
        let session = [
            &b"Subject: first\r\n\r\nbody"[..],
            marker,
            b"MAIL FROM:<evil@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\nQUIT\r\n",
        ]
        .concat();
        conn.write_all(&session).unwrap();
        let text = read_until(&mut conn, "221 ");
        let codes: Vec<&str> = text.lines().map(|l| &l[..3]).collect();
        assert_eq!(codes, ["550", "221"], "{marker:?}: {text}");
    }
    assert!(f.delivered().is_empty());
}

#[test]
fn a_silent_server_times_the_client_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        // Accept and say nothing for a while.
        let (conn, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        drop(conn);
    });
    let mut options = SessionOptions::new("localhost", Host::parse("c.test").unwrap().into_owned());
    options.security = Security::Plain;
    let stream = ClientStream::connect("127.0.0.1", port, Duration::from_millis(300)).unwrap();
    let envelope = Envelope {
        from: ReversePath::Null,
        to: vec![rcpt("bob@example.test")],
    };
    let start = Instant::now();
    let e = client::send(stream, &options, &envelope, MESSAGE).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("timed out waiting for the server"),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_millis(1400));
    hold.join().unwrap();
}

#[test]
fn notify_success_gets_a_delivered_dsn_for_a_local_sender() {
    let f = fixture(Mode::Smtp, Transport::Plain, |_| {});
    let mut conn = TcpStream::connect(f.addr()).unwrap();
    conn.set_read_timeout(Some(TIMEOUT)).unwrap();
    conn.write_all(
        b"EHLO c.test\r\n\
          MAIL FROM:<alice@example.test> RET=HDRS ENVID=QQ+2B314\r\n\
          RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@old.example\r\n\
          RCPT TO:<alice@example.test> NOTIFY=NEVER\r\n\
          DATA\r\n",
    )
    .unwrap();
    let text = read_until(&mut conn, "354 ");
    assert!(text.contains("250 DSN\r\n"), "{text}");
    conn.write_all(b"Subject: with dsn\r\n\r\nsecret body\r\n.\r\n")
        .unwrap();
    read_until(&mut conn, "250 2.0.0 OK stored");
    // A sender who is not local gets no report (this server does not relay).
    conn.write_all(
        b"MAIL FROM:<carol@elsewhere.test>\r\nRCPT TO:<bob@example.test> NOTIFY=SUCCESS\r\nDATA\r\n",
    )
    .unwrap();
    read_until(&mut conn, "354 ");
    conn.write_all(b"Subject: remote\r\n\r\nx\r\n.\r\nQUIT\r\n")
        .unwrap();
    read_until(&mut conn, "221 ");
    let files: Vec<String> = f
        .delivered()
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert_eq!(files.len(), 3, "{files:#?}");
    let dsn = files
        .iter()
        .find(|f| f.contains("multipart/report"))
        .expect("a DSN");
    assert!(dsn.starts_with("Return-Path: <>\r\n"), "{dsn}");
    assert!(dsn.contains("\r\nTo: <alice@example.test>\r\n"), "{dsn}");
    assert!(dsn.contains("Original-Envelope-Id: QQ+314\r\n"), "{dsn}");
    assert!(
        dsn.contains("Original-Recipient: rfc822;bob@old.example\r\nFinal-Recipient: rfc822; bob@example.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n"),
        "{dsn}"
    );
    assert!(!dsn.contains("Final-Recipient: rfc822; alice@"), "{dsn}");
    // RET=HDRS: the header comes back, not the body.
    assert!(dsn.contains("Subject: with dsn\r\n"), "{dsn}");
    assert!(!dsn.contains("secret body"), "{dsn}");
}
