//! Lexical rules of RFC 3501 §9: SP, CRLF, number, atom, string, literal, date...

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use nom::bytes::complete::{tag_no_case, take, take_while, take_while1};

use super::{ErrKind, PResult, fail, fatal, quirk, refail};
use crate::Quirk;
use crate::config::Config;
use crate::types::core::{
    AString, Atom, AtomExt, IString, Literal, LiteralMode, ModSeq, NString, Number64, NzNumber64,
    Quoted, Tag, Text, is_astring_char, is_atom_char, is_tag_char, is_text_char,
};
use crate::types::datetime::{Date, DateTime};
use crate::types::flag::{Flag, FlagExtension};
use crate::types::mailbox::Mailbox;
use crate::types::sequence::SequenceSet;

/// `SP`.
pub(crate) fn sp(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        Some(b' ') => Ok((i.get(1..).unwrap_or_default(), ())),
        _ => fail(i, "SP"),
    }
}

/// `CRLF`.
pub(crate) fn crlf(i: &[u8]) -> PResult<'_, ()> {
    match i {
        [b'\r', b'\n', rest @ ..] => Ok((rest, ())),
        _ => fail(i, "CRLF"),
    }
}

/// The end of a response: CRLF, or (quirk) SP... CRLF.
pub(crate) fn crlf_end<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, ()> {
    if i.first() == Some(&b' ') {
        let (rest, _) = take_while(|b| b == b' ')(i)?;
        if rest.starts_with(b"\r\n") {
            quirk(c, i, Quirk::TrailingSpace)?;
            return crlf(rest);
        }
    }
    crlf(i)
}

/// One expected octet.
pub(crate) fn byte<'a>(i: &'a [u8], b: u8, rule: &'static str) -> PResult<'a, ()> {
    match i.split_first() {
        Some((&x, rest)) if x == b => Ok((rest, ())),
        _ => fail(i, rule),
    }
}

/// A case-insensitive keyword.
pub(crate) fn kw<'a>(i: &'a [u8], word: &'static str) -> PResult<'a, ()> {
    match tag_no_case::<_, _, super::PErr<'a>>(word.as_bytes())(i) {
        Ok((rest, _)) => Ok((rest, ())),
        Err(_) => fail(i, word),
    }
}

/// Whether `i` starts with `word` (case-insensitive).
pub(crate) fn peek_kw(i: &[u8], word: &str) -> bool {
    i.get(..word.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(word.as_bytes()))
}

/// `SP ")"` with the quirk check: a space before a closing parenthesis.
pub(crate) fn space_before_paren<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, bool> {
    if i.starts_with(b" )") {
        quirk(c, i, Quirk::SpaceBeforeParen)?;
        return Ok((i.get(1..).unwrap_or_default(), true));
    }
    Ok((i, false))
}

/// `number = 1*DIGIT` (unsigned 32-bit).
///
/// One pass that checks and accumulates each digit (issue 9: UIDs, sizes and SEARCH
/// results are most of a response's numbers; the former `take_while1` then a second loop
/// walked the digits twice).
pub(crate) fn number(i: &[u8]) -> PResult<'_, u32> {
    let mut n: u64 = 0;
    let mut k = 0;
    for &d in i {
        if !d.is_ascii_digit() {
            break;
        }
        n = n * 10 + u64::from(d - b'0');
        if n > u64::from(u32::MAX) {
            return fail(i, "number");
        }
        k += 1;
    }
    if k == 0 {
        return fail(i, "number");
    }
    Ok((
        i.get(k..).unwrap_or_default(),
        u32::try_from(n).unwrap_or(u32::MAX),
    ))
}

/// `number`, or (quirk) a negative number read as 0.
pub(crate) fn number_q<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, u32> {
    if i.first() == Some(&b'-') && i.get(1).is_some_and(u8::is_ascii_digit) {
        quirk(c, i, Quirk::NegativeNumber)?;
        let (rest, _) = number(i.get(1..).unwrap_or_default())?;
        return Ok((rest, 0));
    }
    number(i)
}

/// `nz-number = digit-nz *DIGIT`.
pub(crate) fn nz_number(i: &[u8]) -> PResult<'_, NonZeroU32> {
    if i.first() == Some(&b'0') {
        return fail(i, "nz-number");
    }
    let (rest, n) = number(i).or_else(|e| refail(e, i, "nz-number"))?;
    match NonZeroU32::new(n) {
        Some(n) => Ok((rest, n)),
        None => fail(i, "nz-number"),
    }
}

fn str_of(b: &[u8]) -> &str {
    core::str::from_utf8(b).unwrap_or_default()
}

/// [`str_of`] for a token the grammar keeps to ASCII (a tag, an atom, a sequence set):
/// the same value, through `utf8_chunks`, whose ASCII loop is inlined here.
///
/// Issue 9: `from_utf8` is an out-of-line call that sets up a word-at-a-time scan and
/// then checks a short token octet by octet (≈65 instructions for a four-octet tag);
/// every command has a tag and most have a sequence set or an atom.
#[inline]
fn ascii_str(b: &[u8]) -> &str {
    match b.utf8_chunks().next() {
        Some(c) if c.invalid().is_empty() => c.valid(),
        _ => "",
    }
}

/// `ATOM-CHAR`, `ASTRING-CHAR`, the tag's octets and the octets of a response keyword or
/// `msg-att` name (letters, digits, `.`, `-`) as bits of [`CLASS`].
const ATOM: u8 = 1;
const ASTRING: u8 = 2;
const TAG: u8 = 4;
const WORD: u8 = 8;

/// The classes of each octet, from the `is_*_char` definitions at compile time, so that a
/// token scan costs one table load per octet (issue 9). (The index is a `u8`: it cannot be
/// out of bounds, and if it were the build would fail, not a parse.)
#[allow(clippy::indexing_slicing)]
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0u8;
    loop {
        let mut c = 0;
        if is_atom_char(b) {
            c |= ATOM;
        }
        if is_astring_char(b) {
            c |= ASTRING;
        }
        if is_tag_char(b) {
            c |= TAG;
        }
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
            c |= WORD;
        }
        t[b as usize] = c;
        if b == 255 {
            break;
        }
        b += 1;
    }
    t
};

