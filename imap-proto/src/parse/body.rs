//! `envelope` and `body` (RFC 3501 §9), nesting bounded by the depth limit.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use super::core::{
    byte, nil, nstring, number, number_q, number64_q, paren_list, sp, space_before_paren, string,
};
use super::response::{short_digits, short_number64};
use super::{ErrKind, PResult, fail, fatal, quirk, refail};
use crate::Quirk;
use crate::config::Config;
use crate::types::body::{
    Address, BodyExtension, BodyFields, BodyParams, BodyStructure, DispositionExt, Envelope,
    Language, LanguageExt, LocationExt, MultiPartExtension, SinglePart, SinglePartExtension,
    SpecificFields,
};
use crate::types::core::{IString, NString, Quoted, Vec1, is_astring_char};

/// `nstring` of an ENVELOPE or BODYSTRUCTURE field: the two usual forms (`NIL`, a quoted
/// string without escapes or 8-bit octets) read here, anything else by `nstring`, which
/// gives the same values and every error.
///
/// Issue 9: these fields are most of the strings of a FETCH response (28 of them in an
/// ENVELOPE); going through `nstring` and `string` cost ≈135 instructions a string, of
/// which the scan was half. (The FETCH items `BODY[...]` and `RFC822*` use it too: their
/// quoted data is scanned with the cheaper word test.)
#[inline]
pub(super) fn nstr<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, NString<'a>> {
    match plain_nstring(i) {
        Some(x) => Ok(x),
        None => nstring(c, i),
    }
}

/// [`nstr`]'s two usual forms: `NIL` (upper case) or [`plain_string`]; `None` otherwise.
#[inline]
fn plain_nstring(i: &[u8]) -> Option<(&[u8], NString<'_>)> {
    match i.split_first_chunk::<3>() {
        Some((b"NIL", rest)) => Some((rest, None)),
        _ => plain_string(i).map(|(r, s)| (r, Some(s))),
    }
}

/// `string` of an ENVELOPE or BODYSTRUCTURE field: [`nstr`]'s quoted form, else `string`.
#[inline]
fn str1<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, IString<'a>> {
    match plain_string(i) {
        Some(x) => Ok(x),
        None => string(c, i),
    }
}

/// A quoted string at `i` whose octets are 7-bit and not controls (`0x20..=0x7F`, no
/// `DQUOTE` or backslash inside): borrowed. `None` for anything else (not quoted, an
/// escape, a control or 8-bit octet, no closing `DQUOTE`), which `string` then reads: it
/// accepts the other controls and, in UTF8=ACCEPT mode, UTF-8; and it gives the errors.
///
/// The scan looks at eight octets at a time for a superset of what stops `string` (any
/// octet below 0x20 instead of CR, LF and NUL, and 8-bit octets in every mode): three word
/// tests in place of `quoted_run`'s six. That is exact because the octets it lets through
/// are ones every mode accepts, and the rest go to `string`.
///
/// Inlined into its callers (issue 9: ≈11 000 instructions a pass over the bench corpus,
/// the result no longer passing through memory).
#[inline]
fn plain_string(i: &[u8]) -> Option<(&[u8], IString<'_>)> {
    let body = i.strip_prefix(b"\"")?;
    let mut n = 0;
    let end = loop {
        match body.get(n..).and_then(<[u8]>::first_chunk::<8>) {
            Some(w) => {
                let stops = plain_stops(u64::from_le_bytes(*w));
                if stops != 0 {
                    // Little-endian: the lowest flagged octet is the first in memory.
                    break n + (stops.trailing_zeros() / 8) as usize;
                }
                n += 8;
            }
            None => {
                let tail = body.get(n..).unwrap_or_default();
                break n + tail
                    .iter()
                    .position(|&b| !(0x20..0x80).contains(&b) || b == b'"' || b == b'\\')
                    .unwrap_or(tail.len());
            }
        }
    };
    let (content, rest) = body.split_at_checked(end)?;
    let rest = rest.strip_prefix(b"\"")?;
    Some((rest, IString::Quoted(Quoted(Cow::Borrowed(content)))))
}

