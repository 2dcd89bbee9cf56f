//! The vocabulary of extension commands: the RFC 4466 extension points (select, fetch,
//! store, search, create parameters) and the values of CONDSTORE/QRESYNC (RFC 7162),
//! ESEARCH (RFC 4731), LIST-EXTENDED (RFC 5258, RFC 5819, RFC 6154), MULTIAPPEND and
//! BINARY (RFC 3502, RFC 3516), SORT/THREAD (RFC 5256), QUOTA (RFC 9208), METADATA
//! (RFC 5464) and Gmail's X-GM-EXT-1.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::command::StatusAttribute;
use super::core::{
    Atom, Literal, Literal8, ModSeq, NString, Number64, Quoted, Vec1, nstring_into_owned,
};
use super::datetime::DateTime;
use super::flag::Flag;
use super::resp_ext::GmLabel;
use super::sequence::SequenceSet;
use crate::Error;

/// `tagged-ext-val` (RFC 4466 §2.1), kept in its validated wire form: a number, a
/// sequence set, or a parenthesized list of astrings and lists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaggedExtVal<'a>(pub(crate) Cow<'a, [u8]>);

impl<'a> TaggedExtVal<'a> {
    /// Validates a wire form such as `42`, `1:4,7` or `(a "b c" (d))`.
    pub fn new(raw: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        let raw = raw.into();
        if crate::parse::ext_command::is_tagged_ext_val(&raw) {
            Ok(TaggedExtVal(raw))
        } else {
            Err(Error::invalid("tagged-ext-val", "not a tagged-ext-val"))
        }
    }

    /// The wire form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> TaggedExtVal<'static> {
        TaggedExtVal(Cow::Owned(self.0.into_owned()))
    }
}

/// An extension parameter this crate does not model: `tagged-ext-label [SP
/// tagged-ext-val]` (RFC 4466 §2.1: `select-param`, `fetch-modifier`, `store-modifier`,
/// `create-param`, `search-return-opt`, LIST options...), kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaggedExt<'a> {
    /// `tagged-ext-label`.
    pub name: Atom<'a>,
    /// The value, if any.
    pub value: Option<TaggedExtVal<'a>>,
}

impl TaggedExt<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> TaggedExt<'static> {
        TaggedExt {
            name: self.name.into_owned(),
            value: self.value.map(TaggedExtVal::into_owned),
        }
    }
}

/// One item, or a parenthesized list of them, keeping the form used (LIST patterns, RFC
/// 5258 §3; GETMETADATA entries, RFC 5464 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OneOrList<T> {
    /// A bare item.
    One(T),
    /// `"(" item *(SP item) ")"`.
    List(Vec1<T>),
}

impl<T> OneOrList<T> {
    /// The items.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrList::One(t) => core::slice::from_ref(t),
            OneOrList::List(v) => v.as_slice(),
        }
    }

    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> OneOrList<U> {
        let mut f = f;
        match self {
            OneOrList::One(t) => OneOrList::One(f(t)),
            OneOrList::List(v) => OneOrList::List(v.map(f)),
        }
    }
}

/// `select-param` (RFC 4466 §2.1) of SELECT and EXAMINE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SelectParam<'a> {
    /// `CONDSTORE` (RFC 7162 §3.1.8): a CONDSTORE enabling command.
    Condstore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])` (RFC 7162 §3.2.5).
    Qresync(Qresync<'a>),
    /// Any other parameter.
    Other(TaggedExt<'a>),
}

/// The QRESYNC select parameter (RFC 7162 §3.2.5, §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Qresync<'a> {
    /// The mailbox's last known UIDVALIDITY.
    pub uidvalidity: NonZeroU32,
    /// The last known mod-sequence (`mod-sequence-value`).
    pub modseq: ModSeq,
    /// `known-uids`: the UIDs the client knows.
    pub known_uids: Option<SequenceSet<'a>>,
    /// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"`.
    pub seq_match: Option<(SequenceSet<'a>, SequenceSet<'a>)>,
}

impl SelectParam<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SelectParam<'static> {
        match self {
            SelectParam::Condstore => SelectParam::Condstore,
            SelectParam::Qresync(q) => SelectParam::Qresync(Qresync {
                uidvalidity: q.uidvalidity,
                modseq: q.modseq,
                known_uids: q.known_uids.map(SequenceSet::into_owned),
                seq_match: q.seq_match.map(|(a, b)| (a.into_owned(), b.into_owned())),
            }),
            SelectParam::Other(t) => SelectParam::Other(t.into_owned()),
        }
    }
}

/// `fetch-modifier` (RFC 4466 §2.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchModifier<'a> {
    /// `CHANGEDSINCE mod-sequence-value` (RFC 7162 §3.1.4.1).
    ChangedSince(ModSeq),
    /// `VANISHED` (RFC 7162 §3.2.6): UID FETCH only, once QRESYNC is enabled.
    Vanished,
    /// Any other modifier.
    Other(TaggedExt<'a>),
}