/// Whether `b` is in `class` ([`ATOM`], [`ASTRING`], [`TAG`], [`WORD`]).
#[inline]
fn in_class(b: u8, class: u8) -> bool {
    CLASS.get(usize::from(b)).is_some_and(|c| c & class != 0)
}

/// The run of octets at the start of `i` that satisfy `pred`, and the rest; `None` when
/// the run is empty. A plain loop: for the short tokens of a command (tags, atoms) nom's
/// `take_while1` cost about twice as many instructions (issue 9).
#[inline]
fn run1(i: &[u8], pred: impl Fn(u8) -> bool) -> Option<(&[u8], &[u8])> {
    let n = i.iter().position(|&b| !pred(b)).unwrap_or(i.len());
    if n == 0 {
        return None;
    }
    i.split_at_checked(n)
}

/// The length of the run of `ATOM-CHAR`s at the start of `i`, one [`CLASS`] load per octet
/// (issue 9: the command name and STATUS attributes were measured with `is_atom_char`'s
/// chain of comparisons, ≈3 % of the command corpus's instructions).
pub(crate) fn atom_len(i: &[u8]) -> usize {
    i.iter()
        .position(|&b| !in_class(b, ATOM))
        .unwrap_or(i.len())
}

/// `atom = 1*ATOM-CHAR`.
pub(crate) fn atom(i: &[u8]) -> PResult<'_, Atom<'_>> {
    match run1(i, |b| in_class(b, ATOM)) {
        Some((a, rest)) => Ok((rest, Atom(Cow::Borrowed(ascii_str(a))))),
        None => fail(i, "atom"),
    }
}

/// A response keyword or `msg-att` name (letters, digits, `.`, `-`): every response and
/// every FETCH item starts with one (issue 9: one table load per octet).
pub(crate) fn word(i: &[u8]) -> PResult<'_, &[u8]> {
    match run1(i, |b| in_class(b, WORD)) {
        Some((w, rest)) => Ok((rest, w)),
        None => fail(i, "keyword"),
    }
}

/// `tag = 1*<any ASTRING-CHAR except "+">`.
pub(crate) fn tag_(i: &[u8]) -> PResult<'_, Tag<'_>> {
    match run1(i, |b| in_class(b, TAG)) {
        Some((a, rest)) => Ok((rest, Tag(Cow::Borrowed(ascii_str(a))))),
        None => fail(i, "tag"),
    }
}

/// `text = 1*TEXT-CHAR` up to CRLF; UTF-8 too when UTF8=ACCEPT is on.
pub(crate) fn text<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Text<'a>> {
    let end = memchr::memchr(b'\r', i).unwrap_or(i.len());
    let (t, rest) = i.split_at_checked(end).unwrap_or((i, &[]));
    if t.is_empty() {
        return fail(i, "text");
    }
    // Issue 9: the usual text (ASCII without NUL or LF; `memchr` stopped at the first
    // CR) is recognised by two vectorised scans instead of `is_text_char` per octet
    // (≈4 instructions an octet); anything else takes the octet loop, which finds the
    // offset of the first octet outside TEXT-CHAR.
    let plain = t.is_ascii() && memchr::memchr2(0, b'\n', t).is_none();
    let bad = if plain {
        None
    } else {
        t.iter().position(|&b| !is_text_char(b))
    };
    if let Some(bad) = bad {
        if !c.utf8 || core::str::from_utf8(t).is_err() || t.contains(&b'\n') || t.contains(&0) {
            return fail(i.get(bad..).unwrap_or_default(), "TEXT-CHAR");
        }
    }
    Ok((rest, Text(Cow::Borrowed(str_of(t)))))
}

/// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`; UTF-8 too when UTF8=ACCEPT is on.
///
/// `QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials`: the
/// content is scanned with [`quoted_run`] up to the next octet that needs a decision (a
/// `DQUOTE`, a backslash, or an octet the grammar forbids), and borrowed from the input
/// unless it has an escape.
pub(crate) fn quoted<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Quoted<'a>> {
    let (body, _) = byte(i, b'"', "quoted")?;
    let mut owned: Option<Vec<u8>> = None;
    let mut pos = 0;
    loop {
        let rest = body.get(pos..).unwrap_or_default();
        let k = quoted_run(rest, c.utf8);
        let (chunk, at) = rest.split_at_checked(k).unwrap_or((rest, &[]));
        if let Some(o) = owned.as_mut() {
            o.extend_from_slice(chunk);
        }
        match at.first() {
            Some(b'"') => {
                let value = match owned {
                    Some(o) => Cow::Owned(o),
                    None => Cow::Borrowed(body.get(..pos + k).unwrap_or_default()),
                };
                // In UTF8=ACCEPT mode 8-bit octets were let through: they must form UTF-8
                // (RFC 6855 §3). `is_ascii` checks a word at a time, so pure ASCII, the
                // usual case, skips the UTF-8 decoder.
                if c.utf8 && !value.is_ascii() && core::str::from_utf8(&value).is_err() {
                    return fail(i, "UTF-8 quoted");
                }
                return Ok((at.get(1..).unwrap_or_default(), Quoted(value)));
            }
            Some(b'\\') => match at.get(1) {
                Some(&e @ (b'"' | b'\\')) => {
                    let o = owned
                        .get_or_insert_with(|| body.get(..pos + k).unwrap_or_default().to_vec());
                    o.push(e);
                    pos += k + 2;
                }
                _ => return fail(at, "quoted-specials"),
            },
            Some(_) => return fail(at, "QUOTED-CHAR"),
            None => return fail(at, "DQUOTE"),
        }
    }
}

/// Each octet of the word: 0x01 in every octet, and the high bit of every octet.
const OCTETS_01: u64 = u64::from_le_bytes([0x01; 8]);
const OCTETS_80: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit set in the octets of `w` that are zero. Exact for the lowest such octet
/// (the borrow of `- 0x01` only runs upwards, from a zero octet into the next), which is
/// the only one [`quoted_run`] uses.
const fn zero_octets(w: u64) -> u64 {
    w.wrapping_sub(OCTETS_01) & !w & OCTETS_80
}

