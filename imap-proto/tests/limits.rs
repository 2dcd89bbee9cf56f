//! Limits and errors: every bound is explicit and reported with offset, rule and line.

mod common;

use common::*;
use imap_proto::*;

fn server(limits: Limits) -> CommandDecoder {
    CommandDecoder::new(Config {
        limits,
        ..Config::default()
    })
}

#[test]
fn oversized_sync_literal_is_refused_before_the_continuation() {
    let mut dec = server(Limits {
        max_literal: 100,
        ..Limits::SERVER
    });
    let line = b"A1 APPEND INBOX {101}\r\n";
    // Byte by byte: incomplete until the CRLF, then the error; never a continuation.
    for k in 1..line.len() {
        assert!(matches!(
            dec.decode(&line[..k]).unwrap(),
            CommandDecoded::Incomplete { .. }
        ));
    }
    let err = dec.decode(line).unwrap_err();
    assert_eq!(
        err,
        Error::LiteralTooLarge {
            offset: 16,
            line: 1,
            size: 101,
            limit: 100,
            tag: Some("A1".into()),
            sync: true
        }
    );
    // The client sends nothing more for that command: skipping the line resynchronises.
    let mut input = line.to_vec();
    input.extend_from_slice(b"A2 NOOP\r\n");
    let d = dec.discard(&input);
    assert!(d.done);
    assert_eq!(d.consumed, line.len());
    let CommandDecoded::Complete { command, .. } = dec.decode(&input[d.consumed..]).unwrap() else {
        panic!()
    };
    assert_eq!(command.tag.as_str(), "A2");
}

#[test]
fn literal_at_the_limit_asks_for_a_continuation() {
    let mut dec = server(Limits {
        max_literal: 3,
        ..Limits::SERVER
    });
    let bytes = b"A1 LOGIN {3}\r\nabc {1}\r\nd\r\n";
    assert_eq!(
        dec.decode(&bytes[..14]).unwrap(),
        CommandDecoded::ContinuationNeeded { size: 3 }
    );
    // Called again with the same buffer: no second continuation, waits for the data.
    assert_eq!(
        dec.decode(&bytes[..14]).unwrap(),
        CommandDecoded::Incomplete {
            needed: std::num::NonZeroUsize::new(3)
        }
    );
    assert_eq!(
        dec.decode(&bytes[..23]).unwrap(),
        CommandDecoded::ContinuationNeeded { size: 1 }
    );
    assert!(matches!(
        dec.decode(bytes).unwrap(),
        CommandDecoded::Complete { consumed: 26, .. }
    ));
}

#[test]
fn non_sync_literals_follow_the_advertised_extension() {
    let plus = b"A1 LOGIN {3+}\r\nabc def\r\n";
    let err = CommandDecoder::default().decode(plus).unwrap_err();
    assert_eq!(
        err,
        Error::NonSyncLiteral {
            offset: 9,
            line: 1,
            size: 3
        }
    );
    let mut dec = CommandDecoder::default().with_literal_support(LiteralSupport::LiteralPlus);
    assert!(matches!(
        dec.decode(plus).unwrap(),
        CommandDecoded::Complete { consumed: 24, .. }
    ));
    // LITERAL-: at most 4096 octets (RFC 7888 §5).
    let mut big = b"A1 APPEND INBOX {4097+}\r\n".to_vec();
    big.extend(std::iter::repeat_n(b'x', 4097));
    big.extend_from_slice(b"\r\n");
    let mut dec = CommandDecoder::default().with_literal_support(LiteralSupport::LiteralMinus);
    assert_eq!(
        dec.decode(&big).unwrap_err(),
        Error::NonSyncLiteral {
            offset: 16,
            line: 1,
            size: 4097
        }
    );
    // Skipping a refused non-synchronizing literal skips its data too, and the rest of its
    // command up to the CRLF that ends it (RFC 7888 §3, §4).
    let d = dec.discard(&big);
    assert_eq!((d.consumed, d.done), (big.len(), true));
    let mut ok = b"A1 APPEND INBOX {4096+}\r\n".to_vec();
    ok.extend(std::iter::repeat_n(b'x', 4096));
    ok.extend_from_slice(b"\r\n");
    let mut dec = CommandDecoder::default().with_literal_support(LiteralSupport::LiteralMinus);
    assert!(matches!(
        dec.decode(&ok).unwrap(),
        CommandDecoded::Complete { .. }
    ));
}

