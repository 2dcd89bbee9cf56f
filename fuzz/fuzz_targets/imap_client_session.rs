//! The IMAP client machine under arbitrary server bytes, with commands in flight that wait
//! for continuations (literals, SASL, IDLE): no panic, no endless loop, and the same events
//! and bytes out whether the input comes whole or one byte at a time (unless a STARTTLS or
//! COMPRESS is in the scenario: what follows their OK legitimately depends on chunking).
//! Streamed literal chunks are compared by their concatenation.
#![no_main]
use imap_proto::client::{Client, ClientConfig, Event};
use imap_proto::{CommandBody, FetchAttribute, FetchItems, Literal, Mailbox, SequenceSet};
use libfuzzer_sys::fuzz_target;
use mail_common::sasl::SaslClient;

fn run(data: &[u8], chunk: usize, scenario: u8) -> (Vec<String>, Vec<u8>) {
    let config = ClientConfig {
        allow_plaintext_login: true,
        stream_threshold: (scenario & 16 != 0).then_some(4),
        ..ClientConfig::default()
    };
    let mut client = Client::new(config, scenario & 8 != 0);
    match scenario % 4 {
        0 => {
            let _ = client.login("u", "pw");
            let _ = client.send(CommandBody::Select {
                mailbox: Mailbox::Inbox,
            });
            let _ = client.send(CommandBody::Append {
                mailbox: Mailbox::Inbox,
                flags: None,
                date: None,
                message: Literal::new(&b"Subject: x\r\n\r\nbody\r\n"[..]).unwrap(),
            });
            let _ = client.send(CommandBody::Fetch {
                uid: true,
                sequence_set: SequenceSet::new("1:*").unwrap(),
                items: FetchItems::Single(FetchAttribute::Flags),
            });
            let _ = client.idle();
        }
        1 => {
            let _ = client.authenticate(SaslClient::plain(None, "u", "pw"));
            let _ = client.authenticate(SaslClient::login("u", "pw"));
        }
        2 => {
            let _ = client.starttls();
            let _ = client.send(CommandBody::Capability);
        }
        _ => {
            let _ = client.login("u", "pw");
            let _ = client.enable(&["UTF8=ACCEPT"]);
            let _ = client.compress();
        }
    }
    let mut events = Vec::new();
    let mut out = client.take_output();
    for piece in data.chunks(chunk.max(1)) {
        client.receive(piece);
        loop {
            match client.next_event() {
                Ok(None) => break,
                Err(e) => events.push(format!("error {e}")),
                Ok(Some(Event::LiteralData(d))) => {
                    // Streamed chunks follow the input's chunking: compare their sum.
                    match events.last_mut() {
                        Some(last) if last.starts_with("data ") => {
                            last.push_str(&d.escape_ascii().to_string())
                        }
                        _ => events.push(format!("data {}", d.escape_ascii())),
                    }
                }
                Ok(Some(ev)) => {
                    let tls = matches!(ev, Event::StartTls { .. });
                    let idling = matches!(ev, Event::Idling { .. });
                    events.push(format!("{ev:?}"));
                    if tls {
                        client.tls_established().unwrap();
                    }
                    if idling {
                        client.idle_done().unwrap();
                    }
                }
            }
        }
        out.extend_from_slice(&client.take_output());
    }
    (events, out)
}

fuzz_target!(|input: (u8, &[u8])| {
    let (scenario, data) = input;
    let whole = run(data, data.len(), scenario);
    let ones = run(data, 1, scenario);
    if scenario % 4 < 2 {
        assert_eq!(whole, ones);
    }
});
