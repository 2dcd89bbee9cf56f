use bytes::BufMut;

use super::{Encode, put_fmt};
use crate::types::param::{AuthParam, Body, ByMode, Notify, Parameter, Parameters, Repr, Ret};

impl Encode for Parameter<'_> {
    fn encode(&self, out: &mut impl BufMut) {
        match self {
            Parameter::Size(n) => put_fmt(out, format_args!("SIZE={n}")),
            Parameter::Body(b) => out.put_slice(match b {
                Body::SevenBit => b"BODY=7BIT".as_slice(),
                Body::EightBitMime => b"BODY=8BITMIME",
                Body::BinaryMime => b"BODY=BINARYMIME",
            }),
            Parameter::SmtpUtf8 => out.put_slice(b"SMTPUTF8"),
            Parameter::Ret(r) => out.put_slice(match r {
                Ret::Full => b"RET=FULL".as_slice(),
                Ret::Hdrs => b"RET=HDRS",
            }),
            Parameter::EnvId(x) => put_fmt(out, format_args!("ENVID={}", x.as_str())),
            Parameter::Notify(Notify::On {
                success,
                failure,
                delay,
            }) if *success || *failure || *delay => {
                out.put_slice(b"NOTIFY=");
                let mut sep = false;
                for (on, name) in [(success, "SUCCESS"), (failure, "FAILURE"), (delay, "DELAY")] {
                    if *on {
                        if sep {
                            out.put_u8(b',');
                        }
                        out.put_slice(name.as_bytes());
                        sep = true;
                    }
                }
            }
            // `On` with no condition means the same as NEVER (RFC 3461 §4.1).
            Parameter::Notify(_) => out.put_slice(b"NOTIFY=NEVER"),
            Parameter::Orcpt(o) => put_fmt(
                out,
                format_args!("ORCPT={};{}", o.addr_type, o.addr.as_str()),
            ),
            Parameter::Auth(AuthParam::Unknown) => out.put_slice(b"AUTH=<>"),
            Parameter::Auth(AuthParam::Mailbox(x)) if x.bytes().eq(*b"<>") => {
                out.put_slice(b"AUTH=+3C+3E");
            }
            Parameter::Auth(AuthParam::Mailbox(x)) => {
                put_fmt(out, format_args!("AUTH={}", x.as_str()));
            }
            Parameter::MtPriority(p) => put_fmt(out, format_args!("MT-PRIORITY={p}")),
            Parameter::RequireTls => out.put_slice(b"REQUIRETLS"),
            Parameter::HoldFor(s) => put_fmt(out, format_args!("HOLDFOR={s}")),
            Parameter::HoldUntil(d) => put_fmt(out, format_args!("HOLDUNTIL={}", d.as_str())),
            Parameter::By(b) => put_fmt(
                out,
                format_args!(
                    "BY={};{}{}",
                    b.time,
                    match b.mode {
                        ByMode::Notify => 'N',
                        ByMode::Return => 'R',
                    },
                    if b.trace { "T" } else { "" }
                ),
            ),
            Parameter::Other { keyword, value } => {
                out.put_slice(keyword.as_str().as_bytes());
                if let Some(v) = value {
                    out.put_u8(b'=');
                    out.put_slice(v.as_str().as_bytes());
                }
            }
        }
    }
}

impl Encode for Parameters<'_> {
    /// Writes `esmtp-param *(SP esmtp-param)` (nothing when empty; the caller writes the
    /// SP before it).
    fn encode(&self, out: &mut impl BufMut) {
        match &self.0 {
            // Validated when parsed: written back as received.
            Repr::Raw(s) => out.put_slice(s),
            Repr::List(l) => {
                for (n, p) in l.iter().enumerate() {
                    if n > 0 {
                        out.put_u8(b' ');
                    }
                    p.encode(out);
                }
            }
        }
    }
}
