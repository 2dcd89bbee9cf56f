//! Property tests: `decode(encode(x)) == x` for generated commands and responses covering
//! every variant (built through the validating constructors), and chunking invariance.

mod common;

use std::borrow::Cow;
use std::num::NonZeroU32;

use common::*;
use imap_proto::*;
use proptest::collection::vec;
use proptest::prelude::*;

// ---------------------------------------------------------------- lexical

fn tag() -> impl Strategy<Value = Tag<'static>> {
    "[A-Za-z0-9.]{1,8}".prop_map(|s| Tag::new(s).unwrap())
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    "[A-Za-z0-9$._-]{1,10}".prop_map(|s| Atom::new(s).unwrap())
}

fn x_atom() -> impl Strategy<Value = Atom<'static>> {
    "X[A-Z0-9-]{0,6}".prop_map(|s| Atom::new(s).unwrap())
}

fn bytes_no_nul() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "[ -~]{0,20}".prop_map(String::into_bytes),
        1 => vec(1u8..=255, 0..40),
    ]
}

fn literal() -> impl Strategy<Value = Literal<'static>> {
    (vec(1u8..=255, 0..60), any::<bool>()).prop_map(|(d, sync)| {
        let mode = if sync {
            LiteralMode::Sync
        } else {
            LiteralMode::NonSync
        };
        Literal::with_mode(d, mode).unwrap()
    })
}

fn istring() -> impl Strategy<Value = IString<'static>> {
    prop_oneof![
        bytes_no_nul().prop_map(|b| IString::new(b).unwrap()),
        literal().prop_map(IString::Literal),
    ]
}

fn nstring() -> impl Strategy<Value = NString<'static>> {
    proptest::option::of(istring())
}

fn astring() -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        bytes_no_nul().prop_map(|b| AString::new(b).unwrap()),
        literal().prop_map(|l| AString::String(IString::Literal(l))),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        Just(Mailbox::Inbox),
        astring().prop_map(Mailbox::new),
        "\\PC{1,8}".prop_map(|s| Mailbox::from_utf8(&s).unwrap()),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox<'static>> {
    prop_oneof![
        "[a-z%*/.]{1,8}".prop_map(|s| ListMailbox::Token(Cow::Owned(s))),
        istring().prop_map(ListMailbox::String),
    ]
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![Just(SeqNumber::Last), nz().prop_map(SeqNumber::Value)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet<'static>> {
    vec(
        prop_oneof![
            seq_number().prop_map(SeqItem::Single),
            (seq_number(), seq_number()).prop_map(|(a, b)| SeqItem::Range(a, b)),
        ],
        1..4,
    )
    .prop_map(|v| SequenceSet::from_items(&v).unwrap())
}

fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..61, -5999i16..=5999)
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, h, m, s, z).unwrap())
}

#[derive(Clone, Copy)]
enum Ctx {
    Flag,
    Fetch,
    Perm,
}

fn flag(ctx: Ctx) -> impl Strategy<Value = Flag<'static>> {
    let extra = match ctx {
        Ctx::Flag => vec![],
        Ctx::Fetch => vec![Flag::Recent],
        Ctx::Perm => vec![Flag::Wildcard],
    };
    let mut fixed = vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ];
    fixed.extend(extra);
    prop_oneof![
        proptest::sample::select(fixed),
        atom().prop_map(Flag::Keyword),
        "X[A-Za-z]{0,6}".prop_map(|s| Flag::Extension(FlagExtension::new(s).unwrap())),
    ]
}

fn vec1<T: std::fmt::Debug>(
    s: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = Vec1<T>> {
    vec(s, 1..=max).prop_map(|v| Vec1::try_from(v).unwrap())
}

fn text() -> impl Strategy<Value = Text<'static>> {
    "[A-Za-z][A-Za-z0-9 .,:!-]{0,20}".prop_map(|s| Text::new(s).unwrap())
}

// ---------------------------------------------------------------- commands

fn search_key() -> impl Strategy<Value = SearchKey<'static>> {
    use SearchKey as K;
    let leaf = prop_oneof![
        proptest::sample::select(vec![
            K::All,
            K::Answered,
            K::Deleted,
            K::Flagged,
            K::New,
            K::Old,
            K::Recent,
            K::Seen,
            K::Unanswered,
            K::Undeleted,
            K::Unflagged,
            K::Unseen,
            K::Draft,
            K::Undraft,
        ]),
        astring().prop_map(K::Bcc),
        astring().prop_map(K::Body),
        astring().prop_map(K::Cc),
        astring().prop_map(K::From),
        astring().prop_map(K::Subject),
        astring().prop_map(K::Text),
        astring().prop_map(K::To),
        date().prop_map(K::Before),
        date().prop_map(K::On),
        date().prop_map(K::Since),
        date().prop_map(K::SentBefore),
        date().prop_map(K::SentOn),
        date().prop_map(K::SentSince),
        atom().prop_map(K::Keyword),
        atom().prop_map(K::Unkeyword),
        (astring(), astring()).prop_map(|(a, b)| K::Header(a, b)),
        number64().prop_map(K::Larger),
        number64().prop_map(K::Smaller),
        sequence_set().prop_map(K::Uid),
        sequence_set().prop_map(K::SequenceSet),
        ext_search_key(),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| K::Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| K::Or(Box::new(a), Box::new(b))),
            vec1(inner, 3).prop_map(K::And),
        ]
    })
}

fn msg_text() -> impl Strategy<Value = MsgText<'static>> {
    prop_oneof![
        Just(MsgText::Header),
        Just(MsgText::Text),
        (any::<bool>(), vec1(astring(), 3))
            .prop_map(|(not, fields)| MsgText::HeaderFields { not, fields }),
    ]
}

fn section() -> impl Strategy<Value = Section<'static>> {
    prop_oneof![
        Just(Section::Full),
        msg_text().prop_map(Section::Msg),
        (
            vec1(nz(), 4),
            proptest::option::of(prop_oneof![
                Just(PartText::Mime),
                msg_text().prop_map(PartText::Msg)
            ])
        )
            .prop_map(|(part, text)| Section::Part { part, text }),
    ]
}

fn fetch_attribute() -> impl Strategy<Value = FetchAttribute<'static>> {
    use FetchAttribute as F;
    prop_oneof![
        proptest::sample::select(vec![
            F::Envelope,
            F::Flags,
            F::InternalDate,
            F::Rfc822,
            F::Rfc822Header,
            F::Rfc822Size,
            F::Rfc822Text,
            F::Body,
            F::BodyStructure,
            F::Uid,
        ]),
        (any::<bool>(), section(), partial()).prop_map(|(peek, section, partial)| F::BodySection {
            peek,
            section,
            partial
        }),
        "X-[A-Z]{1,6}(\\[[0-9]\\])?".prop_map(|s| F::Other(Cow::Owned(s))),
        ext_fetch_attribute(),
    ]
}

fn fetch_items() -> impl Strategy<Value = FetchItems<'static>> {
    prop_oneof![
        proptest::sample::select(vec![FetchMacro::All, FetchMacro::Fast, FetchMacro::Full])
            .prop_map(FetchItems::Macro),
        fetch_attribute().prop_map(FetchItems::Single),
        vec1(fetch_attribute(), 4).prop_map(FetchItems::List),
    ]
}

