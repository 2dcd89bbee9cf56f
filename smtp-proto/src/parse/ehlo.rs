//! EHLO responses: RFC 5321 §4.1.1.1 `ehlo-ok-rsp`, `ehlo-line`.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use mail_common::decode::Decoded;

use super::reply::{ReplyConfig, reply_lines};
use crate::error::Error;
use crate::types::command::AuthMechanism;
use crate::types::ehlo::{Capability, EhloResponse};
use crate::types::param::DateTime;
use crate::types::reply::Reply;

fn num(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The typed form of a keyword line, if the keyword is known and its parameters fit.
pub(crate) fn capability<'a, 'p>(
    keyword: &str,
    params: impl Iterator<Item = &'p str> + Clone,
) -> Option<Capability<'a>>
where
    'p: 'a,
{
    let k = keyword.as_bytes();
    let n = params.clone().count();
    let one = || params.clone().next();
    let kw = |s: &str| super::eq_kw(k, s.as_bytes());
    Some(match n {
        0 if kw("8BITMIME") => Capability::EightBitMime,
        0 if kw("BINARYMIME") => Capability::BinaryMime,
        0 if kw("CHUNKING") => Capability::Chunking,
        0 if kw("DSN") => Capability::Dsn,
        0 if kw("ENHANCEDSTATUSCODES") => Capability::EnhancedStatusCodes,
        0 if kw("ETRN") => Capability::Etrn,
        0 if kw("EXPN") => Capability::Expn,
        0 if kw("HELP") => Capability::Help,
        0 if kw("PIPELINING") => Capability::Pipelining,
        0 if kw("REQUIRETLS") => Capability::RequireTls,
        0 if kw("SMTPUTF8") => Capability::SmtpUtf8,
        0 if kw("STARTTLS") => Capability::StartTls,
        0 if kw("VRFY") => Capability::Vrfy,
        0 if kw("SIZE") => Capability::Size(None),
        1 if kw("SIZE") => Capability::Size(Some(num(one()?, 20)?)),
        0 if kw("DELIVERBY") => Capability::DeliverBy(None),
        1 if kw("DELIVERBY") => Capability::DeliverBy(Some(u32::try_from(num(one()?, 9)?).ok()?)),
        0 if kw("MT-PRIORITY") => Capability::MtPriority(None),
        1 if kw("MT-PRIORITY") => Capability::MtPriority(Some(Cow::Borrowed(one()?))),
        0 if kw("NO-SOLICITING") => Capability::NoSoliciting(None),
        1 if kw("NO-SOLICITING") => Capability::NoSoliciting(Some(Cow::Borrowed(one()?))),
        2 if kw("FUTURERELEASE") => {
            let mut it = params.clone();
            let max_interval = u32::try_from(num(it.next()?, 9)?).ok()?;
            let dt = it.next()?;
            super::validate(dt.as_bytes(), "date-time", super::param::date_time).ok()?;
            Capability::FutureRelease {
                max_interval,
                max_datetime: DateTime(Cow::Borrowed(dt)),
            }
        }
        _ if kw("AUTH") => {
            let mut mechs = Vec::with_capacity(n);
            for m in params {
                super::validate(m.as_bytes(), "sasl-mech", super::command::sasl_mech).ok()?;
                mechs.push(if m.bytes().any(|b| b.is_ascii_lowercase()) {
                    AuthMechanism(Cow::Owned(m.to_ascii_uppercase()))
                } else {
                    AuthMechanism(Cow::Borrowed(m))
                });
            }
            Capability::Auth(mechs)
        }
        _ => return None,
    })
}

/// Splits a line at single spaces (runs of spaces count as one separator).
fn words(s: &str) -> impl Iterator<Item = &str> + Clone {
    s.split(' ').filter(|w| !w.is_empty())
}

fn line_capability(line: Cow<'_, str>, offset: usize) -> Result<Capability<'_>, Error> {
    if let Some(bad) = line.bytes().position(|b| b < 32 || b == 127) {
        return Err(Error::Syntax {
            offset: offset + bad,
            expected: "ehlo-line",
        });
    }
    match line {
        Cow::Borrowed(s) => {
            let mut w = words(s);
            let Some(keyword) = w.next() else {
                return Err(Error::Syntax {
                    offset,
                    expected: "ehlo-keyword",
                });
            };
            Ok(
                capability(keyword, w.clone()).unwrap_or_else(|| Capability::Other {
                    keyword: Cow::Borrowed(keyword),
                    params: w.map(Cow::Borrowed).collect(),
                }),
            )
        }
        Cow::Owned(s) => {
            line_capability(Cow::Borrowed(&s), offset).map(crate::types::ehlo::own_capability)
        }
    }
}

impl<'a> EhloResponse<'a> {
    /// Reads a 250 reply as an EHLO response.
    ///
    /// # Errors
    /// [`Error::UnexpectedReply`] for a code other than 250, [`Error::Syntax`] (the offset
    /// is the line's index) for an empty domain or a control character.
    pub fn from_reply(reply: Reply<'a>) -> Result<Self, Error> {
        if reply.code.get() != 250 {
            return Err(Error::UnexpectedReply {
                code: reply.code.get(),
            });
        }
        // RFC 2034 §3: the response to EHLO carries no enhanced status code. A reply parsed
        // as if it had one (every line starting with something like `2.0.0 `) is read back
        // as text, so a domain such as `2.5.0` survives a round trip.
        let lines: Vec<Cow<'a, str>> = match reply.enhanced {
            None => reply.lines,
            Some(code) => reply
                .lines
                .into_iter()
                .map(|l| {
                    Cow::Owned(if l.is_empty() {
                        alloc::format!("{code}")
                    } else {
                        alloc::format!("{code} {l}")
                    })
                })
                .collect(),
        };
        let mut lines = lines.into_iter();
        let first = lines.next().unwrap_or_default();
        let (domain, greeting) = match first {
            Cow::Borrowed(s) => {
                let (d, g) = s.split_once(' ').unwrap_or((s, ""));
                (
                    Cow::Borrowed(d),
                    (!g.is_empty()).then_some(Cow::Borrowed(g)),
                )
            }
            Cow::Owned(s) => {
                let (d, g) = s.split_once(' ').unwrap_or((&s, ""));
                (
                    Cow::Owned(d.into()),
                    (!g.is_empty()).then(|| Cow::Owned(g.into())),
                )
            }
        };
        if domain.is_empty() || domain.bytes().any(|b| b < 33 || b == 127) {
            return Err(Error::Syntax {
                offset: 0,
                expected: "Domain",
            });
        }
        let mut capabilities = Vec::with_capacity(lines.len());
        for (n, l) in lines.enumerate() {
            capabilities.push(line_capability(l, n + 1)?);
        }
        Ok(EhloResponse {
            domain,
            greeting,
            capabilities,
        })
    }
}

/// Decodes a whole EHLO response from the front of `input`.
///
/// # Errors
/// As [`reply_lines`](super::reply_lines) and [`EhloResponse::from_reply`].
pub fn ehlo_response<'a>(
    input: &'a [u8],
    config: &ReplyConfig,
) -> Result<Decoded<EhloResponse<'a>>, Error> {
    match reply_lines(input, config)? {
        Decoded::Complete { value, consumed } => Ok(Decoded::Complete {
            value: EhloResponse::from_reply(value)?,
            consumed,
        }),
        Decoded::Incomplete { needed } => Ok(Decoded::Incomplete { needed }),
    }
}
