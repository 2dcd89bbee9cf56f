//! SMTP command lines: no panic; a decoded command re-encodes to bytes that decode to the
//! same command; every strict prefix of a complete line is incomplete. AUTH continuation
//! lines likewise.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smtp_proto::{AuthResponse, Command, Decoded, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(Decoded::Complete { value, consumed }) = Command::decode(data) {
        assert!(consumed <= data.len());
        for n in 0..consumed {
            assert!(matches!(
                Command::decode(&data[..n]),
                Ok(Decoded::Incomplete { .. })
            ));
        }
        let enc = value.to_bytes();
        match Command::decode(&enc) {
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
        assert_eq!(value.clone().into_owned(), value);
    }
    if let Ok(Decoded::Complete { value, .. }) = AuthResponse::decode(data) {
        let enc = value.to_bytes();
        let again = AuthResponse::decode(&enc).unwrap().complete().unwrap().0;
        assert_eq!(again, value);
    }
});
