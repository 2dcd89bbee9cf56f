//! Audit of issue #4, "Writers cannot produce invalid protocol": CR/LF and other forbidden
//! bytes through every public way of building a value (validating constructors, public
//! fields, enum variants), and numbers outside their grammar, never reach the wire.

use std::borrow::Cow;
use std::time::Duration;

use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(10);

/// Forbidden octets, each put at the start, in the middle and at the end of a value.
const BAD: [&str; 4] = ["\r", "\n", "\r\n", "\0"];

fn variants(good: &str) -> Vec<String> {
    let mut v = Vec::new();
    for b in BAD {
        v.push(format!("{b}{good}"));
        let (x, y) = good.split_at(good.len() / 2);
        v.push(format!("{x}{b}{y}"));
        v.push(format!("{good}{b}"));
    }
    v
}

#[test]
fn every_validating_constructor_refuses_cr_lf_and_nul_anywhere() {
    for s in variants("abcd") {
        let s = s.as_str();
        assert!(Text::new(s).is_err(), "Text {s:?}");
        assert!(Domain::new(s).is_err(), "Domain {s:?}");
        assert!(LocalPart::new(s).is_err(), "LocalPart {s:?}");
        assert!(Host::parse(s).is_err(), "Host {s:?}");
        assert!(Mailbox::parse(&format!("{s}@x.example")).is_err(), "{s:?}");
        assert!(Mailbox::parse(&format!("x@{s}")).is_err(), "{s:?}");
        assert!(AddressLiteral::general(s, "x").is_err(), "tag {s:?}");
        assert!(AddressLiteral::general("x", s).is_err(), "content {s:?}");
        assert!(XText::new(s).is_err(), "XText {s:?}");
        assert!(EsmtpKeyword::new(s).is_err(), "EsmtpKeyword {s:?}");
        assert!(EsmtpValue::new(s).is_err(), "EsmtpValue {s:?}");
        assert!(AuthMechanism::new(s).is_err(), "AuthMechanism {s:?}");
        assert!(Base64::new(s).is_err(), "Base64 {s:?}");
        assert!(Verb::new(s).is_err(), "Verb {s:?}");
        assert!(DateTime::new(s).is_err(), "DateTime {s:?}");
        assert!(
            Orcpt::new(s, XText::new("a").unwrap()).is_err(),
            "Orcpt {s:?}"
        );
        assert!(Reply::new(250, None, s).is_err(), "Reply {s:?}");
        assert!(EhloResponse::new(s, None, vec![]).is_err(), "{s:?}");
        assert!(
            EhloResponse::new("x", Some(s.into()), vec![]).is_err(),
            "{s:?}"
        );
    }
    // A quoted local part cannot smuggle a line end either, escaped or not.
    assert!(LocalPart::new("\"a\\\r\"").is_err());
    assert!(LocalPart::from_unquoted("a\r\nRSET").is_err());
    // XText::encode escapes every such octet instead of writing it.
    let x = XText::encode(b"a\r\n\0b").unwrap();
    assert_eq!(x.as_str(), "a+0D+0A+00b");
    assert_eq!(x.decode(), b"a\r\n\0b");
}

fn xtext(s: &str) -> XText<'static> {
    XText::new(s.to_string()).unwrap()
}

#[test]
fn hand_built_orcpt_addr_type_cannot_inject_a_command() {
    // `Orcpt`'s fields are public: the list constructor (the only way to build a list)
    // checks them.
    let evil = Parameter::Orcpt(Orcpt {
        addr_type: Cow::Borrowed("rfc822;x\r\nRSET\r\nX"),
        addr: xtext("a"),
    });
    assert_eq!(
        Parameters::from_list(vec![evil]),
        Err(Error::InvalidValue { what: "addr-type" })
    );
    for t in ["", "rfc 822", "rfc822;", "utf\u{e9}8"] {
        let p = Parameter::Orcpt(Orcpt {
            addr_type: Cow::Owned(t.to_string()),
            addr: xtext("a"),
        });
        assert!(Parameters::from_list(vec![p]).is_err(), "{t:?}");
    }
    let ok = Parameters::from_list(vec![Parameter::Orcpt(
        Orcpt::new("utf-8", xtext("a+40b")).unwrap(),
    )])
    .unwrap();
    assert_eq!(ok.to_bytes(), b"ORCPT=utf-8;a+40b");
}

