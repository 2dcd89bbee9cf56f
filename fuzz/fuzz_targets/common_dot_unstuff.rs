//! Dot-unstuffer: no panic; any chunking gives the same content and end; the stuffer's
//! output always decodes back to the (CRLF-normalised) content.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotStuffer, DotUnstuffer, Unstuffed};

#[derive(Debug, PartialEq)]
struct Outcome {
    content: Vec<u8>,
    end: Option<usize>,
    error: Option<mail_common::Error>,
}

fn unstuff(data: &[u8], chunk: usize, cfg: DotConfig) -> Outcome {
    let mut dec = DotUnstuffer::new(cfg);
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut content = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        fed += piece.len();
        loop {
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    assert!(consumed <= buf.len());
                    match value {
                        Unstuffed::Data(d) => content.extend_from_slice(d),
                        Unstuffed::End => {
                            let end = fed - buf.len() + consumed;
                            return Outcome {
                                content,
                                end: Some(end),
                                error: None,
                            };
                        }
                    }
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                // Offsets are relative to the call's input: compare kinds, not offsets.
                Err(e) => {
                    let e = match e {
                        mail_common::Error::LineTooLong { limit, .. } => {
                            mail_common::Error::LineTooLong { offset: 0, limit }
                        }
                        mail_common::Error::BareLineEnding { octet, .. } => {
                            mail_common::Error::BareLineEnding { offset: 0, octet }
                        }
                        other => other,
                    };
                    return Outcome {
                        content: Vec::new(),
                        end: None,
                        error: Some(e),
                    };
                }
            }
        }
    }
    Outcome {
        content,
        end: None,
        error: None,
    }
}

fuzz_target!(|input: (bool, u8, &[u8])| {
    let (accept, max, data) = input;
    let cfg = DotConfig {
        max_line_len: if max == 0 {
            None
        } else {
            Some(usize::from(max).max(3))
        },
        bare_line_endings: if accept {
            BareLineEndings::Accept
        } else {
            BareLineEndings::Reject
        },
    };
    let whole = unstuff(data, data.len(), cfg);
    let ones = unstuff(data, 1, cfg);
    if whole.error.is_none() && ones.error.is_none() {
        assert_eq!(whole, ones);
    } else {
        assert_eq!(whole.error, ones.error);
    }

    // Round trip: stuff arbitrary content, unstuff it, compare with CRLF-normalised content.
    let mut wire = Vec::new();
    let mut st = DotStuffer::new();
    st.encode(data, &mut wire);
    st.finish(&mut wire);
    let back = unstuff(
        &wire,
        3,
        DotConfig {
            max_line_len: None,
            bare_line_endings: BareLineEndings::Reject,
        },
    );
    assert_eq!(back.end, Some(wire.len()));
    let mut normal = Vec::new();
    let mut i = 0;
    while i < data.len() {
        match (data[i], data.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                normal.extend_from_slice(b"\r\n");
                i += 2;
            }
            (b'\r', _) | (b'\n', _) => {
                normal.extend_from_slice(b"\r\n");
                i += 1;
            }
            (c, _) => {
                normal.push(c);
                i += 1;
            }
        }
    }
    if !normal.is_empty() && !normal.ends_with(b"\r\n") {
        normal.extend_from_slice(b"\r\n");
    }
    assert_eq!(back.content, normal);
});
