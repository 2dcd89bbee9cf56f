//! Responses (RFC 3501 §7 and §9 `response`).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::body::{BodyStructure, Envelope};
use super::command::Section;
use super::core::{
    AString, Atom, IString, ModSeq, NString, Number64, Tag, Text, Vec1, nstring_into_owned,
};
use super::datetime::DateTime;
use super::flag::{Flag, NameAttribute};
use super::mailbox::Mailbox;
use super::resp_ext::namespaces_into_owned;
pub use super::resp_ext::*;
use super::sequence::SequenceSet;

/// Any server response (RFC 3501 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response<'a> {
    /// A tagged or untagged status response (§7.1).
    Status(StatusResponse<'a>),
    /// Untagged server data (§7.2-§7.4).
    Data(Data<'a>),
    /// `+ ...`: a command continuation request (§7.5).
    Continue(Continue<'a>),
}

impl Response<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Response::Status(s) => Response::Status(s.into_owned()),
            Response::Data(d) => Response::Data(d.into_owned()),
            Response::Continue(c) => Response::Continue(c.into_owned()),
        }
    }
}

/// The greeting (RFC 3501 §7.1, §9 `greeting = "*" SP (resp-cond-auth / resp-cond-bye)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting<'a> {
    /// [`StatusKind::Ok`], [`StatusKind::PreAuth`] or [`StatusKind::Bye`].
    pub kind: StatusKind,
    /// The response code.
    pub code: Option<Code<'a>>,
    /// The text.
    pub text: Text<'a>,
}

impl Greeting<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Greeting<'static> {
        Greeting {
            kind: self.kind,
            code: self.code.map(Code::into_owned),
            text: self.text.into_owned(),
        }
    }
}

/// The condition of a status response (RFC 3501 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`.
    Ok,
    /// `NO`.
    No,
    /// `BAD`.
    Bad,
    /// `PREAUTH` (untagged greeting only).
    PreAuth,
    /// `BYE` (untagged only).
    Bye,
}

/// `response-tagged` or an untagged `resp-cond-state` / `resp-cond-bye` (RFC 3501 §7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusResponse<'a> {
    /// `None` for `*`.
    pub tag: Option<Tag<'a>>,
    /// OK, NO, BAD, PREAUTH, BYE. PREAUTH and BYE are untagged only.
    pub kind: StatusKind,
    /// `"[" resp-text-code "]"`.
    pub code: Option<Code<'a>>,
    /// The human-readable text.
    pub text: Text<'a>,
}

impl StatusResponse<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> StatusResponse<'static> {
        StatusResponse {
            tag: self.tag.map(Tag::into_owned),
            kind: self.kind,
            code: self.code.map(Code::into_owned),
            text: self.text.into_owned(),
        }
    }
}

