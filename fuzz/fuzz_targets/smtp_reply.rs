//! SMTP replies: no panic; decode → encode → decode is the identity on values.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smtp_proto::{Decoded, Encode, Reply};

fuzz_target!(|data: &[u8]| {
    if let Ok(Decoded::Complete { value, consumed }) = Reply::decode(data) {
        assert!(consumed <= data.len());
        let enc = value.to_bytes();
        match Reply::decode(&enc) {
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
