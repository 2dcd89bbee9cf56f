//! Exhaustive tests of the DATA path against tiny, obviously-correct references: every
//! string over `a . CR LF` up to length 7, split at every point.

use std::time::Duration;

use mail_common::dot::DotStuffer;
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(1);
const ALPHABET: [u8; 4] = [b'a', b'.', b'\r', b'\n'];

fn all_strings(max: usize) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    let mut layer = vec![Vec::new()];
    for _ in 0..max {
        let mut next = Vec::new();
        for s in &layer {
            for c in ALPHABET {
                let mut t: Vec<u8> = s.clone();
                t.push(c);
                next.push(t);
            }
        }
        out.extend(next.iter().cloned());
        layer = next;
    }
    out
}

/// A server that has answered DATA with 354.
fn server_in_data() -> Server {
    let mut s = Server::new(ServerConfig::new("mx.example"), T0);
    s.greet().unwrap();
    s.receive(b"EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n", T0)
        .unwrap();
    for _ in 0..4 {
        let ev = s.next_event().unwrap().map(Event::into_owned);
        match ev {
            Some(Event::Command(Command::Ehlo(_))) => s.reply_ehlo().unwrap(),
            Some(Event::Command(Command::Data)) => {
                s.reply(&Reply::new(354, None, "go").unwrap()).unwrap()
            }
            Some(Event::Command(_)) => s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap(),
            other => panic!("{other:?}"),
        }
    }
    let n = s.transmit().len();
    s.consumed(n);
    s
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    body: Vec<u8>,
    /// The first reply after the data (250 accepted, 550 bare CR/LF).
    code: Option<String>,
    /// All replies written.
    out: Vec<u8>,
}

/// Feeds `parts` in order and accepts the message if it ends.
fn feed(template: &Server, parts: &[&[u8]]) -> Outcome {
    let mut s = template.clone();
    let mut body = Vec::new();
    for p in parts {
        s.receive(p, T0).unwrap();
        loop {
            let ev = s.next_event().unwrap().map(Event::into_owned);
            match ev {
                None => break,
                Some(Event::BodyChunk(c)) => body.extend_from_slice(&c),
                Some(Event::DataAborted { .. }) => body.clear(),
                Some(Event::DataEnd { .. }) => {
                    s.reply(&Reply::new(250, None, "queued").unwrap()).unwrap()
                }
                Some(Event::Command(_)) => s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap(),
                Some(other) => panic!("{other:?}"),
            }
        }
    }
    let out = s.transmit().to_vec();
    let code = String::from_utf8_lossy(&out).get(..3).map(str::to_string);
    Outcome { body, code, out }
}

/// Reference un-stuffing: lines end only at CRLF; a line that is exactly "." ends the
/// data; a leading dot is removed; a CR or LF inside a line is a bare one (rejected).
/// Returns (content, rejected) or None if the data does not end.
fn reference_unstuff(wire: &[u8]) -> Option<(Vec<u8>, bool)> {
    let mut content = Vec::new();
    let mut bare = false;
    let mut rest = wire;
    loop {
        let pos = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = &rest[..pos];
        rest = &rest[pos + 2..];
        if line == b"." {
            return Some((if bare { Vec::new() } else { content }, bare));
        }
        if line.contains(&b'\r') || line.contains(&b'\n') {
            bare = true;
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        content.extend_from_slice(line);
        content.extend_from_slice(b"\r\n");
    }
}

/// Reference line-ending normalisation of the stuffer: CRLF, bare CR and bare LF each
/// become CRLF; a final CRLF is added if missing.
fn reference_normalise(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'\r' if content.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[test]
fn every_wire_string_up_to_7_unstuffs_like_the_reference_at_every_split() {
    let template = server_in_data();
    let mut checked = 0;
    for w in all_strings(7) {
        // The wire data, then a guaranteed end, then a command.
        let mut input = w.clone();
        input.extend_from_slice(b"\r\n.\r\nNOOP\r\n");
        let (content, rejected) = reference_unstuff(&input).expect("ends");
        let whole = feed(&template, &[&input]);
        assert_eq!(
            whole.code.as_deref(),
            Some(if rejected { "550" } else { "250" }),
            "{w:?}"
        );
        assert_eq!(whole.body, content, "{w:?}");
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            assert_eq!(feed(&template, &[a, b]), whole, "{w:?} split at {split}");
        }
        checked += 1;
    }
    assert_eq!(checked, (0..=7).map(|k| 4usize.pow(k)).sum::<usize>());
}

#[test]
fn every_content_string_up_to_7_survives_stuffing_at_every_split() {
    let template = server_in_data();
    for content in all_strings(7) {
        let expected = reference_normalise(&content);
        for split in 0..=content.len() {
            let mut wire = Vec::new();
            let mut st = DotStuffer::new();
            st.encode(&content[..split], &mut wire);
            st.encode(&content[split..], &mut wire);
            st.finish(&mut wire);
            let got = feed(&template, &[&wire]);
            assert_eq!(got.code.as_deref(), Some("250"), "{content:?}");
            assert_eq!(got.body, expected, "{content:?} split at {split}");
        }
    }
}
