//! The server machine alone: what it answers by itself, and how it refuses.

use pop3_proto::server::{Event, MessageInfo, Server, ServerConfig, top_slice};
use pop3_proto::*;

fn server(config: ServerConfig) -> Server {
    let mut s = Server::new(config, "1896.697170952", false).unwrap();
    s.take_output();
    s
}

fn plain() -> ServerConfig {
    ServerConfig {
        allow_plaintext_without_tls: true,
        ..ServerConfig::default()
    }
}

fn send(s: &mut Server, bytes: &[u8]) -> String {
    s.receive(bytes);
    assert!(s.next_event().unwrap().is_none());
    String::from_utf8(s.take_output()).unwrap()
}

fn maildrop() -> Vec<MessageInfo> {
    vec![MessageInfo {
        size: 20,
        uid: UniqueId::new("a").unwrap(),
    }]
}

fn login(s: &mut Server) {
    s.receive(b"USER u\r\nPASS p\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Pass { .. })));
    s.accept_login(maildrop()).unwrap();
    s.take_output();
}

/// RFC 1939 §7 USER examples, with the application checking names.
#[test]
fn rfc1939_user_examples_with_verify_user() {
    let config = ServerConfig {
        verify_user: true,
        user_text: "is a real hoopy frood".into(),
        ..plain()
    };
    let mut s = server(config);
    s.receive(b"USER frated\r\nUSER mrose\r\n");
    match s.next_event().unwrap() {
        Some(Event::User { name }) => assert_eq!(name, "frated"),
        other => panic!("{other:?}"),
    }
    s.reject_user(None, "sorry, no mailbox for frated here")
        .unwrap();
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::User { name: "mrose" })
    ));
    s.accept_user().unwrap();
    assert!(s.next_event().unwrap().is_none());
    assert_eq!(
        String::from_utf8(s.take_output()).unwrap(),
        "-ERR sorry, no mailbox for frated here\r\n+OK mrose is a real hoopy frood\r\n"
    );
}

#[test]
fn pass_without_user_and_password_with_spaces() {
    let mut s = server(plain());
    assert_eq!(send(&mut s, b"PASS x\r\n"), "-ERR USER first\r\n");
    s.receive(b"USER mrose\r\nPASS  two words \r\n");
    match s.next_event().unwrap() {
        Some(Event::Pass { user, password }) => {
            assert_eq!(user, "mrose");
            assert_eq!(password.as_bytes(), b" two words ");
            assert_eq!(format!("{password:?}"), "Password(***)");
        }
        other => panic!("{other:?}"),
    }
    s.reject_login(Some("AUTH"), "invalid password").unwrap();
    assert_eq!(s.user(), "");
    assert!(
        s.take_output()
            .ends_with(b"-ERR [AUTH] invalid password\r\n")
    );
}

#[test]
fn apop_with_a_wrong_digest_is_refused() {
    let mut s = server(ServerConfig {
        hostname: "dbc.mtview.ca.us".into(),
        ..ServerConfig::default()
    });
    s.receive(b"APOP mrose 00000000000000000000000000000000\r\n");
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::Apop { user: "mrose" })
    ));
    assert!(!s.accept_apop(b"tanstaaf", maildrop()).unwrap());
    assert_eq!(s.take_output(), b"-ERR [AUTH] authentication failed\r\n");
    assert!(!s.is_transaction());
    // Upper-case hex digits are accepted too.
    s.receive(b"APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Apop { .. })));
    assert!(s.accept_apop(b"tanstaaf", maildrop()).unwrap());
    assert!(s.is_transaction());
}

#[test]
fn apop_digest_is_checked_before_the_maildrop_is_touched() {
    let mut s = server(ServerConfig {
        hostname: "dbc.mtview.ca.us".into(),
        ..ServerConfig::default()
    });
    // Nothing waiting: a misuse, not a silent false.
    assert!(s.check_apop(b"tanstaaf").is_err());
    s.receive(b"APOP mrose 00000000000000000000000000000000\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Apop { .. })));
    assert!(!s.check_apop(b"tanstaaf").unwrap());
    // Checking answers nothing: the application decides ([AUTH] here).
    assert!(s.take_output().is_empty());
    s.reject_login(Some("AUTH"), "authentication failed")
        .unwrap();
    assert_eq!(s.take_output(), b"-ERR [AUTH] authentication failed\r\n");
    s.receive(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Apop { .. })));
    assert!(s.check_apop(b"tanstaaf").unwrap());
    assert!(!s.check_apop(b"tanstaaF").unwrap());
    s.accept_login(maildrop()).unwrap();
    assert!(s.is_transaction());
}

