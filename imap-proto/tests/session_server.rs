//! The server machine fed raw client bytes: states, refusals, literals, AUTHENTICATE,
//! STARTTLS, IDLE, ENABLE, COMPRESS, and chunking invariance.

use imap_proto::server::{Event, Server, ServerConfig, State};
use imap_proto::*;
use mail_common::sasl::{Credentials, Mechanism};
use proptest::prelude::*;

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A tiny application: accepts user "joe" / "secret", any SELECT, answers everything else OK.
/// Returns the log of events (as strings) and all output.
fn run(config: ServerConfig, tls: bool, chunks: &[&[u8]]) -> (Vec<String>, String) {
    let mut s = Server::new(config, tls, "1234").unwrap();
    let mut log = Vec::new();
    for chunk in chunks {
        s.receive(chunk);
        drive(&mut s, &mut log);
    }
    let out = text(s.transmit());
    (log, out)
}

fn drive(s: &mut Server, log: &mut Vec<String>) {
    loop {
        let ev = s.next_event().unwrap();
        let Some(ev) = ev else { break };
        enum Then {
            Ok(&'static str),
            No(&'static str),
            Accept,
            Tls,
            Nothing,
        }
        let then = match ev {
            Event::Command(c) => {
                log.push(format!("command {}", c.body.name()));
                match &c.body {
                    CommandBody::Login { username, password } => {
                        if username.as_bytes() == b"joe" && password.as_bytes() == b"secret" {
                            Then::Ok("LOGIN completed")
                        } else {
                            Then::No("LOGIN failed")
                        }
                    }
                    CommandBody::Append { message, .. } => {
                        log.push(format!("append {}", message.data().len()));
                        Then::Ok("APPEND completed")
                    }
                    CommandBody::Select { mailbox } if mailbox.as_bytes() == b"missing" => {
                        Then::No("no such mailbox")
                    }
                    _ => Then::Ok("done"),
                }
            }
            Event::Literal { tag, command, size } => {
                log.push(format!("literal {tag} {command} {size}"));
                if size > 10 {
                    Then::No("too big")
                } else {
                    Then::Accept
                }
            }
            Event::Authenticate { credentials } => {
                let ok = credentials.password_matches("joe", "secret");
                log.push(format!("authenticate {ok}"));
                if ok {
                    Then::Ok("AUTHENTICATE completed")
                } else {
                    Then::No("failed")
                }
            }
            Event::StartTls { discarded } => {
                log.push(format!("starttls {discarded}"));
                Then::Tls
            }
            Event::Idle => {
                log.push("idle".into());
                s_data_later(log);
                Then::Nothing
            }
            Event::IdleDone => {
                log.push("idle done".into());
                Then::Ok("IDLE terminated")
            }
            Event::Enabled(caps) => {
                log.push(format!(
                    "enabled {}",
                    caps.iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                Then::Nothing
            }
            Event::Compress => {
                log.push("compress".into());
                Then::Nothing
            }
            Event::Logout => {
                log.push("logout".into());
                Then::Nothing
            }
            Event::Closed => {
                log.push("closed".into());
                Then::Nothing
            }
            _ => Then::Nothing,
        };
        match then {
            Then::Ok(t) => s.ok(None, t).unwrap(),
            Then::No(t) => {
                if s.reject_literal(t).is_err() {
                    s.no(None, t).unwrap()
                }
            }
            Then::Accept => s.accept_literal().unwrap(),
            Then::Tls => s.tls_established().unwrap(),
            Then::Nothing => {}
        }
    }
}

fn s_data_later(_log: &mut [String]) {}

fn plain_ok() -> ServerConfig {
    ServerConfig {
        allow_plaintext_auth: true,
        ..ServerConfig::default()
    }
}

#[test]
fn greeting_advertises_logindisabled_and_starttls_on_plaintext() {
    let (_, out) = run(ServerConfig::default(), false, &[]);
    assert_eq!(
        out,
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED SASL-IR LITERAL+ IDLE] IMAP4rev1 Service Ready\r\n"
    );
    let (_, out) = run(ServerConfig::default(), true, &[]);
    assert!(out.starts_with("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+ IDLE]"));
}

#[test]
fn login_refused_on_plaintext_before_the_literal_is_sent() {
    let (log, out) = run(
        ServerConfig::default(),
        false,
        &[b"a1 LOGIN joe {6}\r\n", b"a2 LOGIN joe secret\r\n"],
    );
    assert!(log.is_empty());
    assert!(
        out.contains("a1 NO [PRIVACYREQUIRED] LOGIN is disabled on an unencrypted connection\r\n")
    );
    assert!(!out.contains("+ Ready"));
    assert!(out.contains("a2 NO [PRIVACYREQUIRED]"));
}

#[test]
fn login_select_fetch_states() {
    let (log, out) = run(
        plain_ok(),
        false,
        &[b"a1 FETCH 1 FLAGS\r\na2 LOGIN joe secret\r\na3 LOGIN joe secret\r\na4 FETCH 1 FLAGS\r\na5 SELECT INBOX\r\na6 FETCH 1 FLAGS\r\na7 ENABLE X\r\na8 SELECT missing\r\na9 FETCH 1 FLAGS\r\n"],
    );
    assert_eq!(
        log,
        [
            "command LOGIN",
            "command SELECT",
            "command FETCH",
            "command SELECT",
        ]
    );
    assert!(out.contains("a1 BAD Command not allowed before authentication\r\n"));
    assert!(out.contains("a2 OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] LOGIN completed\r\n"));
    assert!(out.contains("a3 BAD Already authenticated\r\n"));
    assert!(out.contains("a4 BAD No mailbox selected\r\n"));
    assert!(out.contains("a6 OK done\r\n"));
    assert!(out.contains("a8 NO no such mailbox\r\n"));
    assert!(out.contains("a9 BAD No mailbox selected\r\n"));
}

#[test]
fn examine_is_read_only_and_close_deselects() {
    let mut s = Server::new(
        ServerConfig {
            preauth: true,
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    assert_eq!(s.state(), State::Authenticated);
    assert!(text(s.transmit()).starts_with("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ IDLE]"));
    s.receive(b"e1 EXAMINE INBOX\r\ne2 CLOSE\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Command(_))));
    s.ok(Some(Code::ReadOnly), "EXAMINE completed").unwrap();
    assert_eq!(s.state(), State::Selected { read_only: true });
    assert!(matches!(s.next_event().unwrap(), Some(Event::Command(_))));
    s.ok(None, "CLOSE completed").unwrap();
    assert_eq!(s.state(), State::Authenticated);
}

#[test]
fn synchronizing_literal_gets_a_continuation_and_append_borrows_it() {
    let (log, out) = run(
        plain_ok(),
        false,
        &[
            b"a1 LOGIN joe secret\r\n",
            b"a2 APPEND INBOX {5}\r\n",
            b"hello\r\n",
        ],
    );
    assert_eq!(log, ["command LOGIN", "command APPEND", "append 5"]);
    assert!(out.contains("+ Ready for literal data\r\na2 OK APPEND completed\r\n"));
}

#[test]
fn append_before_login_is_refused_without_continuation() {
    let (log, out) = run(
        plain_ok(),
        false,
        &[b"a2 APPEND INBOX {5}\r\n", b"a3 NOOP\r\n"],
    );
    assert_eq!(log, ["command NOOP"]);
    assert!(out.contains("a2 BAD Command not allowed before authentication\r\n"));
    assert!(!out.contains("+ Ready"));
}

#[test]
fn non_synchronizing_literal_needs_no_continuation() {
    let (log, out) = run(
        plain_ok(),
        false,
        &[b"a1 LOGIN {3+}\r\njoe {6+}\r\nsecret\r\n"],
    );
    assert_eq!(log, ["command LOGIN"]);
    assert!(!out.contains("+ Ready"));
    assert!(out.contains("a1 OK"));
}

#[test]
fn literal_minus_refuses_big_non_sync_literal_with_toobig() {
    let config = ServerConfig {
        literals: LiteralSupport::LiteralMinus,
        preauth: true,
        ..ServerConfig::default()
    };
    let mut msg = b"a1 APPEND INBOX {5000+}\r\n".to_vec();
    msg.extend(std::iter::repeat_n(b'x', 5000));
    msg.extend_from_slice(b"\r\na2 NOOP\r\n");
    let (log, out) = run(config, false, &[&msg]);
    assert!(out.contains("a1 BAD [TOOBIG]"), "{out}");
    assert_eq!(log, ["command NOOP"]);
}

#[test]
fn oversized_literal_refused_by_limit_with_no_toobig() {
    let config = ServerConfig {
        preauth: true,
        limits: Limits {
            max_literal: 100,
            ..Limits::SERVER
        },
        ..ServerConfig::default()
    };
    let (log, out) = run(config, false, &[b"a1 APPEND INBOX {101}\r\na2 NOOP\r\n"]);
    assert!(out.contains("a1 NO [TOOBIG] Literal too large\r\n"));
    assert_eq!(log, ["command NOOP"]);
}

#[test]
fn application_decides_literals_when_asked() {
    let config = ServerConfig {
        preauth: true,
        ask_literals: true,
        ..ServerConfig::default()
    };
    let (log, out) = run(
        config,
        false,
        &[
            b"a1 APPEND INBOX {50}\r\n",
            b"a2 APPEND INBOX {3}\r\n",
            b"abc\r\n",
        ],
    );
    assert_eq!(
        log,
        [
            "literal a1 APPEND 50",
            "literal a2 APPEND 3",
            "command APPEND",
            "append 3"
        ]
    );
    assert!(out.contains("a1 NO [TOOBIG] too big\r\n+ Ready for literal data\r\na2 OK"));
}

#[test]
fn authenticate_plain_with_initial_response() {
    // \0joe\0secret
    let (log, out) = run(
        ServerConfig::default(),
        true,
        &[b"a1 AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n"],
    );
    assert_eq!(log, ["authenticate true"]);
    assert!(out.contains("a1 OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] AUTHENTICATE completed\r\n"));
}

#[test]
fn authenticate_plain_with_continuation_and_cancel() {
    let (log, out) = run(
        ServerConfig::default(),
        true,
        &[
            b"a1 AUTHENTICATE PLAIN\r\n",
            b"*\r\n",
            b"a2 AUTHENTICATE PLAIN\r\n",
            b"AGpvZQBzZWNyZXQ=\r\n",
        ],
    );
    assert_eq!(log, ["authenticate true"]);
    assert!(out.contains("+ \r\na1 BAD AUTHENTICATE cancelled\r\n+ \r\na2 OK"));
}

#[test]
fn authenticate_plain_refused_on_plaintext() {
    let (log, out) = run(
        ServerConfig::default(),
        false,
        &[b"a1 AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n"],
    );
    assert!(log.is_empty());
    assert!(out.contains("a1 NO Unsupported authentication mechanism\r\n"));
}

#[test]
fn authenticate_cram_md5_uses_the_callers_unique_part() {
    let config = ServerConfig {
        mechanisms: vec![Mechanism::CramMd5],
        ..ServerConfig::default()
    };
    let mut s = Server::new(config, false, "1896.697170952").unwrap();
    s.take_output();
    s.receive(b"a1 AUTHENTICATE CRAM-MD5\r\n");
    assert!(s.next_event().unwrap().is_none());
    let out = text(&s.take_output());
    let b64 = out.strip_prefix("+ ").unwrap().trim_end();
    let challenge = mail_common::sasl::decode_base64(b64.as_bytes()).unwrap();
    assert_eq!(challenge, b"<1896.697170952@localhost>");
}

#[test]
fn starttls_discards_pipelined_plaintext() {
    let (log, out) = run(
        ServerConfig::default(),
        false,
        &[b"a1 STARTTLS\r\na2 LOGIN joe secret\r\n", b"injected"],
    );
    assert_eq!(log, ["starttls 21"]);
    assert!(out.ends_with("a1 OK Begin TLS negotiation now\r\n"));
    let mut s = Server::new(ServerConfig::default(), false, "x").unwrap();
    s.receive(b"a1 STARTTLS\r\na2 LOGIN joe secret\r\n");
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::StartTls { discarded: 21 })
    ));
    s.receive(b"more");
    assert_eq!(s.discarded_plaintext(), 25);
    s.tls_established().unwrap();
    assert_eq!(s.buffered(), 0);
    assert!(s.is_tls());
    assert_eq!(s.state(), State::NotAuthenticated);
    assert!(!s.capabilities().contains(&Capability::StartTls));
    s.receive(b"a3 STARTTLS\r\n");
    assert!(s.next_event().unwrap().is_none());
    assert!(text(s.transmit()).ends_with("a3 BAD TLS is already active\r\n"));
}

#[test]
fn idle_then_done() {
    let mut s = Server::new(
        ServerConfig {
            preauth: true,
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    s.take_output();
    s.receive(b"a1 SELECT INBOX\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Command(_))));
    s.ok(None, "SELECT completed").unwrap();
    s.receive(b"a2 IDLE\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::Idle)));
    assert!(s.next_event().unwrap().is_none());
    s.data(&Data::Exists(4)).unwrap();
    s.receive(b"DO");
    assert!(s.next_event().unwrap().is_none());
    s.receive(b"NE\r\n");
    assert!(matches!(s.next_event().unwrap(), Some(Event::IdleDone)));
    s.ok(None, "IDLE terminated").unwrap();
    assert_eq!(
        text(s.transmit()),
        "a1 OK SELECT completed\r\n+ idling\r\n* 4 EXISTS\r\na2 OK IDLE terminated\r\n"
    );
}

#[test]
fn idle_ended_by_anything_but_done_is_bad() {
    let (log, out) = run(
        ServerConfig {
            preauth: true,
            ..ServerConfig::default()
        },
        false,
        &[b"a2 IDLE\r\nNOPE\r\na3 NOOP\r\n"],
    );
    assert_eq!(log, ["idle", "command NOOP"]);
    assert!(out.contains("+ idling\r\na2 BAD Expected DONE\r\na3 OK"));
}

#[test]
fn enable_reports_only_offered_capabilities_and_utf8_switches_decoder() {
    let config = ServerConfig {
        preauth: true,
        enable: vec![
            Atom::new("QRESYNC").unwrap(),
            Atom::new("UTF8=ACCEPT").unwrap(),
        ],
        ..ServerConfig::default()
    };
    let mut s = Server::new(config, false, "x").unwrap();
    s.take_output();
    s.receive(b"a1 ENABLE QRESYNC X-FOO utf8=accept\r\na2 SELECT \"Entw\xc3\xbcrfe\"\r\n");
    let Some(Event::Enabled(caps)) = s.next_event().unwrap() else {
        panic!()
    };
    assert_eq!(caps.len(), 3);
    assert_eq!(
        text(&s.take_output()),
        "* ENABLED QRESYNC utf8=accept CONDSTORE\r\na1 OK ENABLE completed\r\n"
    );
    assert!(s.is_enabled("condstore"));
    let Some(Event::Command(c)) = s.next_event().unwrap() else {
        panic!("{:?}", text(s.transmit()))
    };
    let CommandBody::Select { mailbox } = c.body else {
        panic!()
    };
    assert_eq!(mailbox.to_utf8().unwrap(), "Entwürfe");
}

#[test]
fn compress_deflate_negotiated_once() {
    let config = ServerConfig {
        preauth: true,
        compress: true,
        ..ServerConfig::default()
    };
    let (log, out) = run(
        config,
        false,
        &[b"a1 COMPRESS DEFLATE\r\na2 COMPRESS DEFLATE\r\na3 COMPRESS LZ\r\n"],
    );
    assert_eq!(log, ["compress"]);
    assert!(out.contains("a1 OK DEFLATE active\r\na2 NO [COMPRESSIONACTIVE]"));
    assert!(out.contains("a3 BAD"));
}

#[test]
fn move_arguments_are_parsed_with_copys_grammar() {
    let mut s = Server::new(
        ServerConfig {
            preauth: true,
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    s.receive(b"a1 SELECT INBOX\r\na2 MOVE 1:3 Trash\r\n");
    assert!(s.next_event().unwrap().is_some());
    s.ok(None, "ok").unwrap();
    let Some(Event::Command(c)) = s.next_event().unwrap() else {
        panic!()
    };
    let CommandBody::Move {
        uid: false,
        sequence_set,
        mailbox,
    } = &c.body
    else {
        panic!("{c:?}")
    };
    assert_eq!(sequence_set.as_str(), "1:3");
    assert_eq!(mailbox.as_bytes(), b"Trash");
    // The raw-argument helper still reads COPY's grammar.
    let (set, mailbox) = imap_proto::server::move_arguments(b"1:3 Trash").unwrap();
    assert_eq!((set.as_str(), mailbox.as_bytes()), ("1:3", &b"Trash"[..]));
}

#[test]
fn syntax_errors_get_tagged_bad_and_too_many_close() {
    let config = ServerConfig {
        max_errors: 3,
        ..plain_ok()
    };
    let (log, out) = run(
        config,
        false,
        &[b"a1 SELECT\r\n!!!\r\na3 FETCH\r\na4 NOOP\r\n"],
    );
    assert!(out.contains("a1 BAD Error in IMAP command"), "{out}");
    assert!(out.contains("* BAD Error in IMAP command"), "{out}");
    assert!(
        out.ends_with("* BYE Too many invalid commands\r\n"),
        "{out}"
    );
    assert_eq!(log, ["closed"]);
}

#[test]
fn logout_ends_the_session() {
    let (log, out) = run(plain_ok(), false, &[b"a1 LOGOUT\r\na2 NOOP\r\n"]);
    assert_eq!(log, ["logout"]);
    assert!(out.ends_with("* BYE IMAP4rev1 Server logging out\r\na1 OK LOGOUT completed\r\n"));
}

#[test]
fn answering_twice_is_a_local_error() {
    let mut s = Server::new(plain_ok(), false, "x").unwrap();
    assert!(s.ok(None, "nothing to answer").is_err());
    s.receive(b"a1 NOOP\r\na2 NOOP\r\n");
    assert!(s.next_event().unwrap().is_some());
    assert!(s.next_event().is_err());
    s.ok(None, "NOOP completed").unwrap();
    assert!(s.ok(None, "again").is_err());
}

fn credentials_user(c: &Credentials) -> Option<&str> {
    c.authcid()
}

#[test]
fn credentials_carry_the_user() {
    let mut s = Server::new(ServerConfig::default(), true, "x").unwrap();
    s.receive(b"a AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n");
    let Some(Event::Authenticate { credentials }) = s.next_event().unwrap() else {
        panic!()
    };
    assert_eq!(credentials_user(&credentials), Some("joe"));
}

const SESSION: &[u8] = b"a0 CAPABILITY\r\na1 LOGIN {3}\r\njoe {6+}\r\nsecret\r\na1b SELECT\r\na2 SELECT INBOX\r\na3 APPEND INBOX (\\Seen) {5}\r\nhello\r\na4 IDLE\r\nDONE\r\na5 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER])\r\na6 AUTHENTICATE PLAIN\r\na7 LOGOUT\r\n";

proptest! {
    #[test]
    fn server_output_independent_of_chunking(cuts in proptest::collection::vec(0usize..SESSION.len(), 0..20)) {
        let whole = run(plain_ok(), false, &[SESSION]);
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for c in cuts {
            chunks.push(&SESSION[last..c]);
            last = c;
        }
        chunks.push(&SESSION[last..]);
        prop_assert_eq!(run(plain_ok(), false, &chunks), whole);
    }
}

#[test]
fn server_output_same_when_fed_one_byte_at_a_time() {
    let whole = run(plain_ok(), false, &[SESSION]);
    let bytes: Vec<&[u8]> = SESSION.chunks(1).collect();
    assert_eq!(run(plain_ok(), false, &bytes), whole);
    assert!(whole.1.contains("a7 OK LOGOUT completed"), "{}", whole.1);
}

#[test]
fn uid_move_and_uid_expunge_reach_the_application_typed() {
    let config = ServerConfig {
        preauth: true,
        ..ServerConfig::default()
    };
    let (log, out) = run(
        config,
        false,
        &[b"a1 SELECT INBOX\r\na2 UID MOVE 4:7 Trash\r\na3 UID EXPUNGE 3\r\na4 UID FROB\r\na5 UID {3}\r\n"],
    );
    // An unknown UID command is still delivered raw, as `UID` with its arguments.
    assert_eq!(
        log,
        [
            "command SELECT",
            "command MOVE",
            "command EXPUNGE",
            "command UID"
        ]
    );
    assert!(
        out.contains("a2 OK done\r\na3 OK done\r\na4 OK done\r\na5 BAD"),
        "{out}"
    );
    let mut s = Server::new(
        ServerConfig {
            preauth: true,
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    s.receive(b"a1 SELECT INBOX\r\na2 UID MOVE 4:7 Trash\r\na3 UID EXPUNGE 3\r\n");
    assert!(s.next_event().unwrap().is_some());
    s.ok(None, "ok").unwrap();
    let Some(Event::Command(c)) = s.next_event().unwrap() else {
        panic!()
    };
    let CommandBody::Move {
        uid: true,
        sequence_set,
        mailbox,
    } = &c.body
    else {
        panic!("{c:?}")
    };
    assert_eq!(
        (sequence_set.as_str(), mailbox.as_bytes()),
        ("4:7", &b"Trash"[..])
    );
    s.ok(None, "ok").unwrap();
    let Some(Event::Command(c)) = s.next_event().unwrap() else {
        panic!()
    };
    assert!(
        matches!(&c.body, CommandBody::UidExpunge { sequence_set } if sequence_set.as_str() == "3")
    );
}

#[test]
fn uid_move_before_select_is_refused() {
    let (log, out) = run(
        plain_ok(),
        false,
        &[b"a1 LOGIN joe secret\r\na2 UID MOVE 1 Trash\r\n"],
    );
    assert_eq!(log, ["command LOGIN"]);
    assert!(out.contains("a2 BAD No mailbox selected\r\n"));
}

/// Extension forms the grammar models (RFC 7162, RFC 5258) decode typed whatever
/// `pass_unparsed` says; forms it does not model (RENAME and DELETE parameters) reach the application raw only when asked.
#[test]
fn unparsed_extension_forms_reach_the_application_only_when_asked() {
    let typed: &[&[u8]] = &[
        b"a1 SELECT INBOX (CONDSTORE)\r\na2 FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\na3 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
    ];
    let unknown: &[&[u8]] = &[b"a1 RENAME a b (X-PARAM 1)\r\na2 DELETE a (X-PARAM)\r\n"];
    let config = |pass_unparsed| ServerConfig {
        preauth: true,
        pass_unparsed,
        ..ServerConfig::default()
    };
    for pass in [false, true] {
        let (log, out) = run(config(pass), false, typed);
        assert_eq!(log, ["command SELECT", "command FETCH", "command LIST"]);
        assert!(
            out.contains("a1 OK done\r\na2 OK done\r\na3 OK done\r\n"),
            "{out}"
        );
    }
    let (log, out) = run(config(false), false, unknown);
    assert!(log.is_empty());
    assert!(out.contains("a1 BAD") && out.contains("a2 BAD"), "{out}");
    let (log, out) = run(config(true), false, unknown);
    assert_eq!(log, ["command RENAME", "command DELETE"]);
    assert!(out.contains("a1 OK done\r\na2 OK done\r\n"), "{out}");
    let mut s = Server::new(config(false), false, "x").unwrap();
    s.receive(b"a1 SELECT INBOX (CONDSTORE)\r\n");
    let Some(Event::Command(c)) = s.next_event().unwrap() else {
        panic!()
    };
    let CommandBody::SelectExt {
        examine: false,
        parameters,
        ..
    } = &c.body
    else {
        panic!("{c:?}")
    };
    assert_eq!(parameters.as_slice(), [SelectParam::Condstore]);
    s.ok(Some(Code::ReadWrite), "selected").unwrap();
    assert_eq!(s.state(), State::Selected { read_only: false });
}

#[test]
fn autologout_after_30_minutes_of_silence() {
    use std::time::Duration;
    let mut s = Server::new(plain_ok(), false, "x").unwrap();
    assert_eq!(s.poll_timeout(), None, "no clock yet");
    s.receive_at(b"a1 NOOP\r\n", Duration::from_secs(100));
    assert!(s.next_event().unwrap().is_some());
    assert_eq!(s.poll_timeout(), None, "the application owes an answer");
    s.ok(None, "NOOP completed").unwrap();
    let due = Duration::from_secs(100 + 30 * 60);
    assert_eq!(s.poll_timeout(), Some(due));
    assert!(!s.handle_timeout(due - Duration::from_secs(1)));
    assert!(s.handle_timeout(due));
    assert!(s.is_closed());
    assert!(text(s.transmit()).ends_with("* BYE Autologout; idle for too long\r\n"));
    assert_eq!(s.poll_timeout(), None);
}

/// Pieces of client input, each one command (or a bad line) with a `{}` for its tag.
const POOL: &[&str] = &[
    "{} NOOP\r\n",
    "{} CAPABILITY\r\n",
    "{} LOGIN joe secret\r\n",
    "{} LOGIN joe wrong\r\n",
    "{} LOGIN {3}\r\njoe {6+}\r\nsecret\r\n",
    "{} SELECT INBOX\r\n",
    "{} SELECT missing\r\n",
    "{} EXAMINE INBOX\r\n",
    "{} FETCH 1:* (FLAGS)\r\n",
    "{} UID MOVE 1 Trash\r\n",
    "{} APPEND INBOX {5}\r\nhello\r\n",
    "{} APPEND INBOX {5+}\r\nhello\r\n",
    "{} CLOSE\r\n",
    "{} UNSELECT\r\n",
    "{} IDLE\r\nDONE\r\n",
    "{} ENABLE CONDSTORE\r\n",
    "{} AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n",
    "{} AUTHENTICATE PLAIN\r\nAGpvZQBzZWNyZXQ=\r\n",
    "{} AUTHENTICATE PLAIN\r\n*\r\n",
    "{} SELECT\r\n",
    "{} FROB\r\n",
    "{} EXPUNGE\r\n",
];

proptest! {
    #[test]
    fn every_command_gets_one_tagged_answer_in_order(picks in proptest::collection::vec(0usize..POOL.len(), 1..40)) {
        let mut input = String::new();
        let mut tags = Vec::new();
        for (i, &p) in picks.iter().enumerate() {
            let tag = format!("t{i}");
            input.push_str(&POOL[p].replace("{}", &tag));
            tags.push(tag);
        }
        let config = ServerConfig {
            allow_plaintext_auth: true,
            max_errors: 1000,
            enable: vec![Atom::new("CONDSTORE").unwrap()],
            ..ServerConfig::default()
        };
        let (_, out) = run(config.clone(), false, &[input.as_bytes()]);
        let answered: Vec<&str> = out
            .lines()
            .filter_map(|l| l.split(' ').next())
            .filter(|t| t.starts_with('t'))
            .collect();
        prop_assert_eq!(&answered, &tags.iter().map(String::as_str).collect::<Vec<_>>());
        let bytes: Vec<&[u8]> = input.as_bytes().chunks(1).collect();
        prop_assert_eq!(run(config, false, &bytes).1, out);
    }
}

#[test]
fn cram_md5_needs_a_valid_unique_part() {
    let config = ServerConfig {
        mechanisms: vec![Mechanism::CramMd5],
        ..ServerConfig::default()
    };
    assert!(Server::new(config.clone(), true, "").is_err());
    assert!(Server::new(config, true, "a b").is_err());
    assert!(Server::new(ServerConfig::default(), true, "").is_ok());
}

fn streaming(ask: bool) -> ServerConfig {
    ServerConfig {
        preauth: true,
        stream_append: Some(1000),
        ask_literals: ask,
        ..ServerConfig::default()
    }
}

/// Feeds `input` in `chunk`-octet pieces to a streaming server; returns (events, message
/// reassembled, output, largest buffer).
fn stream_run(
    config: ServerConfig,
    input: &[u8],
    chunk: usize,
    accept: bool,
) -> (Vec<String>, Vec<u8>, String, usize) {
    let mut s = Server::new(config, false, "x").unwrap();
    s.take_output();
    let (mut log, mut message, mut max) = (Vec::new(), Vec::new(), 0);
    for piece in input.chunks(chunk) {
        s.receive(piece);
        loop {
            let ev = s.next_event().unwrap();
            let answer = match ev {
                None => break,
                Some(Event::AppendData(d)) => {
                    message.extend_from_slice(d);
                    continue;
                }
                Some(Event::AppendStart { command, size }) => {
                    let CommandBody::Append {
                        mailbox,
                        flags,
                        message,
                        ..
                    } = &command.body
                    else {
                        panic!()
                    };
                    log.push(format!(
                        "start {} {:?} {:?} {} {size}",
                        command.tag.as_str(),
                        mailbox,
                        flags,
                        message.data().len()
                    ));
                    continue;
                }
                Some(Event::Literal { size, .. }) => {
                    log.push(format!("literal {size}"));
                    if accept { "accept" } else { "reject" }
                }
                Some(Event::AppendEnd) => {
                    log.push("end".into());
                    "ok"
                }
                Some(Event::Command(c)) => {
                    log.push(format!("command {}", c.body.name()));
                    "ok"
                }
                Some(other) => panic!("{other:?}"),
            };
            match answer {
                "accept" => s.accept_literal().unwrap(),
                "reject" => s.reject_literal("too big").unwrap(),
                _ => s.ok(None, "done").unwrap(),
            }
        }
        max = max.max(s.buffered());
    }
    (log, message, text(s.transmit()), max)
}

fn big_append() -> (Vec<u8>, Vec<u8>) {
    let message: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut input = format!("a1 APPEND INBOX (\\Seen) {{{}}}\r\n", message.len()).into_bytes();
    input.extend_from_slice(&message);
    input.extend_from_slice(b"\r\na2 APPEND INBOX {5}\r\nsmall\r\na3 NOOP\r\n");
    (message, input)
}

#[test]
fn big_append_streams_with_a_bounded_buffer() {
    let (message, input) = big_append();
    let (log, got, out, max) = stream_run(streaming(false), &input, 4096, true);
    assert_eq!(got, message);
    assert!(max <= 4096, "{max}");
    assert_eq!(
        log,
        [
            "start a1 Inbox Some([Seen]) 0 300000",
            "end",
            "command APPEND",
            "command NOOP"
        ]
    );
    assert_eq!(
        out,
        "+ Ready for literal data\r\na1 OK done\r\n+ Ready for literal data\r\na2 OK done\r\na3 OK done\r\n"
    );
    // Same events and bytes whatever the chunking (the data pieces differ, their sum not).
    let ones = stream_run(streaming(false), &input, 1, true);
    assert_eq!((ones.0, ones.1, ones.2), (log, got, out));
}

#[test]
fn streamed_append_can_be_refused_before_the_data() {
    let (_, input) = big_append();
    let head = input.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut refused = input[..head].to_vec();
    refused.extend_from_slice(b"a3 NOOP\r\n");
    let (log, got, out, _) = stream_run(streaming(true), &refused, 4096, false);
    assert_eq!(log, ["literal 300000", "command NOOP"]);
    assert!(got.is_empty());
    assert_eq!(out, "a1 NO [TOOBIG] too big\r\na3 OK done\r\n");
    let (log, got, _, _) = stream_run(streaming(true), &input, 4096, true);
    assert_eq!(got.len(), 300_000);
    assert_eq!(
        log[..3],
        [
            "literal 300000",
            "start a1 Inbox Some([Seen]) 0 300000",
            "end"
        ]
    );
}

#[test]
fn streamed_append_must_end_with_crlf() {
    let mut input = b"a1 APPEND INBOX {1000}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1000));
    input.extend_from_slice(b" {3}\r\nabc\r\na2 NOOP\r\n");
    let (log, _, out, _) = stream_run(streaming(false), &input, 64, true);
    assert!(
        out.contains("a1 BAD Expected CRLF after the message"),
        "{out}"
    );
    assert_eq!(log.last().unwrap(), "command NOOP");
}
