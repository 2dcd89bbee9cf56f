//! Audit of issue #4, session machines: cases the other tests did not pin.

use std::time::Duration;

use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(10);

fn client() -> Client {
    Client::new(
        ClientConfig::new(Host::parse("c.example").unwrap().into_owned()),
        T0,
    )
}

fn drain(c: &mut Client) -> Vec<ClientEvent> {
    let mut v = Vec::new();
    while let Some(e) = c.next_event().unwrap() {
        v.push(e);
    }
    v
}

fn take(c: &mut Client) -> String {
    let s = String::from_utf8(c.transmit().to_vec()).unwrap();
    c.consumed(s.len());
    s
}

#[test]
fn client_falls_back_to_helo_on_500_and_502_but_not_on_other_refusals() {
    for code in [500, 502] {
        let mut c = client();
        c.receive(b"220 mx\r\n", T0).unwrap();
        drain(&mut c);
        assert_eq!(take(&mut c), "EHLO c.example\r\n");
        c.receive(format!("{code} what\r\n").as_bytes(), T0)
            .unwrap();
        assert!(drain(&mut c).is_empty());
        assert_eq!(take(&mut c), "HELO c.example\r\n");
        c.receive(b"250 mx.example\r\n", T0).unwrap();
        match &drain(&mut c)[..] {
            [ClientEvent::Ready(caps)] => assert!(caps.capabilities.is_empty()),
            other => panic!("{other:?}"),
        }
    }
    for code in [421, 451, 501, 550, 554] {
        let mut c = client();
        c.receive(b"220 mx\r\n", T0).unwrap();
        drain(&mut c);
        take(&mut c);
        c.receive(format!("{code} no\r\n").as_bytes(), T0).unwrap();
        let events = drain(&mut c);
        assert!(
            matches!(
                &events[..],
                [ClientEvent::HelloFailed(_)] | [ClientEvent::Refused(_)]
            ),
            "{code}: {events:?}"
        );
        assert!(!take(&mut c).contains("HELO"), "{code}");
    }
}