fn command_body() -> impl Strategy<Value = CommandBody<'static>> {
    use CommandBody as C;
    let simple = proptest::sample::select(vec![
        C::Capability,
        C::Noop,
        C::Logout,
        C::StartTls,
        C::Check,
        C::Close,
        C::Expunge,
    ]);
    let one_mailbox = (0..6usize, mailbox()).prop_map(|(k, mailbox)| match k {
        0 => C::Select { mailbox },
        1 => C::Examine { mailbox },
        2 => C::Create { mailbox },
        3 => C::Delete { mailbox },
        4 => C::Subscribe { mailbox },
        _ => C::Unsubscribe { mailbox },
    });
    prop_oneof![
        simple,
        one_mailbox,
        (atom(), proptest::option::of(vec(any::<u8>(), 0..20))).prop_map(|(mechanism, ir)| {
            C::Authenticate {
                mechanism,
                initial_response: ir.map(Cow::Owned),
            }
        }),
        (astring(), astring()).prop_map(|(username, password)| C::Login { username, password }),
        (mailbox(), mailbox()).prop_map(|(from, to)| C::Rename { from, to }),
        (any::<bool>(), mailbox(), list_mailbox()).prop_map(|(l, reference, pattern)| if l {
            C::List { reference, pattern }
        } else {
            C::Lsub { reference, pattern }
        }),
        (
            mailbox(),
            vec1(
                proptest::sample::select(vec![
                    StatusAttribute::Messages,
                    StatusAttribute::Recent,
                    StatusAttribute::UidNext,
                    StatusAttribute::UidValidity,
                    StatusAttribute::Unseen
                ]),
                5
            )
        )
            .prop_map(|(mailbox, items)| C::Status { mailbox, items }),
        (
            mailbox(),
            proptest::option::of(vec(flag(Ctx::Flag), 0..3)),
            proptest::option::of(date_time()),
            literal()
        )
            .prop_map(|(mailbox, flags, date, message)| C::Append {
                mailbox,
                flags,
                date,
                message
            }),
        (
            any::<bool>(),
            proptest::option::of(astring()),
            vec1(search_key(), 3)
        )
            .prop_map(|(uid, charset, criteria)| C::Search {
                uid,
                charset,
                criteria
            }),
        (any::<bool>(), sequence_set(), fetch_items()).prop_map(|(uid, sequence_set, items)| {
            C::Fetch {
                uid,
                sequence_set,
                items,
            }
        }),
        (
            any::<bool>(),
            sequence_set(),
            proptest::sample::select(vec![
                StoreAction::Replace,
                StoreAction::Add,
                StoreAction::Remove
            ]),
            any::<bool>(),
            prop_oneof![
                vec(flag(Ctx::Flag), 0..3).prop_map(StoreFlags::List),
                vec1(flag(Ctx::Flag), 3).prop_map(StoreFlags::Bare)
            ]
        )
            .prop_map(|(uid, sequence_set, action, silent, flags)| C::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags
            }),
        (any::<bool>(), sequence_set(), mailbox()).prop_map(|(uid, sequence_set, mailbox)| {
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            }
        }),
        (x_atom(), "[a-z0-9 ]{0,10}").prop_map(|(name, a)| C::Other {
            name,
            arguments: Cow::Owned(a.into_bytes())
        }),
    ]
}

fn command() -> impl Strategy<Value = Command<'static>> {
    (
        tag(),
        prop_oneof![2 => command_body(), 1 => ext_command_body()],
    )
        .prop_map(|(t, b)| Command::new(t, b))
}

// ---------------------------------------------------------------- responses

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Imap4Rev1),
        Just(Capability::LoginDisabled),
        Just(Capability::StartTls),
        "[A-Z0-9-]{1,10}".prop_map(|s| Capability::Auth(Atom::new(s).unwrap())),
        x_atom().prop_map(Capability::Other),
    ]
}

fn code() -> impl Strategy<Value = Code<'static>> {
    prop_oneof![
        proptest::sample::select(vec![
            Code::Alert,
            Code::Parse,
            Code::ReadOnly,
            Code::ReadWrite,
            Code::TryCreate
        ]),
        vec(astring(), 0..3).prop_map(Code::BadCharset),
        vec1(capability(), 4).prop_map(Code::Capability),
        vec(flag(Ctx::Perm), 0..4).prop_map(Code::PermanentFlags),
        nz().prop_map(Code::UidNext),
        nz().prop_map(Code::UidValidity),
        nz().prop_map(Code::Unseen),
        (x_atom(), proptest::option::of("[a-z0-9 ]{1,10}")).prop_map(|(name, text)| Code::Other {
            name,
            text: text.map(Cow::Owned)
        }),
        ext_code(),
    ]
}

// ---------------------------------------------------------------- extension responses

fn uid_set() -> impl Strategy<Value = UidSet<'static>> {
    vec(
        prop_oneof![
            nz().prop_map(|n| n.to_string()),
            (nz(), nz()).prop_map(|(a, b)| format!("{a}:{b}")),
        ],
        1..4,
    )
    .prop_map(|v| UidSet::new(v.join(",")).unwrap())
}

fn mod_seq() -> impl Strategy<Value = ModSeq> {
    prop_oneof![
        (1u64..=1000).prop_map(|n| ModSeq::new(n).unwrap()),
        (1u64..=Number64::MAX).prop_map(|n| ModSeq::new(n).unwrap()),
    ]
}

/// Both halves of `number64`: what fits RFC 3501's `number` and what only RFC 9051's
/// 64-bit sizes reach (above `u32::MAX`), so neither is left to chance.
fn number64() -> impl Strategy<Value = Number64> {
    prop_oneof![
        any::<u32>().prop_map(u64::from),
        (u64::from(u32::MAX) + 1)..=Number64::MAX,
    ]
    .prop_map(|n| Number64::new(n).unwrap())
}

/// `nz-number64`: small values and values above `u32::MAX`, up to 2^63 - 1.
fn nz_number64() -> impl Strategy<Value = NzNumber64> {
    prop_oneof![
        1u64..=u64::from(u32::MAX),
        (u64::from(u32::MAX) + 1)..=Number64::MAX
    ]
    .prop_map(|n| NzNumber64::new(n).unwrap())
}

/// A raw extension value: a number, a quoted string, a parenthesized list or NIL.
fn raw_ext_value() -> impl Strategy<Value = Cow<'static, [u8]>> {
    prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        "\"[a-z ]{0,5}\"",
        "\\([0-9]{1,3}( [a-z]{1,3}){0,3}\\)",
        Just("NIL".to_string()),
    ]
    .prop_map(|v| Cow::Owned(v.into_bytes()))
}

