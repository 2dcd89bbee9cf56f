//! Golden tables: (bytes, value) for commands and responses, each case run whole, one byte
//! at a time, and with trailing bytes; canonical cases also checked on the encode side.

use std::borrow::Cow;
use std::num::NonZeroU32;

use mail_common::decode::Decoded;
use pop3_proto::parse::{CommandLimits, ResponseLimits, decode_command, decode_response};
use pop3_proto::*;

fn n(v: u32) -> NonZeroU32 {
    NonZeroU32::new(v).unwrap()
}

fn param(s: &str) -> Param<'_> {
    Param::new(s).unwrap()
}

fn commands() -> Vec<(&'static [u8], Command<'static>, bool)> {
    let digest = ApopDigest::new(b"c4c9334bac560ecc979e58001b3e22fb").unwrap();
    vec![
        (b"USER mrose\r\n", Command::User(param("mrose")), true),
        (b"user mrose\r\n", Command::User(param("mrose")), false),
        (
            b"PASS secret\r\n",
            Command::Pass(Password::new(&b"secret"[..]).unwrap()),
            true,
        ),
        (
            b"PASS my secret  pass phrase \r\n",
            Command::Pass(Password::new(&b"my secret  pass phrase "[..]).unwrap()),
            true,
        ),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            Command::Apop {
                name: param("mrose"),
                digest,
            },
            true,
        ),
        (b"QUIT\r\n", Command::Quit, true),
        (b"quit\r\n", Command::Quit, false),
        (b"STAT\r\n", Command::Stat, true),
        (b"LIST\r\n", Command::List(None), true),
        (b"LIST 2\r\n", Command::List(Some(n(2))), true),
        (b"LIST 002\r\n", Command::List(Some(n(2))), false),
        (b"RETR 1\r\n", Command::Retr(n(1)), true),
        (b"DELE 4294967295\r\n", Command::Dele(n(u32::MAX)), true),
        (b"NOOP\r\n", Command::Noop, true),
        (b"RSET\r\n", Command::Rset, true),
        (
            b"TOP 1 10\r\n",
            Command::Top {
                msg: n(1),
                lines: 10,
            },
            true,
        ),
        (
            b"TOP 1 0\r\n",
            Command::Top {
                msg: n(1),
                lines: 0,
            },
            true,
        ),
        (b"UIDL\r\n", Command::Uidl(None), true),
        (b"UIDL 2\r\n", Command::Uidl(Some(n(2))), true),
        (b"CAPA\r\n", Command::Capa, true),
        (b"STLS\r\n", Command::Stls, true),
        (b"AUTH\r\n", Command::AuthList, true),
        (
            b"AUTH PLAIN\r\n",
            Command::Auth {
                mechanism: Mechanism::PLAIN,
                initial_response: None,
            },
            true,
        ),
        (
            b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
            Command::Auth {
                mechanism: Mechanism::PLAIN,
                initial_response: Some(InitialResponse::Data(
                    Base64::new("dGVzdAB0ZXN0AHRlc3Q=").unwrap(),
                )),
            },
            true,
        ),
        (
            b"AUTH EXTERNAL =\r\n",
            Command::Auth {
                mechanism: Mechanism::EXTERNAL,
                initial_response: Some(InitialResponse::Empty),
            },
            true,
        ),
        (
            b"auth digest-md5\r\n",
            Command::Auth {
                mechanism: Mechanism::new("digest-md5").unwrap(),
                initial_response: None,
            },
            false,
        ),
        (b"UTF8\r\n", Command::Utf8, true),
        (b"LANG\r\n", Command::Lang(None), true),
        (b"LANG es\r\n", Command::Lang(Some(param("es"))), true),
        (b"LANG *\r\n", Command::Lang(Some(param("*"))), true),
        (
            b"XTND XMIT\r\n",
            Command::unknown("XTND", "XMIT").unwrap(),
            true,
        ),
        (b"LAST\r\n", Command::unknown("LAST", "").unwrap(), true),
        (
            "USER jos\u{e9}\r\n".as_bytes(),
            Command::User(param("jos\u{e9}")),
            true,
        ),
    ]
}

