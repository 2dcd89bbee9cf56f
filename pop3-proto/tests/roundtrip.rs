//! proptest: `parse(serialize(x)) == x` for every command and response, and chunking
//! invariance of the streaming decoders.

use std::borrow::Cow;
use std::num::NonZeroU32;

use mail_common::decode::Decoded;
use pop3_proto::parse::{
    CommandLimits, ResponseLimits, decode_command, decode_response, parse_auth_line,
};
use pop3_proto::*;
use proptest::prelude::*;

fn msg() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![1u32..10, 1u32..=u32::MAX].prop_map(|v| NonZeroU32::new(v).unwrap())
}

fn param() -> impl Strategy<Value = Param<'static>> {
    prop_oneof!["[!-~]{1,40}", "[a-z\u{e9}\u{4e2d}]{1,8}",].prop_map(|s| Param::new(s).unwrap())
}

fn base64_text() -> impl Strategy<Value = Base64<'static>> {
    proptest::collection::vec(any::<u8>(), 0..100).prop_map(|d| Base64::encode(&d))
}

fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    "[A-Za-z0-9_-]{1,20}".prop_map(|s| Mechanism::new(s).unwrap())
}

fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        param().prop_map(Command::User),
        "[ -~\u{e9}]{1,200}".prop_map(|s| Command::Pass(Password::new(s.into_bytes()).unwrap())),
        (param(), "[0-9a-fA-F]{32}").prop_map(|(name, d)| Command::Apop {
            name,
            digest: ApopDigest::new(d.as_bytes()).unwrap()
        }),
        Just(Command::Quit),
        Just(Command::Stat),
        proptest::option::of(msg()).prop_map(Command::List),
        msg().prop_map(Command::Retr),
        msg().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        (msg(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        proptest::option::of(msg()).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        Just(Command::AuthList),
        (
            mechanism(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..100))
        )
            .prop_map(|(mechanism, ir)| Command::Auth {
                mechanism,
                initial_response: ir.map(|d| InitialResponse::encode(&d)),
            }),
        Just(Command::Utf8),
        proptest::option::of(param()).prop_map(Command::Lang),
        ("[A-Z]{3,4}", "([!-~]{1,10}( [!-~]{1,10}){0,3})?").prop_filter_map("unknown", |(k, a)| {
            let k: &'static str = Box::leak(k.into_boxed_str());
            let a: &'static str = Box::leak(a.into_boxed_str());
            Command::unknown(k, a).ok()
        }),
    ]
}

fn text() -> impl Strategy<Value = Text<'static>> {
    "[ -~\u{e9}]{0,60}".prop_map(|s| Text::new(s.into_bytes()).unwrap())
}

fn code() -> impl Strategy<Value = ResponseCode<'static>> {
    prop_oneof![
        Just("IN-USE".to_string()),
        Just("LOGIN-DELAY".to_string()),
        Just("SYS/TEMP".to_string()),
        Just("sys/perm/x".to_string()),
        Just("AUTH".to_string()),
        Just("UTF8".to_string()),
        "[!-.0-\\\\^-~]{1,10}(/[!-.0-\\\\^-~]{1,10}){0,3}",
    ]
    .prop_map(|s| ResponseCode::new(s).unwrap())
}

fn status_line() -> impl Strategy<Value = StatusLine<'static>> {
    (
        prop_oneof![Just(Status::Ok), Just(Status::Err)],
        proptest::option::of(code()),
        text(),
    )
        .prop_filter_map("valid", |(s, c, t)| StatusLine::new(s, c, t).ok())
}

fn ok_line() -> impl Strategy<Value = StatusLine<'static>> {
    status_line().prop_filter("ok", |s| s.is_ok())
}

fn err_line() -> impl Strategy<Value = StatusLine<'static>> {
    (proptest::option::of(code()), text())
        .prop_filter_map("valid", |(c, t)| StatusLine::new(Status::Err, c, t).ok())
}

