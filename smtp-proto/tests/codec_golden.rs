//! Golden tables `(bytes, value)` for commands, replies and EHLO responses, each case run
//! whole, one byte at a time, and with trailing bytes (h11's `tr()`), in both directions.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use smtp_proto::*;

/// Runs one decode case three ways and checks the encoder gives the same bytes back.
fn tr<T: PartialEq + std::fmt::Debug + Encode>(
    decode: impl Fn(&[u8]) -> Result<Decoded<T>, Error>,
    bytes: &[u8],
    expected: &T,
    canonical: bool,
) {
    // Whole.
    match decode(bytes) {
        Ok(Decoded::Complete { value, consumed }) => {
            assert_eq!(
                &value,
                expected,
                "whole: {:?}",
                String::from_utf8_lossy(bytes)
            );
            assert_eq!(consumed, bytes.len());
        }
        other => panic!("whole {:?}: {other:?}", String::from_utf8_lossy(bytes)),
    }
    // One byte at a time: incomplete until the last byte.
    for n in 0..bytes.len() {
        match decode(&bytes[..n]) {
            Ok(Decoded::Incomplete { .. }) => {}
            other => panic!(
                "prefix {n} of {:?}: {other:?}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }
    // Trailing bytes are left unconsumed.
    let mut more = bytes.to_vec();
    more.extend_from_slice(b"250 NOOP\r\n");
    match decode(&more) {
        Ok(Decoded::Complete { value, consumed }) => {
            assert_eq!(&value, expected);
            assert_eq!(consumed, bytes.len());
        }
        other => panic!("trailing {:?}: {other:?}", String::from_utf8_lossy(bytes)),
    }
    // Encoding: the canonical form comes back byte for byte; otherwise it decodes equal.
    let enc = expected.to_bytes();
    if canonical {
        assert_eq!(
            String::from_utf8_lossy(&enc),
            String::from_utf8_lossy(bytes)
        );
    }
    match decode(&enc) {
        Ok(Decoded::Complete { value, .. }) => assert_eq!(&value, expected),
        other => panic!("re-decode {:?}: {other:?}", String::from_utf8_lossy(&enc)),
    }
}

fn mbox(s: &str) -> Mailbox<'_> {
    Mailbox::parse(s).unwrap()
}
fn host(s: &str) -> Host<'_> {
    Host::parse(s).unwrap()
}
fn params(list: Vec<Parameter<'static>>) -> Parameters<'static> {
    Parameters::from_list(list).unwrap()
}
fn mail(path: ReversePath<'static>, p: Vec<Parameter<'static>>) -> Command<'static> {
    Command::MailFrom(MailFrom {
        path,
        params: params(p),
    })
}
fn rcpt(path: ForwardPath<'static>, p: Vec<Parameter<'static>>) -> Command<'static> {
    Command::RcptTo(RcptTo {
        path,
        params: params(p),
    })
}
fn text(s: &str) -> Text<'_> {
    Text::new(s).unwrap()
}

