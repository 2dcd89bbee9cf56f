//! IMAP commands (server side): no panic; bytes → decode → encode → decode gives the same
//! command; the streaming decoder gives the same commands and errors whole, one byte at a
//! time and in 7-byte pieces.
#![no_main]
use imap_proto::{
    Command, CommandDecoded, CommandDecoder, Config, Decode, Decoded, Encode, Limits,
    LiteralSupport,
};
use libfuzzer_sys::fuzz_target;

fn decoder() -> CommandDecoder {
    CommandDecoder::new(Config {
        limits: Limits {
            max_line: 4096,
            max_literal: 4096,
            max_depth: 16,
            max_items: 256,
            max_literals: 16,
        },
        ..Config::default()
    })
    .with_literal_support(LiteralSupport::LiteralMinus)
}

fn stream(data: &[u8], chunk: usize) -> Vec<String> {
    let mut dec = decoder();
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut discarding = false;
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            if discarding {
                let d = dec.discard(&buf);
                assert!(d.consumed <= buf.len());
                buf.drain(..d.consumed);
                if !d.done {
                    break;
                }
                discarding = false;
            }
            match dec.decode(&buf) {
                Ok(CommandDecoded::Complete { command, consumed }) => {
                    assert!(consumed <= buf.len());
                    // Round trip through the encoder.
                    let bytes = command.to_vec();
                    let Ok(Decoded::Complete {
                        value,
                        consumed: c2,
                    }) = Command::decode(&bytes)
                    else {
                        panic!("re-decode failed: {:?}", String::from_utf8_lossy(&bytes));
                    };
                    assert_eq!(c2, bytes.len());
                    assert_eq!(value, command);
                    out.push(format!("{command:?}"));
                    buf.drain(..consumed);
                }
                Ok(CommandDecoded::ContinuationNeeded { size }) => {
                    assert!(size <= 4096);
                    out.push(format!("+{size}"));
                }
                Ok(CommandDecoded::Incomplete { .. }) => break,
                Err(e) => {
                    out.push(format!("{e:?}"));
                    discarding = true;
                }
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // The stateless decoder never panics and never claims more than it was given.
    if let Ok(Decoded::Complete { consumed, .. }) = Command::decode(data) {
        assert!(consumed <= data.len());
    }
    let whole = stream(data, data.len());
    assert_eq!(whole, stream(data, 1));
    assert_eq!(whole, stream(data, 7));
});
