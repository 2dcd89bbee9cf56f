//! The POP3 APOP command's digest and the greeting timestamp it is computed over
//! (RFC 1939 §7).
//!
//! A server that offers APOP puts a timestamp in its greeting, in the syntax of an RFC 822
//! `msg-id` (`<unique@host>`); the client sends `APOP name digest`, where `digest` is the
//! MD5 of the timestamp (angle brackets included) followed by the shared secret, as 32
//! lower-case hexadecimal digits.
//!
//! The timestamp's unique part must differ for every greeting (RFC 1939 §7 suggests the
//! process ID and the clock); this crate never reads a clock or a random source, so the
//! caller supplies it to [`make_timestamp`].
//!
//! # Timestamp syntax accepted here
//!
//! RFC 1939 asks for an RFC 822 `msg-id` (`"<" addr-spec ">"`). This module accepts the
//! form that servers actually send and that the digest can be computed over without
//! ambiguity:
//!
//! ```text
//! timestamp = "<" 1*id-char "@" 1*id-char ">"     ; at most 255 octets in all
//! id-char   = %x21-3B / %x3D / %x3F-7E             ; VCHAR except "<" and ">"
//! ```
//!
//! that is printable ASCII with no space, CR or LF, and an `@` with text on both sides (the
//! last `@` is taken as the separator). [`TIMESTAMP_MAX`] (255 octets, brackets included)
//! caps the length, so that a greeting carrying it fits the 512-octet POP3 response line
//! (RFC 2449 §4) with room for the rest of the text.
//!
//! # Example
//!
//! ```
//! use mail_common::apop::{apop_digest, greeting_timestamp, verify_apop};
//!
//! // RFC 1939 §7: the server's greeting...
//! let greeting = b"POP3 server ready <1896.697170952@dbc.mtview.ca.us>";
//! let timestamp = greeting_timestamp(greeting).unwrap();
//! assert_eq!(timestamp, b"<1896.697170952@dbc.mtview.ca.us>");
//!
//! // ...the client's digest (`APOP mrose c4c9334bac560ecc979e58001b3e22fb`)...
//! let digest = apop_digest(timestamp, b"tanstaaf");
//! assert_eq!(&digest, b"c4c9334bac560ecc979e58001b3e22fb");
//!
//! // ...and the server's check, in constant time.
//! assert!(verify_apop(timestamp, b"tanstaaf", &digest));
//! assert!(!verify_apop(timestamp, b"tanstaaF", &digest));
//! ```

use alloc::string::String;
use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

use crate::error::Error;

