//! The server machine driven with scripted client bytes.

use std::time::Duration;

use mail_common::dot::BareLineEndings;
use mail_common::sasl::Credentials;
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(1000);

#[derive(Debug, Default)]
struct Log {
    events: Vec<String>,
    body: Vec<u8>,
    aborted: usize,
}

/// Accepts everything; `reject_rcpt` names a local part to refuse.
fn handle(server: &mut Server, log: &mut Log, reject_rcpt: &str) {
    loop {
        let ev = server.next_event().unwrap().map(Event::into_owned);
        let Some(ev) = ev else { break };
        match ev {
            Event::Command(c) => {
                log.events.push(c.verb().to_string());
                match c {
                    Command::Ehlo(_) | Command::Helo(_) | Command::Lhlo(_) => {
                        server.reply_ehlo().unwrap()
                    }
                    Command::MailFrom(_) => server
                        .reply(
                            &Reply::new(250, EnhancedCode::new(2, 1, 0).ok(), "Sender OK").unwrap(),
                        )
                        .unwrap(),
                    Command::RcptTo(r) => {
                        let bad = matches!(&r.path, ForwardPath::Mailbox(m) if m.local_part.as_str() == reject_rcpt);
                        let reply = if bad {
                            Reply::new(550, EnhancedCode::new(5, 1, 1).ok(), "No such user here")
                                .unwrap()
                        } else {
                            Reply::new(250, EnhancedCode::new(2, 1, 5).ok(), "Recipient OK")
                                .unwrap()
                        };
                        server.reply(&reply).unwrap()
                    }
                    Command::Data => server
                        .reply(
                            &Reply::new(354, None, "Start mail input; end with <CRLF>.<CRLF>")
                                .unwrap(),
                        )
                        .unwrap(),
                    Command::Quit => server
                        .reply(&Reply::new(221, EnhancedCode::new(2, 0, 0).ok(), "Bye").unwrap())
                        .unwrap(),
                    Command::StartTls => server
                        .reply(
                            &Reply::new(220, EnhancedCode::new(2, 0, 0).ok(), "Ready to start TLS")
                                .unwrap(),
                        )
                        .unwrap(),
                    Command::Unknown { .. } => server
                        .reply(
                            &Reply::new(
                                500,
                                EnhancedCode::new(5, 5, 1).ok(),
                                "Command unrecognized",
                            )
                            .unwrap(),
                        )
                        .unwrap(),
                    _ => server
                        .reply(&Reply::new(250, EnhancedCode::new(2, 0, 0).ok(), "OK").unwrap())
                        .unwrap(),
                }
            }
            Event::BodyChunk(c) => log.body.extend_from_slice(&c),
            Event::DataEnd { replies } | Event::BdatEnd { replies, .. } => {
                log.events.push(format!("END{replies}"));
                for n in 0..replies {
                    server
                        .reply(
                            &Reply::new(250, EnhancedCode::new(2, 0, 0).ok(), format!("OK {n}"))
                                .unwrap(),
                        )
                        .unwrap();
                }
            }
            Event::BdatStart { size, last } => log
                .events
                .push(format!("BDAT{size}{}", if last { "L" } else { "" })),
            Event::DataAborted { error } => {
                log.aborted += 1;
                log.events.push(format!("ABORT {error}"));
                log.body.clear();
            }
            Event::Authenticate(creds) => {
                log.events.push("AUTH".into());
                server
                    .credentials_valid(creds.password_matches("tim", "tanstaaftanstaaf"))
                    .unwrap();
            }
            Event::StartTls { discarded } => {
                log.events.push(format!("TLS {discarded}"));
                server.tls_established(T0).unwrap();
            }
        }
    }
}

fn run_with(config: ServerConfig, input: &[u8], chunk: usize) -> (String, Log, Server) {
    let mut server = Server::new(config, T0);
    server.greet().unwrap();
    let mut log = Log::default();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        server.receive(piece, T0).unwrap();
        handle(&mut server, &mut log, "Green");
        out.extend_from_slice(server.transmit());
        let n = server.transmit().len();
        server.consumed(n);
    }
    (String::from_utf8(out).unwrap(), log, server)
}

fn run(input: &[u8]) -> (String, Log) {
    let (out, log, _) = run_with(ServerConfig::new("foo.com"), input, input.len());
    (out, log)
}

fn codes(out: &str) -> Vec<&str> {
    out.split("\r\n")
        .filter(|l| l.len() >= 4 && l.as_bytes()[3] == b' ')
        .map(|l| &l[..3])
        .collect()
}