/// Parses `MAIL FROM:<> <params>` and returns the parameters, owned.
fn reparse(params: &Parameters<'_>) -> Result<Parameters<'static>, Error> {
    let mut line = b"MAIL FROM:<> ".to_vec();
    line.extend_from_slice(&params.to_bytes());
    line.extend_from_slice(b"\r\n");
    match Command::decode(&line)? {
        Decoded::Complete {
            value: Command::MailFrom(m),
            ..
        } => Ok(m.params.into_owned()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn numbers_outside_their_grammar_are_refused_and_the_limits_round_trip() {
    let by = |time| {
        Parameter::By(By {
            time,
            mode: ByMode::Return,
            trace: false,
        })
    };
    // RFC 6710 §3 `["+" / "-"] DIGIT`; RFC 2852 §4 `["-" / "+"] 1*9digit`; RFC 4865 §4
    // `1*9DIGIT`. Each out-of-range value would be written as text the parser refuses.
    for bad in [
        Parameter::MtPriority(10),
        Parameter::MtPriority(-10),
        Parameter::MtPriority(i8::MIN),
        by(1_000_000_000),
        by(-1_000_000_000),
        by(i32::MIN),
        Parameter::HoldFor(1_000_000_000),
        Parameter::HoldFor(u32::MAX),
    ] {
        let line = bad.to_bytes();
        assert!(
            Parameters::from_list(vec![bad.clone()]).is_err(),
            "{bad:?} would be written as {:?}",
            String::from_utf8_lossy(&line)
        );
    }
    for good in [
        Parameter::MtPriority(9),
        Parameter::MtPriority(-9),
        by(999_999_999),
        by(-999_999_999),
        Parameter::HoldFor(999_999_999),
        Parameter::Size(u64::MAX),
    ] {
        let list = Parameters::from_list(vec![good.clone()]).unwrap();
        assert_eq!(reparse(&list).unwrap(), list, "{good:?}");
    }
}

fn evil_literal() -> Host<'static> {
    Host::Literal(AddressLiteral::General {
        tag: "x".into(),
        content: "y]\r\nRSET\r\nX".into(),
    })
}

fn ready_client() -> Client {
    let mut c = Client::new(
        ClientConfig::new(Host::parse("me.example").unwrap().into_owned()),
        T0,
    );
    c.receive(b"220 mx\r\n250-mx\r\n250 SMTPUTF8\r\n", T0)
        .unwrap();
    while let Some(e) = c.next_event().unwrap() {
        if matches!(e, ClientEvent::Ready(_)) {
            break;
        }
    }
    let n = c.transmit().len();
    c.consumed(n);
    c
}

#[test]
fn hand_built_address_literal_in_a_path_is_refused_before_writing() {
    let mbox = Mailbox {
        local_part: LocalPart::new("a").unwrap(),
        host: evil_literal(),
    };
    assert_eq!(
        mbox.validate(),
        Err(Error::InvalidValue { what: "dcontent" })
    );
    assert!(Mailbox::new(mbox.local_part.clone(), mbox.host.clone()).is_err());
    for (mail, rcpt) in [
        (ReversePath::Mailbox(mbox.clone()), ForwardPath::Postmaster),
        (ReversePath::Null, ForwardPath::Mailbox(mbox.clone())),
    ] {
        let mut c = ready_client();
        let e = c
            .send_envelope(
                MailFrom {
                    path: mail,
                    params: Parameters::new(),
                },
                vec![RcptTo {
                    path: rcpt,
                    params: Parameters::new(),
                }],
                T0,
            )
            .unwrap_err();
        assert_eq!(e, Error::InvalidValue { what: "dcontent" });
        assert!(c.transmit().is_empty(), "{:?}", c.transmit());
        // The session is still usable.
        c.noop(T0).unwrap();
        assert_eq!(c.transmit(), b"NOOP\r\n");
    }
}

#[test]
fn hand_built_path_over_256_octets_is_refused_before_writing() {
    // 64 + 1 + 253 + 2 octets: each half valid, the path too long (RFC 5321 §4.5.3.1.3).
    let label = "d".repeat(60);
    let domain = format!("{label}.{label}.{label}.{label}.example");
    let mbox = Mailbox {
        local_part: LocalPart::new("l".repeat(64)).unwrap(),
        host: Host::Domain(Domain::new(domain).unwrap()),
    };
    let e = Error::LimitExceeded {
        what: "path",
        limit: 256,
    };
    assert_eq!(mbox.validate(), Err(e.clone()));
    let mut c = ready_client();
    let r = c.send_envelope(
        MailFrom {
            path: ReversePath::Null,
            params: Parameters::new(),
        },
        vec![RcptTo {
            path: ForwardPath::Mailbox(mbox),
            params: Parameters::new(),
        }],
        T0,
    );
    assert_eq!(r, Err(e));
    assert!(c.transmit().is_empty());
}

/// Feeds a greeting to a client with `hostname` and returns the error and what it wrote.
fn hello_with(hostname: Host<'static>) -> (Option<Error>, Vec<u8>) {
    let mut c = Client::new(ClientConfig::new(hostname), T0);
    c.receive(b"220 mx ESMTP\r\n", T0).unwrap();
    let mut err = None;
    loop {
        match c.next_event() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    (err, c.transmit().to_vec())
}

#[test]
fn hand_built_ehlo_literal_is_never_written() {
    let (err, out) = hello_with(evil_literal());
    assert_eq!(err, Some(Error::InvalidValue { what: "dcontent" }));
    assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&out));
}

#[test]
fn client_sends_only_an_ascii_ehlo_domain_rfc6531_3_7_1() {
    let (err, out) = hello_with(Host::parse("b\u{fc}cher.example").unwrap().into_owned());
    assert!(matches!(err, Some(Error::InvalidValue { .. })), "{err:?}");
    assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&out));
    let (err, out) = hello_with(Host::parse("xn--bcher-kva.example").unwrap().into_owned());
    assert_eq!(err, None);
    assert_eq!(out, b"EHLO xn--bcher-kva.example\r\n");
}

