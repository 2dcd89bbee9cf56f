//! APOP greeting timestamp parser: no panic; a timestamp found is a substring of the greeting
//! that starts with '<', ends with '>', holds an '@' and is at most 255 octets; a built
//! timestamp is found again in a greeting; digests verify.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::apop::{
    TIMESTAMP_MAX, apop_digest, greeting_timestamp, make_timestamp, verify_apop,
};

fuzz_target!(|input: (&[u8], u8)| {
    let (data, split) = input;
    if let Some(ts) = greeting_timestamp(data) {
        assert!(ts.first() == Some(&b'<') && ts.last() == Some(&b'>'));
        assert!(ts.contains(&b'@') && ts.len() <= TIMESTAMP_MAX);
        let start = ts.as_ptr() as usize - data.as_ptr() as usize;
        assert_eq!(&data[start..start + ts.len()], ts);
        let digest = apop_digest(ts, data);
        assert!(verify_apop(ts, data, &digest));
        assert!(!verify_apop(ts, b"", &digest) || data.is_empty());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let at = usize::from(split).min(text.len());
        if let (Some(unique), Some(host)) = (text.get(..at), text.get(at..)) {
            if let Ok(ts) = make_timestamp(unique, host) {
                let greeting = format!("+OK ready {ts}");
                assert_eq!(greeting_timestamp(greeting.as_bytes()), Some(ts.as_bytes()));
            }
        }
    }
});
