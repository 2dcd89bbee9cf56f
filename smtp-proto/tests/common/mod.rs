//! proptest strategies built through the validating constructors, so every generated value
//! is valid.
#![allow(dead_code, unreachable_pub)]

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use smtp_proto::*;

pub fn domain() -> impl Strategy<Value = Domain<'static>> {
    prop_oneof![
        4 => proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", 1..4),
        1 => Just(vec!["b\u{fc}cher".to_string(), "example".to_string()]),
    ]
    .prop_map(|labels| Domain::new(labels.join(".")).unwrap())
}

pub fn host() -> impl Strategy<Value = Host<'static>> {
    prop_oneof![
        4 => domain().prop_map(Host::Domain),
        1 => any::<[u8; 4]>().prop_map(|a| Host::Literal(AddressLiteral::Ipv4(Ipv4Addr::from(a)))),
        1 => any::<u128>().prop_map(|a| Host::Literal(AddressLiteral::Ipv6(Ipv6Addr::from(a)))),
        1 => ("x[a-z0-9]{0,5}", "[!-Z^-~]{1,10}")
            .prop_map(|(t, c)| Host::Literal(AddressLiteral::general(t, c).unwrap())),
    ]
}

pub fn local_part() -> impl Strategy<Value = LocalPart<'static>> {
    prop_oneof![
        3 => proptest::collection::vec("[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}", 1..3)
            .prop_map(|atoms| LocalPart::new(atoms.join(".")).unwrap()),
        1 => "[ -~]{0,20}".prop_map(|s| LocalPart::from_unquoted(&s).unwrap()),
        1 => Just(LocalPart::new("j\u{f6}rg").unwrap()),
    ]
}

pub fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    (local_part(), host()).prop_map(|(l, h)| Mailbox::new(l, h).unwrap())
}

fn xtext() -> impl Strategy<Value = XText<'static>> {
    proptest::collection::vec(any::<u8>(), 1..12).prop_map(|b| XText::encode(&b).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime<'static>> {
    (
        (0u32..=9999, 1u32..13, 1u32..32),
        (0u32..24, 0u32..60, 0u32..=60),
        proptest::option::of("[0-9]{1,9}"),
        proptest::option::of((any::<bool>(), 0u32..24, 0u32..60)),
    )
        .prop_map(|((y, mo, d), (h, mi, s), frac, off)| {
            // RFC 3339 §5.7: the days of the month in that year.
            let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
            let days = match mo {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let d = d.min(days);
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            let off = match off {
                None => "Z".to_string(),
                Some((neg, oh, om)) => format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' }),
            };
            DateTime::new(format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}"
            ))
            .unwrap()
        })
}

