//! EHLO responses: RFC 5321 §4.1.1.1 `ehlo-ok-rsp`, `ehlo-line`.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use mail_common::decode::Decoded;

use super::reply::{ReplyConfig, ReplyDecoder};
use crate::error::Error;
use crate::types::command::AuthMechanism;
use crate::types::ehlo::{Capability, EhloResponse, Limit, XAttribute};
use crate::types::param::DateTime;
use crate::types::reply::{Lines, Reply, ReplyLines};

fn num(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits {
        return None;
    }
    // Digits checked and accumulated in one pass (no `str::parse`, which re-checks signs
    // and digits).
    s.bytes().try_fold(0u64, |n, b| {
        let d = b.wrapping_sub(b'0');
        (d < 10).then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
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
    Limits,
    MtPriority,
    NoSoliciting,
    Pipelining,
    RequireTls,
    Size,
    SmtpUtf8,
    StartTls,
    Vrfy,
    Xclient,
    Xforward,
}

/// The typed keywords and their names (upper case).
const KEYWORDS: [(&[u8], Kw); 22] = [
    (b"8BITMIME", Kw::EightBitMime),
    (b"AUTH", Kw::Auth),
    (b"BINARYMIME", Kw::BinaryMime),
    (b"CHUNKING", Kw::Chunking),
    (b"DELIVERBY", Kw::DeliverBy),
    (b"DSN", Kw::Dsn),
    (b"ENHANCEDSTATUSCODES", Kw::EnhancedStatusCodes),
    (b"ETRN", Kw::Etrn),
    (b"EXPN", Kw::Expn),
    (b"FUTURERELEASE", Kw::FutureRelease),
    (b"HELP", Kw::Help),
    (b"LIMITS", Kw::Limits),
    (b"MT-PRIORITY", Kw::MtPriority),
    (b"NO-SOLICITING", Kw::NoSoliciting),
    (b"PIPELINING", Kw::Pipelining),
    (b"REQUIRETLS", Kw::RequireTls),
    (b"SIZE", Kw::Size),
    (b"SMTPUTF8", Kw::SmtpUtf8),
    (b"STARTTLS", Kw::StartTls),
    (b"VRFY", Kw::Vrfy),
    (b"XCLIENT", Kw::Xclient),
    (b"XFORWARD", Kw::Xforward),
];

/// A slot of [`KW_TABLE`] from a keyword's length and its first two octets folded to
/// upper case (`& 0xDF`). The multipliers were chosen so that the 22 names get 22
/// different slots (the test `every_keyword_has_its_own_slot` checks it; no multipliers
/// below 128 separate them in 32 slots, hence 64).
const fn kw_slot(len: usize, first: u8, second: u8) -> usize {
    len.wrapping_mul(3)
        .wrapping_add(first as usize)
        .wrapping_add((second as usize).wrapping_mul(11))
        & 63
}

/// [`KEYWORDS`] by [`kw_slot`].
// Const evaluation: every index is a slot (`& 63`) or below `KEYWORDS.len()`, and every
// name has two octets or more; a mistake would be a compile error.
#[allow(clippy::indexing_slicing)]
const KW_TABLE: [(&[u8], Option<Kw>); 64] = {
    let mut t: [(&[u8], Option<Kw>); 64] = [(b"", None); 64];
    let mut i = 0;
    while i < KEYWORDS.len() {
        let (name, kw) = KEYWORDS[i];
        t[kw_slot(name.len(), name[0] & 0xDF, name[1] & 0xDF)] = (name, Some(kw));
        i += 1;
    }
    t
};

/// The typed keyword `k` names, if any.
///
/// Why a table: the keyword used to be compared with each of the 19 names in turn (a
/// chain of case-insensitive comparisons, ~15 % of EHLO decoding in callgrind), and a
/// `match` on the length compiled to a jump table whose indirect branch callgrind's
/// branch simulation counted as mispredicted on nearly every line. One slot computed from
/// the length and first two octets holds the only possible name, which one comparison
/// confirms. Inlined: as a call it cost ~56 instructions a lookup in callgrind, 24
/// lookups per bench response.
#[inline(always)]
fn keyword(k: &[u8]) -> Option<Kw> {
    let first = k.first()? & 0xDF;
    let second = k.get(1).map_or(0, |b| b & 0xDF);
    let (name, kw) = KW_TABLE
        .get(kw_slot(k.len(), first, second))
        .copied()
        .unwrap_or((b"", None));
    if eq_upper(k, name) { kw } else { None }
}

/// Whether the word `x` equals the word `name` (upper-case letters, digits and `-`, as
/// every name of [`KEYWORDS`] is) without regard to the case of the letters: the octets
/// may differ only in bit 0x20, and only where `name` has a letter (bit 0x40 set: a
/// letter of the name has it, a digit or `-` has not). Exact for every octet of `x`.
///
/// Why: it replaced upper-casing `x` eight octets at once (seven operations; ~420
/// instructions per bench response in callgrind, 35 words) with four.
#[inline(always)]
fn same_word(x: u64, name: u64) -> bool {
    const BIT40: u64 = 0x4040_4040_4040_4040;
    (x ^ name) & !((name & BIT40) >> 1) == 0
}

/// ASCII case-insensitive equality of `k` with the upper-case name `name` (letters,
/// digits and `-`: see [`same_word`]), the same answer as [`super::eq_kw`].
///
/// Why: `eq_kw` upper-cases one octet at a time (~6 instructions an octet in callgrind),
/// and every EHLO line is compared with one name. Here the octets are compared eight (or
/// four) at a time, with overlapping loads for the tail.
#[inline]
fn eq_upper(k: &[u8], name: &[u8]) -> bool {
    let n = k.len();
    if n != name.len() {
        return false;
    }
    let w8 = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|c| c.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let w4 = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .and_then(|c| c.try_into().ok())
            .map(|c| u64::from(u32::from_le_bytes(c)))
    };
    let same =
        |a: Option<u64>, b: Option<u64>| matches!((a, b), (Some(a), Some(b)) if same_word(a, b));
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if !same(w8(k, at), w8(name, at)) {
                return false;
            }
            at += 8;
        }
        same(w8(k, n - 8), w8(name, n - 8))
    } else if n >= 4 {
        same(w4(k, 0), w4(name, 0)) && same(w4(k, n - 4), w4(name, n - 4))
    } else {
        super::eq_kw(k, name)
    }
}