#[test]
fn bytes_arriving_after_the_starttls_220_are_never_processed() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.starttls = true;
    let mut s = Server::new(cfg, T0);
    s.greet().unwrap();
    s.receive(b"EHLO c\r\nSTARTTLS\r\n", T0).unwrap();
    let mut discarded = None;
    while let Some(ev) = s.next_event().unwrap() {
        match ev {
            Event::Command(Command::Ehlo(_)) => s.reply_ehlo().unwrap(),
            Event::Command(Command::StartTls) => {
                s.reply(&Reply::new(220, None, "go ahead").unwrap())
                    .unwrap();
                // Injected plaintext after the 220, in a later read, before the handshake.
                s.receive(b"MAIL FROM:<evil@x>\r\nRCPT TO:<v@x>\r\n", T0)
                    .unwrap();
            }
            Event::StartTls { discarded: d } => discarded = Some(d),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(discarded, Some(35));
    let n = s.transmit().len();
    s.consumed(n);
    s.tls_established(T0).unwrap();
    assert!(s.next_event().unwrap().is_none(), "nothing left to process");
    assert!(s.transmit().is_empty());
    // The session starts over: MAIL before the new EHLO is a bad sequence.
    s.receive(b"MAIL FROM:<a@b.c>\r\n", T0).unwrap();
    assert!(s.next_event().unwrap().is_none());
    assert!(s.transmit().starts_with(b"503 "));
}

#[test]
fn a_server_timeout_is_due_only_while_the_machine_waits_for_the_peer() {
    let mut s = Server::new(ServerConfig::new("mx.example"), T0);
    s.greet().unwrap();
    let due = T0 + Duration::from_secs(300);
    assert_eq!(
        s.poll_timeout(),
        Some(due),
        "RFC 5321 §4.5.3.2.7: 5 minutes"
    );
    s.receive(b"EHLO c\r\n", T0).unwrap();
    assert!(s.next_event().unwrap().is_some());
    // The application owes the reply: no peer timeout runs.
    assert_eq!(s.poll_timeout(), None);
    assert!(!s.handle_timeout(T0 + Duration::from_secs(10_000)));
    s.reply_ehlo().unwrap();
    assert_eq!(s.poll_timeout(), Some(due));
}

#[test]
fn an_unknown_command_is_an_event_the_application_answers_and_the_session_goes_on() {
    let mut s = Server::new(ServerConfig::new("mx.example"), T0);
    s.greet().unwrap();
    s.receive(b"XYZZY magic words\r\nX-FOO\r\nNOOP\r\n", T0)
        .unwrap();
    let mut seen = Vec::new();
    while let Some(ev) = s.next_event().unwrap() {
        match ev {
            Event::Command(Command::Unknown { verb, args }) => {
                seen.push(format!(
                    "{} {:?}",
                    verb.as_str(),
                    args.map(|a| a.as_str().to_string())
                ));
                s.reply(&Reply::new(500, EnhancedCode::new(5, 5, 1).ok(), "unrecognized").unwrap())
                    .unwrap();
            }
            Event::Command(Command::Noop(_)) => {
                seen.push("NOOP".into());
                s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seen, ["XYZZY Some(\"magic words\")", "X-FOO None", "NOOP"]);
    assert!(
        s.transmit()
            .ends_with(b"500 5.5.1 unrecognized\r\n500 5.5.1 unrecognized\r\n250 ok\r\n")
    );
}

/// A client with an accepted one-recipient envelope, after an EHLO offering `caps`.
fn client_with_envelope(caps: &str) -> Client {
    let mut c = client();
    c.receive(format!("220 mx\r\n250-mx\r\n{caps}").as_bytes(), T0)
        .unwrap();
    drain(&mut c);
    c.send_envelope(
        MailFrom {
            path: ReversePath::Null,
            params: Parameters::new(),
        },
        vec![RcptTo {
            path: ForwardPath::Postmaster,
            params: Parameters::new(),
        }],
        T0,
    )
    .unwrap();
    c.receive(b"250 ok\r\n250 ok\r\n", T0).unwrap();
    drain(&mut c);
    take(&mut c);
    c
}

#[test]
fn without_pipelining_bdat_chunks_wait_for_each_reply_rfc2920() {
    let mut c = client_with_envelope("250 CHUNKING\r\n");
    c.send_chunk(b"abc", false, T0).unwrap();
    c.send_chunk(b"def", false, T0).unwrap();
    c.send_chunk(b"gh", true, T0).unwrap();
    assert_eq!(take(&mut c), "BDAT 3\r\nabc", "the others are held");
    c.receive(b"250 chunk ok\r\n", T0).unwrap();
    assert!(matches!(&drain(&mut c)[..], [ClientEvent::ChunkReply(_)]));
    assert_eq!(take(&mut c), "BDAT 3\r\ndef");
    c.receive(b"250 chunk ok\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(take(&mut c), "BDAT 2 LAST\r\ngh");
    c.receive(b"250 queued\r\n", T0).unwrap();
    assert!(matches!(&drain(&mut c)[..], [ClientEvent::Delivered(_)]));
    // A refused chunk drops the held ones (RFC 3030 §2).
    let mut c = client_with_envelope("250 CHUNKING\r\n");
    c.send_chunk(b"abc", false, T0).unwrap();
    c.send_chunk(b"def", true, T0).unwrap();
    take(&mut c);
    c.receive(b"452 no room\r\n", T0).unwrap();
    assert!(matches!(&drain(&mut c)[..], [ClientEvent::ChunkReply(r)] if r.code().get() == 452));
    assert_eq!(take(&mut c), "");
    c.rset(T0).unwrap();
    assert_eq!(take(&mut c), "RSET\r\n");
    // With PIPELINING the chunks go out back to back (RFC 3030 §4.2).
    let mut c = client_with_envelope("250-PIPELINING\r\n250 CHUNKING\r\n");
    c.send_chunk(b"abc", false, T0).unwrap();
    c.send_chunk(b"def", true, T0).unwrap();
    assert_eq!(take(&mut c), "BDAT 3\r\nabcBDAT 3 LAST\r\ndef");
}

#[test]
fn data_and_starttls_accept_only_their_go_ahead_or_an_error() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.starttls = true;
    let mut s = Server::new(cfg, T0);
    s.greet().unwrap();
    s.receive(b"EHLO c\r\nSTARTTLS\r\n", T0).unwrap();
    assert!(s.next_event().unwrap().is_some());
    s.reply_ehlo().unwrap();
    assert!(matches!(
        s.next_event().unwrap(),
        Some(Event::Command(Command::StartTls))
    ));
    let n = s.transmit().len();
    s.consumed(n);
    let ok = Reply::new(250, None, "ok").unwrap();
    assert!(matches!(s.reply(&ok), Err(Error::Misuse(_))));
    assert!(s.transmit().is_empty());
    s.reply(&Reply::new(454, None, "TLS not available now").unwrap())
        .unwrap();
    // DATA answered 250 would make the message content the next commands.
    s.receive(
        b"MAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nRSET\r\n.\r\n",
        T0,
    )
    .unwrap();
    loop {
        match s.next_event().unwrap() {
            Some(Event::Command(Command::Data)) => break,
            Some(_) => s.reply(&ok).unwrap(),
            None => panic!("no DATA"),
        }
    }
    let n = s.transmit().len();
    s.consumed(n);
    assert!(matches!(s.reply(&ok), Err(Error::Misuse(_))));
    assert!(
        s.transmit().is_empty(),
        "nothing written, the reply is still due"
    );
    s.reply(&Reply::new(354, None, "go").unwrap()).unwrap();
    match s.next_event().unwrap() {
        Some(Event::BodyChunk(b)) => assert_eq!(&*b, b"RSET\r\n"),
        other => panic!("{other:?}"),
    }
}

/// The codes a server with `cfg` gives to `lines` after EHLO and MAIL FROM:<>.
fn codes_for(cfg: ServerConfig, lines: &str) -> Vec<String> {
    let mut s = Server::new(cfg, T0);
    s.greet().unwrap();
    s.receive(format!("EHLO c\r\n{lines}").as_bytes(), T0)
        .unwrap();
    while let Some(ev) = s.next_event().unwrap() {
        match ev {
            Event::Command(Command::Ehlo(_)) => s.reply_ehlo().unwrap(),
            Event::Command(_) => s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap(),
            other => panic!("{other:?}"),
        }
    }
    let out = String::from_utf8(s.transmit().to_vec()).unwrap();
    out.lines()
        .filter(|l| l.as_bytes().get(3) == Some(&b' '))
        .skip(2)
        .map(|l| l[..3].to_string())
        .collect()
}

#[test]
fn parameters_of_extensions_the_server_does_not_offer_get_555() {
    let lines = "MAIL FROM:<> REQUIRETLS\r\nMAIL FROM:<> RET=FULL\r\nMAIL FROM:<> ENVID=x\r\n\
                 MAIL FROM:<> MT-PRIORITY=1\r\nMAIL FROM:<> HOLDFOR=10\r\nMAIL FROM:<> BY=60;R\r\n\
                 MAIL FROM:<> AUTH=<>\r\nMAIL FROM:<> X-VENDOR=1\r\nRCPT TO:<a@b.c> NOTIFY=NEVER\r\n\
                 RCPT TO:<a@b.c> ORCPT=rfc822;a\r\nRCPT TO:<a@b.c> X-VENDOR\r\n";
    let refused = codes_for(ServerConfig::new("mx.example"), lines);
    assert_eq!(
        refused,
        [
            "555", "555", "555", "555", "555", "555", "555", "250", "555", "555", "250"
        ]
    );
    let mut cfg = ServerConfig::new("mx.example");
    cfg.tls = true;
    cfg.auth_mechanisms = vec![AuthMechanism::PLAIN];
    cfg.extra_capabilities = vec![
        Capability::RequireTls,
        Capability::Dsn,
        Capability::MtPriority(None),
        Capability::FutureRelease {
            max_interval: 604_800,
            max_datetime: DateTime::new("2030-01-01T00:00:00Z").unwrap(),
        },
        Capability::DeliverBy(None),
    ];
    // Each MAIL is answered 250 and so opens a transaction: RSET between them.
    let lines = lines.replace("\r\nMAIL", "\r\nRSET\r\nMAIL");
    let accepted = codes_for(cfg, &lines);
    assert!(accepted.iter().all(|c| c == "250"), "{accepted:?}");
}