fn uid() -> impl Strategy<Value = UniqueId<'static>> {
    "[!-~]{1,70}".prop_map(|s| UniqueId::new(s).unwrap())
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        "([A-Z0-9_-]{1,20}( [A-Z0-9_-]{1,20}){0,3})?"
            .prop_map(|s| Capability::Sasl(Params::new(s).unwrap())),
        Just(Capability::RespCodes),
        (0u32..1_000_000_000, any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        (proptest::option::of(0u32..1_000_000_000), any::<bool>()).prop_map(|(d, per_user)| {
            Capability::Expire {
                policy: d.map_or(Expire::Never, Expire::Days),
                per_user,
            }
        }),
        Just(Capability::Uidl),
        "([!-~]{1,10}( [!-~]{1,10}){0,3})?"
            .prop_map(|s| Capability::Implementation(Params::new(s).unwrap())),
        Just(Capability::Stls),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        Just(Capability::Lang),
        Just(Capability::AuthRespCode),
        (
            "[!-\\-/-~][!-\\-/-~]{0,10}",
            "([!-~]{1,10}( [!-~]{1,10}){0,3})?"
        )
            .prop_map(|(t, p)| {
                let t: &'static str = Box::leak(t.into_boxed_str());
                let p: &'static str = Box::leak(p.into_boxed_str());
                Capability::other(t, p).unwrap()
            }),
    ]
}

fn content() -> impl Strategy<Value = Vec<u8>> {
    // Lines ending in CRLF (the wire form normalises line endings), any other octets.
    proptest::collection::vec(
        proptest::collection::vec(
            prop_oneof![
                Just(b'.'),
                Just(b'a'),
                (0u8..=255).prop_filter("no CR/LF", |b| *b != b'\r' && *b != b'\n')
            ],
            0..20,
        ),
        0..8,
    )
    .prop_map(|lines| {
        let mut v = Vec::new();
        for l in lines {
            v.extend_from_slice(&l);
            v.extend_from_slice(b"\r\n");
        }
        v
    })
}

