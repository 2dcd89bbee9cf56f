//! Byte-level fast paths for the command shapes that make up almost all of real traffic:
//! `MAIL FROM:<local@domain>` and `RCPT TO:<local@domain>` with a few common parameters,
//! `EHLO domain`, and the argument-less verbs.
//!
//! Why: profiling the nom grammar on a submission-style session (callgrind, `benches/`
//! `smtp` bench) showed the time going to the generic combinators (`take_while1` closures
//! per label and atom, large `IResult<(&[u8], Command)>` values moved through every layer,
//! `cut`/`exp` wrappers) and to one `from_utf8` per address piece. Here every byte is
//! classified by a single table lookup, keywords are compared as folded `u32`/`u64` loads,
//! the values are built once, and the address is checked as UTF-8 once.
//!
//! Contract: [`command`] returns `Some` only for lines the full grammar
//! ([`super::command::command_line_full`]) accepts, and then returns exactly the value the
//! grammar returns. Anything unusual (quoted local parts, source routes, address literals,
//! 8-bit bytes, extra spaces, limits reached, unknown or duplicate parameters, any error)
//! returns `None` and the caller runs the full grammar, which also produces the precise
//! error. The unit tests at the bottom (a proptest over generated and mutated lines) pin
//! the two to identical results.

use alloc::borrow::Cow;

use crate::types::command::{Command, MailFrom, RcptTo};
use crate::types::param::{Parameters, Repr};
use crate::types::path::{
    Domain, ForwardPath, Host, LocalPart, MAX_DOMAIN, MAX_LOCAL_PART, MAX_PATH, Mailbox,
    ReversePath,
};

/// `atext` of RFC 5322 §3.2.3, ASCII only (8-bit bytes leave the fast path).
const ATEXT: u8 = 1;
/// `Let-dig = ALPHA / DIGIT` (ASCII).
const LETDIG: u8 = 2;
/// `Ldh-str` octets: `ALPHA / DIGIT / "-"` (also `esmtp-keyword` octets).
const LDH: u8 = 4;
/// `DIGIT`.
const DIGIT: u8 = 8;
/// `esmtp-value` octets, ASCII: `%d33-60 / %d62-126`.
const VALUE: u8 = 16;

/// One table lookup per byte classifies it for every rule used here (instead of a chain
/// of range tests in a closure per rule).
// Const evaluation: an index out of range would be a compile error, and `b < 128`.
#[allow(clippy::indexing_slicing)]
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 128 {
        let c = b as u8;
        let alpha = c.is_ascii_alphabetic();
        let digit = c.is_ascii_digit();
        let mut v = 0;
        if alpha || digit {
            v |= LETDIG | LDH | ATEXT;
        }
        if digit {
            v |= DIGIT;
        }
        if c == b'-' {
            v |= LDH;
        }
        if matches!(c, 33..=60 | 62..=126) {
            v |= VALUE;
        }
        if matches!(
            c,
            b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'/' | b'=' | b'?' | b'^'..=b'`' | b'{'..=b'~'
        ) {
            v |= ATEXT;
        }
        t[b] = v;
        b += 1;
    }
    t
};

