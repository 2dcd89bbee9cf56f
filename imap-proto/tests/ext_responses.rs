//! Extension responses: the examples of each RFC as exact bytes, decoded whole, one byte at
//! a time and with trailing bytes, compared with the typed value, and re-encoded to the
//! same bytes. Then the strict/lenient split for the RFC examples that send a response code
//! without text, the raw forms that keep unknown extensions byte for byte, and the limits.

mod common;

use std::borrow::Cow;
use std::num::NonZeroU32;

use common::*;
use imap_proto::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn nzs(v: &[u32]) -> Vec<NonZeroU32> {
    v.iter().map(|&n| nz(n)).collect()
}

fn uids(s: &'static str) -> UidSet<'static> {
    UidSet::new(s).unwrap()
}

fn modseq(n: u64) -> ModSeq {
    ModSeq::new(n).unwrap()
}

fn q(s: &str) -> IString<'static> {
    IString::Quoted(Quoted::new(s.as_bytes().to_vec()).unwrap())
}

fn qa(s: &str) -> AString<'static> {
    AString::String(q(s))
}

fn atom(s: &'static str) -> Atom<'static> {
    Atom::new(s).unwrap()
}

fn mbox(s: &'static str) -> Mailbox<'static> {
    Mailbox::try_from(s).unwrap()
}

fn qmbox(s: &str) -> Mailbox<'static> {
    Mailbox::new(qa(s))
}

fn tagged(
    tag: &'static str,
    kind: StatusKind,
    code: Code<'static>,
    text: &'static str,
) -> Response<'static> {
    Response::Status(StatusResponse {
        tag: Some(Tag::new(tag).unwrap()),
        kind,
        code: Some(code),
        text: Text::new(text).unwrap(),
    })
}

fn untagged(kind: StatusKind, code: Code<'static>, text: &'static str) -> Response<'static> {
    Response::Status(StatusResponse {
        tag: None,
        kind,
        code: Some(code),
        text: Text::new(text).unwrap(),
    })
}

fn data(d: Data<'static>) -> Response<'static> {
    Response::Data(d)
}

fn fetch(seq: u32, items: Vec<MessageDataItem<'static>>) -> Response<'static> {
    data(Data::Fetch {
        seq: nz(seq),
        items: Vec1::try_from(items).unwrap(),
    })
}

fn list(attributes: Vec<NameAttribute<'static>>, mailbox: Mailbox<'static>) -> Data<'static> {
    Data::List {
        attributes,
        delimiter: Some(b'/'),
        mailbox,
        extended: None,
    }
}

fn thread(members: &[u32], nested: Vec<ThreadList>) -> ThreadList {
    ThreadList::new(nzs(members), nested).unwrap()
}

fn ns(prefix: &str, delimiter: u8) -> NamespaceDescr<'static> {
    NamespaceDescr {
        prefix: q(prefix),
        delimiter: Some(delimiter),
        extensions: vec![],
    }
}

