//! POP3 responses given the command context: no panic; bytes → decode → encode → decode
//! gives the same response; the streaming decoder gives the same events whole and one
//! byte at a time.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::decode::Decoded;
use pop3_proto::parse::{ResponseLimits, decode_response};
use pop3_proto::{Response, ResponseDecoder, ResponseKind};

const KINDS: [ResponseKind; 12] = [
    ResponseKind::Greeting,
    ResponseKind::Status,
    ResponseKind::Stat,
    ResponseKind::ScanListing,
    ResponseKind::UniqueIdListing,
    ResponseKind::ScanList,
    ResponseKind::UniqueIdList,
    ResponseKind::Capabilities,
    ResponseKind::Message,
    ResponseKind::Mechanisms,
    ResponseKind::Languages,
    ResponseKind::Auth,
];

fn stream(kind: ResponseKind, data: &[u8], chunk: usize) -> Vec<String> {
    let mut dec = ResponseDecoder::new(kind, ResponseLimits::default());
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut content = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while !dec.is_done() {
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    match value {
                        pop3_proto::ResponseEvent::Data(d) => content.extend_from_slice(d),
                        other => {
                            out.push(format!("{content:?}"));
                            content.clear();
                            out.push(format!("{other:?}"));
                        }
                    }
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => {
                    // Offsets differ with the chunking; the kind of error does not.
                    out.push(format!("{content:?}"));
                    out.push(format!("error {}", err_kind(&e)));
                    return out;
                }
            }
        }
    }
    out.push(format!("{content:?}"));
    out
}

fn err_kind(e: &pop3_proto::Error) -> &'static str {
    match e {
        pop3_proto::Error::LineTooLong { .. } => "line too long",
        pop3_proto::Error::Syntax { expected, .. } => expected,
        pop3_proto::Error::Common(_) => "common",
        _ => "other",
    }
}

fn has_bare_line_ending(c: &[u8]) -> bool {
    c.iter().enumerate().any(|(i, &b)| {
        (b == b'\r' && c.get(i + 1) != Some(&b'\n'))
            || (b == b'\n' && (i == 0 || c[i - 1] != b'\r'))
    })
}

fuzz_target!(|input: (u8, &[u8])| {
    let (k, data) = input;
    let kind = KINDS[usize::from(k) % KINDS.len()];
    let limits = ResponseLimits::default();
    if let Ok(Decoded::Complete { value, consumed }) = decode_response(kind, data, &limits) {
        assert!(consumed <= data.len());
        let normalisable = match &value {
            Response::Message { content, .. } => !has_bare_line_ending(content),
            _ => true,
        };
        if normalisable {
            let bytes = value.to_bytes();
            let big = ResponseLimits {
                max_line: 1 << 16,
                ..limits
            };
            let again = decode_response(kind, &bytes, &big)
                .expect("re-decode")
                .complete()
                .expect("complete");
            assert_eq!(again, (value, bytes.len()));
        }
    }
    assert_eq!(stream(kind, data, 1), stream(kind, data, data.len()));
});
