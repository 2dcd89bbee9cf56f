//! ESMTP parameters: RFC 5321 §4.1.2 (`esmtp-param`), RFC 1870, RFC 6152, RFC 3030,
//! RFC 6531, RFC 3461, RFC 4954, RFC 6710, RFC 8689, RFC 4865, RFC 2852.

use alloc::borrow::Cow;

use nom::bytes::complete::{take_while, take_while_m_n, take_while1};

use super::{In, PResult, Why, eq_kw, fail, fatal, utf8};
use crate::types::param::{
    AuthParam, Body, By, ByMode, DateTime, EsmtpKeyword, EsmtpValue, Notify, Orcpt, Parameter,
    Parameters, Repr, Ret, XText,
};

/// The typed keywords, in the order of [`Parameter`]'s variants.
const KNOWN: [&str; 13] = [
    "SIZE",
    "BODY",
    "SMTPUTF8",
    "RET",
    "ENVID",
    "NOTIFY",
    "ORCPT",
    "AUTH",
    "MT-PRIORITY",
    "REQUIRETLS",
    "HOLDFOR",
    "HOLDUNTIL",
    "BY",
];

/// The canonical name if `k` is a typed keyword.
pub(crate) fn known_keyword(k: &[u8]) -> Option<&'static str> {
    KNOWN.iter().copied().find(|kw| eq_kw(k, kw.as_bytes()))
}

pub(crate) fn skip_spaces(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|b| **b == b' ').count();
    i.get(n..).unwrap_or_default()
}

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`.
pub(crate) fn esmtp_keyword(i: In<'_>) -> PResult<'_, In<'_>> {
    let (_, _) = take_while_m_n(1, 1, |b: u8| b.is_ascii_alphanumeric())(i)?;
    take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'-')(i)
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)`, `=/ UTF8-non-ascii` (RFC 6531 §3.3).
pub(crate) fn esmtp_value(i: In<'_>) -> PResult<'_, In<'_>> {
    take_while1(|b: u8| matches!(b, 33..=60 | 62..=126 | 0x80..))(i)
}

