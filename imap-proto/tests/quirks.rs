//! The lenient client mode: each known server non-conformance, its bytes, the strict
//! mode's typed rejection and the lenient mode's value.

mod common;

use common::*;
use imap_proto::*;

/// (quirk, bytes): the corpus of real-server non-conformances.
const QUIRKS: &[(Quirk, &str)] = &[
    (Quirk::NegativeNumber, "* 1 FETCH (RFC822.SIZE -1)\r\n"),
    (
        Quirk::NegativeNumber,
        "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 -1))\r\n",
    ),
    (
        Quirk::NilBodyParameter,
        "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" NIL) NIL NIL \"7BIT\" 1 1))\r\n",
    ),
    (
        Quirk::NilBodyParameter,
        "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL) \"MIXED\" (\"boundary\" NIL) NIL NIL NIL))\r\n",
    ),
    (
        Quirk::NilString,
        "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 12 1))\r\n",
    ),
    (
        Quirk::NilString,
        "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) NIL))\r\n",
    ),
    (
        Quirk::NilString,
        "* 1 FETCH (BODYSTRUCTURE (\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 9 NIL (NIL NIL)))\r\n",
    ),
    (Quirk::BracketInFlag, "* FLAGS (\\Seen foo])\r\n"),
    (
        Quirk::BracketInFlag,
        "* OK [PERMANENTFLAGS (\\Seen $Label]x \\*)] Limited\r\n",
    ),
    (Quirk::WildcardInFlags, "* FLAGS (\\Seen \\*)\r\n"),
    (Quirk::WildcardInFlags, "* 3 FETCH (FLAGS (\\*))\r\n"),
    (Quirk::SpaceBeforeParen, "* FLAGS (\\Seen \\Draft )\r\n"),
    (Quirk::SpaceBeforeParen, "* 1 FETCH (UID 4 )\r\n"),
    (Quirk::SpaceBeforeParen, "* STATUS INBOX (MESSAGES 1 )\r\n"),
    (Quirk::TrailingSpace, "* SEARCH 1 2 \r\n"),
    (Quirk::TrailingSpace, "* 5 EXISTS \r\n"),
    (Quirk::ContinuationWithoutSpace, "+\r\n"),
    (Quirk::ContinuationWithoutSpace, "+Ready\r\n"),
    (Quirk::EmptyText, "a1 OK\r\n"),
    (Quirk::EmptyText, "a1 OK \r\n"),
    (Quirk::EmptyText, "* OK [READ-WRITE]\r\n"),
    (Quirk::EmptyText, "* OK [UIDNEXT 5] \r\n"),
    (Quirk::MissingSpaceAfterCode, "* OK [ALERT]text\r\n"),
];

fn lenient() -> Config {
    Config {
        quirks: Quirks::LENIENT,
        ..client_config()
    }
}

fn only(q: Quirk) -> Quirks {
    let mut quirks = Quirks::STRICT;
    match q {
        Quirk::NegativeNumber => quirks.negative_number = true,
        Quirk::NilBodyParameter => quirks.nil_body_parameter = true,
        Quirk::NilString => quirks.nil_string = true,
        Quirk::BracketInFlag => quirks.bracket_in_flag = true,
        Quirk::WildcardInFlags => quirks.wildcard_in_flags = true,
        Quirk::SpaceBeforeParen => quirks.space_before_paren = true,
        Quirk::TrailingSpace => quirks.trailing_space = true,
        Quirk::ContinuationWithoutSpace => quirks.continuation_without_space = true,
        Quirk::EmptyText => quirks.empty_text = true,
        Quirk::MissingSpaceAfterCode => quirks.missing_space_after_code = true,
        _ => unreachable!(),
    }
    quirks
}

#[test]
fn strict_mode_rejects_each_quirk_with_its_name() {
    for (quirk, bytes) in QUIRKS {
        let err = feed_responses(bytes.as_bytes(), bytes.len(), client_config()).unwrap_err();
        match err {
            Error::Quirk { quirk: q, .. } => assert_eq!(q, *quirk, "{bytes:?}"),
            other => panic!("{bytes:?}: {other:?}"),
        }
        // Byte by byte: the same error.
        let err1 = feed_responses(bytes.as_bytes(), 1, client_config()).unwrap_err();
        assert!(matches!(err1, Error::Quirk { quirk: q, .. } if q == *quirk));
    }
}