#[inline(always)]
fn class(b: u8) -> u8 {
    // A `[u8; 256]` indexed by a `u8`: always in range, so the optimiser drops both the
    // bounds check and the fallback.
    CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

/// The length of the run of bytes in class `mask` at the start of `s`. An iterator's
/// `position` over a sub-slice: no bounds check per byte (unlike indexing in a loop).
#[inline(always)]
fn span(s: &[u8], mask: u8) -> usize {
    s.iter()
        .position(|b| class(*b) & mask == 0)
        .unwrap_or(s.len())
}

#[inline(always)]
fn at(line: &[u8], i: usize) -> Option<u8> {
    line.get(i).copied()
}

/// The first four bytes as a little-endian `u32`.
#[inline(always)]
fn load4(line: &[u8], i: usize) -> Option<u32> {
    let b = line.get(i..i + 4)?;
    Some(u32::from_le_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

/// Eight bytes at `i` as a little-endian `u64`.
#[inline(always)]
fn load8(line: &[u8], i: usize) -> Option<u64> {
    let b: [u8; 8] = line.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// The mask that folds ASCII letters to upper case (bit 5 cleared) and leaves other bytes
/// alone, for a keyword pattern. Comparing `(x & mask) == pattern` is then exact: a byte
/// matches a letter `L` only if it is `L` or its lower-case form, and any other pattern
/// byte only by equality (so `:` is not confused with `\x1a`).
// `i < N` on both arrays of length `N`: the indexing cannot go out of range.
#[allow(clippy::indexing_slicing)]
const fn fold_mask<const N: usize>(kw: &[u8; N]) -> [u8; N] {
    let mut m = [0xFFu8; N];
    let mut i = 0;
    while i < N {
        if kw[i].is_ascii_alphabetic() {
            m[i] = 0xDF;
        }
        i += 1;
    }
    m
}

const fn kw4(k: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*k)
}
const fn kw8(k: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*k)
}
const fn mask4(k: &[u8; 4]) -> u32 {
    u32::from_le_bytes(fold_mask(k))
}
const fn mask8(k: &[u8; 8]) -> u64 {
    u64::from_le_bytes(fold_mask(k))
}

/// `word` (4 letters) at `i`, case-insensitively.
#[inline(always)]
fn is4(line: &[u8], i: usize, k: &[u8; 4]) -> bool {
    load4(line, i).is_some_and(|x| x & mask4(k) == kw4(k))
}

/// `word` (8 bytes) at `i`, case-insensitively on its letters.
#[inline(always)]
fn is8(line: &[u8], i: usize, k: &[u8; 8]) -> bool {
    load8(line, i).is_some_and(|x| x & mask8(k) == kw8(k))
}

/// The fast path: `Some` exactly when it is sure of the full grammar's answer.
#[inline]
pub(crate) fn command(line: &[u8]) -> Option<Command<'_>> {
    let verb = load4(line, 0)? & 0xDFDF_DFDF;
    // Letters only in the keywords below, so the plain `0xDF` fold is exact.
    match (verb, line.len()) {
        (v, _) if v == kw4(b"RCPT") => rcpt(line),
        (v, _) if v == kw4(b"MAIL") => mail(line),
        (v, 4) if v == kw4(b"DATA") => Some(Command::Data),
        (v, 4) if v == kw4(b"RSET") => Some(Command::Rset),
        (v, 4) if v == kw4(b"QUIT") => Some(Command::Quit),
        (v, 4) if v == kw4(b"NOOP") => Some(Command::Noop(None)),
        (v, 4) if v == kw4(b"HELP") => Some(Command::Help(None)),
        (v, 8) if v == kw4(b"STAR") && is4(line, 4, b"TTLS") => Some(Command::StartTls),
        (v, _) if v == kw4(b"EHLO") => hello(line).map(Command::Ehlo),
        (v, _) if v == kw4(b"HELO") => hello(line).map(Command::Helo),
        (v, _) if v == kw4(b"LHLO") => hello(line).map(Command::Lhlo),
        _ => None,
    }
}

/// `line[from..]` as `&str`: one UTF-8 check for the rest of the line, started at an
/// 8-byte aligned address at or before `from` (the bytes before `from` are the verb and
/// `FROM:<`/`TO:<`, already matched as ASCII).
///
/// Why: `str::from_utf8` takes its word-at-a-time ASCII path only from an aligned
/// address and walks byte by byte until it gets there; callgrind showed ~140
/// instructions per address when it was validated from its own (unaligned) start. `None`
/// when the rest of the line is not UTF-8 (then the grammar decides).
#[inline]
fn ascii_str(line: &[u8], from: usize) -> Option<&str> {
    let k = line.as_ptr().align_offset(8).min(from);
    let s = core::str::from_utf8(line.get(k..)?).ok()?;
    s.get(from - k..)
}

/// `EHLO SP Domain` with nothing after the domain.
fn hello(line: &[u8]) -> Option<Host<'_>> {
    if at(line, 4)? != b' ' {
        return None;
    }
    let end = domain(line, 5)?;
    if end != line.len() {
        return None;
    }
    let s = ascii_str(line, 5)?.get(..end - 5)?;
    Some(Host::Domain(Domain(Cow::Borrowed(s))))
}