pub fn parameter_pool() -> impl Strategy<Value = Vec<Parameter<'static>>> {
    (
        proptest::option::of(any::<u64>().prop_map(Parameter::Size)),
        proptest::option::of(
            prop_oneof![
                Just(Body::SevenBit),
                Just(Body::EightBitMime),
                Just(Body::BinaryMime)
            ]
            .prop_map(Parameter::Body),
        ),
        proptest::option::of(Just(Parameter::SmtpUtf8)),
        proptest::option::of(
            prop_oneof![Just(Ret::Full), Just(Ret::Hdrs)].prop_map(Parameter::Ret),
        ),
        proptest::option::of(xtext().prop_map(Parameter::EnvId)),
        proptest::option::of(
            (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
                |(n, s, f, d)| {
                    if n || !(s || f || d) {
                        Parameter::Notify(Notify::Never)
                    } else {
                        Parameter::Notify(Notify::On {
                            success: s,
                            failure: f,
                            delay: d,
                        })
                    }
                },
            ),
        ),
        proptest::option::of(xtext().prop_map(|x| {
            Parameter::Orcpt(Orcpt {
                addr_type: Cow::Borrowed("rfc822"),
                addr: x,
            })
        })),
        proptest::option::of(prop_oneof![
            Just(Parameter::Auth(AuthParam::Unknown)),
            xtext().prop_map(|x| Parameter::Auth(AuthParam::Mailbox(x))),
        ]),
        (
            proptest::option::of((-9i8..=9).prop_map(Parameter::MtPriority)),
            proptest::option::of(Just(Parameter::RequireTls)),
            proptest::option::of((0u32..=999_999_999).prop_map(Parameter::HoldFor)),
            proptest::option::of(date_time().prop_map(Parameter::HoldUntil)),
            proptest::option::of(
                (-999_999_999i32..=999_999_999, any::<bool>(), any::<bool>()).prop_map(
                    |(t, r, tr)| {
                        Parameter::By(By {
                            time: t,
                            mode: if r { ByMode::Return } else { ByMode::Notify },
                            trace: tr,
                        })
                    },
                ),
            ),
            proptest::collection::btree_map(
                "X-[A-Z]{1,6}",
                proptest::option::of("[!-<>-~]{1,8}"),
                0..3,
            ),
        ),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, (i, j, k, l, m, others))| {
            let mut v: Vec<Parameter<'static>> = [a, b, c, d, e, f, g, h, i, j, k, l, m]
                .into_iter()
                .flatten()
                .collect();
            for (kw, val) in others {
                v.push(Parameter::Other {
                    keyword: EsmtpKeyword::new(kw).unwrap(),
                    value: val.map(|x| EsmtpValue::new(x).unwrap()),
                });
            }
            v
        })
}

fn text() -> impl Strategy<Value = Text<'static>> {
    "[!-~][ -~]{0,20}".prop_map(|s| Text::new(s).unwrap())
}

pub fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        host().prop_map(Command::Ehlo),
        host().prop_map(Command::Helo),
        host().prop_map(Command::Lhlo),
        (proptest::option::of(mailbox()), parameter_pool()).prop_map(|(m, p)| Command::MailFrom(
            MailFrom {
                path: m.map_or(ReversePath::Null, ReversePath::Mailbox),
                params: Parameters::from_list(p).unwrap(),
            }
        )),
        (proptest::option::of(mailbox()), parameter_pool()).prop_map(|(m, p)| Command::RcptTo(
            RcptTo {
                path: m.map_or(ForwardPath::Postmaster, ForwardPath::Mailbox),
                params: Parameters::from_list(p).unwrap(),
            }
        )),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        text().prop_map(Command::Vrfy),
        text().prop_map(Command::Expn),
        proptest::option::of(text()).prop_map(Command::Help),
        proptest::option::of(text()).prop_map(Command::Noop),
        Just(Command::Quit),
        Just(Command::StartTls),
        text().prop_map(Command::Etrn),
        (
            "[A-Z0-9_-]{1,20}",
            proptest::option::of(prop_oneof![
                Just(InitialResponse::Empty),
                proptest::collection::vec(any::<u8>(), 1..30)
                    .prop_map(|b| InitialResponse::Data(Base64::encode(&b))),
            ]),
        )
            .prop_map(|(m, ir)| Command::Auth {
                mechanism: AuthMechanism::new(m).unwrap(),
                initial_response: ir
            }),
        ("X[A-Z0-9-]{0,10}", proptest::option::of(text())).prop_map(|(v, a)| Command::Unknown {
            verb: Verb::new(v).unwrap(),
            args: a
        }),
    ]
}

pub fn reply() -> impl Strategy<Value = Reply<'static>> {
    (
        2u16..=5,
        0u16..=5,
        0u16..=9,
        any::<bool>(),
        0u16..1000,
        0u16..1000,
        proptest::collection::vec("([a-zA-Z\u{e9}][ -~]{0,30})?", 1..4),
    )
        .prop_map(|(a, b, c, enh, s, d, lines)| {
            let code = a * 100 + b * 10 + c;
            let class = u8::try_from(a).unwrap();
            let e = (enh && class != 3).then(|| EnhancedCode::new(class, s, d).unwrap());
            Reply::multiline(code, e, lines.into_iter().map(Cow::Owned).collect()).unwrap()
        })
}