fn ext_code() -> impl Strategy<Value = Code<'static>> {
    prop_oneof![
        proptest::sample::select(vec![
            Code::UidNotSticky,
            Code::NoModSeq,
            Code::Closed,
            Code::Unavailable,
            Code::AuthenticationFailed,
            Code::AuthorizationFailed,
            Code::Expired,
            Code::PrivacyRequired,
            Code::ContactAdmin,
            Code::NoPerm,
            Code::InUse,
            Code::ExpungeIssued,
            Code::Corruption,
            Code::ServerBug,
            Code::ClientBug,
            Code::Cannot,
            Code::Limit,
            Code::OverQuota,
            Code::AlreadyExists,
            Code::NonExistent,
            Code::UnknownCte,
            Code::CompressionActive,
        ]),
        (nz(), uid_set()).prop_map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids }),
        (nz(), uid_set(), uid_set()).prop_map(|(uid_validity, source, destination)| {
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            }
        }),
        mod_seq().prop_map(Code::HighestModSeq),
        sequence_set().prop_map(Code::Modified),
        prop_oneof![
            any::<u32>().prop_map(MetadataCode::LongEntries),
            any::<u32>().prop_map(MetadataCode::MaxSize),
            Just(MetadataCode::TooMany),
            Just(MetadataCode::NoPrivate),
        ]
        .prop_map(Code::Metadata),
    ]
}

fn nstring8() -> impl Strategy<Value = NString8<'static>> {
    prop_oneof![
        nstring().prop_map(NString8::NString),
        (vec(any::<u8>(), 0..40), any::<bool>()).prop_map(|(d, sync)| {
            let mode = if sync {
                LiteralMode::Sync
            } else {
                LiteralMode::NonSync
            };
            NString8::Literal8(Literal8::with_mode(d, mode).unwrap())
        }),
    ]
}

fn gm_label() -> impl Strategy<Value = GmLabel<'static>> {
    prop_oneof![
        atom().prop_map(GmLabel::System),
        astring().prop_map(GmLabel::Name),
    ]
}

fn ext_message_data_item() -> impl Strategy<Value = MessageDataItem<'static>> {
    use MessageDataItem as M;
    prop_oneof![
        mod_seq().prop_map(M::ModSeq),
        (
            vec(nz(), 0..3),
            proptest::option::of(any::<u32>()),
            nstring8()
        )
            .prop_map(|(section, origin, data)| M::Binary {
                section,
                origin,
                data
            }),
        (vec(nz(), 0..3), any::<u32>()).prop_map(|(section, size)| M::BinarySize { section, size }),
        any::<u64>().prop_map(M::GmMsgId),
        any::<u64>().prop_map(M::GmThrId),
        vec(gm_label(), 0..4).prop_map(M::GmLabels),
    ]
}

fn status_item() -> impl Strategy<Value = StatusItem<'static>> {
    prop_oneof![
        any::<u32>().prop_map(StatusItem::Messages),
        any::<u32>().prop_map(StatusItem::Recent),
        any::<u32>().prop_map(StatusItem::UidNext),
        any::<u32>().prop_map(StatusItem::UidValidity),
        any::<u32>().prop_map(StatusItem::Unseen),
        proptest::option::of(mod_seq()).prop_map(StatusItem::HighestModSeq),
        number64().prop_map(StatusItem::Size),
        any::<u32>().prop_map(StatusItem::Deleted),
        proptest::option::of(any::<u32>()).prop_map(StatusItem::AppendLimit),
        (x_atom(), raw_ext_value()).prop_map(|(name, value)| StatusItem::Other { name, value }),
    ]
}

fn list_extended_item() -> impl Strategy<Value = ListExtendedItem<'static>> {
    prop_oneof![
        vec1(
            "[A-Z]{1,10}".prop_map(|s| Quoted::new(s.into_bytes()).unwrap()),
            3
        )
        .prop_map(ListExtendedItem::ChildInfo),
        mailbox().prop_map(ListExtendedItem::OldName),
        ("X[A-Z]{0,6}", raw_ext_value()).prop_map(|(t, value)| ListExtendedItem::Other {
            tag: AString::new(t.into_bytes()).unwrap(),
            value
        }),
    ]
}

fn thread_list() -> impl Strategy<Value = ThreadList> {
    vec(nz(), 1..4)
        .prop_map(|m| ThreadList::new(m, vec![]).unwrap())
        .prop_recursive(3, 16, 3, |inner| {
            (vec(nz(), 0..3), vec(inner, 2..4))
                .prop_map(|(members, nested)| ThreadList::new(members, nested).unwrap())
        })
}

fn search_return_data() -> impl Strategy<Value = SearchReturnData<'static>> {
    prop_oneof![
        nz().prop_map(SearchReturnData::Min),
        nz().prop_map(SearchReturnData::Max),
        sequence_set().prop_map(SearchReturnData::All),
        any::<u32>().prop_map(SearchReturnData::Count),
        mod_seq().prop_map(SearchReturnData::ModSeq),
        (x_atom(), raw_ext_value())
            .prop_map(|(name, value)| SearchReturnData::Other { name, value }),
    ]
}

fn namespaces() -> impl Strategy<Value = Namespaces<'static>> {
    let descr = (
        istring(),
        proptest::option::of(0x20u8..0x7f),
        vec((istring(), vec1(istring(), 2)), 0..2),
    )
        .prop_map(|(prefix, delimiter, extensions)| NamespaceDescr {
            prefix,
            delimiter,
            extensions,
        });
    proptest::option::of(vec1(descr, 3))
}

fn ext_data() -> impl Strategy<Value = Data<'static>> {
    prop_oneof![
        (vec1(nz(), 4), mod_seq()).prop_map(|(ids, modseq)| Data::SearchModSeq { ids, modseq }),
        vec(nz(), 0..6).prop_map(Data::Sort),
        (vec1(nz(), 4), mod_seq()).prop_map(|(ids, modseq)| Data::SortModSeq { ids, modseq }),
        vec(thread_list(), 0..3).prop_map(Data::Thread),
        (
            proptest::option::of(istring()),
            any::<bool>(),
            vec(search_return_data(), 0..4)
        )
            .prop_map(|(tag, uid, data)| Data::Esearch(Esearch { tag, uid, data })),
        vec(capability(), 0..4).prop_map(Data::Enabled),
        proptest::option::of(vec((istring(), nstring()), 0..3)).prop_map(Data::Id),
        (namespaces(), namespaces(), namespaces()).prop_map(|(personal, other, shared)| {
            Data::Namespace {
                personal,
                other,
                shared,
            }
        }),
        (any::<bool>(), uid_set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        (
            astring(),
            vec1(
                (atom(), number64(), number64()).prop_map(|(name, usage, limit)| QuotaResource {
                    name,
                    usage,
                    limit
                }),
                3
            )
        )
            .prop_map(|(root, resources)| Data::Quota { root, resources }),
        (mailbox(), vec(astring(), 0..3))
            .prop_map(|(mailbox, roots)| Data::QuotaRoot { mailbox, roots }),
        (
            mailbox(),
            prop_oneof![
                vec1((astring(), nstring8()), 3).prop_map(MetadataEntries::Values),
                vec1(astring(), 3).prop_map(MetadataEntries::Names),
            ]
        )
            .prop_map(|(mailbox, entries)| Data::Metadata { mailbox, entries }),
        (any::<u32>(), x_atom(), "[a-z0-9 ]{0,10}").prop_map(|(number, name, r)| {
            Data::NumberedOther {
                number,
                name,
                rest: Cow::Owned(r.into_bytes()),
            }
        }),
    ]
}