/// `resp-text-code` (RFC 3501 §7.1, §9); unknown codes are kept raw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code<'a> {
    /// `ALERT`.
    Alert,
    /// `BADCHARSET [(astring ...)]`.
    BadCharset(Vec<AString<'a>>),
    /// `CAPABILITY ...`.
    Capability(Vec1<Capability<'a>>),
    /// `PARSE`.
    Parse,
    /// `PERMANENTFLAGS (flag-perm ...)`.
    PermanentFlags(Vec<Flag<'a>>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`.
    TryCreate,
    /// `UIDNEXT nz-number`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY nz-number`.
    UidValidity(NonZeroU32),
    /// `UNSEEN nz-number`.
    Unseen(NonZeroU32),
    /// `APPENDUID nz-number SP append-uid` (RFC 4315 §3): the UIDVALIDITY of the target
    /// mailbox and the UID(s) of the appended message(s).
    AppendUid {
        /// The target mailbox's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The new UID(s) (a set with MULTIAPPEND).
        uids: UidSet<'a>,
    },
    /// `COPYUID nz-number SP uid-set SP uid-set` (RFC 4315 §3).
    CopyUid {
        /// The target mailbox's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The source UIDs.
        source: UidSet<'a>,
        /// The UIDs in the target mailbox, in the same order.
        destination: UidSet<'a>,
    },
    /// `UIDNOTSTICKY` (RFC 4315 §3): the mailbox does not keep UIDs across sessions.
    UidNotSticky,
    /// `HIGHESTMODSEQ mod-sequence-value` (RFC 7162 §3.1.2.1).
    HighestModSeq(ModSeq),
    /// `NOMODSEQ` (RFC 7162 §3.1.2.2): the mailbox has no mod-sequences.
    NoModSeq,
    /// `MODIFIED sequence-set` (RFC 7162 §3.1.3): the messages a conditional STORE left
    /// alone.
    Modified(SequenceSet<'a>),
    /// `CLOSED` (RFC 7162 §3.2.11, RFC 9051 §7.1): the previous mailbox is closed.
    Closed,
    /// `UNAVAILABLE` (RFC 5530 §3): a subsystem is down.
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530 §3).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530 §3).
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530 §3).
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530 §3).
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530 §3).
    ContactAdmin,
    /// `NOPERM` (RFC 5530 §3).
    NoPerm,
    /// `INUSE` (RFC 5530 §3).
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530 §3).
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530 §3).
    Corruption,
    /// `SERVERBUG` (RFC 5530 §3).
    ServerBug,
    /// `CLIENTBUG` (RFC 5530 §3).
    ClientBug,
    /// `CANNOT` (RFC 5530 §3).
    Cannot,
    /// `LIMIT` (RFC 5530 §3).
    Limit,
    /// `OVERQUOTA` (RFC 5530 §3, RFC 9208 §4.3).
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530 §3).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530 §3).
    NonExistent,
    /// `UNKNOWN-CTE` (RFC 3516 §4.3): the server cannot decode the part for BINARY.
    UnknownCte,
    /// `COMPRESSIONACTIVE` (RFC 4978 §3).
    CompressionActive,
    /// `METADATA ...` (RFC 5464 §4).
    Metadata(MetadataCode),
    /// `atom [SP 1*<any TEXT-CHAR except "]">]`: any other code, as sent. A code with a
    /// known name whose arguments do not fit that code's grammar is kept here too (it still
    /// fits this generic rule of RFC 3501 §9), so decoding never loses it.
    Other {
        /// The code name.
        name: Atom<'a>,
        /// The raw argument text.
        text: Option<Cow<'a, str>>,
    },
}

impl Code<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Code<'static> {
        match self {
            Code::BadCharset(v) => {
                Code::BadCharset(v.into_iter().map(AString::into_owned).collect())
            }
            Code::Capability(v) => Code::Capability(v.map(Capability::into_owned)),
            Code::PermanentFlags(v) => {
                Code::PermanentFlags(v.into_iter().map(Flag::into_owned).collect())
            }
            Code::UidNext(n) => Code::UidNext(n),
            Code::UidValidity(n) => Code::UidValidity(n),
            Code::Unseen(n) => Code::Unseen(n),
            Code::AppendUid { uid_validity, uids } => Code::AppendUid {
                uid_validity,
                uids: uids.into_owned(),
            },
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => Code::CopyUid {
                uid_validity,
                source: source.into_owned(),
                destination: destination.into_owned(),
            },
            Code::HighestModSeq(m) => Code::HighestModSeq(m),
            Code::Modified(s) => Code::Modified(s.into_owned()),
            Code::Metadata(m) => Code::Metadata(m),
            Code::Other { name, text } => Code::Other {
                name: name.into_owned(),
                text: text.map(|t| Cow::Owned(t.into_owned())),
            },
            unit => UNIT_CODES
                .iter()
                .find(|(_, c)| *c == unit)
                .map_or(Code::Alert, |(_, c)| c.clone()),
        }
    }
}