/// Words with 0x01, 0x20 and 0x80 in every octet.
const OCTETS_01: u64 = u64::from_le_bytes([0x01; 8]);
const OCTETS_20: u64 = u64::from_le_bytes([0x20; 8]);
const OCTETS_80: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit set in the octets of `w` (eight octets of a quoted string, in memory
/// order) that [`plain_string`] stops at: below 0x20, 8-bit, `DQUOTE`, backslash.
/// Exact for the lowest flagged octet (the borrows of the subtractions run only upwards,
/// from a flagged octet into the next), which is the only one used.
const fn plain_stops(w: u64) -> u64 {
    // Below 0x20: the subtraction borrows, setting the high bit; 8-bit: it is set already.
    let outside = (w.wrapping_sub(OCTETS_20) | w) & OCTETS_80;
    let quote = w ^ (OCTETS_01 * b'"' as u64);
    let backslash = w ^ (OCTETS_01 * b'\\' as u64);
    outside
        | (quote.wrapping_sub(OCTETS_01) & !quote & OCTETS_80)
        | (backslash.wrapping_sub(OCTETS_01) & !backslash & OCTETS_80)
}

/// `string`, or (quirk) `NIL` read as an empty string.
fn string_q<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, IString<'a>> {
    // The usual case first (issue 9): a quoted string is not NIL.
    if i.first() == Some(&b'"') {
        return str1(c, i);
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
    let (r, date) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (mut r, subject) = nstr(c, r)?;
    // The six address lists, one after the other in one vector (see `Envelope`). Eight
    // is room for the usual from, sender, reply-to (often the same address), a few to and
    // cc: 1 024 octets, within the allocator's small-size cache.
    let mut all = Vec::with_capacity(8);
    let mut ends = [0; 6];
    for end in &mut ends {
        let (r2, _) = sp(r)?;
        r = addresses(c, r2, &mut all)?.0;
        *end = all.len();
    }
    let (r, _) = sp(r)?;
    let (r, in_reply_to) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (r, message_id) = nstr(c, r)?;
    let (r, _) = space_before_paren(c, r)?;
    let (r, _) = byte(r, b')', ")")?;
    Ok((
        r,
        Envelope::from_parts(date, subject, all, ends, in_reply_to, message_id),
    ))
}

/// `"(" 1*address ")" / nil`, pushed onto `v` (the item limit counts this list's
/// addresses).
fn addresses<'a>(c: &Config, i: &'a [u8], v: &mut Vec<Address<'a>>) -> PResult<'a, ()> {
    if i.first() != Some(&b'(') {
        let (r, _) = nil(i).or_else(|e| refail(e, i, "address list"))?;
        return Ok((r, ()));
    }
    let mut r = i.get(1..).unwrap_or_default();
    let start = v.len();
    loop {
        if v.len() - start >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("address", c.limits.max_items));
        }
        let (r2, a) = match plain_address(r) {
            Some(x) => x,
            None => address(c, r)?,
        };
        v.push(a);
        r = r2;
        if let Some((b')', rest)) = r.split_first() {
            return Ok((rest, ()));
        }
    }
}

/// `address` when its four fields are in [`plain_nstring`]'s forms, single spaces apart,
/// the `)` right after the last; `None` for anything else, which [`address`] then reads.
///
/// Issue 9: an ENVELOPE is mostly addresses (seven in each of the bench corpus's), and
/// this reads one without a `Result` and an error path per field and separator.
#[inline]
fn plain_address(i: &[u8]) -> Option<(&[u8], Address<'_>)> {
    let r = i.strip_prefix(b"(")?;
    let (r, name) = plain_nstring(r)?;
    let (r, adl) = plain_nstring(r.strip_prefix(b" ")?)?;
    let (r, mailbox) = plain_nstring(r.strip_prefix(b" ")?)?;
    let (r, host) = plain_nstring(r.strip_prefix(b" ")?)?;
    let r = r.strip_prefix(b")")?;
    Some((
        r,
        Address {
            name,
            adl,
            mailbox,
            host,
        },
    ))
}

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
fn address<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Address<'a>> {
    let (r, _) = byte(i, b'(', "address")?;
    let (r, name) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (r, adl) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (r, mailbox) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (r, host) = nstr(c, r)?;
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