/// The high bit set in the octets of `w` (eight octets of a quoted string, in memory
/// order) where [`quoted`] must stop: `DQUOTE`, backslash, CR, LF, NUL, and 8-bit octets unless
/// `utf8`. Lowest flagged octet exact, as in [`zero_octets`].
const fn quoted_stops(w: u64, utf8: bool) -> u64 {
    let stops = zero_octets(w ^ (OCTETS_01 * b'"' as u64))
        | zero_octets(w ^ (OCTETS_01 * b'\\' as u64))
        | zero_octets(w ^ (OCTETS_01 * b'\r' as u64))
        | zero_octets(w ^ (OCTETS_01 * b'\n' as u64))
        | zero_octets(w);
    if utf8 { stops } else { stops | (w & OCTETS_80) }
}

/// Whether [`quoted`] must stop at `b` (see [`quoted_stops`]).
const fn is_quoted_stop(b: u8, utf8: bool) -> bool {
    matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0) || (b >= 0x80 && !utf8)
}

/// The length of the run of plain `QUOTED-CHAR`s at the front of `s`: the offset of the
/// first octet [`quoted`] must look at, or `s.len()`.
///
/// Eight octets at a time (SWAR, issue 9: the byte-at-a-time loop this replaces was ≈16 %
/// of the IMAP response benchmark). Not `memchr`: the strings of real responses are short
/// (median 8 octets in the bench corpus, ENVELOPE and BODYSTRUCTURE fields), where a
/// `memchr2` call for the specials plus a second pass for the forbidden octets costs more
/// in set-up than the scan itself; one word test looks for all six kinds of stop at once.
fn quoted_run(s: &[u8], utf8: bool) -> usize {
    let mut n = 0;
    while let Some(word) = s.get(n..).and_then(<[u8]>::first_chunk::<8>) {
        let stops = quoted_stops(u64::from_le_bytes(*word), utf8);
        if stops != 0 {
            // Little-endian: the lowest flagged bit is the first stop in memory order.
            return n + (stops.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    // Fewer than eight octets left (the end of the buffer).
    let tail = s.get(n..).unwrap_or_default();
    n + tail
        .iter()
        .position(|&b| is_quoted_stop(b, utf8))
        .unwrap_or(tail.len())
}

#[cfg(test)]
mod ascii_str_tests {
    use super::{ascii_str, str_of};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// `ascii_str` gives what `from_utf8` gives (the whole text, or "" when it is not
        /// UTF-8), on ASCII, UTF-8 and broken input alike.
        #[test]
        fn ascii_str_agrees_with_from_utf8(
            s in proptest::collection::vec(
                prop_oneof![
                    6 => 0x20u8..0x7f,
                    1 => any::<u8>(),
                ],
                0..40,
            ),
            text in ".{0,12}",
        ) {
            prop_assert_eq!(ascii_str(&s), str_of(&s));
            prop_assert_eq!(ascii_str(text.as_bytes()), text.as_str());
        }
    }

    #[test]
    fn ascii_str_on_the_usual_tokens() {
        for t in ["a001", "4827300:4827310,4827312", "1:*", "CONDSTORE", ""] {
            assert_eq!(ascii_str(t.as_bytes()), t);
        }
        assert_eq!(ascii_str(b"a\xff"), "");
        assert_eq!(ascii_str(b"\xc3\xa9t\xc3"), "");
    }
}

#[cfg(test)]
mod text_tests {
    use super::{Cow, PResult, Text, fail, is_text_char, text};
    use crate::config::Config;
    use proptest::prelude::*;

    /// `text` as it was before its fast path: `is_text_char` octet by octet.
    fn reference<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Text<'a>> {
        let end = memchr::memchr(b'\r', i).unwrap_or(i.len());
        let (t, rest) = i.split_at(end);
        if t.is_empty() {
            return fail(i, "text");
        }
        if let Some(bad) = t.iter().position(|&b| !is_text_char(b)) {
            if !c.utf8 || core::str::from_utf8(t).is_err() || t.contains(&b'\n') || t.contains(&0) {
                return fail(&i[bad..], "TEXT-CHAR");
            }
        }
        Ok((rest, Text(Cow::Borrowed(core::str::from_utf8(t).unwrap()))))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// Values and errors (with their offsets) agree, in both UTF-8 modes.
        #[test]
        fn text_agrees_with_the_octet_loop(
            s in proptest::collection::vec(
                prop_oneof![
                    8 => 0x20u8..0x7f,
                    1 => proptest::sample::select(vec![0u8, b'\r', b'\n', 0x80, 0xc3, 0xa9, 0xff]),
                ],
                0..40,
            ),
            utf8 in any::<bool>(),
        ) {
            let c = Config { utf8, ..Config::default() };
            prop_assert_eq!(format!("{:?}", text(&c, &s)), format!("{:?}", reference(&c, &s)));
        }
    }

    /// The fast path answers on the usual status texts, and the octet loop still
    /// finds a bad octet's offset.
    #[test]
    fn text_on_the_usual_forms() {
        let c = Config::default();
        let (rest, t) = text(&c, b"Fetch completed (0.001 + 0.000 secs).\r\n").unwrap();
        assert_eq!(
            (rest, t.as_str()),
            (&b"\r\n"[..], "Fetch completed (0.001 + 0.000 secs).")
        );
        let e = format!("{:?}", text(&c, b"ab\ncd\r\n"));
        assert_eq!(e, format!("{:?}", reference(&c, b"ab\ncd\r\n")));
        assert!(e.contains("TEXT-CHAR"));
    }
}

#[cfg(test)]
mod quoted_run_tests {
    use super::{is_quoted_stop, quoted_run};

    fn naive(s: &[u8], utf8: bool) -> usize {
        s.iter()
            .position(|&b| is_quoted_stop(b, utf8))
            .unwrap_or(s.len())
    }

    #[test]
    fn quoted_run_stops_where_a_byte_by_byte_scan_does() {
        for utf8 in [false, true] {
            for len in 0..20 {
                for pos in 0..len {
                    for b in 0..=255u8 {
                        // A second octet after the first, to catch a borrow running into
                        // it (0x01 above a NUL) or a stop hiding behind it.
                        for next in [b'a', 0x01, 0, b'"', 0xff] {
                            let mut s = vec![b'a'; len];
                            s[pos] = b;
                            if let Some(n) = s.get_mut(pos + 1) {
                                *n = next;
                            }
                            assert_eq!(quoted_run(&s, utf8), naive(&s, utf8), "{s:?} {utf8}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_quoted_rejects_nul_and_cr_after_an_8bit_octet() {
        // The byte-at-a-time scan this replaced stopped checking a run at its first 8-bit
        // octet in UTF8=ACCEPT mode, so `"é<NUL>x"` was accepted.
        let c = crate::config::Config {
            utf8: true,
            ..Default::default()
        };
        for (input, bad_at) in [(&b"\"\xc3\xa9\x00x\" "[..], 3), (b"\"\xc3\xa9\rx\" ", 3)] {
            match super::quoted(&c, input) {
                Err(nom::Err::Error(e)) => assert_eq!(input.len() - e.input.len(), bad_at),
                other => panic!("{input:?}: {other:?}"),
            }
        }
        let (rest, q) = super::quoted(&c, b"\"\xc3\xa9t\xc3\xa9\" ").unwrap();
        assert_eq!((rest, q.as_bytes()), (&b" "[..], "été".as_bytes()));
    }
}

/// The rule named when a literal's data is not there.
pub(crate) const LITERAL_DATA: &str = "literal data";

/// `literal = "{" number ["+"] "}" CRLF *CHAR8` (RFC 3501 §9, RFC 7888 §8).
pub(crate) fn literal(i: &[u8]) -> PResult<'_, Literal<'_>> {
    let (rest, (data, mode)) = literal_octets(i)?;
    if let Some(z) = memchr::memchr(0, data) {
        return fail(data.get(z..).unwrap_or_default(), "CHAR8");
    }
    Ok((
        rest,
        Literal {
            data: Cow::Borrowed(data),
            mode,
        },
    ))
}

/// `"{" number ["+"] "}" CRLF` and the octets it announces, whatever they are.
fn literal_octets(i: &[u8]) -> PResult<'_, (&[u8], LiteralMode)> {
    let (r, _) = byte(i, b'{', "literal")?;
    let (r, n) = number(r)?;
    let (r, mode) = match r.first() {
        Some(b'+') => (r.get(1..).unwrap_or_default(), LiteralMode::NonSync),
        _ => (r, LiteralMode::Sync),
    };
    let (r, _) = byte(r, b'}', "}")?;
    let (r, _) = crlf(r)?;
    // Missing data only happens when the command before a literal is checked on its own
    // (the framer otherwise hands over whole messages): say so without backtracking.
    let Ok((rest, data)) = take::<_, _, super::PErr<'_>>(n as usize)(r) else {
        return fatal(r, ErrKind::Rule(LITERAL_DATA));
    };
    Ok((rest, (data, mode)))
}

/// `string = quoted / literal`.
pub(crate) fn string<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, IString<'a>> {
    match i.first() {
        Some(b'"') => match plain_quoted(c, i) {
            Some((r, q)) => Ok((r, IString::Quoted(q))),
            None => quoted(c, i).map(|(r, q)| (r, IString::Quoted(q))),
        },
        Some(b'{') => literal(i).map(|(r, l)| (r, IString::Literal(l))),
        _ => fail(i, "string"),
    }
}

/// A quoted string without escapes (and, in UTF8=ACCEPT mode, without 8-bit octets):
/// one [`quoted_run`] to its closing `DQUOTE`, borrowed. `None` for any other quoted
/// string, which [`quoted`] then reads, errors included.
///
/// Issue 9: nearly every string of a response (ENVELOPE and BODYSTRUCTURE fields, 690 of
/// them in the bench corpus, 13 octets on average) is of this kind; this skips the
/// escape bookkeeping of the general loop.
fn plain_quoted<'a>(c: &Config, i: &'a [u8]) -> Option<(&'a [u8], Quoted<'a>)> {
    let body = i.get(1..)?;
    let k = quoted_run(body, c.utf8);
    let (content, rest) = body.split_at_checked(k)?;
    let rest = rest.strip_prefix(b"\"")?;
    if c.utf8 && !content.is_ascii() {
        return None;
    }
    Some((rest, Quoted(Cow::Borrowed(content))))
}

/// `astring = 1*ASTRING-CHAR / string`.
pub(crate) fn astring<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, AString<'a>> {
    astring_in(c, "", i)
}

/// [`astring`] inside a run of input already validated as UTF-8 (`text`): an atom that
/// lies in it is sliced out of it ([`str_within`]) instead of being checked on its own.
pub(crate) fn astring_in<'a>(c: &Config, text: &'a str, i: &'a [u8]) -> PResult<'a, AString<'a>> {
    match i.first() {
        Some(b'"' | b'{') => string(c, i).map(|(r, s)| (r, AString::String(s))),
        _ => match run1(i, |b| in_class(b, ASTRING)) {
            Some((a, rest)) => {
                let a = str_within(text, a);
                Ok((rest, AString::Atom(AtomExt(Cow::Borrowed(a)))))
            }
            None => fail(i, "astring"),
        },
    }
}

/// `t` as a `&str`: sliced out of `text` when it lies inside it, else checked on its own.
///
/// Issue 9: a `from_utf8` per token costs a call and its set-up for a few octets (≈60
/// instructions for a header name); where a parser meets many tokens in a row (a FETCH
/// header list), one `from_utf8` of the whole run, whose ASCII fast path checks two words
/// per step, and a slice per token cost less. The slice is found by address (`addr`: no
/// pointer is made from an integer): both are live shared borrows, so a token whose
/// address range lies inside `text`'s is those very octets, and `str::get` checks that
/// its ends are character boundaries. Anything else falls back to `from_utf8` of the
/// token, so the result is always what that gives.
#[inline]
pub(crate) fn str_within<'a>(text: &'a str, t: &'a [u8]) -> &'a str {
    let at = t.as_ptr().addr().wrapping_sub(text.as_ptr().addr());
    match at.checked_add(t.len()).and_then(|end| text.get(at..end)) {
        Some(s) => s,
        None => str_of(t),
    }
}

/// The longest prefix of `b` that is UTF-8, as a `&str` (one `from_utf8`).
pub(crate) fn utf8_prefix(b: &[u8]) -> &str {
    match core::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => str_of(b.get(..e.valid_up_to()).unwrap_or_default()),
    }
}