fn response() -> impl Strategy<Value = (ResponseKind, Response<'static>)> {
    use ResponseKind as K;
    prop_oneof![
        status_line().prop_map(|s| (K::Greeting, Response::Status(s))),
        status_line().prop_map(|s| (K::Status, Response::Status(s))),
        err_line().prop_map(|s| (K::ScanList, Response::Status(s))),
        err_line().prop_map(|s| (K::Message, Response::Status(s))),
        base64_text().prop_map(|b| (K::Auth, Response::Continuation(b))),
        status_line().prop_map(|s| (K::Auth, Response::Status(s))),
        (
            any::<u32>(),
            any::<u64>().prop_map(|v| v % 10_000_000_000_000_000_000)
        )
            .prop_map(|(count, size)| (K::Stat, Response::Stat(Stat { count, size }))),
        (msg(), 0u64..1 << 40).prop_map(|(msg, size)| (
            K::ScanListing,
            Response::ScanListing(ScanListing { msg, size })
        )),
        (msg(), uid()).prop_map(|(msg, uid)| (
            K::UniqueIdListing,
            Response::UniqueIdListing(UniqueIdListing { msg, uid })
        )),
        (
            ok_line(),
            proptest::collection::vec((msg(), 0u64..1 << 40), 0..10)
        )
            .prop_map(|(status, e)| (
                K::ScanList,
                Response::ScanList {
                    status,
                    entries: e
                        .into_iter()
                        .map(|(msg, size)| ScanListing { msg, size })
                        .collect()
                }
            )),
        (ok_line(), proptest::collection::vec((msg(), uid()), 0..10)).prop_map(|(status, e)| (
            K::UniqueIdList,
            Response::UniqueIdList {
                status,
                entries: e
                    .into_iter()
                    .map(|(msg, uid)| UniqueIdListing { msg, uid })
                    .collect()
            }
        )),
        (ok_line(), proptest::collection::vec(capability(), 0..10)).prop_map(
            |(status, capabilities)| (
                K::Capabilities,
                Response::Capabilities {
                    status,
                    capabilities
                }
            )
        ),
        (ok_line(), proptest::collection::vec(mechanism(), 0..10)).prop_map(
            |(status, mechanisms)| (K::Mechanisms, Response::Mechanisms { status, mechanisms })
        ),
        (
            ok_line(),
            proptest::collection::vec(
                ("[!-~]{1,12}".prop_map(|t| Param::new(t).unwrap()), text()),
                0..10
            )
        )
            .prop_map(|(status, l)| (
                K::Languages,
                Response::Languages {
                    status,
                    languages: l
                        .into_iter()
                        .map(|(tag, description)| Language { tag, description })
                        .collect()
                }
            )),
        (ok_line(), content()).prop_map(|(status, c)| (
            K::Message,
            Response::Message {
                status,
                content: Cow::Owned(c)
            }
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn command_roundtrip(c in command()) {
        let bytes = c.to_bytes();
        let limits = CommandLimits { max_line: 1024, max_arg: 1024, ..CommandLimits::default() };
        let got = decode_command(&bytes, &limits).unwrap();
        prop_assert_eq!(got, Decoded::Complete { value: c.clone(), consumed: bytes.len() });
    }

    #[test]
    fn auth_line_roundtrip(b in proptest::option::of(base64_text())) {
        let line = b.map_or(AuthLine::Cancel, AuthLine::Response);
        let mut bytes = Vec::new();
        line.encode(&mut bytes);
        prop_assert_eq!(parse_auth_line(&bytes[..bytes.len() - 2]).unwrap(), line);
    }

    #[test]
    fn response_roundtrip((kind, r) in response()) {
        let bytes = r.to_bytes();
        let got = decode_response(kind, &bytes, &ResponseLimits::default()).unwrap();
        prop_assert_eq!(got, Decoded::Complete { value: r.clone(), consumed: bytes.len() });
    }

    #[test]
    fn response_decoding_is_chunking_invariant((kind, r) in response(), chunk in 1usize..8) {
        let bytes = r.to_bytes();
        prop_assert_eq!(stream(kind, &bytes, chunk), stream(kind, &bytes, bytes.len().max(1)));
        prop_assert_eq!(stream(kind, &bytes, 1), stream(kind, &bytes, bytes.len().max(1)));
    }

    #[test]
    fn command_decoder_is_chunking_invariant(cs in proptest::collection::vec(command(), 1..6), chunk in 1usize..8) {
        let mut bytes = Vec::new();
        for c in &cs { c.encode(&mut bytes); }
        let limits = CommandLimits { max_line: 1024, max_arg: 1024, ..CommandLimits::default() };
        let mut dec = CommandDecoder::new(limits);
        let mut buf = Vec::new();
        let mut got = Vec::new();
        for piece in bytes.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Decoded::Complete { value, consumed } = dec.decode(&buf).unwrap() {
                got.push(value.unwrap().into_owned());
                buf.drain(..consumed);
            }
        }
        prop_assert_eq!(got, cs);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_command(&bytes, &CommandLimits::default());
        for kind in [ResponseKind::Greeting, ResponseKind::Stat, ResponseKind::ScanList, ResponseKind::Capabilities, ResponseKind::Message, ResponseKind::Auth] {
            let _ = decode_response(kind, &bytes, &ResponseLimits::default());
        }
    }
}

fn stream(kind: ResponseKind, bytes: &[u8], chunk: usize) -> Vec<String> {
    let mut dec = ResponseDecoder::new(kind, ResponseLimits::default());
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut data = Vec::new();
    for piece in bytes.chunks(chunk) {
        buf.extend_from_slice(piece);
        while !dec.is_done() {
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    match value {
                        ResponseEvent::Data(d) => data.extend_from_slice(d),
                        other => {
                            if !data.is_empty() {
                                out.push(format!("{:?}", data));
                                data.clear();
                            }
                            out.push(format!("{other:?}"));
                        }
                    }
                    buf.drain(..consumed);
                    if kind == ResponseKind::Auth && !dec.is_done() {
                        return out;
                    }
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => {
                    out.push(format!("error {e:?}"));
                    return out;
                }
            }
        }
    }
    out
}