/// The capability of a keyword that takes no parameter.
///
/// Why apart from [`capability`]: a `match` that only maps one enum to constants is
/// compiled to a table lookup, not to a jump table (whose indirect branch mispredicts).
fn bare(kw: Kw) -> Option<Capability<'static>> {
    Some(match kw {
        Kw::EightBitMime => Capability::EightBitMime,
        Kw::BinaryMime => Capability::BinaryMime,
        Kw::Chunking => Capability::Chunking,
        Kw::Dsn => Capability::Dsn,
        Kw::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
        Kw::Etrn => Capability::Etrn,
        Kw::Expn => Capability::Expn,
        Kw::Help => Capability::Help,
        Kw::Pipelining => Capability::Pipelining,
        Kw::RequireTls => Capability::RequireTls,
        Kw::SmtpUtf8 => Capability::SmtpUtf8,
        Kw::StartTls => Capability::StartTls,
        Kw::Vrfy => Capability::Vrfy,
        Kw::Size => Capability::Size(None),
        Kw::DeliverBy => Capability::DeliverBy(None),
        Kw::MtPriority => Capability::MtPriority(None),
        Kw::NoSoliciting => Capability::NoSoliciting(None),
        Kw::Auth => Capability::Auth(Vec::new()),
        Kw::Xclient => Capability::Xclient(Vec::new()),
        Kw::Xforward => Capability::Xforward(Vec::new()),
        // RFC 9422 §3: LIMITS has at least one limit.
        Kw::FutureRelease | Kw::Limits => return None,
    })
}

/// One `limit-name-value` of a LIMITS line (RFC 9422 §3, see [`Limit`]), or `None` if it
/// does not match the rule.
fn limit(word: &str) -> Option<Limit<'_>> {
    let (name, value) = match word.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (word, None),
    };
    // limit-name = 1*(ALPHA / DIGIT / "-" / "_")
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    // limit-value = 1*(%x21-3A / %x3C-7E)
    let value_ok = value
        .is_none_or(|v| !v.is_empty() && v.bytes().all(|b| matches!(b, 0x21..=0x3A | 0x3C..=0x7E)));
    if !(name_ok && value_ok) {
        return None;
    }
    // The registered limits' values: 1*6DIGIT.
    let number = value
        .and_then(|v| num(v, 6))
        .and_then(|n| u32::try_from(n).ok());
    let upper = |kw: &[u8]| super::eq_kw(name.as_bytes(), kw);
    Some(match number {
        Some(n) if upper(b"MAILMAX") => Limit::MailMax(n),
        Some(n) if upper(b"RCPTMAX") => Limit::RcptMax(n),
        Some(n) if upper(b"RCPTDOMAINMAX") => Limit::RcptDomainMax(n),
        _ => Limit::Other {
            name: Cow::Borrowed(name),
            value: value.map(Cow::Borrowed),
        },
    })
}