fn command_table() -> Vec<(&'static [u8], Command<'static>, bool)> {
    use Command as C;
    let general = AddressLiteral::general("x-tag", "some:content").unwrap();
    vec![
        (b"EHLO bar.com\r\n", C::Ehlo(host("bar.com")), true),
        (b"ehlo bar.com\r\n", C::Ehlo(host("bar.com")), false),
        (b"HELO relay.example.org\r\n", C::Helo(host("relay.example.org")), true),
        (b"LHLO lmtp.example\r\n", C::Lhlo(host("lmtp.example")), true),
        (b"EHLO [192.0.2.1]\r\n", C::Ehlo(Host::Literal(AddressLiteral::Ipv4(Ipv4Addr::new(192, 0, 2, 1)))), true),
        (b"EHLO [IPv6:2001:db8::1]\r\n", C::Ehlo(Host::Literal(AddressLiteral::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap()))), true),
        (b"EHLO [IPv6:::ffff:192.0.2.1]\r\n", C::Ehlo(Host::Literal(AddressLiteral::Ipv6("::ffff:192.0.2.1".parse().unwrap()))), true),
        (b"EHLO [x-tag:some:content]\r\n", C::Ehlo(Host::Literal(general)), true),
        (b"EHLO b\xc3\xbccher.example\r\n", C::Ehlo(host("b\u{fc}cher.example")), true),
        (b"MAIL FROM:<Smith@bar.com>\r\n", mail(ReversePath::Mailbox(mbox("Smith@bar.com").into_owned()), vec![]), true),
        (b"MAIL FROM:<>\r\n", mail(ReversePath::Null, vec![]), true),
        (b"mail from: <a@b.c>\r\n", mail(ReversePath::Mailbox(mbox("a@b.c").into_owned()), vec![]), false),
        (b"MAIL FROM:<@hosta.int,@jkl.org:userc@d.bar.org>\r\n", mail(ReversePath::Mailbox(mbox("userc@d.bar.org").into_owned()), vec![]), false),
        (b"MAIL FROM:<\"john smith\"@example.com>\r\n", mail(ReversePath::Mailbox(mbox("\"john smith\"@example.com").into_owned()), vec![]), true),
        (b"MAIL FROM:<\"a\\\"b\"@example.com>\r\n", mail(ReversePath::Mailbox(mbox("\"a\\\"b\"@example.com").into_owned()), vec![]), true),
        (b"MAIL FROM:<user@[10.0.0.1]>\r\n", mail(ReversePath::Mailbox(mbox("user@[10.0.0.1]").into_owned()), vec![]), true),
        (b"MAIL FROM:<j\xc3\xb6rg@b\xc3\xbccher.example> SMTPUTF8\r\n", mail(ReversePath::Mailbox(mbox("j\u{f6}rg@b\u{fc}cher.example").into_owned()), vec![Parameter::SmtpUtf8]), true),
        (
            b"MAIL FROM:<a@b.c> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=QQ314159+2B AUTH=<> MT-PRIORITY=-3 REQUIRETLS HOLDFOR=600 BY=120;RT\r\n",
            mail(
                ReversePath::Mailbox(mbox("a@b.c").into_owned()),
                vec![
                    Parameter::Size(12345),
                    Parameter::Body(Body::EightBitMime),
                    Parameter::Ret(Ret::Hdrs),
                    Parameter::EnvId(XText::new("QQ314159+2B").unwrap()),
                    Parameter::Auth(AuthParam::Unknown),
                    Parameter::MtPriority(-3),
                    Parameter::RequireTls,
                    Parameter::HoldFor(600),
                    Parameter::By(By { time: 120, mode: ByMode::Return, trace: true }),
                ],
            ),
            true,
        ),
        (
            b"MAIL FROM:<a@b.c> AUTH=e+3Dmc2@example.com HOLDUNTIL=2026-11-26T10:00:00Z BODY=BINARYMIME X-FOO=bar XYZ\r\n",
            mail(
                ReversePath::Mailbox(mbox("a@b.c").into_owned()),
                vec![
                    Parameter::Auth(AuthParam::Mailbox(XText::new("e+3Dmc2@example.com").unwrap())),
                    Parameter::HoldUntil(DateTime::new("2026-11-26T10:00:00Z").unwrap()),
                    Parameter::Body(Body::BinaryMime),
                    Parameter::Other { keyword: EsmtpKeyword::new("X-FOO").unwrap(), value: Some(EsmtpValue::new("bar").unwrap()) },
                    Parameter::Other { keyword: EsmtpKeyword::new("XYZ").unwrap(), value: None },
                ],
            ),
            true,
        ),
        (b"MAIL FROM:<a@b.c> size=10  body=7bit\r\n", mail(ReversePath::Mailbox(mbox("a@b.c").into_owned()), vec![Parameter::Size(10), Parameter::Body(Body::SevenBit)]), false),
        (b"RCPT TO:<Jones@foo.com>\r\n", rcpt(ForwardPath::Mailbox(mbox("Jones@foo.com").into_owned()), vec![]), true),
        (b"RCPT TO:<Postmaster>\r\n", rcpt(ForwardPath::Postmaster, vec![]), true),
        (b"RCPT TO:<postMASTER>\r\n", rcpt(ForwardPath::Postmaster, vec![]), false),
        (b"RCPT TO:<Postmaster@foo.com>\r\n", rcpt(ForwardPath::Mailbox(mbox("Postmaster@foo.com").into_owned()), vec![]), true),
        (
            b"RCPT TO:<c@d.e> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c+40d.e\r\n",
            rcpt(
                ForwardPath::Mailbox(mbox("c@d.e").into_owned()),
                vec![
                    Parameter::Notify(Notify::On { success: true, failure: false, delay: true }),
                    Parameter::Orcpt(Orcpt { addr_type: Cow::Borrowed("rfc822"), addr: XText::new("c+40d.e").unwrap() }),
                ],
            ),
            true,
        ),
        (b"RCPT TO:<c@d.e> NOTIFY=NEVER\r\n", rcpt(ForwardPath::Mailbox(mbox("c@d.e").into_owned()), vec![Parameter::Notify(Notify::Never)]), true),
        (b"DATA\r\n", C::Data, true),
        (b"data \r\n", C::Data, false),
        (b"BDAT 1000\r\n", C::Bdat { size: 1000, last: false }, true),
        (b"BDAT 0 LAST\r\n", C::Bdat { size: 0, last: true }, true),
        (b"RSET\r\n", C::Rset, true),
        (b"VRFY Smith\r\n", C::Vrfy(text("Smith")), true),
        (b"EXPN Example-People\r\n", C::Expn(text("Example-People")), true),
        (b"HELP\r\n", C::Help(None), true),
        (b"HELP MAIL\r\n", C::Help(Some(text("MAIL"))), true),
        (b"NOOP\r\n", C::Noop(None), true),
        (b"NOOP hello there\r\n", C::Noop(Some(text("hello there"))), true),
        (b"QUIT\r\n", C::Quit, true),
        (b"STARTTLS\r\n", C::StartTls, true),
        (b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3RwYXNz\r\n", C::Auth { mechanism: AuthMechanism::PLAIN, initial_response: Some(InitialResponse::Data(Base64::new("dGVzdAB0ZXN0AHRlc3RwYXNz").unwrap())) }, true),
        (b"AUTH LOGIN\r\n", C::Auth { mechanism: AuthMechanism::LOGIN, initial_response: None }, true),
        (b"AUTH external =\r\n", C::Auth { mechanism: AuthMechanism::EXTERNAL, initial_response: Some(InitialResponse::Empty) }, false),
        (b"ETRN @example.com\r\n", C::Etrn(text("@example.com")), true),
        (b"XCLIENT ADDR=1.2.3.4\r\n", C::Unknown { verb: Verb::new("XCLIENT").unwrap(), args: Some(text("ADDR=1.2.3.4")) }, true),
        (b"FOO\r\n", C::Unknown { verb: Verb::new("FOO").unwrap(), args: None }, true),
    ]
}

