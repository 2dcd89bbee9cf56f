//! The response vocabulary of IMAP extensions: UIDPLUS (RFC 4315), CONDSTORE/QRESYNC
//! (RFC 7162), ESEARCH (RFC 4731), NAMESPACE (RFC 2342), SORT/THREAD (RFC 5256), QUOTA
//! (RFC 9208), METADATA (RFC 5464), LIST-EXTENDED (RFC 5258), BINARY (RFC 3516) and Gmail's
//! X-GM-EXT-1. The variants that use these types live in [`super::response`].

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::core::{AString, Atom, IString, Literal8, ModSeq, NString, Number64, Quoted, Vec1};
use super::mailbox::Mailbox;
use super::sequence::{SequenceSet, is_valid_sequence_set};
use crate::Error;

/// `uid-set = (uniqueid / uid-range) *("," uid-set)` (RFC 4315 §4): a sequence set of UIDs
/// without `*`, as in APPENDUID, COPYUID and VANISHED (`known-uids`, RFC 7162 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UidSet<'a>(pub(crate) Cow<'a, str>);

impl<'a> UidSet<'a> {
    /// Validates `s` (`1:4,7`, ranges in either order, no `*`).
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        if !s.contains('*') && is_valid_sequence_set(s.as_bytes()) {
            Ok(UidSet(s))
        } else {
            Err(Error::invalid(
                "uid-set",
                "not a set of UIDs and UID ranges",
            ))
        }
    }

    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same set as a [`SequenceSet`] (to iterate or test membership).
    pub fn as_sequence_set(&self) -> SequenceSet<'_> {
        SequenceSet(Cow::Borrowed(&self.0))
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> UidSet<'static> {
        UidSet(Cow::Owned(self.0.into_owned()))
    }
}

/// The METADATA response codes (RFC 5464 §4.2.1-§4.3): `"METADATA" SP ("LONGENTRIES" SP
/// number / "MAXSIZE" SP number / "TOOMANY" / "NOPRIVATE")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataCode {
    /// `LONGENTRIES n`: entries longer than the MAXSIZE option were left out.
    LongEntries(u32),
    /// `MAXSIZE n`: the value is larger than the server accepts.
    MaxSize(u32),
    /// `TOOMANY`: too many annotations.
    TooMany,
    /// `NOPRIVATE`: no private annotations on this server.
    NoPrivate,
}

/// `nstring / literal8` (RFC 3516 §4.3 BINARY data, RFC 5464 §5 `value`): a string, NIL, or
/// a literal8 (`~{n}`) whose octets may include NUL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NString8<'a> {
    /// `nstring`.
    NString(NString<'a>),
    /// `literal8 = "~{" number ["+"] "}" CRLF *OCTET`: any octets.
    Literal8(Literal8<'a>),
}

impl NString8<'_> {
    /// The octets (`None` for NIL).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            NString8::NString(n) => n.as_ref().map(IString::as_bytes),
            NString8::Literal8(l) => Some(l.data()),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> NString8<'static> {
        match self {
            NString8::NString(n) => NString8::NString(n.map(IString::into_owned)),
            NString8::Literal8(l) => NString8::Literal8(l.into_owned()),
        }
    }
}

/// One namespace of a NAMESPACE response (RFC 2342 §5): `"(" string SP (DQUOTE QUOTED_CHAR
/// DQUOTE / nil) *(Namespace_Response_Extension) ")"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDescr<'a> {
    /// The prefix (`""`, `"#shared/"`, `"Other Users/"`).
    pub prefix: IString<'a>,
    /// The hierarchy delimiter, `None` for NIL.
    pub delimiter: Option<u8>,
    /// `Namespace_Response_Extension = SP string SP "(" string *(SP string) ")"`.
    pub extensions: Vec<(IString<'a>, Vec1<IString<'a>>)>,
}

impl NamespaceDescr<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> NamespaceDescr<'static> {
        NamespaceDescr {
            prefix: self.prefix.into_owned(),
            delimiter: self.delimiter,
            extensions: self
                .extensions
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.map(IString::into_owned)))
                .collect(),
        }
    }
}

/// `Namespace = nil / "(" 1*(namespace) ")"` (RFC 2342 §5): `None` for NIL.
pub type Namespaces<'a> = Option<Vec1<NamespaceDescr<'a>>>;

pub(crate) fn namespaces_into_owned(n: Namespaces<'_>) -> Namespaces<'static> {
    n.map(|v| v.map(NamespaceDescr::into_owned))
}

/// `search-return-data` of an ESEARCH response (RFC 4731 §3.1, RFC 7162 §3.1.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchReturnData<'a> {
    /// `MIN nz-number`.
    Min(NonZeroU32),
    /// `MAX nz-number`.
    Max(NonZeroU32),
    /// `ALL sequence-set`.
    All(SequenceSet<'a>),
    /// `COUNT number`.
    Count(u32),
    /// `MODSEQ mod-sequence-value` (RFC 7162 §3.1.5).
    ModSeq(ModSeq),
    /// `search-ret-data-ext = search-modifier-name SP search-return-value`, kept as sent.
    Other {
        /// `search-modifier-name`.
        name: Atom<'a>,
        /// `search-return-value = tagged-ext-val`, raw.
        value: Cow<'a, [u8]>,
    },
}

impl SearchReturnData<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SearchReturnData<'static> {
        use SearchReturnData as S;
        match self {
            S::Min(n) => S::Min(n),
            S::Max(n) => S::Max(n),
            S::All(s) => S::All(s.into_owned()),
            S::Count(n) => S::Count(n),
            S::ModSeq(m) => S::ModSeq(m),
            S::Other { name, value } => S::Other {
                name: name.into_owned(),
                value: Cow::Owned(value.into_owned()),
            },
        }
    }
}