/// The longest timestamp accepted or built, in octets, angle brackets included.
pub const TIMESTAMP_MAX: usize = 255;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hexadecimal of 16 digest octets.
pub(crate) fn hex32(octets: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (pair, byte) in out.chunks_exact_mut(2).zip(octets) {
        if let [hi, lo] = pair {
            *hi = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            *lo = HEX.get(usize::from(byte & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    out
}

/// Folds `digest` to lower case if it is exactly 32 hexadecimal digits.
pub(crate) fn parse_hex32(digest: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if digest.len() != out.len() {
        return None;
    }
    for (o, &b) in out.iter_mut().zip(digest) {
        *o = match b {
            b'0'..=b'9' | b'a'..=b'f' => b,
            b'A'..=b'F' => b | 0x20,
            _ => return None,
        };
    }
    Some(out)
}

/// The APOP digest: MD5 of `timestamp` (angle brackets included) followed by `secret`, as 32
/// lower-case hexadecimal ASCII digits (RFC 1939 §7).
///
/// `timestamp` is used as given; it is not validated (use [`greeting_timestamp`] to take it
/// from a greeting).
#[must_use]
pub fn apop_digest(timestamp: &[u8], secret: &[u8]) -> [u8; 32] {
    let mut md5 = Md5::new();
    md5.update(timestamp);
    md5.update(secret);
    hex32(&md5.finalize())
}

/// Checks an APOP digest received from a client against the expected one (RFC 1939 §7).
///
/// `digest` must be exactly 32 hexadecimal digits; RFC 1939 specifies lower case, but upper
/// case is accepted too (compared case-insensitively). The comparison of the digits runs in
/// constant time.
#[must_use]
pub fn verify_apop(timestamp: &[u8], secret: &[u8], digest: &[u8]) -> bool {
    let Some(received) = parse_hex32(digest) else {
        return false;
    };
    let expected = apop_digest(timestamp, secret);
    expected.ct_eq(&received).into()
}

fn is_id_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && b != b'<' && b != b'>'
}

/// Checks a whole candidate timestamp; returns the offset and rule of the first problem.
pub(crate) fn check_timestamp(ts: &[u8]) -> Result<(), (usize, &'static str)> {
    if ts.len() > TIMESTAMP_MAX {
        return Err((TIMESTAMP_MAX, "timestamp of at most 255 octets"));
    }
    let Some((&b'<', rest)) = ts.split_first() else {
        return Err((0, "\"<\""));
    };
    let Some(end) = rest.iter().position(|&b| !is_id_char(b)) else {
        return Err((ts.len(), "\">\""));
    };
    let inner = rest.get(..end).unwrap_or_default();
    if rest.get(end) != Some(&b'>') {
        return Err((end + 1, "id-char or \">\""));
    }
    if end + 2 != ts.len() {
        return Err((end + 2, "end of timestamp after \">\""));
    }
    match memchr::memrchr(b'@', inner) {
        None => Err((end + 1, "\"@\"")),
        Some(0) => Err((1, "id-char before \"@\"")),
        Some(at) if at + 1 == inner.len() => Err((end + 1, "id-char after \"@\"")),
        Some(_) => Ok(()),
    }
}

/// Finds the APOP timestamp in the text of a POP3 greeting (RFC 1939 §7): the first
/// `<...@...>` that is a valid timestamp (see the [module docs](self) for the syntax and
/// the 255-octet cap), angle brackets included.
///
/// Returns `None` when the greeting has none, in which case the server does not offer APOP.
/// Candidates with a space, CR, LF or other non-printable octet inside, without an `@`,
/// without the closing `>`, or longer than [`TIMESTAMP_MAX`] are skipped. The scan is linear
/// in the length of the text.
#[must_use]
pub fn greeting_timestamp(greeting_text: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    while let Some(found) = greeting_text
        .get(from..)
        .and_then(|rest| memchr::memchr(b'<', rest))
    {
        let start = from + found;
        let tail = greeting_text.get(start..)?;
        // The candidate ends at the first octet that cannot be inside a timestamp; at most
        // TIMESTAMP_MAX octets are examined for each "<".
        let window = tail.get(..TIMESTAMP_MAX).unwrap_or(tail);
        let inner_len = window
            .get(1..)
            .and_then(|w| w.iter().position(|&b| !is_id_char(b)))
            .unwrap_or(window.len().saturating_sub(1));
        let candidate = tail.get(..inner_len + 2).unwrap_or(tail);
        if check_timestamp(candidate).is_ok() {
            return Some(candidate);
        }
        from = start + 1;
    }
    None
}

/// Builds the timestamp `<unique@host>` for a greeting (RFC 1939 §7).
///
/// `unique` (for instance `"1896.697170952"`, process ID and clock) must be different for
/// every greeting; the caller supplies it. Both parts must be non-empty printable ASCII
/// without space, `<` or `>`, `host` also without `@`, and the result must not exceed
/// [`TIMESTAMP_MAX`] octets. Error offsets are relative to the start of the timestamp
/// being built (the `<` is offset 0).
///
/// ```
/// use mail_common::apop::{greeting_timestamp, make_timestamp};
///
/// let ts = make_timestamp("1896.697170952", "dbc.mtview.ca.us")?;
/// assert_eq!(ts, "<1896.697170952@dbc.mtview.ca.us>");
/// let greeting = format!("POP3 server ready {ts}");
/// assert_eq!(greeting_timestamp(greeting.as_bytes()), Some(ts.as_bytes()));
/// assert!(make_timestamp("1896 697170952", "dbc.mtview.ca.us").is_err());
/// # Ok::<(), mail_common::Error>(())
/// ```
pub fn make_timestamp(unique: &str, host: &str) -> Result<String, Error> {
    if unique.is_empty() {
        return Err(Error::Syntax {
            offset: 1,
            expected: "1*id-char before \"@\"",
        });
    }
    if let Some(i) = unique.bytes().position(|b| !is_id_char(b)) {
        return Err(Error::Syntax {
            offset: 1 + i,
            expected: "id-char (printable ASCII except \"<\" and \">\")",
        });
    }
    let host_start = 2 + unique.len();
    if host.is_empty() {
        return Err(Error::Syntax {
            offset: host_start,
            expected: "1*id-char after \"@\"",
        });
    }
    if let Some(i) = host.bytes().position(|b| !is_id_char(b) || b == b'@') {
        return Err(Error::Syntax {
            offset: host_start + i,
            expected: "host id-char (printable ASCII except \"<\", \">\" and \"@\")",
        });
    }
    let len = unique.len() + host.len() + 3;
    if len > TIMESTAMP_MAX {
        return Err(Error::LimitExceeded {
            what: "APOP timestamp",
            limit: TIMESTAMP_MAX,
        });
    }
    let mut ts = String::with_capacity(len);
    ts.push('<');
    ts.push_str(unique);
    ts.push('@');
    ts.push_str(host);
    ts.push('>');
    Ok(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let octets: [u8; 16] = core::array::from_fn(|i| (i as u8) * 17);
        let hex = hex32(&octets);
        assert_eq!(&hex, b"00112233445566778899aabbccddeeff");
        assert_eq!(parse_hex32(&hex), Some(hex));
        assert_eq!(parse_hex32(b"00112233445566778899AABBCCDDEEFF"), Some(hex));
        assert_eq!(parse_hex32(b"0011"), None);
        assert_eq!(parse_hex32(b"00112233445566778899aabbccddeefg"), None);
    }

    #[test]
    fn check_timestamp_reports_the_failing_rule() {
        assert_eq!(check_timestamp(b"<a@b>"), Ok(()));
        assert_eq!(check_timestamp(b"a@b>"), Err((0, "\"<\"")));
        assert_eq!(check_timestamp(b"<a@b"), Err((4, "\">\"")));
        assert_eq!(check_timestamp(b"<a b@c>").map_err(|e| e.0), Err(2));
        assert_eq!(check_timestamp(b"<a@b>x").map_err(|e| e.0), Err(5));
        assert_eq!(check_timestamp(b"<ab>"), Err((3, "\"@\"")));
        assert_eq!(check_timestamp(b"<@b>").map_err(|e| e.0), Err(1));
        assert_eq!(check_timestamp(b"<a@>").map_err(|e| e.0), Err(3));
    }
}