/// `MAIL FROM:` `Reverse-path` [SP `Mail-parameters`].
fn mail(line: &[u8]) -> Option<Command<'_>> {
    // "MAIL FROM:" as one u64 ("MAIL FRO") and one u16 ("M:").
    if !(is8(line, 0, b"MAIL FRO") && matches!(at(line, 8)?, b'M' | b'm') && at(line, 9)? == b':') {
        return None;
    }
    let (path, end) = if line.get(10..12) == Some(b"<>") {
        (ReversePath::Null, 12)
    } else {
        let (m, end) = path(line, 10)?;
        (ReversePath::Mailbox(m), end)
    };
    let params = params(line, end)?;
    Some(Command::MailFrom(MailFrom { path, params }))
}

/// `RCPT TO:` `Forward-path` [SP `Rcpt-parameters`].
fn rcpt(line: &[u8]) -> Option<Command<'_>> {
    if !is8(line, 0, b"RCPT TO:") {
        return None;
    }
    // `<Postmaster>` has no `@`, so `path` declines it and the grammar handles it.
    let (m, end) = path(line, 8)?;
    let params = params(line, end)?;
    Some(Command::RcptTo(RcptTo {
        path: ForwardPath::Mailbox(m),
        params,
    }))
}

/// `"<" Dot-string "@" Domain ">"` at `start`; returns the mailbox and the index after
/// `>`. The limits of RFC 5321 §4.5.3.1 are checked; reaching one leaves the fast path so
/// that the grammar reports it.
fn path(line: &[u8], start: usize) -> Option<(Mailbox<'_>, usize)> {
    if at(line, start)? != b'<' {
        return None;
    }
    let lp = start + 1;
    // Dot-string = Atom *("." Atom): no leading, trailing or doubled dot.
    let mut i = lp;
    loop {
        let n = span(line.get(i..)?, ATEXT);
        if n == 0 {
            return None;
        }
        i += n;
        match at(line, i)? {
            b'.' => i += 1,
            b'@' => break,
            _ => return None,
        }
    }
    let at_sign = i;
    if at_sign - lp > MAX_LOCAL_PART {
        return None;
    }
    let end = domain(line, at_sign + 1)?;
    if at(line, end)? != b'>' || end + 1 - start > MAX_PATH {
        return None;
    }
    // One UTF-8 check per line (all ASCII here, so the slices are on character
    // boundaries).
    let text = ascii_str(line, lp)?;
    let (local, host) = (
        text.get(..at_sign - lp)?,
        text.get(at_sign - lp + 1..end - lp)?,
    );
    Some((
        Mailbox {
            local_part: LocalPart(Cow::Borrowed(local)),
            host: Host::Domain(Domain(Cow::Borrowed(host))),
        },
        end + 1,
    ))
}

/// `Domain = sub-domain *("." sub-domain)` at `start`, ASCII labels only; returns the
/// index after it. A label is `Let-dig [Ldh-str]` of at most 63 octets, the whole at most
/// [`MAX_DOMAIN`].
fn domain(line: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        let label = i;
        if class(at(line, i)?) & LETDIG == 0 {
            return None;
        }
        i += 1 + span(line.get(i + 1..)?, LDH);
        // The last octet may not be "-" (and neither the first, checked above).
        if line.get(i - 1) == Some(&b'-') || i - label > 63 {
            return None;
        }
        if at(line, i) == Some(b'.') {
            i += 1;
        } else {
            break;
        }
    }
    if i - start > MAX_DOMAIN {
        return None;
    }
    Some(i)
}