/// `nil = "NIL"`.
///
/// Compared in place (issue 9: NIL is the most frequent token of ENVELOPE and
/// BODYSTRUCTURE; `kw` goes through nom's `tag_no_case`), with `kw`'s result.
pub(crate) fn nil(i: &[u8]) -> PResult<'_, ()> {
    match i.split_first_chunk::<3>() {
        Some((w, rest)) if w.eq_ignore_ascii_case(b"NIL") => Ok((rest, ())),
        _ => fail(i, "NIL"),
    }
}

/// `nstring = string / nil`.
pub(crate) fn nstring<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, NString<'a>> {
    match i.first() {
        Some(b'"' | b'{') => string(c, i).map(|(r, s)| (r, Some(s))),
        _ => match nil(i) {
            Ok((r, ())) => Ok((r, None)),
            Err(_) => fail(i, "nstring"),
        },
    }
}

/// `mailbox = "INBOX" / astring`.
pub(crate) fn mailbox<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Mailbox<'a>> {
    // A bare INBOX is recognised by its octets (issue 9: its astring, a `from_utf8`, was
    // built only to be compared and dropped by `Mailbox::new`).
    if let Some((w, rest)) = i.split_first_chunk::<5>() {
        if w.eq_ignore_ascii_case(b"INBOX") && !rest.first().is_some_and(|&b| in_class(b, ASTRING))
        {
            return Ok((rest, Mailbox::Inbox));
        }
    }
    let (r, a) = astring(c, i).or_else(|e| refail(e, i, "mailbox"))?;
    Ok((r, Mailbox::new(a)))
}

