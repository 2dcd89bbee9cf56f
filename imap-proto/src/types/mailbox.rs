//! Mailbox names (RFC 3501 §5.1, §5.1.3 and §9 `mailbox`, `list-mailbox`).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::core::{AString, IString, Quoted, is_inbox, is_list_char};
use crate::{Error, utf7};

/// `mailbox = "INBOX" / astring` (RFC 3501 §9). INBOX is case-insensitive and always
/// [`Mailbox::Inbox`]; any other name keeps its wire form (modified UTF-7, §5.1.3, or raw
/// UTF-8 once UTF8=ACCEPT is enabled, RFC 6855 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mailbox<'a> {
    /// INBOX, whatever its case on the wire.
    Inbox,
    /// Any other name, in its wire form.
    Other(AString<'a>),
}

impl<'a> Mailbox<'a> {
    /// From the wire form; `inbox` in any case becomes [`Mailbox::Inbox`].
    pub fn new(name: AString<'a>) -> Self {
        if is_inbox(name.as_bytes()) {
            Mailbox::Inbox
        } else {
            Mailbox::Other(name)
        }
    }

    /// From a Unicode name, encoded in modified UTF-7 (RFC 3501 §5.1.3).
    pub fn from_utf8(name: &str) -> Result<Mailbox<'static>, Error> {
        AString::new(utf7::encode(name).into_bytes()).map(Mailbox::new)
    }

    /// From a Unicode name sent as raw UTF-8 (only after `ENABLE UTF8=ACCEPT`, RFC 6855 §3).
    pub fn from_utf8_raw(name: &str) -> Result<Mailbox<'static>, Error> {
        if name.is_ascii() {
            return AString::new(String::from(name).into_bytes()).map(Mailbox::new);
        }
        Quoted::new_utf8(String::from(name))
            .map(|q| Mailbox::new(AString::String(IString::Quoted(q))))
    }

    /// From the segments of a hierarchical name, joined with `delimiter` (RFC 3501 §5.1.1).
    /// Each segment is encoded in modified UTF-7 and must not contain the delimiter.
    pub fn from_path(segments: &[&str], delimiter: char) -> Result<Mailbox<'static>, Error> {
        let mut joined = String::new();
        for (i, seg) in segments.iter().enumerate() {
            if seg.contains(delimiter) {
                return Err(Error::invalid("mailbox", "segment contains the delimiter"));
            }
            if i > 0 {
                joined.push(delimiter);
            }
            joined.push_str(seg);
        }
        Self::from_utf8(&joined)
    }

    /// The name on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(a) => a.as_bytes(),
        }
    }

    /// The Unicode name, decoding modified UTF-7 (strictly). A name with 8-bit octets can
    /// only be raw UTF-8 (UTF8=ACCEPT, RFC 6855 §3) and is returned as it is if valid.
    pub fn to_utf8(&self) -> Result<Cow<'_, str>, Error> {
        let raw = self.as_bytes();
        if !raw.is_ascii() {
            return core::str::from_utf8(raw)
                .map(Cow::Borrowed)
                .map_err(|_| Error::invalid("mailbox", "8-bit name that is not UTF-8"));
        }
        if !raw.contains(&b'&') {
            return Ok(Cow::Borrowed(core::str::from_utf8(raw).unwrap_or_default()));
        }
        utf7::decode(raw).map(Cow::Owned)
    }

    /// The Unicode segments of the name split at the hierarchy `delimiter`.
    pub fn to_path(&self, delimiter: char) -> Result<Vec<String>, Error> {
        Ok(self.to_utf8()?.split(delimiter).map(String::from).collect())
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Mailbox<'static> {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(a) => Mailbox::Other(a.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for Mailbox<'a> {
    type Error = Error;
    /// Takes `s` as the wire form (already modified UTF-7).
    fn try_from(s: &'a str) -> Result<Self, Error> {
        AString::new(s.as_bytes()).map(Mailbox::new)
    }
}

/// `list-mailbox = 1*list-char / string` (RFC 3501 §9): a LIST/LSUB pattern with `*` and
/// `%` wildcards.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListMailbox<'a> {
    /// The bare form (`1*list-char`).
    Token(Cow<'a, str>),
    /// A quoted string or a literal.
    String(IString<'a>),
}

impl<'a> ListMailbox<'a> {
    /// The bare form when possible, else a string.
    pub fn new(pattern: &'a str) -> Result<Self, Error> {
        if !pattern.is_empty() && pattern.bytes().all(is_list_char) {
            Ok(ListMailbox::Token(Cow::Borrowed(pattern)))
        } else {
            IString::new(pattern.as_bytes()).map(ListMailbox::String)
        }
    }

    /// The pattern's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ListMailbox::Token(t) => t.as_bytes(),
            ListMailbox::String(s) => s.as_bytes(),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> ListMailbox<'static> {
        match self {
            ListMailbox::Token(t) => ListMailbox::Token(Cow::Owned(t.into_owned())),
            ListMailbox::String(s) => ListMailbox::String(s.into_owned()),
        }
    }
}
