//! Audit of issue #4: adversarial inputs give typed errors with offsets (or the RFC's
//! reply), never a panic, and never unbounded memory.

use std::time::Duration;

use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(10);

/// A greeted server that answers every command 250 (354 to DATA) and every message end.
/// Feeds `input` in `chunk`-sized parts; returns the replies' codes and the events.
fn serve(cfg: ServerConfig, input: &[u8], chunk: usize) -> (Vec<String>, usize, Server) {
    let mut s = Server::new(cfg, T0);
    s.greet().unwrap();
    let mut body = 0;
    let mut codes = Vec::new();
    for part in input.chunks(chunk.max(1)) {
        s.receive(part, T0).unwrap();
        while let Some(ev) = s.next_event().unwrap() {
            match ev {
                Event::Command(Command::Ehlo(_) | Command::Helo(_)) => s.reply_ehlo().unwrap(),
                Event::Command(Command::Data) => {
                    s.reply(&Reply::new(354, None, "go").unwrap()).unwrap()
                }
                Event::Command(Command::Quit) => {
                    s.reply(&Reply::new(221, None, "bye").unwrap()).unwrap()
                }
                Event::Command(_) => s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap(),
                Event::BodyChunk(c) => body += c.len(),
                Event::DataEnd { replies } | Event::BdatEnd { replies, .. } => {
                    for _ in 0..replies {
                        s.reply(&Reply::new(250, None, "queued").unwrap()).unwrap();
                    }
                }
                Event::BdatStart { .. } | Event::DataAborted { .. } => {}
                other => panic!("{other:?}"),
            }
        }
        // Write out as we go, as a real loop does: the output stays small too.
        for line in String::from_utf8_lossy(s.transmit()).lines() {
            codes.push(line.get(..3).unwrap_or(line).to_string());
        }
        let n = s.transmit().len();
        s.consumed(n);
    }
    (codes, body, s)
}

#[test]
fn an_endless_line_is_answered_once_and_skipped_in_bounded_memory() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.max_buffered_input = 4096;
    let mut input = b"EHLO c\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'A', 4 * 1024 * 1024));
    input.extend_from_slice(b"\r\nNOOP\r\n");
    // 4 MiB through a 4 KiB buffer: receive never reports the buffer full.
    let (codes, _, _) = serve(cfg, &input, 4000);
    assert_eq!(codes.first().map(String::as_str), Some("220"));
    assert_eq!(codes.iter().filter(|c| *c == "500").count(), 1, "{codes:?}");
    assert_eq!(codes.last().map(String::as_str), Some("250"));
}

#[test]
fn thousands_of_recipients_get_452_past_the_limit_without_growth() {
    let mut input = b"EHLO c\r\nMAIL FROM:<>\r\n".to_vec();
    for i in 0..5000 {
        input.extend_from_slice(format!("RCPT TO:<r{i}@example.org>\r\n").as_bytes());
    }
    let (codes, _, _) = serve(ServerConfig::new("mx.example"), &input, 777);
    assert_eq!(codes.iter().filter(|c| *c == "452").count(), 4900);
}

#[test]
fn a_huge_bdat_count_streams_without_holding_the_chunk() {
    // BDAT u64::MAX: the chunk is read as it comes (RFC 3030 §2), never buffered whole.
    let mut cfg = ServerConfig::new("mx.example");
    cfg.max_buffered_input = 1024;
    let mut input =
        b"EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nBDAT 18446744073709551615 LAST\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1 << 20));
    let (_, body, _) = serve(cfg.clone(), &input, 1000);
    assert_eq!(body, 1 << 20);
    // With a size limit the chunk is refused but still read (and dropped).
    cfg.max_message_size = Some(10);
    let (codes, body, _) = serve(cfg, &input, 1000);
    assert_eq!(body, 0);
    assert!(
        !codes.contains(&"552".to_string()),
        "replied only after the chunk"
    );
    // One past u64: a typed syntax error, answered 501.
    let (codes, _, _) = serve(
        ServerConfig::new("mx.example"),
        b"EHLO c\r\nBDAT 18446744073709551616\r\nNOOP\r\n",
        3,
    );
    assert_eq!(
        codes.iter().rev().take(2).collect::<Vec<_>>(),
        ["250", "501"]
    );
    assert_eq!(
        Command::decode(b"BDAT 18446744073709551616\r\n"),
        Err(Error::Syntax {
            offset: 5,
            expected: "chunk-size"
        })
    );
}