fn two_digits(i: &[u8]) -> PResult<'_, u8> {
    match i {
        [a @ b'0'..=b'9', b @ b'0'..=b'9', rest @ ..] => Ok((rest, (a - b'0') * 10 + (b - b'0'))),
        _ => fail(i, "2DIGIT"),
    }
}

fn date_month(i: &[u8]) -> PResult<'_, u8> {
    if let Some((&name, rest)) = i.split_first_chunk::<3>() {
        if let Some(m) = month_number(name) {
            return Ok((rest, m));
        }
    }
    fail(i, "date-month")
}

/// The number (1 to 12) of a `date-month` name, in either case.
///
/// The names are compared as octets (issue 9: a `from_utf8` of each name on the way to
/// `peek_kw` was ≈2 % of the command corpus's instructions, for two dates), the three
/// octets lower-cased at once: `x | 0x20` equals a lower-case letter exactly when `x` is
/// that letter in either case; one `match` (a comparison tree) instead of trying the
/// twelve names in turn. Shared by [`date_month`] and the response side's fixed-width
/// date-time fast path.
pub(crate) fn month_number([a, b, c]: [u8; 3]) -> Option<u8> {
    Some(match [a | 0x20, b | 0x20, c | 0x20] {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    })
}

fn date_year(i: &[u8]) -> PResult<'_, u16> {
    let (r, hi) = two_digits(i).or_else(|e| refail(e, i, "date-year"))?;
    let (r, lo) = two_digits(r).or_else(|e| refail(e, i, "date-year"))?;
    Ok((r, u16::from(hi) * 100 + u16::from(lo)))
}

/// `date-text = date-day "-" date-month "-" date-year`.
fn date_text(i: &[u8]) -> PResult<'_, Date> {
    let (r, day) = take_while_m_n_digits(i, 1, 2).or_else(|e| refail(e, i, "date-day"))?;
    let (r, _) = byte(r, b'-', "-")?;
    let (r, month) = date_month(r)?;
    let (r, _) = byte(r, b'-', "-")?;
    let (r, year) = date_year(r)?;
    match Date::new(year, month, day) {
        Ok(d) => Ok((r, d)),
        Err(_) => fail(i, "date"),
    }
}

fn take_while_m_n_digits(i: &[u8], m: usize, n: usize) -> PResult<'_, u8> {
    let len = i.iter().take(n).take_while(|b| b.is_ascii_digit()).count();
    if len < m {
        return fail(i, "DIGIT");
    }
    let (d, rest) = i.split_at_checked(len).unwrap_or((i, &[]));
    Ok((rest, d.iter().fold(0u8, |a, b| a * 10 + (b - b'0'))))
}

/// `date = date-text / DQUOTE date-text DQUOTE`.
pub(crate) fn date(i: &[u8]) -> PResult<'_, Date> {
    if i.first() == Some(&b'"') {
        let (r, d) = date_text(i.get(1..).unwrap_or_default())?;
        let (r, _) = byte(r, b'"', "DQUOTE")?;
        return Ok((r, d));
    }
    date_text(i)
}

/// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`.
pub(crate) fn date_time(i: &[u8]) -> PResult<'_, DateTime> {
    let (r, _) = byte(i, b'"', "date-time")?;
    // date-day-fixed = (SP DIGIT) / 2DIGIT
    let (r, day) = match r {
        [b' ', d @ b'0'..=b'9', rest @ ..] => (rest, d - b'0'),
        _ => two_digits(r).or_else(|e| refail(e, r, "date-day-fixed"))?,
    };
    let (r, _) = byte(r, b'-', "-")?;
    let (r, month) = date_month(r)?;
    let (r, _) = byte(r, b'-', "-")?;
    let (r, year) = date_year(r)?;
    let (r, _) = sp(r)?;
    let (r, hour) = two_digits(r)?;
    let (r, _) = byte(r, b':', ":")?;
    let (r, minute) = two_digits(r)?;
    let (r, _) = byte(r, b':', ":")?;
    let (r, second) = two_digits(r)?;
    let (r, _) = sp(r)?;
    let (r, neg) = match r.split_first() {
        Some((b'+', rest)) => (rest, false),
        Some((b'-', rest)) => (rest, true),
        _ => return fail(r, "zone"),
    };
    let (r, zh) = two_digits(r).or_else(|e| refail(e, r, "zone"))?;
    let (r, zm) = two_digits(r).or_else(|e| refail(e, r, "zone"))?;
    let (r, _) = byte(r, b'"', "DQUOTE")?;
    if zm > 59 {
        return fail(i, "zone");
    }
    let zone = (i16::from(zh) * 60 + i16::from(zm)) * if neg { -1 } else { 1 };
    match Date::new(year, month, day).and_then(|d| DateTime::new(d, hour, minute, second, zone)) {
        Ok(dt) => Ok((r, dt)),
        Err(_) => fail(i, "date-time"),
    }
}