/// One attribute name of an XCLIENT or XFORWARD line (see [`XAttribute`]).
fn x_attribute(word: &str) -> XAttribute<'_> {
    const NAMES: [(&[u8], XAttribute<'static>); 11] = [
        (b"NAME", XAttribute::Name),
        (b"REVERSE_NAME", XAttribute::ReverseName),
        (b"ADDR", XAttribute::Addr),
        (b"PORT", XAttribute::Port),
        (b"PROTO", XAttribute::Proto),
        (b"HELO", XAttribute::Helo),
        (b"LOGIN", XAttribute::Login),
        (b"DESTADDR", XAttribute::DestAddr),
        (b"DESTPORT", XAttribute::DestPort),
        (b"IDENT", XAttribute::Ident),
        (b"SOURCE", XAttribute::Source),
    ];
    NAMES
        .iter()
        .find(|(name, _)| super::eq_kw(word.as_bytes(), name))
        .map_or(XAttribute::Other(Cow::Borrowed(word)), |(_, a)| a.clone())
}

/// The typed form of a keyword line, if the keyword is known and its parameters fit.
pub(crate) fn capability<'a, 'p>(
    keyword: &str,
    params: impl Iterator<Item = &'p str> + Clone,
) -> Option<Capability<'a>>
where
    'p: 'a,
{
    typed(self::keyword(keyword.as_bytes())?, params)
}

/// The typed form of a line of the known keyword `kw`, if its parameters fit.
fn typed<'a, 'p>(kw: Kw, params: impl Iterator<Item = &'p str> + Clone) -> Option<Capability<'a>>
where
    'p: 'a,
{
    // The keywords with a list of parameters read them in one pass (counting the first
    // two or three first would scan those words once more).
    match kw {
        Kw::Auth => return auth(params),
        Kw::Xclient => return Some(Capability::Xclient(params.map(x_attribute).collect())),
        Kw::Xforward => return Some(Capability::Xforward(params.map(x_attribute).collect())),
        Kw::Limits => {
            let limits = params.map(limit).collect::<Option<Vec<_>>>()?;
            // RFC 9422 §3: at least one limit.
            return (!limits.is_empty()).then_some(Capability::Limits(limits));
        }
        _ => {}
    }
    // The parameters are looked at only as far as the keyword needs: the other typed
    // keywords take at most two.
    let mut it = params.clone();
    let one = it.next();
    let (two, more) = match one {
        None => (None, false),
        Some(_) => {
            let two = it.next();
            (two, two.is_some() && it.next().is_some())
        }
    };
    let n = usize::from(one.is_some()) + usize::from(two.is_some()) + usize::from(more);
    if n == 0 {
        return bare(kw);
    }
    Some(match (kw, n) {
        (Kw::Size, 1) => Capability::Size(Some(num(one?, 20)?)),
        (Kw::DeliverBy, 1) => Capability::DeliverBy(Some(u32::try_from(num(one?, 9)?).ok()?)),
        (Kw::MtPriority, 1) => Capability::MtPriority(Some(Cow::Borrowed(one?))),
        (Kw::NoSoliciting, 1) => Capability::NoSoliciting(Some(Cow::Borrowed(one?))),
        (Kw::FutureRelease, 2) => {
            let max_interval = u32::try_from(num(one?, 9)?).ok()?;
            let dt = two?;
            if !super::param::is_date_time(dt.as_bytes()) {
                return None;
            }
            Capability::FutureRelease {
                max_interval,
                max_datetime: DateTime(Cow::Borrowed(dt)),
            }
        }
        _ => return None,
    })
}

/// `AUTH mech...` (RFC 4954 §3): the mechanism names.
fn auth<'a, 'p: 'a>(params: impl Iterator<Item = &'p str> + Clone) -> Option<Capability<'a>> {
    let mut mechs = Vec::with_capacity(params.clone().count());
    for m in params {
        // RFC 4422 §3.1 `sasl-mech = 1*20mech-char` (UPPER-ALPHA / DIGIT / "-" / "_";
        // lower case accepted and upper-cased), checked with the lower-case test in one
        // pass over the name.
        let (ok, lower) = m.bytes().fold((true, false), |(ok, lower), b| {
            let mech_char = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            (ok & mech_char, lower | b.is_ascii_lowercase())
        });
        if !ok || m.is_empty() || m.len() > 20 {
            return None;
        }
        mechs.push(if lower {
            AuthMechanism(Cow::Owned(m.to_ascii_uppercase()))
        } else {
            AuthMechanism(Cow::Borrowed(m))
        });
    }
    Some(Capability::Auth(mechs))
}

