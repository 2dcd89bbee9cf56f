//! Extension commands (RFC 4466 and the extensions it collects): golden bytes from each
//! RFC's examples decode to the typed value and re-encode byte for byte, whole, one byte at
//! a time and with trailing bytes.

mod common;

use common::*;
use imap_proto::*;

// ---------------------------------------------------------------- literal8 framing

/// RFC 3516 §7 `literal8 = "~{" number "}" CRLF *OCTET`: the response framer sees the
/// `~{n}` announcement and streams the data (NUL octets included) like any literal.
#[test]
fn response_framer_streams_a_literal8() {
    let input = b"* 1 FETCH (BINARY[1] ~{4}\r\n\0a\0b)\r\n";
    let mut dec = ResponseDecoder::default().with_stream_threshold(1);
    let mut rest = &input[..];
    let mut events = Vec::new();
    loop {
        match dec.decode_streaming(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                events.push(format!("{value:?}"));
                rest = &rest[consumed..];
                if events.len() == 2 {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(events[0], "LiteralStart { size: 4 }");
    assert_eq!(events[1], format!("{:?}", Streamed::LiteralData(b"\0a\0b")));
    assert_eq!(rest, b")\r\n");
}

/// A `~{n+}` (RFC 7888 §8, RFC 4466 literal8 with "+") is skipped by its size: an LF
/// inside the binary data does not end the message.
#[test]
fn command_framer_skips_a_non_sync_literal8() {
    let input = b"a APPEND INBOX ~{3+}\r\n\n\0\r\r\n";
    let mut dec = server_decoder();
    match dec.decode(input) {
        // Whether the APPEND parses is for the grammar; here only where it ends matters.
        Ok(CommandDecoded::Complete { consumed, .. }) => assert_eq!(consumed, input.len()),
        Err(e) => assert!(e.offset().is_some_and(|o| o < input.len()), "{e:?}"),
        other => panic!("{other:?}"),
    }
}

/// The encoder writes `~{n}` and splits the command there like at `{n}`.
#[test]
fn literal8_encodes_with_a_tilde() {
    let l = Literal8::new(&b"a\0b"[..]).unwrap();
    assert_eq!(l.to_vec(), b"~{3}\r\na\0b");
    let l = Literal8::with_mode(&b"\0"[..], LiteralMode::NonSync).unwrap();
    assert_eq!(l.to_vec(), b"~{1+}\r\n\0");
}

// ---------------------------------------------------------------- golden examples

/// Every command example of the extension RFCs: decodes (whole, byte by byte, with
/// trailing bytes), re-encodes to the same bytes, and is not kept raw.
#[test]
fn rfc_examples_round_trip_typed() {
    for line in [
        // RFC 6851 §3.3, RFC 4315 §2.1, RFC 3691 §2, RFC 2177 §3, RFC 2342 §5
        &b"a UID MOVE 42:69 foo\r\n"[..],
        b"A003 UID EXPUNGE 3000:3002\r\n",
        b"A341 UNSELECT\r\n",
        b"A002 IDLE\r\n",
        b"A001 NAMESPACE\r\n",
        // RFC 5161 §4, RFC 2971 §3.1
        b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n",
        b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n",
        b"a042 ID NIL\r\n",
        // RFC 7162 §3.1.2.1, §3.1.3, §3.1.4.1, §3.1.5, §3.1.9, §3.2.5, §3.2.6
        b"A142 SELECT INBOX (CONDSTORE)\r\n",
        b"A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))\r\n",
        b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
        b"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
        b"a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n",
        b"A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen\r\n",
        b"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n",
        b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
        b"a FETCH 1:3 (MODSEQ)\r\n",
        b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        b"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n",
        // RFC 4731 §3
        b"a1 SEARCH RETURN (MIN) UNSEEN\r\n",
        b"a3 SEARCH RETURN (MIN MAX COUNT ALL) 1:* DELETED\r\n",
        b"a SEARCH RETURN () UNSEEN\r\n",
        // RFC 5182 §2.1 (SEARCHRES SAVE)
        b"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        // RFC 5258 §5
        b"A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
        b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
        b"A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
        b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n",
        b"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n",
        b"a1 LIST \"\" (\"foo\" \"foo/*\")\r\n",
        // RFC 5819 §5, RFC 6154 §5
        b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
        b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n",
        b"t3 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
        b"t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n",
        b"t3 CREATE Everything (USE (\\All))\r\n",
        // RFC 9208 §4, RFC 9051 §6.3.11 (STATUS DELETED), RFC 7889 APPENDLIMIT
        b"G0001 GETQUOTA \"!partition/sda4\"\r\n",
        b"G0002 GETQUOTAROOT INBOX\r\n",
        b"S0001 SETQUOTA \"#user/alice\" (STORAGE 510)\r\n",
        b"S0002 SETQUOTA \"!partition/sda4\" (STORAGE 99999999)\r\n",
        b"S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)\r\n",
        b"a STATUS INBOX (SIZE APPENDLIMIT)\r\n",
        // RFC 5464 §4
        b"a GETMETADATA \"\" /shared/comment\r\n",
        b"a GETMETADATA Archive (/shared/comment /private/comment)\r\n",
        b"a GETMETADATA (MAXSIZE 1024) Archive /private/comment\r\n",
        b"a GETMETADATA (DEPTH 1) Archive (/private/filters/values)\r\n",
        b"a SETMETADATA INBOX (/private/comment \"My new comment\")\r\n",
        b"a SETMETADATA INBOX (/private/comment NIL)\r\n",
        b"t3 SETMETADATA \"SavedDrafts\" (/private/specialuse \"\\\\Drafts\")\r\n",
        // RFC 5256 §3
        b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n",
        b"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n",
        b"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n",
        b"A285 THREAD REFERENCES UTF-8 SINCE 5-Mar-2000\r\n",
        b"A286 UID SORT (REVERSE ARRIVAL) UTF-8 ALL\r\n",
        b"A287 UID THREAD REFERENCES UTF-8 ALL\r\n",
        // RFC 3516 §4.1, §4.2
        b"a FETCH 1 (BINARY.PEEK[1]<0.100> BINARY[] BINARY.SIZE[2.1])\r\n",
        // RFC 4978 §3
        b"c COMPRESS DEFLATE\r\n",
        // X-GM-EXT-1 (Gmail's IMAP extensions page)
        b"a011 UID FETCH 1:4 (X-GM-MSGID X-GM-THRID X-GM-LABELS)\r\n",
        b"a011 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n",
        b"a012 SEARCH X-GM-MSGID 1278455344230334865\r\n",
        b"a013 SEARCH X-GM-THRID 1266894439832287888\r\n",
        b"a014 SEARCH X-GM-LABELS foo\r\n",
        b"a011 STORE 1 +X-GM-LABELS (foo)\r\n",
        b"a012 STORE 1 -X-GM-LABELS.SILENT (\\Inbox \"a b\")\r\n",
    ] {
        let c = command_golden(line, true);
        assert!(
            !matches!(c.body, CommandBody::Other { .. }),
            "{:?} kept raw",
            String::from_utf8_lossy(line)
        );
    }
    // The RFC's own bytes with a quoted "INBOX", which re-encodes as the atom INBOX.
    for line in [
        &b"a GETMETADATA \"INBOX\" (/shared/comment /private/comment)\r\n"[..],
        b"a GETMETADATA (MAXSIZE 1024) \"INBOX\" /private/comment\r\n",
    ] {
        let c = command_golden(line, false);
        assert!(matches!(c.body, CommandBody::GetMetadata { .. }), "{c:?}");
    }
}

fn quoted(s: &str) -> AString<'static> {
    AString::String(IString::Quoted(Quoted::new(s.as_bytes().to_vec()).unwrap()))
}

fn body(line: &[u8]) -> CommandBody<'static> {
    command_golden(line, true).body
}

fn seq(s: &str) -> SequenceSet<'static> {
    SequenceSet::new(s.to_owned()).unwrap()
}