impl FetchModifier<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> FetchModifier<'static> {
        match self {
            FetchModifier::ChangedSince(n) => FetchModifier::ChangedSince(n),
            FetchModifier::Vanished => FetchModifier::Vanished,
            FetchModifier::Other(t) => FetchModifier::Other(t.into_owned()),
        }
    }
}

/// `store-modifier` (RFC 4466 §2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreModifier<'a> {
    /// `UNCHANGEDSINCE mod-sequence-valzer` (RFC 7162 §3.1.3); `None` is `0`.
    UnchangedSince(Option<ModSeq>),
    /// Any other modifier.
    Other(TaggedExt<'a>),
}

impl StoreModifier<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> StoreModifier<'static> {
        match self {
            StoreModifier::UnchangedSince(n) => StoreModifier::UnchangedSince(n),
            StoreModifier::Other(t) => StoreModifier::Other(t.into_owned()),
        }
    }
}

/// What an extended STORE changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreAttribute<'a> {
    /// `[+/-]FLAGS[.SILENT]` (RFC 3501 §6.4.6).
    Flags(super::command::StoreFlags<'a>),
    /// `[+/-]X-GM-LABELS[.SILENT] (label ...)` (Gmail X-GM-EXT-1), always written as a
    /// list.
    GmLabels(Vec<GmLabel<'a>>),
}

impl StoreAttribute<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> StoreAttribute<'static> {
        match self {
            StoreAttribute::Flags(f) => StoreAttribute::Flags(f.into_owned()),
            StoreAttribute::GmLabels(v) => {
                StoreAttribute::GmLabels(v.into_iter().map(GmLabel::into_owned).collect())
            }
        }
    }
}

/// `search-return-opt` (RFC 4731 §3, RFC 5182 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchReturnOption<'a> {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (SEARCHRES, RFC 5182): keep the result for `$`.
    Save,
    /// Any other option.
    Other(TaggedExt<'a>),
}

impl SearchReturnOption<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SearchReturnOption<'static> {
        use SearchReturnOption as S;
        match self {
            S::Min => S::Min,
            S::Max => S::Max,
            S::All => S::All,
            S::Count => S::Count,
            S::Save => S::Save,
            S::Other(t) => S::Other(t.into_owned()),
        }
    }
}

/// `list-select-opt` (RFC 5258 §3.1, RFC 6154 §5.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListSelectOption<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// Any other option.
    Other(TaggedExt<'a>),
}

impl ListSelectOption<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> ListSelectOption<'static> {
        use ListSelectOption as L;
        match self {
            L::Subscribed => L::Subscribed,
            L::Remote => L::Remote,
            L::RecursiveMatch => L::RecursiveMatch,
            L::SpecialUse => L::SpecialUse,
            L::Other(t) => L::Other(t.into_owned()),
        }
    }
}

/// `return-option` of LIST (RFC 5258 §3.2, RFC 5819 §2, RFC 6154 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListReturnOption<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `CHILDREN`.
    Children,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// `STATUS (status-att ...)` (LIST-STATUS, RFC 5819).
    Status(Vec1<StatusAttribute>),
    /// Any other option.
    Other(TaggedExt<'a>),
}

impl ListReturnOption<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> ListReturnOption<'static> {
        use ListReturnOption as L;
        match self {
            L::Subscribed => L::Subscribed,
            L::Children => L::Children,
            L::SpecialUse => L::SpecialUse,
            L::Status(s) => L::Status(s),
            L::Other(t) => L::Other(t.into_owned()),
        }
    }
}

/// `create-param` (RFC 4466 §2.2, RFC 6154 §5.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CreateParam<'a> {
    /// `USE (use-attr ...)`: the special uses of the new mailbox, names without the
    /// backslash (`Sent` for `\Sent`).
    Use(Vec<Atom<'a>>),
    /// Any other parameter.
    Other(TaggedExt<'a>),
}

impl CreateParam<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> CreateParam<'static> {
        match self {
            CreateParam::Use(v) => CreateParam::Use(v.into_iter().map(Atom::into_owned).collect()),
            CreateParam::Other(t) => CreateParam::Other(t.into_owned()),
        }
    }
}

/// What an APPEND message carries: `append-data = literal / literal8` (RFC 4466 §2.2)
/// `/ utf8-literal` (RFC 6855 §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AppendData<'a> {
    /// `literal`.
    Literal(Literal<'a>),
    /// `literal8` (BINARY, RFC 3516 §4.3): may hold NUL octets.
    Binary(Literal8<'a>),
    /// `utf8-literal = "UTF8" SP "(" literal8 ")"` (RFC 6855 §4): a message with UTF-8
    /// header fields, once UTF8=ACCEPT is enabled.
    Utf8(Literal8<'a>),
}

impl AppendData<'_> {
    /// The message.
    pub fn data(&self) -> &[u8] {
        match self {
            AppendData::Literal(l) => l.data(),
            AppendData::Binary(l) | AppendData::Utf8(l) => l.data(),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> AppendData<'static> {
        match self {
            AppendData::Literal(l) => AppendData::Literal(l.into_owned()),
            AppendData::Binary(l) => AppendData::Binary(l.into_owned()),
            AppendData::Utf8(l) => AppendData::Utf8(l.into_owned()),
        }
    }
}

/// `append-message = append-opts SP append-data` (RFC 4466 §2.2, RFC 3502 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage<'a> {
    /// The flags; `Some(empty)` is `()`.
    pub flags: Option<Vec<Flag<'a>>>,
    /// The internal date.
    pub date: Option<DateTime>,
    /// The message.
    pub data: AppendData<'a>,
}

impl AppendMessage<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> AppendMessage<'static> {
        AppendMessage {
            flags: self
                .flags
                .map(|f| f.into_iter().map(Flag::into_owned).collect()),
            date: self.date,
            data: self.data.into_owned(),
        }
    }
}