/// What follows the path: nothing, or SP and parameters.
fn params(line: &[u8], end: usize) -> Option<Parameters<'_>> {
    let rest = line.get(end..)?;
    if rest.is_empty() {
        return Some(Parameters::new());
    }
    if let Some(p) = rest.strip_prefix(b" ") {
        if let Some(span) = fast_params(p) {
            return Some(Parameters(Repr::Raw(span)));
        }
    }
    // Unusual parameters: the grammar on this suffix only (the path need not be parsed
    // again); any error there sends the whole line to the grammar for its offset.
    match super::command::params(rest) {
        Ok(([], p)) => Some(p),
        _ => None,
    }
}

/// `esmtp-param *(SP esmtp-param)` for the common keywords (SIZE, BODY, SMTPUTF8,
/// REQUIRETLS, RET, NOTIFY), single spaces, nothing after; `None` for anything else.
fn fast_params(p: &[u8]) -> Option<&[u8]> {
    let mut seen = 0u8;
    let mut i = 0;
    loop {
        let kw = i;
        let klen = span(p.get(i..)?, LDH);
        i += klen;
        // The value: `esmtp-value` octets up to the next SP or the end.
        let (v, vend) = if at(p, i) == Some(b'=') {
            let v0 = i + 1;
            let n = span(p.get(v0..)?, VALUE);
            (Some(p.get(v0..v0 + n)?), v0 + n)
        } else {
            (None, i)
        };
        let bit = match (klen, v) {
            (4, Some(v)) if is4(p, kw, b"SIZE") => {
                // RFC 1870: 1*20DIGIT that fits a u64 (the grammar's `number`).
                if v.is_empty() || v.len() > 20 || !v.iter().all(|b| class(*b) & DIGIT != 0) {
                    return None;
                }
                v.iter().try_fold(0u64, |n, d| {
                    n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                })?;
                1
            }
            (4, Some(v)) if is4(p, kw, b"BODY") => {
                let ok = (v.len() == 8 && is8(v, 0, b"8BITMIME"))
                    || (v.len() == 4 && is4(v, 0, b"7BIT"))
                    || (v.len() == 10 && is8(v, 0, b"BINARYMI") && is2me(v));
                if !ok {
                    return None;
                }
                2
            }
            (8, None) if is8(p, kw, b"SMTPUTF8") => 4,
            (10, None) if is8(p, kw, b"REQUIRET") && is_ls(p, kw + 8) => 8,
            (3, Some(v)) if is_ret(p, kw) => {
                if !(v.len() == 4 && (is4(v, 0, b"FULL") || is4(v, 0, b"HDRS"))) {
                    return None;
                }
                16
            }
            (6, Some(v)) if is4(p, kw, b"NOTI") && is_fy(p, kw + 4) => {
                super::param::notify(v).ok()?;
                32
            }
            _ => return None,
        };
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        match at(p, vend) {
            None => return Some(p),
            Some(b' ') if vend + 1 < p.len() && at(p, vend + 1) != Some(b' ') => i = vend + 1,
            _ => return None,
        }
    }
}

