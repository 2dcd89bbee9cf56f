//! The lexical layer (RFC 3501 §9): representation choice, validation, mailbox names,
//! sequence sets, dates, literals and fragments.

mod common;

use common::*;
use imap_proto::*;
use std::borrow::Cow;

fn enc_astring(a: &AString<'_>) -> String {
    let c = Command::new(
        Tag::new("t").unwrap(),
        CommandBody::Login {
            username: a.clone(),
            password: AString::new(&b"p"[..]).unwrap(),
        },
    );
    let v = c.to_vec();
    String::from_utf8_lossy(&v["t LOGIN ".len()..v.len() - 4]).into_owned()
}

#[test]
fn astring_picks_atom_then_quoted_then_literal() {
    let cases: &[(&[u8], &str)] = &[
        (b"joe", "joe"),
        (b"a]b", "a]b"),
        (b"two words", "\"two words\""),
        (b"", "\"\""),
        (b"q\"uo\\te", "\"q\\\"uo\\\\te\""),
        (b"(paren", "\"(paren\""),
        (b"line\r\nbreak", "{11}\r\nline\r\nbreak"),
        ("Müller".as_bytes(), "{7}\r\nMüller"),
    ];
    for (data, wire) in cases {
        let a = AString::new(*data).unwrap();
        assert_eq!(a.as_bytes(), *data);
        assert_eq!(enc_astring(&a), *wire);
    }
    assert!(AString::new(&b"nul\0"[..]).is_err());
    assert!(IString::new(&b"nul\0"[..]).is_err());
}

#[test]
fn validating_constructors_refuse_what_the_grammar_forbids() {
    assert!(Tag::new("A1").is_ok());
    for bad in ["", "a+b", "a b", "a(", "a{", "a*", "a%", "a\"", "a\\"] {
        assert!(Tag::new(bad).is_err(), "{bad}");
    }
    assert!(Atom::new("X-GM-EXT-1").is_ok());
    assert!(Atom::new("a]").is_err());
    assert!(AtomExt::new("a]").is_ok());
    assert!(Text::new("fine text").is_ok());
    assert!(Text::new("[looks like a code").is_err());
    assert!(Text::new("no\r\n").is_err());
    assert!(Text::new("looks like a literal {7}").is_err());
    assert!(Text::new("not a literal {x}").is_ok());
    assert!(Quoted::new(&b"8bit \xff"[..]).is_err());
    assert!(Quoted::new_utf8("ünïcode").is_ok());
    assert!(FlagExtension::new("seen").is_err());
    assert!(FlagExtension::new("Junk").is_ok());
    assert_eq!(Flag::system("SEEN").unwrap(), Flag::Seen);
    assert!(Vec1::<u8>::try_from(vec![]).is_err());
    assert!(Date::new(2023, 2, 29).is_err());
    assert!(Date::new(2024, 2, 29).is_ok());
    assert!(DateTime::new(Date::new(2024, 1, 1).unwrap(), 24, 0, 0, 0).is_err());
}

#[test]
fn quoted_escapes_decode_to_their_content() {
    let c = command_golden(b"A1 LOGIN \"a\\\"b\" \"c\\\\d\"\r\n", true);
    let CommandBody::Login { username, password } = c.body else {
        panic!()
    };
    assert_eq!(username.as_bytes(), b"a\"b");
    assert_eq!(password.as_bytes(), b"c\\d");
    // Other escapes and raw CR are not quoted chars.
    assert!(Command::decode(b"A1 LOGIN \"a\\nb\" c\r\n").is_err());
    assert!(Command::decode(b"A1 LOGIN \"a\xffb\" c\r\n").is_err());
}

fn points_into(data: &[u8], input: &[u8]) -> bool {
    let (start, p) = (input.as_ptr() as usize, data.as_ptr() as usize);
    p >= start && p + data.len() <= start + input.len()
}

#[test]
fn quoted_strings_borrow_unless_escaped() {
    let bytes = b"A1 LOGIN \"plain\" \"es\\\\c\"\r\n";
    let Decoded::Complete { value, .. } = Command::decode(bytes).unwrap() else {
        panic!()
    };
    let CommandBody::Login { username, password } = value.body else {
        panic!()
    };
    assert!(points_into(username.as_bytes(), bytes));
    assert_eq!(password.as_bytes(), b"es\\c");
    assert!(!points_into(password.as_bytes(), bytes));
}

