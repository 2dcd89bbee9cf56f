//! `envelope` and `body` (RFC 3501 §9), nesting bounded by the depth limit.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use super::core::{
    byte, nil, nstring, number, number_q, number64_q, paren_list, sp, space_before_paren, string,
};
use super::{ErrKind, PResult, fatal, quirk, refail};
use crate::Quirk;
use crate::config::Config;
use crate::types::body::{
    Address, BodyExtension, BodyFields, BodyParams, BodyStructure, DispositionExt, Envelope,
    Language, LanguageExt, LocationExt, MultiPartExtension, SinglePart, SinglePartExtension,
    SpecificFields,
};
use crate::types::core::{IString, Quoted, Vec1, is_astring_char};

/// `string`, or (quirk) `NIL` read as an empty string.
fn string_q<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, IString<'a>> {
    // The usual case first (issue 9): a quoted string is not NIL.
    if i.first() == Some(&b'"') {
        return string(c, i);
    }
    if i.get(..3).is_some_and(|n| n.eq_ignore_ascii_case(b"NIL"))
        && !i.get(3).is_some_and(|&b| is_astring_char(b))
    {
        quirk(c, i, Quirk::NilString)?;
        let empty = IString::Quoted(Quoted(Cow::Borrowed(&[][..])));
        return Ok((i.get(3..).unwrap_or_default(), empty));
    }
    string(c, i)
}

/// `envelope`.
pub(crate) fn envelope<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Envelope<'a>> {
    let (r, _) = byte(i, b'(', "envelope")?;
    let (r, date) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, subject) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, from) = addresses(c, r)?;
    let (r, _) = sp(r)?;
    let (r, sender) = addresses(c, r)?;
    let (r, _) = sp(r)?;
    let (r, reply_to) = addresses(c, r)?;
    let (r, _) = sp(r)?;
    let (r, to) = addresses(c, r)?;
    let (r, _) = sp(r)?;
    let (r, cc) = addresses(c, r)?;
    let (r, _) = sp(r)?;
    let (r, bcc) = addresses(c, r)?;
    let (r, _) = sp(r)?;
    let (r, in_reply_to) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, message_id) = nstring(c, r)?;
    let (r, _) = space_before_paren(c, r)?;
    let (r, _) = byte(r, b')', ")")?;
    Ok((
        r,
        Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        },
    ))
}

/// `"(" 1*address ")" / nil`.
fn addresses<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<Address<'a>>> {
    if i.first() != Some(&b'(') {
        let (r, _) = nil(i).or_else(|e| refail(e, i, "address list"))?;
        return Ok((r, Vec::new()));
    }
    let mut r = i.get(1..).unwrap_or_default();
    let mut v = Vec::new();
    loop {
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("address", c.limits.max_items));
        }
        let (r2, a) = address(c, r)?;
        v.push(a);
        r = r2;
        if let Some((b')', rest)) = r.split_first() {
            return Ok((rest, v));
        }
    }
}

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
fn address<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Address<'a>> {
    let (r, _) = byte(i, b'(', "address")?;
    let (r, name) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, adl) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, mailbox) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, host) = nstring(c, r)?;
    let (r, _) = space_before_paren(c, r)?;
    let (r, _) = byte(r, b')', ")")?;
    Ok((
        r,
        Address {
            name,
            adl,
            mailbox,
            host,
        },
    ))
}

/// `body = "(" (body-type-1part / body-type-mpart) ")"`.
pub(crate) fn body<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, BodyStructure<'a>> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("body", c.limits.max_depth));
    }
    let (r, _) = byte(i, b'(', "body")?;
    let (r, b) = if r.first() == Some(&b'(') {
        body_type_mpart(c, r, depth)?
    } else {
        body_type_1part(c, r, depth)?
    };
    let (r, _) = space_before_paren(c, r)?;
    let (r, _) = byte(r, b')', ")")?;
    Ok((r, b))
}

/// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`.
fn body_type_mpart<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, BodyStructure<'a>> {
    let mut bodies = Vec::new();
    let mut r = i;
    while r.first() == Some(&b'(') {
        if bodies.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("body", c.limits.max_items));
        }
        let (r2, b) = body(c, r, depth + 1)?;
        bodies.push(b);
        r = r2;
    }
    let (r, _) = sp(r)?;
    let (r, subtype) = string_q(c, r)?;
    let (r, extension) = match r.split_first() {
        Some((b' ', rest)) if rest.first() != Some(&b')') => {
            let (r, params) = body_fld_param(c, rest)?;
            let (r, tail) = dsp_ext(c, r, depth)?;
            (r, Some(MultiPartExtension { params, tail }))
        }
        _ => (r, None),
    };
    Ok((
        r,
        BodyStructure::Multi {
            bodies: Vec1(bodies),
            subtype,
            extension,
        },
    ))
}