#[test]
fn apop_off_means_no_timestamp_and_no_apop() {
    let mut s = Server::new(
        ServerConfig {
            apop: false,
            ..ServerConfig::default()
        },
        "1",
        false,
    )
    .unwrap();
    assert_eq!(s.take_output(), b"+OK POP3 server ready\r\n");
    assert_eq!(s.timestamp(), None);
    assert_eq!(
        send(&mut s, b"APOP a c4c9334bac560ecc979e58001b3e22fb\r\n"),
        "-ERR APOP not supported\r\n"
    );
}

#[test]
fn auth_exchanges_cancel_fail_and_list() {
    let mut s = server(plain());
    // RFC 5034 §4: "*" cancels, the server answers -ERR and forgets the AUTH.
    assert_eq!(send(&mut s, b"AUTH PLAIN\r\n"), "+ \r\n");
    assert_eq!(send(&mut s, b"*\r\n"), "-ERR authentication cancelled\r\n");
    // Not base64.
    assert_eq!(send(&mut s, b"AUTH PLAIN\r\n"), "+ \r\n");
    assert_eq!(send(&mut s, b"#$%\r\n"), "-ERR invalid base64\r\n");
    // A mechanism not offered.
    assert_eq!(
        send(&mut s, b"AUTH GSSAPI\r\n"),
        "-ERR mechanism not supported\r\n"
    );
    // RFC 1734: bare AUTH lists the mechanisms.
    assert_eq!(
        send(&mut s, b"AUTH\r\n"),
        "+OK SASL mechanisms follow\r\nPLAIN\r\nCRAM-MD5\r\n.\r\n"
    );
    // PLAIN with the RFC 5034 initial response.
    s.receive(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    match s.next_event().unwrap() {
        Some(Event::Sasl { credentials }) => assert!(credentials.password_matches("test", "test")),
        other => panic!("{other:?}"),
    }
    s.accept_login(maildrop()).unwrap();
    assert!(s.is_transaction());
    s.take_output();
    // RFC 5034 §4: no AUTH after a successful one.
    assert_eq!(
        send(&mut s, b"AUTH PLAIN\r\n"),
        "-ERR already authenticated\r\n"
    );
}

#[test]
fn plaintext_mechanisms_are_hidden_without_tls() {
    let mut s = server(ServerConfig::default());
    assert_eq!(
        send(&mut s, b"AUTH\r\n"),
        "+OK SASL mechanisms follow\r\nCRAM-MD5\r\n.\r\n"
    );
    assert_eq!(
        send(&mut s, b"AUTH PLAIN\r\n"),
        "-ERR mechanism not supported\r\n"
    );
}

#[test]
fn over_long_lines_and_bad_commands_get_err_and_the_session_goes_on() {
    let mut s = server(plain());
    let mut long = b"USER ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 400));
    long.extend_from_slice(b"\r\nCAPA\r\n");
    let out = send(&mut s, &long);
    assert!(
        out.starts_with("-ERR line too long\r\n+OK Capability list follows\r\n"),
        "{out}"
    );
    assert_eq!(send(&mut s, b"RETR x\r\n"), "-ERR syntax error\r\n");
    assert_eq!(send(&mut s, b"XTND XMIT\r\n"), "-ERR unknown command\r\n");
    assert_eq!(send(&mut s, b"STAT\r\n"), "-ERR not logged in\r\n");
}

#[test]
fn too_many_errors_close_the_session() {
    let mut s = server(ServerConfig {
        max_errors: 3,
        ..plain()
    });
    let out = send(&mut s, b"x\r\ny\r\nz\r\nNOOP\r\n");
    assert_eq!(
        out,
        "-ERR syntax error\r\n-ERR syntax error\r\n-ERR syntax error\r\n-ERR too many errors, closing\r\n"
    );
    assert!(s.is_closed());
}

#[test]
fn answering_the_wrong_event_is_a_local_error() {
    let mut s = server(plain());
    assert_eq!(
        s.accept_login(maildrop()),
        Err(Error::BadSequence("no such event is waiting for an answer"))
    );
    assert!(s.send_message(b"x").is_err());
    s.receive(b"USER u\r\nPASS p\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Pass { .. })));
    assert!(matches!(s.next_event(), Err(Error::BadSequence(_))));
    assert!(!s.next_event().unwrap_err().is_remote());
}

#[test]
fn top_sends_headers_and_n_body_lines() {
    let m = b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
    assert_eq!(top_slice(m, 0), b"A: 1\r\nB: 2\r\n\r\n");
    assert_eq!(top_slice(m, 2), b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
    assert_eq!(top_slice(m, 9), m);
    assert_eq!(top_slice(b"no body", 3), b"no body");
    let mut s = server(plain());
    login(&mut s);
    s.receive(b"TOP 1 1\r\n");
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::Top { lines: 1, .. })
    ));
    s.send_message(m).unwrap();
    assert_eq!(s.take_output(), b"+OK\r\nA: 1\r\nB: 2\r\n\r\nl1\r\n.\r\n");
}