#[test]
fn too_many_literals_in_one_message() {
    let mut dec = server(Limits {
        max_literals: 1,
        ..Limits::SERVER
    })
    .with_literal_support(LiteralSupport::LiteralPlus);
    let err = dec.decode(b"A1 LOGIN {1+}\r\na {1+}\r\nb\r\n").unwrap_err();
    assert_eq!(
        err,
        Error::TooManyLiterals {
            offset: 17,
            line: 2,
            limit: 1
        }
    );
}

#[test]
fn search_nesting_is_bounded() {
    let mut dec = server(Limits {
        max_depth: 8,
        ..Limits::SERVER
    });
    let mut cmd = b"A1 SEARCH ".to_vec();
    cmd.extend(std::iter::repeat_n(b'(', 9));
    cmd.extend_from_slice(b"ALL");
    cmd.extend(std::iter::repeat_n(b')', 9));
    cmd.extend_from_slice(b"\r\n");
    let err = dec.decode(&cmd).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooDeep {
                rule: "search-key",
                limit: 8,
                offset: 18,
                line: 1
            }
        ),
        "{err:?}"
    );
    let mut dec = server(Limits {
        max_depth: 8,
        ..Limits::SERVER
    });
    let mut ok = b"A1 SEARCH ".to_vec();
    ok.extend(std::iter::repeat_n(b'(', 7));
    ok.extend_from_slice(b"ALL");
    ok.extend(std::iter::repeat_n(b')', 7));
    ok.extend_from_slice(b"\r\n");
    assert!(matches!(
        dec.decode(&ok).unwrap(),
        CommandDecoded::Complete { .. }
    ));
    // NOT NOT NOT ... nests too.
    let deep = format!("A1 SEARCH {}ALL\r\n", "NOT ".repeat(40));
    assert!(matches!(
        server(Limits::SERVER).decode(deep.as_bytes()).unwrap_err(),
        Error::TooDeep {
            rule: "search-key",
            ..
        }
    ));
}

#[test]
fn bodystructure_nesting_is_bounded() {
    let mut body = String::from("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
    for _ in 0..10 {
        body = format!("({body} \"MIXED\")");
    }
    let bytes = format!("* 1 FETCH (BODY {body})\r\n");
    let config = Config {
        limits: Limits {
            max_depth: 8,
            ..Limits::CLIENT
        },
        ..Config::default()
    };
    let err = feed_responses(bytes.as_bytes(), bytes.len(), config).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooDeep {
                rule: "body",
                limit: 8,
                ..
            }
        ),
        "{err:?}"
    );
    // Within the limit it decodes.
    response_golden(bytes.as_bytes(), true);
}

#[test]
fn list_items_are_bounded() {
    let config = Config {
        limits: Limits {
            max_items: 3,
            ..Limits::CLIENT
        },
        ..Config::default()
    };
    let err = feed_responses(b"* SEARCH 1 2 3 4\r\n", 18, config).unwrap_err();
    assert_eq!(
        err,
        Error::TooManyItems {
            offset: 14,
            line: 1,
            rule: "search",
            limit: 3
        }
    );
    let err = feed_responses(b"* FLAGS (a b c d)\r\n", 19, config).unwrap_err();
    assert!(matches!(
        err,
        Error::TooManyItems {
            rule: "flag-list",
            ..
        }
    ));
}

#[test]
fn long_lines_are_refused_without_waiting_for_the_end() {
    let mut dec = server(Limits {
        max_line: 16,
        ..Limits::SERVER
    });
    assert!(matches!(
        dec.decode(b"A1 LOGIN abcdefg").unwrap(),
        CommandDecoded::Incomplete { .. }
    ));
    assert_eq!(
        dec.decode(b"A1 LOGIN abcdefghij").unwrap_err(),
        Error::LineTooLong {
            offset: 16,
            line: 1,
            limit: 16
        }
    );
    // Resynchronise at the next line.
    let d = dec.discard(b"A1 LOGIN abcdefghij");
    assert!(!d.done);
    let d = dec.discard(b"klm\r\nA2 NOOP\r\n");
    assert_eq!((d.consumed, d.done), (5, true));
}