/// A stand-in for a [`BodyStructure`] about to be read in place by [`body_into`]: an
/// empty multipart, which allocates nothing and is dropped for nothing. It is never
/// seen outside the parser: it is overwritten, or the parse fails and the whole value
/// is dropped.
fn body_slot<'a>() -> BodyStructure<'a> {
    BodyStructure::Multi {
        bodies: Vec1(Vec::new()),
        subtype: IString::Quoted(Quoted(Cow::Borrowed(&[][..]))),
        extension: None,
    }
}

/// `body = "(" (body-type-1part / body-type-mpart) ")"`, written into `out` where the value is to stay: the slot of a multipart's
/// part vector, the box of a FETCH item or of a MESSAGE/RFC822 part.
///
/// Issue 9: a `BodyStructure` is 400 octets; returned in a `Result` it was copied out
/// of it and again into the vector or the box (`memcpy` of the body parts was ≈3.5 %
/// of the response corpus's instructions). Here each part is built once, in its slot.
fn body_into<'a>(
    c: &Config,
    i: &'a [u8],
    depth: usize,
    out: &mut BodyStructure<'a>,
) -> PResult<'a, ()> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("body", c.limits.max_depth));
    }
    let (r, _) = byte(i, b'(', "body")?;
    // Each alternative reads the closing `)` too ([`body_end`]), so that nothing is
    // left to check once the value is written.
    if r.first() == Some(&b'(') {
        body_type_mpart(c, r, depth, out)
    } else {
        body_type_1part(c, r, depth, out)
    }
}

/// `body` into a new box (a FETCH `BODY`/`BODYSTRUCTURE` item, a MESSAGE/RFC822
/// part's body), read in place by [`body_into`].
pub(crate) fn boxed_body<'a>(
    c: &Config,
    i: &'a [u8],
    depth: usize,
) -> PResult<'a, Box<BodyStructure<'a>>> {
    let mut b = Box::new(body_slot());
    let (r, ()) = body_into(c, i, depth, &mut b)?;
    Ok((r, b))
}

/// The `)` that closes a `body`, with the space-before-paren quirk.
fn body_end<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, ()> {
    let (r, _) = space_before_paren(c, i)?;
    byte(r, b')', ")")
}

/// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`, and the `)` after it.
fn body_type_mpart<'a>(
    c: &Config,
    i: &'a [u8],
    depth: usize,
    out: &mut BodyStructure<'a>,
) -> PResult<'a, ()> {
    // Issue 9: a multipart has two parts or more, and a first push into an empty vector
    // would allocate four (1 600 octets, past the allocator's small-size cache); two
    // measured best (≈5 000 instructions a pass over the bench corpus).
    let mut bodies = Vec::with_capacity(2);
    let mut r = i;
    while r.first() == Some(&b'(') {
        if bodies.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("body", c.limits.max_items));
        }
        bodies.push(body_slot());
        let Some(slot) = bodies.last_mut() else {
            return fail(r, "body");
        };
        let (r2, ()) = body_into(c, r, depth + 1, slot)?;
        r = r2;
    }
    let (r, _) = sp(r)?;
    let (r, subtype) = string_q(c, r)?;
    // Written before the extension is read, as in [`body_type_1part`].
    *out = BodyStructure::Multi {
        bodies: Vec1(bodies),
        subtype,
        extension: None,
    };
    let r = match r.split_first() {
        Some((b' ', rest)) if rest.first() != Some(&b')') => {
            let (r, params) = body_fld_param(c, rest)?;
            let (r, tail) = dsp_ext(c, r, depth)?;
            if let BodyStructure::Multi { extension, .. } = out {
                *extension = Some(MultiPartExtension { params, tail });
            }
            r
        }
        _ => r,
    };
    let (r, _) = body_end(c, r)?;
    Ok((r, ()))
}

