//! Every example of RFC 3501 §6, §7 and the §8 sample dialog: decoded whole, byte by byte
//! and with trailing bytes, then re-encoded (byte-identical where the input is canonical).

mod common;

use common::*;
use imap_proto::*;
use std::num::NonZeroU32;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// (bytes, canonical)
const COMMANDS: &[(&str, bool)] = &[
    // §6.1
    ("abcd CAPABILITY\r\n", true),
    ("efgh STARTTLS\r\n", true),
    ("ijkl CAPABILITY\r\n", true),
    ("a002 NOOP\r\n", true),
    ("a047 NOOP\r\n", true),
    ("A023 LOGOUT\r\n", true),
    // §6.2
    ("a001 CAPABILITY\r\n", true),
    ("a002 STARTTLS\r\n", true),
    ("a003 CAPABILITY\r\n", true),
    ("a004 LOGIN joe password\r\n", true),
    ("A001 AUTHENTICATE GSSAPI\r\n", true),
    ("a001 LOGIN SMITH SESAME\r\n", true),
    // §6.3
    ("A142 SELECT INBOX\r\n", true),
    ("A932 EXAMINE blurdybloop\r\n", true),
    ("A003 CREATE owatagusiam/\r\n", true),
    ("A004 CREATE owatagusiam/blurdybloop\r\n", true),
    ("A682 LIST \"\" *\r\n", true),
    ("A683 DELETE blurdybloop\r\n", true),
    ("A684 DELETE foo\r\n", true),
    ("A685 DELETE foo/bar\r\n", true),
    ("A686 LIST \"\" *\r\n", true),
    ("A687 DELETE foo\r\n", true),
    ("A82 LIST \"\" *\r\n", true),
    ("A86 LIST \"\" %\r\n", true),
    ("A683 RENAME blurdybloop sarasoop\r\n", true),
    ("A684 RENAME foo zowie\r\n", true),
    ("Z432 LIST \"\" *\r\n", true),
    ("Z433 RENAME INBOX old-mail\r\n", true),
    ("A002 SUBSCRIBE #news.comp.mail.mime\r\n", true),
    ("A002 UNSUBSCRIBE #news.comp.mail.mime\r\n", true),
    ("A101 LIST \"\" \"\"\r\n", true),
    ("A102 LIST #news.comp.mail.misc \"\"\r\n", true),
    ("A103 LIST /usr/staff/jones \"\"\r\n", true),
    ("A202 LIST ~/Mail/ %\r\n", true),
    ("A002 LSUB \"#news.\" \"comp.mail.*\"\r\n", true),
    ("A003 LSUB \"#news.\" \"comp.%\"\r\n", true),
    ("A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n", true),
    // §6.4
    ("FXXZ CHECK\r\n", true),
    ("A341 CLOSE\r\n", true),
    ("A202 EXPUNGE\r\n", true),
    (
        "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        true,
    ),
    ("A283 SEARCH TEXT \"string not in mailbox\"\r\n", true),
    ("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n", true),
    (
        "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
        true,
    ),
    ("A003 STORE 2:4 +FLAGS (\\Deleted)\r\n", true),
    ("A003 COPY 2:4 MEETING\r\n", true),
    ("A999 UID FETCH 4827313:4828442 FLAGS\r\n", true),
    // §6.5
    ("a441 CAPABILITY\r\n", true),
    ("A442 XPIG-LATIN\r\n", true),
    // §7
    ("A001 LOGIN fred blurdybloop\r\n", true),
    ("A222 COPY 1:2 owatagusiam\r\n", true),
    ("A223 COPY 3:200 blurdybloop\r\n", true),
    ("A443 EXPUNGE\r\n", true),
    ("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n", true),
    // §8 (lower case: not canonical)
    ("a001 login mrc secret\r\n", false),
    ("a002 select inbox\r\n", false),
    ("a003 fetch 12 full\r\n", false),
    ("a004 fetch 12 body[header]\r\n", false),
    ("a005 store 12 +flags \\deleted\r\n", false),
    ("a006 logout\r\n", false),
];