fn run_command(bytes: &[u8], expected: &Command<'_>) {
    let limits = CommandLimits::default();
    // Whole.
    assert_eq!(
        decode_command(bytes, &limits).unwrap(),
        Decoded::Complete {
            value: expected.clone(),
            consumed: bytes.len()
        },
        "{:?}",
        String::from_utf8_lossy(bytes)
    );
    // One byte at a time: incomplete until the last byte.
    for end in 0..bytes.len() {
        assert!(
            !decode_command(&bytes[..end], &limits)
                .unwrap()
                .is_complete(),
            "prefix {end} of {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    // With trailing bytes, which are left alone.
    let mut more = bytes.to_vec();
    more.extend_from_slice(b"NOOP\r\nQU");
    assert_eq!(
        decode_command(&more, &limits).unwrap(),
        Decoded::Complete {
            value: expected.clone(),
            consumed: bytes.len()
        }
    );
}

#[test]
fn command_golden_table() {
    for (bytes, value, canonical) in commands() {
        run_command(bytes, &value);
        if canonical {
            assert_eq!(value.to_bytes(), bytes, "encode {value:?}");
        }
    }
}

#[test]
fn command_errors_have_offsets_and_rules() {
    let limits = CommandLimits::default();
    let err = |b: &[u8]| decode_command(b, &limits).unwrap_err();
    assert_eq!(
        err(b"LIST 0\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "message-number (not 0)"
        }
    );
    assert_eq!(
        err(b"RETR\r\n"),
        Error::Syntax {
            offset: 4,
            expected: "SP"
        }
    );
    assert_eq!(
        err(b"RETR x\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "message-number"
        }
    );
    assert_eq!(
        err(b"STAT 1\r\n"),
        Error::Syntax {
            offset: 4,
            expected: "end of line"
        }
    );
    assert_eq!(
        err(b"NO\r\n"),
        Error::Syntax {
            offset: 0,
            expected: "keyword (3 or 4 characters)"
        }
    );
    assert_eq!(
        err(b"STARTTLS\r\n"),
        Error::Syntax {
            offset: 0,
            expected: "keyword (3 or 4 characters)"
        }
    );
    assert_eq!(
        err(b"APOP mrose c4c9334bac560ecc979e58001b3e22f\r\n"),
        Error::Syntax {
            offset: 11,
            expected: "digest (32 hex digits)"
        }
    );
    assert_eq!(
        err(b"APOP mrose c4c9334bac560ecc979e58001b3e22fbb\r\n"),
        Error::Syntax {
            offset: 11,
            expected: "digest (32 hex digits)"
        }
    );
    assert_eq!(
        err(b"AUTH PLAIN =AAA\r\n"),
        Error::Syntax {
            offset: 11,
            expected: "base64"
        }
    );
    assert_eq!(
        err(b"AUTH PLAIN AAA=BBBB\r\n"),
        Error::Syntax {
            offset: 14,
            expected: "base64"
        }
    );
    assert_eq!(
        err(b"PASS \r\n"),
        Error::Syntax {
            offset: 5,
            expected: "password"
        }
    );
    assert_eq!(
        err(b"TOP 1\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "SP"
        }
    );
    assert_eq!(
        err(b"LIST 99999999999\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "number (too large)"
        }
    );
    // RFC 1939 §3: arguments up to 40 characters.
    let mut long = b"USER ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 41));
    long.extend_from_slice(b"\r\n");
    assert_eq!(
        err(&long),
        Error::ArgumentTooLong {
            offset: 45,
            limit: 40
        }
    );
    long.remove(5);
    assert!(decode_command(&long, &limits).unwrap().is_complete());
    // RFC 2449 §4: 255 octets with the CRLF.
    let mut line = b"PASS ".to_vec();
    line.extend(std::iter::repeat_n(b'p', 248));
    line.extend_from_slice(b"\r\n");
    assert_eq!(line.len(), 255);
    assert!(decode_command(&line, &limits).unwrap().is_complete());
    line.insert(5, b'p');
    assert_eq!(
        err(&line),
        Error::LineTooLong {
            offset: 255,
            limit: 255
        }
    );
}

#[test]
fn pass_keeps_every_space() {
    let d = decode_command(b"PASS  a b \r\n", &CommandLimits::default()).unwrap();
    match d.complete().unwrap().0 {
        Command::Pass(p) => assert_eq!(p.as_bytes(), b" a b "),
        other => panic!("{other:?}"),
    }
}

#[test]
fn auth_client_lines() {
    use pop3_proto::parse::parse_auth_line;
    assert_eq!(parse_auth_line(b"*").unwrap(), AuthLine::Cancel);
    assert_eq!(
        parse_auth_line(b"").unwrap(),
        AuthLine::Response(Base64::default())
    );
    assert_eq!(
        parse_auth_line(b"dGVzdAB0ZXN0AHRlc3Q=").unwrap(),
        AuthLine::Response(Base64::new("dGVzdAB0ZXN0AHRlc3Q=").unwrap())
    );
    assert!(parse_auth_line(b"**").is_err());
    assert_eq!(AuthLine::Cancel.to_owned_bytes(), b"*\r\n");
}

trait ToOwnedBytes {
    fn to_owned_bytes(&self) -> Vec<u8>;
}
impl ToOwnedBytes for AuthLine<'_> {
    fn to_owned_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }
}

