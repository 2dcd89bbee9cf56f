//! Flags (RFC 3501 §2.3.2, §9 `flag`, `flag-fetch`, `flag-perm`, `mbx-list-flags`).

use super::core::{Atom, is_atom_char};
use crate::Error;
use alloc::borrow::Cow;

/// An extension flag name `\atom` other than the system flags (the atom without the `\`).
/// Its constructor refuses the names of the system flags so every flag has one form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlagExtension<'a>(pub(crate) Cow<'a, str>);

const SYSTEM: [&str; 7] = [
    "Answered", "Flagged", "Deleted", "Seen", "Draft", "Recent", "*",
];

impl<'a> FlagExtension<'a> {
    /// Validates `name` (an atom, not a system flag name).
    pub fn new(name: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let name = name.into();
        if name.is_empty() || !name.bytes().all(is_atom_char) {
            return Err(Error::invalid("flag-extension", "not an atom"));
        }
        if SYSTEM.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
            return Err(Error::invalid("flag-extension", "a system flag"));
        }
        Ok(FlagExtension(name))
    }

    /// The name without `\`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> FlagExtension<'static> {
        FlagExtension(Cow::Owned(self.0.into_owned()))
    }
}

/// A message flag (RFC 3501 §2.3.2). One type for the three contexts of the grammar:
/// `flag` (STORE, APPEND, FLAGS), `flag-fetch` (adds `\Recent`) and `flag-perm` (adds
/// `\*`); each parser accepts only its context's variants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Flag<'a> {
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Seen`.
    Seen,
    /// `\Draft`.
    Draft,
    /// `\Recent` (only in `flag-fetch`).
    Recent,
    /// `\*` (only in `flag-perm`: new keywords may be created).
    Wildcard,
    /// `\atom`: a future system flag.
    Extension(FlagExtension<'a>),
    /// `atom`: a keyword such as `$Forwarded`.
    Keyword(Atom<'a>),
}

impl<'a> Flag<'a> {
    /// A keyword flag.
    pub fn keyword(name: &'a str) -> Result<Self, Error> {
        Atom::new(name).map(Flag::Keyword)
    }

    /// `\name`, mapping the system flags (case-insensitively) to their variants.
    pub fn system(name: &'a str) -> Result<Self, Error> {
        match Self::from_system_name(name) {
            Some(f) => Ok(f),
            None => FlagExtension::new(name).map(Flag::Extension),
        }
    }

    pub(crate) fn from_system_name(name: &str) -> Option<Flag<'static>> {
        Self::from_system_octets(name.as_bytes())
    }

    /// [`Flag::from_system_name`] of the name's octets (the parser matches them before it
    /// builds a `&str`, issue 9).
    pub(crate) fn from_system_octets(b: &[u8]) -> Option<Flag<'static>> {
        Some(if b.eq_ignore_ascii_case(b"Answered") {
            Flag::Answered
        } else if b.eq_ignore_ascii_case(b"Flagged") {
            Flag::Flagged
        } else if b.eq_ignore_ascii_case(b"Deleted") {
            Flag::Deleted
        } else if b.eq_ignore_ascii_case(b"Seen") {
            Flag::Seen
        } else if b.eq_ignore_ascii_case(b"Draft") {
            Flag::Draft
        } else if b.eq_ignore_ascii_case(b"Recent") {
            Flag::Recent
        } else if b == b"*" {
            Flag::Wildcard
        } else {
            return None;
        })
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Flag<'static> {
        match self {
            Flag::Answered => Flag::Answered,
            Flag::Flagged => Flag::Flagged,
            Flag::Deleted => Flag::Deleted,
            Flag::Seen => Flag::Seen,
            Flag::Draft => Flag::Draft,
            Flag::Recent => Flag::Recent,
            Flag::Wildcard => Flag::Wildcard,
            Flag::Extension(e) => Flag::Extension(e.into_owned()),
            Flag::Keyword(k) => Flag::Keyword(k.into_owned()),
        }
    }
}

/// A mailbox name attribute of a LIST/LSUB response (RFC 3501 §7.2.2 `mbx-list-flags`),
/// with those of CHILDREN (RFC 3348), LIST-EXTENDED (RFC 5258) and SPECIAL-USE (RFC 6154).
///
/// Names compare case-insensitively; the decoder maps every known name to its variant, so
/// [`NameAttribute::Extension`] only holds unknown ones (an `Extension` built with a known
/// name decodes as that name's variant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameAttribute<'a> {
    /// `\Noinferiors`.
    NoInferiors,
    /// `\Noselect`.
    NoSelect,
    /// `\Marked`.
    Marked,
    /// `\Unmarked`.
    Unmarked,
    /// `\NonExistent` (RFC 5258 §3): the name does not exist (implies `\Noselect`).
    NonExistent,
    /// `\Subscribed` (RFC 5258 §3).
    Subscribed,
    /// `\Remote` (RFC 5258 §3): a mailbox on another server.
    Remote,
    /// `\HasChildren` (RFC 3348 §4, RFC 5258 §4).
    HasChildren,
    /// `\HasNoChildren` (RFC 3348 §4, RFC 5258 §4).
    HasNoChildren,
    /// `\All` (RFC 6154 §2): every message.
    All,
    /// `\Archive` (RFC 6154 §2).
    Archive,
    /// `\Drafts` (RFC 6154 §2).
    Drafts,
    /// `\Flagged` (RFC 6154 §2): the flagged messages.
    Flagged,
    /// `\Junk` (RFC 6154 §2).
    Junk,
    /// `\Sent` (RFC 6154 §2).
    Sent,
    /// `\Trash` (RFC 6154 §2).
    Trash,
    /// Any other `\atom`, kept as sent.
    Extension(Atom<'a>),
}

impl NameAttribute<'_> {
    /// The known attribute named `name` (case-insensitive). The spellings servers send are
    /// matched exactly first: LIST responses are hot.
    #[inline]
    pub(crate) fn from_name(name: &str) -> Option<NameAttribute<'static>> {
        use NameAttribute as N;
        Some(match name.as_bytes() {
            b"HasNoChildren" => N::HasNoChildren,
            b"HasChildren" => N::HasChildren,
            b"Noselect" | b"NoSelect" => N::NoSelect,
            b"Noinferiors" | b"NoInferiors" => N::NoInferiors,
            b"Marked" => N::Marked,
            b"Unmarked" => N::Unmarked,
            b"Subscribed" => N::Subscribed,
            b"NonExistent" => N::NonExistent,
            b"Remote" => N::Remote,
            b"All" => N::All,
            b"Archive" => N::Archive,
            b"Drafts" => N::Drafts,
            b"Flagged" => N::Flagged,
            b"Junk" => N::Junk,
            b"Sent" => N::Sent,
            b"Trash" => N::Trash,
            other => return Self::from_name_any_case(other),
        })
    }

    /// [`from_name`](Self::from_name) for other spellings, found by length first.
    fn from_name_any_case(b: &[u8]) -> Option<NameAttribute<'static>> {
        use NameAttribute as N;
        let is = |s: &str| b.eq_ignore_ascii_case(s.as_bytes());
        Some(match b.len() {
            3 if is("All") => N::All,
            4 if is("Sent") => N::Sent,
            4 if is("Junk") => N::Junk,
            5 if is("Trash") => N::Trash,
            6 if is("Marked") => N::Marked,
            6 if is("Remote") => N::Remote,
            6 if is("Drafts") => N::Drafts,
            7 if is("Archive") => N::Archive,
            7 if is("Flagged") => N::Flagged,
            8 if is("Noselect") => N::NoSelect,
            8 if is("Unmarked") => N::Unmarked,
            10 if is("Subscribed") => N::Subscribed,
            11 if is("Noinferiors") => N::NoInferiors,
            11 if is("HasChildren") => N::HasChildren,
            11 if is("NonExistent") => N::NonExistent,
            13 if is("HasNoChildren") => N::HasNoChildren,
            _ => return None,
        })
    }

    /// The name without `\` (`Noselect`, `HasChildren`, `Sent`, or the extension's atom).
    pub fn name(&self) -> &str {
        use NameAttribute as N;
        match self {
            N::NoInferiors => "Noinferiors",
            N::NoSelect => "Noselect",
            N::Marked => "Marked",
            N::Unmarked => "Unmarked",
            N::NonExistent => "NonExistent",
            N::Subscribed => "Subscribed",
            N::Remote => "Remote",
            N::HasChildren => "HasChildren",
            N::HasNoChildren => "HasNoChildren",
            N::All => "All",
            N::Archive => "Archive",
            N::Drafts => "Drafts",
            N::Flagged => "Flagged",
            N::Junk => "Junk",
            N::Sent => "Sent",
            N::Trash => "Trash",
            N::Extension(a) => a.as_str(),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> NameAttribute<'static> {
        match self {
            NameAttribute::Extension(a) => NameAttribute::Extension(a.into_owned()),
            NameAttribute::NoInferiors => NameAttribute::NoInferiors,
            NameAttribute::NoSelect => NameAttribute::NoSelect,
            NameAttribute::Marked => NameAttribute::Marked,
            NameAttribute::Unmarked => NameAttribute::Unmarked,
            NameAttribute::NonExistent => NameAttribute::NonExistent,
            NameAttribute::Subscribed => NameAttribute::Subscribed,
            NameAttribute::Remote => NameAttribute::Remote,
            NameAttribute::HasChildren => NameAttribute::HasChildren,
            NameAttribute::HasNoChildren => NameAttribute::HasNoChildren,
            NameAttribute::All => NameAttribute::All,
            NameAttribute::Archive => NameAttribute::Archive,
            NameAttribute::Drafts => NameAttribute::Drafts,
            NameAttribute::Flagged => NameAttribute::Flagged,
            NameAttribute::Junk => NameAttribute::Junk,
            NameAttribute::Sent => NameAttribute::Sent,
            NameAttribute::Trash => NameAttribute::Trash,
        }
    }
}
