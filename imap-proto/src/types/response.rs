//! Responses (RFC 3501 §7 and §9 `response`).

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::body::{BodyStructure, Envelope};
use super::command::Section;
use super::core::{AString, Atom, NString, Tag, Text, Vec1, nstring_into_owned};
use super::datetime::DateTime;
use super::flag::{Flag, NameAttribute};
use super::mailbox::Mailbox;

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
    /// `atom [SP 1*<any TEXT-CHAR except "]">]`: any other code, as sent.
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
            Code::Alert => Code::Alert,
            Code::BadCharset(v) => {
                Code::BadCharset(v.into_iter().map(AString::into_owned).collect())
            }
            Code::Capability(v) => Code::Capability(v.map(Capability::into_owned)),
            Code::Parse => Code::Parse,
            Code::PermanentFlags(v) => {
                Code::PermanentFlags(v.into_iter().map(Flag::into_owned).collect())
            }
            Code::ReadOnly => Code::ReadOnly,
            Code::ReadWrite => Code::ReadWrite,
            Code::TryCreate => Code::TryCreate,
            Code::UidNext(n) => Code::UidNext(n),
            Code::UidValidity(n) => Code::UidValidity(n),
            Code::Unseen(n) => Code::Unseen(n),
            Code::Other { name, text } => Code::Other {
                name: name.into_owned(),
                text: text.map(|t| Cow::Owned(t.into_owned())),
            },
        }
    }
}

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
        items: Vec<StatusItem>,
    },
    /// `* SEARCH n ...` (§7.2.5).
    Search(Vec<NonZeroU32>),
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
            } => Data::List {
                attributes: attributes
                    .into_iter()
                    .map(NameAttribute::into_owned)
                    .collect(),
                delimiter,
                mailbox: mailbox.into_owned(),
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
                items,
            },
            Data::Search(v) => Data::Search(v),
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
        }
    }
}

/// `status-att-val` of a STATUS response (RFC 3501 §7.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusItem {
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
}

/// `msg-att` (RFC 3501 §7.4.2, §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageDataItem<'a> {
    /// `FLAGS (flag-fetch ...)`.
    Flags(Vec<Flag<'a>>),
    /// `ENVELOPE (...)`.
    Envelope(Envelope<'a>),
    /// `INTERNALDATE date-time`.
    InternalDate(DateTime),
    /// `RFC822 nstring`.
    Rfc822(NString<'a>),
    /// `RFC822.HEADER nstring`.
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT nstring`.
    Rfc822Text(NString<'a>),
    /// `RFC822.SIZE number`.
    Rfc822Size(u32),
    /// `BODY body` (no extension data).
    Body(BodyStructure<'a>),
    /// `BODYSTRUCTURE body`.
    BodyStructure(BodyStructure<'a>),
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
    /// Any other item (an extension such as `MODSEQ (5)`, `X-GM-MSGID 1` or `BINARY[1] ~{3}`),
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
            M::Envelope(e) => M::Envelope(e.into_owned()),
            M::InternalDate(d) => M::InternalDate(d),
            M::Rfc822(n) => M::Rfc822(nstring_into_owned(n)),
            M::Rfc822Header(n) => M::Rfc822Header(nstring_into_owned(n)),
            M::Rfc822Text(n) => M::Rfc822Text(nstring_into_owned(n)),
            M::Rfc822Size(n) => M::Rfc822Size(n),
            M::Body(b) => M::Body(b.into_owned()),
            M::BodyStructure(b) => M::BodyStructure(b.into_owned()),
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