/// The response codes without arguments, with their names (RFC 3501, 4315, 7162, 5530,
/// 3516, 4978).
pub(crate) const UNIT_CODES: [(&str, Code<'static>); 27] = [
    ("ALERT", Code::Alert),
    ("PARSE", Code::Parse),
    ("READ-ONLY", Code::ReadOnly),
    ("READ-WRITE", Code::ReadWrite),
    ("TRYCREATE", Code::TryCreate),
    ("UIDNOTSTICKY", Code::UidNotSticky),
    ("NOMODSEQ", Code::NoModSeq),
    ("CLOSED", Code::Closed),
    ("UNAVAILABLE", Code::Unavailable),
    ("AUTHENTICATIONFAILED", Code::AuthenticationFailed),
    ("AUTHORIZATIONFAILED", Code::AuthorizationFailed),
    ("EXPIRED", Code::Expired),
    ("PRIVACYREQUIRED", Code::PrivacyRequired),
    ("CONTACTADMIN", Code::ContactAdmin),
    ("NOPERM", Code::NoPerm),
    ("INUSE", Code::InUse),
    ("EXPUNGEISSUED", Code::ExpungeIssued),
    ("CORRUPTION", Code::Corruption),
    ("SERVERBUG", Code::ServerBug),
    ("CLIENTBUG", Code::ClientBug),
    ("CANNOT", Code::Cannot),
    ("LIMIT", Code::Limit),
    ("OVERQUOTA", Code::OverQuota),
    ("ALREADYEXISTS", Code::AlreadyExists),
    ("NONEXISTENT", Code::NonExistent),
    ("UNKNOWN-CTE", Code::UnknownCte),
    ("COMPRESSIONACTIVE", Code::CompressionActive),
];

/// `capability` (RFC 3501 §7.2.1); unknown ones are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `IMAP4rev1`.
    Imap4Rev1,
    /// `AUTH=mechanism`.
    Auth(Atom<'a>),
    /// `LOGINDISABLED`.
    LoginDisabled,
    /// `STARTTLS`.
    StartTls,
    /// Any other capability atom.
    Other(Atom<'a>),
}

impl<'a> Capability<'a> {
    /// From the atom, recognising the known names.
    pub fn new(atom: Atom<'a>) -> Self {
        let b = atom.as_str().as_bytes();
        if b.eq_ignore_ascii_case(b"IMAP4rev1") {
            Capability::Imap4Rev1
        } else if b.eq_ignore_ascii_case(b"LOGINDISABLED") {
            Capability::LoginDisabled
        } else if b.eq_ignore_ascii_case(b"STARTTLS") {
            Capability::StartTls
        } else if b.len() > 5 && b.get(..5).is_some_and(|p| p.eq_ignore_ascii_case(b"AUTH=")) {
            match atom.0 {
                Cow::Borrowed(s) => {
                    Capability::Auth(Atom(Cow::Borrowed(s.get(5..).unwrap_or_default())))
                }
                Cow::Owned(s) => {
                    Capability::Auth(Atom(Cow::Owned(s.get(5..).unwrap_or_default().into())))
                }
            }
        } else {
            Capability::Other(atom)
        }
    }

    /// The capability as it appears on the wire (`IMAP4rev1`, `AUTH=PLAIN`, `QRESYNC`).
    pub fn to_wire(&self) -> Cow<'_, str> {
        match self {
            Capability::Imap4Rev1 => Cow::Borrowed("IMAP4rev1"),
            Capability::LoginDisabled => Cow::Borrowed("LOGINDISABLED"),
            Capability::StartTls => Cow::Borrowed("STARTTLS"),
            Capability::Auth(a) => Cow::Owned(alloc::format!("AUTH={}", a.as_str())),
            Capability::Other(a) => Cow::Borrowed(a.as_str()),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Capability::Imap4Rev1 => Capability::Imap4Rev1,
            Capability::Auth(a) => Capability::Auth(a.into_owned()),
            Capability::LoginDisabled => Capability::LoginDisabled,
            Capability::StartTls => Capability::StartTls,
            Capability::Other(a) => Capability::Other(a.into_owned()),
        }
    }
}

/// The hierarchy delimiter of a LIST/LSUB response: `DQUOTE QUOTED-CHAR DQUOTE / nil`.
pub type Delimiter = Option<u8>;

/// Untagged server data (RFC 3501 §7.2-§7.4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Data<'a> {
    /// `* CAPABILITY ...` (§7.2.1).
    Capability(Vec1<Capability<'a>>),
    /// `* LIST (attributes) delimiter name` (§7.2.2).
    List {
        /// `mbx-list-flags`.
        attributes: Vec<NameAttribute<'a>>,
        /// The hierarchy delimiter (a 7-bit character), or `None` for NIL.
        delimiter: Delimiter,
        /// The name.
        mailbox: Mailbox<'a>,
        /// `[SP mbox-list-extended]` (RFC 5258 §9): `None` when absent, `Some(vec![])` for
        /// `()`.
        extended: Option<Vec<ListExtendedItem<'a>>>,
    },
    /// `* LSUB ...` (§7.2.3).
    Lsub {
        /// `mbx-list-flags`.
        attributes: Vec<NameAttribute<'a>>,
        /// The hierarchy delimiter.
        delimiter: Delimiter,
        /// The name.
        mailbox: Mailbox<'a>,
    },
    /// `* STATUS mailbox (att value ...)` (§7.2.4). RFC 3501 §9 allows an empty list:
    /// `"(" [status-att-list] ")"`.
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The values.
        items: Vec<StatusItem<'a>>,
    },
    /// `* SEARCH n ...` (§7.2.5).
    Search(Vec<NonZeroU32>),
    /// `* SEARCH n ... (MODSEQ m)` (RFC 7162 §3.1.5): the answer to a SEARCH with a MODSEQ
    /// criterion, with the highest mod-sequence of the messages found.
    SearchModSeq {
        /// The messages (at least one: an empty result carries no MODSEQ).
        ids: Vec1<NonZeroU32>,
        /// Their highest mod-sequence.
        modseq: ModSeq,
    },
    /// `* SORT n ...` (RFC 5256 §4).
    Sort(Vec<NonZeroU32>),
    /// `* SORT n ... (MODSEQ m)` (RFC 7162 §3.1.5).
    SortModSeq {
        /// The messages, sorted.
        ids: Vec1<NonZeroU32>,
        /// Their highest mod-sequence.
        modseq: ModSeq,
    },
    /// `* THREAD (...)(...)` (RFC 5256 §4): `thread-data = "THREAD" [SP 1*thread-list]`.
    Thread(Vec<ThreadList>),
    /// `* ESEARCH ...` (RFC 4731 §3.1).
    Esearch(Esearch<'a>),
    /// `* ENABLED cap ...` (RFC 5161 §4): what the ENABLE command turned on.
    Enabled(Vec<Capability<'a>>),
    /// `* ID (...)` / `* ID NIL` (RFC 2971 §3.2): the server's field/value pairs.
    Id(Option<Vec<(IString<'a>, NString<'a>)>>),
    /// `* NAMESPACE personal other shared` (RFC 2342 §5).
    Namespace {
        /// Personal namespaces.
        personal: Namespaces<'a>,
        /// Other users' namespaces.
        other: Namespaces<'a>,
        /// Shared namespaces.
        shared: Namespaces<'a>,
    },
    /// `* VANISHED [(EARLIER)] known-uids` (RFC 7162 §3.2.10).
    Vanished {
        /// `(EARLIER)`: an answer to a FETCH with VANISHED, not a live expunge.
        earlier: bool,
        /// The expunged UIDs.
        uids: UidSet<'a>,
    },
    /// `* QUOTA root (resource usage limit ...)` (RFC 9208 §5.1).
    Quota {
        /// `quota-root-name = astring`.
        root: AString<'a>,
        /// The resources.
        resources: Vec1<QuotaResource<'a>>,
    },
    /// `* QUOTAROOT mailbox root ...` (RFC 9208 §5.2).
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its quota roots (possibly none).
        roots: Vec<AString<'a>>,
    },
    /// `* METADATA mailbox ...` (RFC 5464 §4.4); the server annotations have the mailbox
    /// `""`.
    Metadata {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Entries with values, or entry names.
        entries: MetadataEntries<'a>,
    },
    /// `* FLAGS (...)` (§7.2.6).
    Flags(Vec<Flag<'a>>),
    /// `* n EXISTS` (§7.3.1).
    Exists(u32),
    /// `* n RECENT` (§7.3.2).
    Recent(u32),
    /// `* n EXPUNGE` (§7.4.1).
    Expunge(NonZeroU32),
    /// `* n FETCH (...)` (§7.4.2).
    Fetch {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The attributes.
        items: Vec1<MessageDataItem<'a>>,
    },
    /// Any other untagged data (`* XPIG-LATIN ...`, an extension this crate does not
    /// model), kept raw so that it re-encodes byte for byte.
    Other {
        /// The response name.
        name: Atom<'a>,
        /// Everything after the name and its space, up to the final CRLF.
        rest: Cow<'a, [u8]>,
    },
    /// Any other untagged data that starts with a number (`* 5 XAPPLEPUSH ...`), kept raw
    /// like [`Data::Other`].
    NumberedOther {
        /// The number.
        number: u32,
        /// The response name.
        name: Atom<'a>,
        /// Everything after the name and its space, up to the final CRLF.
        rest: Cow<'a, [u8]>,
    },
}

impl Data<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Data<'static> {
        match self {
            Data::Capability(v) => Data::Capability(v.map(Capability::into_owned)),
            Data::List {
                attributes,
                delimiter,
                mailbox,
                extended,
            } => Data::List {
                attributes: attributes
                    .into_iter()
                    .map(NameAttribute::into_owned)
                    .collect(),
                delimiter,
                mailbox: mailbox.into_owned(),
                extended: extended
                    .map(|v| v.into_iter().map(ListExtendedItem::into_owned).collect()),
            },
            Data::Lsub {
                attributes,
                delimiter,
                mailbox,
            } => Data::Lsub {
                attributes: attributes
                    .into_iter()
                    .map(NameAttribute::into_owned)
                    .collect(),
                delimiter,
                mailbox: mailbox.into_owned(),
            },
            Data::Status { mailbox, items } => Data::Status {
                mailbox: mailbox.into_owned(),
                items: items.into_iter().map(StatusItem::into_owned).collect(),
            },
            Data::Search(v) => Data::Search(v),
            Data::SearchModSeq { ids, modseq } => Data::SearchModSeq { ids, modseq },
            Data::Sort(v) => Data::Sort(v),
            Data::SortModSeq { ids, modseq } => Data::SortModSeq { ids, modseq },
            Data::Thread(v) => Data::Thread(v),
            Data::Esearch(e) => Data::Esearch(e.into_owned()),
            Data::Enabled(v) => Data::Enabled(v.into_iter().map(Capability::into_owned).collect()),
            Data::Id(v) => Data::Id(v.map(|v| {
                v.into_iter()
                    .map(|(k, x)| (k.into_owned(), nstring_into_owned(x)))
                    .collect()
            })),
            Data::Namespace {
                personal,
                other,
                shared,
            } => Data::Namespace {
                personal: namespaces_into_owned(personal),
                other: namespaces_into_owned(other),
                shared: namespaces_into_owned(shared),
            },
            Data::Vanished { earlier, uids } => Data::Vanished {
                earlier,
                uids: uids.into_owned(),
            },
            Data::Quota { root, resources } => Data::Quota {
                root: root.into_owned(),
                resources: resources.map(QuotaResource::into_owned),
            },
            Data::QuotaRoot { mailbox, roots } => Data::QuotaRoot {
                mailbox: mailbox.into_owned(),
                roots: roots.into_iter().map(AString::into_owned).collect(),
            },
            Data::Metadata { mailbox, entries } => Data::Metadata {
                mailbox: mailbox.into_owned(),
                entries: entries.into_owned(),
            },
            Data::Flags(v) => Data::Flags(v.into_iter().map(Flag::into_owned).collect()),
            Data::Exists(n) => Data::Exists(n),
            Data::Recent(n) => Data::Recent(n),
            Data::Expunge(n) => Data::Expunge(n),
            Data::Fetch { seq, items } => Data::Fetch {
                seq,
                items: items.map(MessageDataItem::into_owned),
            },
            Data::Other { name, rest } => Data::Other {
                name: name.into_owned(),
                rest: Cow::Owned(rest.into_owned()),
            },
            Data::NumberedOther { number, name, rest } => Data::NumberedOther {
                number,
                name: name.into_owned(),
                rest: Cow::Owned(rest.into_owned()),
            },
        }
    }
}

