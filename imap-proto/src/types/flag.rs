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
        let b = name.as_bytes();
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
    /// Any other `\atom` (RFC 3348 `\HasChildren`, RFC 6154 `\Sent`, ...), kept as sent.
    Extension(Atom<'a>),
}

/// The known name attributes with their wire names (without `\`).
const NAME_ATTRIBUTES: [(NameAttribute<'static>, &str); 16] = [
    (NameAttribute::NoInferiors, "Noinferiors"),
    (NameAttribute::NoSelect, "Noselect"),
    (NameAttribute::Marked, "Marked"),
    (NameAttribute::Unmarked, "Unmarked"),
    (NameAttribute::NonExistent, "NonExistent"),
    (NameAttribute::Subscribed, "Subscribed"),
    (NameAttribute::Remote, "Remote"),
    (NameAttribute::HasChildren, "HasChildren"),
    (NameAttribute::HasNoChildren, "HasNoChildren"),
    (NameAttribute::All, "All"),
    (NameAttribute::Archive, "Archive"),
    (NameAttribute::Drafts, "Drafts"),
    (NameAttribute::Flagged, "Flagged"),
    (NameAttribute::Junk, "Junk"),
    (NameAttribute::Sent, "Sent"),
    (NameAttribute::Trash, "Trash"),
];

impl NameAttribute<'_> {
    pub(crate) fn from_name(name: &str) -> Option<NameAttribute<'static>> {
        NAME_ATTRIBUTES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(a, _)| a.clone())
    }

    /// The name without `\` (`Noselect`, `HasChildren`, `Sent`, or the extension's atom).
    pub fn name(&self) -> &str {
        match self {
            NameAttribute::Extension(a) => a.as_str(),
            known => NAME_ATTRIBUTES
                .iter()
                .find(|(a, _)| a == known)
                .map_or("", |(_, n)| n),
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