fn address() -> impl Strategy<Value = Address<'static>> {
    (nstring(), nstring(), nstring(), nstring()).prop_map(|(name, adl, mailbox, host)| Address {
        name,
        adl,
        mailbox,
        host,
    })
}

fn address_lists() -> impl Strategy<Value = AddressLists<'static>> {
    let addrs = || vec(address(), 0..3);
    [addrs(), addrs(), addrs(), addrs(), addrs(), addrs()].prop_map(AddressLists::from)
}

fn envelope() -> impl Strategy<Value = Envelope<'static>> {
    (nstring(), nstring(), address_lists(), nstring(), nstring()).prop_map(
        |(date, subject, lists, in_reply_to, message_id)| {
            Envelope::new(date, subject, lists, in_reply_to, message_id)
        },
    )
}

fn params() -> impl Strategy<Value = BodyParams<'static>> {
    vec((istring(), istring()), 0..3)
}

fn body_extension() -> impl Strategy<Value = BodyExtension<'static>> {
    prop_oneof![
        nstring().prop_map(BodyExtension::NString),
        any::<u32>().prop_map(BodyExtension::Number)
    ]
    .prop_recursive(3, 8, 3, |inner| {
        vec1(inner, 3).prop_map(BodyExtension::List)
    })
}

fn dsp_ext() -> impl Strategy<Value = Option<DispositionExt<'static>>> {
    let loc =
        (nstring(), vec(body_extension(), 0..3)).prop_map(|(location, extensions)| LocationExt {
            location,
            extensions,
        });
    let lang = (
        prop_oneof![
            nstring().prop_map(Language::Single),
            vec1(istring(), 3).prop_map(Language::List)
        ],
        proptest::option::of(loc),
    )
        .prop_map(|(language, tail)| LanguageExt { language, tail });
    proptest::option::of(
        (
            proptest::option::of((istring(), params())),
            proptest::option::of(lang),
        )
            .prop_map(|(disposition, tail)| DispositionExt { disposition, tail }),
    )
}

fn fields() -> impl Strategy<Value = BodyFields<'static>> {
    (params(), nstring(), nstring(), istring(), any::<u32>()).prop_map(
        |(params, id, description, encoding, octets)| BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        },
    )
}

fn quoted(s: &str) -> IString<'static> {
    IString::Quoted(Quoted::new(s.as_bytes().to_vec()).unwrap())
}

fn single_ext() -> impl Strategy<Value = Option<SinglePartExtension<'static>>> {
    proptest::option::of(
        (nstring(), dsp_ext()).prop_map(|(md5, tail)| SinglePartExtension { md5, tail }),
    )
}

fn body_structure() -> impl Strategy<Value = BodyStructure<'static>> {
    let basic = (
        proptest::sample::select(vec!["APPLICATION", "IMAGE", "AUDIO", "VIDEO", "MESSAGE"]),
        "[A-Z]{1,6}",
        fields(),
        single_ext(),
    )
        .prop_filter("MESSAGE/RFC822 is not basic", |(t, s, _, _)| {
            !(*t == "MESSAGE" && s == "RFC822")
        })
        .prop_map(|(t, s, fields, extension)| BodyStructure::Single {
            body: SinglePart {
                media_type: quoted(t),
                subtype: quoted(&s),
                fields,
                specific: SpecificFields::Basic,
            },
            extension,
        });
    let text = (istring(), fields(), number64(), single_ext()).prop_map(
        |(subtype, fields, lines, extension)| BodyStructure::Single {
            body: SinglePart {
                media_type: quoted("TEXT"),
                subtype,
                fields,
                specific: SpecificFields::Text { lines },
            },
            extension,
        },
    );
    prop_oneof![basic, text].prop_recursive(3, 10, 3, |inner| {
        prop_oneof![
            (
                vec1(inner.clone(), 3),
                istring(),
                proptest::option::of(
                    (params(), dsp_ext())
                        .prop_map(|(params, tail)| MultiPartExtension { params, tail })
                )
            )
                .prop_map(|(bodies, subtype, extension)| BodyStructure::Multi {
                    bodies,
                    subtype,
                    extension
                }),
            (fields(), envelope(), inner, number64(), single_ext()).prop_map(
                |(fields, env, body, lines, extension)| {
                    BodyStructure::Single {
                        body: SinglePart {
                            media_type: quoted("MESSAGE"),
                            subtype: quoted("RFC822"),
                            fields,
                            specific: SpecificFields::Message {
                                envelope: Box::new(env),
                                body: Box::new(body),
                                lines,
                            },
                        },
                        extension,
                    }
                }
            ),
        ]
    })
}

fn message_data_item() -> impl Strategy<Value = MessageDataItem<'static>> {
    use MessageDataItem as M;
    prop_oneof![
        vec(flag(Ctx::Fetch), 0..4).prop_map(M::Flags),
        envelope().prop_map(|e| M::Envelope(Box::new(e))),
        date_time().prop_map(M::InternalDate),
        nstring().prop_map(M::Rfc822),
        nstring().prop_map(M::Rfc822Header),
        nstring().prop_map(M::Rfc822Text),
        number64().prop_map(M::Rfc822Size),
        body_structure().prop_map(|b| M::Body(Box::new(b))),
        body_structure().prop_map(|b| M::BodyStructure(Box::new(b))),
        (section(), proptest::option::of(any::<u32>()), nstring()).prop_map(
            |(section, origin, data)| M::BodySection {
                section,
                origin,
                data
            }
        ),
        nz().prop_map(M::Uid),
        ("X-[A-Z]{1,6}", raw_ext_value()).prop_map(|(name, value)| M::Other {
            name: Cow::Owned(name),
            value
        }),
        ext_message_data_item(),
    ]
}

fn name_attribute() -> impl Strategy<Value = NameAttribute<'static>> {
    prop_oneof![
        proptest::sample::select(vec![
            NameAttribute::NoInferiors,
            NameAttribute::NoSelect,
            NameAttribute::Marked,
            NameAttribute::Unmarked,
            NameAttribute::NonExistent,
            NameAttribute::Subscribed,
            NameAttribute::Remote,
            NameAttribute::HasChildren,
            NameAttribute::HasNoChildren,
            NameAttribute::All,
            NameAttribute::Archive,
            NameAttribute::Drafts,
            NameAttribute::Flagged,
            NameAttribute::Junk,
            NameAttribute::Sent,
            NameAttribute::Trash,
        ]),
        "X[a-z]{1,5}".prop_map(|s| NameAttribute::Extension(Atom::new(s).unwrap())),
    ]
}

