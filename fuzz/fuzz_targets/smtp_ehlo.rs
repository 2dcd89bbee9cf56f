//! EHLO responses: no panic; decode → encode → decode is the identity on values.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smtp_proto::{Decoded, EhloResponse, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(Decoded::Complete { value, .. }) = EhloResponse::decode(data) {
        let enc = value.to_bytes();
        match EhloResponse::decode(&enc) {
            Ok(Decoded::Complete {
                value: again,
                consumed,
            }) => {
                assert_eq!(consumed, enc.len());
                assert_eq!(again, value);
            }
            other => panic!(
                "re-decode of {:?}: {other:?}",
                String::from_utf8_lossy(&enc)
            ),
        }
    }
});