#[test]
fn literals_borrow_the_input() {
    let bytes = b"A1 LOGIN {3}\r\nabc {3+}\r\ndef\r\n";
    let Decoded::Complete { value, .. } = Command::decode(bytes).unwrap() else {
        panic!()
    };
    let CommandBody::Login { username, password } = &value.body else {
        panic!()
    };
    let AString::String(IString::Literal(u)) = username else {
        panic!()
    };
    assert_eq!(u.mode(), LiteralMode::Sync);
    assert!(points_into(u.data(), bytes), "not borrowed");
    let AString::String(IString::Literal(pw)) = password else {
        panic!()
    };
    assert_eq!(pw.mode(), LiteralMode::NonSync);
    assert_eq!(value.to_vec(), bytes);
    // NUL is not a CHAR8.
    assert!(Command::decode(b"A1 LOGIN {3}\r\na\0c x\r\n").is_err());
}

#[test]
fn inbox_is_case_insensitive_and_other_names_keep_their_form() {
    for wire in ["INBOX", "inbox", "iNbOx", "\"InBox\""] {
        let c = command_all_ways(format!("A1 SELECT {wire}\r\n").as_bytes());
        assert_eq!(
            c.body,
            CommandBody::Select {
                mailbox: Mailbox::Inbox
            }
        );
    }
    let c = command_golden(b"A1 SELECT INBOX.Sent\r\n", true);
    assert!(matches!(
        c.body,
        CommandBody::Select {
            mailbox: Mailbox::Other(_)
        }
    ));
}