fn data() -> impl Strategy<Value = Data<'static>> {
    prop_oneof![
        vec1(capability(), 5).prop_map(Data::Capability),
        (
            any::<bool>(),
            vec(name_attribute(), 0..3),
            proptest::option::of(0x20u8..0x7f),
            mailbox(),
            proptest::option::of(vec(list_extended_item(), 0..3)),
        )
            .prop_map(|(list, attributes, delimiter, mailbox, extended)| if list {
                Data::List {
                    attributes,
                    delimiter,
                    mailbox,
                    extended,
                }
            } else {
                Data::Lsub {
                    attributes,
                    delimiter,
                    mailbox,
                }
            }),
        (mailbox(), vec(status_item(), 0..5))
            .prop_map(|(mailbox, items)| Data::Status { mailbox, items }),
        vec(nz(), 0..6).prop_map(Data::Search),
        vec(flag(Ctx::Flag), 0..5).prop_map(Data::Flags),
        any::<u32>().prop_map(Data::Exists),
        any::<u32>().prop_map(Data::Recent),
        nz().prop_map(Data::Expunge),
        (nz(), vec1(message_data_item(), 3)).prop_map(|(seq, items)| Data::Fetch { seq, items }),
        (x_atom(), "[a-z0-9 ]{0,10}").prop_map(|(name, r)| Data::Other {
            name,
            rest: Cow::Owned(r.into_bytes())
        }),
        ext_data(),
    ]
}

fn response() -> impl Strategy<Value = Response<'static>> {
    let kinds = vec![StatusKind::Ok, StatusKind::No, StatusKind::Bad];
    let all_kinds = vec![
        StatusKind::Ok,
        StatusKind::No,
        StatusKind::Bad,
        StatusKind::PreAuth,
        StatusKind::Bye,
    ];
    prop_oneof![
        (
            tag(),
            proptest::sample::select(kinds),
            proptest::option::of(code()),
            text()
        )
            .prop_map(|(t, kind, code, text)| Response::Status(StatusResponse {
                tag: Some(t),
                kind,
                code,
                text
            })),
        (
            proptest::sample::select(all_kinds),
            proptest::option::of(code()),
            text()
        )
            .prop_map(|(kind, code, text)| Response::Status(StatusResponse {
                tag: None,
                kind,
                code,
                text
            })),
        data().prop_map(Response::Data),
        (proptest::option::of(code()), "[A-Za-z]{1,5} [a-z ]{0,10}").prop_map(|(code, t)| {
            Response::Continue(Continue::Basic {
                code,
                text: Text::new(t).unwrap(),
            })
        }),
        vec(any::<u8>(), 0..30).prop_map(|d| Response::Continue(Continue::Base64(Cow::Owned(d)))),
    ]
}

fn greeting() -> impl Strategy<Value = Greeting<'static>> {
    (
        proptest::sample::select(vec![StatusKind::Ok, StatusKind::PreAuth, StatusKind::Bye]),
        proptest::option::of(code()),
        text(),
    )
        .prop_map(|(kind, code, text)| Greeting { kind, code, text })
}

// ---------------------------------------------------------------- properties

fn decode_commands(bytes: &[u8], cuts: &[usize]) -> Vec<Command<'static>> {
    let mut dec = server_decoder();
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut last = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(bytes.len());
    points.sort_unstable();
    for p in points {
        buf.extend_from_slice(&bytes[last..p]);
        last = p;
        loop {
            match dec.decode(&buf).unwrap() {
                CommandDecoded::Complete { command, consumed } => {
                    out.push(command.into_owned());
                    buf.drain(..consumed);
                }
                CommandDecoded::ContinuationNeeded { .. } => {}
                CommandDecoded::Incomplete { .. } => break,
            }
        }
    }
    assert!(buf.is_empty());
    out
}

fn decode_responses(bytes: &[u8], cuts: &[usize]) -> Vec<Response<'static>> {
    let mut dec = ResponseDecoder::default();
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut last = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(bytes.len());
    points.sort_unstable();
    for p in points {
        buf.extend_from_slice(&bytes[last..p]);
        last = p;
        while let Decoded::Complete { value, consumed } = dec.decode(&buf).unwrap() {
            out.push(value.into_owned());
            buf.drain(..consumed);
        }
    }
    assert!(buf.is_empty());
    out
}

/// Runs a property on a thread with a large stack: the nested generators of BODYSTRUCTURE
/// and SEARCH need more than the default 2 MiB in debug builds. `PROPTEST_CASES`, when
/// set, replaces the per-property count (for long runs hunting intermittent failures).
fn check<S, F>(cases: u32, strategy: fn() -> S, test: F)
where
    S: Strategy + 'static,
    F: Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
{
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
                cases,
                ..ProptestConfig::default()
            });
            if let Err(e) = runner.run(&strategy(), test) {
                panic!("{e}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn command_round_trips() {
    check(512, command, |c| {
        let bytes = c.to_vec();
        prop_assert_eq!(decode_commands(&bytes, &[]), vec![c.clone()]);
        // The stateless decoder agrees when no non-synchronizing literal is involved.
        if let Ok(Decoded::Complete { value, consumed }) = Command::decode(&bytes) {
            prop_assert_eq!(consumed, bytes.len());
            prop_assert_eq!(value, c.clone());
        }
        // The fragments concatenate to the flat encoding.
        let joined: Vec<u8> = c
            .fragments()
            .iter()
            .flat_map(|f| match f {
                Fragment::Line(l) => l.clone(),
                Fragment::Literal { data, .. } => data.to_vec(),
            })
            .collect();
        prop_assert_eq!(joined, bytes);
        Ok(())
    });
}

#[test]
fn envelope_address_lists_come_back_as_built() {
    check(256, address_lists, |l| {
        let e = Envelope::new(None, None, l.clone(), None, None);
        prop_assert_eq!(e.from(), l.from.as_slice());
        prop_assert_eq!(e.sender(), l.sender.as_slice());
        prop_assert_eq!(e.reply_to(), l.reply_to.as_slice());
        prop_assert_eq!(e.to(), l.to.as_slice());
        prop_assert_eq!(e.cc(), l.cc.as_slice());
        prop_assert_eq!(e.bcc(), l.bcc.as_slice());
        prop_assert_eq!(e.clone().into_owned().into_lists(), l.clone());
        prop_assert_eq!(e.into_lists(), l);
        Ok(())
    });
}

#[test]
fn response_round_trips() {
    check(512, response, |r| {
        let bytes = r.to_vec();
        prop_assert_eq!(decode_responses(&bytes, &[]), vec![r]);
        Ok(())
    });
}

#[test]
fn greeting_round_trips() {
    check(256, greeting, |g| {
        let bytes = g.to_vec();
        let mut dec = ResponseDecoder::default();
        match dec.decode_greeting(&bytes).unwrap() {
            Decoded::Complete { value, consumed } => {
                prop_assert_eq!(consumed, bytes.len());
                prop_assert_eq!(value, g);
            }
            Decoded::Incomplete { .. } => prop_assert!(false, "incomplete"),
        }
        Ok(())
    });
}

fn commands_and_cuts() -> impl Strategy<Value = (Vec<Command<'static>>, Vec<usize>)> {
    (vec(command(), 1..4), vec(any::<usize>(), 0..12))
}

fn responses_and_cuts() -> impl Strategy<Value = (Vec<Response<'static>>, Vec<usize>)> {
    (vec(response(), 1..4), vec(any::<usize>(), 0..12))
}

#[test]
fn commands_decode_the_same_at_any_chunking() {
    check(256, commands_and_cuts, |(cs, cuts)| {
        let bytes: Vec<u8> = cs.iter().flat_map(|c| c.to_vec()).collect();
        let whole = decode_commands(&bytes, &[]);
        prop_assert_eq!(&whole, &cs);
        prop_assert_eq!(decode_commands(&bytes, &cuts), whole);
        Ok(())
    });
}

#[test]
fn responses_decode_the_same_at_any_chunking() {
    check(256, responses_and_cuts, |(rs, cuts)| {
        let bytes: Vec<u8> = rs.iter().flat_map(|r| r.to_vec()).collect();
        let whole = decode_responses(&bytes, &[]);
        prop_assert_eq!(&whole, &rs);
        prop_assert_eq!(decode_responses(&bytes, &cuts), whole);
        Ok(())
    });
}

fn both() -> impl Strategy<Value = (Vec<Command<'static>>, Vec<Response<'static>>)> {
    (vec(command(), 1..3), vec(response(), 1..3))
}

/// Every byte boundary at once: one byte at a time.
#[test]
fn one_byte_chunks_give_the_same_values() {
    check(64, both, |(cs, rs)| {
        let cb: Vec<u8> = cs.iter().flat_map(|c| c.to_vec()).collect();
        let all: Vec<usize> = (0..cb.len()).collect();
        prop_assert_eq!(decode_commands(&cb, &all), cs);
        let rb: Vec<u8> = rs.iter().flat_map(|r| r.to_vec()).collect();
        let all: Vec<usize> = (0..rb.len()).collect();
        prop_assert_eq!(decode_responses(&rb, &all), rs);
        Ok(())
    });
}

fn fetch_bodystructure() -> impl Strategy<Value = Response<'static>> {
    (nz(), body_structure(), envelope()).prop_map(|(seq, b, e)| {
        Response::Data(Data::Fetch {
            seq,
            items: Vec1::try_from(vec![
                MessageDataItem::BodyStructure(Box::new(b)),
                MessageDataItem::Envelope(Box::new(e)),
            ])
            .unwrap(),
        })
    })
}