fn is2me(v: &[u8]) -> bool {
    matches!(v.get(8..10), Some([a, b]) if a.eq_ignore_ascii_case(&b'M') && b.eq_ignore_ascii_case(&b'E'))
}
fn is_ls(p: &[u8], i: usize) -> bool {
    matches!(p.get(i..i + 2), Some([a, b]) if a.eq_ignore_ascii_case(&b'L') && b.eq_ignore_ascii_case(&b'S'))
}
fn is_fy(p: &[u8], i: usize) -> bool {
    matches!(p.get(i..i + 2), Some([a, b]) if a.eq_ignore_ascii_case(&b'F') && b.eq_ignore_ascii_case(&b'Y'))
}
fn is_ret(p: &[u8], i: usize) -> bool {
    matches!(p.get(i..i + 3), Some(k) if k.eq_ignore_ascii_case(b"RET"))
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::command;
    use crate::parse::command::{command_line, command_line_full};
    use crate::serialize::Encode;

    fn wire(c: &crate::types::command::Command<'_>) -> Vec<u8> {
        let mut v = Vec::new();
        c.encode(&mut v);
        v
    }

    /// The fast path agrees with the grammar on `line`: same value (and the same bytes
    /// when written back), or it declines. The public entry point always equals the
    /// grammar, errors included.
    fn agree(line: &[u8]) -> bool {
        let full = command_line_full(line);
        assert_eq!(
            command_line(line),
            full,
            "{:?}",
            String::from_utf8_lossy(line)
        );
        match command(line) {
            Some(fast) => {
                let full = full.unwrap_or_else(|e| {
                    panic!(
                        "fast path accepted {:?}, grammar says {e}",
                        String::from_utf8_lossy(line)
                    )
                });
                assert_eq!(fast, full);
                assert_eq!(wire(&fast), wire(&full));
                true
            }
            None => false,
        }
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        for line in [
            &b"MAIL FROM:<newsletter+bounce-1@lists.example.org> SIZE=10037 BODY=8BITMIME"[..],
            b"mail from:<a@b>",
            b"MAIL FROM:<>",
            b"MAIL FROM:<> SIZE=0",
            b"MAIL FROM:<a.b.c@x-y.example> SMTPUTF8 REQUIRETLS RET=HDRS BODY=7bit",
            b"MAIL FROM:<a@b> BODY=BINARYMIME SIZE=18446744073709551615",
            b"RCPT TO:<user0.1@customer-0.example.net>",
            b"Rcpt To:<x@y.z> NOTIFY=SUCCESS,FAILURE",
            b"RCPT TO:<postmaster@example.org>",
            b"RCPT TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y.z",
            b"EHLO client-17.mail.example.org",
            b"helo a",
            b"LHLO a.b",
            b"DATA",
            b"rset",
            b"QUIT",
            b"NOOP",
            b"HELP",
            b"StartTLS",
        ] {
            assert!(agree(line), "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn unusual_shapes_fall_back_with_the_same_result() {
        for line in [
            &b"MAIL FROM:<\"quoted user\"@example.org>"[..],
            b"MAIL FROM:<@route.example:a@b>",
            b"MAIL FROM: <a@b>",
            b"MAIL FROM:<a@[192.0.2.1]>",
            b"MAIL FROM:<a@b> SIZE=1 SIZE=2",
            b"MAIL FROM:<a@b> SIZE=18446744073709551616",
            b"MAIL FROM:<a@b> SIZE=",
            b"MAIL FROM:<a@b> BODY=9BIT",
            b"MAIL FROM:<a@b.> ",
            b"MAIL FROM:<a@-b>",
            b"MAIL FROM:<a@b->",
            b"MAIL FROM:<a..b@c>",
            b"MAIL FROM:<.a@c>",
            b"MAIL FROM:<a.@c>",
            b"MAIL FROM:<>x",
            b"MAIL FROM:<j\xc3\xb6rg@b\xc3\xbccher.example> SMTPUTF8",
            b"MAIL FROM:<a@b\xff>",
            b"RCPT TO:<Postmaster>",
            b"RCPT TO:<>",
            b"RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS",
            b"RCPT TO:<a@b> SMTPUTF8=1",
            b"EHLO [IPv6:2001:db8::1]",
            b"EHLO a.b ",
            b"EHLO a..b",
            b"EHLO",
            b"DATA ",
            b"DATA x",
            b"NOOP hello",
            b"STARTTLS now",
            b"QUITX",
            b"",
        ] {
            assert!(!agree(line), "{:?}", String::from_utf8_lossy(line));
        }
        // Parameters outside the byte-level set go through the grammar for the parameters
        // alone (after the fast path has read the address): still the same result.
        for line in [
            &b"MAIL FROM:<a@b>  SIZE=1"[..],
            b"MAIL FROM:<a@b> SIZE=1 ",
            b"MAIL FROM:<a@b> X-FOO=bar ENVID=a+2Bb",
            b"RCPT TO:<a@b> ORCPT=rfc822;a+40b NOTIFY=DELAY",
        ] {
            assert!(agree(line), "{:?}", String::from_utf8_lossy(line));
        }
        // Limits: the grammar reports them, the fast path declines.
        let long_local = alloc::format!("MAIL FROM:<{}@b>", "a".repeat(65));
        let long_label = alloc::format!("RCPT TO:<a@{}.b>", "c".repeat(64));
        let long_path = alloc::format!("RCPT TO:<a@{}>", alloc::vec!["d".repeat(60); 5].join("."));
        let long_domain = alloc::format!("EHLO {}", alloc::vec!["e".repeat(60); 5].join("."));
        for line in [long_local, long_label, long_path, long_domain] {
            assert!(!agree(line.as_bytes()));
            assert!(command_line_full(line.as_bytes()).is_err(), "{line}");
        }
        // Just inside the limits: fast.
        let local64 = alloc::format!("MAIL FROM:<{}@b>", "a".repeat(64));
        let label63 = alloc::format!("RCPT TO:<a@{}.b>", "c".repeat(63));
        for line in [local64, label63] {
            assert!(agree(line.as_bytes()), "{line}");
        }
    }

    /// The byte table equals the grammar's predicates, on every octet.
    #[test]
    fn byte_classes_match_the_grammar() {
        for b in 0..=255u8 {
            let atext = crate::parse::path::is_atext(b) && b < 0x80;
            assert_eq!(super::class(b) & super::ATEXT != 0, atext, "{b:#x}");
            let alnum = b.is_ascii_alphanumeric();
            assert_eq!(super::class(b) & super::LETDIG != 0, alnum, "{b:#x}");
            assert_eq!(
                super::class(b) & super::LDH != 0,
                alnum || b == b'-',
                "{b:#x}"
            );
            assert_eq!(
                super::class(b) & super::DIGIT != 0,
                b.is_ascii_digit(),
                "{b:#x}"
            );
            assert_eq!(
                super::class(b) & super::VALUE != 0,
                matches!(b, 33..=60 | 62..=126),
                "{b:#x}"
            );
        }
    }

    /// Pieces that exercise every branch of the fast path and its edges.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(&[
            "MAIL",
            "mail",
            "RCPT",
            "rcpt",
            "EHLO",
            "HELO",
            "lhlo",
            "DATA",
            "RSET",
            "QUIT",
            "NOOP",
            "HELP",
            "STARTTLS",
            "FROM:",
            "from:",
            "TO:",
            " ",
            "  ",
            "<",
            ">",
            "<>",
            "@",
            ".",
            "..",
            "-",
            "a",
            "Z",
            "9",
            "user",
            "x-y",
            "+tag",
            "\"q\"",
            "[1.2.3.4]",
            "example",
            "com",
            "\u{e9}",
            "\u{fc}ber",
            "SIZE=",
            "SIZE=123",
            "BODY=8BITMIME",
            "BODY=7BIT",
            "BODY=BINARYMIME",
            "body=binarymimf",
            "SMTPUTF8",
            "REQUIRETLS",
            "RET=FULL",
            "RET=HDRS",
            "NOTIFY=SUCCESS,DELAY",
            "NOTIFY=NEVER",
            "X-FOO=1",
            "=",
            ",",
            ":",
            "Postmaster",
            "18446744073709551616",
            "\t",
        ])
        .prop_map(|s| s)
    }

    fn line() -> impl Strategy<Value = Vec<u8>> {
        let structured = (
            prop::sample::select(&["MAIL FROM:", "mail from:", "RCPT TO:", "rcpt to:"][..]),
            prop::collection::vec(piece(), 0..4),
            prop::collection::vec(piece(), 1..4),
            prop::collection::vec(piece(), 0..6),
        )
            .prop_map(|(v, local, dom, params)| {
                let mut s = String::from(v);
                s.push('<');
                s.extend(local);
                s.push('@');
                s.extend(dom);
                s.push('>');
                s.extend(params);
                s.into_bytes()
            });
        let free = prop::collection::vec(piece(), 1..10).prop_map(|v| v.concat().into_bytes());
        prop_oneof![structured, free, near_valid()]
    }

    /// Mostly well-formed MAIL/RCPT/EHLO lines (so that mutations land near the edges of
    /// the fast path rather than far outside it).
    fn near_valid() -> impl Strategy<Value = Vec<u8>> {
        let atom = prop::sample::select(
            &[
                "a",
                "john",
                "x-y",
                "a+b",
                "0",
                "Z9",
                "{}",
                "!#$%&'*/=?^_`|~",
                "",
                "\u{e9}",
            ][..],
        );
        let label = prop::sample::select(
            &[
                "example",
                "com",
                "a",
                "b-c",
                "9",
                "xn--bcher-kva",
                "-a",
                "a-",
                "",
                "_",
            ][..],
        );
        let param = prop::sample::select(
            &[
                "SIZE=0",
                "SIZE=99999999999999999999",
                "size=12",
                "BODY=8bitmime",
                "BODY=7BIT",
                "BODY=BINARYMIME",
                "SMTPUTF8",
                "REQUIRETLS",
                "RET=HDRS",
                "ret=full",
                "NOTIFY=FAILURE",
                "NOTIFY=SUCCESS,FAILURE,DELAY",
                "X-A=1",
                "AUTH=<>",
                "ENVID=x",
                "SIZE=1",
            ][..],
        );
        (
            prop::sample::select(&["MAIL FROM:", "Mail From:", "RCPT TO:", "EHLO "][..]),
            prop::collection::vec(atom, 1..3),
            prop::collection::vec(label, 1..4),
            prop::collection::vec(param, 0..4),
        )
            .prop_map(|(v, local, dom, params)| {
                let mut s = String::from(v);
                if v.starts_with("EHLO") {
                    s.push_str(&dom.join("."));
                    return s.into_bytes();
                }
                s.push('<');
                s.push_str(&local.join("."));
                s.push('@');
                s.push_str(&dom.join("."));
                s.push('>');
                for p in params {
                    s.push(' ');
                    s.push_str(p);
                }
                s.into_bytes()
            })
    }

    /// A line and a few byte-level mutations (replace, insert, delete) of it.
    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        (
            line(),
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..3),
        )
            .prop_map(|(mut l, edits)| {
                for (ix, b, op) in edits {
                    if l.is_empty() {
                        l.push(b);
                        continue;
                    }
                    let i = ix.index(l.len());
                    match op {
                        0 => {
                            if let Some(x) = l.get_mut(i) {
                                *x = b;
                            }
                        }
                        1 => l.insert(i, b),
                        _ => {
                            l.remove(i);
                        }
                    }
                }
                l
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn fast_path_equals_the_grammar(l in line()) {
            agree(&l);
        }

        #[test]
        fn fast_path_equals_the_grammar_mutated(l in mutated()) {
            agree(&l);
        }

        #[test]
        fn fast_path_equals_the_grammar_on_any_bytes(
            prefix in prop::sample::select(&["MAIL FROM:<", "RCPT TO:<", "EHLO ", "DATA", ""][..]),
            tail in prop::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut l = prefix.as_bytes().to_vec();
            l.extend(tail);
            agree(&l);
        }
    }

    /// The generators do reach the fast path often (the property is not vacuous).
    #[test]
    fn generated_lines_often_take_the_fast_path() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let s = line();
        let mut fast = 0;
        for _ in 0..2000 {
            let l = s.new_tree(&mut runner).unwrap().current();
            if agree(&l) {
                fast += 1;
            }
        }
        assert!(
            fast > 100,
            "only {fast} of 2000 generated lines took the fast path"
        );
    }
}
