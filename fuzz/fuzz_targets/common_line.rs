//! Line framer: no panic; whole input and any chunking give the same lines.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::decode::Decoded;
use mail_common::line::{LineConfig, LineEnding, LineScanner};

fn lines(data: &[u8], chunk: usize, cfg: LineConfig) -> Vec<Result<Vec<u8>, mail_common::Error>> {
    let mut out = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut sc = LineScanner::new(cfg);
    let mut discarding = false;
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            if discarding {
                let d = sc.discard(&buf);
                assert!(d.consumed <= buf.len());
                buf.drain(..d.consumed);
                if !d.done {
                    break;
                }
                discarding = false;
            }
            match sc.next_line(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    assert!(consumed <= buf.len() && consumed <= cfg.max_len);
                    out.push(Ok(value.to_vec()));
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => {
                    out.push(Err(e));
                    discarding = true;
                }
            }
        }
    }
    out
}

fuzz_target!(|input: (u8, bool, &[u8])| {
    let (max, lf, data) = input;
    let cfg = LineConfig::new(usize::from(max).max(2)).with_ending(if lf {
        LineEnding::CrLfOrLf
    } else {
        LineEnding::CrLf
    });
    let whole = lines(data, data.len(), cfg);
    assert_eq!(whole, lines(data, 1, cfg));
    assert_eq!(whole, lines(data, 7, cfg));
});