/// Nested BODYSTRUCTURE and ENVELOPE values, more of them than the mixed generator gives.
#[test]
fn bodystructure_and_envelope_round_trip() {
    check(256, fetch_bodystructure, |r| {
        let bytes = r.to_vec();
        prop_assert_eq!(decode_responses(&bytes, &[]), vec![r]);
        Ok(())
    });
}

fn authenticate_data() -> impl Strategy<Value = AuthenticateData<'static>> {
    prop_oneof![
        Just(AuthenticateData::Cancel),
        vec(any::<u8>(), 0..64).prop_map(|d| AuthenticateData::Response(Cow::Owned(d))),
    ]
}

/// AUTHENTICATE continuation lines (RFC 3501 §6.2.2) round trip through the server decoder.
#[test]
fn authenticate_lines_round_trip() {
    check(256, authenticate_data, |d| {
        let bytes = d.to_vec();
        let mut dec = server_decoder();
        let mut buf = Vec::new();
        let mut got = None;
        for b in &bytes {
            buf.push(*b);
            if let Decoded::Complete { value, consumed } = dec.decode_authenticate(&buf).unwrap() {
                prop_assert_eq!(consumed, bytes.len());
                got = Some(value.into_owned());
            }
        }
        prop_assert_eq!(got, Some(d));
        Ok(())
    });
}

fn unicode_name() -> impl Strategy<Value = String> {
    "\\PC{0,16}"
}

/// Modified UTF-7 (RFC 3501 §5.1.3): decode(encode(name)) == name for any Unicode name,
/// and the encoding is plain printable ASCII.
#[test]
fn modified_utf7_round_trips() {
    check(512, unicode_name, |name| {
        let wire = imap_proto::utf7::encode(&name);
        prop_assert!(wire.bytes().all(|b| (0x20..0x7f).contains(&b)));
        prop_assert_eq!(
            imap_proto::utf7::decode(wire.as_bytes()).unwrap(),
            name.clone()
        );
        if !name.is_empty() {
            let m = Mailbox::from_utf8(&name).unwrap();
            prop_assert_eq!(m.to_utf8().unwrap().to_lowercase(), name.to_lowercase());
        }
        Ok(())
    });
}

fn seq_items() -> impl Strategy<Value = Vec<SeqItem>> {
    vec(
        prop_oneof![
            seq_number().prop_map(SeqItem::Single),
            (seq_number(), seq_number()).prop_map(|(a, b)| SeqItem::Range(a, b)),
        ],
        1..6,
    )
}

/// A sequence set built from items gives the same items back, and parses as its own
/// wire form.
#[test]
fn sequence_sets_round_trip() {
    check(512, seq_items, |items| {
        let set = SequenceSet::from_items(&items).unwrap();
        prop_assert_eq!(set.iter().collect::<Vec<_>>(), items);
        prop_assert_eq!(
            SequenceSet::new(set.as_str().to_string()).unwrap(),
            set.clone()
        );
        Ok(())
    });
}

// ---------------------------------------------------------------- extension commands

fn label() -> impl Strategy<Value = Atom<'static>> {
    "X-[A-Z]{1,5}".prop_map(|s| Atom::new(s).unwrap())
}

fn tagged_ext() -> impl Strategy<Value = TaggedExt<'static>> {
    let value = prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        "[1-9]:[1-9],\\*",
        "\\(\\)",
        "\\([a-z]{1,3}( \"[a-z ]{0,3}\"){0,2}( \\([0-9]{1,2} [a-z]\\))?\\)",
    ]
    .prop_map(|v| TaggedExtVal::new(v.into_bytes()).unwrap());
    (label(), proptest::option::of(value)).prop_map(|(name, value)| TaggedExt { name, value })
}

fn status_attribute() -> impl Strategy<Value = StatusAttribute> {
    use StatusAttribute as S;
    prop_oneof![
        proptest::sample::select(vec![
            S::Messages,
            S::Recent,
            S::UidNext,
            S::UidValidity,
            S::Unseen,
            S::HighestModSeq,
            S::Size,
            S::Deleted,
            S::AppendLimit,
        ]),
        "X[A-Z]{1,5}".prop_map(|s| S::Other(Atom::new(s).unwrap())),
    ]
}

fn literal8() -> impl Strategy<Value = Literal8<'static>> {
    (vec(any::<u8>(), 0..40), any::<bool>()).prop_map(|(d, sync)| {
        let mode = if sync {
            LiteralMode::Sync
        } else {
            LiteralMode::NonSync
        };
        Literal8::with_mode(d, mode).unwrap()
    })
}

/// `partial = "<" number64 "." nz-number64 ">"` (RFC 9051 §9), offsets and lengths past
/// 4 GiB included.
fn partial() -> impl Strategy<Value = Option<Partial>> {
    proptest::option::of(
        (number64(), nz_number64()).prop_map(|(offset, length)| Partial { offset, length }),
    )
}