/// A byte's class in an AUTH line's parameters: a `mech-char` (RFC 4422 §3.1, lower case
/// accepted) and a lower-case letter; 0 for any other octet.
const MECH_CHAR: u8 = 1;
const MECH_LOWER: u8 = 2;
// Const evaluation: `i` stays below 256.
#[allow(clippy::indexing_slicing)]
const MECH_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_lowercase() {
            MECH_CHAR | MECH_LOWER
        } else if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            MECH_CHAR
        } else {
            0
        };
        i += 1;
    }
    t
};

/// `AUTH mech...` from the text after the keyword (`rest`, starting at the SP that ends
/// it): the same answer as [`auth`] over [`words`]`(rest)`.
///
/// Why: [`auth`] walked the names three times (counting the words for the `Vec`'s
/// capacity, splitting them, and checking each name's octets with a chain of tests);
/// callgrind put it at ~1 000 instructions for the bench's AUTH line of five names. Here
/// the `Vec` gets its capacity from a count of the SPs (a loop the compiler vectorises;
/// one more than the names at most, exact for the usual one SP before each name), and
/// one pass per name finds its end and looks each octet's class up in [`MECH_CLASS`]
/// (mech-char, lower case) at once.
fn auth_line(rest: &str) -> Option<Capability<'_>> {
    let b = rest.as_bytes();
    let mut mechs = Vec::with_capacity(b.iter().filter(|&&c| c == b' ').count() + 1);
    let mut i = 0;
    loop {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let (mut all, mut any) = (MECH_CHAR, 0u8);
        while let Some(&c) = b.get(i) {
            if c == b' ' {
                break;
            }
            let k = MECH_CLASS.get(usize::from(c)).copied().unwrap_or(0);
            all &= k;
            any |= k;
            i += 1;
        }
        // sasl-mech = 1*20mech-char.
        if all == 0 || i - start > 20 {
            return None;
        }
        let m = rest.get(start..i).unwrap_or_default();
        mechs.push(if any & MECH_LOWER != 0 {
            AuthMechanism(Cow::Owned(m.to_ascii_uppercase()))
        } else {
            AuthMechanism(Cow::Borrowed(m))
        });
    }
    Some(Capability::Auth(mechs))
}

/// Splits a line at spaces (runs of spaces count as one separator).
///
/// Why not `str::split(' ')`: its char searcher calls `memchr` for every word, and the
/// words of an EHLO line are a few octets long; callgrind showed ~20 % of EHLO decoding in
/// it. A byte loop over the short words is cheaper. Spaces are ASCII, so every cut is on a
/// character boundary.
#[derive(Debug, Clone)]
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    // Two index loops and one cut: the former `position` calls and three `str::get`s
    // (each with its character-boundary tests) cost ~25 % more per word in callgrind.
    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.0.as_bytes();
        let mut i = 0;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while matches!(b.get(i), Some(c) if *c != b' ') {
            i += 1;
        }
        let (head, rest) = self.0.split_at_checked(i)?;
        self.0 = rest;
        head.get(start..)
    }
}

fn words(s: &str) -> Words<'_> {
    Words(s)
}

