//! IMAP greeting: no panic; decode → encode → decode is stable; 1-byte feeding agrees.
#![no_main]
use imap_proto::{Config, Decoded, Encode, Limits, Quirks, ResponseDecoder};
use libfuzzer_sys::fuzz_target;

fn greet(data: &[u8], chunk: usize, quirks: Quirks) -> Option<String> {
    let mut dec = ResponseDecoder::new(Config {
        limits: Limits {
            max_line: 2048,
            ..Limits::CLIENT
        },
        quirks,
        utf8: false,
    });
    let mut buf = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        match dec.decode_greeting(&buf) {
            Ok(Decoded::Complete { value, consumed }) => {
                assert!(consumed <= buf.len());
                if quirks == Quirks::STRICT {
                    let bytes = value.to_vec();
                    let mut again = ResponseDecoder::default();
                    let Ok(Decoded::Complete { value: g2, .. }) = again.decode_greeting(&bytes)
                    else {
                        panic!("re-decode failed: {:?}", String::from_utf8_lossy(&bytes));
                    };
                    assert_eq!(g2, value);
                }
                return Some(format!("{value:?}"));
            }
            Ok(Decoded::Incomplete { .. }) => {}
            Err(e) => return Some(format!("{e:?}")),
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    for q in [Quirks::STRICT, Quirks::LENIENT] {
        let whole = greet(data, data.len(), q);
        assert_eq!(whole, greet(data, 1, q));
    }
});
