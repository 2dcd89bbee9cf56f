//! Audit of issue #4, message content: the SMTP smuggling policy with bare CR/LF passed
//! through (`BareLineEndings::Accept`), exhaustively, and the three named edge cases under
//! both policies, at every chunking.

use std::time::Duration;

use mail_common::dot::BareLineEndings;
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(1);
const ALPHABET: [u8; 4] = [b'a', b'.', b'\r', b'\n'];

fn all_strings(max: usize) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    let mut layer = vec![Vec::new()];
    for _ in 0..max {
        let next: Vec<Vec<u8>> = layer
            .iter()
            .flat_map(|s| {
                ALPHABET.iter().map(move |c| {
                    let mut t = s.clone();
                    t.push(*c);
                    t
                })
            })
            .collect();
        out.extend(next.iter().cloned());
        layer = next;
    }
    out
}

/// A server that has answered DATA with 354, under `policy`.
fn server_in_data(policy: BareLineEndings) -> Server {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.bare_line_endings = policy;
    let mut s = Server::new(cfg, T0);
    s.greet().unwrap();
    s.receive(b"EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n", T0)
        .unwrap();
    while let Some(ev) = s.next_event().unwrap() {
        let reply = match ev {
            Event::Command(Command::Ehlo(_)) => {
                s.reply_ehlo().unwrap();
                continue;
            }
            Event::Command(Command::Data) => Reply::new(354, None, "go"),
            Event::Command(_) => Reply::new(250, None, "ok"),
            other => panic!("{other:?}"),
        };
        s.reply(&reply.unwrap()).unwrap();
    }
    let n = s.transmit().len();
    s.consumed(n);
    s
}

/// (body, replies written, commands seen after the data).
type Outcome = (Vec<u8>, String, Vec<String>);

fn feed(template: &Server, parts: &[&[u8]]) -> Outcome {
    let mut s = template.clone();
    let (mut body, mut after) = (Vec::new(), Vec::new());
    for p in parts {
        s.receive(p, T0).unwrap();
        while let Some(ev) = s.next_event().unwrap() {
            match ev {
                Event::BodyChunk(c) => body.extend_from_slice(&c),
                Event::DataAborted { .. } => body.clear(),
                Event::DataEnd { .. } => {
                    s.reply(&Reply::new(250, None, "queued").unwrap()).unwrap()
                }
                Event::Command(c) => {
                    after.push(c.verb().to_string());
                    s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap()
                }
                other => panic!("{other:?}"),
            }
        }
    }
    (
        body,
        String::from_utf8(s.transmit().to_vec()).unwrap(),
        after,
    )
}

/// Reference with bare CR/LF passed through: lines end only at CRLF, a line that is
/// exactly "." ends the data, a leading dot is removed, everything else is kept.
fn reference_accept(wire: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    let mut rest = wire;
    loop {
        let pos = rest.windows(2).position(|w| w == b"\r\n").expect("ends");
        let line = &rest[..pos];
        rest = &rest[pos + 2..];
        if line == b"." {
            return content;
        }
        content.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        content.extend_from_slice(b"\r\n");
    }
}

#[test]
fn with_bare_line_endings_accepted_every_string_up_to_7_unstuffs_like_the_reference() {
    let template = server_in_data(BareLineEndings::Accept);
    for w in all_strings(7) {
        let mut input = w.clone();
        input.extend_from_slice(b"\r\n.\r\nNOOP\r\n");
        let expected = reference_accept(&input);
        let whole = feed(&template, &[&input]);
        assert_eq!(whole.0, expected, "{w:?}");
        // The data may end inside `w` (then the rest is read as commands).
        assert!(whole.1.starts_with("250 queued\r\n"), "{w:?}");
        assert!(whole.1.ends_with("250 ok\r\n"), "{w:?}");
        assert_eq!(whole.2.last().map(String::as_str), Some("NOOP"), "{w:?}");
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            assert_eq!(feed(&template, &[a, b]), whole, "{w:?} split at {split}");
        }
    }
}

/// Feeds `data` one byte at a time and whole, checks both agree, returns the outcome.
fn one_byte_and_whole(policy: BareLineEndings, data: &[u8]) -> Outcome {
    let template = server_in_data(policy);
    let whole = feed(&template, &[data]);
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(feed(&template, &bytes), whole, "{data:?}");
    whole
}