fn line_capability(line: Cow<'_, str>, offset: usize) -> Result<Capability<'_>, Error> {
    match line {
        Cow::Borrowed(s) => capability_line(s, offset, false),
        Cow::Owned(s) => capability_line(&s, offset, false).map(crate::types::ehlo::own_capability),
    }
}

/// One `ehlo-line` (RFC 5321 §4.1.1.1) as a capability; `printable` when its octets are
/// already known to be printable ASCII (the reply decoder tells, so they are not
/// scanned again).
#[inline(always)]
fn capability_line(s: &str, offset: usize, printable: bool) -> Result<Capability<'_>, Error> {
    // Printable ASCII (nearly every line) needs no search for the bad octet.
    if !printable && !super::reply::printable_ascii(s.as_bytes()) {
        if let Some(bad) = s.bytes().position(|b| b < 32 || b == 127) {
            return Err(Error::Syntax {
                offset: offset + bad,
                expected: "ehlo-line",
            });
        }
    }
    // Most lines are one keyword and nothing else: the whole line is looked up first (a
    // name has no SP, so a line with one does not match), with no scan for a SP and no
    // word splitting. The first SP ends the keyword of the others.
    if let Some(c) = self::keyword(s.as_bytes()).and_then(bare) {
        return Ok(c);
    }
    let sp = s.bytes().position(|b| b == b' ');
    let (keyword, w) = match sp {
        // A keyword before the first SP: the words after it are the parameters. The
        // keyword is looked up once here and its parameters read from the rest of the
        // line (AUTH's in one pass, `auth_line`), not through `capability`, which would
        // look the keyword up again (~55 instructions a line).
        Some(sp) if sp > 0 => {
            let keyword = s.get(..sp).unwrap_or_default();
            let rest = s.get(sp..).unwrap_or_default();
            let typed = match self::keyword(keyword.as_bytes()) {
                Some(Kw::Auth) => auth_line(rest),
                Some(kw) => typed(kw, words(rest)),
                None => None,
            };
            if let Some(c) = typed {
                return Ok(c);
            }
            (keyword, words(rest))
        }
        _ => {
            let mut w = words(s);
            match w.next() {
                Some(k) => (k, w),
                None => {
                    return Err(Error::Syntax {
                        offset,
                        expected: "ehlo-keyword",
                    });
                }
            }
        }
    };
    Ok(
        capability(keyword, w.clone()).unwrap_or_else(|| Capability::Other {
            keyword: Cow::Borrowed(keyword),
            params: w.map(Cow::Borrowed).collect(),
        }),
    )
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
                let (d, g) = hello_line(s)?;
                (Cow::Borrowed(d), g.map(Cow::Borrowed))
            }
            Cow::Owned(s) => {
                let (d, g) = hello_line(&s)?;
                (Cow::Owned(d.into()), g.map(|g| Cow::Owned(g.into())))
            }
        };
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

/// The first line, `Domain [SP ehlo-greet]`: the domain (printable, no spaces) and the
/// greeting, if any.
fn hello_line(s: &str) -> Result<(&str, Option<&str>), Error> {
    // A byte search for the SP (no `char` searcher for one short line).
    let sp = s.bytes().position(|b| b == b' ').unwrap_or(s.len());
    let (d, g) = (
        s.get(..sp).unwrap_or_default(),
        s.get(sp + 1..).unwrap_or_default(),
    );
    if d.is_empty() || d.bytes().any(|b| b < 33 || b == 127) {
        return Err(Error::Syntax {
            offset: 0,
            expected: "Domain",
        });
    }
    Ok((d, (!g.is_empty()).then_some(g)))
}