/// `status-att-val` of a STATUS response (RFC 3501 §7.2.4, RFC 9051 §7.2.4); unknown
/// attributes are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusItem<'a> {
    /// `MESSAGES n`.
    Messages(u32),
    /// `RECENT n`.
    Recent(u32),
    /// `UIDNEXT n`.
    UidNext(u32),
    /// `UIDVALIDITY n`.
    UidValidity(u32),
    /// `UNSEEN n`.
    Unseen(u32),
    /// `HIGHESTMODSEQ mod-sequence-valzer` (RFC 7162 §3.1.2.2); `None` for `0` (the
    /// mailbox has no persistent mod-sequences).
    HighestModSeq(Option<ModSeq>),
    /// `SIZE number64` (RFC 8438, RFC 9051 §7.2.4): the mailbox's total size in octets.
    Size(Number64),
    /// `DELETED number` (RFC 9051 §7.2.4): messages with `\Deleted`.
    Deleted(u32),
    /// `APPENDLIMIT (number / nil)` (RFC 7889 §4): the largest APPEND accepted, `None` for
    /// no limit.
    AppendLimit(Option<u32>),
    /// Any other `status-att SP value` (RFC 4466 §2.5 extensions), kept as sent.
    Other {
        /// The attribute.
        name: Atom<'a>,
        /// One value (number, string, atom or parenthesized list), raw.
        value: Cow<'a, [u8]>,
    },
}