#[test]
fn its_own_toggle_is_enough_to_accept_each_quirk() {
    for (quirk, bytes) in QUIRKS {
        let config = Config {
            quirks: only(*quirk),
            ..client_config()
        };
        response_all_ways_with(bytes.as_bytes(), config);
        response_all_ways_with(bytes.as_bytes(), lenient());
    }
}

#[test]
fn lenient_values_are_what_the_server_meant() {
    let r = response_all_ways_with(b"* 1 FETCH (RFC822.SIZE -1)\r\n", lenient());
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert_eq!(
        items.as_slice(),
        &[MessageDataItem::Rfc822Size(Number64::default())]
    );

    let r = response_all_ways_with(b"* SEARCH 1 2 \r\n", lenient());
    assert_eq!(
        r,
        Response::Data(Data::Search(vec![
            1.try_into().unwrap(),
            2.try_into().unwrap()
        ]))
    );

    let r = response_all_ways_with(b"* FLAGS (\\Seen foo])\r\n", lenient());
    let Response::Data(Data::Flags(f)) = r else {
        panic!()
    };
    assert_eq!(f.len(), 2);
    assert!(matches!(&f[1], Flag::Keyword(k) if k.as_str() == "foo]"));

    let r = response_all_ways_with(b"+\r\n", lenient());
    assert_eq!(r, Response::Continue(Continue::Base64(Vec::new().into())));

    let r = response_all_ways_with(b"* OK [READ-WRITE]\r\n", lenient());
    let Response::Status(s) = r else { panic!() };
    assert_eq!(s.code, Some(Code::ReadWrite));
    assert_eq!(s.text.as_str(), "");
    // The value re-encodes to the conforming-as-possible form.
    assert_eq!(Response::Status(s).to_vec(), b"* OK [READ-WRITE]\r\n");
}

#[test]
fn rfc_conforming_forms_need_no_quirk() {
    // RFC 3501 §9 allows an empty STATUS list: `"(" [status-att-list] ")"`.
    response_golden(b"* STATUS INBOX ()\r\n", true);
    // PERMANENTFLAGS may hold \*.
    response_golden(b"* OK [PERMANENTFLAGS (\\*)] Limited\r\n", true);
    // FETCH FLAGS may hold \Recent.
    response_golden(b"* 1 FETCH (FLAGS (\\Recent))\r\n", true);
}