fn ext_search_key() -> impl Strategy<Value = SearchKey<'static>> {
    use SearchKey as K;
    let entry = (
        "/flags/[a-z\\\\]{1,6}".prop_map(|s| Quoted::new(s.into_bytes()).unwrap()),
        proptest::sample::select(vec![EntryType::Private, EntryType::Shared, EntryType::All]),
    )
        .prop_map(|(name, kind)| ModSeqEntry { name, kind });
    prop_oneof![
        (proptest::option::of(entry), proptest::option::of(mod_seq()))
            .prop_map(|(entry, modseq)| K::ModSeq { entry, modseq }),
        astring().prop_map(K::GmRaw),
        any::<u64>().prop_map(K::GmMsgId),
        any::<u64>().prop_map(K::GmThrId),
        astring().prop_map(K::GmLabels),
    ]
}

fn ext_fetch_attribute() -> impl Strategy<Value = FetchAttribute<'static>> {
    use FetchAttribute as F;
    prop_oneof![
        proptest::sample::select(vec![F::ModSeq, F::GmMsgId, F::GmThrId, F::GmLabels]),
        (any::<bool>(), vec(nz(), 0..3), partial()).prop_map(|(peek, section, partial)| {
            F::Binary {
                peek,
                section,
                partial,
            }
        }),
        vec(nz(), 0..3).prop_map(|section| F::BinarySize { section }),
    ]
}

fn select_param() -> impl Strategy<Value = SelectParam<'static>> {
    let qresync = (
        nz(),
        mod_seq(),
        proptest::option::of(sequence_set()),
        proptest::option::of((sequence_set(), sequence_set())),
    )
        .prop_map(|(uidvalidity, modseq, known_uids, seq_match)| {
            SelectParam::Qresync(Qresync {
                uidvalidity,
                modseq,
                known_uids,
                seq_match,
            })
        });
    prop_oneof![
        Just(SelectParam::Condstore),
        qresync,
        tagged_ext().prop_map(SelectParam::Other),
    ]
}

fn store_flags() -> impl Strategy<Value = StoreFlags<'static>> {
    prop_oneof![
        vec(flag(Ctx::Flag), 0..3).prop_map(StoreFlags::List),
        vec1(flag(Ctx::Flag), 3).prop_map(StoreFlags::Bare)
    ]
}

fn store_action() -> impl Strategy<Value = StoreAction> {
    proptest::sample::select(vec![
        StoreAction::Replace,
        StoreAction::Add,
        StoreAction::Remove,
    ])
}

fn append_message() -> impl Strategy<Value = AppendMessage<'static>> {
    (
        proptest::option::of(vec(flag(Ctx::Flag), 0..3)),
        proptest::option::of(date_time()),
        prop_oneof![
            literal().prop_map(AppendData::Literal),
            literal8().prop_map(AppendData::Binary),
            literal8().prop_map(AppendData::Utf8),
        ],
    )
        .prop_map(|(flags, date, data)| AppendMessage { flags, date, data })
}

fn sort_criterion() -> impl Strategy<Value = SortCriterion<'static>> {
    use SortKey as K;
    let key = prop_oneof![
        proptest::sample::select(vec![
            K::Arrival,
            K::Cc,
            K::Date,
            K::From,
            K::Size,
            K::Subject,
            K::To,
            K::DisplayFrom,
            K::DisplayTo,
        ]),
        "X[A-Z]{1,5}".prop_map(|s| K::Other(Atom::new(s).unwrap())),
    ];
    (any::<bool>(), key).prop_map(|(reverse, key)| SortCriterion { reverse, key })
}

fn charset() -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        "[A-Z0-9-]{1,8}".prop_map(|s| AString::new(s.into_bytes()).unwrap()),
        "[a-z -]{0,8}"
            .prop_map(|s| AString::String(IString::Quoted(Quoted::new(s.into_bytes()).unwrap()))),
    ]
}

