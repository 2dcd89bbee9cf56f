//! The client machine alone, against scripted server bytes.

use std::num::NonZeroU32;

use pop3_proto::client::{Client, ClientConfig, ClientEvent, LoginMethod};
use pop3_proto::*;

fn greeted(config: ClientConfig, tls: bool, greeting: &[u8]) -> Client {
    let mut c = Client::new(config, tls);
    c.receive(greeting);
    assert!(matches!(c.next_event().unwrap(), Some(ClientEvent::Greeting(s)) if s.is_ok()));
    c
}

fn out(c: &mut Client) -> String {
    String::from_utf8(c.take_output()).unwrap()
}

#[test]
fn cram_md5_is_preferred_over_apop_and_apop_over_user() {
    let mut c = greeted(ClientConfig::default(), false, b"+OK ready <1.2@host>\r\n");
    c.login("tim", "pw").unwrap();
    assert_eq!(out(&mut c), "CAPA\r\n");
    c.receive(b"+OK\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n");
    assert!(matches!(
        c.next_event().unwrap(),
        Some(ClientEvent::Capabilities(_))
    ));
    assert_eq!(out(&mut c), "AUTH CRAM-MD5\r\n");
    // A challenge that is not base64 is cancelled (RFC 5034 §4).
    c.receive(b"+ %%%\r\n");
    assert!(c.next_event().unwrap().is_none());
    assert_eq!(out(&mut c), "*\r\n");
    c.receive(b"-ERR cancelled\r\n");
    assert!(matches!(
        c.next_event().unwrap(),
        Some(ClientEvent::LoginFailed(_))
    ));
}

#[test]
fn apop_when_no_cram() {
    let mut c = greeted(
        ClientConfig::default(),
        false,
        b"+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n",
    );
    c.login("mrose", "tanstaaf").unwrap();
    assert_eq!(out(&mut c), "CAPA\r\n");
    c.receive(b"+OK\r\nUSER\r\n.\r\n");
    assert!(c.next_event().unwrap().is_some());
    assert_eq!(
        out(&mut c),
        "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
    );
    c.receive(b"-ERR [IN-USE] locked\r\n");
    match c.next_event().unwrap() {
        Some(ClientEvent::LoginFailed(s)) => assert_eq!(s.code().unwrap().kind(), &CodeKind::InUse),
        other => panic!("{other:?}"),
    }
    assert!(!c.is_logged_in());
}

#[test]
fn user_pass_only_when_allowed_and_capa_err_falls_back() {
    let config = ClientConfig {
        allow_plaintext_without_tls: true,
        ..ClientConfig::default()
    };
    let mut c = greeted(config, false, b"+OK ready\r\n");
    c.login("u", "p w").unwrap();
    c.receive(b"-ERR unknown command\r\n");
    assert!(c.next_event().unwrap().is_none());
    assert_eq!(out(&mut c), "CAPA\r\nUSER u\r\n");
    c.receive(b"+OK\r\n");
    assert!(c.next_event().unwrap().is_none());
    assert_eq!(out(&mut c), "PASS p w\r\n");
    c.receive(b"+OK logged in\r\n");
    assert_eq!(
        c.next_event().unwrap(),
        Some(ClientEvent::LoggedIn(LoginMethod::UserPass))
    );
    assert!(c.is_logged_in());
}

#[test]
fn require_tls_without_stls_refuses_to_log_in() {
    let config = ClientConfig {
        require_tls: true,
        ..ClientConfig::default()
    };
    let mut c = greeted(config, false, b"+OK ready <1.2@h>\r\n");
    c.login("u", "p").unwrap();
    c.receive(b"+OK\r\nUSER\r\n.\r\n");
    assert_eq!(
        c.next_event().unwrap(),
        Some(ClientEvent::LoginImpossible(Error::PlaintextRefused))
    );
    assert_eq!(out(&mut c), "CAPA\r\n", "no credentials were sent");
}

