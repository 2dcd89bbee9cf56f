//! Exhaustive multi-line framing: every string over `a . CR LF` up to length 7, followed
//! by CRLF `.` CRLF, split at every point, through the multi-line response decoder, against
//! a small reference model of RFC 1939 §3.

use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig};
use pop3_proto::{ResponseDecoder, ResponseEvent, ResponseKind, ResponseLimits};

/// The reference: lines end at CRLF only; at a line start, `.` CRLF ends the data and any
/// other leading `.` is removed. Returns the content and the octets used (end line
/// included), or `None` under the strict policy if a bare CR or LF comes before the end.
fn reference(body: &[u8], strict: bool) -> Option<(Vec<u8>, usize)> {
    let mut content = Vec::new();
    let mut i = 0;
    loop {
        let rest = &body[i..];
        if rest.starts_with(b".\r\n") {
            return Some((content, i + 3));
        }
        let start = usize::from(rest.first() == Some(&b'.'));
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("always terminated");
        let line = &rest[start.min(end)..end];
        if strict && line.iter().any(|&b| b == b'\r' || b == b'\n') {
            return None;
        }
        content.extend_from_slice(line);
        content.extend_from_slice(b"\r\n");
        i += end + 2;
    }
}

/// Decodes `wire` fed in two pieces split at `split`; returns the content and the octets
/// consumed, or `None` on error.
fn decode(wire: &[u8], split: usize, strict: bool) -> Option<(Vec<u8>, usize)> {
    let limits = ResponseLimits {
        message: DotConfig {
            max_line_len: None,
            bare_line_endings: if strict {
                BareLineEndings::Reject
            } else {
                BareLineEndings::Accept
            },
        },
        ..ResponseLimits::default()
    };
    let mut dec = ResponseDecoder::new(ResponseKind::Message, limits);
    let mut buf = Vec::new();
    let mut content = Vec::new();
    let mut used = 0;
    for piece in [&wire[..split], &wire[split..]] {
        buf.extend_from_slice(piece);
        while !dec.is_done() {
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    match value {
                        ResponseEvent::Data(d) => content.extend_from_slice(d),
                        ResponseEvent::Status(s) => assert!(s.is_ok()),
                        ResponseEvent::End => {}
                        other => panic!("{other:?}"),
                    }
                    used += consumed;
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(_) => return None,
            }
        }
    }
    assert!(dec.is_done(), "the data is always terminated");
    Some((content, used))
}

#[test]
fn every_string_over_a_dot_cr_lf_up_to_7_split_everywhere() {
    let alphabet = [b'a', b'.', b'\r', b'\n'];
    let mut cases = 0;
    for len in 0..=7u32 {
        for code in 0..4usize.pow(len) {
            let mut s = Vec::new();
            let mut c = code;
            for _ in 0..len {
                s.push(alphabet[c % 4]);
                c /= 4;
            }
            let mut body = s.clone();
            body.extend_from_slice(b"\r\n.\r\n");
            let mut wire = b"+OK\r\n".to_vec();
            wire.extend_from_slice(&body);
            for strict in [false, true] {
                let want = reference(&body, strict).map(|(c, used)| (c, used + 5));
                for split in 0..=wire.len() {
                    let got = decode(&wire, split, strict);
                    assert_eq!(got, want, "{s:?} split at {split} strict {strict}");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 771_862, "every case ran");
}

#[test]
fn lf_dot_lf_is_not_an_end() {
    let body = b"a\n.\nb\r\n.\r\n";
    assert_eq!(
        reference(body, false),
        Some((b"a\n.\nb\r\n".to_vec(), body.len()))
    );
    let mut wire = b"+OK\r\n".to_vec();
    wire.extend_from_slice(body);
    assert_eq!(
        decode(&wire, 7, false),
        Some((b"a\n.\nb\r\n".to_vec(), wire.len()))
    );
}
