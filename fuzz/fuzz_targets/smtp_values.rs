//! Arbitrary values built through the validating constructors: encode → decode gives the
//! same value back (commands, replies, EHLO responses). Values the constructors refuse
//! are skipped, so every encoded value is a valid one.
#![no_main]
use std::borrow::Cow;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use smtp_proto::*;

fn text<'a>(u: &mut Unstructured<'a>) -> Result<&'a str> {
    u.arbitrary::<&str>()
}

fn host(u: &mut Unstructured<'_>) -> Result<Option<Host<'static>>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Domain::new(text(u)?.to_string()).ok().map(Host::Domain),
        1 => Some(Host::Literal(AddressLiteral::Ipv4(
            u.arbitrary::<[u8; 4]>()?.into(),
        ))),
        2 => Some(Host::Literal(AddressLiteral::Ipv6(
            u.arbitrary::<u128>()?.into(),
        ))),
        _ => AddressLiteral::general(text(u)?.to_string(), text(u)?.to_string())
            .ok()
            .map(Host::Literal),
    })
}

fn mailbox(u: &mut Unstructured<'_>) -> Result<Option<Mailbox<'static>>> {
    let lp = if u.arbitrary()? {
        LocalPart::from_unquoted(text(u)?).ok()
    } else {
        LocalPart::new(text(u)?.to_string()).ok()
    };
    let (Some(lp), Some(h)) = (lp, host(u)?) else {
        return Ok(None);
    };
    Ok(Mailbox::new(lp, h).ok())
}

fn param(u: &mut Unstructured<'_>) -> Result<Option<Parameter<'static>>> {
    Ok(match u.int_in_range(0..=13)? {
        0 => Some(Parameter::Size(u.arbitrary()?)),
        1 => Some(Parameter::Body(*u.choose(&[
            Body::SevenBit,
            Body::EightBitMime,
            Body::BinaryMime,
        ])?)),
        2 => Some(Parameter::SmtpUtf8),
        3 => Some(Parameter::Ret(*u.choose(&[Ret::Full, Ret::Hdrs])?)),
        4 => XText::encode(u.arbitrary::<&[u8]>()?)
            .ok()
            .map(Parameter::EnvId),
        5 => {
            let (s, f, d) = (u.arbitrary()?, u.arbitrary()?, u.arbitrary()?);
            Some(Parameter::Notify(if s || f || d {
                Notify::On {
                    success: s,
                    failure: f,
                    delay: d,
                }
            } else {
                Notify::Never
            }))
        }
        6 => XText::encode(u.arbitrary::<&[u8]>()?).ok().map(|addr| {
            Parameter::Orcpt(Orcpt {
                addr_type: Cow::Borrowed("rfc822"),
                addr,
            })
        }),
        7 => Some(Parameter::Auth(
            match XText::encode(u.arbitrary::<&[u8]>()?) {
                Ok(x) => AuthParam::Mailbox(x),
                Err(_) => AuthParam::Unknown,
            },
        )),
        8 => Some(Parameter::MtPriority(u.int_in_range(-9..=9)?)),
        9 => Some(Parameter::RequireTls),
        10 => Some(Parameter::HoldFor(u.int_in_range(0..=999_999_999)?)),
        11 => DateTime::new(text(u)?.to_string())
            .ok()
            .map(Parameter::HoldUntil),
        12 => Some(Parameter::By(By {
            time: u.int_in_range(-999_999_999..=999_999_999)?,
            mode: *u.choose(&[ByMode::Notify, ByMode::Return])?,
            trace: u.arbitrary()?,
        })),
        _ => {
            let kw = EsmtpKeyword::new(text(u)?.to_string()).ok();
            let value = if u.arbitrary()? {
                EsmtpValue::new(text(u)?.to_string()).ok()
            } else {
                None
            };
            kw.map(|keyword| Parameter::Other { keyword, value })
        }
    })
}

fn params(u: &mut Unstructured<'_>) -> Result<Parameters<'static>> {
    let mut list = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        if let Some(p) = param(u)? {
            list.push(p);
        }
    }
    Ok(Parameters::from_list(list).unwrap_or_default())
}

fn command(u: &mut Unstructured<'_>) -> Result<Option<Command<'static>>> {
    let t = |u: &mut Unstructured<'_>| -> Result<Option<Text<'static>>> {
        Ok(Text::new(text(u)?.to_string()).ok())
    };
    Ok(match u.int_in_range(0..=16)? {
        0 => host(u)?.map(Command::Ehlo),
        1 => host(u)?.map(Command::Helo),
        2 => host(u)?.map(Command::Lhlo),
        3 => {
            let path = mailbox(u)?.map_or(ReversePath::Null, ReversePath::Mailbox);
            Some(Command::MailFrom(MailFrom {
                path,
                params: params(u)?,
            }))
        }
        4 => {
            let path = mailbox(u)?.map_or(ForwardPath::Postmaster, ForwardPath::Mailbox);
            Some(Command::RcptTo(RcptTo {
                path,
                params: params(u)?,
            }))
        }
        5 => Some(Command::Data),
        6 => Some(Command::Bdat {
            size: u.arbitrary()?,
            last: u.arbitrary()?,
        }),
        7 => Some(Command::Rset),
        8 => t(u)?.map(Command::Vrfy),
        9 => t(u)?.map(Command::Expn),
        10 => Some(Command::Help(t(u)?)),
        11 => Some(Command::Noop(t(u)?)),
        12 => Some(Command::Quit),
        13 => Some(Command::StartTls),
        14 => t(u)?.map(Command::Etrn),
        15 => {
            let m = AuthMechanism::new(text(u)?.to_string()).ok();
            let data: &[u8] = u.arbitrary()?;
            let ir = match u.int_in_range(0..=2)? {
                0 => None,
                1 => Some(InitialResponse::Empty),
                _ if data.is_empty() => None,
                _ => Some(InitialResponse::Data(Base64::encode(data))),
            };
            m.map(|mechanism| Command::Auth {
                mechanism,
                initial_response: ir,
            })
        }
        _ => {
            let v = Verb::new(text(u)?.to_string()).ok();
            let a = t(u)?;
            v.map(|verb| Command::Unknown { verb, args: a })
        }
    })
}

fn reply(u: &mut Unstructured<'_>) -> Result<Option<Reply<'static>>> {
    let code = u.int_in_range(200..=559)?;
    let enh = if u.arbitrary()? {
        EnhancedCode::new(
            u8::try_from(code / 100).unwrap_or(2),
            u.int_in_range(0..=999)?,
            u.int_in_range(0..=999)?,
        )
        .ok()
    } else {
        None
    };
    let mut lines = Vec::new();
    for _ in 0..u.int_in_range(1..=4)? {
        lines.push(Cow::Owned(text(u)?.to_string()));
    }
    Ok(Reply::multiline(code, enh, lines).ok())
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    match u.int_in_range(0..=2)? {
        0 => {
            if let Some(c) = command(u)? {
                let enc = c.to_bytes();
                match Command::decode(&enc) {
                    Ok(Decoded::Complete { value, consumed }) => {
                        assert_eq!(consumed, enc.len());
                        assert_eq!(value, c, "{:?}", String::from_utf8_lossy(&enc));
                    }
                    Err(Error::LineTooLong { .. }) => {}
                    other => panic!("{:?}: {other:?}", String::from_utf8_lossy(&enc)),
                }
            }
        }
        1 => {
            if let Some(r) = reply(u)? {
                let enc = r.to_bytes();
                match Reply::decode(&enc) {
                    Ok(Decoded::Complete { value, consumed }) => {
                        assert_eq!(consumed, enc.len());
                        assert_eq!(value, r, "{:?}", String::from_utf8_lossy(&enc));
                    }
                    Err(Error::LineTooLong { .. }) => {}
                    other => panic!("{:?}: {other:?}", String::from_utf8_lossy(&enc)),
                }
            }
        }
        _ => {
            let mut caps = Vec::new();
            for _ in 0..u.int_in_range(0..=4)? {
                caps.push(match u.int_in_range(0..=5)? {
                    0 => Capability::Size(u.arbitrary()?),
                    1 => Capability::Pipelining,
                    2 => Capability::Auth(
                        (0..u.int_in_range(0..=3)?)
                            .filter_map(|_| {
                                text(u)
                                    .ok()
                                    .and_then(|t| AuthMechanism::new(t.to_string()).ok())
                            })
                            .collect(),
                    ),
                    3 => Capability::DeliverBy(if u.arbitrary()? {
                        Some(u.int_in_range(0..=999_999_999)?)
                    } else {
                        None
                    }),
                    4 => Capability::StartTls,
                    _ => Capability::Other {
                        keyword: Cow::Owned(text(u)?.to_string()),
                        params: vec![],
                    },
                });
            }
            if let Ok(e) = EhloResponse::new(text(u)?.to_string(), None, caps) {
                let enc = e.to_bytes();
                match EhloResponse::decode(&enc) {
                    Ok(Decoded::Complete { value, .. }) => {
                        assert_eq!(value, e, "{:?}", String::from_utf8_lossy(&enc))
                    }
                    Err(Error::LineTooLong { .. }) => {}
                    other => panic!("{:?}: {other:?}", String::from_utf8_lossy(&enc)),
                }
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
