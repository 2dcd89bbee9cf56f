//! A refused message of an APPEND whose literal is non-synchronizing (LITERAL+, RFC 7888)
//! still arrives: the client sends the octets, and with MULTIAPPEND (RFC 3502) the rest of
//! the command, without waiting. The server must skip exactly the announced octets and keep
//! framing the rest of that command by the literal rules (a further `{m+}`: skip m octets;
//! a `{m}`: the command ends there, the client waits for a continuation that never comes,
//! RFC 3501 §7.5), so that no literal octet is ever read as a command (the command
//! injection class of CVE-2011-0411). Every case runs whole, in 1-octet and in 7-octet
//! chunks.

use imap_proto::server::{Event, Server, ServerConfig};
use imap_proto::*;

/// The injected command hidden in a later message's data.
const PAYLOAD: &str = "Subject: x\r\n\r\nA2 DELETE INBOX\r\nA2 DELETE INBOX\r\n";

fn cap(s: &'static str) -> Capability<'static> {
    Capability::Other(Atom::new(s).unwrap())
}

/// Runs a LITERAL+ MULTIAPPEND/BINARY server with `max_literal` 64 (see [`run_with`]) over `input` in `chunk`
/// pieces (streaming APPEND from 8 octets when `stream`), answering every event: the
/// command names and append events seen, and the output lines other than continuations.
fn run(input: &[u8], chunk: usize, stream: bool) -> (Vec<String>, Vec<String>) {
    run_with(input, chunk, stream, LiteralSupport::LiteralPlus, 64)
}

/// [`run`] with the literal kinds offered and the literal limit given.
fn run_with(
    input: &[u8],
    chunk: usize,
    stream: bool,
    literals: LiteralSupport,
    max_literal: u64,
) -> (Vec<String>, Vec<String>) {
    let mut limits = Limits::SERVER;
    limits.max_literal = max_literal;
    let mut s = Server::new(
        ServerConfig {
            preauth: true,
            literals,
            stream_append: stream.then_some(8),
            capabilities: vec![cap("MULTIAPPEND"), cap("BINARY")],
            limits,
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    s.take_output();
    let mut events = Vec::new();
    for piece in input.chunks(chunk) {
        s.receive(piece);
        while let Some(ev) = s.next_event().unwrap() {
            match ev {
                Event::Command(c) => {
                    events.push(format!("{} {}", c.tag.as_str(), c.body.name()));
                    s.ok(None, "done").unwrap();
                }
                Event::AppendStart { command, .. } => {
                    events.push(format!("start {}", command.tag.as_str()));
                }
                Event::AppendData(_) => {}
                Event::AppendEnd => {
                    events.push("end".into());
                    s.ok(None, "done").unwrap();
                }
                Event::AppendAborted => events.push("aborted".into()),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    let out = String::from_utf8(s.take_output()).unwrap();
    let lines = out
        .split_terminator("\r\n")
        .filter(|l| !l.starts_with("+ "))
        .map(String::from)
        .collect();
    (events, lines)
}

/// `A1 APPEND INBOX <first> <second>` then `A3 NOOP`: the first message's literal
/// (`open` + size + `close`) and the second's carrying the payload.
fn multiappend(first: &str, first_data: &str, open: &str) -> String {
    let second = format!(" {open}{}+}}\r\n{PAYLOAD}", PAYLOAD.len());
    format!("A1 APPEND INBOX {first}{first_data}{second}\r\nA3 NOOP\r\n")
}

/// Asserts the MULTIAPPEND was refused once with a tagged NO/BAD, nothing of the payload
/// ran, and `A3 NOOP` was processed.
fn assert_refused_once(input: &str, stream: bool, aborted: bool) {
    for chunk in [usize::MAX, 1, 7] {
        let (events, lines) = run(input.as_bytes(), chunk, stream);
        let what = format!("{input:?} chunk {chunk} stream {stream}");
        assert!(
            !events.iter().any(|e| e.contains("DELETE")),
            "{what}: {events:?}"
        );
        assert_eq!(
            events.last().map(String::as_str),
            Some("A3 NOOP"),
            "{what}: {events:?}"
        );
        assert_eq!(
            events.iter().filter(|e| *e == "aborted").count(),
            usize::from(aborted),
            "{what}: {events:?}"
        );
        assert_eq!(lines.len(), 2, "{what}: {lines:?}");
        assert!(
            lines[0].starts_with("A1 NO ") || lines[0].starts_with("A1 BAD "),
            "{what}: {lines:?}"
        );
        assert_eq!(lines[1], "A3 OK done", "{what}: {lines:?}");
    }
}

/// The first message (non-synchronizing, over `max_literal`) is refused by the decoder;
/// the second's data holds `A2 DELETE INBOX` lines.
#[test]
fn oversized_first_message_does_not_run_a_later_literal() {
    let big = "x".repeat(100);
    for stream in [false, true] {
        for open in ["{", "~{"] {
            let input = multiappend(&format!("{open}100+}}\r\n"), &big, open);
            assert_refused_once(&input, stream, false);
        }
    }
}

/// Streamed: the first message is accepted and streams, the second (non-synchronizing,
/// over `max_literal`) is refused by the machine (AppendAborted); the third's data holds
/// `A2 DELETE INBOX` lines.
#[test]
fn oversized_later_streamed_message_does_not_run_a_later_literal() {
    let big = "x".repeat(100);
    for open in ["{", "~{"] {
        let rest = multiappend(&format!("{open}100+}}\r\n"), &big, open);
        let rest = rest.strip_prefix("A1 APPEND INBOX ").unwrap();
        let input = format!("A1 APPEND INBOX {{10}}\r\n0123456789 {rest}");
        let (events, _) = run(input.as_bytes(), usize::MAX, true);
        assert_eq!(
            events.first().map(String::as_str),
            Some("start A1"),
            "{events:?}"
        );
        assert_refused_once(&input, true, true);
    }
}

/// After the refused non-synchronizing literal, a synchronizing one ends the command (the
/// client waits for a continuation and gets the tagged answer instead, RFC 3501 §7.5): the
/// next line is the next command.
#[test]
fn synchronizing_literal_after_a_refused_one_ends_the_command() {
    let big = "x".repeat(100);
    let refused = format!("A1 APPEND INBOX {{100+}}\r\n{big} {{5}}\r\nA3 NOOP\r\n");
    let streamed =
        format!("A1 APPEND INBOX {{10}}\r\n0123456789 {{100+}}\r\n{big} {{5}}\r\nA3 NOOP\r\n");
    assert_refused_once(&refused, false, false);
    assert_refused_once(&refused, true, false);
    assert_refused_once(&streamed, true, true);
}

/// The answers to a refused further message of a streamed MULTIAPPEND match the decoder's
/// for a first one: a non-synchronizing message over `max_literal` gets `BAD [TOOBIG]`
/// (it was `NO`), and under LITERAL- one over 4096 octets gets `BAD [TOOBIG]` (RFC 7888
/// §5: MUST contain TOOBIG; it had no code); its data is skipped and `A3 NOOP` runs.
#[test]
fn refused_further_non_synchronizing_message_gets_bad_toobig() {
    let big = "x".repeat(100);
    let over = format!("A1 APPEND INBOX {{10}}\r\n0123456789 {{100+}}\r\n{big}\r\nA3 NOOP\r\n");
    let minus = format!(
        "A1 APPEND INBOX {{10}}\r\n0123456789 {{5000+}}\r\n{}\r\nA3 NOOP\r\n",
        "x".repeat(5000)
    );
    let cases = [
        (
            over.as_str(),
            LiteralSupport::LiteralPlus,
            64,
            "A1 BAD [TOOBIG] Message too large",
        ),
        (
            minus.as_str(),
            LiteralSupport::LiteralMinus,
            8192,
            "A1 BAD [TOOBIG] Non-synchronizing literal not allowed",
        ),
    ];
    for (input, literals, max_literal, answer) in cases {
        for chunk in [usize::MAX, 1] {
            let (events, lines) = run_with(input.as_bytes(), chunk, true, literals, max_literal);
            assert_eq!(events, ["start A1", "aborted", "A3 NOOP"], "chunk {chunk}");
            assert_eq!(lines, [answer, "A3 OK done"], "chunk {chunk}");
        }
    }
}
