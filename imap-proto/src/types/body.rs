//! ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 §7.4.2, §9 `envelope`, `body`).

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::core::{IString, NString, Number64, Vec1, nstring_into_owned};

/// `envelope` (RFC 3501 §7.4.2): the parsed header of a message. Address lists are empty
/// for NIL (the grammar has no empty list).
///
/// The six address lists are read with [`Envelope::from`], [`Envelope::sender`] ... and
/// built with [`Envelope::new`] from [`AddressLists`]. They are held in one vector (issue
/// 9: one allocation, and one to free, per envelope instead of one per non-empty list;
/// 5 % of the instructions of a pass over the response bench corpus).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope<'a> {
    /// `env-date`.
    pub date: NString<'a>,
    /// `env-subject`.
    pub subject: NString<'a>,
    /// The addresses of `env-from`, `env-sender`, `env-reply-to`, `env-to`, `env-cc` and
    /// `env-bcc`, one list after the other.
    addresses: Vec<Address<'a>>,
    /// Where each of the six lists ends in `addresses`.
    ends: [usize; 6],
    /// `env-in-reply-to`.
    pub in_reply_to: NString<'a>,
    /// `env-message-id`.
    pub message_id: NString<'a>,
}

/// The six address lists of an [`Envelope`], for [`Envelope::new`] and
/// [`Envelope::into_lists`] (RFC 3501 §9 `envelope`, in its order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressLists<'a> {
    /// `env-from`.
    pub from: Vec<Address<'a>>,
    /// `env-sender`.
    pub sender: Vec<Address<'a>>,
    /// `env-reply-to`.
    pub reply_to: Vec<Address<'a>>,
    /// `env-to`.
    pub to: Vec<Address<'a>>,
    /// `env-cc`.
    pub cc: Vec<Address<'a>>,
    /// `env-bcc`.
    pub bcc: Vec<Address<'a>>,
}

impl<'a> Envelope<'a> {
    /// An envelope of these fields and address lists.
    pub fn new(
        date: NString<'a>,
        subject: NString<'a>,
        lists: AddressLists<'a>,
        in_reply_to: NString<'a>,
        message_id: NString<'a>,
    ) -> Self {
        let l = lists;
        let lists = [l.from, l.sender, l.reply_to, l.to, l.cc, l.bcc];
        let mut addresses = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        let mut ends = [0; 6];
        for (end, list) in ends.iter_mut().zip(lists) {
            addresses.extend(list);
            *end = addresses.len();
        }
        Self::from_parts(date, subject, addresses, ends, in_reply_to, message_id)
    }

    /// The parser's constructor: `addresses` holds the six lists one after the other, list
    /// `k` ending at `ends[k]` (non-decreasing, the last at most `addresses.len()`).
    pub(crate) fn from_parts(
        date: NString<'a>,
        subject: NString<'a>,
        addresses: Vec<Address<'a>>,
        ends: [usize; 6],
        in_reply_to: NString<'a>,
        message_id: NString<'a>,
    ) -> Self {
        Envelope {
            date,
            subject,
            addresses,
            ends,
            in_reply_to,
            message_id,
        }
    }

    /// Where list `k` (0 = from ... 5 = bcc) starts and ends in `addresses`.
    fn bounds(&self, k: usize) -> (usize, usize) {
        let start = k
            .checked_sub(1)
            .and_then(|p| self.ends.get(p))
            .copied()
            .unwrap_or(0);
        (start, self.ends.get(k).copied().unwrap_or(0))
    }

    /// List `k` (0 = from ... 5 = bcc).
    fn list(&self, k: usize) -> &[Address<'a>] {
        let (start, end) = self.bounds(k);
        self.addresses.get(start..end).unwrap_or_default()
    }

    /// `env-from`.
    pub fn from(&self) -> &[Address<'a>] {
        self.list(0)
    }

    /// `env-sender`.
    pub fn sender(&self) -> &[Address<'a>] {
        self.list(1)
    }

    /// `env-reply-to`.
    pub fn reply_to(&self) -> &[Address<'a>] {
        self.list(2)
    }

    /// `env-to`.
    pub fn to(&self) -> &[Address<'a>] {
        self.list(3)
    }

    /// `env-cc`.
    pub fn cc(&self) -> &[Address<'a>] {
        self.list(4)
    }

    /// `env-bcc`.
    pub fn bcc(&self) -> &[Address<'a>] {
        self.list(5)
    }