/// Decodes a whole EHLO response from the front of `input`.
///
/// The same result as [`reply_lines`](super::reply_lines) then
/// [`EhloResponse::from_reply`], with less work: the reply decoder notes where each line's
/// text is while it checks the lines, so the capabilities are read from those places
/// without finding the lines again, and the text is converted to `&str` once for the
/// whole reply.
///
/// Why: the two-step form walked the reply a second time with a `memchr` per line to cut
/// the lines out again (~25 % of EHLO decoding in callgrind); converting each line to
/// `&str` on its own instead cost ~130 instructions per line.
///
/// # Errors
/// As [`reply_lines`](super::reply_lines) and [`EhloResponse::from_reply`].
pub fn ehlo_response<'a>(
    input: &'a [u8],
    config: &ReplyConfig,
) -> Result<Decoded<EhloResponse<'a>>, Error> {
    /// Lines whose place is noted (as `u32` offsets, with a bit each for "printable
    /// ASCII": a small array, since it is filled anew for every response); any further
    /// lines (a response longer than servers send) are found again in the text.
    const NOTED: usize = 32;
    let mut spans = [(0u32, 0u32); NOTED];
    let mut printable_bits = 0u32;
    let mut visit = |start: usize, end: usize, n: usize, printable: bool| {
        if let (Some(slot), Ok(start), Ok(end)) =
            (spans.get_mut(n), u32::try_from(start), u32::try_from(end))
        {
            *slot = (start, end);
            printable_bits |= u32::from(printable) << n;
        }
    };
    let head = match ReplyDecoder::default().run(input, config, &mut visit)? {
        Decoded::Complete { value, .. } => value,
        Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
    };
    if head.code.get() != 250 {
        return Err(Error::UnexpectedReply {
            code: head.code.get(),
        });
    }
    // Every line was checked to be a `textstring` (UTF-8); codes and CRLFs are ASCII.
    let raw = core::str::from_utf8(input.get(..head.len).unwrap_or_default()).map_err(|e| {
        Error::Syntax {
            offset: e.valid_up_to(),
            expected: "UTF-8 textstring",
        }
    })?;
    // Input beyond 4 GiB cannot be noted as `u32`: then every line is found in the text.
    let all_noted = u32::try_from(head.len).is_ok();
    let noted_lines = if all_noted { head.lines.min(NOTED) } else { 0 };
    let noted = |n: usize| {
        let (start, end) = spans.get(n).copied().unwrap_or_default();
        raw.get(start as usize..end as usize).unwrap_or_default()
    };
    // Plain loops over the noted lines, then (rarely) the rest: an iterator chain of the
    // two cost ~600 instructions per response in callgrind (the `Chain` state tested at
    // every step).
    let first = if noted_lines > 0 {
        noted(0)
    } else {
        ReplyLines::wire(raw, head.lines).next().unwrap_or_default()
    };
    let (domain, greeting) = hello_line(first)?;
    let mut capabilities = Vec::with_capacity(head.lines.saturating_sub(1));
    for n in 1..noted_lines {
        let printable = printable_bits >> n & 1 == 1;
        capabilities.push(capability_line(noted(n), n, printable)?);
    }
    if head.lines > noted_lines {
        let more = ReplyLines::wire(raw, head.lines).enumerate();
        for (n, text) in more.skip(noted_lines.max(1)) {
            capabilities.push(capability_line(text, n, false)?);
        }
    }
    Ok(Decoded::Complete {
        value: EhloResponse {
            domain: Cow::Borrowed(domain),
            greeting: greeting.map(Cow::Borrowed),
            capabilities,
        },
        consumed: head.len,
    })
}

#[cfg(test)]
mod tests {
    use alloc::borrow::Cow;
    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;
    use crate::parse::reply::reply_lines;

