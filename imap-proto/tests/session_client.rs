//! The client machine fed raw server bytes: capability tracking, completions matched to
//! handles, literals waiting for `+`, LITERAL+/-, SASL exchanges, STARTTLS, COMPRESS, IDLE,
//! error recovery, and chunking invariance.

use imap_proto::client::{Client, ClientConfig, Event, Handle};
use imap_proto::server::State;
use imap_proto::*;
use mail_common::sasl::SaslClient;
use proptest::prelude::*;

fn client() -> Client {
    Client::new(
        ClientConfig {
            allow_plaintext_login: true,
            ..ClientConfig::default()
        },
        false,
    )
}

fn events(c: &mut Client, bytes: &[u8]) -> Vec<String> {
    c.receive(bytes);
    let mut v = Vec::new();
    loop {
        match c.next_event() {
            Ok(None) => return v,
            Ok(Some(ev)) => v.push(format!("{ev:?}")),
            Err(e) => v.push(format!("error {e}")),
        }
    }
}

fn out(c: &mut Client) -> String {
    String::from_utf8(c.take_output()).unwrap()
}

fn completed(log: &[String], h: Handle) -> bool {
    log.iter()
        .any(|l| l.starts_with(&format!("Completed {{ handle: Handle({})", h.id())))
}

#[test]
fn capabilities_from_greeting_capability_response_and_codes() {
    let mut c = client();
    events(
        &mut c,
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n",
    );
    assert_eq!(c.state(), Some(State::NotAuthenticated));
    assert!(c.has_capability("logindisabled"));
    assert!(c.login("u", "p").is_err());
    let h = c.send(CommandBody::Capability).unwrap();
    let log = events(
        &mut c,
        b"* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\nA1 OK done\r\n",
    );
    assert!(completed(&log, h));
    assert!(!c.has_capability("LOGINDISABLED"));
    assert!(c.has_capability("auth=plain"));
    c.login("u", "p").unwrap();
    events(&mut c, b"A2 OK [CAPABILITY IMAP4rev1 MOVE] logged in\r\n");
    assert_eq!(c.state(), Some(State::Authenticated));
    assert!(c.has_capability("MOVE") && !c.has_capability("IDLE"));
}

#[test]
fn preauth_and_bye_greetings_set_the_state() {
    let mut c = client();
    events(&mut c, b"* PREAUTH ready\r\n");
    assert_eq!(c.state(), Some(State::Authenticated));
    let mut c = client();
    events(&mut c, b"* BYE go away\r\n");
    assert_eq!(c.state(), Some(State::Logout));
    assert!(c.send(CommandBody::Noop).is_err());
}

#[test]
fn completions_match_handles_in_any_order_and_data_flows_between() {
    let mut c = client();
    events(&mut c, b"* PREAUTH ready\r\n");
    let a = c.send(CommandBody::Noop).unwrap();
    let b = c.send(CommandBody::Check).unwrap_err();
    assert!(
        matches!(b, Error::Invalid { .. }),
        "CHECK needs a selected mailbox"
    );
    let b = c
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    assert_eq!(out(&mut c), "A1 NOOP\r\nA2 SELECT INBOX\r\n");
    assert_eq!(c.tag(b), Some("A2"));
    let log = events(
        &mut c,
        b"* 3 EXISTS\r\nA2 OK [READ-ONLY] selected\r\n* 1 RECENT\r\nA1 OK noop\r\nZZ OK stray\r\n",
    );
    assert_eq!(log.len(), 5);
    assert!(log[0].starts_with("Data(Exists(3))"));
    assert!(log[1].starts_with(&format!("Completed {{ handle: Handle({})", b.id())));
    assert!(log[2].starts_with("Data(Recent(1))"));
    assert!(log[3].starts_with(&format!("Completed {{ handle: Handle({})", a.id())));
    assert!(log[4].starts_with("Status("), "{}", log[4]);
    assert_eq!(c.state(), Some(State::Selected { read_only: true }));
    assert_eq!(c.in_flight(), 0);
    events(&mut c, b"* BYE shutting down\r\n");
    assert_eq!(c.state(), Some(State::Logout));
}

