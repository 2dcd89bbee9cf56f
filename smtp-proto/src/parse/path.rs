//! RFC 5321 §4.1.2 and §4.1.3 paths, with RFC 6531 §3.3 UTF-8.

use alloc::borrow::Cow;
use core::net::{Ipv4Addr, Ipv6Addr};

use nom::bytes::complete::{tag, tag_no_case, take_while, take_while1};

use super::{In, PResult, Why, fail, fatal, utf8};
use crate::types::path::{
    AddressLiteral, Domain, ForwardPath, Host, LocalPart, MAX_DOMAIN, MAX_LOCAL_PART, MAX_PATH,
    Mailbox, ReversePath,
};

fn rest_from(i: In<'_>, n: usize) -> In<'_> {
    i.get(n..).unwrap_or_default()
}

/// `Let-dig = ALPHA / DIGIT`; U-label octets (RFC 6531) count as letters.
fn is_let_dig(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// `sub-domain = Let-dig [Ldh-str]` (or a U-label): a label not starting or ending with `-`.
fn sub_domain(i: In<'_>) -> PResult<'_, ()> {
    let (rest, label) = take_while1(|b: u8| is_let_dig(b) || b == b'-')(i)?;
    if label.first() == Some(&b'-') {
        return fail(i, "Let-dig");
    }
    if label.last() == Some(&b'-') {
        return fail(rest_from(i, label.len() - 1), "Let-dig");
    }
    // RFC 1035 §2.3.4: labels are 63 octets or less.
    if label.len() > 63 {
        return fatal(
            i,
            Why::Limit {
                what: "domain label",
                limit: 63,
            },
        );
    }
    Ok((rest, ()))
}

/// `Domain = sub-domain *("." sub-domain)`.
pub(crate) fn domain(i: In<'_>) -> PResult<'_, Domain<'_>> {
    let (mut rest, ()) = super::exp("Domain", sub_domain)(i)?;
    while let Some(after_dot) = rest.strip_prefix(b".") {
        match sub_domain(after_dot) {
            Ok((r, ())) => rest = r,
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    let span = i.get(..i.len() - rest.len()).unwrap_or_default();
    if span.len() > MAX_DOMAIN {
        return fatal(
            i,
            Why::Limit {
                what: "domain",
                limit: MAX_DOMAIN,
            },
        );
    }
    let s = utf8(span, i)?;
    Ok((rest, Domain(Cow::Borrowed(s))))
}

/// `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`, here as the standardized tag (which must
/// start with a Let-dig as well, being `Let-dig [Ldh-str]` in practice).
pub(crate) fn ldh_str(i: In<'_>) -> PResult<'_, &str> {
    let (rest, s) = take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'-')(i)?;
    if s.last() == Some(&b'-') {
        return fail(i, "Ldh-str");
    }
    Ok((rest, utf8(s, i)?))
}

/// `dcontent = %d33-90 / %d94-126`.
pub(crate) fn is_dcontent(b: u8) -> bool {
    matches!(b, 33..=90 | 94..=126)
}

/// `Snum = 1*3DIGIT` with a value of 0 to 255.
fn snum(i: In<'_>) -> PResult<'_, u8> {
    let (rest, n) = super::number(i, 3, "Snum")?;
    match u8::try_from(n) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, "Snum"),
    }
}

/// `IPv4-address-literal = Snum 3("." Snum)`.
fn ipv4(i: In<'_>) -> PResult<'_, Ipv4Addr> {
    let (i1, a) = snum(i)?;
    let (i2, _) = tag(&b"."[..])(i1)?;
    let (i3, b) = snum(i2)?;
    let (i4, _) = tag(&b"."[..])(i3)?;
    let (i5, c) = snum(i4)?;
    let (i6, _) = tag(&b"."[..])(i5)?;
    let (i7, d) = snum(i6)?;
    Ok((i7, Ipv4Addr::new(a, b, c, d)))
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`.
pub(crate) fn address_literal(i: In<'_>) -> PResult<'_, AddressLiteral<'_>> {
    let (body_start, _) = tag(&b"["[..])(i)?;
    let end = match memchr::memchr(b']', body_start) {
        Some(e) => e,
        None => return fail(body_start, "address-literal"),
    };
    let body = body_start.get(..end).unwrap_or_default();
    let rest = rest_from(body_start, end + 1);
    // Errors inside the brackets are placed relative to the whole input.
    let at = |r: In<'_>| rest_from(body_start, body.len().saturating_sub(r.len()));
    let remap = |e: nom::Err<super::PError<'_>>| {
        e.map(|pe| super::PError {
            rest: rest_from(body_start, body.len().saturating_sub(pe.rest.len())),
            why: pe.why,
        })
    };
    if let Ok((r, a)) = ipv4(body) {
        if r.is_empty() {
            return Ok((rest, AddressLiteral::Ipv4(a)));
        }
    }
    let (content, tag_s) = super::exp("Standardized-tag", ldh_str)(body).map_err(remap)?;
    let Some(content) = content.strip_prefix(b":") else {
        return fail(at(content), "\":\" after Standardized-tag");
    };
    if tag_s.eq_ignore_ascii_case("IPv6") {
        // IPv6-addr (RFC 5321 §4.1.3): all four forms are what `Ipv6Addr` parses.
        let addr = core::str::from_utf8(content)
            .ok()
            .and_then(|s| s.parse::<Ipv6Addr>().ok());
        return match addr {
            Some(a)
                if content
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() || b":.".contains(b)) =>
            {
                Ok((rest, AddressLiteral::Ipv6(a)))
            }
            _ => fail(at(content), "IPv6-addr"),
        };
    }
    if content.is_empty() {
        return fail(at(content), "dcontent");
    }
    if let Some(bad) = content.iter().position(|b| !is_dcontent(*b)) {
        return fail(at(rest_from(content, bad)), "dcontent");
    }
    Ok((
        rest,
        AddressLiteral::General {
            tag: Cow::Borrowed(tag_s),
            content: Cow::Borrowed(utf8(content, i)?),
        },
    ))
}

/// `Domain / address-literal`.
pub(crate) fn host(i: In<'_>) -> PResult<'_, Host<'_>> {
    if i.first() == Some(&b'[') {
        let (r, l) = address_literal(i)?;
        Ok((r, Host::Literal(l)))
    } else {
        let (r, d) = domain(i)?;
        Ok((r, Host::Domain(d)))
    }
}

/// `atext` of RFC 5322 §3.2.3, with `UTF8-non-ascii` (RFC 6531 §3.3).
#[inline]
pub(crate) fn is_atext(b: u8) -> bool {
    // One `matches!` (compiled to a range test / bitmap), not a search in a list: this is
    // the hot path of every address.
    matches!(
        b,
        b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'!'
            | b'#'..=b'\''
            | b'*'
            | b'+'
            | b'-'
            | b'/'
            | b'='
            | b'?'
            | b'^'..=b'`'
            | b'{'..=b'~'
            | 0x80..
    )
}

/// `Dot-string = Atom *("." Atom)`.
pub(crate) fn dot_string(i: In<'_>) -> PResult<'_, &str> {
    let (mut rest, _) = take_while1(is_atext)(i)?;
    while let Some(after) = rest.strip_prefix(b".") {
        match take_while1::<_, _, super::PError<'_>>(is_atext)(after) {
            Ok((r, _)) => rest = r,
            Err(_) => return fail(after, "Atom"),
        }
    }
    let span = i.get(..i.len() - rest.len()).unwrap_or_default();
    Ok((rest, utf8(span, i)?))
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`.
fn quoted_string(i: In<'_>) -> PResult<'_, &str> {
    let (mut rest, _) = tag(&b"\""[..])(i)?;
    loop {
        match rest.first() {
            Some(b'"') => {
                rest = rest_from(rest, 1);
                break;
            }
            // quoted-pairSMTP = %d92 %d32-126
            Some(b'\\') => match rest.get(1) {
                Some(32..=126) => rest = rest_from(rest, 2),
                _ => return fail(rest_from(rest, 1), "quoted-pairSMTP"),
            },
            // qtextSMTP = %d32-33 / %d35-91 / %d93-126 / UTF8-non-ascii
            Some(32..=126 | 0x80..) => rest = rest_from(rest, 1),
            _ => return fail(rest, "qtextSMTP"),
        }
    }
    let span = i.get(..i.len() - rest.len()).unwrap_or_default();
    Ok((rest, utf8(span, i)?))
}

/// `Local-part = Dot-string / Quoted-string`, at most 64 octets.
pub(crate) fn local_part(i: In<'_>) -> PResult<'_, LocalPart<'_>> {
    let (rest, s) = if i.first() == Some(&b'"') {
        quoted_string(i)?
    } else {
        super::exp("Local-part", dot_string)(i)?
    };
    if s.len() > MAX_LOCAL_PART {
        return fatal(
            i,
            Why::Limit {
                what: "local-part",
                limit: MAX_LOCAL_PART,
            },
        );
    }
    Ok((rest, LocalPart(Cow::Borrowed(s))))
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )`.
pub(crate) fn mailbox(i: In<'_>) -> PResult<'_, Mailbox<'_>> {
    let (r, local_part) = local_part(i)?;
    let Some(r) = r.strip_prefix(b"@") else {
        return fail(r, "\"@\"");
    };
    let (r, host) = host(r)?;
    Ok((r, Mailbox { local_part, host }))
}

/// `A-d-l = At-domain *( "," At-domain )`, `At-domain = "@" Domain`: parsed, then
/// ignored (RFC 5321 §4.1.1.2: "SHOULD ignore the route").
fn source_route(i: In<'_>) -> PResult<'_, ()> {
    let (mut r, _) = tag(&b"@"[..])(i)?;
    r = domain(r)?.0;
    while let Some(next) = r.strip_prefix(b",") {
        let Some(next) = next.strip_prefix(b"@") else {
            return fail(next, "At-domain");
        };
        r = domain(next)?.0;
    }
    let Some(r) = r.strip_prefix(b":") else {
        return fail(r, "\":\" after A-d-l");
    };
    Ok((r, ()))
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"`, at most 256 octets.
fn path(i: In<'_>) -> PResult<'_, Mailbox<'_>> {
    let (r, _) = tag(&b"<"[..])(i)?;
    let r = if r.first() == Some(&b'@') {
        source_route(r)?.0
    } else {
        r
    };
    let (r, m) = mailbox(r)?;
    let Some(r) = r.strip_prefix(b">") else {
        return fail(r, "\">\"");
    };
    path_len(i, r)?;
    Ok((r, m))
}

fn path_len<'a>(start: In<'a>, rest: In<'a>) -> Result<(), nom::Err<super::PError<'a>>> {
    if start.len() - rest.len() > MAX_PATH {
        return Err(nom::Err::Failure(super::PError {
            rest: start,
            why: Why::Limit {
                what: "path",
                limit: MAX_PATH,
            },
        }));
    }
    Ok(())
}

/// `Reverse-path = Path / "<>"`.
pub(crate) fn reverse_path(i: In<'_>) -> PResult<'_, ReversePath<'_>> {
    if let Some(r) = i.strip_prefix(b"<>") {
        return Ok((r, ReversePath::Null));
    }
    let (r, m) = super::exp("Reverse-path", path)(i)?;
    Ok((r, ReversePath::Mailbox(m)))
}

/// `( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )`.
pub(crate) fn forward_path(i: In<'_>) -> PResult<'_, ForwardPath<'_>> {
    if let Ok((r, _)) = tag_no_case::<_, _, super::PError<'_>>(&b"<Postmaster>"[..])(i) {
        return Ok((r, ForwardPath::Postmaster));
    }
    let (r, m) = super::exp("Forward-path", path)(i)?;
    Ok((r, ForwardPath::Mailbox(m)))
}

/// Optional spaces (tolerated after `FROM:` / `TO:`; never written).
pub(crate) fn spaces(i: In<'_>) -> In<'_> {
    take_while::<_, _, super::PError<'_>>(|b| b == b' ')(i)
        .map(|(r, _)| r)
        .unwrap_or(i)
}