fn modseq(n: u64) -> ModSeq {
    ModSeq::new(n).unwrap()
}

#[test]
fn move_uid_expunge_unselect_idle_namespace_values() {
    assert_eq!(
        body(b"a UID MOVE 42:69 foo\r\n"),
        CommandBody::Move {
            uid: true,
            sequence_set: seq("42:69"),
            mailbox: Mailbox::try_from("foo").unwrap(),
        }
    );
    assert_eq!(
        body(b"a MOVE 1 INBOX\r\n"),
        CommandBody::Move {
            uid: false,
            sequence_set: seq("1"),
            mailbox: Mailbox::Inbox,
        }
    );
    assert_eq!(
        body(b"A003 UID EXPUNGE 3000:3002\r\n"),
        CommandBody::UidExpunge {
            sequence_set: seq("3000:3002")
        }
    );
    assert_eq!(body(b"A341 UNSELECT\r\n"), CommandBody::Unselect);
    assert_eq!(body(b"A002 IDLE\r\n"), CommandBody::Idle);
    assert_eq!(body(b"A001 NAMESPACE\r\n"), CommandBody::Namespace);
    let CommandBody::Enable { capabilities } = body(b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n") else {
        panic!()
    };
    let names: Vec<&str> = capabilities.iter().map(Atom::as_str).collect();
    assert_eq!(names, ["CONDSTORE", "X-GOOD-IDEA"]);
    assert_eq!(
        body(b"a042 ID NIL\r\n"),
        CommandBody::Id { parameters: None }
    );
    let CommandBody::Id {
        parameters: Some(p),
    } = body(b"a ID (\"name\" \"x\" \"os\" NIL)\r\n")
    else {
        panic!()
    };
    assert_eq!(p.len(), 2);
    assert_eq!(p[1].0.as_bytes(), b"os");
    assert!(p[1].1.is_none());
    assert!(matches!(
        body(b"c COMPRESS DEFLATE\r\n"),
        CommandBody::Compress { algorithm } if algorithm.as_str() == "DEFLATE"
    ));
    // Lower case decodes too (RFC 4978 §3's example), re-encoding the name in upper case.
    let c = command_golden(b"c compress deflate\r\n", false);
    assert_eq!(c.to_vec(), b"c COMPRESS deflate\r\n");
}