#[test]
fn synchronizing_literal_waits_for_the_continuation() {
    let mut c = client();
    events(&mut c, b"* PREAUTH ready\r\n");
    let a = c
        .send(CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: None,
            date: None,
            message: Literal::new(&b"hello"[..]).unwrap(),
        })
        .unwrap();
    let n = c.send(CommandBody::Noop).unwrap();
    assert_eq!(out(&mut c), "A1 APPEND INBOX {5}\r\n");
    let log = events(&mut c, b"+ go ahead\r\n");
    assert!(log.is_empty(), "{log:?}");
    assert_eq!(out(&mut c), "hello\r\nA2 NOOP\r\n");
    let log = events(&mut c, b"A1 OK appended\r\nA2 OK noop\r\n");
    assert!(completed(&log, a) && completed(&log, n));
}

#[test]
fn refused_literal_is_never_sent_and_the_queue_goes_on() {
    let mut c = client();
    events(&mut c, b"* PREAUTH ready\r\n");
    let a = c
        .send(CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: None,
            date: None,
            message: Literal::new(&b"hello"[..]).unwrap(),
        })
        .unwrap();
    c.send(CommandBody::Noop).unwrap();
    assert_eq!(out(&mut c), "A1 APPEND INBOX {5}\r\n");
    let log = events(&mut c, b"A1 NO [TOOBIG] too big\r\n");
    assert!(completed(&log, a));
    assert_eq!(out(&mut c), "A2 NOOP\r\n");
}

#[test]
fn literal_plus_and_literal_minus_choose_the_literal_mode() {
    let mut c = client();
    events(
        &mut c,
        b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n",
    );
    c.send(CommandBody::Append {
        mailbox: Mailbox::Inbox,
        flags: None,
        date: None,
        message: Literal::new(vec![b'x'; 5000]).unwrap(),
    })
    .unwrap();
    assert!(out(&mut c).starts_with("A1 APPEND INBOX {5000+}\r\nxxx"));
    let mut c = client();
    events(
        &mut c,
        b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL-] ready\r\n",
    );
    c.send(CommandBody::Append {
        mailbox: Mailbox::Inbox,
        flags: None,
        date: None,
        message: Literal::new(vec![b'x'; 5000]).unwrap(),
    })
    .unwrap();
    c.send(CommandBody::Append {
        mailbox: Mailbox::Inbox,
        flags: None,
        date: None,
        message: Literal::new(&b"small"[..]).unwrap(),
    })
    .unwrap();
    assert_eq!(out(&mut c), "A1 APPEND INBOX {5000}\r\n");
    events(&mut c, b"+ ok\r\n");
    let o = out(&mut c);
    assert!(o.ends_with("\r\nA2 APPEND INBOX {5+}\r\nsmall\r\n"), "{o}");
}

#[test]
fn authenticate_login_answers_each_challenge() {
    let mut c = client();
    events(
        &mut c,
        b"* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN SASL-IR] hi\r\n",
    );
    let h = c.authenticate(SaslClient::login("joe", "secret")).unwrap();
    let n = c.send(CommandBody::Noop).unwrap();
    assert_eq!(out(&mut c), "A1 AUTHENTICATE LOGIN\r\n");
    events(&mut c, b"+ VXNlcm5hbWU6\r\n");
    assert_eq!(out(&mut c), "am9l\r\n");
    events(&mut c, b"+ UGFzc3dvcmQ6\r\n");
    assert_eq!(out(&mut c), "c2VjcmV0\r\n");
    let log = events(&mut c, b"A1 OK welcome\r\n");
    assert!(completed(&log, h));
    assert_eq!(c.state(), Some(State::Authenticated));
    assert_eq!(
        out(&mut c),
        "A2 NOOP\r\n",
        "queued NOOP waited for the exchange"
    );
    let _ = n;
}

