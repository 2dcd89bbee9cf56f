//! IMAP responses (client side), strict and lenient: no panic; decode → encode → decode
//! gives the same response; whole, 1-byte and 7-byte feeding agree; streaming mode gives the
//! same literal bytes.
#![no_main]
use imap_proto::{
    Config, Decode, Decoded, Encode, Limits, Quirks, Response, ResponseDecoder, Streamed,
};
use libfuzzer_sys::fuzz_target;

fn config(lenient: bool) -> Config {
    Config {
        limits: Limits {
            max_line: 4096,
            max_literal: 1 << 16,
            max_depth: 16,
            max_items: 256,
            max_literals: 16,
        },
        quirks: if lenient {
            Quirks::LENIENT
        } else {
            Quirks::STRICT
        },
        utf8: false,
    }
}

fn stream(data: &[u8], chunk: usize, lenient: bool) -> Vec<String> {
    let mut dec = ResponseDecoder::new(config(lenient));
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut discarding = false;
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            if discarding {
                let d = dec.discard(&buf);
                buf.drain(..d.consumed);
                if !d.done {
                    break;
                }
                discarding = false;
            }
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    assert!(consumed <= buf.len());
                    if !lenient {
                        let bytes = value.to_vec();
                        let Ok(Decoded::Complete {
                            value: again,
                            consumed: c2,
                        }) = Response::decode(&bytes)
                        else {
                            panic!("re-decode failed: {:?}", String::from_utf8_lossy(&bytes));
                        };
                        assert_eq!(c2, bytes.len());
                        assert_eq!(again, value);
                    }
                    out.push(format!("{value:?}"));
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => {
                    out.push(format!("{e:?}"));
                    discarding = true;
                }
            }
        }
    }
    out
}

/// Streaming mode: the concatenated literal data and the count of responses.
fn streamed(data: &[u8], chunk: usize) -> (Vec<u8>, usize, bool) {
    let mut dec = ResponseDecoder::new(config(true)).with_stream_threshold(8);
    let mut buf = Vec::new();
    let (mut lit, mut n) = (Vec::new(), 0);
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            match dec.decode_streaming(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    match value {
                        Streamed::LiteralData(d) => lit.extend_from_slice(d),
                        Streamed::LiteralStart { .. } => {}
                        Streamed::Response(_) => n += 1,
                    }
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(_) => return (lit, n, true),
            }
        }
    }
    (lit, n, false)
}

fuzz_target!(|data: &[u8]| {
    for lenient in [false, true] {
        let whole = stream(data, data.len(), lenient);
        assert_eq!(whole, stream(data, 1, lenient));
        assert_eq!(whole, stream(data, 7, lenient));
    }
    let s = streamed(data, data.len());
    assert_eq!(s, streamed(data, 1));
    assert_eq!(s, streamed(data, 5));
});
