//! The small validated values that commands and responses are made of.
//!
//! Each is a newtype whose constructor checks the grammar, so that a value that exists
//! can always be serialized to bytes the peer will parse back to the same value.

use alloc::borrow::Cow;
use core::fmt;
use core::num::NonZeroU32;

use crate::error::Error;

/// A message number: RFC 1939 §5, "message-number ... 1 for the first message".
pub type MessageNumber = NonZeroU32;

fn is_vchar(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// Whether `b` may appear in a POP3 parameter: `VCHAR` (RFC 2449 §3), or an octet of a
/// UTF-8 sequence (RFC 6856 §2.2 permits UTF-8 user names and passwords).
pub(crate) fn is_param_octet(b: u8) -> bool {
    is_vchar(b) || b >= 0x80
}

/// Whether `b` may appear in free text (anything but CR, LF and NUL).
pub(crate) fn is_text_octet(b: u8) -> bool {
    !matches!(b, b'\r' | b'\n' | 0)
}

fn base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Checks RFC 5034 §5 `base64` (or the empty string): groups of four base64 characters, with
/// `=` padding only at the very end. Returns the offset of the first bad octet on failure.
pub(crate) fn check_base64(s: &[u8]) -> Result<(), usize> {
    if s.len() % 4 != 0 {
        // Point at the incomplete final group.
        return Err(s.len() - s.len() % 4);
    }
    let pad_from = s.len() - s.iter().rev().take(2).take_while(|&&b| b == b'=').count();
    for (i, &b) in s.iter().enumerate() {
        if i < pad_from && !base64_char(b) {
            return Err(i);
        }
    }
    // "==" needs two data characters in its group, "=" three: both hold since the group
    // is four long and at most two are padding.
    Ok(())
}

fn utf8(bytes: &[u8]) -> Option<&str> {
    core::str::from_utf8(bytes).ok()
}

/// A command parameter: RFC 2449 §3 `param = 1*VCHAR` (UTF-8 allowed, RFC 6856 §2.2).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Param<'a>(Cow<'a, str>);

impl<'a> Param<'a> {
    /// Validates a parameter.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it is empty or holds a space, a control character or
    /// invalid UTF-8.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        if s.is_empty() || !s.bytes().all(is_param_octet) {
            return Err(Error::InvalidValue { what: "param" });
        }
        Ok(Param(s))
    }

    pub(crate) fn from_bytes(b: &'a [u8]) -> Option<Self> {
        if b.is_empty() || !b.iter().all(|&c| is_param_octet(c)) {
            return None;
        }
        utf8(b).map(|s| Param(Cow::Borrowed(s)))
    }

    /// The parameter's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> Param<'static> {
        Param(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Param<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Param<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The argument of `PASS`: the rest of the line, spaces included (RFC 1939 §7: "the
/// server may treat spaces in the argument as part of the password"). Its `Debug` does
/// not show it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password<'a>(Cow<'a, [u8]>);

impl<'a> Password<'a> {
    /// Validates a password: at least one octet, no CR, LF or NUL.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] otherwise.
    pub fn new(b: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        let b = b.into();
        if b.is_empty() || !b.iter().all(|&c| is_text_octet(c)) {
            return Err(Error::InvalidValue { what: "password" });
        }
        Ok(Password(b))
    }

    /// A borrowed view.
    pub fn borrowed(&self) -> Password<'_> {
        Password(Cow::Borrowed(&self.0))
    }

    /// The password's octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> Password<'static> {
        Password(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Password<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Free text on a response line (anything but CR, LF and NUL; kept as octets because
/// servers send Latin-1 banners, and UTF-8 after `UTF8` / `LANG`, RFC 6856).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text<'a>(Cow<'a, [u8]>);

impl<'a> Text<'a> {
    /// Validates text: no CR, LF or NUL.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] otherwise.
    pub fn new(b: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        let b = b.into();
        if !b.iter().all(|&c| is_text_octet(c)) {
            return Err(Error::InvalidValue { what: "text" });
        }
        Ok(Text(b))
    }

    /// The empty text.
    pub const fn empty() -> Self {
        Text(Cow::Borrowed(&[]))
    }

    pub(crate) fn borrowed(b: &'a [u8]) -> Self {
        Text(Cow::Borrowed(b))
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text as UTF-8, if it is.
    pub fn as_str(&self) -> Option<&str> {
        utf8(&self.0)
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An owned copy.
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match utf8(&self.0) {
            Some(s) => write!(f, "{s:?}"),
            None => write!(f, "{:?}", &self.0),
        }
    }
}

/// The APOP digest: exactly 32 hexadecimal digits (RFC 1939 §7, the MD5 of the timestamp
/// and the shared secret), kept as sent.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApopDigest([u8; 32]);

impl ApopDigest {
    /// Validates a digest: exactly 32 hex digits.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] otherwise.
    pub fn new(b: &[u8]) -> Result<Self, Error> {
        match <[u8; 32]>::try_from(b) {
            Ok(d) if d.iter().all(u8::is_ascii_hexdigit) => Ok(ApopDigest(d)),
            _ => Err(Error::InvalidValue {
                what: "apop digest (32 hex digits)",
            }),
        }
    }

    /// The 32 hex digits.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digits as a string.
    pub fn as_str(&self) -> &str {
        // Hex digits are ASCII, so this never fails.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApopDigest({})", self.as_str())
    }
}

/// Base64 text as it appears on the wire in an SASL exchange (RFC 5034 §5 `base64`, or
/// empty): groups of four characters of `A-Z a-z 0-9 + /`, `=` padding only at the end.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64<'a>(Cow<'a, str>);

impl<'a> Base64<'a> {
    /// Validates base64 text (the empty string is allowed).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it is not RFC 5034 base64.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        check_base64(s.as_bytes()).map_err(|_| Error::InvalidValue { what: "base64" })?;
        Ok(Base64(s))
    }

    pub(crate) fn from_bytes(b: &'a [u8]) -> Result<Self, usize> {
        check_base64(b)?;
        utf8(b).map(|s| Base64(Cow::Borrowed(s))).ok_or(0)
    }

    /// Encodes raw bytes.
    pub fn encode(data: &[u8]) -> Base64<'static> {
        use base64::Engine as _;
        Base64(Cow::Owned(
            base64::engine::general_purpose::STANDARD.encode(data),
        ))
    }

    /// Decodes to raw bytes.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if the final group has non-zero padding bits.
    pub fn decode(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(self.0.as_bytes())
            .map_err(|_| Error::InvalidValue { what: "base64" })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An owned copy.
    pub fn into_owned(self) -> Base64<'static> {
        Base64(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Base64<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({:?})", self.0)
    }
}

/// A SASL mechanism name: RFC 4422 §3.1 `sasl-mech = 1*20mech-char`, `mech-char = UPPER-ALPHA
/// / DIGIT / "-" / "_"` (accepted in any case, RFC 5034 §5; kept as sent).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mechanism<'a>(Cow<'a, str>);

impl<'a> Mechanism<'a> {
    /// `PLAIN` (RFC 4616).
    pub const PLAIN: Mechanism<'static> = Mechanism(Cow::Borrowed("PLAIN"));
    /// `LOGIN` (draft-murchison-sasl-login).
    pub const LOGIN: Mechanism<'static> = Mechanism(Cow::Borrowed("LOGIN"));
    /// `CRAM-MD5` (RFC 2195).
    pub const CRAM_MD5: Mechanism<'static> = Mechanism(Cow::Borrowed("CRAM-MD5"));
    /// `XOAUTH2`.
    pub const XOAUTH2: Mechanism<'static> = Mechanism(Cow::Borrowed("XOAUTH2"));
    /// `OAUTHBEARER` (RFC 7628).
    pub const OAUTHBEARER: Mechanism<'static> = Mechanism(Cow::Borrowed("OAUTHBEARER"));
    /// `EXTERNAL` (RFC 4422 appendix A).
    pub const EXTERNAL: Mechanism<'static> = Mechanism(Cow::Borrowed("EXTERNAL"));

    /// Validates a mechanism name.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it is not 1 to 20 of `A-Z a-z 0-9 - _`.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        if Self::valid(s.as_bytes()) {
            Ok(Mechanism(s))
        } else {
            Err(Error::InvalidValue { what: "sasl-mech" })
        }
    }

    fn valid(b: &[u8]) -> bool {
        (1..=20).contains(&b.len())
            && b.iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    }

    pub(crate) fn from_bytes(b: &'a [u8]) -> Option<Self> {
        if Self::valid(b) {
            utf8(b).map(|s| Mechanism(Cow::Borrowed(s)))
        } else {
            None
        }
    }

    /// The name as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case-insensitive comparison with another name.
    pub fn is(&self, other: &Mechanism<'_>) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }

    /// Whether the mechanism sends a reusable secret (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER):
    /// those need an encrypted transport (RFC 5034 §4, RFC 4616 §6).
    pub fn is_plaintext(&self) -> bool {
        [Self::PLAIN, Self::LOGIN, Self::XOAUTH2, Self::OAUTHBEARER]
            .iter()
            .any(|m| self.is(m))
    }

    /// An owned copy.
    pub fn into_owned(self) -> Mechanism<'static> {
        Mechanism(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Mechanism<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mechanism({})", self.0)
    }
}

/// A unique-id: RFC 1939 §7 UIDL, "1 to 70 characters in the range 0x21 to 0x7E".
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueId<'a>(Cow<'a, str>);

impl<'a> UniqueId<'a> {
    /// Validates a unique-id.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it is not 1 to 70 octets of 0x21 to 0x7E.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        if Self::valid(s.as_bytes()) {
            Ok(UniqueId(s))
        } else {
            Err(Error::InvalidValue { what: "unique-id" })
        }
    }

    fn valid(b: &[u8]) -> bool {
        (1..=70).contains(&b.len()) && b.iter().all(|&c| is_vchar(c))
    }

    pub(crate) fn from_bytes(b: &'a [u8]) -> Option<Self> {
        if Self::valid(b) {
            utf8(b).map(|s| UniqueId(Cow::Borrowed(s)))
        } else {
            None
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> UniqueId<'static> {
        UniqueId(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for UniqueId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UniqueId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rules_of_rfc_5034() {
        assert!(check_base64(b"").is_ok());
        assert!(check_base64(b"dGVzdAB0ZXN0AHRlc3Q=").is_ok());
        assert!(check_base64(b"AA==").is_ok());
        assert_eq!(check_base64(b"=AAA"), Err(0));
        assert_eq!(check_base64(b"AAA=BBBB"), Err(3));
        assert_eq!(check_base64(b"AAAAA"), Err(4));
        assert_eq!(check_base64(b"A===",), Err(1));
    }

    #[test]
    fn digest_is_exactly_32_hex_digits() {
        assert!(ApopDigest::new(b"c4c9334bac560ecc979e58001b3e22fb").is_ok());
        assert!(ApopDigest::new(b"c4c9334bac560ecc979e58001b3e22f").is_err());
        assert!(ApopDigest::new(b"c4c9334bac560ecc979e58001b3e22fbb").is_err());
        assert!(ApopDigest::new(b"g4c9334bac560ecc979e58001b3e22fb").is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::new(&b"hunter2"[..]).unwrap();
        assert_eq!(alloc::format!("{p:?}"), "Password(***)");
    }
}