#[test]
fn authenticate_plain_uses_sasl_ir_only_when_offered() {
    let mut c = client();
    events(
        &mut c,
        b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n",
    );
    c.authenticate(SaslClient::plain(None, "joe", "secret"))
        .unwrap();
    assert_eq!(out(&mut c), "A1 AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n");
    let mut c = client();
    events(&mut c, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    c.authenticate(SaslClient::plain(None, "joe", "secret"))
        .unwrap();
    assert_eq!(out(&mut c), "A1 AUTHENTICATE PLAIN\r\n");
    events(&mut c, b"+ \r\n");
    assert_eq!(out(&mut c), "AGpvZQBzZWNyZXQ=\r\n");
}

#[test]
fn plaintext_mechanisms_refused_without_tls_unless_allowed() {
    let mut c = Client::new(ClientConfig::default(), false);
    events(&mut c, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    assert!(c.authenticate(SaslClient::plain(None, "u", "p")).is_err());
    assert!(c.login("u", "p").is_err());
    assert!(c.authenticate(SaslClient::external(None)).is_ok());
    let mut c = Client::new(ClientConfig::default(), true);
    events(&mut c, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    assert!(c.login("u", "p").is_ok());
}

#[test]
fn starttls_drops_bytes_after_the_ok_and_forgets_capabilities() {
    let mut c = client();
    events(&mut c, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    let h = c.starttls().unwrap();
    let n = c.send(CommandBody::Capability).unwrap();
    assert_eq!(out(&mut c), "A1 STARTTLS\r\n");
    let log = events(
        &mut c,
        b"A1 OK begin\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
    );
    assert_eq!(
        log,
        [format!(
            "StartTls {{ handle: Handle({}), discarded: 35 }}",
            h.id()
        )]
    );
    assert!(c.capabilities().is_empty());
    // Arriving before the handshake completed: dropped too.
    assert!(events(&mut c, b"* OK injected\r\n").is_empty());
    assert_eq!(out(&mut c), "", "nothing is sent before TLS is up");
    c.tls_established().unwrap();
    assert!(c.is_tls());
    assert_eq!(out(&mut c), "A2 CAPABILITY\r\n");
    let log = events(
        &mut c,
        b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n",
    );
    assert!(completed(&log, n));
    assert!(c.has_capability("AUTH=PLAIN"));
    assert!(c.starttls().is_err());
}

#[test]
fn compress_hands_back_the_bytes_after_the_ok() {
    let mut c = client();
    events(
        &mut c,
        b"* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n",
    );
    let h = c.compress().unwrap();
    c.send(CommandBody::Noop).unwrap();
    assert_eq!(out(&mut c), "A1 COMPRESS DEFLATE\r\n");
    c.receive(b"A1 OK DEFLATE active\r\n\x78\x9c");
    let Some(Event::Compress { handle, buffered }) = c.next_event().unwrap() else {
        panic!()
    };
    assert_eq!((handle, buffered.as_slice()), (h, &b"\x78\x9c"[..]));
    assert!(c.is_compressed());
    assert!(c.compress().is_err());
    assert_eq!(out(&mut c), "A2 NOOP\r\n");
}

#[test]
fn idle_done_before_the_continuation_is_sent_after_it() {
    let mut c = client();
    events(&mut c, b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    let h = c.idle().unwrap();
    assert_eq!(out(&mut c), "A1 IDLE\r\n");
    c.idle_done().unwrap();
    assert_eq!(out(&mut c), "");
    let log = events(&mut c, b"+ idling\r\n* 4 EXISTS\r\n");
    assert_eq!(log[0], format!("Idling {{ handle: Handle({}) }}", h.id()));
    assert_eq!(log[1], "Data(Exists(4))");
    assert_eq!(out(&mut c), "DONE\r\n");
    assert!(c.idle_done().is_err());
    let log = events(&mut c, b"A1 OK done\r\n");
    assert!(completed(&log, h));
}

#[test]
fn enable_records_what_the_server_enabled() {
    let mut c = client();
    events(&mut c, b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE] hi\r\n");
    c.enable(&["CONDSTORE", "UTF8=ACCEPT"]).unwrap();
    assert_eq!(out(&mut c), "A1 ENABLE CONDSTORE UTF8=ACCEPT\r\n");
    events(
        &mut c,
        b"* ENABLED UTF8=ACCEPT X-NOT-ASKED\r\n* ENABLED UTF8=ACCEPT\r\nA1 OK done\r\n",
    );
    assert!(c.is_enabled("utf8=accept") && !c.is_enabled("CONDSTORE"));
    assert!(
        !c.is_enabled("X-NOT-ASKED"),
        "only what was asked for is recorded"
    );
    // UTF-8 mailbox names now decode.
    let log = events(&mut c, "* LIST () \"/\" \"Entwürfe\"\r\n".as_bytes());
    assert!(log[0].starts_with("Data(List"), "{log:?}");
}

#[test]
fn a_bad_response_is_reported_and_skipped() {
    let mut c = client();
    events(&mut c, b"* PREAUTH hi\r\n");
    let h = c.send(CommandBody::Noop).unwrap();
    let log = events(&mut c, b"* 3 FETCH (UID)\r\nA1 OK done\r\n");
    assert!(log[0].starts_with("error"), "{log:?}");
    assert!(completed(&log, h));
}

#[test]
fn lenient_mode_takes_a_missing_text() {
    let mut c = client();
    events(&mut c, b"* PREAUTH hi\r\n");
    let h = c.send(CommandBody::Noop).unwrap();
    let log = events(&mut c, b"A1 OK\r\n");
    assert!(completed(&log, h), "{log:?}");
}

const TRANSCRIPT: &[u8] = b"* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE AUTH=PLAIN] hi\r\n\
A1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n\
* 2 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\nA2 OK [READ-WRITE] sel\r\n\
* 1 FETCH (UID 3 BODY[] {12}\r\nhello\r\nworld FLAGS (\\Seen))\r\n\
* 2 FETCH (UID 4 BODY[] {0}\r\n)\r\nA3 OK fetched\r\n\
+ idling\r\n* 3 EXISTS\r\nA4 OK done\r\n* BYE bye\r\nA5 OK out\r\n";

fn transcript_run(chunks: &[&[u8]]) -> (Vec<String>, String) {
    let mut c = client();
    c.login("u", "p").unwrap();
    c.send(CommandBody::Select {
        mailbox: Mailbox::Inbox,
    })
    .unwrap();
    c.send(CommandBody::Fetch {
        uid: true,
        sequence_set: SequenceSet::new("1:*").unwrap(),
        items: FetchItems::Single(FetchAttribute::BodySection {
            peek: true,
            section: Section::Full,
            partial: None,
        }),
    })
    .unwrap();
    c.idle().unwrap();
    c.send(CommandBody::Logout).unwrap();
    let mut log = Vec::new();
    let mut sent = out(&mut c);
    for chunk in chunks {
        c.receive(chunk);
        loop {
            match c.next_event() {
                Ok(None) => break,
                Ok(Some(ev)) => {
                    let idling = matches!(ev, Event::Idling { .. });
                    log.push(format!("{ev:?}"));
                    if idling {
                        c.idle_done().unwrap();
                    }
                }
                Err(e) => log.push(format!("error {e}")),
            }
        }
        sent.push_str(&out(&mut c));
    }
    assert_eq!(c.state(), Some(State::Logout));
    (log, sent)
}

#[test]
fn client_events_same_when_fed_one_byte_at_a_time() {
    let whole = transcript_run(&[TRANSCRIPT]);
    assert_eq!(whole.0.len(), 13, "{:#?}", whole.0);
    assert!(
        whole.1.ends_with("A4 IDLE\r\nDONE\r\nA5 LOGOUT\r\n"),
        "{}",
        whole.1
    );
    let ones: Vec<&[u8]> = TRANSCRIPT.chunks(1).collect();
    assert_eq!(transcript_run(&ones), whole);
}

proptest! {
    #[test]
    fn client_events_independent_of_chunking(cuts in proptest::collection::vec(0usize..TRANSCRIPT.len(), 0..24)) {
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for c in cuts {
            chunks.push(&TRANSCRIPT[last..c]);
            last = c;
        }
        chunks.push(&TRANSCRIPT[last..]);
        prop_assert_eq!(transcript_run(&chunks), transcript_run(&[TRANSCRIPT]));
    }
}

#[test]
fn large_literals_stream_in_chunks_with_bounded_buffer() {
    let mut c = Client::new(
        ClientConfig {
            stream_threshold: Some(1024),
            ..ClientConfig::default()
        },
        true,
    );
    events(&mut c, b"* PREAUTH hi\r\n");
    c.send(CommandBody::Select {
        mailbox: Mailbox::Inbox,
    })
    .unwrap();
    events(&mut c, b"A1 OK [READ-WRITE] selected\r\n");
    let h = c
        .send(CommandBody::Fetch {
            uid: false,
            sequence_set: SequenceSet::new("1").unwrap(),
            items: FetchItems::Single(FetchAttribute::BodySection {
                peek: true,
                section: Section::Full,
                partial: None,
            }),
        })
        .unwrap();
    let body: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut wire = format!("* 1 FETCH (BODY[] {{{}}}\r\n", body.len()).into_bytes();
    wire.extend_from_slice(&body);
    wire.extend_from_slice(b" UID 9)\r\n* 2 FETCH (BODY[] {3}\r\nabc)\r\nA2 OK done\r\n");
    let mut got = Vec::new();
    let mut log = Vec::new();
    let mut max_buffered = 0;
    for piece in wire.chunks(4096) {
        c.receive(piece);
        while let Some(ev) = c.next_event().unwrap() {
            match ev {
                Event::LiteralData(d) => got.extend_from_slice(d),
                other => log.push(format!("{other:?}")),
            }
        }
        max_buffered = max_buffered.max(c.buffered());
    }
    assert_eq!(got, body);
    assert!(max_buffered < 4096, "{max_buffered}");
    assert_eq!(log[0], "LiteralStart { size: 200000 }");
    assert!(log[1].starts_with("Data(Fetch { seq: 1"), "{}", log[1]);
    assert!(
        log[1].contains("data: []") && log[1].contains("Uid(9)"),
        "{}",
        log[1]
    );
    // Small literals stay inline.
    assert!(log[2].contains("data: [97, 98, 99]"), "{}", log[2]);
    assert!(completed(&log, h));
}

#[test]
fn idle_is_ended_for_refresh_after_29_minutes() {
    use std::time::Duration;
    let mut c = client();
    c.receive_at(
        b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n",
        Duration::from_secs(5),
    );
    assert!(c.next_event().unwrap().is_some());
    assert_eq!(c.poll_timeout(), None);
    let h = c.idle().unwrap();
    out(&mut c);
    c.receive_at(b"+ idling\r\n", Duration::from_secs(10));
    assert!(matches!(
        c.next_event().unwrap(),
        Some(Event::Idling { .. })
    ));
    let due = Duration::from_secs(10 + 29 * 60);
    assert_eq!(c.poll_timeout(), Some(due));
    assert!(!c.handle_timeout(due - Duration::from_secs(1)));
    assert_eq!(out(&mut c), "");
    assert!(c.handle_timeout(due));
    assert_eq!(out(&mut c), "DONE\r\n");
    assert_eq!(c.poll_timeout(), None);
    let log = events(&mut c, b"A1 OK IDLE terminated\r\n");
    assert!(completed(&log, h));
}

#[test]
fn select_with_condstore_and_qresync_parameters() {
    let mut c = client();
    events(
        &mut c,
        b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE QRESYNC] hi\r\n",
    );
    let uidvalidity = std::num::NonZeroU32::new(67890007).unwrap();
    let known = SequenceSet::new("41:211,214:541").unwrap();
    assert!(
        c.select_qresync(
            &Mailbox::Inbox,
            false,
            uidvalidity,
            90060115194045000,
            Some(&known)
        )
        .is_err(),
        "QRESYNC must be enabled first"
    );
    c.enable(&["QRESYNC"]).unwrap();
    events(&mut c, b"* ENABLED QRESYNC\r\nA1 OK enabled\r\n");
    let h = c
        .select_qresync(
            &Mailbox::Inbox,
            false,
            uidvalidity,
            90060115194045000,
            Some(&known),
        )
        .unwrap();
    let e = c
        .select_condstore(&Mailbox::try_from("Sent Items").unwrap(), true)
        .unwrap();
    assert_eq!(
        out(&mut c),
        "A1 ENABLE QRESYNC\r\n\
         A2 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n\
         A3 EXAMINE \"Sent Items\" (CONDSTORE)\r\n"
    );
    let log = events(
        &mut c,
        b"* VANISHED (EARLIER) 41,43:116\r\nA2 OK [READ-WRITE] selected\r\nA3 OK [READ-ONLY] examined\r\n",
    );
    assert!(log[0].starts_with("Data(Vanished"), "{log:?}");
    assert!(completed(&log, h) && completed(&log, e));
    assert_eq!(c.state(), Some(State::Selected { read_only: true }));
}