#[test]
fn rfc5321_d1_session_gets_the_expected_replies() {
    let input = b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\nRCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\nBlah blah blah...\r\n...etc. etc. etc.\r\n.\r\nQUIT\r\n";
    for chunk in [1, 2, 7, input.len()] {
        let (out, log, server) = run_with(ServerConfig::new("foo.com"), input, chunk);
        assert_eq!(
            codes(&out),
            [
                "220", "250", "250", "250", "550", "250", "354", "250", "221"
            ],
            "chunk {chunk}"
        );
        assert_eq!(log.body, b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
        assert!(server.is_closed());
    }
}

#[test]
fn commands_out_of_sequence_get_503() {
    let (out, log) = run(b"MAIL FROM:<a@b.c>\r\nEHLO x\r\nRCPT TO:<a@b.c>\r\nDATA\r\nMAIL FROM:<a@b.c>\r\nMAIL FROM:<a@b.c>\r\nDATA\r\nQUIT\r\n");
    assert_eq!(
        codes(&out),
        [
            "220", "503", "250", "503", "503", "250", "503", "554", "221"
        ]
    );
    assert_eq!(log.events, ["EHLO", "MAIL", "QUIT"]);
}

#[test]
fn syntax_errors_get_500_or_501_and_the_session_continues() {
    let (out, _) = run(b"\x01\r\nEHLO -x\r\nEHLO x\r\nMAIL FROM:<a@b.c> SIZE=1 SIZE=2\r\nMAIL FROM:<a@b\r\nNOOP\r\n");
    assert_eq!(
        codes(&out),
        ["220", "500", "501", "250", "501", "501", "250"]
    );
}

#[test]
fn over_long_command_line_gets_500_and_is_skipped() {
    let mut input = b"EHLO x\r\nNOOP ".to_vec();
    input.extend(std::iter::repeat_n(b'a', 2000));
    input.extend_from_slice(b"\r\nNOOP\r\n");
    for chunk in [1, 100, input.len()] {
        let (out, _, _) = run_with(ServerConfig::new("foo.com"), &input, chunk);
        assert_eq!(codes(&out), ["220", "250", "500", "250"], "chunk {chunk}");
        assert!(out.contains("500 5.5.2 Line too long"));
    }
}

#[test]
fn pipelined_commands_are_answered_in_order() {
    let input = b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nRCPT TO:<Green@b.c>\r\nRCPT TO:<c@b.c>\r\nDATA\r\n";
    let (out, log) = run(input);
    assert_eq!(
        codes(&out),
        ["220", "250", "250", "250", "550", "250", "354"]
    );
    assert_eq!(log.events, ["EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA"]);
    assert!(out.contains("250-PIPELINING\r\n"));
}

#[test]
fn too_many_recipients_get_452() {
    let mut cfg = ServerConfig::new("foo.com");
    cfg.max_recipients = 2;
    let input =
        b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nRCPT TO:<b@b.c>\r\nRCPT TO:<c@b.c>\r\n";
    let (out, _, _) = run_with(cfg, input, input.len());
    assert_eq!(codes(&out), ["220", "250", "250", "250", "250", "452"]);
    assert!(out.ends_with("452 4.5.3 Too many recipients\r\n"));
}

#[test]
fn size_limit_is_enforced_at_mail_and_in_data() {
    let mut cfg = ServerConfig::new("foo.com");
    cfg.max_message_size = Some(10);
    let input = b"EHLO x\r\nMAIL FROM:<> SIZE=11\r\nMAIL FROM:<> SIZE=10\r\nRCPT TO:<a@b.c>\r\nDATA\r\n0123456789abc\r\n.\r\nNOOP\r\n";
    let (out, log, _) = run_with(cfg, input, input.len());
    assert_eq!(
        codes(&out),
        ["220", "250", "552", "250", "250", "354", "552", "250"]
    );
    assert!(out.contains("250-SIZE 10\r\n"));
    assert_eq!(log.aborted, 1);
}

#[test]
fn data_edge_cases() {
    // (data section after 354, expected content or None for a 550 bare CR/LF rejection)
    let cases: &[(&[u8], Option<&[u8]>)] = &[
        (b".\r\n", Some(b"")),
        (b"\r\n.\r\n", Some(b"\r\n")),
        (b"..\r\n.\r\n", Some(b".\r\n")),
        (b"...\r\n.\r\n", Some(b"..\r\n")),
        (b".a\r\n.\r\n", Some(b"a\r\n")),
        (b"a\r\n..\r\n.\r\n", Some(b"a\r\n.\r\n")),
        (b"a\r\n. \r\n.\r\n", Some(b"a\r\n \r\n")),
        (b"a\n.\n\r\n.\r\n", None),
        (b"a\r.\r\r\n.\r\n", None),
        (b"a\n.\r\n\r\n.\r\n", None),
        (b"a\r\n.\n\r\n.\r\n", None),
        (b"a\r\n.\rX\r\n.\r\n", None),
    ];
    for (data, expected) in cases {
        let mut input = b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n".to_vec();
        input.extend_from_slice(data);
        input.extend_from_slice(b"NOOP\r\n");
        for chunk in 1..=4 {
            let (out, log, _) = run_with(ServerConfig::new("foo.com"), &input, chunk);
            let c = codes(&out);
            match expected {
                Some(content) => {
                    assert_eq!(
                        c,
                        ["220", "250", "250", "250", "354", "250", "250"],
                        "{data:?}"
                    );
                    assert_eq!(&log.body, content, "{data:?} chunk {chunk}");
                }
                None => {
                    assert_eq!(
                        c,
                        ["220", "250", "250", "250", "354", "550", "250"],
                        "{data:?} chunk {chunk}"
                    );
                    assert!(out.contains("550 5.6.0 Message contains bare CR or LF"));
                    assert_eq!(log.aborted, 1);
                }
            }
        }
    }
}

#[test]
fn bare_lf_dot_lf_does_not_end_data_even_when_accepted() {
    let mut cfg = ServerConfig::new("foo.com");
    cfg.bare_line_endings = BareLineEndings::Accept;
    let input = b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\na\n.\nMAIL FROM:<evil@x>\n\r\n.\r\nNOOP\r\n";
    let (out, log, _) = run_with(cfg, input, 3);
    assert_eq!(
        codes(&out),
        ["220", "250", "250", "250", "354", "250", "250"]
    );
    assert_eq!(log.body, b"a\n.\nMAIL FROM:<evil@x>\n\r\n");
}

#[test]
fn data_line_too_long_is_refused_after_the_end() {
    let mut input = b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1200));
    input.extend_from_slice(b".\r\n.\r\nNOOP\r\n");
    let (out, log, _) = run_with(ServerConfig::new("foo.com"), &input, 64);
    assert_eq!(
        codes(&out),
        ["220", "250", "250", "250", "354", "500", "250"]
    );
    assert_eq!(log.aborted, 1);
}