/// `body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]`,
/// and the `)` after it.
fn body_type_1part<'a>(
    c: &Config,
    i: &'a [u8],
    depth: usize,
    out: &mut BodyStructure<'a>,
) -> PResult<'a, ()> {
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
        let (r, body) = boxed_body(c, r, depth + 1)?;
        let (r, _) = sp(r)?;
        let (r, lines) = number64_q(c, r)?;
        (
            r,
            SpecificFields::Message {
                envelope: Box::new(env),
                body,
                lines,
            },
        )
    } else if t.eq_ignore_ascii_case(b"TEXT") {
        let (r, _) = sp(r)?;
        let (r, lines) = match short_number64(r) {
            Some(x) => x,
            None => number64_q(c, r)?,
        };
        (r, SpecificFields::Text { lines })
    } else {
        (r, SpecificFields::Basic)
    };
    // The part is written before its extension is read, and the extension then into
    // its place in `out` (issue 9: built aside, the 176-octet extension and then the
    // 400-octet part were each one more copy). A failure later leaves a part the caller
    // drops with the rest.
    *out = BodyStructure::Single {
        body: SinglePart {
            media_type,
            subtype,
            fields,
            specific,
        },
        extension: None,
    };
    let r = match r.split_first() {
        Some((b' ', rest)) if rest.first() != Some(&b')') => {
            let (r, md5) = nstr(c, rest)?;
            let (r, tail) = dsp_ext(c, r, depth)?;
            if let BodyStructure::Single { extension, .. } = out {
                *extension = Some(SinglePartExtension { md5, tail });
            }
            r
        }
        _ => r,
    };
    let (r, _) = body_end(c, r)?;
    Ok((r, ()))
}

/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
/// body-fld-octets`.
fn body_fields<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, BodyFields<'a>> {
    let (r, params) = body_fld_param(c, i)?;
    let (r, _) = sp(r)?;
    let (r, id) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (r, description) = nstr(c, r)?;
    let (r, _) = sp(r)?;
    let (r, encoding) = string_q(c, r)?;
    let (r, _) = sp(r)?;
    let (r, octets) = match short_digits(r, 9) {
        // Nine digits fit a `u32`.
        Some((r, n)) => (r, u32::try_from(n).unwrap_or(u32::MAX)),
        None => number_q(c, r)?,
    };
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
    match plain_params(c, i) {
        Some(x) => Ok(x),
        None => param_list(c, i),
    }
}

/// `"(" string SP string *(SP string SP string) ")"`: the general rule, with the
/// NIL-value quirk.
fn param_list<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, BodyParams<'a>> {
    paren_list(c, i, "body-fld-param", false, |x| {
        let (r, k) = str1(c, x)?;
        let (r, _) = sp(r)?;
        if r.get(..3).is_some_and(|n| n.eq_ignore_ascii_case(b"NIL")) {
            quirk(c, r, Quirk::NilBodyParameter)?;
            return Ok((
                r.get(3..).unwrap_or_default(),
                (k, IString::Quoted(Quoted(Cow::Borrowed(&[][..])))),
            ));
        }
        let (r, v) = str1(c, r)?;
        Ok((r, (k, v)))
    })
}

/// `body-fld-param` whose names and values are all [`plain_string`]s, single spaces
/// apart: `None` for anything else (NIL values, literals, escapes, a quirk, too many
/// pairs), which [`body_fld_param`]'s general rule then reads.
///
/// Issue 9: every body part has one (`("CHARSET" "US-ASCII")`); this reads it without
/// `paren_list`'s closure and a `Result` per string.
fn plain_params<'a>(c: &Config, i: &'a [u8]) -> Option<(&'a [u8], BodyParams<'a>)> {
    let mut r = i.strip_prefix(b"(")?;
    // `paren_list`'s first size.
    let mut v = Vec::with_capacity(4);
    loop {
        if v.len() >= c.limits.max_items {
            return None;
        }
        let (r2, k) = plain_string(r)?;
        let (r2, val) = plain_string(r2.strip_prefix(b" ")?)?;
        v.push((k, val));
        match r2.split_first() {
            Some((b')', rest)) => return Some((rest, v)),
            Some((b' ', rest)) => r = rest,
            _ => return None,
        }
    }
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
        let (r, v) = paren_list(c, r, "body-fld-lang", false, |x| str1(c, x))?;
        (r, Language::List(Vec1(v)))
    } else {
        let (r, n) = nstr(c, r)?;
        (r, Language::Single(n))
    };
    let (r, tail) = match r.split_first() {
        Some((b' ', rest)) if rest.first() != Some(&b')') => {
            let (mut r, location) = nstr(c, rest)?;
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
        _ => nstr(c, i).map(|(r, n)| (r, BodyExtension::NString(n))),
    }
}