/// `xtext = *( xchar / hexchar )`, `xchar` = %d33-42 / %d44-60 / %d62-126,
/// `hexchar = "+" HEXDIG HEXDIG` with upper-case hex (RFC 3461 §4). At least one
/// character: every use is an `esmtp-value` (`1*...`).
pub(crate) fn xtext(i: In<'_>) -> PResult<'_, &str> {
    let mut n = 0;
    loop {
        match i.get(n) {
            Some(b'+') => {
                let ok = |b: Option<&u8>| matches!(b, Some(b'0'..=b'9' | b'A'..=b'F'));
                if !(ok(i.get(n + 1)) && ok(i.get(n + 2))) {
                    return fail(i.get(n..).unwrap_or_default(), "hexchar");
                }
                n += 3;
            }
            Some(33..=42 | 44..=60 | 62..=126) => n += 1,
            _ => break,
        }
    }
    if n == 0 {
        return fail(i, "xtext");
    }
    let (span, rest) = i.split_at(n.min(i.len()));
    Ok((rest, utf8(span, i)?))
}

fn digits(i: In<'_>, n: usize) -> PResult<'_, ()> {
    let (r, _) = take_while_m_n(n, n, |b: u8| b.is_ascii_digit())(i)?;
    Ok((r, ()))
}

fn lit(i: In<'_>, c: u8) -> PResult<'_, ()> {
    match i.first() {
        Some(b) if b.eq_ignore_ascii_case(&c) => Ok((i.get(1..).unwrap_or_default(), ())),
        _ => fail(i, "date-time"),
    }
}

/// What one word of a `date-time`'s fixed part must hold: `(digits, literal mask,
/// literals)`: 0xFF at each digit's octet; the literal's octets (`-`, `:`, and `T` with
/// its case bit masked off) and the mask that selects them.
type FixedWord = (u64, u64, u64);

/// The masks of a pattern of eight octets (`D` a digit, `T` either case of T, any other
/// octet itself).
// Const evaluation: `k` stays below 8.
#[allow(clippy::indexing_slicing)]
const fn fixed_masks(p: &[u8; 8]) -> FixedWord {
    let (mut digits, mut mask, mut lits) = (0u64, 0u64, 0u64);
    let mut k = 0;
    while k < 8 {
        let at = 8 * k;
        match p[k] {
            b'D' => digits |= 0xFF << at,
            b'T' => {
                mask |= 0xDF << at;
                lits |= (b'T' as u64) << at;
            }
            c => {
                mask |= 0xFF << at;
                lits |= (c as u64) << at;
            }
        }
        k += 1;
    }
    (digits, mask, lits)
}

/// The fixed part `YYYY-MM-DDTHH:MM:SS` as three overlapping words (octets 0-7, 8-15,
/// 11-18).
const DT_WORDS: [FixedWord; 3] = [
    fixed_masks(b"DDDD-DD-"),
    fixed_masks(b"DDTDD:DD"),
    fixed_masks(b"DD:DD:DD"),
];

/// Whether the word `x` matches its pattern: the literals equal, and each digit octet
/// has the high nibble 3 both as it is and plus 6 (so its low nibble is 0-9).
///
/// Why: the fixed part was 14 digit tests and 5 literal tests, one octet each with a
/// bounds check (~160 instructions of the ~318 of the EHLO bench's FUTURERELEASE date in
/// callgrind). Adding 6 to every octet carries into the next one only from an octet of
/// 0xFA or more, which already fails its own test (its high nibble is F; no literal is
/// that large), so a carry never changes the answer.
#[inline]
fn fixed_word(x: u64, (digits, mask, lits): FixedWord) -> bool {
    const NIBBLE: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    const SIX: u64 = 0x0606_0606_0606_0606;
    let d = digits & NIBBLE;
    x & mask == lits && x & d == THREES & d && x.wrapping_add(SIX) & d == THREES & d
}

/// The length of the RFC 3339 `date-time` at the start of `i` (`None` if there is none),
/// checked in place, the fixed part by [`fixed_word`] and the rest octet by octet: the
/// same acceptance as the combinator form below.
fn date_time_len(i: &[u8]) -> Option<usize> {
    let digit = |at: usize| i.get(at).is_some_and(u8::is_ascii_digit);
    let is = |at: usize, c: u8| i.get(at).is_some_and(|b| b.eq_ignore_ascii_case(&c));
    // "YYYY-MM-DDTHH:MM:SS": digits at 0-3, 5-6, 8-9, 11-12, 14-15, 17-18; checked as
    // three words (octets 0-7, 8-15 and 11-18).
    let word = |at: usize| {
        i.get(at..at + 8)
            .and_then(|c| c.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let fixed = match (word(0), word(8), word(11)) {
        (Some(a), Some(b), Some(c)) => {
            fixed_word(a, DT_WORDS[0]) && fixed_word(b, DT_WORDS[1]) && fixed_word(c, DT_WORDS[2])
        }
        _ => false,
    };
    if !fixed {
        return None;
    }
    let mut n = 19;
    if is(n, b'.') {
        let frac = i
            .get(n + 1..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if frac == 0 {
            return None;
        }
        n += 1 + frac;
    }
    match i.get(n) {
        Some(b'Z' | b'z') => Some(n + 1),
        Some(b'+' | b'-') => {
            (digit(n + 1) && digit(n + 2) && is(n + 3, b':') && digit(n + 4) && digit(n + 5))
                .then_some(n + 6)
        }
        _ => None,
    }
}

/// The two-digit number at `at` of a `date-time` whose syntax was checked.
fn two_digits(dt: &[u8], at: usize) -> u8 {
    let d = |k: usize| dt.get(k).map_or(0, |b| b.wrapping_sub(b'0'));
    d(at) * 10 + d(at + 1)
}

/// Whether `year` is a leap year of the Gregorian calendar (RFC 3339 Appendix C).
pub(crate) fn is_leap_year(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The days of `month` (1-12) in `year` (RFC 3339 §5.7: 28, 29, 30 or 31).
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The first field of a syntactically valid `date-time` (as [`date_time_len`] found it)
/// outside its range, with where it is and the rule it breaks; `None` if all are in range.
///
/// RFC 3339 §5.6 gives the fields two digits each; §5.7 restricts them: `date-month`
/// 01-12, `date-mday` 01-28/29/30/31 by month and leap year, `time-hour` 00-23,
/// `time-minute` 00-59, `time-second` 00-60 (60 only for a leap second; which minutes have
/// one is not known in advance, so 60 is accepted in any), and the `time-numoffset` hours
/// 00-23 and minutes 00-59.
fn date_time_out_of_range(dt: &[u8]) -> Option<(usize, &'static str)> {
    let year = dt
        .iter()
        .take(4)
        .fold(0u16, |y, b| y * 10 + u16::from(b.wrapping_sub(b'0')));
    let month = two_digits(dt, 5);
    if !(1..=12).contains(&month) {
        return Some((5, "date-month (01-12)"));
    }
    if !(1..=days_in_month(year, month)).contains(&two_digits(dt, 8)) {
        return Some((8, "date-mday (01-28, 29, 30, 31 by month and year)"));
    }
    if two_digits(dt, 11) > 23 {
        return Some((11, "time-hour (00-23)"));
    }
    if two_digits(dt, 14) > 59 {
        return Some((14, "time-minute (00-59)"));
    }
    if two_digits(dt, 17) > 60 {
        return Some((17, "time-second (00-60)"));
    }
    // `time-numoffset = ("+" / "-") time-hour ":" time-minute`: the last six octets.
    let n = dt.len();
    if matches!(dt.get(n.wrapping_sub(6)), Some(b'+' | b'-')) {
        if two_digits(dt, n - 5) > 23 {
            return Some((n - 5, "time-hour (00-23)"));
        }
        if two_digits(dt, n - 2) > 59 {
            return Some((n - 2, "time-minute (00-59)"));
        }
    }
    None
}

/// Whether all of `dt` is one valid `date-time` ([`date_time`] with nothing left).
///
/// Why apart from `validate(.., date_time)`: the FUTURERELEASE line of an EHLO response is
/// read with every response, and the nom wrapper around the one-pass check cost about as
/// much as the check (~200 instructions in callgrind).
pub(crate) fn is_date_time(dt: &[u8]) -> bool {
    date_time_len(dt) == Some(dt.len()) && date_time_out_of_range(dt).is_none()
}

/// RFC 3339 §5.6 `date-time = full-date "T" full-time`, with the ranges of §5.7.
///
/// A valid one is recognised by [`date_time_len`] (one pass over fixed positions; the
/// chain of combinators below cost ~1 000 instructions per date in callgrind, for one
/// FUTURERELEASE line of an EHLO response); anything else goes through the combinators,
/// which say where it fails.
pub(crate) fn date_time(i: In<'_>) -> PResult<'_, &str> {
    if let Some(n) = date_time_len(i) {
        let (span, rest) = i.split_at(n.min(i.len()));
        if let Some((at, rule)) = date_time_out_of_range(span) {
            return fail(i.get(at..).unwrap_or_default(), rule);
        }
        return Ok((rest, utf8(span, i)?));
    }
    let r = digits(i, 4)?.0;
    let r = lit(r, b'-')?.0;
    let r = digits(r, 2)?.0;
    let r = lit(r, b'-')?.0;
    let r = digits(r, 2)?.0;
    let r = lit(r, b'T')?.0;
    let r = digits(r, 2)?.0;
    let r = lit(r, b':')?.0;
    let r = digits(r, 2)?.0;
    let r = lit(r, b':')?.0;
    let mut r = digits(r, 2)?.0;
    if let Some(f) = r.strip_prefix(b".") {
        r = take_while1(|b: u8| b.is_ascii_digit())(f)?.0;
    }
    let r = match r.first() {
        Some(b'Z' | b'z') => r.get(1..).unwrap_or_default(),
        Some(b'+' | b'-') => {
            let r = digits(r.get(1..).unwrap_or_default(), 2)?.0;
            let r = lit(r, b':')?.0;
            digits(r, 2)?.0
        }
        _ => return fail(r, "time-offset"),
    };
    let span = i.get(..i.len() - r.len()).unwrap_or_default();
    Ok((r, utf8(span, i)?))
}

fn value_of<'a>(
    whole: In<'a>,
    v: Option<In<'a>>,
    rule: &'static str,
) -> Result<In<'a>, nom::Err<super::PError<'a>>> {
    match v {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(nom::Err::Failure(super::PError {
            rest: whole,
            why: Why::Expected(rule),
        })),
    }
}

/// Runs a value parser over the whole value; anything left is a (fatal) error.
fn all<'a, O>(
    v: In<'a>,
    rule: &'static str,
    p: impl FnOnce(In<'a>) -> PResult<'a, O>,
) -> Result<O, nom::Err<super::PError<'a>>> {
    match p(v) {
        Ok(([], o)) => Ok(o),
        Ok((r, _)) => Err(nom::Err::Failure(super::PError {
            rest: r,
            why: Why::Expected(rule),
        })),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(nom::Err::Failure(super::PError {
            rest: e.rest,
            why: match e.why {
                Why::Expected(_) => Why::Expected(rule),
                w => w,
            },
        })),
        Err(e) => Err(e),
    }
}

fn no_value<'a>(v: Option<In<'a>>, rule: &'static str) -> Result<(), nom::Err<super::PError<'a>>> {
    match v {
        None => Ok(()),
        Some(v) => Err(nom::Err::Failure(super::PError {
            rest: v,
            why: Why::Expected(rule),
        })),
    }
}

/// `esmtp-param = esmtp-keyword ["=" esmtp-value]`, typed by keyword.
pub(crate) fn esmtp_param(i: In<'_>) -> PResult<'_, Parameter<'_>> {
    let (r, kw) = super::exp("esmtp-keyword", esmtp_keyword)(i)?;
    let (r, value) = match r.strip_prefix(b"=") {
        Some(v) => {
            let (r2, val) = super::exp("esmtp-value", esmtp_value)(v)?;
            (r2, Some(val))
        }
        None => (r, None),
    };
    let k = kw;
    let vstart = i.get(kw.len() + 1..).unwrap_or_default();
    let param = match known_keyword(k) {
        Some("SIZE") => {
            // RFC 1870 §3: size-value = 1*20DIGIT
            let v = value_of(vstart, value, "SIZE=1*20DIGIT")?;
            Parameter::Size(all(v, "SIZE=1*20DIGIT", |v| super::number(v, 20, "SIZE"))?)
        }
        Some("BODY") => {
            let v = value_of(vstart, value, "BODY=7BIT/8BITMIME/BINARYMIME")?;
            Parameter::Body(if eq_kw(v, b"7BIT") {
                Body::SevenBit
            } else if eq_kw(v, b"8BITMIME") {
                Body::EightBitMime
            } else if eq_kw(v, b"BINARYMIME") {
                Body::BinaryMime
            } else {
                return fatal(v, Why::Expected("BODY=7BIT/8BITMIME/BINARYMIME"));
            })
        }
        Some("SMTPUTF8") => {
            no_value(value, "SMTPUTF8 without value")?;
            Parameter::SmtpUtf8
        }
        Some("RET") => {
            let v = value_of(vstart, value, "RET=FULL/HDRS")?;
            Parameter::Ret(if eq_kw(v, b"FULL") {
                Ret::Full
            } else if eq_kw(v, b"HDRS") {
                Ret::Hdrs
            } else {
                return fatal(v, Why::Expected("RET=FULL/HDRS"));
            })
        }
        Some("ENVID") => {
            let v = value_of(vstart, value, "ENVID=xtext")?;
            Parameter::EnvId(XText(Cow::Borrowed(all(v, "ENVID=xtext", xtext)?)))
        }
        Some("NOTIFY") => {
            let v = value_of(vstart, value, "NOTIFY=NEVER/SUCCESS,FAILURE,DELAY")?;
            Parameter::Notify(notify(v)?)
        }
        Some("ORCPT") => {
            let v = value_of(vstart, value, "ORCPT=addr-type;xtext")?;
            Parameter::Orcpt(all(v, "ORCPT=addr-type;xtext", orcpt)?)
        }
        Some("AUTH") => {
            let v = value_of(vstart, value, "AUTH=<>/xtext")?;
            Parameter::Auth(if v == b"<>" {
                AuthParam::Unknown
            } else {
                AuthParam::Mailbox(XText(Cow::Borrowed(all(v, "AUTH=xtext", xtext)?)))
            })
        }
        Some("MT-PRIORITY") => {
            let v = value_of(vstart, value, "MT-PRIORITY=[+/-]DIGIT")?;
            Parameter::MtPriority(all(v, "MT-PRIORITY=[+/-]DIGIT", priority)?)
        }
        Some("REQUIRETLS") => {
            no_value(value, "REQUIRETLS without value")?;
            Parameter::RequireTls
        }
        Some("HOLDFOR") => {
            let v = value_of(vstart, value, "HOLDFOR=1*9DIGIT")?;
            let n = all(v, "HOLDFOR=1*9DIGIT", |v| super::number(v, 9, "HOLDFOR"))?;
            Parameter::HoldFor(u32::try_from(n).unwrap_or(u32::MAX))
        }
        Some("HOLDUNTIL") => {
            let v = value_of(vstart, value, "HOLDUNTIL=date-time")?;
            Parameter::HoldUntil(DateTime(Cow::Borrowed(all(
                v,
                "HOLDUNTIL=date-time",
                date_time,
            )?)))
        }
        Some("BY") => {
            let v = value_of(vstart, value, "BY=by-time;by-mode[T]")?;
            Parameter::By(all(v, "BY=by-time;by-mode[T]", by)?)
        }
        _ => Parameter::Other {
            keyword: EsmtpKeyword(Cow::Borrowed(utf8(kw, i)?)),
            value: match value {
                Some(v) => Some(EsmtpValue(Cow::Borrowed(utf8(v, i)?))),
                None => None,
            },
        },
    };
    Ok((r, param))
}

pub(crate) fn notify(v: In<'_>) -> Result<Notify, nom::Err<super::PError<'_>>> {
    const RULE: &str = "NOTIFY=NEVER/SUCCESS,FAILURE,DELAY";
    if eq_kw(v, b"NEVER") {
        return Ok(Notify::Never);
    }
    let (mut success, mut failure, mut delay) = (false, false, false);
    let mut at = v;
    for item in v.split(|b| *b == b',') {
        // The length and first octet pick the one candidate (instead of up to three
        // comparisons in turn): this runs for most RCPT lines of a DSN-aware client.
        let first = item.first().map_or(0, |b| b & 0xDF);
        let (name, flag): (&[u8], &mut bool) = match (item.len(), first) {
            (7, b'S') => (b"SUCCESS", &mut success),
            (7, b'F') => (b"FAILURE", &mut failure),
            (5, b'D') => (b"DELAY", &mut delay),
            _ => (b"", &mut success),
        };
        if name.is_empty() || !eq_kw(item, name) {
            return Err(nom::Err::Failure(super::PError {
                rest: at,
                why: Why::Expected(RULE),
            }));
        }
        if *flag {
            return Err(nom::Err::Failure(super::PError {
                rest: at,
                why: Why::Expected(RULE),
            }));
        }
        *flag = true;
        at = at.get(item.len() + 1..).unwrap_or_default();
    }
    Ok(Notify::On {
        success,
        failure,
        delay,
    })
}

/// `orcpt-parameter = "ORCPT=" original-recipient-address`,
/// `original-recipient-address = addr-type ";" xtext`, `addr-type = atom`.
fn orcpt(v: In<'_>) -> PResult<'_, Orcpt<'_>> {
    let (r, t) = take_while1(|b: u8| super::path::is_atext(b) && b < 0x80)(v)?;
    let Some(r) = r.strip_prefix(b";") else {
        return fail(r, "\";\"");
    };
    let (r, x) = xtext(r)?;
    Ok((
        r,
        Orcpt {
            addr_type: Cow::Borrowed(utf8(t, v)?),
            addr: XText(Cow::Borrowed(x)),
        },
    ))
}

/// RFC 6710 §3: `priority-value = ["+" / "-"] DIGIT`, in -9..=9.
fn priority(v: In<'_>) -> PResult<'_, i8> {
    let (r, neg) = match v.first() {
        Some(b'-') => (v.get(1..).unwrap_or_default(), true),
        Some(b'+') => (v.get(1..).unwrap_or_default(), false),
        _ => (v, false),
    };
    let (r2, d) = take_while_m_n(1, 1, |b: u8| b.is_ascii_digit())(r)?;
    let n = d.first().map_or(0, |d| i8::try_from(d - b'0').unwrap_or(0));
    Ok((r2, if neg { -n } else { n }))
}

/// RFC 2852 §4: `by-value = by-time";"by-mode[by-trace]`, `by-time = ["-" / "+"]1*9digit`.
fn by(v: In<'_>) -> PResult<'_, By> {
    let (r, neg) = match v.first() {
        Some(b'-') => (v.get(1..).unwrap_or_default(), true),
        Some(b'+') => (v.get(1..).unwrap_or_default(), false),
        _ => (v, false),
    };
    let (r, n) = super::number(r, 9, "by-time")?;
    let n = i32::try_from(n).unwrap_or(i32::MAX);
    let Some(r) = r.strip_prefix(b";") else {
        return fail(r, "\";\"");
    };
    let (r, mode) = match r.first() {
        Some(b'N' | b'n') => (r.get(1..).unwrap_or_default(), ByMode::Notify),
        Some(b'R' | b'r') => (r.get(1..).unwrap_or_default(), ByMode::Return),
        _ => return fail(r, "by-mode"),
    };
    let (r, trace) = match r.first() {
        Some(b'T' | b't') => (r.get(1..).unwrap_or_default(), true),
        _ => (r, false),
    };
    Ok((
        r,
        By {
            time: if neg { -n } else { n },
            mode,
            trace,
        },
    ))
}

/// The position of a typed parameter's keyword in [`KNOWN`] (its bit in the duplicate
/// mask); `None` for [`Parameter::Other`].
fn known_index(p: &Parameter<'_>) -> Option<usize> {
    Some(match p {
        Parameter::Size(_) => 0,
        Parameter::Body(_) => 1,
        Parameter::SmtpUtf8 => 2,
        Parameter::Ret(_) => 3,
        Parameter::EnvId(_) => 4,
        Parameter::Notify(_) => 5,
        Parameter::Orcpt(_) => 6,
        Parameter::Auth(_) => 7,
        Parameter::MtPriority(_) => 8,
        Parameter::RequireTls => 9,
        Parameter::HoldFor(_) => 10,
        Parameter::HoldUntil(_) => 11,
        Parameter::By(_) => 12,
        Parameter::Other { .. } => return None,
    })
}

/// The keyword of a validated parameter (everything up to `=`).
fn keyword_of(p: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'=', p).unwrap_or(p.len());
    p.get(..end).unwrap_or_default()
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)` (and `Rcpt-parameters`): validates
/// each parameter, refuses duplicates, and keeps the borrowed text.
pub(crate) fn parameters(i: In<'_>) -> PResult<'_, Parameters<'_>> {
    let mut rest = i;
    let mut seen: u16 = 0;
    loop {
        let (r, _) = take_while::<_, _, super::PError<'_>>(|b| b == b' ')(rest)?;
        if r.is_empty() {
            rest = r;
            break;
        }
        let (after, param) = esmtp_param(r)?;
        if !(after.is_empty() || after.first() == Some(&b' ')) {
            return fatal(after, Why::Expected("SP between esmtp-params"));
        }
        match known_index(&param) {
            Some(bit) => {
                if seen & (1 << bit) != 0 {
                    return fatal(r, Why::Duplicate(KNOWN.get(bit).copied().unwrap_or("")));
                }
                seen |= 1 << bit;
            }
            None => {
                let kw = keyword_of(r.get(..r.len() - after.len()).unwrap_or_default());
                // Compare with every earlier unknown keyword (lines are short: at most 512
                // octets, so this stays cheap and needs no allocation).
                let earlier = i.get(..i.len() - r.len()).unwrap_or_default();
                if earlier
                    .split(|b| *b == b' ')
                    .filter(|p| !p.is_empty())
                    .any(|p| keyword_of(p).eq_ignore_ascii_case(kw))
                {
                    return fatal(r, Why::Duplicate("extension"));
                }
            }
        }
        rest = after;
    }
    let span = i.get(..i.len() - rest.len()).unwrap_or_default();
    let span = trim_end_spaces(skip_spaces(span));
    // Every parameter was checked above (values as UTF-8 where they are text).
    Ok((rest, Parameters(Repr::Raw(span))))
}

fn trim_end_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().rev().take_while(|b| **b == b' ').count();
    s.get(..s.len() - n).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The combinator form of `date_time`, without the fast recognition.
    fn date_time_combinators(i: In<'_>) -> Option<usize> {
        let r = digits(i, 4).ok()?.0;
        let r = lit(r, b'-').ok()?.0;
        let r = digits(r, 2).ok()?.0;
        let r = lit(r, b'-').ok()?.0;
        let r = digits(r, 2).ok()?.0;
        let r = lit(r, b'T').ok()?.0;
        let r = digits(r, 2).ok()?.0;
        let r = lit(r, b':').ok()?.0;
        let r = digits(r, 2).ok()?.0;
        let r = lit(r, b':').ok()?.0;
        let mut r = digits(r, 2).ok()?.0;
        if let Some(f) = r.strip_prefix(b".") {
            r = take_while1::<_, _, super::super::PError<'_>>(|b: u8| b.is_ascii_digit())(f)
                .ok()?
                .0;
        }
        let r = match r.first() {
            Some(b'Z' | b'z') => &r[1..],
            Some(b'+' | b'-') => {
                let r = digits(&r[1..], 2).ok()?.0;
                let r = lit(r, b':').ok()?.0;
                digits(r, 2).ok()?.0
            }
            _ => return None,
        };
        Some(i.len() - r.len())
    }

    #[test]
    fn date_time_fast_recognition_equals_the_combinators() {
        let base = b"2026-12-31T23:59:59.125+01:00 x";
        let mut cases: alloc::vec::Vec<alloc::vec::Vec<u8>> = alloc::vec::Vec::new();
        for len in 0..=base.len() {
            cases.push(base[..len].to_vec());
        }
        for at in 0..base.len() {
            for b in 0..=255u8 {
                let mut c = base.to_vec();
                c[at] = b;
                cases.push(c);
            }
        }
        cases.push(b"2026-12-31t23:59:59z".to_vec());
        // The fast form answers on the usual forms.
        for ok in [&b"2026-12-31T23:59:59Z"[..], b"1999-01-01t00:00:00+01:00"] {
            assert_eq!(date_time_len(ok), Some(ok.len()));
        }
        cases.push(b"2026-12-31T23:59:59.Z".to_vec());
        for c in cases {
            assert_eq!(
                date_time_len(&c),
                date_time_combinators(&c),
                "{:?}",
                alloc::string::String::from_utf8_lossy(&c)
            );
        }
    }

    #[test]
    fn date_time_fields_are_range_checked() {
        let ok = |s: &str| date_time(s.as_bytes()).is_ok();
        for good in [
            "2026-12-31T23:59:60.5+23:59",
            "2024-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2026-04-30T00:00:00-00:00",
            "2026-01-31T00:00:00z",
            "2026-11-30T12:30:45.999999999-12:00",
        ] {
            assert!(ok(good), "{good}");
        }
        for (bad, at) in [
            ("2026-13-01T00:00:00Z", 5),
            ("2026-00-01T00:00:00Z", 5),
            ("2026-01-32T00:00:00Z", 8),
            ("2026-01-00T00:00:00Z", 8),
            ("2026-02-29T00:00:00Z", 8),
            ("1900-02-29T00:00:00Z", 8),
            ("2026-04-31T00:00:00Z", 8),
            ("2026-01-01T24:00:00Z", 11),
            ("2026-01-01T00:60:00Z", 14),
            ("2026-01-01T00:00:61Z", 17),
            ("2026-01-01T00:00:00+24:00", 20),
            ("2026-01-01T00:00:00.25-00:60", 26),
        ] {
            let Err(nom::Err::Error(e)) = date_time(bad.as_bytes()) else {
                panic!("{bad} accepted");
            };
            assert_eq!(bad.len() - e.rest.len(), at, "{bad}");
        }
    }

    #[test]
    fn known_index_matches_the_keyword_table() {
        for input in [
            &b"SIZE=1"[..],
            b"BODY=7BIT",
            b"SMTPUTF8",
            b"RET=FULL",
            b"ENVID=x",
            b"NOTIFY=NEVER",
            b"ORCPT=rfc822;a",
            b"AUTH=<>",
            b"MT-PRIORITY=1",
            b"REQUIRETLS",
            b"HOLDFOR=1",
            b"HOLDUNTIL=2026-01-01T00:00:00Z",
            b"BY=1;R",
        ] {
            let (_, p) = esmtp_param(input).unwrap();
            let idx = known_index(&p).unwrap();
            assert_eq!(KNOWN[idx], p.keyword());
        }
        let (_, other) = esmtp_param(b"X-Y=1").unwrap();
        assert_eq!(known_index(&other), None);
    }
}