#[test]
fn stls_refused_then_login_goes_on_without_plaintext() {
    let mut c = greeted(ClientConfig::default(), false, b"+OK ready <1.2@h>\r\n");
    c.login("u", "p").unwrap();
    c.receive(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    assert!(c.next_event().unwrap().is_some());
    assert_eq!(out(&mut c), "CAPA\r\nSTLS\r\n");
    c.receive(b"-ERR no TLS today\r\n");
    assert!(matches!(
        c.next_event().unwrap(),
        Some(ClientEvent::Err {
            command: "STLS",
            ..
        })
    ));
    // APOP does not send the password: still possible.
    assert!(out(&mut c).starts_with("APOP u "));
}

#[test]
fn stls_upgrade_forgets_capabilities_and_plaintext_after_ok() {
    let mut c = greeted(ClientConfig::default(), false, b"+OK ready\r\n");
    c.login("u", "p").unwrap();
    c.receive(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    assert!(c.next_event().unwrap().is_some());
    c.take_output();
    // An attacker appends a forged CAPA answer after the +OK, in the clear.
    c.receive(b"+OK go\r\n+OK\r\nUSER\r\n.\r\n");
    assert_eq!(c.next_event().unwrap(), Some(ClientEvent::StartTls));
    c.tls_established().unwrap();
    assert!(c.capabilities().is_none());
    assert_eq!(out(&mut c), "CAPA\r\n");
    assert!(
        c.next_event().unwrap().is_none(),
        "the injected bytes were dropped"
    );
    c.receive(b"+OK\r\nUSER\r\n.\r\n");
    assert!(c.next_event().unwrap().is_some());
    assert_eq!(out(&mut c), "USER u\r\n", "plaintext is fine under TLS");
}

#[test]
fn manual_auth_with_challenges() {
    let mut c = greeted(ClientConfig::default(), true, b"+OK ready\r\n");
    c.command(&Command::Auth {
        mechanism: Mechanism::new("X-TEST").unwrap(),
        initial_response: None,
    })
    .unwrap();
    c.receive(b"+ aGk=\r\n");
    assert_eq!(
        c.next_event().unwrap(),
        Some(ClientEvent::Challenge(b"hi".to_vec()))
    );
    c.auth_line(&AuthLine::Response(Base64::encode(b"yo")))
        .unwrap();
    assert_eq!(out(&mut c), "AUTH X-TEST\r\neW8=\r\n");
    c.receive(b"+OK\r\n");
    assert!(matches!(
        c.next_event().unwrap(),
        Some(ClientEvent::Ok {
            command: "AUTH",
            ..
        })
    ));
    assert!(c.is_logged_in());
}

#[test]
fn errors_are_sticky_and_unsolicited_responses_are_errors() {
    let mut c = greeted(ClientConfig::default(), false, b"+OK ready\r\n");
    c.receive(b"+OK surprise\r\n");
    let e = c.next_event().unwrap_err();
    assert_eq!(e, Error::Protocol("response without a command"));
    assert_eq!(c.next_event().unwrap_err(), e);
    assert_eq!(c.capa().unwrap_err(), e);
}

#[test]
fn greeting_err_closes() {
    let mut c = Client::new(ClientConfig::default(), false);
    c.receive(b"-ERR [SYS/TEMP] overloaded\r\n");
    assert!(matches!(c.next_event().unwrap(), Some(ClientEvent::Greeting(s)) if !s.is_ok()));
    assert_eq!(c.login("u", "p"), Err(Error::Closed));
}

#[test]
fn commands_need_login_and_pipelined_answers_match_in_order() {
    let n = |v| NonZeroU32::new(v).unwrap();
    let mut c = greeted(ClientConfig::default(), false, b"+OK ready\r\n");
    assert_eq!(c.stat(), Err(Error::BadSequence("not logged in")));
    c.command(&Command::User(Param::new("u").unwrap())).unwrap();
    c.command(&Command::Pass(Password::new(&b"p"[..]).unwrap()))
        .unwrap();
    c.receive(b"+OK\r\n+OK in\r\n");
    assert!(matches!(
        c.next_event().unwrap(),
        Some(ClientEvent::Ok {
            command: "USER",
            ..
        })
    ));
    assert!(matches!(
        c.next_event().unwrap(),
        Some(ClientEvent::Ok {
            command: "PASS",
            ..
        })
    ));
    c.take_output();
    // Pipelined: LIST 1, LIST, UIDL 1, TOP 1 0, DELE 1, STAT.
    c.list(Some(n(1))).unwrap();
    c.list(None).unwrap();
    c.uidl(Some(n(1))).unwrap();
    c.top(n(1), 0).unwrap();
    c.dele(n(1)).unwrap();
    c.stat().unwrap();
    assert_eq!(c.outstanding(), 6);
    assert_eq!(
        out(&mut c),
        "LIST 1\r\nLIST\r\nUIDL 1\r\nTOP 1 0\r\nDELE 1\r\nSTAT\r\n"
    );
    // The same line "+OK 1 20" means a scan listing for LIST 1 and opens a listing for LIST.
    c.receive(b"+OK 1 20\r\n+OK 1 20\r\n1 20\r\n.\r\n+OK 1 abc\r\n+OK\r\nH: v\r\n\r\n.\r\n+OK\r\n+OK 0 0\r\n");
    let mut got = Vec::new();
    while let Some(ev) = c.next_event().unwrap() {
        got.push(format!("{ev:?}"));
    }
    assert_eq!(
        got,
        vec![
            "ScanListing(ScanListing { msg: 1, size: 20 })",
            "ScanList([ScanListing { msg: 1, size: 20 }])",
            "UniqueIdListing(UniqueIdListing { msg: 1, uid: UniqueId(abc) })",
            "MessageStart(1)",
            "MessageData([72, 58, 32, 118, 13, 10, 13, 10])",
            "MessageEnd(1)",
            "Ok { command: \"DELE\", status: StatusLine { status: Ok, code: None, text: \"\" } }",
            "Stat(Stat { count: 0, size: 0 })",
        ]
    );
    assert_eq!(c.outstanding(), 0);
}

#[test]
fn listing_limit_is_enforced() {
    let config = ClientConfig {
        max_listing: 2,
        ..ClientConfig::default()
    };
    let mut c = greeted(config, true, b"+OK ready\r\n");
    c.command(&Command::Pass(Password::new(&b"p"[..]).unwrap()))
        .unwrap();
    c.receive(b"+OK\r\n");
    c.next_event().unwrap();
    c.uidl(None).unwrap();
    c.receive(b"+OK\r\n1 a\r\n2 b\r\n3 c\r\n.\r\n");
    assert_eq!(
        c.next_event().unwrap_err(),
        Error::LimitExceeded {
            what: "listing entries",
            limit: 2
        }
    );
}

#[test]
fn the_caller_can_force_user_pass_over_offered_digests() {
    let config = ClientConfig {
        methods: vec![LoginMethod::UserPass],
        ..ClientConfig::default()
    };
    let mut c = greeted(config, true, b"+OK ready <1.2@host>\r\n");
    c.login("tim", "pw word").unwrap();
    assert_eq!(out(&mut c), "CAPA\r\n");
    c.receive(b"+OK\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n");
    assert!(c.next_event().unwrap().is_some());
    assert_eq!(out(&mut c), "USER tim\r\n");
    c.receive(b"+OK\r\n");
    assert!(c.next_event().unwrap().is_none());
    assert_eq!(out(&mut c), "PASS pw word\r\n");
    c.receive(b"+OK maildrop ready\r\n");
    assert_eq!(
        c.next_event().unwrap(),
        Some(ClientEvent::LoggedIn(LoginMethod::UserPass))
    );
}

#[test]
fn auth_login_runs_the_username_and_password_prompts() {
    let config = ClientConfig {
        methods: vec![LoginMethod::Sasl(Mechanism::LOGIN)],
        ..ClientConfig::default()
    };
    let mut c = greeted(config, true, b"+OK ready\r\n");
    c.login("tim", "secret").unwrap();
    assert_eq!(out(&mut c), "CAPA\r\n");
    c.receive(b"+OK\r\nSASL LOGIN\r\n.\r\n");
    assert!(c.next_event().unwrap().is_some());
    assert_eq!(out(&mut c), "AUTH LOGIN\r\n");
    c.receive(b"+ VXNlcm5hbWU6\r\n"); // "Username:"
    assert!(c.next_event().unwrap().is_none());
    assert_eq!(out(&mut c), "dGlt\r\n"); // "tim"
    c.receive(b"+ UGFzc3dvcmQ6\r\n"); // "Password:"
    assert!(c.next_event().unwrap().is_none());
    assert_eq!(out(&mut c), "c2VjcmV0\r\n"); // "secret"
    c.receive(b"+OK logged in\r\n");
    assert_eq!(
        c.next_event().unwrap(),
        Some(ClientEvent::LoggedIn(LoginMethod::Sasl(Mechanism::LOGIN)))
    );
}

#[test]
fn a_forced_plaintext_method_is_refused_without_tls() {
    let config = ClientConfig {
        methods: vec![LoginMethod::Sasl(Mechanism::LOGIN), LoginMethod::UserPass],
        ..ClientConfig::default()
    };
    let mut c = greeted(config, false, b"+OK ready <1.2@host>\r\n");
    c.login("tim", "pw").unwrap();
    c.receive(b"+OK\r\nUSER\r\nSASL LOGIN CRAM-MD5\r\n.\r\n");
    // CRAM-MD5 and APOP are offered but not in the caller's list.
    assert_eq!(
        c.next_event().unwrap(),
        Some(ClientEvent::LoginImpossible(Error::PlaintextRefused))
    );
    assert_eq!(out(&mut c), "CAPA\r\n", "no credentials were sent");
}