/// `esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)`
/// (RFC 4731 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Esearch<'a> {
    /// `search-correlator = SP "(" "TAG" SP tag-string ")"`: the command's tag.
    pub tag: Option<IString<'a>>,
    /// `UID`: the numbers are UIDs.
    pub uid: bool,
    /// The results.
    pub data: Vec<SearchReturnData<'a>>,
}

impl Esearch<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Esearch<'static> {
        Esearch {
            tag: self.tag.map(IString::into_owned),
            uid: self.uid,
            data: self
                .data
                .into_iter()
                .map(SearchReturnData::into_owned)
                .collect(),
        }
    }
}

/// `thread-list = "(" (thread-members / thread-nested) ")"` (RFC 5256 §5), with
/// `thread-members = nz-number *(SP nz-number) [SP thread-nested]` and `thread-nested =
/// 2*thread-list`. The constructor keeps the grammar's shape: either at least one member,
/// or at least two nested lists; never exactly one nested list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThreadList {
    members: Vec<NonZeroU32>,
    nested: Vec<ThreadList>,
}

impl ThreadList {
    /// A thread: the `members` in a chain (each the parent of the next), then the
    /// `nested` branches below the last one (none, or at least two).
    pub fn new(members: Vec<NonZeroU32>, nested: Vec<ThreadList>) -> Result<Self, Error> {
        if nested.len() == 1 || (members.is_empty() && nested.len() < 2) {
            return Err(Error::invalid(
                "thread-list",
                "needs a member or two nested lists, and never one nested list",
            ));
        }
        Ok(ThreadList { members, nested })
    }

    /// The messages in a chain (empty when the thread's root is missing).
    pub fn members(&self) -> &[NonZeroU32] {
        &self.members
    }

    /// The branches below the last member (none, or at least two).
    pub fn nested(&self) -> &[ThreadList] {
        &self.nested
    }
}

/// `quota-resource = resource-name SP resource-usage SP resource-limit` (RFC 9208 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaResource<'a> {
    /// `resource-name`: `STORAGE`, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or an
    /// extension, as sent.
    pub name: Atom<'a>,
    /// `resource-usage = number64`.
    pub usage: Number64,
    /// `resource-limit = number64`.
    pub limit: Number64,
}

impl QuotaResource<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> QuotaResource<'static> {
        QuotaResource {
            name: self.name.into_owned(),
            usage: self.usage,
            limit: self.limit,
        }
    }
}

/// The body of a METADATA response (RFC 5464 §4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataEntries<'a> {
    /// `entry-values = "(" entry-value *(SP entry-value) ")"`, `entry-value = entry SP
    /// value`: the answer to GETMETADATA.
    Values(Vec1<(AString<'a>, NString8<'a>)>),
    /// `entry-list = entry *(SP entry)`: an unsolicited change notice.
    Names(Vec1<AString<'a>>),
}

impl MetadataEntries<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> MetadataEntries<'static> {
        match self {
            MetadataEntries::Values(v) => {
                MetadataEntries::Values(v.map(|(e, x)| (e.into_owned(), x.into_owned())))
            }
            MetadataEntries::Names(v) => MetadataEntries::Names(v.map(AString::into_owned)),
        }
    }
}

/// `mbox-list-extended-item` of a LIST response (RFC 5258 §9, RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListExtendedItem<'a> {
    /// `"CHILDINFO" SP "(" list-select-base-opt-quoted *(SP ...) ")"` (RFC 5258 §9): why a
    /// non-matching parent is listed (`"SUBSCRIBED"`).
    ChildInfo(Vec1<Quoted<'a>>),
    /// `"OLDNAME" SP "(" mailbox ")"` (RFC 9051 §9): the name before a RENAME.
    OldName(Mailbox<'a>),
    /// `mbox-list-extended-item-tag SP tagged-ext-val`, any other item (or CHILDINFO and
    /// OLDNAME in another form than the grammar's), kept as sent.
    Other {
        /// The tag.
        tag: AString<'a>,
        /// `tagged-ext-val`, raw.
        value: Cow<'a, [u8]>,
    },
}

impl ListExtendedItem<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> ListExtendedItem<'static> {
        match self {
            ListExtendedItem::ChildInfo(v) => {
                ListExtendedItem::ChildInfo(v.map(Quoted::into_owned))
            }
            ListExtendedItem::OldName(m) => ListExtendedItem::OldName(m.into_owned()),
            ListExtendedItem::Other { tag, value } => ListExtendedItem::Other {
                tag: tag.into_owned(),
                value: Cow::Owned(value.into_owned()),
            },
        }
    }
}

/// One label of Gmail's `X-GM-LABELS` (X-GM-EXT-1): an astring or a flag-like `\Inbox`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GmLabel<'a> {
    /// `"\" atom`: a system label such as `\Inbox`, `\Sent`, `\Important` (without `\`).
    System(Atom<'a>),
    /// A user label.
    Name(AString<'a>),
}

impl GmLabel<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> GmLabel<'static> {
        match self {
            GmLabel::System(a) => GmLabel::System(a.into_owned()),
            GmLabel::Name(a) => GmLabel::Name(a.into_owned()),
        }
    }
}