/// `sort-key` (RFC 5256 §5; DISPLAYFROM and DISPLAYTO, RFC 5957).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortKey<'a> {
    /// `ARRIVAL`.
    Arrival,
    /// `CC`.
    Cc,
    /// `DATE`.
    Date,
    /// `FROM`.
    From,
    /// `SIZE`.
    Size,
    /// `SUBJECT`.
    Subject,
    /// `TO`.
    To,
    /// `DISPLAYFROM` (RFC 5957).
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957).
    DisplayTo,
    /// Any other key.
    Other(Atom<'a>),
}

/// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortCriterion<'a> {
    /// `REVERSE`.
    pub reverse: bool,
    /// The key.
    pub key: SortKey<'a>,
}

impl SortCriterion<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SortCriterion<'static> {
        use SortKey as K;
        let key = match self.key {
            K::Arrival => K::Arrival,
            K::Cc => K::Cc,
            K::Date => K::Date,
            K::From => K::From,
            K::Size => K::Size,
            K::Subject => K::Subject,
            K::To => K::To,
            K::DisplayFrom => K::DisplayFrom,
            K::DisplayTo => K::DisplayTo,
            K::Other(a) => K::Other(a.into_owned()),
        };
        SortCriterion {
            reverse: self.reverse,
            key,
        }
    }
}

/// `thread-alg` (RFC 5256 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadAlgorithm<'a> {
    /// `ORDEREDSUBJECT`.
    OrderedSubject,
    /// `REFERENCES`.
    References,
    /// `thread-alg-ext = atom`.
    Other(Atom<'a>),
}

impl ThreadAlgorithm<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> ThreadAlgorithm<'static> {
        match self {
            ThreadAlgorithm::OrderedSubject => ThreadAlgorithm::OrderedSubject,
            ThreadAlgorithm::References => ThreadAlgorithm::References,
            ThreadAlgorithm::Other(a) => ThreadAlgorithm::Other(a.into_owned()),
        }
    }
}

/// `setquota-resource = resource-name SP resource-limit` (RFC 9208 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaLimit<'a> {
    /// `resource-name`: `STORAGE`, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or another
    /// atom.
    pub resource: Atom<'a>,
    /// `resource-limit = number64`.
    pub limit: Number64,
}

/// `scope-opt` depth (RFC 5464 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataDepth {
    /// `0`: the entry only.
    Zero,
    /// `1`: the entry and its children.
    One,
    /// `infinity`: the whole subtree.
    Infinity,
}

/// `getmetadata-option` (RFC 5464 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetadataOption<'a> {
    /// `MAXSIZE number`.
    MaxSize(u32),
    /// `DEPTH ("0" / "1" / "infinity")`.
    Depth(MetadataDepth),
    /// Any other option.
    Other(TaggedExt<'a>),
}

impl MetadataOption<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> MetadataOption<'static> {
        match self {
            MetadataOption::MaxSize(n) => MetadataOption::MaxSize(n),
            MetadataOption::Depth(d) => MetadataOption::Depth(d),
            MetadataOption::Other(t) => MetadataOption::Other(t.into_owned()),
        }
    }
}

/// `value = nstring / literal8` of SETMETADATA (RFC 5464 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetadataValue<'a> {
    /// A string, or `NIL` to remove the entry.
    String(NString<'a>),
    /// A binary value.
    Binary(Literal8<'a>),
}

impl MetadataValue<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> MetadataValue<'static> {
        match self {
            MetadataValue::String(s) => MetadataValue::String(nstring_into_owned(s)),
            MetadataValue::Binary(l) => MetadataValue::Binary(l.into_owned()),
        }
    }
}

/// `entry-type-req` of a MODSEQ search (RFC 7162 §3.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `priv`.
    Private,
    /// `shared`.
    Shared,
    /// `all`.
    All,
}

/// `search-modseq-ext = SP entry-name SP entry-type-req` (RFC 7162 §3.1.5): which flag's
/// mod-sequence to compare.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModSeqEntry<'a> {
    /// `entry-flag-name`, without the quotes (`/flags/\seen`).
    pub name: Quoted<'a>,
    /// The metadata item type.
    pub kind: EntryType,
}

impl ModSeqEntry<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> ModSeqEntry<'static> {
        ModSeqEntry {
            name: self.name.into_owned(),
            kind: self.kind,
        }
    }
}