/// The fast forms against the rules they stand in front of (issue 9): same values, same
/// rest, same errors.
#[cfg(test)]
mod fast_path_tests {
    use super::super::core::{nstring, string};
    use super::{address, nstr, param_list, plain_address, plain_params, plain_stops, str1};
    use crate::config::Config;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn nstr_and_str1_agree_with_nstring_and_string(
            head in prop_oneof![Just(&b"\""[..]), Just(&b"NIL"[..]), Just(&b"nIl"[..]), Just(&b"{3}\r\n"[..]), Just(&b""[..])],
            s in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), Just(b'\r'), Just(b'\n'), Just(0u8), Just(1u8), Just(0x1f), Just(0x7f), Just(0x80), Just(0xc3), Just(0xa9), Just(0xff), 0x20u8..0x7f],
                0..40,
            ),
        ) {
            let mut i = head.to_vec();
            i.extend_from_slice(&s);
            for utf8 in [false, true] {
                let c = Config { utf8, ..Config::default() };
                prop_assert_eq!(nstr(&c, &i), nstring(&c, &i));
                prop_assert_eq!(str1(&c, &i), string(&c, &i));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn plain_params_agree_with_param_list(
            s in "\\((\"[A-Za-z\\\\\"-]{0,6}\"|NIL|\\{1\\}\r\nx)( ( |\"[a-z=.-]{0,6}\"|NIL)){0,5}( )?\\)[ )]?",
            max in 1usize..4,
            quirks in any::<bool>(),
        ) {
            let mut c = Config::default();
            c.limits.max_items = max;
            if quirks {
                c.quirks = crate::config::Quirks::LENIENT;
            }
            if let Some(fast) = plain_params(&c, s.as_bytes()) {
                prop_assert_eq!(Ok(fast), param_list(&c, s.as_bytes()));
            }
        }

        #[test]
        fn plain_address_agrees_with_address(
            s in "\\((NIL|nil|\"[a-z \\\\\"\x01]{0,4}\"|\\{1\\}\r\nx)( ( |NIL|\"[a-z@.]{0,6}\")){3}( )?\\)[ )]?",
            utf8 in any::<bool>(),
        ) {
            let c = Config { utf8, ..Config::default() };
            if let Some(fast) = plain_address(s.as_bytes()) {
                prop_assert_eq!(Ok(fast), address(&c, s.as_bytes()));
            }
        }
    }

    /// The proptests above compare only where a fast path answers; this pins that each
    /// answers, and agrees, on the forms ENVELOPE and BODYSTRUCTURE usually carry.
    #[test]
    fn fast_paths_take_the_usual_forms() {
        let c = Config::default();
        let params = b"(\"CHARSET\" \"us-ascii\" \"FORMAT\" \"flowed\") NIL";
        assert!(plain_params(&c, params).is_some());
        assert_eq!(
            plain_params(&c, params).map(Ok),
            Some(param_list(&c, params))
        );
        let addr = b"(\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")(";
        assert!(plain_address(addr).is_some());
        assert_eq!(plain_address(addr).map(Ok), Some(address(&c, addr)));
        for s in [&b"\"text\" "[..], b"NIL "] {
            assert_eq!(nstr(&c, s), nstring(&c, s));
        }
        assert_eq!(str1(&c, b"\"7BIT\" 3028"), string(&c, b"\"7BIT\" 3028"));
    }

    #[test]
    fn plain_stops_flags_the_first_stop_of_every_word() {
        // Each octet value at each position of a word of `a`s, then a second octet after
        // it (a borrow or carry out of the first must not hide or move it).
        let stop = |b: u8| !(0x20..0x80).contains(&b) || b == b'"' || b == b'\\';
        for pos in 0..8 {
            for b in 0..=255u8 {
                for next in [b'a', 0, 0x1f, 0x20, b'"', 0xff] {
                    let mut w = [b'a'; 8];
                    w[pos] = b;
                    if let Some(n) = w.get_mut(pos + 1) {
                        *n = next;
                    }
                    let first = w.iter().position(|&x| stop(x)).map_or(8, |k| k as u32);
                    let flags = plain_stops(u64::from_le_bytes(w));
                    assert_eq!(flags.trailing_zeros() / 8, first, "{w:?}");
                }
            }
        }
    }
}