#[test]
fn command_golden_table_three_ways() {
    for (bytes, value, canonical) in command_table() {
        tr(
            |b| Command::decode(b).map(|d| d.map(Command::into_owned)),
            bytes,
            &value,
            canonical,
        );
    }
}

fn err(bytes: &[u8]) -> Error {
    match Command::decode(bytes) {
        Err(e) => e,
        other => panic!("{:?} decoded as {other:?}", String::from_utf8_lossy(bytes)),
    }
}

#[test]
fn command_errors_have_offset_and_rule() {
    assert_eq!(
        err(b"MAIL FROM:<a@b.c\r\n"),
        Error::Syntax {
            offset: 16,
            expected: "\">\""
        }
    );
    assert_eq!(
        err(b"MAIL TO:<a@b.c>\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "\"FROM:\""
        }
    );
    assert_eq!(
        err(b"RCPT TO:a@b.c\r\n"),
        Error::Syntax {
            offset: 8,
            expected: "Forward-path"
        }
    );
    assert_eq!(
        err(b"EHLO -bad.com\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "Let-dig"
        }
    );
    assert_eq!(
        err(b"DATA x\r\n"),
        Error::Syntax {
            offset: 4,
            expected: "end of line"
        }
    );
    assert_eq!(
        err(b"BDAT x\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "chunk-size"
        }
    );
    assert_eq!(
        err(b"\x01\r\n"),
        Error::Syntax {
            offset: 0,
            expected: "command verb"
        }
    );
    assert_eq!(
        err(b"EHLO [300.1.1.1]\r\n"),
        Error::Syntax {
            offset: 9,
            expected: "\":\" after Standardized-tag"
        }
    );
    assert_eq!(
        err(b"EHLO [IPv6:zz]\r\n"),
        Error::Syntax {
            offset: 11,
            expected: "IPv6-addr"
        }
    );
    assert_eq!(
        err(b"AUTH PLAIN abc\r\n"),
        Error::Syntax {
            offset: 14,
            expected: "base64"
        }
    );
}