impl StatusItem<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> StatusItem<'static> {
        use StatusItem as S;
        match self {
            S::Messages(n) => S::Messages(n),
            S::Recent(n) => S::Recent(n),
            S::UidNext(n) => S::UidNext(n),
            S::UidValidity(n) => S::UidValidity(n),
            S::Unseen(n) => S::Unseen(n),
            S::HighestModSeq(m) => S::HighestModSeq(m),
            S::Size(n) => S::Size(n),
            S::Deleted(n) => S::Deleted(n),
            S::AppendLimit(n) => S::AppendLimit(n),
            S::Other { name, value } => S::Other {
                name: name.into_owned(),
                value: Cow::Owned(value.into_owned()),
            },
        }
    }
}

/// `msg-att` (RFC 3501 §7.4.2, §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageDataItem<'a> {
    /// `FLAGS (flag-fetch ...)`.
    Flags(Vec<Flag<'a>>),
    /// `ENVELOPE (...)`. Boxed, as are the body structures: they are the two large
    /// items (200 and 400 octets on 64-bit targets), and inline they made every item that
    /// size (issue 9: an item is 96 octets, was 408).
    Envelope(Box<Envelope<'a>>),
    /// `INTERNALDATE date-time`.
    InternalDate(DateTime),
    /// `RFC822 nstring`.
    Rfc822(NString<'a>),
    /// `RFC822.HEADER nstring`.
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT nstring`.
    Rfc822Text(NString<'a>),
    /// `RFC822.SIZE number64`: the message's size in octets. RFC 9051 §9 widens the value
    /// from RFC 3501's `number` to `number64` (`0 ..= 2^63 - 1`), so a message above 4 GiB
    /// is representable; an RFC 3501 server never sends more than a `u32`, which parses
    /// unchanged.
    Rfc822Size(Number64),
    /// `BODY body` (no extension data).
    Body(Box<BodyStructure<'a>>),
    /// `BODYSTRUCTURE body`.
    BodyStructure(Box<BodyStructure<'a>>),
    /// `BODY[section]<origin> nstring`.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<number>`: where a partial fetch started.
        origin: Option<u32>,
        /// The data.
        data: NString<'a>,
    },
    /// `UID uniqueid`.
    Uid(NonZeroU32),
    /// `MODSEQ (permsg-modsequence)` (RFC 7162 §3.1.4.1).
    ModSeq(ModSeq),
    /// `BINARY section-binary [<number>] SP (nstring / literal8)` (RFC 3516 §4.3): the
    /// decoded content of a part.
    Binary {
        /// `section-part`: the part numbers (empty for the whole message).
        section: Vec<NonZeroU32>,
        /// `<number>`: where a partial fetch started.
        origin: Option<u32>,
        /// The data.
        data: NString8<'a>,
    },
    /// `BINARY.SIZE section-binary SP number` (RFC 3516 §4.3).
    BinarySize {
        /// `section-part`: the part numbers.
        section: Vec<NonZeroU32>,
        /// The decoded size in octets.
        size: u32,
    },
    /// `X-GM-MSGID n` (Gmail X-GM-EXT-1): the message's Gmail ID.
    GmMsgId(u64),
    /// `X-GM-THRID n` (Gmail X-GM-EXT-1): the thread's Gmail ID.
    GmThrId(u64),
    /// `X-GM-LABELS (label ...)` (Gmail X-GM-EXT-1).
    GmLabels(Vec<GmLabel<'a>>),
    /// Any other item (an extension this crate does not model, such as `X-SNIPPET "..."`),
    /// kept as sent so that it re-encodes byte for byte.
    Other {
        /// The item name as sent (`X-GM-LABELS`, `BINARY[1]<0>`).
        name: Cow<'a, str>,
        /// The raw value: one string, number, atom or parenthesized list.
        value: Cow<'a, [u8]>,
    },
}

impl MessageDataItem<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> MessageDataItem<'static> {
        use MessageDataItem as M;
        match self {
            M::Flags(v) => M::Flags(v.into_iter().map(Flag::into_owned).collect()),
            M::Envelope(e) => M::Envelope(Box::new((*e).into_owned())),
            M::InternalDate(d) => M::InternalDate(d),
            M::Rfc822(n) => M::Rfc822(nstring_into_owned(n)),
            M::Rfc822Header(n) => M::Rfc822Header(nstring_into_owned(n)),
            M::Rfc822Text(n) => M::Rfc822Text(nstring_into_owned(n)),
            M::Rfc822Size(n) => M::Rfc822Size(n),
            M::Body(b) => M::Body(Box::new((*b).into_owned())),
            M::BodyStructure(b) => M::BodyStructure(Box::new((*b).into_owned())),
            M::BodySection {
                section,
                origin,
                data,
            } => M::BodySection {
                section: section.into_owned(),
                origin,
                data: nstring_into_owned(data),
            },
            M::Uid(u) => M::Uid(u),
            M::ModSeq(m) => M::ModSeq(m),
            M::Binary {
                section,
                origin,
                data,
            } => M::Binary {
                section,
                origin,
                data: data.into_owned(),
            },
            M::BinarySize { section, size } => M::BinarySize { section, size },
            M::GmMsgId(n) => M::GmMsgId(n),
            M::GmThrId(n) => M::GmThrId(n),
            M::GmLabels(v) => M::GmLabels(v.into_iter().map(GmLabel::into_owned).collect()),
            M::Other { name, value } => M::Other {
                name: Cow::Owned(name.into_owned()),
                value: Cow::Owned(value.into_owned()),
            },
        }
    }
}