#[test]
fn bdat_reads_exact_counts() {
    let input = b"EHLO x\r\nMAIL FROM:<> BODY=BINARYMIME\r\nRCPT TO:<a@b.c>\r\nBDAT 5\r\nab\r\n.BDAT 3 LAST\r\nxyzQUIT\r\n";
    for chunk in [1, 3, input.len()] {
        let (out, log, server) = run_with(ServerConfig::new("foo.com"), input, chunk);
        assert_eq!(
            codes(&out),
            ["220", "250", "250", "250", "250", "250", "221"],
            "chunk {chunk}"
        );
        assert_eq!(log.body, b"ab\r\n.xyz");
        assert_eq!(
            log.events,
            [
                "EHLO", "MAIL", "RCPT", "BDAT5", "END1", "BDAT3L", "END1", "QUIT"
            ]
        );
        assert!(server.is_closed());
    }
}

#[test]
fn refused_bdat_chunk_is_still_read() {
    let input = b"EHLO x\r\nBDAT 6\r\nNOOP\r\nNOOP\r\n";
    let (out, log) = run(input);
    assert_eq!(codes(&out), ["220", "250", "503", "250"]);
    assert_eq!(log.events, ["EHLO", "NOOP"]);
}

#[test]
fn data_after_bdat_is_a_bad_sequence() {
    let (out, _) = run(b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nBDAT 1\r\nxDATA\r\n");
    assert_eq!(codes(&out), ["220", "250", "250", "250", "250", "503"]);
}

fn auth_config() -> ServerConfig {
    let mut cfg = ServerConfig::new("foo.com");
    cfg.auth_mechanisms = vec![
        AuthMechanism::PLAIN,
        AuthMechanism::LOGIN,
        AuthMechanism::CRAM_MD5,
    ];
    cfg.starttls = true;
    cfg.cram_challenge = Some("<1896.697170952@postoffice.reston.mci.net>".into());
    cfg
}

#[test]
fn auth_plain_with_initial_response_rfc4954() {
    let mut cfg = auth_config();
    cfg.tls = true;
    // RFC 4954 §4 example: "\0tim\0tanstaaftanstaaf".
    let input = b"EHLO x\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n";
    let (out, log, server) = run_with(cfg, input, 1);
    assert_eq!(codes(&out), ["220", "250", "235", "503"]);
    assert!(out.contains("250 AUTH PLAIN LOGIN CRAM-MD5\r\n"));
    assert!(server.is_authenticated());
    assert_eq!(log.events, ["EHLO", "AUTH"]);
}

#[test]
fn auth_login_exchange_and_cancel() {
    let mut cfg = auth_config();
    cfg.tls = true;
    let input =
        b"EHLO x\r\nAUTH LOGIN\r\ndGlt\r\n*\r\nAUTH LOGIN\r\ndGlt\r\ndGFuc3RhYWZ0YW5zdGFhZg==\r\n";
    let (out, _, server) = run_with(cfg, input, 2);
    assert_eq!(
        codes(&out),
        ["220", "250", "334", "334", "501", "334", "334", "235"]
    );
    assert!(out.contains("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n501 5.0.0"));
    assert!(server.is_authenticated());
}

#[test]
fn plaintext_auth_before_tls_gets_538_and_is_not_offered() {
    let (out, _, server) = run_with(
        auth_config(),
        b"EHLO x\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n",
        64,
    );
    assert_eq!(codes(&out), ["220", "250", "538"]);
    assert!(out.contains("250 AUTH CRAM-MD5\r\n"));
    assert!(!server.is_authenticated());
}

#[test]
fn auth_cram_md5_rfc2195() {
    let (out, log, _) = run_with(
        auth_config(),
        b"EHLO x\r\nAUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n",
        5,
    );
    assert!(out.contains("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"));
    assert_eq!(log.events, ["EHLO", "AUTH"]);
    // password_matches checks a CRAM-MD5 digest against the shared secret.
    assert_eq!(codes(&out), ["220", "250", "334", "235"]);
}

#[test]
fn cram_md5_credentials_verify_with_the_shared_secret() {
    let mut server = Server::new(auth_config(), T0);
    server.greet().unwrap();
    server.receive(b"EHLO x\r\n", T0).unwrap();
    assert!(matches!(
        server.next_event().unwrap(),
        Some(Event::Command(_))
    ));
    server.reply_ehlo().unwrap();
    server
        .receive(
            b"AUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n",
            T0,
        )
        .unwrap();
    match server.next_event().unwrap() {
        Some(Event::Authenticate(c @ Credentials::CramMd5 { .. })) => {
            assert!(c.verify(b"tanstaaftanstaaf"))
        }
        other => panic!("{other:?}"),
    }
    server.credentials_valid(true).unwrap();
    assert!(server.is_authenticated());
}

#[test]
fn starttls_discards_pipelined_plaintext_and_resets_the_session() {
    let input = b"EHLO x\r\nSTARTTLS\r\nMAIL FROM:<evil@x>\r\n";
    let (out, log, server) = run_with(auth_config(), input, input.len());
    assert_eq!(codes(&out), ["220", "250", "220"]);
    assert_eq!(log.events, ["EHLO", "STARTTLS", "TLS 20"]);
    assert!(server.is_tls());
    // After TLS the client must EHLO again.
    let mut server = server;
    server.receive(b"MAIL FROM:<a@b.c>\r\n", T0).unwrap();
    assert!(server.next_event().unwrap().is_none());
    assert!(String::from_utf8_lossy(server.transmit()).starts_with("503"));
}

#[test]
fn lmtp_gives_one_reply_per_accepted_recipient() {
    let mut cfg = ServerConfig::new("foo.com");
    cfg.lmtp = true;
    let input = b"EHLO x\r\nLHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nRCPT TO:<Green@b.c>\r\nRCPT TO:<c@b.c>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n";
    let (out, log, _) = run_with(cfg, input, 4);
    assert_eq!(
        codes(&out),
        [
            "220", "500", "250", "250", "250", "550", "250", "354", "250", "250", "221"
        ]
    );
    assert!(out.starts_with("220 foo.com LMTP\r\n"));
    assert!(log.events.contains(&"END2".to_string()));
}

#[test]
fn smtputf8_addresses_need_the_parameter() {
    let (out, _) = run("EHLO x\r\nMAIL FROM:<j\u{f6}rg@x.de>\r\nMAIL FROM:<j\u{f6}rg@x.de> SMTPUTF8\r\nRCPT TO:<\u{fc}@x.de>\r\n".as_bytes());
    assert_eq!(codes(&out), ["220", "250", "553", "250", "250"]);
}

#[test]
fn refused_greeting_accepts_only_quit() {
    let mut server = Server::new(ServerConfig::new("foo.com"), T0);
    server
        .greet_with(&Reply::new(554, EnhancedCode::new(5, 7, 1).ok(), "No service").unwrap())
        .unwrap();
    server.receive(b"EHLO x\r\nQUIT\r\n", T0).unwrap();
    assert!(server.next_event().unwrap().is_none());
    let out = String::from_utf8_lossy(server.transmit()).to_string();
    assert_eq!(codes(&out), ["554", "503", "221"]);
    assert!(server.is_closed());
}

#[test]
fn timeout_is_reported_with_421() {
    let mut server = Server::new(ServerConfig::new("foo.com"), T0);
    server.greet().unwrap();
    assert_eq!(server.poll_timeout(), Some(T0 + Duration::from_secs(300)));
    assert!(!server.handle_timeout(T0 + Duration::from_secs(299)));
    server
        .receive(b"NO", T0 + Duration::from_secs(100))
        .unwrap();
    assert!(server.next_event().unwrap().is_none());
    assert_eq!(server.poll_timeout(), Some(T0 + Duration::from_secs(400)));
    assert!(server.handle_timeout(T0 + Duration::from_secs(400)));
    assert!(server.is_closed());
    assert!(
        String::from_utf8_lossy(server.transmit())
            .ends_with("421 4.4.2 foo.com Timeout, closing transmission channel\r\n")
    );
}

#[test]
fn misuse_is_a_local_error() {
    let mut server = Server::new(ServerConfig::new("foo.com"), T0);
    server.greet().unwrap();
    let e = server
        .reply(&Reply::new(250, None, "x").unwrap())
        .unwrap_err();
    assert!(e.is_local());
    assert!(server.greet().is_err());
    assert!(server.credentials_valid(true).is_err());
}

#[test]
fn buffered_input_is_bounded() {
    let mut cfg = ServerConfig::new("foo.com");
    cfg.max_buffered_input = 64;
    let mut server = Server::new(cfg, T0);
    server.greet().unwrap();
    server.receive(b"EHLO x\r\n", T0).unwrap();
    let _ = server.next_event().unwrap();
    // A reply is owed: pipelined input piles up until the limit.
    assert!(server.receive(&[b'N'; 40], T0).is_ok());
    assert_eq!(
        server.receive(&[b'N'; 40], T0),
        Err(Error::LimitExceeded {
            what: "buffered input",
            limit: 64
        })
    );
}

#[test]
fn bare_lf_offset_counts_from_the_start_of_the_data_whatever_the_chunking() {
    let input = b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nabc\r\nde\nf\r\n.\r\n";
    for chunk in 1..=input.len() {
        let (_, log, _) = run_with(ServerConfig::new("foo.com"), input, chunk);
        assert!(
            log.events
                .contains(&"ABORT bare LF at offset 7 in message data".to_string()),
            "chunk {chunk}: {:?}",
            log.events
        );
    }
}

#[test]
fn long_auth_initial_response_is_accepted_but_other_long_lines_are_not() {
    // An XOAUTH2 token on the AUTH line easily exceeds 512 octets (RFC 4954 §4 allows
    // 12288).
    let mut cfg = auth_config();
    cfg.tls = true;
    cfg.auth_mechanisms.push(AuthMechanism::XOAUTH2);
    let token = "t".repeat(1500);
    let ir = Base64::encode(format!("user=tim\x01auth=Bearer {token}\x01\x01").as_bytes());
    let input = format!(
        "EHLO x\r\nNOOP {}\r\nAUTH XOAUTH2 {}\r\n",
        "n".repeat(600),
        ir.as_str()
    );
    assert!(input.len() > 2000);
    for chunk in [1, 100, input.len()] {
        let (out, log, _) = run_with(cfg.clone(), input.as_bytes(), chunk);
        assert_eq!(codes(&out), ["220", "250", "500", "535"], "chunk {chunk}");
        assert_eq!(log.events, ["EHLO", "AUTH"]);
    }
    let line = format!("AUTH XOAUTH2 {}\r\n", ir.as_str());
    assert!(Command::decode(line.as_bytes()).unwrap().is_complete());
}