/// What each lenient value re-encodes to (the table in `Quirks`' documentation): the
/// peer's bytes, the conforming form of them, or (three lossy toggles) the normalised
/// value. `conforming` says whether the re-encoding passes the strict decoder, which then
/// gives the same value.
#[test]
fn lenient_values_re_encode_as_documented() {
    // (bytes, re-encoding, whether the re-encoding is RFC 3501)
    let table: &[(&str, &str, bool)] = &[
        // Lossy: the value holds 0 and "" where the server sent -1 and NIL.
        (
            "* 1 FETCH (RFC822.SIZE -1)\r\n",
            "* 1 FETCH (RFC822.SIZE 0)\r\n",
            true,
        ),
        (
            "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 -1))\r\n",
            "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 0))\r\n",
            true,
        ),
        (
            "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" NIL) NIL NIL \"7BIT\" 1 1))\r\n",
            "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"\") NIL NIL \"7BIT\" 1 1))\r\n",
            true,
        ),
        (
            "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL) \"MIXED\" (\"boundary\" NIL) NIL NIL NIL))\r\n",
            "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL) \"MIXED\" (\"boundary\" \"\") NIL NIL NIL))\r\n",
            true,
        ),
        (
            "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 12 1))\r\n",
            "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"\" 12 1))\r\n",
            true,
        ),
        (
            "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) NIL))\r\n",
            "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"\"))\r\n",
            true,
        ),
        (
            "* 1 FETCH (BODYSTRUCTURE (\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 9 NIL (NIL NIL)))\r\n",
            "* 1 FETCH (BODYSTRUCTURE (\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 9 NIL (\"\" NIL)))\r\n",
            true,
        ),
        // Kept as sent: the peer's bytes come back, and they are not RFC 3501.
        (
            "* FLAGS (\\Seen foo])\r\n",
            "* FLAGS (\\Seen foo])\r\n",
            false,
        ),
        (
            "* OK [PERMANENTFLAGS (\\Seen $Label]x \\*)] Limited\r\n",
            "* OK [PERMANENTFLAGS (\\Seen $Label]x \\*)] Limited\r\n",
            false,
        ),
        (
            "* FLAGS (\\Seen \\*)\r\n",
            "* FLAGS (\\Seen \\*)\r\n",
            false,
        ),
        (
            "* 3 FETCH (FLAGS (\\*))\r\n",
            "* 3 FETCH (FLAGS (\\*))\r\n",
            false,
        ),
        ("a1 OK\r\n", "a1 OK\r\n", false),
        ("* OK [READ-WRITE]\r\n", "* OK [READ-WRITE]\r\n", false),
        // Kept as sent, less a space before the CRLF.
        ("a1 OK \r\n", "a1 OK\r\n", false),
        ("* OK [UIDNEXT 5] \r\n", "* OK [UIDNEXT 5]\r\n", false),
        // Normalised to the conforming form.
        (
            "* FLAGS (\\Seen \\Draft )\r\n",
            "* FLAGS (\\Seen \\Draft)\r\n",
            true,
        ),
        ("* 1 FETCH (UID 4 )\r\n", "* 1 FETCH (UID 4)\r\n", true),
        (
            "* STATUS INBOX (MESSAGES 1 )\r\n",
            "* STATUS INBOX (MESSAGES 1)\r\n",
            true,
        ),
        ("* SEARCH 1 2 \r\n", "* SEARCH 1 2\r\n", true),
        ("* 5 EXISTS \r\n", "* 5 EXISTS\r\n", true),
        ("+\r\n", "+ \r\n", true),
        ("+Ready\r\n", "+ Ready\r\n", true),
        ("* OK [ALERT]text\r\n", "* OK [ALERT] text\r\n", true),
    ];
    // Every entry of the quirk corpus is in the table.
    for (_, bytes) in QUIRKS {
        assert!(
            table.iter().any(|(b, _, _)| b == bytes),
            "{bytes:?} missing from the table"
        );
    }
    for (bytes, expected, conforming) in table {
        let value = response_all_ways_with(bytes.as_bytes(), lenient());
        let out = value.to_vec();
        assert_eq!(String::from_utf8_lossy(&out), *expected, "{bytes:?}");
        match feed_responses(&out, 1, client_config()) {
            Ok(v) => {
                assert!(*conforming, "{expected:?} passed the strict decoder");
                assert_eq!(v, vec![value.clone()], "{expected:?}");
            }
            Err(e) => assert!(!*conforming, "{expected:?}: {e:?}"),
        }
        // The lenient decoder reads its own output as the same value.
        assert_eq!(response_all_ways_with(&out, lenient()), value);
    }
}

/// `text = 1*TEXT-CHAR` (RFC 3501 §9): an empty text exists only as the lenient decoder's
/// value; a writer cannot build one, so a server never sends it.
#[test]
fn empty_text_is_lenient_only() {
    assert!(Text::new("").is_err());
    for bytes in [
        &b"* OK\r\n"[..],
        b"* BYE\r\n",
        b"a1 NO\r\n",
        b"a1 BAD [PARSE]\r\n",
        b"+ [ALERT]\r\n",
    ] {
        let err = feed_responses(bytes, bytes.len(), client_config()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Quirk {
                    quirk: Quirk::EmptyText,
                    ..
                }
            ),
            "{:?}: {err:?}",
            String::from_utf8_lossy(bytes)
        );
        let value = response_all_ways_with(bytes, lenient());
        let text = match &value {
            Response::Status(s) => s.text.as_str(),
            Response::Continue(Continue::Basic { text, .. }) => text.as_str(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text, "");
        assert_eq!(value.to_vec(), bytes);
    }
    // The greeting too.
    let mut dec = ResponseDecoder::new(client_config());
    assert!(matches!(
        dec.decode_greeting(b"* OK\r\n"),
        Err(Error::Quirk {
            quirk: Quirk::EmptyText,
            ..
        })
    ));
    let mut dec = ResponseDecoder::new(lenient());
    let Ok(Decoded::Complete { value, .. }) = dec.decode_greeting(b"* OK [ALERT]\r\n") else {
        panic!()
    };
    assert_eq!((value.code, value.text.as_str()), (Some(Code::Alert), ""));
}