#[test]
fn duplicate_and_malformed_parameters_are_typed_errors() {
    assert_eq!(
        err(b"MAIL FROM:<> SIZE=1 SIZE=2\r\n"),
        Error::DuplicateParameter {
            offset: 20,
            keyword: "SIZE"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> X-A=1 x-a=2\r\n"),
        Error::DuplicateParameter {
            offset: 19,
            keyword: "extension"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> SIZE=abc\r\n"),
        Error::Syntax {
            offset: 18,
            expected: "SIZE=1*20DIGIT"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> SIZE\r\n"),
        Error::Syntax {
            offset: 17,
            expected: "SIZE=1*20DIGIT"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> SIZE=99999999999999999999\r\n"),
        Error::Syntax {
            offset: 18,
            expected: "SIZE=1*20DIGIT"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> BODY=9BIT\r\n"),
        Error::Syntax {
            offset: 18,
            expected: "BODY=7BIT/8BITMIME/BINARYMIME"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> SMTPUTF8=yes\r\n"),
        Error::Syntax {
            offset: 22,
            expected: "SMTPUTF8 without value"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> ENVID=a+2b\r\n"),
        Error::Syntax {
            offset: 20,
            expected: "ENVID=xtext"
        }
    );
    assert_eq!(
        err(b"RCPT TO:<a@b> NOTIFY=NEVER,DELAY\r\n"),
        Error::Syntax {
            offset: 21,
            expected: "NOTIFY=NEVER/SUCCESS,FAILURE,DELAY"
        }
    );
    assert_eq!(
        err(b"RCPT TO:<a@b> NOTIFY=DELAY,DELAY\r\n"),
        Error::Syntax {
            offset: 27,
            expected: "NOTIFY=NEVER/SUCCESS,FAILURE,DELAY"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> MT-PRIORITY=10\r\n"),
        Error::Syntax {
            offset: 26,
            expected: "MT-PRIORITY=[+/-]DIGIT"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> BY=10;X\r\n"),
        Error::Syntax {
            offset: 19,
            expected: "BY=by-time;by-mode[T]"
        }
    );
    assert_eq!(
        err(b"MAIL FROM:<> HOLDUNTIL=tomorrow\r\n"),
        Error::Syntax {
            offset: 23,
            expected: "HOLDUNTIL=date-time"
        }
    );
}

#[test]
fn rfc5321_length_limits_are_enforced() {
    let local = "a".repeat(65);
    let line = format!("MAIL FROM:<{local}@b.c>\r\n");
    assert_eq!(
        err(line.as_bytes()),
        Error::LimitExceeded {
            what: "local-part",
            limit: 64
        }
    );
    let ok = format!("MAIL FROM:<{}@b.c>\r\n", "a".repeat(64));
    assert!(Command::decode(ok.as_bytes()).unwrap().is_complete());
    let label = "d".repeat(63);
    let long_domain = [label.as_str(); 4].join(".") + ".x";
    assert!(long_domain.len() > 255);
    let line = format!("EHLO {long_domain}\r\n");
    assert_eq!(
        err(line.as_bytes()),
        Error::LimitExceeded {
            what: "domain",
            limit: 255
        }
    );
    let line = format!("EHLO {}.com\r\n", "d".repeat(64));
    assert_eq!(
        err(line.as_bytes()),
        Error::LimitExceeded {
            what: "domain label",
            limit: 63
        }
    );
    // A path of 257 octets: 64 + "@" + 190 + "<>" = 257.
    let dom = ["d".repeat(63), "d".repeat(63), "d".repeat(62)].join(".");
    let line = format!("RCPT TO:<{}@{dom}>\r\n", "a".repeat(64));
    assert_eq!(
        err(line.as_bytes()),
        Error::LimitExceeded {
            what: "path",
            limit: 256
        }
    );
    // Command line: 512 octets CRLF included.
    let line = format!("NOOP {}\r\n", "x".repeat(505));
    assert_eq!(line.len(), 512);
    assert!(Command::decode(line.as_bytes()).unwrap().is_complete());
    let line = format!("NOOP {}\r\n", "x".repeat(506));
    assert_eq!(err(line.as_bytes()), Error::LineTooLong { limit: 512 });
}

#[test]
fn auth_continuation_lines() {
    for (bytes, value) in [
        (
            &b"dGVzdA==\r\n"[..],
            AuthResponse::Data(Base64::new("dGVzdA==").unwrap()),
        ),
        (b"\r\n", AuthResponse::Data(Base64::new("").unwrap())),
        (b"*\r\n", AuthResponse::Cancel),
    ] {
        tr(
            |b| AuthResponse::decode(b).map(|d| d.map(AuthResponse::into_owned)),
            bytes,
            &value,
            true,
        );
    }
    assert_eq!(
        AuthResponse::decode(b"dGVzdA=\r\n"),
        Err(Error::Syntax {
            offset: 6,
            expected: "base64"
        })
    );
}

fn reply_table() -> Vec<(&'static [u8], Reply<'static>, bool)> {
    let e = |c, s, d| Some(EnhancedCode::new(c, s, d).unwrap());
    vec![
        (
            b"220 foo.com Simple Mail Transfer Service Ready\r\n",
            Reply::new(220, None, "foo.com Simple Mail Transfer Service Ready").unwrap(),
            true,
        ),
        (b"250 OK\r\n", Reply::new(250, None, "OK").unwrap(), true),
        (b"250\r\n", Reply::new(250, None, "").unwrap(), true),
        (b"250 \r\n", Reply::new(250, None, "").unwrap(), false),
        (
            b"250 2.1.0 Sender OK\r\n",
            Reply::new(250, e(2, 1, 0), "Sender OK").unwrap(),
            true,
        ),
        (
            b"550 5.1.1 \r\n",
            Reply::new(550, e(5, 1, 1), "").unwrap(),
            false,
        ),
        (
            b"550 5.1.1\r\n",
            Reply::new(550, e(5, 1, 1), "").unwrap(),
            true,
        ),
        (
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
            Reply::multiline(
                250,
                None,
                ["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"]
                    .map(Cow::Borrowed)
                    .to_vec(),
            )
            .unwrap(),
            true,
        ),
        (
            b"452-4.5.3 Too many recipients\r\n452 4.5.3 try again later\r\n",
            Reply::multiline(
                452,
                e(4, 5, 3),
                vec!["Too many recipients".into(), "try again later".into()],
            )
            .unwrap(),
            true,
        ),
        (
            b"250-\r\n250 last\r\n",
            Reply::multiline(250, None, vec!["".into(), "last".into()]).unwrap(),
            true,
        ),
        (
            b"354 Start mail input; end with <CRLF>.<CRLF>\r\n",
            Reply::new(354, None, "Start mail input; end with <CRLF>.<CRLF>").unwrap(),
            true,
        ),
        (
            b"334 VXNlcm5hbWU6\r\n",
            Reply::new(334, None, "VXNlcm5hbWU6").unwrap(),
            true,
        ),
        (
            b"250 \xc3\xa9t\xc3\xa9\tok\r\n",
            Reply::new(250, None, "\u{e9}t\u{e9}\tok").unwrap(),
            true,
        ),
    ]
}

#[test]
fn reply_golden_table_three_ways() {
    for (bytes, value, canonical) in reply_table() {
        tr(
            |b| Reply::decode(b).map(|d| d.map(Reply::into_owned)),
            bytes,
            &value,
            canonical,
        );
    }
}

#[test]
fn reply_errors_are_reported() {
    assert_eq!(
        Reply::decode(b"250-a\r\n251 b\r\n"),
        Err(Error::ReplyCodeMismatch {
            offset: 7,
            expected: 250,
            found: 251
        })
    );
    assert_eq!(
        Reply::decode(b"250 5.0.0 no\r\n"),
        Err(Error::EnhancedClassMismatch {
            offset: 4,
            code: 250,
            class: 5
        })
    );
    assert_eq!(
        Reply::decode(b"2x0 a\r\n"),
        Err(Error::Syntax {
            offset: 1,
            expected: "Reply-code"
        })
    );
    assert_eq!(
        Reply::decode(b"190 a\r\n"),
        Err(Error::Syntax {
            offset: 0,
            expected: "Reply-code"
        })
    );
    assert_eq!(
        Reply::decode(b"250_a\r\n"),
        Err(Error::Syntax {
            offset: 3,
            expected: "SP or \"-\" after Reply-code"
        })
    );
    assert_eq!(
        Reply::decode(b"250 a\x00b\r\n"),
        Err(Error::Syntax {
            offset: 5,
            expected: "textstring"
        })
    );
    let long = format!("250 {}\r\n", "x".repeat(600));
    assert_eq!(
        Reply::decode(long.as_bytes()),
        Err(Error::LineTooLong { limit: 512 })
    );
    let many = "250-x\r\n".repeat(300);
    assert_eq!(
        Reply::decode(many.as_bytes()),
        Err(Error::LimitExceeded {
            what: "reply lines",
            limit: 256
        })
    );
    // Constructors refuse what the grammar forbids.
    assert!(Reply::new(250, None, "a\r\nb").is_err());
    assert!(Reply::new(250, None, "2.0.0 looks enhanced").is_err());
    assert!(Reply::new(650, None, "x").is_err());
    assert!(Reply::new(250, EnhancedCode::new(5, 0, 0).ok(), "x").is_err());
}

#[test]
fn validating_constructors_refuse_forbidden_bytes() {
    assert!(Domain::new("exa mple.com").is_err());
    assert!(Domain::new("a\r\nMAIL FROM:<>").is_err());
    assert!(LocalPart::new("a b").is_err());
    assert!(LocalPart::new("\"a\rb\"").is_err());
    assert_eq!(LocalPart::from_unquoted("a b").unwrap().as_str(), "\"a b\"");
    assert_eq!(LocalPart::from_unquoted("a b").unwrap().unquoted(), "a b");
    assert!(Text::new("x\r\nRSET").is_err());
    assert!(Text::new("").is_err());
    assert!(XText::new("a=b").is_err());
    assert!(XText::new("+2b").is_err());
    assert_eq!(XText::encode(b"a+b=c d").unwrap().as_str(), "a+2Bb+3Dc+20d");
    assert_eq!(XText::encode(b"a+b=c d").unwrap().decode(), b"a+b=c d");
    assert!(EsmtpKeyword::new("SIZE").is_err());
    assert!(EsmtpKeyword::new("-X").is_err());
    assert!(EsmtpValue::new("a=b").is_err());
    assert!(Verb::new("MAIL").is_err());
    assert!(Verb::new("MA IL").is_err());
    assert!(AuthMechanism::new("THIS-NAME-IS-TOO-LONG-X").is_err());
    assert!(Base64::new("abc").is_err());
    assert!(AddressLiteral::general("IPv6", "1").is_err());
    assert!(AddressLiteral::general("x", "a]b").is_err());
    assert!(DateTime::new("2026-11-26 10:00:00Z").is_err());
    assert!(Parameters::from_list(vec![Parameter::Size(1), Parameter::Size(2)]).is_err());
    assert!(EhloResponse::new("a b", None, vec![]).is_err());
    assert!(EhloResponse::new("a", Some("x\ny".into()), vec![]).is_err());
    assert!(
        EhloResponse::new(
            "a",
            None,
            vec![Capability::Other {
                keyword: "SIZE".into(),
                params: vec![]
            }]
        )
        .is_err()
    );
}

fn ehlo_table() -> Vec<(&'static [u8], EhloResponse<'static>, bool)> {
    vec![
        (
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
            EhloResponse::new(
                "foo.com",
                Some("greets bar.com".into()),
                vec![Capability::EightBitMime, Capability::Size(None), Capability::Dsn, Capability::Help],
            )
            .unwrap(),
            true,
        ),
        (
            b"250-mx.example\r\n250-SIZE 0\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-SMTPUTF8\r\n250-REQUIRETLS\r\n250-MT-PRIORITY MIXER\r\n250-DELIVERBY 240\r\n250-FUTURERELEASE 604800 2026-12-01T00:00:00Z\r\n250-ETRN\r\n250-EXPN\r\n250-VRFY\r\n250-NO-SOLICITING\r\n250-X-EXPS GSSAPI NTLM\r\n250 AUTH=LOGIN PLAIN\r\n",
            EhloResponse::new(
                "mx.example",
                None,
                vec![
                    Capability::Size(Some(0)),
                    Capability::Pipelining,
                    Capability::Auth(vec![AuthMechanism::PLAIN, AuthMechanism::LOGIN, AuthMechanism::XOAUTH2]),
                    Capability::StartTls,
                    Capability::EnhancedStatusCodes,
                    Capability::Chunking,
                    Capability::BinaryMime,
                    Capability::SmtpUtf8,
                    Capability::RequireTls,
                    Capability::MtPriority(Some("MIXER".into())),
                    Capability::DeliverBy(Some(240)),
                    Capability::FutureRelease { max_interval: 604800, max_datetime: DateTime::new("2026-12-01T00:00:00Z").unwrap() },
                    Capability::Etrn,
                    Capability::Expn,
                    Capability::Vrfy,
                    Capability::NoSoliciting(None),
                    Capability::Other { keyword: "X-EXPS".into(), params: vec!["GSSAPI".into(), "NTLM".into()] },
                    Capability::Other { keyword: "AUTH=LOGIN".into(), params: vec!["PLAIN".into()] },
                ],
            )
            .unwrap(),
            true,
        ),
        (b"250 lone.example\r\n", EhloResponse::new("lone.example", None, vec![]).unwrap(), true),
        // RFC 9422 §3 LIMITS (registered limits typed, others kept); Postfix XCLIENT and
        // XFORWARD attribute names (unknown ones kept).
        (
            b"250-mx.example\r\n250-LIMITS MAILMAX=1000 RCPTMAX=50 RCPTDOMAINMAX=10 X_FUTURE FOO-1=a:b\r\n250-XCLIENT NAME REVERSE_NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT X-NEW\r\n250-XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n250 XCLIENT\r\n",
            EhloResponse::new(
                "mx.example",
                None,
                vec![
                    Capability::Limits(vec![
                        Limit::MailMax(1000),
                        Limit::RcptMax(50),
                        Limit::RcptDomainMax(10),
                        Limit::Other { name: "X_FUTURE".into(), value: None },
                        Limit::Other { name: "FOO-1".into(), value: Some("a:b".into()) },
                    ]),
                    Capability::Xclient(vec![
                        XAttribute::Name,
                        XAttribute::ReverseName,
                        XAttribute::Addr,
                        XAttribute::Port,
                        XAttribute::Proto,
                        XAttribute::Helo,
                        XAttribute::Login,
                        XAttribute::DestAddr,
                        XAttribute::DestPort,
                        XAttribute::Other("X-NEW".into()),
                    ]),
                    Capability::Xforward(vec![
                        XAttribute::Name,
                        XAttribute::Addr,
                        XAttribute::Port,
                        XAttribute::Proto,
                        XAttribute::Helo,
                        XAttribute::Ident,
                        XAttribute::Source,
                    ]),
                    Capability::Xclient(vec![]),
                ],
            )
            .unwrap(),
            true,
        ),
        // Not canonical: names in lower case, a registered limit whose value is not
        // 1*6DIGIT (kept as given), a LIMITS line without a limit or with a ";" in a value
        // (not the RFC 9422 §3 grammar: kept as an unknown line).
        (
            b"250-mx.example\r\n250-limits rcptmax=0010 MAILMAX=1234567 RCPTDOMAINMAX\r\n250-xforward name Ident\r\n250-LIMITS\r\n250 LIMITS A=1;2\r\n",
            EhloResponse {
                domain: "mx.example".into(),
                greeting: None,
                capabilities: vec![
                    Capability::Limits(vec![
                        Limit::RcptMax(10),
                        Limit::Other { name: "MAILMAX".into(), value: Some("1234567".into()) },
                        Limit::Other { name: "RCPTDOMAINMAX".into(), value: None },
                    ]),
                    Capability::Xforward(vec![XAttribute::Name, XAttribute::Ident]),
                    Capability::Other { keyword: "LIMITS".into(), params: vec![] },
                    Capability::Other { keyword: "LIMITS".into(), params: vec!["A=1;2".into()] },
                ],
            },
            false,
        ),
        (
            b"250-x.example hi\r\n250-size 1000\r\n250 SIZE abc\r\n",
            EhloResponse::new(
                "x.example",
                Some("hi".into()),
                vec![Capability::Size(Some(1000)), Capability::Other { keyword: "SIZE".into(), params: vec!["abc".into()] }],
            )
            .unwrap_or_else(|_| EhloResponse {
                domain: "x.example".into(),
                greeting: Some("hi".into()),
                capabilities: vec![Capability::Size(Some(1000)), Capability::Other { keyword: "SIZE".into(), params: vec!["abc".into()] }],
            }),
            false,
        ),
    ]
}

#[test]
fn ehlo_golden_table_three_ways() {
    for (bytes, value, canonical) in ehlo_table() {
        tr(
            |b| EhloResponse::decode(b).map(|d| d.map(EhloResponse::into_owned)),
            bytes,
            &value,
            canonical,
        );
    }
}

#[test]
fn size_zero_is_distinct_from_size_without_number() {
    let a = EhloResponse::decode(b"250-a\r\n250 SIZE 0\r\n")
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let b = EhloResponse::decode(b"250-a\r\n250 SIZE\r\n")
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let c = EhloResponse::decode(b"250 a\r\n")
        .unwrap()
        .complete()
        .unwrap()
        .0;
    assert_eq!(a.size(), Some(Some(0)));
    assert_eq!(b.size(), Some(None));
    assert_eq!(c.size(), None);
    assert_ne!(a, b);
}

#[test]
fn ehlo_response_needs_250() {
    assert_eq!(
        EhloResponse::decode(b"502 5.5.1 no EHLO\r\n"),
        Err(Error::UnexpectedReply { code: 502 })
    );
}

#[test]
fn enhanced_code_missing_on_a_line_is_kept_as_text() {
    // RFC 2034 §4 puts the code on every line; when one lacks it, the code stays text on
    // all lines so that the reply re-encodes to the same bytes (found by fuzzing).
    let input = b"250-2.0.0 first\r\n250 second has none\r\n";
    let (r, used) = Reply::decode(input).unwrap().complete().unwrap();
    assert_eq!(used, input.len());
    assert_eq!(r.enhanced(), None);
    assert_eq!(r.lines(), ["2.0.0 first", "second has none"]);
    assert_eq!(r.to_bytes(), input);
    let (r, _) = Reply::decode(b"250-2.0.0 a\r\n250 2.0.0 b\r\n")
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(r.enhanced(), EnhancedCode::new(2, 0, 0).ok());
    assert_eq!(r.lines(), ["a", "b"]);
}

#[test]
fn argument_text_cannot_start_with_a_space() {
    // Found by fuzzing: Help(Some(" ")) would have been written as "HELP  " and read back as
    // Help(None).
    assert!(Text::new(" ").is_err());
    assert!(Text::new(" x").is_err());
    assert_eq!(
        Command::decode(b"HELP  \r\n")
            .unwrap()
            .complete()
            .unwrap()
            .0,
        Command::Help(None)
    );
    assert_eq!(
        err(b"VRFY  x\r\n"),
        Error::Syntax {
            offset: 5,
            expected: "String"
        }
    );
}

#[test]
fn auth_mailbox_that_decodes_to_angle_brackets_is_not_the_empty_identity() {
    // Found by fuzzing: AUTH=<> is the empty identity (RFC 4954 §5); an xtext "<>" mailbox
    // must be escaped to survive a round trip.
    let m = Command::MailFrom(MailFrom {
        path: ReversePath::Null,
        params: Parameters::from_list(vec![Parameter::Auth(AuthParam::Mailbox(
            XText::new("<>").unwrap(),
        ))])
        .unwrap(),
    });
    assert_eq!(m.to_bytes(), b"MAIL FROM:<> AUTH=+3C+3E\r\n");
    assert_eq!(
        Command::decode(&m.to_bytes())
            .unwrap()
            .complete()
            .unwrap()
            .0,
        m
    );
    assert_eq!(XText::new("+41").unwrap(), XText::new("A").unwrap());
}
