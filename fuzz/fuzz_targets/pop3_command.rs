//! POP3 commands: no panic; bytes → decode → encode → decode gives the same command; the
//! streaming decoder gives the same commands whole and one byte at a time.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::decode::Decoded;
use pop3_proto::parse::{CommandDecoder, CommandLimits, decode_command};

fn stream(data: &[u8], chunk: usize) -> Vec<String> {
    let mut dec = CommandDecoder::default();
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

fuzz_target!(|data: &[u8]| {
    let limits = CommandLimits::default();
    if let Ok(Decoded::Complete { value, consumed }) = decode_command(data, &limits) {
        assert!(consumed <= data.len());
        let bytes = value.to_bytes();
        let again = decode_command(&bytes, &CommandLimits { max_line: 1 << 16, max_arg: 1 << 16, ..limits })
            .expect("re-decode")
            .complete()
            .expect("complete");
        assert_eq!(again, (value, bytes.len()));
    }
    assert_eq!(stream(data, 1), stream(data, data.len()));
});