/// `sequence-set`.
pub(crate) fn sequence_set(i: &[u8]) -> PResult<'_, SequenceSet<'_>> {
    // One pass finds the run of sequence-set octets (`$`: SEARCHRES's saved result, RFC
    // 5182 §3, valid alone) and validates it.
    match crate::types::sequence::scan_sequence_set(i) {
        Some(n) => {
            let (s, rest) = i.split_at_checked(n).unwrap_or((i, &[]));
            Ok((rest, SequenceSet(Cow::Borrowed(ascii_str(s)))))
        }
        None => fail(i, "sequence-set"),
    }
}

/// Which flags a context allows (RFC 3501 §9 `flag`, `flag-fetch`, `flag-perm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagCtx {
    /// `flag`.
    Flag,
    /// `flag-fetch`: `\Recent` too.
    Fetch,
    /// `flag-perm`: `\*` too.
    Perm,
}

/// `flag` / `flag-fetch` / `flag-perm`.
pub(crate) fn flag<'a>(c: &Config, i: &'a [u8], ctx: FlagCtx) -> PResult<'a, Flag<'a>> {
    let (r, system) = match i.first() {
        Some(b'\\') => (i.get(1..).unwrap_or_default(), true),
        _ => (i, false),
    };
    if system && r.first() == Some(&b'*') {
        if ctx != FlagCtx::Perm {
            quirk(c, i, Quirk::WildcardInFlags)?;
        }
        return Ok((r.get(1..).unwrap_or_default(), Flag::Wildcard));
    }
    if system {
        // A system flag is matched by its octets (issue 9: its `Atom`, a `from_utf8`, was
        // built only to be compared and dropped); the general path below gives the same
        // results for everything else.
        let (w, after) = r.split_at_checked(atom_len(r)).unwrap_or((r, &[]));
        if !w.is_empty() && after.first() != Some(&b']') {
            match Flag::from_system_octets(w) {
                Some(Flag::Recent) if ctx != FlagCtx::Fetch => return fail(i, "flag"),
                Some(Flag::Wildcard) => return fail(i, "flag"),
                Some(f) => return Ok((after, f)),
                None => {}
            }
        }
    }
    let (mut r2, mut name) = atom(r).or_else(|e| refail(e, i, "flag"))?;
    if r2.first() == Some(&b']') {
        // A `]` inside a flag: read the rest as ASTRING-CHARs.
        quirk(c, r2, Quirk::BracketInFlag)?;
        let (r3, all) = take_while1::<_, _, super::PErr<'_>>(is_astring_char)(r)?;
        r2 = r3;
        name = Atom(Cow::Borrowed(str_of(all)));
    }
    if !system {
        return Ok((r2, Flag::Keyword(name)));
    }
    match Flag::from_system_name(name.as_str()) {
        Some(Flag::Recent) if ctx != FlagCtx::Fetch => fail(i, "flag"),
        Some(Flag::Wildcard) => fail(i, "flag"),
        Some(f) => Ok((r2, f)),
        None => Ok((r2, Flag::Extension(FlagExtension(name.0)))),
    }
}

/// `"(" [flag *(SP flag)] ")"` in the given context.
pub(crate) fn flag_list<'a>(c: &Config, i: &'a [u8], ctx: FlagCtx) -> PResult<'a, Vec<Flag<'a>>> {
    paren_list(c, i, "flag-list", true, |i| flag(c, i, ctx))
}

/// `"(" [item *(SP item)] ")"`, enforcing the item limit and the space-before-paren quirk.
pub(crate) fn paren_list<'a, T>(
    c: &Config,
    i: &'a [u8],
    rule: &'static str,
    allow_empty: bool,
    item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    paren_list_cap(c, i, rule, allow_empty, 4, item)
}

/// [`paren_list`] whose vector starts with room for `cap` items, for a caller that knows
/// how many to expect (issue 9: a FETCH header list of 14 names grew its vector twice).
pub(crate) fn paren_list_cap<'a, T>(
    c: &Config,
    i: &'a [u8],
    rule: &'static str,
    allow_empty: bool,
    cap: usize,
    mut item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut r, _) = byte(i, b'(', rule)?;
    if let Some((b')', rest)) = r.split_first() {
        if allow_empty {
            return Ok((rest, Vec::new()));
        }
        return fail(r, rule);
    }
    // Issue 9: allocated at its first size up front, so the first push does not go through
    // the vector's growth path (≈2 % of the command corpus's instructions); 4 is what that
    // path allocates first for items of this size.
    let mut v = Vec::with_capacity(cap.min(c.limits.max_items));
    loop {
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany(rule, c.limits.max_items));
        }
        let (r2, x) = item(r)?;
        v.push(x);
        let (r2, _) = space_before_paren(c, r2)?;
        match r2.split_first() {
            Some((b')', rest)) => return Ok((rest, v)),
            Some((b' ', rest)) => r = rest,
            _ => return fail(r2, rule),
        }
    }
}

/// `SP` items until the next octet is not a space followed by an item (used for
/// `*(SP x)` at the end of a line).
pub(crate) fn sp_items<'a, T>(
    c: &Config,
    mut r: &'a [u8],
    rule: &'static str,
    v: &mut Vec<T>,
    mut item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, ()> {
    while let Some((b' ', rest)) = r.split_first() {
        let Ok((r2, x)) = item(rest) else { break };
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany(rule, c.limits.max_items));
        }
        v.push(x);
        r = r2;
    }
    Ok((r, ()))
}

/// base64 per RFC 3501 §9 (padding required), decoded.
pub(crate) fn base64_text(i: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    if i.len() % 4 != 0 {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(i).ok()
}

/// An extension item's name: up to SP or `)` outside brackets (`BINARY.PEEK[1]<0.10>`).
pub(crate) fn raw_token(i: &[u8]) -> PResult<'_, &str> {
    let mut depth = 0usize;
    let mut n = 0;
    for &b in i {
        match b {
            b'[' => depth += 1,
            b']' if depth > 0 => depth -= 1,
            b' ' | b')' | b'(' if depth == 0 => break,
            b'\r' | b'\n' | b'"' | b'{' | 0 => break,
            b if b >= 0x80 => break,
            _ => {}
        }
        n += 1;
    }
    if n == 0 || depth != 0 {
        return fail(i, "extension item");
    }
    let (t, rest) = i.split_at_checked(n).unwrap_or((i, &[]));
    Ok((rest, str_of(t)))
}

