//! EHLO responses: RFC 5321 §4.1.1.1 `ehlo-ok-rsp`, `ehlo-line`.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use mail_common::decode::Decoded;

use super::reply::{ReplyConfig, reply_lines};
use crate::error::Error;
use crate::types::command::AuthMechanism;
use crate::types::ehlo::{Capability, EhloResponse};
use crate::types::param::DateTime;
use crate::types::reply::{Lines, Reply, ReplyLines};

fn num(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The EHLO keywords with a typed [`Capability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    EightBitMime,
    Auth,
    BinaryMime,
    Chunking,
    DeliverBy,
    Dsn,
    EnhancedStatusCodes,
    Etrn,
    Expn,
    FutureRelease,
    Help,
    MtPriority,
    NoSoliciting,
    Pipelining,
    RequireTls,
    Size,
    SmtpUtf8,
    StartTls,
    Vrfy,
}

/// The typed keyword `k` names, if any.
///
/// Why: the keyword used to be compared with each of the 19 names in turn (a chain of
/// case-insensitive comparisons, ~15 % of EHLO decoding in callgrind). The length and the
/// first octet folded to upper case (`& 0xDF`; `'8'` folds to `0x18`) leave at most one
/// candidate (two for `ETRN`/`EXPN` and `SMTPUTF8`/`STARTTLS`, told apart by the second
/// octet), which one comparison then confirms.
fn keyword(k: &[u8]) -> Option<Kw> {
    let first = k.first()? & 0xDF;
    let second = k.get(1).map_or(0, |b| b & 0xDF);
    let (name, kw): (&[u8], Kw) = match (k.len(), first) {
        (3, b'D') => (b"DSN", Kw::Dsn),
        (4, b'A') => (b"AUTH", Kw::Auth),
        (4, b'E') if second == b'T' => (b"ETRN", Kw::Etrn),
        (4, b'E') => (b"EXPN", Kw::Expn),
        (4, b'H') => (b"HELP", Kw::Help),
        (4, b'S') => (b"SIZE", Kw::Size),
        (4, b'V') => (b"VRFY", Kw::Vrfy),
        (8, 0x18) => (b"8BITMIME", Kw::EightBitMime),
        (8, b'C') => (b"CHUNKING", Kw::Chunking),
        (8, b'S') if second == b'M' => (b"SMTPUTF8", Kw::SmtpUtf8),
        (8, b'S') => (b"STARTTLS", Kw::StartTls),
        (9, b'D') => (b"DELIVERBY", Kw::DeliverBy),
        (10, b'B') => (b"BINARYMIME", Kw::BinaryMime),
        (10, b'P') => (b"PIPELINING", Kw::Pipelining),
        (10, b'R') => (b"REQUIRETLS", Kw::RequireTls),
        (11, b'M') => (b"MT-PRIORITY", Kw::MtPriority),
        (13, b'F') => (b"FUTURERELEASE", Kw::FutureRelease),
        (13, b'N') => (b"NO-SOLICITING", Kw::NoSoliciting),
        (19, b'E') => (b"ENHANCEDSTATUSCODES", Kw::EnhancedStatusCodes),
        _ => return None,
    };
    super::eq_kw(k, name).then_some(kw)
}

/// The typed form of a keyword line, if the keyword is known and its parameters fit.
pub(crate) fn capability<'a, 'p>(
    keyword: &str,
    params: impl Iterator<Item = &'p str> + Clone,
) -> Option<Capability<'a>>
where
    'p: 'a,
{
    let kw = self::keyword(keyword.as_bytes())?;
    // How many parameters, counted only up to 3 (every typed keyword but AUTH takes at
    // most 2).
    let mut it = params.clone();
    let (one, two) = (it.next(), it.next());
    let n = match (one, two) {
        (None, _) => 0,
        (Some(_), None) => 1,
        (Some(_), Some(_)) => 2 + usize::from(it.next().is_some()),
    };
    Some(match (kw, n) {
        (Kw::EightBitMime, 0) => Capability::EightBitMime,
        (Kw::BinaryMime, 0) => Capability::BinaryMime,
        (Kw::Chunking, 0) => Capability::Chunking,
        (Kw::Dsn, 0) => Capability::Dsn,
        (Kw::EnhancedStatusCodes, 0) => Capability::EnhancedStatusCodes,
        (Kw::Etrn, 0) => Capability::Etrn,
        (Kw::Expn, 0) => Capability::Expn,
        (Kw::Help, 0) => Capability::Help,
        (Kw::Pipelining, 0) => Capability::Pipelining,
        (Kw::RequireTls, 0) => Capability::RequireTls,
        (Kw::SmtpUtf8, 0) => Capability::SmtpUtf8,
        (Kw::StartTls, 0) => Capability::StartTls,
        (Kw::Vrfy, 0) => Capability::Vrfy,
        (Kw::Size, 0) => Capability::Size(None),
        (Kw::Size, 1) => Capability::Size(Some(num(one?, 20)?)),
        (Kw::DeliverBy, 0) => Capability::DeliverBy(None),
        (Kw::DeliverBy, 1) => Capability::DeliverBy(Some(u32::try_from(num(one?, 9)?).ok()?)),
        (Kw::MtPriority, 0) => Capability::MtPriority(None),
        (Kw::MtPriority, 1) => Capability::MtPriority(Some(Cow::Borrowed(one?))),
        (Kw::NoSoliciting, 0) => Capability::NoSoliciting(None),
        (Kw::NoSoliciting, 1) => Capability::NoSoliciting(Some(Cow::Borrowed(one?))),
        (Kw::FutureRelease, 2) => {
            let max_interval = u32::try_from(num(one?, 9)?).ok()?;
            let dt = two?;
            super::validate(dt.as_bytes(), "date-time", super::param::date_time).ok()?;
            Capability::FutureRelease {
                max_interval,
                max_datetime: DateTime(Cow::Borrowed(dt)),
            }
        }
        (Kw::Auth, _) => {
            let mut mechs = Vec::with_capacity(params.clone().count());
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
    // Printable ASCII (nearly every line) needs no search for the bad octet.
    if !super::reply::printable_ascii(line.as_bytes()) {
        if let Some(bad) = line.bytes().position(|b| b < 32 || b == 127) {
            return Err(Error::Syntax {
                offset: offset + bad,
                expected: "ehlo-line",
            });
        }
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
        let list = match reply.lines {
            // A decoded reply: its lines' texts are cut from the checked wire text, borrowed
            // (no list of lines is built). The texts are taken as they are, enhanced code
            // included: RFC 2034 §3, the response to EHLO carries no enhanced status code,
            // and a reply parsed as if it had one (every line starting with something like
            // `2.0.0 `) is read as text, so a domain such as `2.5.0` survives a round trip.
            Lines::Wire {
                raw: Cow::Borrowed(raw),
                count,
                ..
            } => return Self::from_lines(ReplyLines::wire(raw, count).map(Cow::Borrowed)),
            Lines::Wire {
                raw: Cow::Owned(raw),
                count,
                ..
            } => {
                return EhloResponse::from_lines(ReplyLines::wire(&raw, count).map(Cow::Borrowed))
                    .map(EhloResponse::into_owned);
            }
            Lines::List(list) => list,
        };
        // A built reply: the same reading, with the enhanced code put back as text.
        let lines: Vec<Cow<'a, str>> = match reply.enhanced {
            None => list,
            Some(code) => list
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
        Self::from_lines(lines.into_iter())
    }

    /// `Domain [SP ehlo-greet]` from the first line, one capability from each other line.
    fn from_lines(mut lines: impl ExactSizeIterator<Item = Cow<'a, str>>) -> Result<Self, Error> {
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

#[cfg(test)]
mod tests {
    use alloc::borrow::Cow;
    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    /// A decoded reply is read from its wire text; the same reply built from its lines is
    /// read from the list (enhanced code put back as text): both give the same response or
    /// the same error.
    fn agree(input: &[u8]) {
        let Ok(Decoded::Complete { value, .. }) = reply_lines(input, &ReplyConfig::default())
        else {
            return;
        };
        let built = Reply {
            code: value.code,
            enhanced: value.enhanced,
            lines: Lines::List(value.lines().map(|l| Cow::Owned(l.into())).collect()),
        };
        let owned = value.clone().into_owned();
        let wire = EhloResponse::from_reply(value);
        assert_eq!(
            wire,
            EhloResponse::from_reply(built),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(wire, EhloResponse::from_reply(owned));
    }

    #[test]
    fn keywords_are_found_by_length_and_first_octet() {
        for (k, want) in [
            ("8bitmime", Some(Kw::EightBitMime)),
            ("Auth", Some(Kw::Auth)),
            ("ETRN", Some(Kw::Etrn)),
            ("expn", Some(Kw::Expn)),
            ("SMTPUTF8", Some(Kw::SmtpUtf8)),
            ("STARTTLS", Some(Kw::StartTls)),
            ("ENHANCEDSTATUSCODES", Some(Kw::EnhancedStatusCodes)),
            ("NO-SOLICITING", Some(Kw::NoSoliciting)),
            ("FUTURERELEASE", Some(Kw::FutureRelease)),
            ("EXPX", None),
            ("\u{18}BITMIME", None),
            ("SMTPUTF9", None),
            ("X", None),
            ("", None),
        ] {
            assert_eq!(keyword(k.as_bytes()), want, "{k}");
        }
    }

    #[test]
    fn wire_and_list_readings_agree() {
        for input in [
            &b"250-mx.example Hi\r\n250-SIZE 10\r\n250 AUTH plain LOGIN\r\n"[..],
            b"250-2.5.0\r\n250 2.5.0 SIZE\r\n",
            b"250-2.5.0 \r\n250 2.5.0  PIPELINING  \r\n",
            b"250-2.0.0 x y\r\n250 2.0.0\r\n",
            b"250-a\r\n250 \r\n",
            b"250 \r\n",
            b"250-a\r\n250 X\tY\r\n",
            b"251 a\r\n",
        ] {
            agree(input);
        }
    }

    const PIECES: [&str; 16] = [
        "250-",
        "250 ",
        "\r\n",
        "2.0.0",
        "2.5.0 ",
        " ",
        "  ",
        "mx.example",
        "SIZE",
        "10",
        "AUTH",
        "plain",
        "DSN",
        "\t",
        "X-Y",
        "\u{e9}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn wire_and_list_readings_agree_on_generated_replies(
            pieces in prop::collection::vec(prop::sample::select(&PIECES[..]), 1..14),
        ) {
            let mut input: Vec<u8> = pieces.concat().into_bytes();
            input.extend_from_slice(b"\r\n250 HELP\r\n");
            agree(&input);
        }
    }
}