    /// The six lists in the grammar's order: from, sender, reply-to, to, cc, bcc.
    pub fn lists(&self) -> [&[Address<'a>]; 6] {
        [0, 1, 2, 3, 4, 5].map(|k| self.list(k))
    }

    /// The six lists as vectors (to change them, then [`Envelope::new`] again). The
    /// addresses are moved out, not cloned (an owned address's strings are not copied).
    pub fn into_lists(self) -> AddressLists<'a> {
        let bounds = [0, 1, 2, 3, 4, 5].map(|k| self.bounds(k));
        let mut all = self.addresses;
        let mut lists: [Vec<Address<'a>>; 6] = Default::default();
        // From the last list to the first, each split off the tail of what is left; the
        // first keeps the allocation.
        for (list, (start, end)) in lists.iter_mut().zip(bounds).rev() {
            all.truncate(end);
            *list = match start {
                0 => core::mem::take(&mut all),
                _ => all.split_off(start.min(all.len())),
            };
        }
        lists.into()
    }
}

impl<'a> From<[Vec<Address<'a>>; 6]> for AddressLists<'a> {
    /// The lists in the grammar's order: from, sender, reply-to, to, cc, bcc.
    fn from([from, sender, reply_to, to, cc, bcc]: [Vec<Address<'a>>; 6]) -> Self {
        AddressLists {
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
        }
    }
}

impl Envelope<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Envelope<'static> {
        Envelope {
            date: nstring_into_owned(self.date),
            subject: nstring_into_owned(self.subject),
            addresses: self
                .addresses
                .into_iter()
                .map(Address::into_owned)
                .collect(),
            ends: self.ends,
            in_reply_to: nstring_into_owned(self.in_reply_to),
            message_id: nstring_into_owned(self.message_id),
        }
    }
}

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
///
/// RFC 822 group syntax is carried by markers (RFC 3501 §7.4.2): a group start has a NIL
/// host and the group name as mailbox, the group end has NIL host and NIL mailbox. See
/// [`Address::kind`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address<'a> {
    /// `addr-name`: the phrase.
    pub name: NString<'a>,
    /// `addr-adl`: the source route.
    pub adl: NString<'a>,
    /// `addr-mailbox`: local part, or group name.
    pub mailbox: NString<'a>,
    /// `addr-host`: domain, or NIL for group markers.
    pub host: NString<'a>,
}

/// What an [`Address`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// A mailbox.
    Mailbox,
    /// The start of a group (`mailbox` holds the group name).
    GroupStart,
    /// The end of a group.
    GroupEnd,
}

impl Address<'_> {
    /// Mailbox, group start or group end (RFC 3501 §7.4.2).
    pub fn kind(&self) -> AddressKind {
        match (&self.host, &self.mailbox) {
            (Some(_), _) => AddressKind::Mailbox,
            (None, Some(_)) => AddressKind::GroupStart,
            (None, None) => AddressKind::GroupEnd,
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Address<'static> {
        Address {
            name: nstring_into_owned(self.name),
            adl: nstring_into_owned(self.adl),
            mailbox: nstring_into_owned(self.mailbox),
            host: nstring_into_owned(self.host),
        }
    }
}

/// `body-fld-param`: `("name" "value" ...)`, empty for NIL.
pub type BodyParams<'a> = Vec<(IString<'a>, IString<'a>)>;

fn params_into_owned(p: BodyParams<'_>) -> BodyParams<'static> {
    p.into_iter()
        .map(|(a, b)| (a.into_owned(), b.into_owned()))
        .collect()
}

/// `body` (RFC 3501 §7.4.2): one part, or a multipart with its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyStructure<'a> {
    /// `body-type-1part`.
    Single {
        /// The fields and type-specific data.
        body: SinglePart<'a>,
        /// `body-ext-1part` (BODYSTRUCTURE only).
        extension: Option<SinglePartExtension<'a>>,
    },
    /// `body-type-mpart`.
    Multi {
        /// The children (`1*body`).
        bodies: Vec1<BodyStructure<'a>>,
        /// `media-subtype` (`ALTERNATIVE`, `MIXED`, ...).
        subtype: IString<'a>,
        /// `body-ext-mpart` (BODYSTRUCTURE only).
        extension: Option<MultiPartExtension<'a>>,
    },
}

impl BodyStructure<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> BodyStructure<'static> {
        match self {
            BodyStructure::Single { body, extension } => BodyStructure::Single {
                body: body.into_owned(),
                extension: extension.map(SinglePartExtension::into_owned),
            },
            BodyStructure::Multi {
                bodies,
                subtype,
                extension,
            } => BodyStructure::Multi {
                bodies: bodies.map(BodyStructure::into_owned),
                subtype: subtype.into_owned(),
                extension: extension.map(MultiPartExtension::into_owned),
            },
        }
    }
}

/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
/// body-fld-octets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFields<'a> {
    /// `body-fld-param`.
    pub params: BodyParams<'a>,
    /// `body-fld-id`.
    pub id: NString<'a>,
    /// `body-fld-desc`.
    pub description: NString<'a>,
    /// `body-fld-enc`: `7BIT`, `BASE64`, ... as sent.
    pub encoding: IString<'a>,
    /// `body-fld-octets`.
    pub octets: u32,
}

impl BodyFields<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> BodyFields<'static> {
        BodyFields {
            params: params_into_owned(self.params),
            id: nstring_into_owned(self.id),
            description: nstring_into_owned(self.description),
            encoding: self.encoding.into_owned(),
            octets: self.octets,
        }
    }
}