/// One raw extension value: a string, a literal8 (`~{n}`), a parenthesized list or a token.
pub(crate) fn raw_value<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, &'a [u8]> {
    ext_value(c, i, depth, true)
}

/// `tagged-ext-val` (RFC 4466 §2.1), returned as sent:
///
/// ```text
/// tagged-ext-val    = tagged-ext-simple / "(" [tagged-ext-comp] ")"
/// tagged-ext-simple = sequence-set / number / number64
/// tagged-ext-comp   = astring / tagged-ext-comp *(SP tagged-ext-comp) /
///                     "(" tagged-ext-comp ")"
/// ```
///
/// Its bare words are astrings, so `[` and `]` are ordinary ASTRING-CHARs here, balanced
/// or not (an OLDNAME of `([)` is valid). `raw_value`'s tokens balance brackets because
/// they are also FETCH item names (`BINARY.PEEK[1]<0.10>`); that rule refused a LIST
/// extended item holding a mailbox named `[`. Like `raw_value` it is lenient beyond the
/// grammar (a quoted string, `NIL` or a literal8 at the top), so unknown items stay values.
pub(crate) fn tagged_ext_val<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, &'a [u8]> {
    ext_value(c, i, 0, false)
}

/// `raw_value` and `tagged_ext_val`: bare tokens balance brackets when `bracketed`.
fn ext_value<'a>(c: &Config, i: &'a [u8], depth: usize, bracketed: bool) -> PResult<'a, &'a [u8]> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("extension value", c.limits.max_depth));
    }
    let rest = match i.first() {
        Some(b'"') => quoted(c, i)?.0,
        Some(b'{') => literal(i)?.0,
        Some(b'~') if i.get(1) == Some(&b'{') => literal(i.get(1..).unwrap_or_default())?.0,
        Some(b'(') => {
            let mut r = i.get(1..).unwrap_or_default();
            let mut items = 0;
            loop {
                if let Some((b')', rest)) = r.split_first() {
                    break rest;
                }
                if items > 0 {
                    r = sp(r)?.0;
                }
                if items >= c.limits.max_items {
                    return fatal(r, ErrKind::TooMany("extension value", c.limits.max_items));
                }
                r = ext_value(c, r, depth + 1, bracketed)?.0;
                items += 1;
            }
        }
        _ if bracketed => raw_token(i)?.0,
        _ => {
            // A bare word: up to SP, a parenthesis or an octet no ASTRING-CHAR can be.
            let n = i
                .iter()
                .take_while(|&&b| {
                    !matches!(b, b' ' | b'(' | b')' | b'\r' | b'\n' | b'"' | b'{' | 0) && b < 0x80
                })
                .count();
            if n == 0 {
                return fail(i, "tagged-ext-val");
            }
            i.get(n..).unwrap_or_default()
        }
    };
    let n = i.len() - rest.len();
    Ok((rest, i.get(..n).unwrap_or_default()))
}

/// `number64 = 1*DIGIT ; Unsigned 63-bit integer` (RFC 9051 §9).
pub(crate) fn number64(i: &[u8]) -> PResult<'_, Number64> {
    let (rest, digits) = take_while1::<_, _, super::PErr<'_>>(|b: u8| b.is_ascii_digit())(i)
        .or_else(|e| refail(e, i, "number64"))?;
    let mut n: u64 = 0;
    for d in digits {
        // Checked: 2^63 - 1 times 10 does not fit in a u64.
        match n
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(d - b'0')))
        {
            Some(m) if m <= Number64::MAX => n = m,
            _ => return fail(i, "number64"),
        }
    }
    match Number64::new(n) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, "number64"),
    }
}

/// `nz-number64 = digit-nz *DIGIT` with `n <= 2^63 - 1` (RFC 9051 §9).
pub(crate) fn nz_number64(i: &[u8]) -> PResult<'_, NzNumber64> {
    if i.first() == Some(&b'0') {
        return fail(i, "nz-number64");
    }
    let (rest, n) = number64(i).or_else(|e| refail(e, i, "nz-number64"))?;
    match NzNumber64::new(n.get()) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, "nz-number64"),
    }
}

/// `number64` with the negative-number quirk of [`number_q`] (the value then reads as 0):
/// FETCH `RFC822.SIZE` and `body-fld-lines` (RFC 9051 §9; RFC 3501's `number` is its
/// subset).
pub(crate) fn number64_q<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Number64> {
    if i.first() == Some(&b'-') && i.get(1).is_some_and(u8::is_ascii_digit) {
        quirk(c, i, Quirk::NegativeNumber)?;
        let (rest, _) = number64(i.get(1..).unwrap_or_default())?;
        return Ok((rest, Number64::default()));
    }
    number64(i)
}

/// `mod-sequence-value = 1*DIGIT` with `1 <= n <= 2^63 - 1` (RFC 7162 §7).
pub(crate) fn mod_sequence_value(i: &[u8]) -> PResult<'_, ModSeq> {
    let (rest, n) = number64(i).or_else(|e| refail(e, i, "mod-sequence-value"))?;
    match ModSeq::new(n.get()) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, "mod-sequence-value"),
    }
}

/// `mod-sequence-valzer = "0" / mod-sequence-value` (RFC 7162 §7): `None` for `0`.
pub(crate) fn mod_sequence_valzer(i: &[u8]) -> PResult<'_, Option<ModSeq>> {
    let (rest, n) = number64(i).or_else(|e| refail(e, i, "mod-sequence-valzer"))?;
    Ok((rest, ModSeq::new(n.get()).ok()))
}