pub fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::EightBitMime),
        proptest::collection::vec("[A-Z0-9_-]{1,20}", 0..4).prop_map(|m| Capability::Auth(
            m.into_iter()
                .map(|m| AuthMechanism::new(m).unwrap())
                .collect()
        )),
        Just(Capability::BinaryMime),
        Just(Capability::Chunking),
        proptest::option::of(0u32..=999_999_999).prop_map(Capability::DeliverBy),
        Just(Capability::Dsn),
        Just(Capability::EnhancedStatusCodes),
        Just(Capability::Etrn),
        Just(Capability::Expn),
        (0u32..=999_999_999, date_time()).prop_map(|(max_interval, max_datetime)| {
            Capability::FutureRelease {
                max_interval,
                max_datetime,
            }
        }),
        Just(Capability::Help),
        proptest::option::of("[A-Z0-9]{1,8}")
            .prop_map(|p| Capability::MtPriority(p.map(Cow::Owned))),
        proptest::option::of("[A-Z0-9]{1,8}")
            .prop_map(|p| Capability::NoSoliciting(p.map(Cow::Owned))),
        Just(Capability::Pipelining),
        Just(Capability::RequireTls),
        proptest::option::of(any::<u64>()).prop_map(Capability::Size),
        Just(Capability::SmtpUtf8),
        Just(Capability::StartTls),
        Just(Capability::Vrfy),
        proptest::collection::vec(limit(), 1..5).prop_map(Capability::Limits),
        proptest::collection::vec(x_attribute(), 0..5).prop_map(Capability::Xclient),
        proptest::collection::vec(x_attribute(), 0..5).prop_map(Capability::Xforward),
        (
            "X-[A-Z]{1,6}",
            proptest::collection::vec("[!-~]{1,5}", 0..3)
        )
            .prop_map(|(k, p)| Capability::Other {
                keyword: Cow::Owned(k),
                params: p.into_iter().map(Cow::Owned).collect(),
            }),
    ]
}

/// RFC 9422 §3 limits: the registered ones (values `1*6DIGIT`) and others kept.
fn limit() -> impl Strategy<Value = Limit<'static>> {
    prop_oneof![
        (0u32..=999_999).prop_map(Limit::MailMax),
        (0u32..=999_999).prop_map(Limit::RcptMax),
        (0u32..=999_999).prop_map(Limit::RcptDomainMax),
        ("X[A-Z0-9_-]{0,8}", proptest::option::of("[!-:<-~]{1,8}")).prop_map(|(name, value)| {
            Limit::Other {
                name: Cow::Owned(name),
                value: value.map(Cow::Owned),
            }
        }),
    ]
}

/// XCLIENT / XFORWARD attribute names, known and not.
fn x_attribute() -> impl Strategy<Value = XAttribute<'static>> {
    prop_oneof![
        Just(XAttribute::Name),
        Just(XAttribute::ReverseName),
        Just(XAttribute::Addr),
        Just(XAttribute::Port),
        Just(XAttribute::Proto),
        Just(XAttribute::Helo),
        Just(XAttribute::Login),
        Just(XAttribute::DestAddr),
        Just(XAttribute::DestPort),
        Just(XAttribute::Ident),
        Just(XAttribute::Source),
        "X-[A-Z_]{1,8}".prop_map(|n| XAttribute::Other(Cow::Owned(n))),
    ]
}

pub fn ehlo() -> impl Strategy<Value = EhloResponse<'static>> {
    (
        domain(),
        proptest::option::of("[!-~][ -~]{0,20}"),
        proptest::collection::vec(capability(), 0..8),
    )
        .prop_map(|(d, g, caps)| {
            EhloResponse::new(d.as_str().to_string(), g.map(Cow::Owned), caps)
                .unwrap_or_else(|_| EhloResponse::new("fallback.example", None, vec![]).unwrap())
        })
}