fn ok(text: &'static str) -> StatusLine<'static> {
    StatusLine::ok(text)
}

fn responses() -> Vec<(ResponseKind, &'static [u8], Response<'static>, bool)> {
    use ResponseKind as K;
    vec![
        (
            K::Greeting,
            b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
            Response::Status(ok("POP3 server ready <1896.697170952@dbc.mtview.ca.us>")),
            true,
        ),
        (K::Status, b"+OK\r\n", Response::Status(ok("")), true),
        (K::Status, b"+ok\r\n", Response::Status(ok("")), false),
        (K::Status, b"+OK \r\n", Response::Status(ok("")), false),
        (
            K::Status,
            b"-ERR [IN-USE] Do you have another POP session running?\r\n",
            Response::Status(StatusLine::err_with_code(
                ResponseCode::IN_USE,
                "Do you have another POP session running?",
            )),
            true,
        ),
        (
            K::Status,
            b"-ERR [SYS/TEMP/disk-full] try later\r\n",
            Response::Status(StatusLine::err_with_code(
                ResponseCode::new("SYS/TEMP/disk-full").unwrap(),
                "try later",
            )),
            true,
        ),
        (
            K::Status,
            b"-ERR [X-VENDOR/a/b]\r\n",
            Response::Status(StatusLine::err_with_code(ResponseCode::new("X-VENDOR/a/b").unwrap(), "")),
            true,
        ),
        (
            K::Status,
            b"-ERR [not a code] text\r\n",
            Response::Status(StatusLine::new(Status::Err, None, Text::new(&b"[not a code] text"[..]).unwrap()).unwrap()),
            true,
        ),
        (K::Stat, b"+OK 2 320\r\n", Response::Stat(Stat { count: 2, size: 320 }), true),
        (K::Stat, b"-ERR locked\r\n", Response::Status(StatusLine::err("locked")), true),
        (
            K::ScanListing,
            b"+OK 2 200\r\n",
            Response::ScanListing(ScanListing { msg: n(2), size: 200 }),
            true,
        ),
        (
            K::UniqueIdListing,
            b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n",
            Response::UniqueIdListing(UniqueIdListing {
                msg: n(2),
                uid: UniqueId::new("QhdPYR:00WBw1Ph7x7").unwrap(),
            }),
            true,
        ),
        (
            K::ScanList,
            b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
            Response::ScanList {
                status: ok("2 messages (320 octets)"),
                entries: vec![ScanListing { msg: n(1), size: 120 }, ScanListing { msg: n(2), size: 200 }],
            },
            true,
        ),
        (
            K::ScanList,
            b"-ERR no such message, only 2 messages in maildrop\r\n",
            Response::Status(StatusLine::err("no such message, only 2 messages in maildrop")),
            true,
        ),
        (
            K::UniqueIdList,
            b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n",
            Response::UniqueIdList {
                status: ok(""),
                entries: vec![
                    UniqueIdListing { msg: n(1), uid: UniqueId::new("whqtswO00WBw418f9t5JxYwZ").unwrap() },
                    UniqueIdListing { msg: n(2), uid: UniqueId::new("QhdPYR:00WBw1Ph7x7").unwrap() },
                ],
            },
            true,
        ),
        (
            K::Capabilities,
            b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n",
            Response::Capabilities {
                status: ok("Capability list follows"),
                capabilities: vec![
                    Capability::Top,
                    Capability::User,
                    Capability::Sasl(Params::new("CRAM-MD5 KERBEROS_V4").unwrap()),
                    Capability::RespCodes,
                    Capability::LoginDelay { seconds: 900, per_user: false },
                    Capability::Pipelining,
                    Capability::Expire { policy: Expire::Days(60), per_user: false },
                    Capability::Uidl,
                    Capability::Implementation(Params::new("Shlemazle-Plotz-v302").unwrap()),
                ],
            },
            true,
        ),
        (
            K::Capabilities,
            b"+OK\r\nSTLS\r\nUTF8 USER\r\nLANG\r\nAUTH-RESP-CODE\r\nEXPIRE NEVER\r\nLOGIN-DELAY 30 USER\r\nX-FOO bar baz\r\nTOP x\r\n.\r\n",
            Response::Capabilities {
                status: ok(""),
                capabilities: vec![
                    Capability::Stls,
                    Capability::Utf8 { user: true },
                    Capability::Lang,
                    Capability::AuthRespCode,
                    Capability::Expire { policy: Expire::Never, per_user: false },
                    Capability::LoginDelay { seconds: 30, per_user: true },
                    Capability::other("X-FOO", "bar baz").unwrap(),
                    Capability::other("TOP", "x").unwrap(),
                ],
            },
            true,
        ),
        (
            K::Mechanisms,
            b"+OK\r\nPLAIN\r\nCRAM-MD5\r\n.\r\n",
            Response::Mechanisms { status: ok(""), mechanisms: vec![Mechanism::PLAIN, Mechanism::CRAM_MD5] },
            true,
        ),
        (
            K::Languages,
            b"+OK Language listing follows:\r\nen English\r\nen-boont English Boontling dialect\r\nde\r\n.\r\n",
            Response::Languages {
                status: ok("Language listing follows:"),
                languages: vec![
                    Language { tag: param("en"), description: Text::new(&b"English"[..]).unwrap() },
                    Language {
                        tag: param("en-boont"),
                        description: Text::new(&b"English Boontling dialect"[..]).unwrap(),
                    },
                    Language { tag: param("de"), description: Text::empty() },
                ],
            },
            true,
        ),
        (
            K::Message,
            b"+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\nbody\r\n.\r\n",
            Response::Message {
                status: ok("120 octets"),
                content: Cow::Borrowed(b"Subject: x\r\n\r\n.dot\r\nbody\r\n"),
            },
            true,
        ),
        (
            K::Message,
            b"+OK\r\n.\r\n",
            Response::Message { status: ok(""), content: Cow::Borrowed(b"") },
            true,
        ),
        (K::Auth, b"+ \r\n", Response::Continuation(Base64::default()), true),
        (
            K::Auth,
            b"+ cnNwYXV0aD0wYjk3MTQ2MmNlZjVlOGY5MzBkYjlhMzNiMDJmYzlhMA==\r\n",
            Response::Continuation(Base64::new("cnNwYXV0aD0wYjk3MTQ2MmNlZjVlOGY5MzBkYjlhMzNiMDJmYzlhMA==").unwrap()),
            true,
        ),
        (K::Auth, b"+\r\n", Response::Continuation(Base64::default()), false),
        (K::Auth, b"+OK Maildrop locked and ready\r\n", Response::Status(ok("Maildrop locked and ready")), true),
    ]
}

fn run_response(kind: ResponseKind, bytes: &[u8], expected: &Response<'_>) {
    let limits = ResponseLimits::default();
    let show = String::from_utf8_lossy(bytes).into_owned();
    assert_eq!(
        decode_response(kind, bytes, &limits).unwrap(),
        Decoded::Complete {
            value: expected.clone(),
            consumed: bytes.len()
        },
        "{show:?}"
    );
    for end in 0..bytes.len() {
        assert!(
            !decode_response(kind, &bytes[..end], &limits)
                .unwrap()
                .is_complete(),
            "prefix {end} of {show:?}"
        );
    }
    let mut more = bytes.to_vec();
    more.extend_from_slice(b"+OK trailing\r\n.\r\n");
    assert_eq!(
        decode_response(kind, &more, &limits).unwrap(),
        Decoded::Complete {
            value: expected.clone(),
            consumed: bytes.len()
        },
        "{show:?}"
    );
    // The streaming decoder fed one byte at a time gives the same value.
    let streamed = stream_one_byte_at_a_time(kind, bytes);
    let mut re = Vec::new();
    expected.encode(&mut re);
    let _ = re;
    assert_eq!(streamed, events_whole(kind, bytes), "{show:?}");
}

/// Events of the streaming decoder, data chunks merged, for comparing chunkings.
fn events_whole(kind: ResponseKind, bytes: &[u8]) -> Vec<String> {
    feed(kind, bytes, bytes.len())
}

fn stream_one_byte_at_a_time(kind: ResponseKind, bytes: &[u8]) -> Vec<String> {
    feed(kind, bytes, 1)
}

fn feed(kind: ResponseKind, bytes: &[u8], chunk: usize) -> Vec<String> {
    let mut dec = ResponseDecoder::new(kind, ResponseLimits::default());
    let mut buf = Vec::new();
    let mut out: Vec<String> = Vec::new();
    let mut data = Vec::new();
    for piece in bytes.chunks(chunk) {
        buf.extend_from_slice(piece);
        while !dec.is_done() {
            match dec.decode(&buf).unwrap() {
                Decoded::Complete { value, consumed } => {
                    match value {
                        ResponseEvent::Data(d) => data.extend_from_slice(d),
                        other => {
                            if !data.is_empty() {
                                out.push(format!("Data({:?})", String::from_utf8_lossy(&data)));
                                data.clear();
                            }
                            out.push(format!("{other:?}"));
                        }
                    }
                    buf.drain(..consumed);
                    if matches!(kind, ResponseKind::Auth) && !dec.is_done() {
                        break;
                    }
                }
                Decoded::Incomplete { .. } => break,
            }
        }
    }
    out
}

#[test]
fn response_golden_table() {
    for (kind, bytes, value, canonical) in responses() {
        run_response(kind, bytes, &value);
        if canonical {
            assert_eq!(
                String::from_utf8_lossy(&value.to_bytes()),
                String::from_utf8_lossy(bytes),
                "encode {value:?}"
            );
        }
    }
}

#[test]
fn greeting_timestamp_is_found() {
    let st = pop3_proto::parse::parse_status_line(
        b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
    )
    .unwrap();
    assert_eq!(
        st.timestamp(),
        Some(&b"<1896.697170952@dbc.mtview.ca.us>"[..])
    );
    let st = pop3_proto::parse::parse_status_line(b"+OK POP3 server ready").unwrap();
    assert_eq!(st.timestamp(), None);
    let st = pop3_proto::parse::parse_status_line(b"+OK <no-at-sign>").unwrap();
    assert_eq!(st.timestamp(), None);
}

#[test]
fn list_with_and_without_argument_frame_differently() {
    let bytes = b"+OK 2 200\r\n";
    let limits = ResponseLimits::default();
    // LIST 2: one line, complete.
    assert!(
        decode_response(Command::List(Some(n(2))).response_kind(), bytes, &limits)
            .unwrap()
            .is_complete()
    );
    // LIST: the same line opens a listing, so more is needed.
    assert!(
        !decode_response(Command::List(None).response_kind(), bytes, &limits)
            .unwrap()
            .is_complete()
    );
}

#[test]
fn response_errors_have_offsets() {
    let limits = ResponseLimits::default();
    assert_eq!(
        decode_response(ResponseKind::Status, b"OK\r\n", &limits).unwrap_err(),
        Error::Syntax {
            offset: 0,
            expected: "status (+OK or -ERR)"
        }
    );
    assert_eq!(
        decode_response(
            ResponseKind::ScanList,
            b"+OK\r\n1 120\r\nx 2\r\n.\r\n",
            &limits
        )
        .unwrap_err(),
        Error::Syntax {
            offset: 12,
            expected: "message-number"
        }
    );
    assert_eq!(
        decode_response(ResponseKind::Stat, b"+OK two 320\r\n", &limits).unwrap_err(),
        Error::Syntax {
            offset: 4,
            expected: "message count"
        }
    );
    let mut long = b"+OK ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 600));
    assert_eq!(
        decode_response(ResponseKind::Status, &long, &limits).unwrap_err(),
        Error::LineTooLong {
            offset: 512,
            limit: 512
        }
    );
}