/// `literal8 = "~{" number ["+"] "}" CRLF *OCTET` (RFC 3516 §7, RFC 4466 §2.2): like
/// [`literal`], NUL octets allowed.
pub(crate) fn literal8(i: &[u8]) -> PResult<'_, crate::types::core::Literal8<'_>> {
    let (r, _) = byte(i, b'~', "literal8")?;
    let (rest, (data, mode)) = literal_octets(r)?;
    Ok((
        rest,
        crate::types::core::Literal8 {
            data: Cow::Borrowed(data),
            mode,
        },
    ))
}

#[cfg(test)]
mod octet_match_tests {
    //! The issue-9 shortcuts of `flag`, `mailbox` and `date_month` against the definitions
    //! they replaced.
    use super::{FlagCtx, astring, atom, date_month, flag, mailbox, quirk, take_while1};
    use crate::config::{Config, Quirks};
    use crate::types::core::{Atom, is_astring_char};
    use crate::types::datetime::MONTHS;
    use crate::types::flag::{Flag, FlagExtension};
    use crate::types::mailbox::Mailbox;
    use crate::{Quirk, parse::PResult};
    use alloc::borrow::Cow;

    /// `flag` as it was: the name always built as an `Atom`, then compared.
    fn flag_before<'a>(c: &Config, i: &'a [u8], ctx: FlagCtx) -> PResult<'a, Flag<'a>> {
        let (r, system) = match i.first() {
            Some(b'\\') => (&i[1..], true),
            _ => (i, false),
        };
        if system && r.first() == Some(&b'*') {
            if ctx != FlagCtx::Perm {
                quirk(c, i, Quirk::WildcardInFlags)?;
            }
            return Ok((&r[1..], Flag::Wildcard));
        }
        let (mut r2, mut name) = atom(r).or_else(|e| super::refail(e, i, "flag"))?;
        if r2.first() == Some(&b']') {
            quirk(c, r2, Quirk::BracketInFlag)?;
            let (r3, all) = take_while1::<_, _, crate::parse::PErr<'_>>(is_astring_char)(r)?;
            r2 = r3;
            name = Atom(Cow::Borrowed(core::str::from_utf8(all).unwrap()));
        }
        if !system {
            return Ok((r2, Flag::Keyword(name)));
        }
        match Flag::from_system_name(name.as_str()) {
            Some(Flag::Recent) if ctx != FlagCtx::Fetch => super::fail(i, "flag"),
            Some(Flag::Wildcard) => super::fail(i, "flag"),
            Some(f) => Ok((r2, f)),
            None => Ok((r2, Flag::Extension(FlagExtension(name.0)))),
        }
    }

    #[test]
    fn flag_matches_the_former_definition() {
        let names = [
            "Seen",
            "seen",
            "SEEN",
            "Answered",
            "Flagged",
            "Deleted",
            "Draft",
            "Recent",
            "recent",
            "Seen]",
            "Seen]x",
            "Seenx",
            "Foo",
            "*",
            "",
            "Se",
            "Seen)",
            "Seen ",
            "Draft\r\n",
            "Recent]",
        ];
        let configs = [Quirks::STRICT, Quirks::LENIENT].map(|quirks| Config {
            quirks,
            ..Config::default()
        });
        for c in &configs {
            for ctx in [FlagCtx::Flag, FlagCtx::Fetch, FlagCtx::Perm] {
                for n in names {
                    for prefix in ["\\", ""] {
                        let input = format!("{prefix}{n}");
                        let i = input.as_bytes();
                        assert_eq!(flag(c, i, ctx), flag_before(c, i, ctx), "{input:?} {ctx:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn mailbox_matches_astring_then_mailbox_new() {
        let c = Config::default();
        for input in [
            &b"INBOX"[..],
            b"inbox ",
            b"InBoX)",
            b"INBOX\r\n",
            b"INBOXES",
            b"INBOX]",
            b"INBOX+",
            b"INBOX{",
            b"INBO",
            b"\"INBOX\"",
            b"\"inbox\" ",
            b"Archive/2024 ",
            b"",
        ] {
            let want = astring(&c, input).map(|(r, a)| (r, Mailbox::new(a)));
            let got = mailbox(&c, input);
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{input:?}"),
                (Err(_), Err(_)) => {}
                (g, w) => panic!("{input:?}: {g:?} vs {w:?}"),
            }
        }
    }

    #[test]
    fn str_within_gives_what_from_utf8_of_the_token_gives() {
        // Every sub-slice of a line with multi-octet characters, against every validated
        // prefix of it (characters cut at either end, tokens partly outside), and tokens
        // from another buffer with the same octets.
        let line = "a\u{e9}b \u{1f600}c (X-\u{e9}) z".as_bytes();
        let copy = line.to_vec();
        for end in 0..=line.len() {
            let text = super::utf8_prefix(&line[..end]);
            assert!(line[..end].starts_with(text.as_bytes()));
            for a in 0..line.len() {
                for b in a..=line.len() {
                    let want = core::str::from_utf8(&line[a..b]).unwrap_or_default();
                    assert_eq!(super::str_within(text, &line[a..b]), want, "{end} {a} {b}");
                    assert_eq!(super::str_within(text, &copy[a..b]), want, "{end} {a} {b}");
                }
            }
        }
    }

    #[test]
    fn astring_in_gives_what_astring_gives() {
        let c = Config::default();
        let line = b"(From To Cc \"Sub ject\" Message-ID X]y {3}\r\nabc) tail";
        for end in 0..=line.len() {
            let text = super::utf8_prefix(&line[..end]);
            for start in 0..line.len() {
                let i = &line[start..];
                assert_eq!(
                    super::astring_in(&c, text, i),
                    astring(&c, i),
                    "{end} {start}"
                );
            }
        }
    }

    #[test]
    fn date_month_matches_a_case_insensitive_comparison() {
        // Every octet at every position of every month name.
        for name in MONTHS {
            for pos in 0..3 {
                for b in 0..=255u8 {
                    let mut w = *name;
                    w[pos] = b;
                    let input = [&w[..], b"-2024"].concat();
                    let want = MONTHS
                        .iter()
                        .position(|m| m.eq_ignore_ascii_case(&w))
                        .map(|m| m as u8 + 1);
                    let got = date_month(&input).ok().map(|(r, m)| {
                        assert_eq!(r, b"-2024");
                        m
                    });
                    assert_eq!(got, want, "{w:?}");
                }
            }
        }
    }
}