    /// A decoded reply is read from its wire text; the same reply built from its lines is
    /// read from the list (enhanced code put back as text): both give the same response or
    /// the same error.
    fn agree(input: &[u8]) {
        // The one-pass decoder equals the two steps, errors included.
        let config = ReplyConfig::default();
        let two_steps = match reply_lines(input, &config) {
            Ok(Decoded::Complete { value, consumed }) => {
                EhloResponse::from_reply(value).map(|v| Decoded::Complete { value: v, consumed })
            }
            Ok(Decoded::Incomplete { needed }) => Ok(Decoded::Incomplete { needed }),
            Err(e) => Err(e),
        };
        assert_eq!(
            ehlo_response(input, &config),
            two_steps,
            "{:?}",
            String::from_utf8_lossy(input)
        );
        let Ok(Decoded::Complete { value, .. }) = reply_lines(input, &config) else {
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
    fn every_keyword_has_its_own_slot() {
        for (name, kw) in KEYWORDS {
            assert_eq!(keyword(name), Some(kw));
            assert_eq!(keyword(&name.to_ascii_lowercase()), Some(kw));
        }
        let filled = KW_TABLE.iter().filter(|(_, kw)| kw.is_some()).count();
        assert_eq!(filled, KEYWORDS.len());
    }

    #[test]
    fn eq_upper_equals_eq_kw() {
        // `same_word` needs names of upper-case letters, digits and `-`.
        for (name, _) in KEYWORDS {
            assert!(
                name.iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
            );
        }
        // Every name against itself with each octet replaced by any value, in every
        // length (the word loads, the overlapping tail and the short form).
        let names: Vec<&[u8]> = KEYWORDS
            .iter()
            .map(|(n, _)| *n)
            .chain([&b"A"[..], b"AB", b"ABC", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b""])
            .collect();
        for name in names {
            assert!(eq_upper(name, name));
            assert!(eq_upper(&name.to_ascii_lowercase(), name));
            for at in 0..name.len() {
                for b in 0..=255u8 {
                    let mut k = name.to_vec();
                    k[at] = b;
                    assert_eq!(eq_upper(&k, name), super::super::eq_kw(&k, name), "{k:?}");
                }
            }
            assert!(!eq_upper(&[name, b"X"].concat(), name));
        }
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
            ("limits", Some(Kw::Limits)),
            ("XClient", Some(Kw::Xclient)),
            ("XFORWARD", Some(Kw::Xforward)),
            ("XFORWARX", None),
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
            b"250-a\r\n251 b\r\n",
            b"250-\r\n250 X\tY\r\n",
            b"250-a\r\n250-X\tY\r\n250 \x01\r\n",
            b"250-a\r\n250-X\tY\r\n250 B\r\n",
            b"250-a b\r\n250-SIZE 10\r\n",
            b"250-a\r\n250-LIMITS RCPTMAX=1 x_y=z\r\n250-LIMITS\r\n250 XCLIENT name FOO\r\n",
            b"250-a\r\n250-LIMITS a=;\r\n250 xforward\r\n",
            b"",
        ] {
            agree(input);
        }
    }

    #[test]
    fn responses_longer_than_the_noted_lines_are_read_whole() {
        for n in [30, 31, 32, 33, 63, 64, 65, 200] {
            let mut input = String::from("250-mx.example\r\n");
            for i in 0..n {
                input.push_str(&alloc::format!("250-X-EXT{i} a b\r\n"));
            }
            input.push_str("250 SIZE 1\r\n");
            let (r, used) = ehlo_response(input.as_bytes(), &ReplyConfig::default())
                .unwrap()
                .complete()
                .unwrap();
            assert_eq!(used, input.len());
            assert_eq!(r.capabilities.len(), n + 1);
            assert_eq!(r.size(), Some(Some(1)));
            agree(input.as_bytes());
        }
    }

    /// The words of `s` as `str::split` gives them, empty ones dropped.
    fn words_reference(s: &str) -> Vec<&str> {
        s.split(' ').filter(|w| !w.is_empty()).collect()
    }

    #[test]
    fn auth_line_answers_the_usual_forms() {
        for (rest, want) in [
            (
                " PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER",
                &["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"][..],
            ),
            (" plain Login", &["PLAIN", "LOGIN"]),
            ("  PLAIN   X_Y-1 ", &["PLAIN", "X_Y-1"]),
            (" ", &[]),
            ("", &[]),
        ] {
            let Some(Capability::Auth(m)) = auth_line(rest) else {
                panic!("{rest:?}");
            };
            let got: Vec<&str> = m.iter().map(|m| &*m.0).collect();
            assert_eq!(got, want, "{rest:?}");
            assert_eq!(auth_line(rest), auth(words(rest)), "{rest:?}");
        }
        for rest in [
            " PLAIN\tLOGIN",
            " A=B",
            " ABCDEFGHIJKLMNOPQRSTU",
            " \u{e9}",
            " PLAIN L.GIN",
        ] {
            assert_eq!(auth_line(rest), None, "{rest:?}");
            assert_eq!(auth(words(rest)), None, "{rest:?}");
        }
    }

    const PIECES: [&str; 23] = [
        "LIMITS",
        "RCPTMAX=7",
        "XCLIENT",
        "ADDR",
        "250-",
        "250 ",
        "\r\n",
        "251-",
        "\u{1}",
        "AUTH=PLAIN",
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
            agree(&input);
            input.extend_from_slice(b"\r\n250 HELP\r\n");
            agree(&input);
        }

        /// `auth_line` gives what `auth` gives over the same words (errors included), and
        /// `Words` the words `str::split` gives.
        #[test]
        fn auth_line_and_words_equal_their_references(
            rest in "[ a-zA-Z0-9_=.\t\u{e9}-]{0,60}",
            long in "[A-Z]{18,23}",
        ) {
            for r in [rest.clone(), alloc::format!(" {long} {rest}")] {
                prop_assert_eq!(auth_line(&r), auth(words(&r)), "{:?}", r);
                prop_assert_eq!(words(&r).collect::<Vec<_>>(), words_reference(&r));
            }
        }
    }
}
