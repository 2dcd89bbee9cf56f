//! Command lines: RFC 5321 §4.1.1 and the extensions' commands.

use alloc::borrow::Cow;

use nom::bytes::complete::{tag_no_case, take_while1};

use super::path::{forward_path, host, reverse_path, spaces};
use super::{In, PResult, Why, eq_kw, fail, fatal, utf8, whole};
use crate::error::Error;
use crate::types::command::{
    AuthMechanism, AuthResponse, Base64, Command, InitialResponse, MailFrom, RcptTo, Text, Verb,
};
use crate::types::param::Parameters;

const KNOWN_VERBS: [&[u8]; 16] = [
    b"EHLO",
    b"HELO",
    b"LHLO",
    b"MAIL",
    b"RCPT",
    b"DATA",
    b"BDAT",
    b"RSET",
    b"VRFY",
    b"EXPN",
    b"HELP",
    b"NOOP",
    b"QUIT",
    b"STARTTLS",
    b"AUTH",
    b"ETRN",
];

pub(crate) fn known_verb(v: &[u8]) -> bool {
    KNOWN_VERBS.iter().any(|k| eq_kw(v, k))
}

/// A verb: `1*32(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.1: verbs are alphabetic; extension
/// verbs may have digits and `-`, e.g. `X-FOO`).
pub(crate) fn verb(i: In<'_>) -> PResult<'_, In<'_>> {
    let (r, v) = take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'-')(i)?;
    if v.len() > 32 {
        return fail(i, "verb");
    }
    Ok((r, v))
}