#[test]
fn a_long_second_line_is_skipped_from_its_own_start() {
    let mut dec = server(Limits {
        max_line: 16,
        ..Limits::SERVER
    });
    // The literal holds a LF; resynchronising must not stop there.
    let input = b"A1 LOGIN {4}\r\na\nbc xxxxxxxxxxxxxxxxxxxxxxxx";
    assert!(matches!(
        dec.decode(input).unwrap(),
        CommandDecoded::ContinuationNeeded { .. }
    ));
    assert!(matches!(
        dec.decode(input).unwrap_err(),
        Error::LineTooLong {
            offset: 34,
            line: 2,
            ..
        }
    ));
    let d = dec.discard(input);
    assert_eq!((d.consumed, d.done), (input.len(), false));
    let d = dec.discard(b"yy\r\nA2 NOOP\r\n");
    assert_eq!((d.consumed, d.done), (4, true));
}

#[test]
fn syntax_errors_name_offset_line_and_rule() {
    let err = CommandDecoder::default()
        .decode(b"A1 LOGIN\r\n")
        .unwrap_err();
    assert_eq!(
        err,
        Error::Syntax {
            offset: 8,
            line: 1,
            rule: "SP"
        }
    );
    // On the second line of a message with a literal.
    let mut dec = CommandDecoder::default();
    let bytes = b"A1 LOGIN {3}\r\nabc\r\n";
    assert!(matches!(
        dec.decode(bytes).unwrap(),
        CommandDecoded::ContinuationNeeded { size: 3 }
    ));
    assert_eq!(
        dec.decode(bytes).unwrap_err(),
        Error::Syntax {
            offset: 17,
            line: 2,
            rule: "SP"
        }
    );
    assert!(matches!(
        CommandDecoder::default()
            .decode(b"A1 FETCH 1:0 FLAGS\r\n")
            .unwrap_err(),
        Error::Syntax {
            offset: 9,
            rule: "sequence-set",
            ..
        }
    ));
    assert!(matches!(
        CommandDecoder::default()
            .decode(b"A1 LOGIN a b\n")
            .unwrap_err(),
        Error::Syntax { rule: "CRLF", .. }
    ));
    let err = feed_responses(b"* 1 FETCH (UID 0)\r\n", 19, client_config()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Syntax {
                offset: 15,
                rule: "nz-number",
                ..
            }
        ),
        "{err:?}"
    );
    // Messages are lower-case and name the rule.
    assert_eq!(
        err.to_string(),
        "syntax error at offset 15 (line 1): expected nz-number"
    );
}

#[test]
fn decoding_continues_after_a_bad_command() {
    let mut dec = CommandDecoder::default();
    let input = b"A1 FROB\x01\r\nA2 NOOP\r\n";
    let err = dec.decode(input).unwrap_err();
    assert!(matches!(err, Error::Syntax { .. }));
    let d = dec.discard(input);
    assert_eq!((d.consumed, d.done), (10, true));
    let CommandDecoded::Complete { command, consumed } = dec.decode(&input[10..]).unwrap() else {
        panic!()
    };
    assert_eq!((command.tag.as_str(), consumed), ("A2", 9));
}

#[test]
fn a_bad_command_is_refused_before_its_literal_is_invited() {
    let mut dec = CommandDecoder::default();
    // APPEND with a bad date: BAD before the client sends 100 octets.
    let line = b"A1 APPEND INBOX \"32-Jan-2024 00:00:00 +0000\" {100}\r\n";
    let err = dec.decode(line).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Syntax {
                offset: 16,
                line: 1,
                rule: "date-time"
            }
        ),
        "{err:?}"
    );
    let d = dec.discard(line);
    assert_eq!((d.consumed, d.done), (line.len(), true));
    // Unknown commands are values, so their literals are invited.
    assert_eq!(
        dec.decode(b"A2 XFOO {2}\r\n").unwrap(),
        CommandDecoded::ContinuationNeeded { size: 2 }
    );
}