#[test]
fn rfc3501_command_examples_decode_and_reencode() {
    for (bytes, canonical) in COMMANDS {
        command_golden(bytes.as_bytes(), *canonical);
    }
}

#[test]
fn search_example_has_the_rfc_structure() {
    let c = command_golden(
        b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        true,
    );
    let CommandBody::Search {
        uid: false,
        charset: None,
        criteria,
    } = c.body
    else {
        panic!("{c:?}")
    };
    let keys = criteria.as_slice();
    assert_eq!(keys[0], SearchKey::Flagged);
    assert_eq!(keys[1], SearchKey::Since(Date::new(1994, 2, 1).unwrap()));
    assert_eq!(
        keys[2],
        SearchKey::Not(Box::new(SearchKey::From(AString::String(IString::Quoted(
            Quoted::new(&b"Smith"[..]).unwrap()
        )))))
    );
}

#[test]
fn login_with_two_literals_asks_for_two_continuations() {
    let bytes = b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n";
    let (c, conts, _) = feed_command(bytes, 1);
    assert_eq!(conts, 2);
    let CommandBody::Login { username, password } = c.body else {
        panic!()
    };
    assert_eq!(username.as_bytes(), b"FRED FOOBAR");
    assert_eq!(password.as_bytes(), b"fat man");
}