#[test]
fn condstore_and_qresync_values() {
    assert_eq!(
        body(b"A142 SELECT INBOX (CONDSTORE)\r\n"),
        CommandBody::SelectExt {
            examine: false,
            mailbox: Mailbox::Inbox,
            parameters: Vec1::one(SelectParam::Condstore),
        }
    );
    let b = body(b"B04 EXAMINE INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)))\r\n");
    let CommandBody::SelectExt {
        examine: true,
        parameters,
        ..
    } = &b
    else {
        panic!("{b:?}")
    };
    assert_eq!(
        parameters.as_slice(),
        [SelectParam::Qresync(Qresync {
            uidvalidity: std::num::NonZeroU32::new(67890007).unwrap(),
            modseq: modseq(90060115194045000),
            known_uids: Some(seq("1:29997")),
            seq_match: Some((seq("5000,7500"), seq("15000,22500"))),
        })]
    );
    assert!(b.enables_condstore());
    assert_eq!(
        body(b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n"),
        CommandBody::FetchExt {
            uid: true,
            sequence_set: seq("300:500"),
            items: FetchItems::List(Vec1::one(FetchAttribute::Flags)),
            modifiers: Box::new(
                Vec1::try_from(vec![
                    FetchModifier::ChangedSince(modseq(12345)),
                    FetchModifier::Vanished
                ])
                .unwrap()
            ),
        }
    );
    assert_eq!(
        body(b"a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n"),
        CommandBody::StoreExt {
            uid: true,
            sequence_set: seq("6,4,8"),
            modifiers: vec![StoreModifier::UnchangedSince(Some(modseq(12121230045)))],
            action: StoreAction::Add,
            silent: true,
            attribute: StoreAttribute::Flags(StoreFlags::List(vec![Flag::Deleted])),
        }
    );
    // UNCHANGEDSINCE 0 is allowed (mod-sequence-valzer).
    assert!(matches!(
        body(b"a STORE 1 (UNCHANGEDSINCE 0) FLAGS ()\r\n"),
        CommandBody::StoreExt { modifiers, .. } if modifiers == [StoreModifier::UnchangedSince(None)]
    ));
    let CommandBody::Search { criteria, .. } =
        body(b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n")
    else {
        panic!()
    };
    let [
        SearchKey::ModSeq {
            entry: Some(e),
            modseq: m,
        },
    ] = criteria.as_slice()
    else {
        panic!("{criteria:?}")
    };
    assert_eq!(
        (e.name.as_bytes(), e.kind),
        (&b"/flags/\\draft"[..], EntryType::All)
    );
    assert_eq!(*m, Some(modseq(620162338)));
    assert!(matches!(
        body(b"a FETCH 1:3 (MODSEQ)\r\n"),
        CommandBody::Fetch { items: FetchItems::List(v), .. } if v.as_slice() == [FetchAttribute::ModSeq]
    ));
    let CommandBody::Status { items, .. } =
        body(b"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n")
    else {
        panic!()
    };
    assert_eq!(items.as_slice()[2], StatusAttribute::HighestModSeq);
    // Unknown parameters and modifiers are kept as sent.
    let CommandBody::FetchExt { modifiers, .. } =
        body(b"a FETCH 1 FLAGS (X-FOO (1 \"b\" (c)) X-BAR 5 X-BAZ)\r\n")
    else {
        panic!()
    };
    let raw: Vec<String> = modifiers
        .iter()
        .map(|m| match m {
            FetchModifier::Other(t) => format!(
                "{} {:?}",
                t.name,
                t.value
                    .as_ref()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        raw,
        [
            "X-FOO Some(\"(1 \\\"b\\\" (c))\")",
            "X-BAR Some(\"5\")",
            "X-BAZ None"
        ]
    );
    // mod-sequence-value excludes 0 (RFC 7162 §7).
    assert!(Command::decode(b"a UID FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n").is_err());
}

#[test]
fn esearch_list_extended_and_special_use_values() {
    assert_eq!(
        body(b"a3 SEARCH RETURN (MIN MAX COUNT ALL SAVE) UNSEEN\r\n"),
        CommandBody::SearchExt {
            uid: false,
            return_options: vec![
                SearchReturnOption::Min,
                SearchReturnOption::Max,
                SearchReturnOption::Count,
                SearchReturnOption::All,
                SearchReturnOption::Save,
            ],
            charset: None,
            criteria: Vec1::one(SearchKey::Unseen),
        }
    );
    assert_eq!(
        body(b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN STATUS (MESSAGES UNSEEN) SPECIAL-USE)\r\n"),
        CommandBody::ListExt {
            selection: Some(vec![
                ListSelectOption::Subscribed,
                ListSelectOption::RecursiveMatch
            ]),
            reference: Mailbox::try_from("").unwrap(),
            patterns: OneOrList::One(ListMailbox::String(IString::new(&b"%"[..]).unwrap())),
            return_options: Some(vec![
                ListReturnOption::Children,
                ListReturnOption::Status(
                    Vec1::try_from(vec![StatusAttribute::Messages, StatusAttribute::Unseen])
                        .unwrap()
                ),
                ListReturnOption::SpecialUse,
            ]),
        }
    );
    let CommandBody::ListExt {
        selection: None,
        patterns: OneOrList::List(p),
        return_options: None,
        ..
    } = body(b"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n")
    else {
        panic!()
    };
    assert_eq!(p.as_slice().len(), 3);
    // The RFC 3501 form stays a plain LIST.
    assert!(matches!(
        body(b"A01 LIST \"\" \"*\"\r\n"),
        CommandBody::List { .. }
    ));
    let CommandBody::CreateExt { parameters, .. } =
        body(b"t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n")
    else {
        panic!()
    };
    let [CreateParam::Use(uses)] = parameters.as_slice() else {
        panic!()
    };
    let uses: Vec<&str> = uses.iter().map(Atom::as_str).collect();
    assert_eq!(uses, ["Drafts", "Sent"]);
}

#[test]
fn quota_metadata_sort_thread_values() {
    assert_eq!(
        body(b"S0001 SETQUOTA \"#user/alice\" (STORAGE 510)\r\n"),
        CommandBody::SetQuota {
            root: quoted("#user/alice"),
            limits: vec![QuotaLimit {
                resource: Atom::new("STORAGE").unwrap(),
                limit: Number64::new(510).unwrap(),
            }],
        }
    );
    let CommandBody::GetMetadata {
        options,
        entries: OneOrList::One(e),
        ..
    } = body(b"a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX /private/comment\r\n")
    else {
        panic!()
    };
    assert_eq!(
        options,
        [
            MetadataOption::MaxSize(1024),
            MetadataOption::Depth(MetadataDepth::Infinity)
        ]
    );
    assert_eq!(e.as_bytes(), b"/private/comment");
    let CommandBody::SetMetadata { values, .. } =
        body(b"a SETMETADATA INBOX (/private/comment NIL /shared/x ~{3}\r\na\0b)\r\n")
    else {
        panic!()
    };
    assert_eq!(values.as_slice()[0].1, MetadataValue::String(None));
    assert!(matches!(&values.as_slice()[1].1, MetadataValue::Binary(l) if l.data() == b"a\0b"));
    assert_eq!(
        body(b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n"),
        CommandBody::Sort {
            uid: false,
            criteria: Vec1::try_from(vec![
                SortCriterion {
                    reverse: false,
                    key: SortKey::Subject
                },
                SortCriterion {
                    reverse: true,
                    key: SortKey::Date
                },
            ])
            .unwrap(),
            charset: AString::try_from("UTF-8").unwrap(),
            keys: Vec1::one(SearchKey::All),
        }
    );
    assert!(matches!(
        body(b"A287 UID THREAD REFERENCES UTF-8 ALL\r\n"),
        CommandBody::Thread {
            uid: true,
            algorithm: ThreadAlgorithm::References,
            ..
        }
    ));
}

#[test]
fn binary_and_gmail_values() {
    let CommandBody::Fetch {
        items: FetchItems::List(items),
        ..
    } = body(b"a FETCH 1 (BINARY.PEEK[1]<0.100> BINARY[] BINARY.SIZE[2.1])\r\n")
    else {
        panic!()
    };
    let nz = |n| std::num::NonZeroU32::new(n).unwrap();
    assert_eq!(
        items.as_slice(),
        [
            FetchAttribute::Binary {
                peek: true,
                section: vec![nz(1)],
                partial: Some(Partial {
                    offset: Number64::default(),
                    length: NzNumber64::new(100).unwrap()
                }),
            },
            FetchAttribute::Binary {
                peek: false,
                section: vec![],
                partial: None,
            },
            FetchAttribute::BinarySize {
                section: vec![nz(2), nz(1)]
            },
        ]
    );
    let CommandBody::Search { criteria, .. } =
        body(b"a SEARCH X-GM-RAW \"has:attachment\" X-GM-MSGID 1278455344230334865 X-GM-THRID 7 X-GM-LABELS foo\r\n")
    else {
        panic!()
    };
    assert_eq!(
        criteria.as_slice(),
        [
            SearchKey::GmRaw(quoted("has:attachment")),
            SearchKey::GmMsgId(1278455344230334865),
            SearchKey::GmThrId(7),
            SearchKey::GmLabels(AString::try_from("foo").unwrap()),
        ]
    );
    assert_eq!(
        body(b"a012 STORE 1 -X-GM-LABELS.SILENT (\\Inbox \"a b\")\r\n"),
        CommandBody::StoreExt {
            uid: false,
            sequence_set: seq("1"),
            modifiers: vec![],
            action: StoreAction::Remove,
            silent: true,
            attribute: StoreAttribute::GmLabels(vec![
                GmLabel::System(Atom::new("Inbox").unwrap()),
                GmLabel::Name(quoted("a b")),
            ]),
        }
    );
}

/// RFC 3516 §4.3 with RFC 3502 (MULTIAPPEND): binary messages with NUL octets, several
/// messages in one APPEND, each literal waiting for its continuation.
#[test]
fn append_literal8_and_multiappend() {
    let line = b"a APPEND INBOX (\\Seen) ~{5}\r\nab\0cd (\\Draft) \" 5-Jan-2024 10:00:00 +0000\" {2}\r\nhi\r\n";
    let (c, conts, consumed) = feed_command(line, line.len());
    assert_eq!((conts, consumed), (2, line.len()));
    assert_eq!(command_all_ways(line), c);
    let CommandBody::AppendExt { mailbox, messages } = &c.body else {
        panic!("{c:?}")
    };
    assert_eq!(*mailbox, Mailbox::Inbox);
    let m = messages.as_slice();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].flags, Some(vec![Flag::Seen]));
    assert!(matches!(&m[0].data, AppendData::Binary(l) if l.data() == b"ab\0cd"));
    assert!(m[1].date.is_some());
    assert!(matches!(&m[1].data, AppendData::Literal(l) if l.data() == b"hi"));
    assert_eq!(c.to_vec(), line);
    // The fragments wait at each synchronizing literal, `~{5}` included.
    let f = c.fragments();
    assert_eq!(
        f[0],
        Fragment::Line(b"a APPEND INBOX (\\Seen) ~{5}\r\n".to_vec())
    );
    assert_eq!(
        f[1],
        Fragment::Literal {
            data: b"ab\0cd",
            sync: true
        }
    );
    // One message with a plain literal is RFC 3501's APPEND.
    assert!(matches!(
        body(b"a APPEND INBOX {2}\r\nhi\r\n"),
        CommandBody::Append { .. }
    ));
    // A NUL in a plain literal is still refused.
    assert!(Command::decode(b"a APPEND INBOX {2}\r\n\0i\r\n").is_err());
}

/// A synchronizing `~{n}` makes the server decoder ask for a continuation first.
#[test]
fn command_framer_announces_a_sync_literal8() {
    let mut dec = server_decoder();
    let got = dec.decode(b"a APPEND INBOX ~{3}\r\n");
    assert_eq!(got.unwrap(), CommandDecoded::ContinuationNeeded { size: 3 });
}

/// Anything still unknown stays raw and re-encodes byte for byte.
#[test]
fn unknown_commands_stay_raw() {
    for line in [
        &b"a GETACL INBOX\r\n"[..],
        b"a X-FROB 1 (2 \"3\")\r\n",
        b"a UID X-FROB 1\r\n",
    ] {
        let c = command_golden(line, true);
        assert!(matches!(c.body, CommandBody::Other { .. }), "{c:?}");
    }
}

/// RFC 5182 §2.1 (SEARCHRES): `$` stands for the saved search result wherever a
/// sequence set goes, and alone only.
#[test]
fn searchres_dollar_is_a_sequence_set() {
    assert_eq!(
        body(b"A283 SEARCH RETURN (SAVE) SINCE 1-Feb-1994\r\n"),
        CommandBody::SearchExt {
            uid: false,
            return_options: vec![SearchReturnOption::Save],
            charset: None,
            criteria: Vec1::one(SearchKey::Since(Date::new(1994, 2, 1).unwrap())),
        }
    );
    let CommandBody::Fetch { sequence_set, .. } = body(b"A284 FETCH $ (UID INTERNALDATE)\r\n")
    else {
        panic!()
    };
    assert!(sequence_set.is_saved_result());
    assert_eq!(sequence_set, SequenceSet::saved_result());
    assert_eq!(sequence_set.iter().count(), 0);
    assert!(matches!(
        body(b"A285 UID MOVE $ Trash\r\n"),
        CommandBody::Move { sequence_set, .. } if sequence_set.is_saved_result()
    ));
    assert!(matches!(
        body(b"A286 SEARCH $ SMALLER 4096\r\n"),
        CommandBody::Search { criteria, .. }
            if criteria.as_slice()[0] == SearchKey::SequenceSet(SequenceSet::saved_result())
    ));
    assert!(SequenceSet::new("1,$").is_err());
    assert!(Command::decode(b"a FETCH $:4 FLAGS\r\n").is_err());
}

/// Token soup of the extension grammars: whatever decodes re-encodes to bytes that
/// decode to the same value (the fuzz targets' round-trip invariant, aimed at the new
/// rules).
#[test]
fn token_soup_that_decodes_round_trips() {
    use proptest::prelude::*;
    const WORDS: &[&str] = &[
        "SELECT",
        "EXAMINE",
        "FETCH",
        "STORE",
        "LIST",
        "SEARCH",
        "RETURN",
        "(",
        ")",
        " ",
        " ",
        " ",
        "\"a b\"",
        "\"\"",
        "1:*",
        "$",
        "4,7",
        "CONDSTORE",
        "QRESYNC",
        "CHANGEDSINCE",
        "VANISHED",
        "UNCHANGEDSINCE",
        "MODSEQ",
        "X-GM-LABELS",
        "X-GM-RAW",
        "X-GM-MSGID",
        "+",
        "-",
        "FLAGS",
        ".SILENT",
        "\\Seen",
        "\\Inbox",
        "{3}\r\nabc",
        "~{3}\r\na\0c",
        "NIL",
        "12345",
        "0",
        "INBOX",
        "UID",
        "MOVE",
        "EXPUNGE",
        "SORT",
        "THREAD",
        "REVERSE",
        "DATE",
        "UTF-8",
        "ALL",
        "GETMETADATA",
        "SETMETADATA",
        "DEPTH",
        "infinity",
        "1",
        "MAXSIZE",
        "USE",
        "CREATE",
        "APPEND",
        "BINARY[1]",
        "BINARY.PEEK[]",
        "BINARY.SIZE[2]",
        "<0.5>",
        "ENABLE",
        "ID",
        "SETQUOTA",
        "GETQUOTA",
        "STORAGE",
        "X-A",
        "STATUS",
        "HIGHESTMODSEQ",
        "SIZE",
        "MIN",
        "MAX",
        "COUNT",
        "SAVE",
        "SUBSCRIBED",
        "CHILDREN",
        "SPECIAL-USE",
        "REMOTE",
        "RECURSIVEMATCH",
        "\"/flags/\\\\seen\"",
        "all",
        "priv",
        "COMPRESS",
        "DEFLATE",
        "UNSELECT",
        "IDLE",
        "NAMESPACE",
        "CHARSET",
        "%",
        "*",
        "foo",
    ];
    const VERBS: &[&str] = &[
        "SELECT ",
        "EXAMINE ",
        "FETCH ",
        "UID FETCH ",
        "STORE ",
        "UID STORE ",
        "LIST ",
        "SEARCH ",
        "UID SEARCH ",
        "CREATE ",
        "APPEND ",
        "STATUS ",
        "SORT ",
        "UID THREAD ",
        "MOVE ",
        "UID MOVE ",
        "UID EXPUNGE ",
        "ENABLE ",
        "ID ",
        "SETQUOTA ",
        "GETMETADATA ",
        "SETMETADATA ",
        "COMPRESS ",
    ];
    let soup = (
        proptest::sample::select(VERBS),
        proptest::collection::vec(proptest::sample::select(WORDS), 1..12),
    )
        .prop_map(|(verb, words)| format!("{verb}{}", words.concat()));
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 20_000,
        ..ProptestConfig::default()
    });
    let decoded = std::cell::Cell::new(0u32);
    runner
        .run(&soup, |words| {
            let line = format!("t {words}\r\n");
            if let Ok(Decoded::Complete { value, consumed }) = Command::decode(line.as_bytes()) {
                if consumed == line.len() && !matches!(value.body, CommandBody::Other { .. }) {
                    decoded.set(decoded.get() + 1);
                    let again = value.to_vec();
                    match Command::decode(&again) {
                        Ok(Decoded::Complete { value: v2, .. }) => prop_assert_eq!(v2, value),
                        other => prop_assert!(false, "{line:?} -> {again:?}: {other:?}"),
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    let decoded = decoded.get();
    assert!(decoded > 100, "only {decoded} lines decoded");
}

/// RFC 6855 §4: `APPEND mailbox UTF8 (literal8)`, a message with UTF-8 header fields.
#[test]
fn append_utf8_literal() {
    let line = "a APPEND INBOX UTF8 (~{14}\r\nSubject: café)\r\n".as_bytes();
    let c = command_golden(line, true);
    let CommandBody::AppendExt { messages, .. } = &c.body else {
        panic!("{c:?}")
    };
    assert!(
        matches!(&messages.as_slice()[0].data, AppendData::Utf8(l) if l.data() == "Subject: café".as_bytes())
    );
    let f = c.fragments();
    assert_eq!(
        f[0],
        Fragment::Line(b"a APPEND INBOX UTF8 (~{14}\r\n".to_vec())
    );
    assert_eq!(f[2], Fragment::Line(b")\r\n".to_vec()));
    assert!(Command::decode(b"a APPEND INBOX UTF8 ({3}\r\nabc)\r\n").is_err());
}

/// Numbers past 2^63 - 1 are refused, not overflowed (a fuzz find: `mod-sequence-value`
/// with 20 digits panicked in `number64`).
#[test]
fn oversized_number64_values_are_errors() {
    for line in [
        &b"B04 SELECT INBOX (QRESYNC (67890008 90060115191519402998529988))\r\n"[..],
        b"a UID FETCH 1 FLAGS (CHANGEDSINCE 18446744073709551616)\r\n",
        b"a STORE 1 (UNCHANGEDSINCE 9223372036854775808) FLAGS ()\r\n",
        b"a SETQUOTA x (STORAGE 99999999999999999999)\r\n",
    ] {
        assert!(
            Command::decode(line).is_err(),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    assert!(matches!(
        body(b"a STORE 1 (UNCHANGEDSINCE 9223372036854775807) FLAGS ()\r\n"),
        CommandBody::StoreExt { .. }
    ));
}

/// RFC 9051 §9: `"LARGER" SP number64` and `"SMALLER" SP number64`, so sizes above 4 GiB
/// can be searched for; 2^63 is past `number64` and refused at the operand.
#[test]
fn search_size_keys_take_number64() {
    // RFC 9051 §6.4.4.4.
    let CommandBody::Search { criteria, .. } = body(b"A301 UID SEARCH UID $ SMALLER 4096\r\n")
    else {
        panic!()
    };
    assert_eq!(
        criteria.as_slice()[1],
        SearchKey::Smaller(Number64::new(4096).unwrap())
    );
    let CommandBody::Search { criteria, .. } =
        body(b"A1 SEARCH LARGER 5000000000 SMALLER 9223372036854775807\r\n")
    else {
        panic!()
    };
    assert_eq!(
        criteria.as_slice(),
        &[
            SearchKey::Larger(Number64::new(5_000_000_000).unwrap()),
            SearchKey::Smaller(Number64::new(Number64::MAX).unwrap()),
        ]
    );
    let err = Command::decode(b"A2 SEARCH LARGER 9223372036854775808\r\n").unwrap_err();
    assert!(matches!(err, Error::Syntax { offset: 17, .. }), "{err:?}");
}

/// RFC 9051 §9: `partial = "<" number64 "." nz-number64 ">"`, so a FETCH can ask for octets
/// past 4 GiB; 2^63 is refused at the offset, and a zero length at the length.
#[test]
fn fetch_partial_takes_number64() {
    let CommandBody::Fetch {
        items: FetchItems::List(items),
        ..
    } = body(b"a FETCH 1 (BODY.PEEK[]<6442450944.4294967297> BINARY[1]<0.100>)\r\n")
    else {
        panic!()
    };
    assert_eq!(
        items.as_slice(),
        [
            FetchAttribute::BodySection {
                peek: true,
                section: Section::Full,
                partial: Some(Partial {
                    offset: Number64::new(6 << 30).unwrap(),
                    length: NzNumber64::new((1 << 32) + 1).unwrap(),
                }),
            },
            FetchAttribute::Binary {
                peek: false,
                section: vec![std::num::NonZeroU32::MIN],
                partial: Some(Partial {
                    offset: Number64::default(),
                    length: NzNumber64::new(100).unwrap(),
                }),
            },
        ]
    );
    let err = Command::decode(b"a FETCH 1 BODY[]<9223372036854775808.1>\r\n").unwrap_err();
    assert!(matches!(err, Error::Syntax { offset: 17, .. }), "{err:?}");
    let err = Command::decode(b"a FETCH 1 BODY[]<0.9223372036854775808>\r\n").unwrap_err();
    assert!(matches!(err, Error::Syntax { offset: 19, .. }), "{err:?}");
    let err = Command::decode(b"a FETCH 1 BODY[]<0.0>\r\n").unwrap_err();
    assert!(matches!(err, Error::Syntax { offset: 19, .. }), "{err:?}");
    assert!(NzNumber64::new(0).is_err());
    assert!(NzNumber64::new(Number64::MAX + 1).is_err());
    assert_eq!(NzNumber64::new(Number64::MAX).unwrap().get(), Number64::MAX);
}