#[test]
fn hand_built_ehlo_response_cannot_add_reply_lines() {
    let evil = EhloResponse {
        domain: "mx\r\n250 INJECTED".into(),
        greeting: Some("hi\r\n250 INJECTED".into()),
        capabilities: vec![
            Capability::Other {
                keyword: "X\r\n250 INJECTED".into(),
                params: vec![],
            },
            Capability::Other {
                keyword: "X-OK".into(),
                params: vec!["a\nb".into()],
            },
            Capability::MtPriority(Some("p\r\n".into())),
            Capability::NoSoliciting(Some("a b".into())),
            Capability::Pipelining,
        ],
    };
    assert!(evil.try_to_reply().is_err());
    let wire = evil.to_bytes();
    assert_eq!(
        String::from_utf8_lossy(&wire),
        "250-localhost\r\n250 PIPELINING\r\n"
    );
    // A valid response is written unchanged, and both ways agree.
    let good = EhloResponse::new(
        "mx.example",
        Some("hi".into()),
        vec![Capability::Pipelining, Capability::Size(Some(0))],
    )
    .unwrap();
    assert_eq!(good.try_to_reply().unwrap(), good.to_reply());
    assert_eq!(
        good.to_bytes(),
        b"250-mx.example hi\r\n250-PIPELINING\r\n250 SIZE 0\r\n"
    );
}

#[test]
fn server_refuses_to_announce_an_invalid_configuration_instead_of_dropping_starttls() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.starttls = true;
    cfg.extra_capabilities = vec![Capability::Other {
        keyword: "X-BAD".into(),
        params: vec!["a\r\n250 AUTH PLAIN".into()],
    }];
    let mut server = Server::new(cfg.clone(), T0);
    server.greet().unwrap();
    let n = server.transmit().len();
    server.consumed(n);
    server.receive(b"EHLO c.example\r\n", T0).unwrap();
    assert!(matches!(
        server.next_event().unwrap(),
        Some(Event::Command(Command::Ehlo(_)))
    ));
    assert!(matches!(
        server.reply_ehlo(),
        Err(Error::InvalidValue { .. })
    ));
    // Nothing written (no "250 localhost" without STARTTLS); the reply is still due.
    assert!(server.transmit().is_empty());
    server
        .reply(&Reply::new(421, None, "misconfigured").unwrap())
        .unwrap();
    assert_eq!(server.transmit(), b"421 misconfigured\r\n");
    // A valid configuration announces STARTTLS.
    cfg.extra_capabilities.clear();
    let server = Server::new(cfg, T0);
    assert!(
        server
            .try_ehlo_response()
            .unwrap()
            .has(&Capability::StartTls)
    );
}

#[test]
fn server_hostname_with_a_line_end_is_refused_not_written() {
    let mut server = Server::new(ServerConfig::new("mx\r\n250 INJECTED"), T0);
    assert!(server.greet().is_err());
    assert!(server.transmit().is_empty());
}