fn rfc_append_message() -> Vec<u8> {
    let lines = [
        "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)",
        "From: Fred Foobar <foobar@Blurdybloop.COM>",
        "Subject: afternoon meeting",
        "To: mooch@owatagu.siam.edu",
        "Message-Id: <B27397-0100000@Blurdybloop.COM>",
        "MIME-Version: 1.0",
        "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
        "",
        "Hello Joe, do you think we can meet at 3:30 tomorrow?",
    ];
    let mut m = Vec::new();
    for l in lines {
        m.extend_from_slice(l.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    m
}

#[test]
fn append_example_with_310_octet_literal() {
    let msg = rfc_append_message();
    assert_eq!(msg.len(), 310);
    let mut bytes = b"A003 APPEND saved-messages (\\Seen) {310}\r\n".to_vec();
    bytes.extend_from_slice(&msg);
    bytes.extend_from_slice(b"\r\n");
    let (c, conts, _) = feed_command(&bytes, 1);
    assert_eq!(conts, 1);
    let CommandBody::Append {
        mailbox,
        flags,
        date,
        message,
    } = &c.body
    else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"saved-messages");
    assert_eq!(flags.as_deref(), Some(&[Flag::Seen][..]));
    assert_eq!(*date, None);
    assert_eq!(message.data(), &msg[..]);
    command_golden(&bytes, true);
    // The client encoder splits it at the literal.
    let frags = c.fragments();
    assert_eq!(
        frags,
        vec![
            Fragment::Line(b"A003 APPEND saved-messages (\\Seen) {310}\r\n".to_vec()),
            Fragment::Literal {
                data: &msg,
                sync: true
            },
            Fragment::Line(b"\r\n".to_vec()),
        ]
    );
}

#[test]
fn unknown_command_with_large_literal_is_kept_raw() {
    // §7.1.3: "A044 BLURDYBLOOP {102856}" and its data.
    let mut bytes = b"A044 BLURDYBLOOP {102856}\r\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'z', 102856));
    bytes.extend_from_slice(b"\r\n");
    let c = command_all_ways(&bytes);
    let CommandBody::Other { name, arguments } = &c.body else {
        panic!()
    };
    assert_eq!(name.as_str(), "BLURDYBLOOP");
    assert_eq!(arguments.len(), "{102856}\r\n".len() + 102856);
    assert_eq!(c.to_vec(), bytes);
}

#[test]
fn authenticate_lines_decode() {
    let mut dec = server_decoder();
    for line in [
        &b"YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBw==\r\n"[..],
        b"YDMGCSqGSIb3EgECAgIBAAD/////3LQBHXTpFfZgrejpLlLImA==\r\n",
    ] {
        match dec.decode_authenticate(line).unwrap() {
            Decoded::Complete {
                value: AuthenticateData::Response(d),
                consumed,
            } => {
                assert_eq!(consumed, line.len());
                let back = AuthenticateData::Response(d.clone()).to_vec();
                assert_eq!(back, line);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        dec.decode_authenticate(b"*\r\n").unwrap(),
        Decoded::Complete {
            value: AuthenticateData::Cancel,
            consumed: 3
        }
    );
    assert!(dec.decode_authenticate(b"not base64!\r\n").is_err());
}

const RESPONSES: &[(&str, bool)] = &[
    // §6
    ("* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI\r\n", true),
    ("abcd OK CAPABILITY completed\r\n", true),
    ("efgh OK STARTLS completed\r\n", true),
    ("* CAPABILITY IMAP4rev1 AUTH=GSSAPI AUTH=PLAIN\r\n", true),
    ("ijkl OK CAPABILITY completed\r\n", true),
    ("a002 OK NOOP completed\r\n", true),
    ("* 22 EXPUNGE\r\n", true),
    ("* 23 EXISTS\r\n", true),
    ("* 3 RECENT\r\n", true),
    ("* 14 FETCH (FLAGS (\\Seen \\Deleted))\r\n", true),
    ("a047 OK NOOP completed\r\n", true),
    ("* BYE IMAP4rev1 Server logging out\r\n", true),
    ("A023 OK LOGOUT completed\r\n", true),
    ("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n", true),
    ("a001 OK CAPABILITY completed\r\n", true),
    ("a002 OK Begin TLS negotiation now\r\n", true),
    ("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n", true),
    ("a003 OK CAPABILITY completed\r\n", true),
    ("a004 OK LOGIN completed\r\n", true),
    ("+ \r\n", true),
    (
        "+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC\r\n",
        true,
    ),
    (
        "+ YDMGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHe\r\n",
        true,
    ),
    ("A001 OK GSSAPI authentication successful\r\n", true),
    ("a001 OK LOGIN completed\r\n", true),
    ("* 172 EXISTS\r\n", true),
    ("* 1 RECENT\r\n", true),
    ("* OK [UNSEEN 12] Message 12 is first unseen\r\n", true),
    ("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", true),
    ("* OK [UIDNEXT 4392] Predicted next UID\r\n", true),
    (
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        true,
    ),
    (
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        true,
    ),
    ("A142 OK [READ-WRITE] SELECT completed\r\n", true),
    (
        "* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n",
        true,
    ),
    ("A932 OK [READ-ONLY] EXAMINE completed\r\n", true),
    ("A003 OK CREATE completed\r\n", true),
    ("* LIST () \"/\" blurdybloop\r\n", true),
    ("* LIST (\\Noselect) \"/\" foo\r\n", true),
    ("* LIST () \"/\" foo/bar\r\n", true),
    ("A682 OK LIST completed\r\n", true),
    (
        "A684 NO Name \"foo\" has inferior hierarchical names\r\n",
        true,
    ),
    ("A685 OK DELETE Completed\r\n", true),
    ("* LIST () \".\" foo.bar\r\n", true),
    ("* LIST () \".\" INBOX\r\n", true),
    ("* LIST () \".\" INBOX.bar\r\n", true),
    ("* LIST () \".\" old-mail\r\n", true),
    ("A002 OK SUBSCRIBE completed\r\n", true),
    ("* LIST (\\Noselect) \"/\" \"\"\r\n", true),
    ("* LIST (\\Noselect) \".\" #news.\r\n", true),
    ("* LIST (\\Noselect) \"/\" /\r\n", true),
    ("* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n", true),
    ("* LIST () \"/\" ~/Mail/meetings\r\n", true),
    ("* LSUB () \".\" #news.comp.mail.mime\r\n", true),
    ("* LSUB () \".\" #news.comp.mail.misc\r\n", true),
    ("* LSUB (\\NoSelect) \".\" #news.comp.mail\r\n", false),
    (
        "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
        true,
    ),
    ("A042 OK STATUS completed\r\n", true),
    ("+ Ready for literal data\r\n", true),
    ("A003 OK APPEND completed\r\n", true),
    ("FXXZ OK CHECK Completed\r\n", true),
    ("* 3 EXPUNGE\r\n", true),
    ("* 8 EXPUNGE\r\n", true),
    ("* SEARCH 2 84 882\r\n", true),
    ("* SEARCH\r\n", true),
    ("* SEARCH 43\r\n", true),
    ("* 2 FETCH (FLAGS (\\Deleted \\Seen))\r\n", true),
    ("* 4 FETCH (FLAGS (\\Deleted \\Flagged \\Seen))\r\n", true),
    ("A003 OK STORE completed\r\n", true),
    ("* 23 FETCH (FLAGS (\\Seen) UID 4827313)\r\n", true),
    ("A999 OK UID FETCH completed\r\n", true),
    ("* CAPABILITY IMAP4rev1 XPIG-LATIN\r\n", true),
    ("* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay\r\n", true),
    ("A442 OK XPIG-LATIN ompleted-cay\r\n", true),
    // §7
    ("* OK IMAP4rev1 server ready\r\n", true),
    ("* OK [ALERT] System shutdown in 10 minutes\r\n", true),
    ("A001 OK LOGIN Completed\r\n", true),
    (
        "* NO Disk is 98% full, please delete unnecessary data\r\n",
        true,
    ),
    ("A223 NO COPY failed: disk is full\r\n", true),
    ("* BAD Command line too long\r\n", true),
    ("* BAD Empty command line\r\n", true),
    (
        "* BAD Disk crash, attempting salvage to a new disk!\r\n",
        true,
    ),
    ("* OK Salvage successful, no data lost\r\n", true),
    ("A443 OK Expunge completed\r\n", true),
    ("* PREAUTH IMAP4rev1 server logged in as Smith\r\n", true),
    ("* BYE Autologout; idle for too long\r\n", true),
    (
        "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN\r\n",
        true,
    ),
    ("* SEARCH 2 3 6\r\n", true),
    ("* 5 RECENT\r\n", true),
    ("* 44 EXPUNGE\r\n", true),
    ("* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n", true),
    ("+ Ready for additional command text\r\n", true),
    ("A044 BAD No such command as \"BLURDYBLOOP\"\r\n", true),
    // §7.4.2 BODYSTRUCTURE examples
    (
        "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
        true,
    ),
    (
        "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n",
        true,
    ),
];

#[test]
fn rfc3501_response_examples_decode_and_reencode() {
    for (bytes, canonical) in RESPONSES {
        response_golden(bytes.as_bytes(), *canonical);
    }
}

#[test]
fn response_examples_have_the_rfc_values() {
    assert_eq!(
        response_golden(b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", true),
        Response::Status(StatusResponse {
            tag: None,
            kind: StatusKind::Ok,
            code: Some(Code::UidValidity(nz(3857529045))),
            text: Text::new("UIDs valid").unwrap(),
        })
    );
    assert_eq!(
        response_golden(
            b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
            true
        ),
        Response::Data(Data::Status {
            mailbox: Mailbox::try_from("blurdybloop").unwrap(),
            items: vec![StatusItem::Messages(231), StatusItem::UidNext(44292)],
        })
    );
    assert_eq!(
        response_golden(
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
            true
        ),
        Response::Status(StatusResponse {
            tag: None,
            kind: StatusKind::Ok,
            code: Some(Code::PermanentFlags(vec![
                Flag::Deleted,
                Flag::Seen,
                Flag::Wildcard
            ])),
            text: Text::new("Limited").unwrap(),
        })
    );
    assert_eq!(
        response_golden(b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n", true),
        Response::Data(Data::List {
            attributes: vec![NameAttribute::NoSelect],
            delimiter: Some(b'/'),
            mailbox: Mailbox::try_from("~/Mail/foo").unwrap(),
            extended: None,
        })
    );
    assert_eq!(
        response_golden(
            b"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC\r\n",
            true
        ),
        Response::Continue(Continue::Base64(
            base64_decode("YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC").into()
        ))
    );
    let Response::Continue(Continue::Basic { code: None, text }) =
        response_golden(b"+ Ready for literal data\r\n", true)
    else {
        panic!()
    };
    assert_eq!(text.as_str(), "Ready for literal data");
}

fn base64_decode(s: &str) -> Vec<u8> {
    // Decode via the crate's own AUTHENTICATE line decoder (no hand-written base64).
    let line = format!("{s}\r\n");
    let mut dec = server_decoder();
    match dec.decode_authenticate(line.as_bytes()).unwrap() {
        Decoded::Complete {
            value: AuthenticateData::Response(d),
            ..
        } => d.into_owned(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn greetings_decode() {
    for g in [
        &b"* OK IMAP4rev1 Service Ready\r\n"[..],
        b"* OK IMAP4rev1 Server\r\n",
        b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n",
        b"* BYE Autologout; idle for too long\r\n",
    ] {
        greeting_golden(g);
    }
    let g = greeting_golden(b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n");
    assert_eq!(g.kind, StatusKind::PreAuth);
    // A greeting whose text ends like a literal announcement: the framer reads a literal,
    // and the grammar has no room for one there.
    let mut dec = client_decoder(client_config());
    assert!(matches!(
        dec.decode_greeting(b"* OK hi {3}\r\nabc\r\n"),
        Err(Error::Syntax {
            offset: 13,
            line: 2,
            rule: "end of message"
        })
    ));
    // NO is not a greeting.
    let mut dec = client_decoder(client_config());
    assert!(matches!(
        dec.decode_greeting(b"* NO go away\r\n"),
        Err(Error::Syntax { offset: 2, .. })
    ));
}

fn section8_header() -> Vec<u8> {
    let lines = [
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
        "From: Terry Gray <gray@cac.washington.edu>",
        "Subject: IMAP4rev1 WG mtg summary and minutes",
        "To: imap@cac.washington.edu",
        "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>",
        "Message-Id: <B27397-0100000@cac.washington.edu>",
        "MIME-Version: 1.0",
        "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
        "",
    ];
    let mut m = Vec::new();
    for l in lines {
        m.extend_from_slice(l.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    m
}

const SECTION8_FETCH_FULL: &str = "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n";

/// The §8 sample connection: the server's side as one byte stream through one client
/// decoder, the client's side through one server decoder.
#[test]
fn section8_sample_dialog() {
    let header = section8_header();
    assert_eq!(header.len(), 342);
    let mut server: Vec<u8> = Vec::new();
    server.extend_from_slice(b"* OK IMAP4rev1 Service Ready\r\n");
    let rest: Vec<u8> = [
        "a001 OK LOGIN completed\r\n",
        "* 18 EXISTS\r\n",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        "* 2 RECENT\r\n",
        "* OK [UNSEEN 17] Message 17 is the first unseen message\r\n",
        "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
        "a002 OK [READ-WRITE] SELECT completed\r\n",
        SECTION8_FETCH_FULL,
        "a003 OK FETCH completed\r\n",
    ]
    .concat()
    .into_bytes();
    server.extend_from_slice(&rest);
    server.extend_from_slice(b"* 12 FETCH (BODY[HEADER] {342}\r\n");
    server.extend_from_slice(&header);
    server.extend_from_slice(
        b")\r\na004 OK FETCH completed\r\n* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n* BYE IMAP4rev1 server terminating connection\r\na006 OK LOGOUT completed\r\n",
    );

    for chunk in [server.len(), 1, 7] {
        let mut dec = client_decoder(client_config());
        let mut buf = Vec::new();
        let mut greeting = None;
        let mut responses = Vec::new();
        for piece in server.chunks(chunk) {
            buf.extend_from_slice(piece);
            if greeting.is_none() {
                match dec.decode_greeting(&buf).unwrap() {
                    Decoded::Complete { value, consumed } => {
                        greeting = Some(value.into_owned());
                        buf.drain(..consumed);
                    }
                    Decoded::Incomplete { .. } => continue,
                }
            }
            while let Decoded::Complete { value, consumed } = dec.decode(&buf).unwrap() {
                responses.push(value.into_owned());
                buf.drain(..consumed);
            }
        }
        assert!(buf.is_empty());
        assert_eq!(greeting.unwrap().kind, StatusKind::Ok);
        assert_eq!(responses.len(), 15);
        // Re-encoding every response gives back the server's bytes.
        let mut again = b"* OK IMAP4rev1 Service Ready\r\n".to_vec();
        for r in &responses {
            r.encode(&mut again);
        }
        assert_eq!(again, server);
        // The FETCH FULL reply carries the envelope of the RFC.
        let Response::Data(Data::Fetch { seq, items }) = &responses[7] else {
            panic!()
        };
        assert_eq!(seq.get(), 12);
        let MessageDataItem::Envelope(env) = &items.as_slice()[3] else {
            panic!()
        };
        assert_eq!(env.cc().len(), 2);
        assert_eq!(
            env.cc()[1].name.as_ref().unwrap().as_bytes(),
            b"John Klensin"
        );
        assert_eq!(env.bcc(), []);
        let MessageDataItem::BodySection { data, .. } = &(match &responses[9] {
            Response::Data(Data::Fetch { items, .. }) => items.as_slice()[0].clone(),
            _ => panic!(),
        }) else {
            panic!()
        };
        assert_eq!(data.as_ref().unwrap().as_bytes(), &header[..]);
    }

    let client = b"a001 login mrc secret\r\na002 select inbox\r\na003 fetch 12 full\r\na004 fetch 12 body[header]\r\na005 store 12 +flags \\deleted\r\na006 logout\r\n";
    let mut dec = server_decoder();
    let mut buf = &client[..];
    let mut names = Vec::new();
    while !buf.is_empty() {
        match dec.decode(buf).unwrap() {
            CommandDecoded::Complete { command, consumed } => {
                names.push(command.body.name().to_string());
                buf = &buf[consumed..];
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        names,
        ["LOGIN", "SELECT", "FETCH", "FETCH", "STORE", "LOGOUT"]
    );
}

#[test]
fn section8_fetch_full_round_trips_byte_for_byte() {
    response_golden(SECTION8_FETCH_FULL.as_bytes(), true);
}

/// RFC 6851 §3.3 and RFC 4315 §2.1: the UID forms of extension commands decode as typed
/// commands (the extension grammar models them) and re-encode byte for byte.
#[test]
fn uid_extension_commands_decode_typed() {
    for line in [
        &b"a UID MOVE 42:69 foo\r\n"[..],
        b"A003 UID EXPUNGE 3000:3002\r\n",
    ] {
        let mut d = CommandDecoder::default();
        let Ok(CommandDecoded::Complete { command, consumed }) = d.decode(line) else {
            panic!("{:?}", String::from_utf8_lossy(line))
        };
        assert_eq!(consumed, line.len());
        match &command.body {
            CommandBody::Move {
                uid: true,
                sequence_set,
                ..
            } => assert_eq!(sequence_set.as_str(), "42:69"),
            CommandBody::UidExpunge { sequence_set } => {
                assert_eq!(sequence_set.as_str(), "3000:3002")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(command.to_vec(), line);
    }
    // A UID with nothing after it is still an error.
    let mut d = CommandDecoder::default();
    assert!(d.decode(b"a UID \r\n").is_err());
}