#[test]
fn utf8_and_lang_of_rfc_6856() {
    let config = ServerConfig {
        capabilities: vec![
            Capability::User,
            Capability::Utf8 { user: true },
            Capability::Lang,
        ],
        languages: vec![
            ("en".into(), "English".into()),
            ("es".into(), "Espanol".into()),
        ],
        ..plain()
    };
    let mut s = server(config);
    assert_eq!(
        send(&mut s, b"CAPA\r\n"),
        "+OK Capability list follows\r\nUSER\r\nUTF8 USER\r\nLANG\r\n.\r\n"
    );
    assert_eq!(
        send(&mut s, b"LANG\r\n"),
        "+OK Language listing follows:\r\nen English\r\nes Espanol\r\n.\r\n"
    );
    assert_eq!(send(&mut s, b"LANG es\r\n"), "+OK es language changed\r\n");
    assert_eq!(
        send(&mut s, b"LANG MUL\r\n"),
        "-ERR invalid language MUL\r\n"
    );
    assert_eq!(send(&mut s, b"LANG *\r\n"), "+OK en language changed\r\n");
    assert_eq!(send(&mut s, b"UTF8\r\n"), "+OK UTF8 enabled\r\n");
    assert_eq!(
        send(&mut s, "USER jos\u{e9}\r\n".as_bytes()),
        "+OK jos\u{e9} is welcome here\r\n"
    );
    // Without UTF8 USER, a UTF-8 name is refused with the UTF8 code.
    let mut s = server(plain());
    assert_eq!(
        send(&mut s, "USER jos\u{e9}\r\n".as_bytes()),
        "-ERR [UTF8] UTF-8 user names not accepted\r\n"
    );
    assert_eq!(send(&mut s, b"UTF8\r\n"), "-ERR UTF8 not supported\r\n");
}

#[test]
fn capa_in_transaction_drops_stls() {
    let mut s = server(plain());
    assert!(send(&mut s, b"CAPA\r\n").contains("STLS\r\n"));
    login(&mut s);
    let caps = send(&mut s, b"CAPA\r\n");
    assert!(!caps.contains("STLS"), "{caps}");
    assert!(
        caps.contains("USER\r\n"),
        "RFC 2449 §5: AUTHORIZATION capabilities stay announced"
    );
    assert_eq!(send(&mut s, b"STLS\r\n"), "-ERR STLS not permitted now\r\n");
}