#[test]
fn mailbox_names_in_modified_utf7_both_ways() {
    let m = Mailbox::from_utf8("Entwürfe").unwrap();
    assert_eq!(m.as_bytes(), b"Entw&APw-rfe");
    assert_eq!(m.to_utf8().unwrap(), "Entwürfe");
    let m = Mailbox::from_path(&["Archiv", "日本語", "a&b"], '/').unwrap();
    assert_eq!(m.as_bytes(), b"Archiv/&ZeVnLIqe-/a&-b");
    assert_eq!(m.to_path('/').unwrap(), ["Archiv", "日本語", "a&b"]);
    assert!(Mailbox::from_path(&["a/b"], '/').is_err());
    let c = command_golden(b"A1 SELECT Entw&APw-rfe\r\n", true);
    let CommandBody::Select { mailbox } = c.body else {
        panic!()
    };
    assert_eq!(mailbox.to_utf8().unwrap(), "Entwürfe");
    assert_eq!(Mailbox::from_utf8("inbox").unwrap(), Mailbox::Inbox);
    // Raw UTF-8 only after ENABLE UTF8=ACCEPT (RFC 6855).
    let raw = Mailbox::from_utf8_raw("Entwürfe").unwrap();
    let cmd = Command::new(
        Tag::new("A1").unwrap(),
        CommandBody::Select {
            mailbox: raw.clone(),
        },
    );
    let bytes = cmd.to_vec();
    assert_eq!(bytes, "A1 SELECT \"Entwürfe\"\r\n".as_bytes());
    assert!(Command::decode(&bytes).is_err());
    let mut dec = CommandDecoder::new(Config {
        utf8: true,
        ..Config::default()
    });
    let CommandDecoded::Complete { command, .. } = dec.decode(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(
        command.body,
        CommandBody::Select {
            mailbox: raw.clone()
        }
    );
    assert_eq!(raw.to_utf8().unwrap(), "Entwürfe");
}

#[test]
fn sequence_sets() {
    let s = SequenceSet::new("1:4,7,9:*,5:2").unwrap();
    let items: Vec<_> = s.iter().collect();
    assert_eq!(items.len(), 4);
    assert!(s.contains(3, 20) && s.contains(7, 20) && s.contains(20, 20) && !s.contains(8, 20));
    assert!(SequenceSet::new("*:4").unwrap().contains(10, 10));
    for bad in ["", "0", "1:", ":1", "1,,2", "01", "1:0", "4294967296", "a"] {
        assert!(SequenceSet::new(bad).is_err(), "{bad}");
    }
    let built = SequenceSet::from_items(&[
        SeqItem::Range(SeqNumber::Value(2.try_into().unwrap()), SeqNumber::Last),
        SeqItem::Single(SeqNumber::Value(1.try_into().unwrap())),
    ])
    .unwrap();
    assert_eq!(built.as_str(), "2:*,1");
    command_golden(b"A1 UID FETCH 1:4,7,9:*,5:2 (UID)\r\n", true);
}

#[test]
fn dates_and_date_times() {
    let c = command_golden(
        b"A1 APPEND INBOX (\\Seen \\Draft) \" 7-Jul-1996 02:44:25 -0700\" {1}\r\nx\r\n",
        true,
    );
    let CommandBody::Append { date: Some(d), .. } = c.body else {
        panic!()
    };
    assert_eq!(d.date(), Date::new(1996, 7, 7).unwrap());
    assert_eq!(d.time(), (2, 44, 25));
    assert_eq!(d.zone_minutes(), -420);
    // 2-digit day form also accepted; re-encoded in the fixed form.
    command_golden(
        b"A1 APPEND INBOX \"07-Jul-1996 02:44:25 +0000\" {1}\r\nx\r\n",
        false,
    );
    command_golden(
        b"A1 SEARCH SENTON \"7-jul-1996\" BEFORE 31-Dec-1999\r\n",
        false,
    );
    assert!(Command::decode(b"A1 SEARCH ON 31-Feb-1999\r\n").is_err());
    assert!(Command::decode(b"A1 SEARCH ON 1-Foo-1999\r\n").is_err());
}

#[test]
fn fragments_follow_the_literal_policy() {
    let c = Command::new(
        Tag::new("A1").unwrap(),
        CommandBody::Login {
            username: AString::new(&b"joe"[..]).unwrap(),
            password: AString::new(&b"se\r\ncret"[..]).unwrap(),
        },
    );
    let sync = c.fragments();
    assert_eq!(
        sync,
        vec![
            Fragment::Line(b"A1 LOGIN joe {8}\r\n".to_vec()),
            Fragment::Literal {
                data: b"se\r\ncret",
                sync: true
            },
            Fragment::Line(b"\r\n".to_vec()),
        ]
    );
    let plus = c.fragments_with(LiteralSupport::LiteralPlus);
    assert_eq!(plus[0], Fragment::Line(b"A1 LOGIN joe {8+}\r\n".to_vec()));
    assert_eq!(
        plus[1],
        Fragment::Literal {
            data: b"se\r\ncret",
            sync: false
        }
    );
    let big = vec![b'x'; 5000];
    let a = Command::new(
        Tag::new("A2").unwrap(),
        CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: None,
            date: None,
            message: Literal::new(Cow::Borrowed(&big[..])).unwrap(),
        },
    );
    let minus = a.fragments_with(LiteralSupport::LiteralMinus);
    assert_eq!(
        minus[0],
        Fragment::Line(b"A2 APPEND INBOX {5000}\r\n".to_vec())
    );
    // The pieces concatenated are the flat encoding.
    let mut joined = Vec::new();
    for f in a.fragments() {
        match f {
            Fragment::Line(l) => joined.extend_from_slice(&l),
            Fragment::Literal { data, .. } => joined.extend_from_slice(data),
        }
    }
    assert_eq!(joined, a.to_vec());
}

