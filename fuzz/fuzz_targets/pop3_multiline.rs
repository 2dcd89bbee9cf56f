//! The multi-line (RETR/TOP) decoder against a reference model of RFC 1939 §3: lines end
//! at CRLF only; at a line start `.` CRLF ends the data and another leading `.` is
//! removed. Any chunking gives the reference's content and length.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::decode::Decoded;
use pop3_proto::{ResponseDecoder, ResponseEvent, ResponseKind, ResponseLimits};

fn reference(body: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut content = Vec::new();
    let mut i = 0;
    loop {
        let rest = &body[i..];
        if rest.starts_with(b".\r\n") {
            return Some((content, i + 3));
        }
        let start = usize::from(rest.first() == Some(&b'.'));
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        content.extend_from_slice(&rest[start.min(end)..end + 2]);
        i += end + 2;
    }
}

fn decode(body: &[u8], chunk: usize) -> (Vec<u8>, Option<usize>) {
    let mut dec = ResponseDecoder::new(ResponseKind::Message, ResponseLimits::default());
    let mut wire = b"+OK\r\n".to_vec();
    wire.extend_from_slice(body);
    let mut buf = Vec::new();
    let mut content = Vec::new();
    let mut used = 0;
    for piece in wire.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while !dec.is_done() {
            match dec
                .decode(&buf)
                .expect("accepting policy never fails on a short line")
            {
                Decoded::Complete { value, consumed } => {
                    if let ResponseEvent::Data(d) = value {
                        content.extend_from_slice(d);
                    }
                    used += consumed;
                    buf.drain(..consumed);
                }
                Decoded::Incomplete { .. } => break,
            }
        }
        if dec.is_done() {
            return (content, Some(used - 5));
        }
    }
    (content, None)
}

fuzz_target!(|input: (u8, &[u8])| {
    let (chunk, body) = input;
    let (content, end) = decode(body, usize::from(chunk));
    match reference(body) {
        Some((want, used)) => {
            assert_eq!(end, Some(used));
            assert_eq!(content, want);
        }
        None => {
            assert_eq!(end, None);
            // Whatever was emitted so far is a prefix of the reference's reading of the
            // complete lines plus the pending one.
            let whole = decode(body, body.len() + 5);
            assert_eq!(content, whole.0);
        }
    }
});