#[test]
fn retr_can_be_refused_with_a_code() {
    let mut s = server(plain());
    login(&mut s);
    s.receive(b"RETR 1\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Retr { .. })));
    s.reject(Some("UTF8"), "message needs UTF8").unwrap();
    assert_eq!(s.take_output(), b"-ERR [UTF8] message needs UTF8\r\n");
}

#[test]
fn application_text_cannot_inject_responses() {
    let config = ServerConfig {
        greeting: "hi\r\n+OK fake".into(),
        apop: false,
        ..plain()
    };
    let mut s = Server::new(config, "1", false).unwrap();
    assert_eq!(s.take_output(), b"+OK hi  +OK fake\r\n");
    s.receive(b"USER u\r\nPASS p\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Pass { .. })));
    s.reject_login(Some("AUTH"), "bad\r\n+OK logged in")
        .unwrap();
    let out = s.take_output();
    assert_eq!(
        out.iter().filter(|&&b| b == b'\n').count(),
        2,
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}

fn answer(s: &mut Server, cmd: &[u8], message: &[u8], chunk: Option<usize>) -> Vec<u8> {
    s.receive(cmd);
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::Retr { .. } | Event::Top { .. })
    ));
    match chunk {
        None => s.send_message(message).unwrap(),
        Some(c) => {
            for piece in message.chunks(c.max(1)) {
                s.message_chunk(piece).unwrap();
            }
            s.message_end().unwrap();
        }
    }
    s.take_output()
}

proptest::proptest! {
    /// Streaming a message in pieces gives the same bytes as sending it whole, for RETR
    /// and for TOP (whose cut must not depend on where the pieces end).
    #[test]
    fn streamed_messages_match_whole_ones(
        message in proptest::collection::vec(proptest::sample::select(vec![b'a', b'.', b'\r', b'\n', b':']), 0..80),
        lines in 0u32..5,
        chunk in 1usize..9,
    ) {
        let mut s = server(plain());
        login(&mut s);
        let top = format!("TOP 1 {lines}\r\n");
        let whole = answer(&mut s, top.as_bytes(), &message, None);
        let pieces = answer(&mut s, top.as_bytes(), &message, Some(chunk));
        proptest::prop_assert_eq!(&pieces, &whole);
        // And it is the dot-stuffed top_slice.
        let mut want = b"+OK\r\n".to_vec();
        mail_common::dot::stuff(top_slice(&message, lines), &mut want);
        proptest::prop_assert_eq!(&whole, &want);
        let whole = answer(&mut s, b"RETR 1\r\n", &message, None);
        let pieces = answer(&mut s, b"RETR 1\r\n", &message, Some(chunk));
        proptest::prop_assert_eq!(pieces, whole);
    }
}

#[test]
fn message_calls_out_of_order_are_local_errors() {
    let mut s = server(plain());
    login(&mut s);
    assert!(s.message_chunk(b"x").is_err());
    assert!(s.message_end().is_err());
    s.receive(b"RETR 1\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Retr { .. })));
    s.message_chunk(b"Subject: x\r\n").unwrap();
    // A started message cannot be refused any more, and the next command waits.
    assert!(s.reject(None, "no").is_err());
    assert!(s.next_event().is_err());
    s.message_end().unwrap();
    assert_eq!(s.take_output(), b"+OK 20 octets\r\nSubject: x\r\n.\r\n");
}

#[test]
fn application_run_mechanism_can_be_cancelled_and_refused() {
    let config = ServerConfig {
        capabilities: vec![Capability::Sasl(Params::new("GSSAPI").unwrap())],
        ..ServerConfig::default()
    };
    let mut s = server(config);
    s.receive(b"AUTH GSSAPI =\r\n");
    match s.next_event().unwrap() {
        Some(Event::AuthStart {
            mechanism,
            initial_response,
        }) => {
            assert_eq!(mechanism.as_str(), "GSSAPI");
            assert_eq!(initial_response, Some(vec![]));
        }
        other => panic!("{other:?}"),
    }
    s.sasl_challenge(b"token").unwrap();
    assert_eq!(
        send(&mut s, b"*\r\n"),
        "+ dG9rZW4=\r\n-ERR authentication cancelled\r\n"
    );
    s.receive(b"AUTH GSSAPI\r\n");
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::AuthStart {
            initial_response: None,
            ..
        })
    ));
    s.reject_login(Some("AUTH"), "no").unwrap();
    assert_eq!(s.take_output(), b"-ERR [AUTH] no\r\n");
    assert!(!s.is_transaction());
}