fn nss(v: Vec<NamespaceDescr<'static>>) -> Namespaces<'static> {
    Some(Vec1::try_from(v).unwrap())
}

fn quota(name: &'static str, usage: u64, limit: u64) -> QuotaResource<'static> {
    QuotaResource {
        name: atom(name),
        usage: Number64::new(usage).unwrap(),
        limit: Number64::new(limit).unwrap(),
    }
}

fn entry(s: &'static str) -> AString<'static> {
    AString::try_from(s).unwrap()
}

/// The RFC examples, byte for byte, with their values.
fn golden() -> Vec<(&'static str, Response<'static>)> {
    use StatusKind::{No, Ok};
    vec![
        // RFC 4315 §3 (UIDPLUS)
        (
            "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
            tagged(
                "A003",
                Ok,
                Code::AppendUid {
                    uid_validity: nz(38505),
                    uids: uids("3955"),
                },
                "APPEND completed",
            ),
        ),
        (
            "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
            tagged(
                "A004",
                Ok,
                Code::CopyUid {
                    uid_validity: nz(38505),
                    source: uids("304,319:320"),
                    destination: uids("3956:3958"),
                },
                "Done",
            ),
        ),
        (
            "* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n",
            untagged(No, Code::UidNotSticky, "Non-persistent UIDs"),
        ),
        // RFC 7162 §3.1.2.2, §3.1.3, §3.1.4.1, §3.1.5, §3.2.10
        (
            "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
            untagged(
                Ok,
                Code::NoModSeq,
                "Sorry, this mailbox format doesn't support modsequences",
            ),
        ),
        (
            "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
            tagged(
                "d105",
                Ok,
                Code::Modified(SequenceSet::new("7,9").unwrap()),
                "Conditional STORE failed",
            ),
        ),
        (
            "* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n",
            fetch(
                1,
                vec![
                    MessageDataItem::Uid(nz(4)),
                    MessageDataItem::ModSeq(modseq(12121231000)),
                ],
            ),
        ),
        (
            "* 7 FETCH (MODSEQ (320162342) FLAGS (\\Seen \\Deleted))\r\n",
            fetch(
                7,
                vec![
                    MessageDataItem::ModSeq(modseq(320162342)),
                    MessageDataItem::Flags(vec![Flag::Seen, Flag::Deleted]),
                ],
            ),
        ),
        (
            "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
            data(Data::SearchModSeq {
                ids: Vec1::try_from(nzs(&[2, 5, 6, 7, 11, 12, 18, 19, 20, 23])).unwrap(),
                modseq: modseq(917162500),
            }),
        ),
        ("* SEARCH\r\n", data(Data::Search(vec![]))),
        (
            "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n",
            data(Data::Status {
                mailbox: mbox("blurdybloop"),
                items: vec![
                    StatusItem::Messages(231),
                    StatusItem::UidNext(44292),
                    StatusItem::HighestModSeq(Some(modseq(7011231777))),
                ],
            }),
        ),
        (
            "* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236\r\n",
            data(Data::Esearch(Esearch {
                tag: Some(q("a")),
                uid: false,
                data: vec![
                    SearchReturnData::All(SequenceSet::new("1:3,5").unwrap()),
                    SearchReturnData::ModSeq(modseq(1236)),
                ],
            })),
        ),
        (
            "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n",
            data(Data::Vanished {
                earlier: true,
                uids: uids("41,43:116,118,120:211,214:540"),
            }),
        ),
        (
            "* VANISHED 405,407,410,425\r\n",
            data(Data::Vanished {
                earlier: false,
                uids: uids("405,407,410,425"),
            }),
        ),
        // RFC 9051 §7.1 (CLOSED)
        (
            "* OK [CLOSED] Previous mailbox is now closed\r\n",
            untagged(Ok, Code::Closed, "Previous mailbox is now closed"),
        ),
        // RFC 5530 §3
        (
            "a NO [UNAVAILABLE] User's backend down for maintenance\r\n",
            tagged(
                "a",
                No,
                Code::Unavailable,
                "User's backend down for maintenance",
            ),
        ),
        (
            "b NO [AUTHENTICATIONFAILED] Authentication failed\r\n",
            tagged("b", No, Code::AuthenticationFailed, "Authentication failed"),
        ),
        (
            "c1 NO [AUTHORIZATIONFAILED] No such authorization-ID\r\n",
            tagged(
                "c1",
                No,
                Code::AuthorizationFailed,
                "No such authorization-ID",
            ),
        ),
        (
            "d NO [EXPIRED] That password isn't valid any more\r\n",
            tagged("d", No, Code::Expired, "That password isn't valid any more"),
        ),
        (
            "d NO [PRIVACYREQUIRED] Connection offers no privacy\r\n",
            tagged(
                "d",
                No,
                Code::PrivacyRequired,
                "Connection offers no privacy",
            ),
        ),
        (
            "f NO [NOPERM] Access denied\r\n",
            tagged("f", No, Code::NoPerm, "Access denied"),
        ),
        (
            "g NO [INUSE] Mailbox in use\r\n",
            tagged("g", No, Code::InUse, "Mailbox in use"),
        ),
        (
            "h OK [EXPUNGEISSUED] Search completed\r\n",
            tagged("h", Ok, Code::ExpungeIssued, "Search completed"),
        ),
        (
            "i NO [CORRUPTION] Cannot open mailbox\r\n",
            tagged("i", No, Code::Corruption, "Cannot open mailbox"),
        ),
        (
            "j NO [SERVERBUG] This should not happen\r\n",
            tagged("j", No, Code::ServerBug, "This should not happen"),
        ),
        (
            "k2 OK [CLIENTBUG] Done\r\n",
            tagged("k2", Ok, Code::ClientBug, "Done"),
        ),
        (
            "l NO [CANNOT] Adjacent slashes are not supported\r\n",
            tagged("l", No, Code::Cannot, "Adjacent slashes are not supported"),
        ),
        (
            "m NO [LIMIT] At most 32 flags in one mailbox supported\r\n",
            tagged(
                "m",
                No,
                Code::Limit,
                "At most 32 flags in one mailbox supported",
            ),
        ),
        (
            "n1 NO [OVERQUOTA] Sorry\r\n",
            tagged("n1", No, Code::OverQuota, "Sorry"),
        ),
        (
            "o NO [ALREADYEXISTS] Mailbox \"that\" already exists\r\n",
            tagged(
                "o",
                No,
                Code::AlreadyExists,
                "Mailbox \"that\" already exists",
            ),
        ),
        (
            "p NO [NONEXISTENT] No such mailbox\r\n",
            tagged("p", No, Code::NonExistent, "No such mailbox"),
        ),
        // RFC 5464 §4.2.1, §4.3
        (
            "a OK [METADATA LONGENTRIES 2199] GETMETADATA complete\r\n",
            tagged(
                "a",
                Ok,
                Code::Metadata(MetadataCode::LongEntries(2199)),
                "GETMETADATA complete",
            ),
        ),
        (
            "a NO [METADATA TOOMANY] SETMETADATA failed\r\n",
            tagged(
                "a",
                No,
                Code::Metadata(MetadataCode::TooMany),
                "SETMETADATA failed",
            ),
        ),
        // RFC 5161 §4 (ENABLE)
        (
            "* ENABLED X-GOOD-IDEA\r\n",
            data(Data::Enabled(vec![Capability::Other(atom("X-GOOD-IDEA"))])),
        ),
        (
            "* ENABLED CONDSTORE\r\n",
            data(Data::Enabled(vec![Capability::Other(atom("CONDSTORE"))])),
        ),
        // RFC 2971 §3.2 (ID)
        ("* ID NIL\r\n", data(Data::Id(None))),
        (
            "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
            data(Data::Id(Some(vec![
                (q("name"), Some(q("Cyrus"))),
                (q("version"), Some(q("1.5"))),
                (q("os"), Some(q("sunos"))),
                (q("os-version"), Some(q("5.5"))),
                (
                    q("support-url"),
                    Some(q("mailto:cyrus-bugs+@andrew.cmu.edu")),
                ),
            ]))),
        ),
        // RFC 2342 §5 (NAMESPACE)
        (
            "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
            data(Data::Namespace {
                personal: nss(vec![ns("", b'/')]),
                other: None,
                shared: None,
            }),
        ),
        (
            "* NAMESPACE NIL NIL ((\"\" \".\"))\r\n",
            data(Data::Namespace {
                personal: None,
                other: None,
                shared: nss(vec![ns("", b'.')]),
            }),
        ),
        (
            "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n",
            data(Data::Namespace {
                personal: nss(vec![ns("", b'/')]),
                other: nss(vec![ns("~", b'/')]),
                shared: nss(vec![
                    ns("#shared/", b'/'),
                    ns("#public/", b'/'),
                    ns("#ftp/", b'/'),
                    ns("#news.", b'.'),
                ]),
            }),
        ),
        (
            "* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
            data(Data::Namespace {
                personal: nss(vec![
                    ns("", b'/'),
                    NamespaceDescr {
                        prefix: q("#mh/"),
                        delimiter: Some(b'/'),
                        extensions: vec![(
                            q("X-PARAM"),
                            Vec1::try_from(vec![q("FLAG1"), q("FLAG2")]).unwrap(),
                        )],
                    },
                ]),
                other: None,
                shared: None,
            }),
        ),
        // RFC 4731 §3.1 (ESEARCH), with RFC 7162's MODSEQ
        (
            "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
            data(Data::Esearch(Esearch {
                tag: Some(q("A282")),
                uid: false,
                data: vec![SearchReturnData::Min(nz(2)), SearchReturnData::Count(3)],
            })),
        ),
        (
            "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n",
            data(Data::Esearch(Esearch {
                tag: Some(q("A283")),
                uid: false,
                data: vec![SearchReturnData::All(SequenceSet::new("2,10:11").unwrap())],
            })),
        ),
        (
            "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n",
            data(Data::Esearch(Esearch {
                tag: Some(q("A285")),
                uid: true,
                data: vec![
                    SearchReturnData::Min(nz(7)),
                    SearchReturnData::Max(nz(3800)),
                ],
            })),
        ),
        (
            "* ESEARCH (TAG \"a4\") MIN 2 COUNT 10 MODSEQ 917162500\r\n",
            data(Data::Esearch(Esearch {
                tag: Some(q("a4")),
                uid: false,
                data: vec![
                    SearchReturnData::Min(nz(2)),
                    SearchReturnData::Count(10),
                    SearchReturnData::ModSeq(modseq(917162500)),
                ],
            })),
        ),
        // The brief's example: a correlator, UID, and every return item.
        (
            "* ESEARCH (TAG \"a\") UID MIN 1 MAX 9 ALL 1:9 COUNT 9\r\n",
            data(Data::Esearch(Esearch {
                tag: Some(q("a")),
                uid: true,
                data: vec![
                    SearchReturnData::Min(nz(1)),
                    SearchReturnData::Max(nz(9)),
                    SearchReturnData::All(SequenceSet::new("1:9").unwrap()),
                    SearchReturnData::Count(9),
                ],
            })),
        ),
        // RFC 5256 §4 (SORT, THREAD)
        ("* SORT 2 84 882\r\n", data(Data::Sort(nzs(&[2, 84, 882])))),
        ("* SORT\r\n", data(Data::Sort(vec![]))),
        (
            "* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)\r\n",
            data(Data::Thread(vec![
                thread(&[166], vec![]),
                thread(&[167], vec![]),
                thread(&[168], vec![]),
                thread(&[169], vec![]),
                thread(&[172], vec![]),
                thread(&[170], vec![]),
                thread(&[171], vec![]),
                thread(&[173], vec![]),
                thread(
                    &[174],
                    [175, 176, 178, 181, 180]
                        .iter()
                        .map(|&n| thread(&[n], vec![]))
                        .collect(),
                ),
                thread(&[179], vec![]),
                thread(
                    &[177],
                    [183, 182, 188, 184, 185, 186, 187, 189]
                        .iter()
                        .map(|&n| thread(&[n], vec![]))
                        .collect(),
                ),
                thread(&[190], vec![]),
                thread(&[191], vec![]),
                thread(&[192], vec![]),
                thread(&[193], vec![]),
                thread(&[194, 195], vec![]),
                thread(&[196], vec![thread(&[197], vec![]), thread(&[198], vec![])]),
                thread(&[199], vec![]),
                thread(&[200, 202], vec![]),
                thread(&[201], vec![]),
                thread(&[203], vec![]),
                thread(&[204], vec![]),
                thread(&[205], vec![]),
                thread(&[206, 207], vec![]),
                thread(&[208], vec![]),
            ])),
        ),
        ("* THREAD\r\n", data(Data::Thread(vec![]))),
        (
            "* THREAD (166)(167)(168)(169)(172)((170)(179))(171)(173)((174)(175)(176)(178)(181)(180))((177)(183)(182)(188 (184)(189))(185 186)(187))(190)(191)(192)(193)((194)(195 196))(197 198)(199)(200 202)(201)(203)(204)(205 206 207)(208)\r\n",
            {
                let l = |m: &[u32]| thread(m, vec![]);
                let d = |v: Vec<ThreadList>| thread(&[], v);
                data(Data::Thread(vec![
                    l(&[166]),
                    l(&[167]),
                    l(&[168]),
                    l(&[169]),
                    l(&[172]),
                    d(vec![l(&[170]), l(&[179])]),
                    l(&[171]),
                    l(&[173]),
                    d(vec![
                        l(&[174]),
                        l(&[175]),
                        l(&[176]),
                        l(&[178]),
                        l(&[181]),
                        l(&[180]),
                    ]),
                    d(vec![
                        l(&[177]),
                        l(&[183]),
                        l(&[182]),
                        thread(&[188], vec![l(&[184]), l(&[189])]),
                        l(&[185, 186]),
                        l(&[187]),
                    ]),
                    l(&[190]),
                    l(&[191]),
                    l(&[192]),
                    l(&[193]),
                    d(vec![l(&[194]), l(&[195, 196])]),
                    l(&[197, 198]),
                    l(&[199]),
                    l(&[200, 202]),
                    l(&[201]),
                    l(&[203]),
                    l(&[204]),
                    l(&[205, 206, 207]),
                    l(&[208]),
                ]))
            },
        ),
        (
            "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
            data(Data::Thread(vec![
                thread(&[2], vec![]),
                thread(
                    &[3, 6],
                    vec![thread(&[4, 23], vec![]), thread(&[44, 7, 96], vec![])],
                ),
            ])),
        ),
        (
            "* THREAD ((3)(5))\r\n",
            data(Data::Thread(vec![thread(
                &[],
                vec![thread(&[3], vec![]), thread(&[5], vec![])],
            )])),
        ),
        // RFC 9208 §5 (QUOTA)
        (
            "* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)\r\n",
            data(Data::Quota {
                root: qa("!partition/sda4"),
                resources: Vec1::one(quota("STORAGE", 104, 10923847)),
            }),
        ),
        (
            "* QUOTA \"#user/alice\" (STORAGE 54 111 MESSAGE 42 1000)\r\n",
            data(Data::Quota {
                root: qa("#user/alice"),
                resources: Vec1::try_from(vec![
                    quota("STORAGE", 54, 111),
                    quota("MESSAGE", 42, 1000),
                ])
                .unwrap(),
            }),
        ),
        (
            "* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"\r\n",
            data(Data::QuotaRoot {
                mailbox: Mailbox::Inbox,
                roots: vec![qa("#user/alice"), qa("!partition/sda4")],
            }),
        ),
        (
            "* QUOTAROOT comp.mail.mime\r\n",
            data(Data::QuotaRoot {
                mailbox: mbox("comp.mail.mime"),
                roots: vec![],
            }),
        ),
        (
            "* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)\r\n",
            data(Data::Status {
                mailbox: Mailbox::Inbox,
                items: vec![
                    StatusItem::Messages(12),
                    StatusItem::Deleted(4),
                    StatusItem::Other {
                        name: atom("DELETED-STORAGE"),
                        value: Cow::Borrowed(b"8"),
                    },
                ],
            }),
        ),
        // RFC 5464 §4.4 (METADATA)
        (
            "* METADATA \"\" (/shared/comment \"Shared comment\")\r\n",
            data(Data::Metadata {
                mailbox: qmbox(""),
                entries: MetadataEntries::Values(Vec1::one((
                    entry("/shared/comment"),
                    NString8::NString(Some(q("Shared comment"))),
                ))),
            }),
        ),
        // RFC 5258 §5 (LIST-EXTENDED), RFC 3348 (CHILDREN), RFC 6154 (SPECIAL-USE)
        (
            "* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n",
            data(list(
                vec![NameAttribute::Subscribed, NameAttribute::NonExistent],
                qmbox("Fruit/Peach"),
            )),
        ),
        (
            "* LIST (\\HasChildren \\Remote) \"/\" \"Meat\"\r\n",
            data(list(
                vec![NameAttribute::HasChildren, NameAttribute::Remote],
                qmbox("Meat"),
            )),
        ),
        (
            "* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
            data(Data::List {
                attributes: vec![],
                delimiter: Some(b'/'),
                mailbox: qmbox("Foo"),
                extended: Some(vec![ListExtendedItem::ChildInfo(Vec1::one(
                    Quoted::new(&b"SUBSCRIBED"[..]).unwrap(),
                ))]),
            }),
        ),
        (
            "* LIST (\\HasChildren) \"/\" ITEM_1\r\n",
            data(list(vec![NameAttribute::HasChildren], mbox("ITEM_1"))),
        ),
        (
            "* LIST (\\HasNoChildren) \"/\" ITEM_1/ITEM_1A\r\n",
            data(list(
                vec![NameAttribute::HasNoChildren],
                mbox("ITEM_1/ITEM_1A"),
            )),
        ),
        (
            "* LIST (\\Sent \\HasNoChildren) \"/\" SentMail\r\n",
            data(list(
                vec![NameAttribute::Sent, NameAttribute::HasNoChildren],
                mbox("SentMail"),
            )),
        ),
        (
            "* LIST (\\Marked \\Drafts \\HasNoChildren) \"/\" MyDrafts\r\n",
            data(list(
                vec![
                    NameAttribute::Marked,
                    NameAttribute::Drafts,
                    NameAttribute::HasNoChildren,
                ],
                mbox("MyDrafts"),
            )),
        ),
        (
            "* LIST (\\Trash \\HasNoChildren) \"/\" Trash\r\n",
            data(list(
                vec![NameAttribute::Trash, NameAttribute::HasNoChildren],
                mbox("Trash"),
            )),
        ),
        (
            "* LIST (\\Subscribed \\HasChildren) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
            data(Data::List {
                attributes: vec![NameAttribute::Subscribed, NameAttribute::HasChildren],
                delimiter: Some(b'/'),
                mailbox: qmbox("Foo"),
                extended: Some(vec![ListExtendedItem::ChildInfo(Vec1::one(
                    Quoted::new(&b"SUBSCRIBED"[..]).unwrap(),
                ))]),
            }),
        ),
        // RFC 9051 §6.3.6 (OLDNAME)
        (
            "* LIST () \"/\" \"Normalized\" (\"OLDNAME\" (\"NonNormalized\"))\r\n",
            data(Data::List {
                attributes: vec![],
                delimiter: Some(b'/'),
                mailbox: qmbox("Normalized"),
                extended: Some(vec![ListExtendedItem::OldName(qmbox("NonNormalized"))]),
            }),
        ),
        // Gmail X-GM-EXT-1 (developers.google.com/gmail/imap/imap-extensions)
        (
            "* 1 FETCH (X-GM-MSGID 1278455344230334865)\r\n",
            fetch(1, vec![MessageDataItem::GmMsgId(1278455344230334865)]),
        ),
        (
            "* 1 FETCH (X-GM-THRID 1266894439832287888)\r\n",
            fetch(1, vec![MessageDataItem::GmThrId(1266894439832287888)]),
        ),
        (
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n",
            fetch(
                1,
                vec![MessageDataItem::GmLabels(vec![
                    GmLabel::System(atom("Inbox")),
                    GmLabel::System(atom("Sent")),
                    GmLabel::Name(AString::try_from("Important").unwrap()),
                    GmLabel::Name(qa("Muy Importante")),
                ])],
            ),
        ),
        // RFC 3516 §4.3 (BINARY): a string, a literal8 with NUL, a partial, the size.
        (
            "* 2 FETCH (BINARY[1.2] \"hello\" BINARY.SIZE[1.2] 5)\r\n",
            fetch(
                2,
                vec![
                    MessageDataItem::Binary {
                        section: nzs(&[1, 2]),
                        origin: None,
                        data: NString8::NString(Some(q("hello"))),
                    },
                    MessageDataItem::BinarySize {
                        section: nzs(&[1, 2]),
                        size: 5,
                    },
                ],
            ),
        ),
        (
            "* 3 FETCH (BINARY[]<4> ~{4}\r\n\0\x01\r\n UID 9)\r\n",
            fetch(
                3,
                vec![
                    MessageDataItem::Binary {
                        section: vec![],
                        origin: Some(4),
                        data: NString8::Literal8(Literal8::new(&b"\0\x01\r\n"[..]).unwrap()),
                    },
                    MessageDataItem::Uid(nz(9)),
                ],
            ),
        ),
    ]
}

#[test]
fn rfc_examples_decode_to_their_values_and_re_encode_byte_for_byte() {
    for (bytes, value) in golden() {
        let got = response_golden(bytes.as_bytes(), true);
        assert_eq!(got, value, "{bytes:?}");
        // And the value, encoded, is the same bytes (the table drives both directions).
        assert_eq!(
            String::from_utf8_lossy(&value.to_vec()),
            bytes,
            "encoding {value:?}"
        );
    }
}

#[test]
fn rfc_examples_decode_the_same_all_in_one_stream() {
    let table = golden();
    let stream: Vec<u8> = table.iter().flat_map(|(b, _)| b.bytes()).collect();
    let values: Vec<Response<'static>> = table.into_iter().map(|(_, v)| v).collect();
    for chunk in [1, 7, 64, stream.len()] {
        assert_eq!(
            feed_responses(&stream, chunk, client_config()).unwrap(),
            values,
            "chunk {chunk}"
        );
    }
}

/// Case and quoting the decoder normalises (name attributes and INBOX are
/// case-insensitive): the value is what the server meant, and it encodes to the canonical
/// bytes, which decode to the same value.
#[test]
fn rfc_examples_in_other_spellings_decode_to_the_canonical_values() {
    let cases: Vec<(&str, Response<'static>, &str)> = vec![
        (
            // RFC 5258 §5 spells \NoInferiors (RFC 3501: \Noinferiors).
            "* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n",
            data(list(
                vec![
                    NameAttribute::Marked,
                    NameAttribute::NoInferiors,
                    NameAttribute::Subscribed,
                ],
                Mailbox::Inbox,
            )),
            "* LIST (\\Marked \\Noinferiors \\Subscribed) \"/\" INBOX\r\n",
        ),
        (
            // RFC 6154 §5.1
            "* LIST (\\Marked \\HasNoChildren) \"/\" Inbox\r\n",
            data(list(
                vec![NameAttribute::Marked, NameAttribute::HasNoChildren],
                Mailbox::Inbox,
            )),
            "* LIST (\\Marked \\HasNoChildren) \"/\" INBOX\r\n",
        ),
        (
            "* LIST (\\hasnochildren \\SENT) \"/\" x\r\n",
            data(list(
                vec![NameAttribute::HasNoChildren, NameAttribute::Sent],
                mbox("x"),
            )),
            "* LIST (\\HasNoChildren \\Sent) \"/\" x\r\n",
        ),
        // RFC 5464 §4.4 with a quoted "INBOX"
        (
            "* METADATA \"INBOX\" (/shared/comment \"Shared comment\" /private/comment \"My own comment\")\r\n",
            data(Data::Metadata {
                mailbox: Mailbox::Inbox,
                entries: MetadataEntries::Values(
                    Vec1::try_from(vec![
                        (
                            entry("/shared/comment"),
                            NString8::NString(Some(q("Shared comment"))),
                        ),
                        (
                            entry("/private/comment"),
                            NString8::NString(Some(q("My own comment"))),
                        ),
                    ])
                    .unwrap(),
                ),
            }),
            "* METADATA INBOX (/shared/comment \"Shared comment\" /private/comment \"My own comment\")\r\n",
        ),
        (
            "* METADATA \"INBOX\" /shared/comment /private/comment\r\n",
            data(Data::Metadata {
                mailbox: Mailbox::Inbox,
                entries: MetadataEntries::Names(
                    Vec1::try_from(vec![entry("/shared/comment"), entry("/private/comment")])
                        .unwrap(),
                ),
            }),
            "* METADATA INBOX /shared/comment /private/comment\r\n",
        ),
    ];
    for (bytes, value, canonical) in cases {
        assert_eq!(response_golden(bytes.as_bytes(), false), value, "{bytes:?}");
        assert_eq!(String::from_utf8_lossy(&value.to_vec()), canonical);
    }
}

/// RFC 7162 §3.1.2.1 and RFC 5530 §3 show a response code with nothing after it, which
/// RFC 3501's `text = 1*TEXT-CHAR` does not allow: the strict decoder rejects it with
/// [`Quirk::EmptyText`], the lenient one keeps it and re-encodes it as it came.
#[test]
fn codes_without_text_need_the_lenient_mode() {
    let lenient = Config {
        quirks: Quirks::LENIENT,
        ..client_config()
    };
    let cases = [
        (
            "* OK [HIGHESTMODSEQ 715194045007]\r\n",
            Code::HighestModSeq(modseq(715194045007)),
        ),
        ("* OK [CLOSED]\r\n", Code::Closed),
        ("e OK [CONTACTADMIN]\r\n", Code::ContactAdmin),
    ];
    for (bytes, code) in cases {
        let err = feed_responses(bytes.as_bytes(), 1, client_config()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Quirk {
                    quirk: Quirk::EmptyText,
                    ..
                }
            ),
            "{bytes:?}: {err:?}"
        );
        let Response::Status(s) = response_all_ways_with(bytes.as_bytes(), lenient) else {
            panic!("{bytes:?}")
        };
        assert_eq!(s.code, Some(code));
        assert_eq!(s.text.as_str(), "");
        assert_eq!(Response::Status(s).to_vec(), bytes.as_bytes());
    }
}

/// Extensions this crate does not model, and known code names whose arguments do not fit
/// their grammar (still `atom [SP 1*<any TEXT-CHAR except "]">]`), are kept as sent.
#[test]
fn unknown_extensions_are_kept_raw_and_re_encode_byte_for_byte() {
    let r = response_golden(b"* OK [X-SOMETHING a b c] text\r\n", true);
    assert!(matches!(
        &r,
        Response::Status(StatusResponse { code: Some(Code::Other { name, text: Some(t) }), .. })
            if name.as_str() == "X-SOMETHING" && t == "a b c"
    ));
    // `*` is not a UID (RFC 4315 uid-set): not an APPENDUID value, so kept raw.
    let r = response_golden(b"A1 OK [APPENDUID 38505 *] done\r\n", true);
    assert!(matches!(
        &r,
        Response::Status(StatusResponse { code: Some(Code::Other { name, text: Some(t) }), .. })
            if name.as_str() == "APPENDUID" && t == "38505 *"
    ));
    let r = response_golden(b"* OK [CLOSED now] text\r\n", true);
    assert!(matches!(
        &r,
        Response::Status(StatusResponse { code: Some(Code::Other { name, .. }), .. })
            if name.as_str() == "CLOSED"
    ));
    // Numbered unknown data (RFC 3501 §7: the number comes first) and unnumbered.
    let r = response_golden(b"* 5 XAPPLEPUSH (a \"b c\") {3}\r\nxyz\r\n", true);
    assert_eq!(
        r,
        data(Data::NumberedOther {
            number: 5,
            name: atom("XAPPLEPUSH"),
            rest: Cow::Borrowed(b"(a \"b c\") {3}\r\nxyz"),
        })
    );
    // Any atom names one, `_` included.
    let r = response_golden(b"* X_ITEM 1 2\r\n", true);
    assert_eq!(
        r,
        data(Data::Other {
            name: atom("X_ITEM"),
            rest: Cow::Borrowed(b"1 2"),
        })
    );
    let r = response_golden(b"* 0 XZERO\r\n", true);
    assert_eq!(
        r,
        data(Data::NumberedOther {
            number: 0,
            name: atom("XZERO"),
            rest: Cow::Borrowed(b""),
        })
    );
    // Unknown fetch items, ESEARCH return data, LIST extended items, STATUS attributes.
    let r = response_golden(b"* 1 FETCH (X-SNIPPET \"hi there\" UID 3)\r\n", true);
    assert_eq!(
        r,
        fetch(
            1,
            vec![
                MessageDataItem::Other {
                    name: "X-SNIPPET".into(),
                    value: Cow::Borrowed(b"\"hi there\""),
                },
                MessageDataItem::Uid(nz(3)),
            ]
        )
    );
    let r = response_golden(b"* ESEARCH UID XPARTIAL (1:10 3,5) COUNT 2\r\n", true);
    assert_eq!(
        r,
        data(Data::Esearch(Esearch {
            tag: None,
            uid: true,
            data: vec![
                SearchReturnData::Other {
                    name: atom("XPARTIAL"),
                    value: Cow::Borrowed(b"(1:10 3,5)"),
                },
                SearchReturnData::Count(2),
            ],
        }))
    );
    let r = response_golden(
        b"* LIST () \"/\" Foo (X-ITEM (1 2) \"CHILDINFO\" (SUBSCRIBED))\r\n",
        true,
    );
    let Response::Data(Data::List {
        extended: Some(ext),
        ..
    }) = r
    else {
        panic!("{r:?}")
    };
    assert!(matches!(&ext[0], ListExtendedItem::Other { value, .. } if value.as_ref() == b"(1 2)"));
    // CHILDINFO with an atom instead of the grammar's quoted string stays raw too.
    assert!(
        matches!(&ext[1], ListExtendedItem::Other { value, .. } if value.as_ref() == b"(SUBSCRIBED)")
    );
    let r = response_golden(b"* STATUS x (MAILBOXID (F123) SIZE 10)\r\n", true);
    assert_eq!(
        r,
        data(Data::Status {
            mailbox: mbox("x"),
            items: vec![
                StatusItem::Other {
                    name: atom("MAILBOXID"),
                    value: Cow::Borrowed(b"(F123)"),
                },
                StatusItem::Size(Number64::new(10).unwrap()),
            ],
        })
    );
    // A known extension item that does not fit its grammar (a MODSEQ is never 0) is kept
    // raw, like an unknown one.
    let r = response_golden(b"* 1 FETCH (MODSEQ (0))\r\n", true);
    assert_eq!(
        r,
        fetch(
            1,
            vec![MessageDataItem::Other {
                name: "MODSEQ".into(),
                value: Cow::Borrowed(b"(0)"),
            }]
        )
    );
    // An unknown fetch item with a known prefix keeps its section.
    let r = response_golden(b"* 1 FETCH (BINARY.PEEKX[1] 3)\r\n", true);
    assert!(matches!(
        &r,
        Response::Data(Data::Fetch { items, .. })
            if matches!(&items.as_slice()[0], MessageDataItem::Other { name, .. } if name == "BINARY.PEEKX[1]")
    ));
}

#[test]
fn status_extension_items_have_their_values() {
    let r = response_golden(
        b"* STATUS INBOX (HIGHESTMODSEQ 0 SIZE 9223372036854775807 APPENDLIMIT NIL DELETED 2)\r\n",
        true,
    );
    assert_eq!(
        r,
        data(Data::Status {
            mailbox: Mailbox::Inbox,
            items: vec![
                StatusItem::HighestModSeq(None),
                StatusItem::Size(Number64::new(Number64::MAX).unwrap()),
                StatusItem::AppendLimit(None),
                StatusItem::Deleted(2),
            ],
        })
    );
    let r = response_golden(b"* STATUS INBOX (APPENDLIMIT 257890)\r\n", true);
    assert_eq!(
        r,
        data(Data::Status {
            mailbox: Mailbox::Inbox,
            items: vec![StatusItem::AppendLimit(Some(257890))],
        })
    );
    // number64 stops at 2^63 - 1 (RFC 9051 §9).
    assert!(
        feed_responses(
            b"* STATUS INBOX (SIZE 9223372036854775808)\r\n",
            64,
            client_config()
        )
        .is_err()
    );
}

#[test]
fn malformed_typed_data_is_a_syntax_error_in_both_modes() {
    let lenient = Config {
        quirks: Quirks::LENIENT,
        ..client_config()
    };
    for bytes in [
        // thread-nested needs two lists
        &b"* THREAD (1 (2))\r\n"[..],
        &b"* THREAD (())\r\n"[..],
        // MODSEQ only after at least one number, and never 0
        b"* SEARCH (MODSEQ 5)\r\n",
        // VANISHED takes UIDs, not `*`
        b"* VANISHED 1:*\r\n",
        b"* NAMESPACE (()) NIL NIL\r\n",
        b"* QUOTA \"\" ()\r\n",
        b"* ID (\"name\")\r\n",
    ] {
        for config in [client_config(), lenient] {
            let err = feed_responses(bytes, bytes.len(), config).unwrap_err();
            assert!(
                matches!(err, Error::Syntax { .. } | Error::Quirk { .. }),
                "{:?}: {err:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    // RFC 2342 §5's own example has two spaces before the last NIL: not the grammar.
    let err = feed_responses(
        b"* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n",
        64,
        client_config(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Syntax { .. }), "{err:?}");
}

#[test]
fn thread_nesting_is_bounded_by_the_depth_limit() {
    let mut config = client_config();
    config.limits.max_depth = 4;
    // thread(n) = "(n " thread(n - 1) "(80))": n + 1 levels of thread-list.
    fn thread(n: usize) -> String {
        if n == 0 {
            "(90)".to_string()
        } else {
            format!("({n} {}(80))", thread(n - 1))
        }
    }
    let deep = |n: usize| format!("* THREAD {}\r\n", thread(n));
    assert!(feed_responses(deep(3).as_bytes(), 1, config).is_ok());
    let err = feed_responses(deep(4).as_bytes(), 1, config).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooDeep {
                rule: "thread-list",
                limit: 4,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn thread_lists_refuse_the_shapes_the_grammar_does_not_have() {
    assert!(ThreadList::new(vec![], vec![]).is_err());
    assert!(ThreadList::new(nzs(&[1]), vec![thread(&[2], vec![])]).is_err());
    assert!(ThreadList::new(vec![], vec![thread(&[2], vec![])]).is_err());
    assert!(ThreadList::new(vec![], vec![thread(&[2], vec![]), thread(&[3], vec![])]).is_ok());
    assert!(UidSet::new("1:*").is_err() && UidSet::new("").is_err());
    assert!(ModSeq::new(0).is_err() && ModSeq::new(Number64::MAX + 1).is_err());
}

/// A literal8 taken as chunks by the streaming decoder (RFC 3516 data of any size).
#[test]
fn binary_literal8_streams_as_chunks() {
    let bytes = b"* 3 FETCH (BINARY[1] ~{6}\r\n\0ab\0cd)\r\n";
    let mut dec = ResponseDecoder::new(client_config()).with_stream_threshold(1);
    let mut rest = &bytes[..];
    let mut chunks = Vec::new();
    let mut response = None;
    while !rest.is_empty() {
        match dec.decode_streaming(rest).unwrap() {
            Decoded::Complete { value, consumed } => {
                match value {
                    Streamed::LiteralStart { size } => assert_eq!(size, 6),
                    Streamed::LiteralData(d) => chunks.extend_from_slice(d),
                    Streamed::Response(r) => response = Some(r.into_owned()),
                }
                rest = &rest[consumed..];
            }
            Decoded::Incomplete { .. } => panic!("incomplete"),
        }
    }
    assert_eq!(chunks, b"\0ab\0cd");
    assert_eq!(
        response,
        Some(fetch(
            3,
            vec![MessageDataItem::Binary {
                section: nzs(&[1]),
                origin: None,
                data: NString8::Literal8(Literal8::new(&b""[..]).unwrap()),
            }]
        ))
    );
}

#[test]
fn values_detach_from_the_input() {
    for (bytes, value) in golden() {
        let owned = {
            let buf = bytes.as_bytes().to_vec();
            let mut dec = ResponseDecoder::new(client_config());
            match dec.decode(&buf).unwrap() {
                Decoded::Complete { value, .. } => value.into_owned(),
                Decoded::Incomplete { .. } => panic!("{bytes:?}"),
            }
        };
        assert_eq!(owned, value);
    }
}

/// `[` and `]` are ASTRING-CHARs (RFC 9051 §9), so a tagged-ext-val (RFC 4466 §2.1) may
/// hold them unbalanced: an OLDNAME of `[` used to be refused ("extension item") because
/// the value was read with the bracket-balancing FETCH item-name rule. Found by
/// `extension_responses_round_trip_at_any_chunking`.
#[test]
fn list_extended_values_may_hold_unbalanced_brackets() {
    for name in ["[", "]", "a[b", "][", "x]y[z"] {
        let bytes = format!("* LIST () \"/\" INBOX (\"OLDNAME\" ({name}))\r\n");
        let r = response_golden(bytes.as_bytes(), true);
        assert_eq!(
            r,
            data(Data::List {
                attributes: vec![],
                delimiter: Some(b'/'),
                mailbox: Mailbox::Inbox,
                extended: Some(vec![ListExtendedItem::OldName(Mailbox::new(
                    AString::try_from(name).unwrap()
                ))]),
            }),
            "{bytes:?}"
        );
    }
    // An unknown item and an unknown ESEARCH return datum with the same kind of value.
    let r = response_golden(b"* LIST () \"/\" INBOX (\"XTAG\" (a[ (]b) 1))\r\n", true);
    assert!(matches!(
        &r,
        Response::Data(Data::List { extended: Some(v), .. })
            if matches!(&v[..], [ListExtendedItem::Other { value, .. }] if &value[..] == b"(a[ (]b) 1)")
    ));
    let r = response_golden(b"* ESEARCH (TAG \"a1\") XRET (a[)\r\n", true);
    assert!(matches!(
        &r,
        Response::Data(Data::Esearch(e))
            if matches!(&e.data[..], [SearchReturnData::Other { value, .. }] if &value[..] == b"(a[)")
    ));
}

/// RFC 9051 §9: `"RFC822.SIZE" SP number64`, so a message above 4 GiB has its real size;
/// 2^63 is past `number64` and refused at the number.
#[test]
fn rfc822_size_is_number64() {
    // RFC 9051 §7.5.2.
    let r = response_golden(
        b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)\r\n",
        true,
    );
    assert_eq!(
        r,
        fetch(
            23,
            vec![
                MessageDataItem::Flags(vec![Flag::Seen]),
                MessageDataItem::Rfc822Size(Number64::new(44827).unwrap()),
                MessageDataItem::Uid(nz(447)),
            ]
        )
    );
    let r = response_golden(b"* 1 FETCH (RFC822.SIZE 6442450944)\r\n", true);
    assert_eq!(
        r,
        fetch(
            1,
            vec![MessageDataItem::Rfc822Size(Number64::new(6 << 30).unwrap())]
        )
    );
    let err = feed_responses(
        b"* 1 FETCH (RFC822.SIZE 9223372036854775808)\r\n",
        64,
        client_config(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Syntax { offset: 23, .. }), "{err:?}");
}

/// RFC 9051 §9: `body-fld-lines = number64`, so a text part or an attached message of more
/// than 2^32 lines keeps its count; 2^63 is past `number64` and refused at the number.
#[test]
fn body_fld_lines_is_number64() {
    let r = response_golden(
        b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 5000000000)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 20 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 20 1) 4294967296) \"MIXED\"))\r\n",
        true,
    );
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!("{r:?}")
    };
    let [MessageDataItem::BodyStructure(b)] = items.as_slice() else {
        panic!("{items:?}")
    };
    let BodyStructure::Multi { bodies, .. } = &**b else {
        panic!("{b:?}")
    };
    let lines: Vec<u64> = bodies
        .iter()
        .map(|b| match b {
            BodyStructure::Single { body, .. } => match &body.specific {
                SpecificFields::Text { lines } | SpecificFields::Message { lines, .. } => {
                    lines.get()
                }
                SpecificFields::Basic => panic!("{b:?}"),
            },
            BodyStructure::Multi { .. } => panic!("{b:?}"),
        })
        .collect();
    assert_eq!(lines, [5_000_000_000, 1 << 32]);
    let err = feed_responses(
        b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 9223372036854775808))\r\n",
        64,
        client_config(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Syntax { offset: 54, .. }), "{err:?}");
}