#[test]
fn cr_lf_and_nul_injected_anywhere_in_a_command_give_an_error_inside_the_line() {
    let lines: [&[u8]; 6] = [
        b"MAIL FROM:<a@b.c> SIZE=10 BODY=8BITMIME",
        b"RCPT TO:<a@[IPv6:::1]> NOTIFY=SUCCESS ORCPT=rfc822;a+40b",
        b"EHLO client.example",
        b"VRFY someone",
        b"AUTH PLAIN dGVzdA==",
        b"BDAT 10 LAST",
    ];
    for line in lines {
        for at in 0..=line.len() {
            for bad in [&b"\r"[..], b"\n", b"\0", b"\xff"] {
                let mut input = line[..at].to_vec();
                input.extend_from_slice(bad);
                input.extend_from_slice(&line[at..]);
                input.extend_from_slice(b"\r\n");
                match Command::decode(&input) {
                    Ok(Decoded::Complete { value, consumed }) => {
                        // Only where the byte is harmless text: a bare CR/LF or NUL
                        // never survives into a value.
                        let wire = value.to_bytes();
                        assert_eq!(wire.iter().filter(|b| **b == b'\n').count(), 1);
                        assert!(!wire.contains(&0), "{input:?}");
                        assert!(consumed <= input.len());
                    }
                    Ok(Decoded::Incomplete { .. }) => panic!("{input:?}"),
                    Err(Error::Syntax { offset, .. }) => assert!(offset < input.len()),
                    Err(Error::DuplicateParameter { offset, .. }) => {
                        assert!(offset < input.len())
                    }
                    Err(e @ Error::LineTooLong { .. }) => panic!("{e:?}"),
                    Err(e) => {
                        assert!(
                            matches!(e, Error::Common(_) | Error::LimitExceeded { .. }),
                            "{e:?}"
                        )
                    }
                }
            }
        }
    }
}

#[test]
fn parameter_duplicates_and_floods_are_typed_errors() {
    for (line, keyword) in [
        (&b"MAIL FROM:<> SIZE=1 SIZE=1\r\n"[..], "SIZE"),
        (b"MAIL FROM:<> size=1 BODY=7BIT Size=2\r\n", "SIZE"),
        (b"MAIL FROM:<> SMTPUTF8 smtputf8\r\n", "SMTPUTF8"),
        (b"MAIL FROM:<> X-A X-B x-a=1\r\n", "extension"),
        (b"RCPT TO:<a@b.c> NOTIFY=NEVER NOTIFY=NEVER\r\n", "NOTIFY"),
    ] {
        match Command::decode(line) {
            Err(Error::DuplicateParameter { offset, keyword: k }) => {
                assert_eq!(k, keyword);
                assert!(offset > 13 && offset < line.len(), "{offset}");
            }
            other => panic!("{line:?}: {other:?}"),
        }
    }
    // 600 distinct unknown parameters: too long for a line, refused by the framer.
    let mut line = b"MAIL FROM:<>".to_vec();
    for i in 0..600 {
        line.extend_from_slice(format!(" X{i}").as_bytes());
    }
    line.extend_from_slice(b"\r\n");
    assert!(matches!(
        Command::decode(&line),
        Err(Error::LineTooLong { .. })
    ));
}

/// A client past EHLO with PIPELINING, then fed `server` in `chunk`-sized parts.
fn client_fed(server: &[u8], chunk: usize) -> Result<Vec<ClientEvent>, Error> {
    let mut cfg = ClientConfig::new(Host::parse("c.example").unwrap().into_owned());
    cfg.max_buffered_input = 64 * 1024;
    let mut c = Client::new(cfg, T0);
    let mut events = Vec::new();
    for part in server.chunks(chunk) {
        c.receive(part, T0)?;
        while let Some(e) = c.next_event()? {
            events.push(e);
        }
    }
    Ok(events)
}

#[test]
fn an_endless_multi_line_reply_is_a_typed_error_in_bounded_memory() {
    let mut server = b"220 mx\r\n".to_vec();
    for _ in 0..100_000 {
        server.extend_from_slice(b"250-x\r\n");
    }
    let e = client_fed(&server, 1000).unwrap_err();
    assert!(
        matches!(e, Error::LimitExceeded { .. } | Error::LineTooLong { .. }),
        "{e:?}"
    );
    // A reply line longer than 512 octets (RFC 5321 §4.5.3.1.5).
    let mut long = b"220 ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 100_000));
    let e = client_fed(&long, 999).unwrap_err();
    assert!(matches!(e, Error::LineTooLong { .. }), "{e:?}");
}

#[test]
fn server_bytes_the_client_cannot_use_are_sticky_typed_errors_at_any_chunking() {
    for (server, want) in [
        (
            &b"220 mx\r\n250-mx\r\n251 PIPELINING\r\n"[..],
            Error::ReplyCodeMismatch {
                offset: 8,
                expected: 250,
                found: 251,
            },
        ),
        (
            b"220 mx\r\n250 5.0.0 mx\r\n",
            Error::EnhancedClassMismatch {
                offset: 4,
                code: 250,
                class: 5,
            },
        ),
        (
            b"220 mx\r\n250 mx\r\n250 extra\r\n",
            Error::UnexpectedReply { code: 250 },
        ),
        (
            b"220 mx\xff\r\n",
            Error::Syntax {
                offset: 6,
                expected: "UTF-8 textstring",
            },
        ),
    ] {
        for chunk in 1..=server.len() {
            assert_eq!(
                client_fed(server, chunk),
                Err(want.clone()),
                "{server:?} {chunk}"
            );
        }
    }
}