/// A non-multipart body: `body-type-basic / body-type-msg / body-type-text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePart<'a> {
    /// `media-type` as sent (`"TEXT"`, `"IMAGE"`...).
    pub media_type: IString<'a>,
    /// `media-subtype` as sent.
    pub subtype: IString<'a>,
    /// The common fields.
    pub fields: BodyFields<'a>,
    /// Type-specific data.
    pub specific: SpecificFields<'a>,
}

impl SinglePart<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SinglePart<'static> {
        SinglePart {
            media_type: self.media_type.into_owned(),
            subtype: self.subtype.into_owned(),
            fields: self.fields.into_owned(),
            specific: self.specific.into_owned(),
        }
    }
}

/// The fields that depend on the media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecificFields<'a> {
    /// `body-type-basic`: nothing more.
    Basic,
    /// `body-type-msg` (MESSAGE/RFC822): envelope, body, lines.
    Message {
        /// The enclosed message's envelope.
        envelope: Box<Envelope<'a>>,
        /// The enclosed message's structure.
        body: Box<BodyStructure<'a>>,
        /// `body-fld-lines = number64` (RFC 9051 §9).
        lines: Number64,
    },
    /// `body-type-text` (TEXT/*): lines.
    Text {
        /// `body-fld-lines = number64` (RFC 9051 §9).
        lines: Number64,
    },
}

impl SpecificFields<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SpecificFields<'static> {
        match self {
            SpecificFields::Basic => SpecificFields::Basic,
            SpecificFields::Message {
                envelope,
                body,
                lines,
            } => SpecificFields::Message {
                envelope: Box::new(envelope.into_owned()),
                body: Box::new(body.into_owned()),
                lines,
            },
            SpecificFields::Text { lines } => SpecificFields::Text { lines },
        }
    }
}

/// `body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
/// *(SP body-extension)]]]`: each later field exists only when the earlier ones do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePartExtension<'a> {
    /// `body-fld-md5`.
    pub md5: NString<'a>,
    /// The disposition and what follows.
    pub tail: Option<DispositionExt<'a>>,
}

impl SinglePartExtension<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SinglePartExtension<'static> {
        SinglePartExtension {
            md5: nstring_into_owned(self.md5),
            tail: self.tail.map(DispositionExt::into_owned),
        }
    }
}

/// `body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
/// *(SP body-extension)]]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiPartExtension<'a> {
    /// `body-fld-param`.
    pub params: BodyParams<'a>,
    /// The disposition and what follows.
    pub tail: Option<DispositionExt<'a>>,
}

impl MultiPartExtension<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> MultiPartExtension<'static> {
        MultiPartExtension {
            params: params_into_owned(self.params),
            tail: self.tail.map(DispositionExt::into_owned),
        }
    }
}

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`, then the language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispositionExt<'a> {
    /// `None` for NIL.
    pub disposition: Option<(IString<'a>, BodyParams<'a>)>,
    /// The language and what follows.
    pub tail: Option<LanguageExt<'a>>,
}

impl DispositionExt<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> DispositionExt<'static> {
        DispositionExt {
            disposition: self
                .disposition
                .map(|(d, p)| (d.into_owned(), params_into_owned(p))),
            tail: self.tail.map(LanguageExt::into_owned),
        }
    }
}

/// `body-fld-lang = nstring / "(" string *(SP string) ")"`, then the location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageExt<'a> {
    /// The language(s).
    pub language: Language<'a>,
    /// The location and what follows.
    pub tail: Option<LocationExt<'a>>,
}

impl LanguageExt<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> LanguageExt<'static> {
        LanguageExt {
            language: match self.language {
                Language::Single(n) => Language::Single(nstring_into_owned(n)),
                Language::List(v) => Language::List(v.map(IString::into_owned)),
            },
            tail: self.tail.map(LocationExt::into_owned),
        }
    }
}

/// The two forms of `body-fld-lang`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language<'a> {
    /// `nstring`.
    Single(NString<'a>),
    /// `"(" string *(SP string) ")"`.
    List(Vec1<IString<'a>>),
}

/// `body-fld-loc *(SP body-extension)` (RFC 2557 location, then unknown extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationExt<'a> {
    /// `body-fld-loc = nstring`.
    pub location: NString<'a>,
    /// Future extension data, kept as sent.
    pub extensions: Vec<BodyExtension<'a>>,
}

impl LocationExt<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> LocationExt<'static> {
        LocationExt {
            location: nstring_into_owned(self.location),
            extensions: self
                .extensions
                .into_iter()
                .map(BodyExtension::into_owned)
                .collect(),
        }
    }
}

/// `body-extension = nstring / number / "(" body-extension *(SP body-extension) ")"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyExtension<'a> {
    /// `nstring`.
    NString(NString<'a>),
    /// `number`.
    Number(u32),
    /// A parenthesized list.
    List(Vec1<BodyExtension<'a>>),
}

impl BodyExtension<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> BodyExtension<'static> {
        match self {
            BodyExtension::NString(n) => BodyExtension::NString(nstring_into_owned(n)),
            BodyExtension::Number(n) => BodyExtension::Number(n),
            BodyExtension::List(v) => BodyExtension::List(v.map(BodyExtension::into_owned)),
        }
    }
}