/// Every extension command variant, built so that the decoder gives the same variant
/// back (an `*Ext` form always carries what makes it one).
fn ext_command_body() -> impl Strategy<Value = CommandBody<'static>> {
    use CommandBody as C;
    let simple = proptest::sample::select(vec![C::Unselect, C::Idle, C::Namespace]);
    let list_ext = (
        proptest::option::of(vec(
            prop_oneof![
                proptest::sample::select(vec![
                    ListSelectOption::Subscribed,
                    ListSelectOption::Remote,
                    ListSelectOption::RecursiveMatch,
                    ListSelectOption::SpecialUse,
                ]),
                tagged_ext().prop_map(ListSelectOption::Other),
            ],
            0..3,
        )),
        mailbox(),
        prop_oneof![
            list_mailbox().prop_map(OneOrList::One),
            vec1(list_mailbox(), 3).prop_map(OneOrList::List),
        ],
        proptest::option::of(vec(
            prop_oneof![
                proptest::sample::select(vec![
                    ListReturnOption::Subscribed,
                    ListReturnOption::Children,
                    ListReturnOption::SpecialUse,
                ]),
                vec1(status_attribute(), 3).prop_map(ListReturnOption::Status),
                tagged_ext().prop_map(ListReturnOption::Other),
            ],
            0..3,
        )),
    )
        .prop_map(|(selection, reference, patterns, return_options)| {
            let patterns = match (&selection, patterns, &return_options) {
                // Nothing extended left: make the patterns a list.
                (None, OneOrList::One(p), None) => OneOrList::List(Vec1::one(p)),
                (_, p, _) => p,
            };
            C::ListExt {
                selection,
                reference,
                patterns,
                return_options,
            }
        });
    let append_ext = (mailbox(), vec(append_message(), 1..3), literal8()).prop_map(
        |(mailbox, mut messages, l8)| {
            if let [only] = messages.as_mut_slice() {
                if matches!(only.data, AppendData::Literal(_)) {
                    only.data = AppendData::Binary(l8);
                }
            }
            C::AppendExt {
                mailbox,
                messages: Vec1::try_from(messages).unwrap(),
            }
        },
    );
    let store_ext = (
        any::<bool>(),
        sequence_set(),
        vec(
            prop_oneof![
                proptest::option::of(mod_seq()).prop_map(StoreModifier::UnchangedSince),
                tagged_ext().prop_map(StoreModifier::Other),
            ],
            0..3,
        ),
        store_action(),
        any::<bool>(),
        store_flags(),
        vec(gm_label(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(uid, sequence_set, modifiers, action, silent, flags, labels, gm)| {
                let attribute = if gm || modifiers.is_empty() {
                    StoreAttribute::GmLabels(labels)
                } else {
                    StoreAttribute::Flags(flags)
                };
                C::StoreExt {
                    uid,
                    sequence_set,
                    modifiers,
                    action,
                    silent,
                    attribute,
                }
            },
        );
    let metadata_option = prop_oneof![
        any::<u32>().prop_map(MetadataOption::MaxSize),
        proptest::sample::select(vec![
            MetadataDepth::Zero,
            MetadataDepth::One,
            MetadataDepth::Infinity
        ])
        .prop_map(MetadataOption::Depth),
        tagged_ext().prop_map(MetadataOption::Other),
    ];
    prop_oneof![
        simple,
        (any::<bool>(), sequence_set(), mailbox()).prop_map(|(uid, sequence_set, mailbox)| {
            C::Move {
                uid,
                sequence_set,
                mailbox,
            }
        }),
        prop_oneof![sequence_set(), Just(SequenceSet::saved_result())]
            .prop_map(|sequence_set| C::UidExpunge { sequence_set }),
        vec1(atom(), 3).prop_map(|capabilities| C::Enable { capabilities }),
        proptest::option::of(vec((istring(), nstring()), 0..3))
            .prop_map(|parameters| C::Id { parameters }),
        atom().prop_map(|algorithm| C::Compress { algorithm }),
        (any::<bool>(), mailbox(), vec1(select_param(), 3)).prop_map(
            |(examine, mailbox, parameters)| C::SelectExt {
                examine,
                mailbox,
                parameters,
            }
        ),
        (
            mailbox(),
            vec1(
                prop_oneof![
                    vec(atom(), 0..3).prop_map(CreateParam::Use),
                    tagged_ext().prop_map(CreateParam::Other),
                ],
                3
            )
        )
            .prop_map(|(mailbox, parameters)| C::CreateExt {
                mailbox,
                parameters
            }),
        list_ext,
        append_ext,
        (
            any::<bool>(),
            vec(
                prop_oneof![
                    proptest::sample::select(vec![
                        SearchReturnOption::Min,
                        SearchReturnOption::Max,
                        SearchReturnOption::All,
                        SearchReturnOption::Count,
                        SearchReturnOption::Save,
                    ]),
                    tagged_ext().prop_map(SearchReturnOption::Other),
                ],
                0..4
            ),
            proptest::option::of(astring()),
            vec1(search_key(), 3)
        )
            .prop_map(|(uid, return_options, charset, criteria)| C::SearchExt {
                uid,
                return_options,
                charset,
                criteria
            }),
        (
            any::<bool>(),
            sequence_set(),
            fetch_items(),
            vec1(
                prop_oneof![
                    mod_seq().prop_map(FetchModifier::ChangedSince),
                    Just(FetchModifier::Vanished),
                    tagged_ext().prop_map(FetchModifier::Other),
                ],
                3
            )
        )
            .prop_map(|(uid, sequence_set, items, modifiers)| C::FetchExt {
                uid,
                sequence_set,
                items,
                modifiers: Box::new(modifiers)
            }),
        store_ext,
        (
            any::<bool>(),
            vec1(sort_criterion(), 3),
            charset(),
            vec1(search_key(), 3)
        )
            .prop_map(|(uid, criteria, charset, keys)| C::Sort {
                uid,
                criteria,
                charset,
                keys
            }),
        (
            any::<bool>(),
            prop_oneof![
                Just(ThreadAlgorithm::OrderedSubject),
                Just(ThreadAlgorithm::References),
                "X[A-Z]{1,5}".prop_map(|s| ThreadAlgorithm::Other(Atom::new(s).unwrap())),
            ],
            charset(),
            vec1(search_key(), 3)
        )
            .prop_map(|(uid, algorithm, charset, keys)| C::Thread {
                uid,
                algorithm,
                charset,
                keys
            }),
        astring().prop_map(|root| C::GetQuota { root }),
        mailbox().prop_map(|mailbox| C::GetQuotaRoot { mailbox }),
        (
            astring(),
            vec(
                (atom(), number64()).prop_map(|(resource, limit)| QuotaLimit { resource, limit }),
                0..3
            )
        )
            .prop_map(|(root, limits)| C::SetQuota { root, limits }),
        (
            vec(metadata_option, 0..3),
            mailbox(),
            prop_oneof![
                astring().prop_map(OneOrList::One),
                vec1(astring(), 3).prop_map(OneOrList::List),
            ]
        )
            .prop_map(|(options, mailbox, entries)| C::GetMetadata {
                options,
                mailbox,
                entries
            }),
        (
            mailbox(),
            vec1(
                (
                    astring(),
                    prop_oneof![
                        nstring().prop_map(MetadataValue::String),
                        literal8().prop_map(MetadataValue::Binary),
                    ]
                ),
                3
            )
        )
            .prop_map(|(mailbox, values)| C::SetMetadata { mailbox, values }),
        (mailbox(), vec1(status_attribute(), 4))
            .prop_map(|(mailbox, items)| C::Status { mailbox, items }),
    ]
}

fn ext_command() -> impl Strategy<Value = Command<'static>> {
    (tag(), ext_command_body()).prop_map(|(t, b)| Command::new(t, b))
}

/// `decode(encode(x)) == x` for the extension commands alone, at 1-byte chunks too, and
/// the fragments join to the flat encoding (`~{n}` literals split like `{n}`).
#[test]
fn ext_command_round_trips() {
    check(1024, ext_command, |c| {
        let bytes = c.to_vec();
        prop_assert_eq!(decode_commands(&bytes, &[]), vec![c.clone()]);
        let cuts: Vec<usize> = (1..bytes.len()).collect();
        prop_assert_eq!(decode_commands(&bytes, &cuts), vec![c.clone()]);
        let joined: Vec<u8> = c
            .fragments()
            .iter()
            .flat_map(|f| match f {
                Fragment::Line(l) => l.clone(),
                Fragment::Literal { data, .. } => data.to_vec(),
            })
            .collect();
        prop_assert_eq!(joined, bytes);
        Ok(())
    });
}

// ---------------------------------------------------------------- extension responses

/// Only the extension responses, so that each variant comes up often (in the mixed
/// generator each is one choice in hundreds).
fn ext_response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        3 => ext_data().prop_map(Response::Data),
        2 => (nz(), vec1(ext_message_data_item(), 3))
            .prop_map(|(seq, items)| Response::Data(Data::Fetch { seq, items })),
        2 => (tag(), ext_code(), text()).prop_map(|(t, code, text)| {
            Response::Status(StatusResponse {
                tag: Some(t),
                kind: StatusKind::Ok,
                code: Some(code),
                text,
            })
        }),
        1 => (mailbox(), vec(status_item(), 0..5))
            .prop_map(|(mailbox, items)| Response::Data(Data::Status { mailbox, items })),
        1 => (
            vec(name_attribute(), 0..4),
            mailbox(),
            proptest::option::of(vec(list_extended_item(), 0..3))
        )
            .prop_map(|(attributes, mailbox, extended)| {
                Response::Data(Data::List {
                    attributes,
                    delimiter: Some(b'/'),
                    mailbox,
                    extended,
                })
            }),
    ]
}

fn ext_responses_and_cuts() -> impl Strategy<Value = (Vec<Response<'static>>, Vec<usize>)> {
    (vec(ext_response(), 1..4), vec(any::<usize>(), 0..12))
}

/// `decode(encode(x)) == x` for every extension response variant, whole and split at
/// random points.
#[test]
fn extension_responses_round_trip_at_any_chunking() {
    check(1024, ext_responses_and_cuts, |(rs, cuts)| {
        let bytes: Vec<u8> = rs.iter().flat_map(|r| r.to_vec()).collect();
        let whole = decode_responses(&bytes, &[]);
        prop_assert_eq!(&whole, &rs);
        prop_assert_eq!(decode_responses(&bytes, &cuts), whole);
        Ok(())
    });
}
