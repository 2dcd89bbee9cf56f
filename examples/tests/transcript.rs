//! Recording sessions and reading RFC-style transcripts.

use std::io::{Read, Write};

use mail_examples::Error;
use mail_examples::transcript::{Entry, Recorded, Segment, Side, Transcript, parse_rfc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// RFC 5321 Appendix D.1, the first exchanges.
const RFC5321_D1: &str = "\
S: 220 foo.com Simple Mail Transfer Service Ready
C: EHLO bar.com
S: 250-foo.com greets bar.com
S: 250-8BITMIME
S: 250-SIZE
S: 250-DSN
S: 250 HELP
C: MAIL FROM:<Smith@bar.com>
S: 250 OK
";

#[test]
fn rfc_transcripts_become_per_side_segments_with_offsets() {
    let segments = parse_rfc(RFC5321_D1.as_bytes()).unwrap();
    let sides: Vec<Side> = segments.iter().map(|s| s.side).collect();
    assert_eq!(
        sides,
        [
            Side::Server,
            Side::Client,
            Side::Server,
            Side::Client,
            Side::Server
        ]
    );
    assert_eq!(
        segments[2],
        Segment {
            side: Side::Server,
            offset: "220 foo.com Simple Mail Transfer Service Ready\r\n".len(),
            bytes:
                b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n"
                    .to_vec(),
            line: 3,
        }
    );
    assert_eq!(segments[1].offset, 0);
    assert_eq!(segments[3].offset, b"EHLO bar.com\r\n".len());
    assert_eq!(segments[3].line, 8);
    // Each side's offsets tile its stream.
    for side in [Side::Client, Side::Server] {
        let mut next = 0;
        for s in segments.iter().filter(|s| s.side == side) {
            assert_eq!(s.offset, next);
            next += s.bytes.len();
        }
    }
}

#[test]
fn lines_without_a_side_are_reported_by_number() {
    let err = parse_rfc(b"C: NOOP\r\n\r\nS: 250 OK\r\noops\r\n").unwrap_err();
    assert!(matches!(err, Error::Transcript { line: 4, .. }), "{err:?}");
    // Blank lines, notes, lower-case prefixes and a missing space are accepted.
    let segments = parse_rfc(b"c:NOOP\n\n-- a note --\ns: 250 OK").unwrap();
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0].bytes, b"NOOP\r\n");
    assert_eq!(segments[1].bytes, b"250 OK\r\n");
    // Backslashes are data (IMAP flags, quoted strings).
    let segments = parse_rfc(b"C: a STORE 1 +FLAGS (\\Seen) \"a\\\\b\"\n").unwrap();
    assert_eq!(
        segments[0].bytes,
        b"a STORE 1 +FLAGS (\\Seen) \"a\\\\b\"\r\n"
    );
}

#[test]
fn render_then_parse_gives_back_the_bytes() {
    let t = Transcript::new();
    for line in RFC5321_D1.lines() {
        let (side, text) = match line.split_at(3) {
            ("C: ", text) => (Side::Client, text),
            (_, text) => (Side::Server, text),
        };
        t.record(side, format!("{text}\r\n").as_bytes());
    }
    assert_eq!(t.render(), RFC5321_D1);
    let segments = parse_rfc(t.render().as_bytes()).unwrap();
    let client: Vec<u8> = segments
        .iter()
        .filter(|s| s.side == Side::Client)
        .flat_map(|s| s.bytes.clone())
        .collect();
    assert_eq!(client, t.stream(Side::Client));
    assert_eq!(
        t.entries().len(),
        5,
        "consecutive bytes of a side are merged"
    );
}

#[test]
fn rendering_escapes_control_bytes_and_can_shorten_bodies() {
    let t = Transcript::new();
    t.record(Side::Client, b"DATA\r\n");
    t.note("message body");
    t.record(Side::Client, b"a\x00b\xff\tc\r\nline 2\r\nline 3\r\n.\r\n");
    assert_eq!(
        t.render(),
        "C: DATA\n-- message body --\nC: a\\x00b\\xFF\tc\nC: line 2\nC: line 3\nC: .\n"
    );
    assert_eq!(
        t.render_with(2),
        "C: DATA\n-- message body --\nC: a\\x00b\\xFF\tc\nC: line 2\nC: [... 2 more lines]\n"
    );
    assert!(matches!(&t.entries()[1], Entry::Note(n) if n == "message body"));
}

#[test]
fn a_recorded_blocking_connection_logs_both_directions() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"+OK ready\r\n").unwrap();
        let mut buf = [0u8; 6];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"QUIT\r\n");
        s.write_all(b"+OK bye\r\n").unwrap();
    });
    let t = Transcript::new();
    let mut c = Recorded::client(std::net::TcpStream::connect(addr).unwrap(), t.clone());
    let mut buf = [0u8; 11];
    c.read_exact(&mut buf).unwrap();
    c.write_all(b"QUIT\r\n").unwrap();
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).unwrap();
    server.join().unwrap();
    assert_eq!(t.render(), "S: +OK ready\nC: QUIT\nS: +OK bye\n");
    assert_eq!(t.stream(Side::Server), b"+OK ready\r\n+OK bye\r\n");
}

#[tokio::test]
async fn a_recorded_async_connection_logs_both_directions() {
    let (client_end, server_end) = tokio::io::duplex(64);
    let t = Transcript::new();
    let mut server = Recorded::server(server_end, t.clone());
    let mut client = client_end;
    server.write_all(b"* OK IMAP4rev1\r\n").await.unwrap();
    client.write_all(b"a1 LOGOUT\r\n").await.unwrap();
    let mut buf = [0u8; 11];
    server.read_exact(&mut buf).await.unwrap();
    server.write_all(b"* BYE\r\na1 OK\r\n").await.unwrap();
    assert_eq!(
        t.render(),
        "S: * OK IMAP4rev1\nC: a1 LOGOUT\nS: * BYE\nS: a1 OK\n"
    );
    let mapped = server.map(|inner| (inner, "upgraded"));
    assert_eq!(mapped.get_ref().1, "upgraded");
    assert_eq!(mapped.transcript().stream(Side::Client), b"a1 LOGOUT\r\n");
}

proptest::proptest! {
    /// Whatever lines either side sends, rendering and parsing back gives each side's byte
    /// stream, and segment offsets tile it.
    #[test]
    fn render_then_parse_recovers_both_streams(
        exchange in proptest::collection::vec(
            (proptest::bool::ANY, proptest::collection::vec("[ -~]{0,40}", 1..4)),
            0..20,
        ),
    ) {
        let t = Transcript::new();
        for (client, lines) in &exchange {
            let side = if *client { Side::Client } else { Side::Server };
            for line in lines {
                t.record(side, format!("{line}\r\n").as_bytes());
            }
        }
        let segments = parse_rfc(t.render().as_bytes()).unwrap();
        for side in [Side::Client, Side::Server] {
            let mut stream = Vec::new();
            for s in segments.iter().filter(|s| s.side == side) {
                proptest::prop_assert_eq!(s.offset, stream.len());
                stream.extend_from_slice(&s.bytes);
            }
            proptest::prop_assert_eq!(stream, t.stream(side));
        }
    }
}
