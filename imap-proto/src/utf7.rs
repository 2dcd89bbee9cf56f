//! Modified UTF-7 for mailbox names (RFC 3501 §5.1.3).
//!
//! Printable US-ASCII (0x20-0x7e) stands for itself, except `&`, written `&-`; any other
//! run of characters is written `&` + base64 of its UTF-16BE form (alphabet with `,` for
//! `/`, no padding) + `-`.

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::Error;

const MUTF7: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

const fn is_direct(c: u32) -> bool {
    c >= 0x20 && c <= 0x7e
}

/// Encodes a Unicode mailbox name into modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        if !run.is_empty() {
            out.push('&');
            out.push_str(&MUTF7.encode(&run));
            out.push('-');
            run.clear();
        }
    };
    for ch in name.chars() {
        if is_direct(u32::from(ch)) {
            flush(&mut run, &mut out);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                run.extend_from_slice(&unit.to_be_bytes());
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Decodes a modified UTF-7 mailbox name. Strict: refuses 8-bit octets, a shifted run
/// that encodes printable ASCII, adjacent shifted runs and anything that would not
/// re-encode to the same bytes.
pub fn decode(wire: &[u8]) -> Result<String, Error> {
    const BAD: Error = Error::Invalid {
        what: "modified UTF-7 mailbox name",
        reason: "not canonical modified UTF-7",
    };
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'&' {
            let end = memchr::memchr(b'-', tail).ok_or(BAD)?;
            let (b64, after) = tail.split_at_checked(end).ok_or(BAD)?;
            rest = after.get(1..).unwrap_or_default();
            if b64.is_empty() {
                out.push('&');
                continue;
            }
            let bytes = MUTF7.decode(b64).map_err(|_| BAD)?;
            if bytes.len() % 2 != 0 {
                return Err(BAD);
            }
            let units = bytes.chunks_exact(2).map(|p| {
                u16::from_be_bytes([
                    p.first().copied().unwrap_or(0),
                    p.get(1).copied().unwrap_or(0),
                ])
            });
            for ch in char::decode_utf16(units) {
                let ch = ch.map_err(|_| BAD)?;
                if is_direct(u32::from(ch)) {
                    return Err(BAD);
                }
                out.push(ch);
            }
            if rest.first() == Some(&b'&') && rest.get(1) != Some(&b'-') {
                return Err(BAD);
            }
        } else if is_direct(u32::from(b)) {
            out.push(char::from(b));
            rest = tail;
        } else {
            return Err(BAD);
        }
    }
    if encode(&out).as_bytes() != wire {
        return Err(BAD);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_example_round_trips() {
        // RFC 3501 §5.1.3 example.
        let wire = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
        let name = decode(wire.as_bytes()).unwrap();
        assert_eq!(
            name,
            "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}"
        );
        assert_eq!(encode(&name), wire);
    }

    #[test]
    fn ampersand_is_escaped() {
        assert_eq!(encode("a&b"), "a&-b");
        assert_eq!(decode(b"a&-b").unwrap(), "a&b");
    }

    #[test]
    fn non_canonical_forms_are_rejected() {
        assert!(decode(b"&AGE-").is_err()); // shifted 'a'
        assert!(decode(b"&U,A-&U,A-").is_err()); // two adjacent runs
        assert!(decode(b"\xc3\xa9").is_err()); // raw 8-bit
        assert!(decode(b"&U,A").is_err()); // unterminated
        assert!(decode(b"&2D0-").is_err()); // lone surrogate half
    }

    #[test]
    fn astral_characters_use_surrogate_pairs() {
        let s = "x\u{1F600}y";
        assert_eq!(decode(encode(s).as_bytes()).unwrap(), s);
    }
}