/// `body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]`.
fn body_type_1part<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, BodyStructure<'a>> {
    let (r, media_type) = string_q(c, i)?;
    let (r, _) = sp(r)?;
    let (r, subtype) = string_q(c, r)?;
    let (r, _) = sp(r)?;
    let (r, fields) = body_fields(c, r)?;
    let t = media_type.as_bytes();
    let (r, specific) = if t.eq_ignore_ascii_case(b"MESSAGE")
        && subtype.as_bytes().eq_ignore_ascii_case(b"RFC822")
    {
        // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
        let (r, _) = sp(r)?;
        let (r, env) = envelope(c, r)?;
        let (r, _) = sp(r)?;
        let (r, b) = body(c, r, depth + 1)?;
        let (r, _) = sp(r)?;
        let (r, lines) = number64_q(c, r)?;
        (
            r,
            SpecificFields::Message {
                envelope: Box::new(env),
                body: Box::new(b),
                lines,
            },
        )
    } else if t.eq_ignore_ascii_case(b"TEXT") {
        let (r, _) = sp(r)?;
        let (r, lines) = number64_q(c, r)?;
        (r, SpecificFields::Text { lines })
    } else {
        (r, SpecificFields::Basic)
    };
    let (r, extension) = match r.split_first() {
        Some((b' ', rest)) if rest.first() != Some(&b')') => {
            let (r, md5) = nstring(c, rest)?;
            let (r, tail) = dsp_ext(c, r, depth)?;
            (r, Some(SinglePartExtension { md5, tail }))
        }
        _ => (r, None),
    };
    Ok((
        r,
        BodyStructure::Single {
            body: SinglePart {
                media_type,
                subtype,
                fields,
                specific,
            },
            extension,
        },
    ))
}

/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
/// body-fld-octets`.
fn body_fields<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, BodyFields<'a>> {
    let (r, params) = body_fld_param(c, i)?;
    let (r, _) = sp(r)?;
    let (r, id) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, description) = nstring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, encoding) = string_q(c, r)?;
    let (r, _) = sp(r)?;
    let (r, octets) = number_q(c, r)?;
    Ok((
        r,
        BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        },
    ))
}

/// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`.
fn body_fld_param<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, BodyParams<'a>> {
    if i.first() != Some(&b'(') {
        let (r, _) = nil(i).or_else(|e| refail(e, i, "body-fld-param"))?;
        return Ok((r, Vec::new()));
    }
    paren_list(c, i, "body-fld-param", false, |x| {
        let (r, k) = string(c, x)?;
        let (r, _) = sp(r)?;
        if r.get(..3).is_some_and(|n| n.eq_ignore_ascii_case(b"NIL")) {
            quirk(c, r, Quirk::NilBodyParameter)?;
            return Ok((
                r.get(3..).unwrap_or_default(),
                (k, IString::Quoted(Quoted(Cow::Borrowed(&[][..])))),
            ));
        }
        let (r, v) = string(c, r)?;
        Ok((r, (k, v)))
    })
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
fn dsp_ext<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, Option<DispositionExt<'a>>> {
    let Some((b' ', r)) = i.split_first() else {
        return Ok((i, None));
    };
    if r.first() == Some(&b')') {
        return Ok((i, None));
    }
    // body-fld-dsp = "(" string SP body-fld-param ")" / nil
    let (r, disposition) = if r.first() == Some(&b'(') {
        let (r, d) = string_q(c, r.get(1..).unwrap_or_default())?;
        let (r, _) = sp(r)?;
        let (r, p) = body_fld_param(c, r)?;
        let (r, _) = space_before_paren(c, r)?;
        let (r, _) = byte(r, b')', ")")?;
        (r, Some((d, p)))
    } else {
        let (r, _) = nil(r).or_else(|e| refail(e, r, "body-fld-dsp"))?;
        (r, None)
    };
    let (r, tail) = lang_ext(c, r, depth)?;
    Ok((r, Some(DispositionExt { disposition, tail })))
}

/// `[SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]`.
fn lang_ext<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, Option<LanguageExt<'a>>> {
    let Some((b' ', r)) = i.split_first() else {
        return Ok((i, None));
    };
    if r.first() == Some(&b')') {
        return Ok((i, None));
    }
    let (r, language) = if r.first() == Some(&b'(') {
        let (r, v) = paren_list(c, r, "body-fld-lang", false, |x| string(c, x))?;
        (r, Language::List(Vec1(v)))
    } else {
        let (r, n) = nstring(c, r)?;
        (r, Language::Single(n))
    };
    let (r, tail) = match r.split_first() {
        Some((b' ', rest)) if rest.first() != Some(&b')') => {
            let (mut r, location) = nstring(c, rest)?;
            let mut extensions = Vec::new();
            while let Some((b' ', rest)) = r.split_first() {
                if rest.first() == Some(&b')') {
                    break;
                }
                if extensions.len() >= c.limits.max_items {
                    return fatal(r, ErrKind::TooMany("body-extension", c.limits.max_items));
                }
                let (r2, e) = body_extension(c, rest, depth + 1)?;
                extensions.push(e);
                r = r2;
            }
            (
                r,
                Some(LocationExt {
                    location,
                    extensions,
                }),
            )
        }
        _ => (r, None),
    };
    Ok((r, Some(LanguageExt { language, tail })))
}

/// `body-extension = nstring / number / "(" body-extension *(SP body-extension) ")"`.
fn body_extension<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, BodyExtension<'a>> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("body-extension", c.limits.max_depth));
    }
    match i.first() {
        Some(b'(') => {
            let (r, v) = paren_list(c, i, "body-extension", false, |x| {
                body_extension(c, x, depth + 1)
            })?;
            Ok((r, BodyExtension::List(Vec1(v))))
        }
        Some(b'0'..=b'9') => number(i).map(|(r, n)| (r, BodyExtension::Number(n))),
        _ => nstring(c, i).map(|(r, n)| (r, BodyExtension::NString(n))),
    }
}