/// Command argument text: `1*(%d9 / %d32-126 / UTF8-non-ascii)`, not starting with SP or
/// TAB (the separator is a single SP; RFC 5321 §4.1.1 `String` never starts with one).
pub(crate) fn text(i: In<'_>) -> PResult<'_, &str> {
    if matches!(i.first(), Some(b' ' | b'\t')) {
        return fail(i, "String");
    }
    let (r, t) = take_while1(|b: u8| b == 9 || (32..=126).contains(&b) || b >= 0x80)(i)?;
    Ok((r, utf8(t, i)?))
}

/// RFC 4422 §3.1: `sasl-mech = 1*20mech-char`, `mech-char = UPPER-ALPHA / DIGIT / HYPHEN /
/// UNDERSCORE` (lower case accepted on input).
pub(crate) fn sasl_mech(i: In<'_>) -> PResult<'_, &str> {
    let (r, m) = take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')(i)?;
    if m.len() > 20 {
        return fail(i, "sasl-mech");
    }
    Ok((r, utf8(m, i)?))
}

/// RFC 4648 §4 base64 with padding (possibly empty).
pub(crate) fn base64(i: In<'_>) -> PResult<'_, &str> {
    let n = i
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/')
        .count();
    let pad = i
        .get(n..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| **b == b'=')
        .count();
    if pad > 2 || (n + pad) % 4 != 0 || (pad > 0 && n % 4 == 0) {
        return fail(i.get(n..).unwrap_or_default(), "base64");
    }
    let (span, rest) = i.split_at(n + pad);
    Ok((rest, utf8(span, i)?))
}

fn trim_end(i: &[u8]) -> &[u8] {
    let n = i.iter().rev().take_while(|b| **b == b' ').count();
    i.get(..i.len() - n).unwrap_or_default()
}

/// Nothing (but spaces) may follow.
fn end(i: In<'_>) -> PResult<'_, ()> {
    if trim_end(i).is_empty() {
        Ok((&[], ()))
    } else {
        fatal(i, Why::Expected("end of line"))
    }
}

fn sp(i: In<'_>) -> PResult<'_, ()> {
    match i.strip_prefix(b" ") {
        Some(r) => Ok((r, ())),
        None => fatal(i, Why::Expected("SP")),
    }
}

fn req_text<'a>(i: In<'a>) -> PResult<'a, Text<'a>> {
    let (r, ()) = sp(i)?;
    let (r, t) = super::cut(super::exp("String", text))(r)?;
    Ok((r, Text(Cow::Borrowed(t))))
}

fn opt_text<'a>(i: In<'a>) -> PResult<'a, Option<Text<'a>>> {
    if trim_end(i).is_empty() {
        return Ok((&[], None));
    }
    let (r, t) = req_text(i)?;
    Ok((r, Some(t)))
}

/// A four-letter verb as one `u32`, upper-cased by clearing bit 5 (httparse/Stalwart
/// style); `0` for anything else. Only letters are compared, so the fold is exact.
#[inline]
fn fold4(v: &[u8]) -> u32 {
    match v {
        [a, b, c, d] if v.iter().all(u8::is_ascii_alphabetic) => {
            u32::from_le_bytes([*a, *b, *c, *d]) & 0xDFDF_DFDF
        }
        _ => 0,
    }
}

const fn kw4(k: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*k)
}

const MAIL: u32 = kw4(b"MAIL");
const RCPT: u32 = kw4(b"RCPT");
const EHLO: u32 = kw4(b"EHLO");
const HELO: u32 = kw4(b"HELO");
const LHLO: u32 = kw4(b"LHLO");
const DATA: u32 = kw4(b"DATA");
const RSET: u32 = kw4(b"RSET");
const QUIT: u32 = kw4(b"QUIT");
const VRFY: u32 = kw4(b"VRFY");
const EXPN: u32 = kw4(b"EXPN");
const HELP: u32 = kw4(b"HELP");
const NOOP: u32 = kw4(b"NOOP");
const ETRN: u32 = kw4(b"ETRN");
const BDAT: u32 = kw4(b"BDAT");
const AUTH: u32 = kw4(b"AUTH");

/// One command line (without its CRLF).
fn command(line: In<'_>) -> PResult<'_, Command<'_>> {
    let (args, v) = super::exp("command verb", verb)(line)?;
    let vb = v;
    let k = fold4(vb);
    // Match the verb by its bytes, case-folded, on its length first (no allocation).
    let cmd = match k {
        MAIL => {
            let (r, ()) = sp(args)?;
            let (r, _) = super::cut(super::exp("\"FROM:\"", tag_no_case(&b"FROM:"[..])))(r)?;
            let (r, path) = super::cut(reverse_path)(spaces(r))?;
            let (r, params) = params(r)?;
            return Ok((r, Command::MailFrom(MailFrom { path, params })));
        }
        RCPT => {
            let (r, ()) = sp(args)?;
            let (r, _) = super::cut(super::exp("\"TO:\"", tag_no_case(&b"TO:"[..])))(r)?;
            let (r, path) = super::cut(forward_path)(spaces(r))?;
            let (r, params) = params(r)?;
            return Ok((r, Command::RcptTo(RcptTo { path, params })));
        }
        EHLO | HELO | LHLO => {
            let (r, ()) = sp(args)?;
            let (r, h) = super::cut(super::exp("Domain / address-literal", host))(r)?;
            let (r, ()) = end(r)?;
            let c = match k {
                EHLO => Command::Ehlo(h),
                HELO => Command::Helo(h),
                _ => Command::Lhlo(h),
            };
            return Ok((r, c));
        }
        DATA => (end(args)?.0, Command::Data),
        RSET => (end(args)?.0, Command::Rset),
        QUIT => (end(args)?.0, Command::Quit),
        VRFY => {
            let (r, t) = req_text(args)?;
            (r, Command::Vrfy(t))
        }
        EXPN => {
            let (r, t) = req_text(args)?;
            (r, Command::Expn(t))
        }
        HELP => {
            let (r, t) = opt_text(args)?;
            (r, Command::Help(t))
        }
        NOOP => {
            let (r, t) = opt_text(args)?;
            (r, Command::Noop(t))
        }
        ETRN => {
            let (r, t) = req_text(args)?;
            (r, Command::Etrn(t))
        }
        BDAT => {
            // RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF
            let (r, ()) = sp(args)?;
            let (r, size) = super::cut(|i| super::number(i, 20, "chunk-size"))(r)?;
            let (r, last) = match r.strip_prefix(b" ") {
                Some(m) if trim_end(m).len() == 4 && eq_kw(trim_end(m), b"LAST") => {
                    (m.get(4..).unwrap_or_default(), true)
                }
                _ => (r, false),
            };
            let (r, ()) = end(r)?;
            (r, Command::Bdat { size, last })
        }
        AUTH => {
            // RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response]
            let (r, ()) = sp(args)?;
            let (r, m) = super::cut(super::exp("sasl-mech", sasl_mech))(r)?;
            let mechanism = auth_mechanism(m);
            let r = trim_end(r);
            let (r, initial_response) = match r.strip_prefix(b" ") {
                None => (r, None),
                Some(b"=") => (&b""[..], Some(InitialResponse::Empty)),
                Some(b) => {
                    let (r2, b64) = super::cut(super::exp("initial-response", base64))(b)?;
                    if b64.is_empty() {
                        return fatal(b, Why::Expected("initial-response"));
                    }
                    (r2, Some(InitialResponse::Data(Base64(Cow::Borrowed(b64)))))
                }
            };
            let (r, ()) = end(r)?;
            (
                r,
                Command::Auth {
                    mechanism,
                    initial_response,
                },
            )
        }
        _ if vb.len() == 8 && eq_kw(vb, b"STARTTLS") => (end(args)?.0, Command::StartTls),
        _ => {
            let (r, a) = if args.is_empty() {
                (args, None)
            } else {
                let (r, t) = req_text(args)?;
                (r, Some(t))
            };
            (
                r,
                Command::Unknown {
                    verb: Verb(Cow::Borrowed(utf8(v, line)?)),
                    args: a,
                },
            )
        }
    };
    Ok(cmd)
}

/// The mechanism, upper-cased only when the client wrote it in lower case.
fn auth_mechanism(m: &str) -> AuthMechanism<'_> {
    if m.bytes().any(|b| b.is_ascii_lowercase()) {
        AuthMechanism(Cow::Owned(m.to_ascii_uppercase()))
    } else {
        AuthMechanism(Cow::Borrowed(m))
    }
}

pub(crate) fn params(i: In<'_>) -> PResult<'_, Parameters<'_>> {
    if trim_end(i).is_empty() {
        return Ok((&[], Parameters::new()));
    }
    let (r, ()) = sp(i)?;
    super::param::parameters(r)
}

/// Parses one command line, given without its CRLF.
///
/// # Errors
/// [`Error::Syntax`] with the offset in the line and the rule that failed,
/// [`Error::DuplicateParameter`], or [`Error::LimitExceeded`] (RFC 5321 §4.5.3.1 sizes).
pub fn command_line(line: &[u8]) -> Result<Command<'_>, Error> {
    // The common shapes are recognised byte by byte first (see `super::fast`): it returns
    // a value only when it is certain the grammar below would return the same one.
    if let Some(c) = super::fast::command(line) {
        return Ok(c);
    }
    command_line_full(line)
}

/// [`command_line`] through the full nom grammar only (no fast path): the reference the
/// fast path is tested against, and where every error comes from.
pub(crate) fn command_line_full(line: &[u8]) -> Result<Command<'_>, Error> {
    whole(line, "end of line", command)
}

/// Parses one client line of an AUTH exchange (RFC 4954 §4), without its CRLF.
///
/// # Errors
/// [`Error::Syntax`] if it is neither base64 nor `*`.
pub fn auth_response_line(line: &[u8]) -> Result<AuthResponse<'_>, Error> {
    if line == b"*" {
        return Ok(AuthResponse::Cancel);
    }
    let b = whole(line, "base64", base64)?;
    Ok(AuthResponse::Data(Base64(Cow::Borrowed(b))))
}
