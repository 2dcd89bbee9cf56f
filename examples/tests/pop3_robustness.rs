//! `pop3-server` never panics on what a peer sends: random sequences of POP3 commands
//! (valid, malformed, over-long, binary, SASL exchanges, STLS with garbage instead of a
//! handshake), pipelined and cut at random points, against a server in this process. A
//! panic hook counts panics on every thread, including the server's session tasks
//! (tokio would otherwise swallow a task's panic and keep serving); after all cases the
//! count must be zero and the server must still serve a normal session.
//!
//! This file holds one test so that no other test's panic can be counted.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mail_examples::cli::parse_user;
use mail_examples::maildir::Maildir;
use mail_examples::net::client::ClientStream;
use mail_examples::pop3::client::{LoginMethod, LoginOptions, Session};
use mail_examples::pop3::server::{Background, Settings};
use mail_examples::tls::SelfSigned;
use proptest::prelude::*;
use tokio_rustls::TlsAcceptor;

static PANICS: AtomicUsize = AtomicUsize::new(0);
/// Cases where the server answered more than the greeting (the input was really served).
static ANSWERED: AtomicUsize = AtomicUsize::new(0);

fn b64(data: &[u8]) -> String {
    mail_common::sasl::encode_base64(data)
}

/// One line (or raw chunk) a peer might send.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let number = prop_oneof![
        Just("0".to_owned()),
        Just("1".to_owned()),
        Just("3".to_owned()),
        Just("99".to_owned()),
        Just("-1".to_owned()),
        Just("4294967296".to_owned()),
        Just("99999999999999999999".to_owned()),
        "[0-9]{1,3}",
    ];
    let line = prop_oneof![
        Just("CAPA".to_owned()),
        Just("USER alice".to_owned()),
        Just("USER".to_owned()),
        Just("PASS alice-secret".to_owned()),
        Just("PASS wrong".to_owned()),
        Just("APOP alice 0123456789abcdef0123456789abcdef".to_owned()),
        Just("APOP alice".to_owned()),
        Just("STAT".to_owned()),
        Just("LIST".to_owned()),
        Just("UIDL".to_owned()),
        Just("RSET".to_owned()),
        Just("NOOP".to_owned()),
        Just("QUIT".to_owned()),
        Just("STLS".to_owned()),
        Just("UTF8".to_owned()),
        Just("LANG".to_owned()),
        Just("AUTH".to_owned()),
        Just("AUTH LOGIN".to_owned()),
        Just("AUTH CRAM-MD5".to_owned()),
        Just("AUTH XOAUTH2".to_owned()),
        Just("*".to_owned()),
        Just(format!("AUTH PLAIN {}", b64(b"\0alice\0alice-secret"))),
        Just(format!("AUTH PLAIN {}", b64(b"bob\0alice\0alice-secret"))),
        Just("AUTH PLAIN =".to_owned()),
        Just(b64(b"alice")),
        Just(b64(b"alice-secret")),
        Just(b64(b"alice 0123456789abcdef0123456789abcdef")),
        number.clone().prop_map(|n| format!("RETR {n}")),
        number.clone().prop_map(|n| format!("DELE {n}")),
        number.clone().prop_map(|n| format!("LIST {n}")),
        number.clone().prop_map(|n| format!("UIDL {n}")),
        (number.clone(), number).prop_map(|(n, l)| format!("TOP {n} {l}")),
        "[A-Za-z]{1,8}( [!-~]{0,20}){0,3}",
    ];
    prop_oneof![
        8 => (line, prop_oneof![Just("\r\n"), Just("\n"), Just("\r"), Just("")])
            .prop_map(|(l, end)| format!("{l}{end}").into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => (1usize..2000).prop_map(|n| {
            let mut v = vec![b'X'; n];
            v.extend_from_slice(b"\r\n");
            v
        }),
    ]
}

/// Sends `pieces` in chunks (cut at `cuts`), closes the write side, reads whatever comes.
fn play(port: u16, pieces: &[Vec<u8>], cuts: &[usize]) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let all: Vec<u8> = pieces.concat();
    let mut at = 0;
    for &cut in cuts {
        let end = (at + cut).min(all.len());
        // The server may close first (QUIT, too many errors): that is fine.
        if stream.write_all(&all[at..end]).is_err() {
            return;
        }
        at = end;
    }
    if stream.write_all(&all[at..]).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = Vec::new();
    let _ = stream.read_to_end(&mut sink);
    if sink
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count()
        > 1
    {
        ANSWERED.fetch_add(1, Ordering::SeqCst);
    }
    // Whatever came back, the first line is the greeting.
    if !sink.is_empty() {
        assert!(
            sink.starts_with(b"+OK "),
            "{:?}",
            String::from_utf8_lossy(&sink)
        );
    }
}

#[test]
fn random_peers_never_panic_the_server() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));

    let dir = tempfile::tempdir().unwrap();
    let maildir = Maildir::open(dir.path()).unwrap();
    for i in 0..5 {
        let m = format!("Subject: m{i}\r\n\r\n.line\r\nbody {i}\r\n");
        maildir.deliver("INBOX", m.as_bytes()).unwrap();
    }
    let generated = SelfSigned::localhost().unwrap();
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let mut settings = Settings::new(
        maildir.clone(),
        vec![parse_user("alice:alice-secret").unwrap()],
    );
    settings.allow_plaintext = true;
    settings.stls = Some(acceptor);
    settings.log = false;
    let server = Background::start(settings, None).unwrap();
    let port = server.addr().port();

    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        proptest::collection::vec(piece(), 0..24),
        proptest::collection::vec(0usize..64, 0..6),
    );
    runner
        .run(&strategy, |(pieces, cuts)| {
            play(port, &pieces, &cuts);
            prop_assert_eq!(PANICS.load(Ordering::SeqCst), 0);
            Ok(())
        })
        .unwrap();

    let answered = ANSWERED.load(Ordering::SeqCst);
    assert!(
        answered > 48,
        "only {answered} of 96 random sessions got answers"
    );

    // Still serving: a normal session works (the maildrop may have been emptied by a
    // random DELE ... QUIT, but it is not left locked).
    let stream = ClientStream::connect("127.0.0.1", port, Duration::from_secs(10)).unwrap();
    let mut session = Session::start(stream).unwrap();
    session.capa().unwrap();
    let options = LoginOptions {
        method: LoginMethod::Apop,
        allow_plaintext: false,
    };
    let mut logged_in = session.login("alice", "alice-secret", &options);
    for _ in 0..50 {
        if logged_in.is_ok() {
            break;
        }
        // A random session may still hold the lock for a moment after its peer left.
        std::thread::sleep(Duration::from_millis(20));
        let stream = ClientStream::connect("127.0.0.1", port, Duration::from_secs(10)).unwrap();
        session = Session::start(stream).unwrap();
        logged_in = session.login("alice", "alice-secret", &options);
    }
    logged_in.unwrap();
    session.stat().unwrap();
    session.quit().unwrap();
    drop(server);
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
}