#[test]
fn the_three_named_edge_cases_under_both_policies() {
    for policy in [BareLineEndings::Reject, BareLineEndings::Accept] {
        // A leading ".." on the first body line is un-stuffed to ".".
        let (body, out, _) = one_byte_and_whole(policy, b"..hidden\r\n.\r\n");
        assert_eq!(body, b".hidden\r\n");
        assert_eq!(out, "250 queued\r\n");
        // The empty body: "." right after the 354.
        let (body, out, after) = one_byte_and_whole(policy, b".\r\nNOOP\r\n");
        assert_eq!(body, b"");
        assert_eq!(out, "250 queued\r\n250 ok\r\n");
        assert_eq!(after, ["NOOP"]);
        // CRLF "." CR CR LF is not an end: the following MAIL is message text, not a
        // command (SMTP smuggling), and only the real CRLF.CRLF ends the data.
        let (body, out, after) =
            one_byte_and_whole(policy, b"a\r\n.\r\r\nMAIL FROM:<x@y>\r\n.\r\nNOOP\r\n");
        assert_eq!(after, ["NOOP"], "{policy:?}");
        match policy {
            BareLineEndings::Accept => {
                assert_eq!(body, b"a\r\n\r\r\nMAIL FROM:<x@y>\r\n");
                assert_eq!(out, "250 queued\r\n250 ok\r\n");
            }
            _ => {
                assert_eq!(body, b"");
                assert!(out.starts_with("550 5.6.0 "), "{out}");
                assert!(out.ends_with("\r\n250 ok\r\n"), "{out}");
            }
        }
    }
}

#[test]
fn smuggling_end_markers_never_end_data_under_either_policy() {
    // The CVE-2023-51764/5/6 variants: LF.LF, CR.CR, LF.CRLF, CRLF.LF, CR.CRLF, CRLF.CR.
    for marker in [
        &b"\n.\n"[..],
        b"\r.\r",
        b"\n.\r\n",
        b"\r\n.\n",
        b"\r.\r\n",
        b"\r\n.\r",
    ] {
        for policy in [BareLineEndings::Reject, BareLineEndings::Accept] {
            let mut data = b"x".to_vec();
            data.extend_from_slice(marker);
            data.extend_from_slice(b"RSET\r\n\r\n.\r\nNOOP\r\n");
            let (_, out, after) = one_byte_and_whole(policy, &data);
            assert_eq!(after, ["NOOP"], "{marker:?} {policy:?}");
            let first = &out[..3];
            let want = if policy == BareLineEndings::Reject {
                "550"
            } else {
                "250"
            };
            assert_eq!(first, want, "{marker:?} {policy:?}: {out}");
        }
    }
}

/// The server's outcome for one DATA line of `content` octets (`stuffed`: it starts with a
/// dot, so it goes out with one more).
fn text_line(content: usize, stuffed: bool) -> String {
    let mut data = Vec::new();
    if stuffed {
        data.extend_from_slice(b"..");
        data.extend(std::iter::repeat_n(b'a', content - 1));
    } else {
        data.extend(std::iter::repeat_n(b'a', content));
    }
    data.extend_from_slice(b"\r\n.\r\n");
    one_byte_and_whole(BareLineEndings::Reject, &data).1
}

#[test]
fn the_stuffed_dot_does_not_count_against_the_1000_octet_text_line() {
    // RFC 5321 §4.5.3.1.6: 1000 octets with CRLF "(not counting the leading dot
    // duplicated for transparency)": 998 content octets starting with "." are 1001 on the
    // wire.
    assert_eq!(text_line(998, true), "250 queued\r\n");
    assert_eq!(text_line(998, false), "250 queued\r\n");
    assert!(text_line(999, true).starts_with("500 "));
    assert!(text_line(1000, true).starts_with("500 "));
    assert!(text_line(1000, false).starts_with("500 "));
}

#[test]
fn an_unstuffed_line_over_1000_octets_is_refused() {
    assert!(text_line(999, false).starts_with("500 "));
    assert!(text_line(999, true).starts_with("500 "));
}