#[test]
fn fetch_attributes_sections_and_partials() {
    for (bytes, canonical) in [
        (&b"A1 FETCH 1 ALL\r\n"[..], true),
        (b"A1 FETCH 1 FAST\r\n", true),
        (b"A1 FETCH 1 FULL\r\n", true),
        (b"A1 FETCH 1:* (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE UID)\r\n", true),
        (b"A1 UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To Subject)])\r\n", true),
        (b"A1 FETCH 1 BODY[HEADER.FIELDS.NOT (Received)]\r\n", true),
        (b"A1 FETCH 1 (BODY[] BODY[TEXT] BODY[HEADER] BODY[1] BODY[1.2.3] BODY[2.MIME] BODY[3.HEADER] BODY[3.TEXT] BODY[4.HEADER.FIELDS (X)])\r\n", true),
        (b"A1 FETCH 1 BODY.PEEK[]<0.2048>\r\n", true),
        (b"A1 FETCH 1 BODY[1]<100.1>\r\n", true),
    ] {
        command_golden(bytes, canonical);
    }
    for bad in [
        &b"A1 FETCH 1 BODY[MIME]\r\n"[..],
        b"A1 FETCH 1 BODY[1]<0.0>\r\n",
        b"A1 FETCH 1 BODY.PEEK\r\n",
        b"A1 FETCH 1 ()\r\n",
        b"A1 FETCH 1 BODY[0]\r\n",
    ] {
        assert!(
            Command::decode(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let r = response_golden(b"* 1 FETCH (BODY[1.2]<100> \"partial\")\r\n", true);
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert!(matches!(
        &items.as_slice()[0],
        MessageDataItem::BodySection {
            origin: Some(100),
            ..
        }
    ));
}

#[test]
fn every_search_key() {
    command_golden(b"A1 UID SEARCH CHARSET UTF-8 ALL ANSWERED BCC x BEFORE 1-Jan-2000 BODY y CC z DELETED FLAGGED FROM f KEYWORD $k NEW OLD ON 2-Feb-2001 RECENT SEEN SINCE 3-Mar-2002 SUBJECT s TEXT t TO u UNANSWERED UNDELETED UNFLAGGED UNKEYWORD $j UNSEEN DRAFT HEADER X-Spam yes LARGER 100 NOT SEEN OR SEEN (FLAGGED DRAFT) SENTBEFORE 4-Apr-2003 SENTON 5-May-2004 SENTSINCE 6-Jun-2005 SMALLER 5 UID 1:* UNDRAFT 2,4:5\r\n", true);
    command_golden(
        b"A1 SEARCH CHARSET \"ISO-8859-1\" SUBJECT {3}\r\n\xe9t\xe9\r\n",
        true,
    );
}

#[test]
fn every_other_command_form() {
    for (bytes, canonical) in [
        (&b"A1 STORE 1 FLAGS (\\Seen)\r\n"[..], true),
        (b"A1 STORE 1 -FLAGS.SILENT \\Seen \\Deleted\r\n", true),
        (b"A1 UID STORE 1:3 +FLAGS.SILENT ()\r\n", true),
        (b"A1 UID COPY 1:3 \"Sent Items\"\r\n", true),
        (b"A1 AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n", true),
        (b"A1 AUTHENTICATE EXTERNAL =\r\n", true),
        (
            b"A1 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n",
            true,
        ),
        (b"A1 APPEND Drafts () {1+}\r\nx\r\n", true),
        (
            b"A1 XAPPLEPUSHSERVICE aps-version 2 aps-account-id 1\r\n",
            true,
        ),
        (b"A1 ID (\"name\" \"x\")\r\n", true),
        (b"A1 lsub \"\" *\r\n", false),
        (b"A1 uid fetch 1 (uid)\r\n", false),
    ] {
        command_golden(bytes, canonical);
    }
}

#[test]
fn unknown_fetch_items_are_kept_raw_both_ways() {
    let c = command_golden(
        b"A1 UID FETCH 1:* (UID X-GM-LABELS MODSEQ BINARY.PEEK[1]<0.100>)\r\n",
        true,
    );
    let CommandBody::Fetch {
        items: FetchItems::List(items),
        ..
    } = c.body
    else {
        panic!()
    };
    // Typed since the extension grammar (RFC 3516, RFC 7162, X-GM-EXT-1) models them.
    assert_eq!(
        items.as_slice()[3],
        FetchAttribute::Binary {
            peek: true,
            section: vec![std::num::NonZeroU32::MIN],
            partial: Some(Partial {
                offset: Number64::default(),
                length: NzNumber64::new(100).unwrap()
            })
        }
    );
    assert_eq!(items.as_slice()[1], FetchAttribute::GmLabels);
    let r = response_golden(
        b"* 1 FETCH (UID 5 MODSEQ (12345) X-GM-LABELS (\\Inbox \"a b\" {3}\r\nxyz) X-GM-MSGID 1278455344230334865 BINARY[1] ~{3}\r\nabc FLAGS ())\r\n",
        true,
    );
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let items = items.as_slice();
    assert_eq!(items.len(), 6);
    // The extensions this crate models are typed (tests/ext_responses.rs has the rest).
    assert_eq!(
        items[1],
        MessageDataItem::ModSeq(ModSeq::new(12345).unwrap())
    );
    assert_eq!(
        items[4],
        MessageDataItem::Binary {
            section: vec![1.try_into().unwrap()],
            origin: None,
            data: NString8::Literal8(Literal8::new(&b"abc"[..]).unwrap()),
        }
    );
}