/// `continue-req = "+" SP (resp-text / base64) CRLF` (RFC 3501 §7.5).
///
/// The grammar is ambiguous: `+ dGVzdA==` is both text and base64. The decoder reads the
/// line as base64 when it is valid base64 (or empty), as text otherwise; a client in an
/// AUTHENTICATE exchange wants the base64 anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Continue<'a> {
    /// `+ [code] text`.
    Basic {
        /// The response code.
        code: Option<Code<'a>>,
        /// The text.
        text: Text<'a>,
    },
    /// `+ base64`: a SASL challenge, decoded.
    Base64(Cow<'a, [u8]>),
}

impl Continue<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Continue<'static> {
        match self {
            Continue::Basic { code, text } => Continue::Basic {
                code: code.map(Code::into_owned),
                text: text.into_owned(),
            },
            Continue::Base64(b) => Continue::Base64(Cow::Owned(b.into_owned())),
        }
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod size_tests {
    #[test]
    fn fetch_items_stay_small_with_their_large_variants_boxed() {
        // Issue 9: the FETCH item vector holds these by value; ENVELOPE and BODYSTRUCTURE
        // inline made each 408 octets.
        assert_eq!(core::mem::size_of::<super::MessageDataItem<'_>>(), 96);
        assert_eq!(core::mem::size_of::<super::Envelope<'_>>(), 200);
    }
}
