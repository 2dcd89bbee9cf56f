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
use core::ops::ControlFlow;

use crate::types::LineLimits;
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
/// `.`.
const DOT: u8 = 32;
/// `atext` or `.` (the octets of a `Dot-string`).
const ATOM_DOT: u8 = 64;
/// `Ldh-str` octets or `.` (the octets of a `Domain`).
const DOMAIN_OCTET: u8 = 128;

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
        if c == b'.' {
            v |= DOT;
        }
        if matches!(
            c,
            b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'/' | b'=' | b'?' | b'^'..=b'`' | b'{'..=b'~'
        ) {
            v |= ATEXT;
        }
        if v & (ATEXT | DOT) != 0 {
            v |= ATOM_DOT;
        }
        if v & (LDH | DOT) != 0 {
            v |= DOMAIN_OCTET;
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

/// Where a command line ends, for the MAIL and RCPT scans.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// At the end of the slice: it is one line, its CRLF already removed.
    Slice,
    /// At a CRLF inside the slice: it is the front of the input, framing not done yet.
    Crlf,
}

/// The fast path on undecoded input: `Some((command, consumed))` exactly when the line
/// ends at the first CRLF of `input`, within the verb's limit in `limits`, and
/// [`command`] would return `Some(command)` for that line.
///
/// Why: framing first (a `memchr` call per line, about 50 instructions in callgrind)
/// and then parsing scanned every octet twice. The MAIL and RCPT scans stop at the first
/// octet their rule does not allow, and none allows CR or LF, so where they stop is
/// where the line must end: a CRLF there is the first LF of the input, as `memchr` would
/// have found it. The argument-less verbs need only the two octets after the verb (their
/// four octets are letters, so no LF is before). Anything else returns `None` and the
/// caller frames the line with `memchr` as before.
///
/// The line limits are applied here (the scans never look past a verb's limit), so
/// that the verb is read once: the caller needs no `command_line_limit` for these.
#[inline]
pub(crate) fn command_framed<'a>(
    input: &'a [u8],
    limits: &LineLimits,
) -> Option<(Command<'a>, usize)> {
    let verb = load4(input, 0)? & 0xDFDF_DFDF;
    let (command, len) = if verb == kw4(b"RCPT") {
        rcpt(input.get(..limits.rcpt).unwrap_or(input), End::Crlf)?
    } else if verb == kw4(b"MAIL") {
        mail(input.get(..limits.mail).unwrap_or(input), End::Crlf)?
    } else {
        if input.get(4..6) != Some(b"\r\n") || limits.other < 6 {
            return None;
        }
        let command = match verb {
            v if v == kw4(b"DATA") => Command::Data,
            v if v == kw4(b"RSET") => Command::Rset,
            v if v == kw4(b"QUIT") => Command::Quit,
            v if v == kw4(b"NOOP") => Command::Noop(None),
            v if v == kw4(b"HELP") => Command::Help(None),
            _ => return None,
        };
        (command, 4)
    };
    Some((command, len + 2))
}

/// The fast path: `Some` exactly when it is sure of the full grammar's answer.
#[inline]
pub(crate) fn command(line: &[u8]) -> Option<Command<'_>> {
    let verb = load4(line, 0)? & 0xDFDF_DFDF;
    // Letters only in the keywords below, so the plain `0xDF` fold is exact.
    match (verb, line.len()) {
        (v, _) if v == kw4(b"RCPT") => rcpt(line, End::Slice).map(|(c, _)| c),
        (v, _) if v == kw4(b"MAIL") => mail(line, End::Slice).map(|(c, _)| c),
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

/// `line[from..to]` as `&str`: one UTF-8 check, started at an 8-byte aligned address at
/// or before `from` (the bytes before `from` are the verb and `FROM:<`/`TO:<`, already
/// matched as ASCII).
///
/// Why: `str::from_utf8` takes its word-at-a-time ASCII path only from an aligned
/// address and walks byte by byte until it gets there; callgrind showed ~140
/// instructions per address when it was validated from its own (unaligned) start. `None`
/// when it is not UTF-8 (then the grammar decides). The callers have checked that the
/// bytes are ASCII; safe Rust has no cheaper way to turn them into a `&str`.
///
/// Third pass: the span checked ends later when `line` has the octets, so that its
/// length is a multiple of 16: `from_utf8` checks ASCII 16 octets at a time and the last
/// `len % 16` one by one, about 5 instructions each (callgrind: 127 instructions for 30
/// aligned octets, 64 for 32). The `&str` is then cut back to `from..to` (two O(1)
/// character-boundary checks): the same `&str`. If the extra octets (what follows the
/// address: parameters, the next command) are not UTF-8, the result is `None` and the
/// grammar gives the answer, the same one. One `from_utf8` call only: a second call for
/// the exact span as a retry made the common case dearer than it saved.
#[inline]
fn ascii_str(line: &[u8], from: usize, to: usize) -> Option<&str> {
    let k = line.as_ptr().align_offset(8).min(from);
    let long = k + to.checked_sub(k)?.next_multiple_of(16);
    let end = if long <= line.len() { long } else { to };
    let s = core::str::from_utf8(line.get(k..end)?).ok()?;
    s.get(from - k..to - k)
}

/// `EHLO SP Domain` with nothing after the domain.
fn hello(line: &[u8]) -> Option<Host<'_>> {
    if at(line, 4)? != b' ' || domain(line.get(5..)?)? != line.len() - 5 {
        return None;
    }
    let s = ascii_str(line, 5, line.len())?;
    Some(Host::Domain(Domain(Cow::Borrowed(s))))
}

/// `MAIL FROM:` `Reverse-path` [SP `Mail-parameters`], and the line's length (CRLF
/// excluded) where it ends as `end` says.
#[inline(always)]
fn mail(line: &[u8], end_at: End) -> Option<(Command<'_>, usize)> {
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
    let (params, len) = params(line, end, end_at)?;
    Some((Command::MailFrom(MailFrom { path, params }), len))
}

/// `RCPT TO:` `Forward-path` [SP `Rcpt-parameters`], and the line's length as for
/// [`mail`].
#[inline(always)]
fn rcpt(line: &[u8], end_at: End) -> Option<(Command<'_>, usize)> {
    if !is8(line, 0, b"RCPT TO:") {
        return None;
    }
    // `<Postmaster>` has no `@`, so `path` declines it and the grammar handles it.
    let (m, end) = path(line, 8)?;
    let (params, len) = params(line, end, end_at)?;
    Some((
        Command::RcptTo(RcptTo {
            path: ForwardPath::Mailbox(m),
            params,
        }),
        len,
    ))
}

/// `"<" Dot-string "@" Domain ">"` at `start`; returns the mailbox and the index after
/// `>`. The limits of RFC 5321 §4.5.3.1 are checked; reaching one leaves the fast path so
/// that the grammar reports it.
///
/// Each half is one scan ([`dot_string`], [`domain`]) that classifies an octet with one
/// table lookup and checks the dots as it meets them: the local part must stop at `@`,
/// the domain at `>`. (Earlier versions split the halves first and checked them again
/// label by label, or used `memchr` to find `@` and `>`: for these short strings each
/// extra pass or call cost more than the scan itself in callgrind.)
///
/// Third pass: the address is now read by one small automaton (eight or four octets
/// per step, see [`run_address`] and [`address`]); the run scans above remain for
/// a domain over 63 octets (whose labels need their lengths checked) and for EHLO.
fn path(line: &[u8], start: usize) -> Option<(Mailbox<'_>, usize)> {
    if at(line, start)? != b'<' {
        return None;
    }
    let lp = start + 1;
    let rest = line.get(lp..)?;
    let (at_sign, gt) = address(rest)?;
    // One UTF-8 check per address (all ASCII here, so the slices are on character
    // boundaries).
    let text = ascii_str(line, lp, lp + gt)?;
    let (local, host) = (text.get(..at_sign)?, text.get(at_sign + 1..)?);
    Some((
        Mailbox {
            local_part: LocalPart(Cow::Borrowed(local)),
            host: Host::Domain(Domain(Cow::Borrowed(host))),
        },
        lp + gt + 1,
    ))
}

/// `Dot-string "@" Domain ">"` (ASCII) at the start of `rest`, within the limits of RFC
/// 5321 §4.5.3.1: the indexes of `@` and `>`.
#[inline(always)]
fn address(rest: &[u8]) -> Option<(usize, usize)> {
    let gt = run_address(rest)?;
    // The automaton went through exactly one `@` (neither half has one): find it eight
    // octets at a time (one automaton run per half cost two set-ups and two exits,
    // about 20 instructions more per address in callgrind).
    let at_sign = find_at(rest.get(..gt)?)?;
    let after = rest.get(at_sign + 1..)?;
    let dlen = gt - at_sign - 1;
    // The automaton does not count: a domain that may hold a label over 63 octets is
    // checked again by the label scan.
    if dlen > 63 && domain(after) != Some(dlen) {
        return None;
    }
    if at_sign > MAX_LOCAL_PART || gt + 2 > MAX_PATH {
        return None;
    }
    Some((at_sign, gt))
}

/// The index of the first `@` in `s`. A `u64` at a time: `x ^ "@@@@@@@@"` has a zero
/// octet where `@` is, and `(y - 0x01..) & !y & 0x80..` sets the high bit of the lowest
/// zero octet exactly (a borrow only runs upwards from a zero octet, so any other bit it
/// sets is above it).
#[inline(always)]
fn find_at(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut i = 0;
    while let Some(x) = load8(s, i) {
        let y = x ^ (ONES * u64::from(b'@'));
        let zero = y.wrapping_sub(ONES) & !y & (ONES << 7);
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    Some(i + s.get(i..)?.iter().position(|b| *b == b'@')?)
}

/// [`address`] by the run scans (the second pass; the reference in the tests).
#[cfg(test)]
fn address_runs(rest: &[u8]) -> Option<(usize, usize)> {
    let at_sign = dot_string(rest)?;
    let after = rest.get(at_sign + 1..)?;
    let gt = at_sign + 1 + domain(after)?;
    if rest.get(at_sign) != Some(&b'@')
        || rest.get(gt) != Some(&b'>')
        || at_sign > MAX_LOCAL_PART
        || gt + 2 > MAX_PATH
    {
        return None;
    }
    Some((at_sign, gt))
}

/// The octet classes of the address automaton (three bits): other octets (rejected
/// everywhere), letters and digits, other `atext`, `-` (atext, and `Ldh-str` in a
/// domain), `.`, `@`, `>`.
const C_OTHER: u8 = 0;
const C_LETDIG: u8 = 1;
const C_ATEXT: u8 = 2;
const C_HYPHEN: u8 = 3;
const C_DOT: u8 = 4;
const C_AT: u8 = 5;
const C_GT: u8 = 6;

/// The class of every octet (one lookup, independent of the automaton's state).
// Const evaluation: `b < 256` indexes two `[u8; 256]`.
#[allow(clippy::indexing_slicing)]
static ADDRESS_CLASS: [u8; 256] = {
    let mut t = [C_OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = CLASS[b];
        t[b] = match b as u8 {
            b'-' => C_HYPHEN,
            b'.' => C_DOT,
            b'@' => C_AT,
            b'>' => C_GT,
            _ if c & LETDIG != 0 => C_LETDIG,
            _ if c & ATEXT != 0 => C_ATEXT,
            _ => C_OTHER,
        };
        b += 1;
    }
    t
};

/// The next row (0 to 7) of the address automaton from `row` on an octet of `class`:
/// `Dot-string "@" Domain ">"` (RFC 5321 §4.1.2, ASCII only).
///
/// The local part, `Dot-string = Atom *("." Atom)` of `atext`: row 0 expects an atom's
/// first octet, row 1 is inside an atom, row 2 follows a dot; `@` after an atom goes to
/// the domain. The domain, `sub-domain = Let-dig [Ldh-str]` labels: row 3 expects a
/// label's first octet, row 4 follows a letter or digit, row 5 a `-`; `>` after a letter
/// or digit accepts (row 6); anything else rejects (row 7). Rows 6 and 7 are final and
/// absorb. Label lengths are not counted (the caller's job).
const fn next_row(row: u16, class: u8) -> u16 {
    match (row, class) {
        (0..=2, C_LETDIG | C_ATEXT | C_HYPHEN) => 1,
        (1, C_DOT) => 2,
        (1, C_AT) => 3,
        (3..=5, C_LETDIG) => 4,
        (4 | 5, C_HYPHEN) => 5,
        (4, C_DOT) => 3,
        (4, C_GT) => 6,
        (6, _) => 6,
        _ => 7,
    }
}

/// An entry of [`ADDRESS_STEPS`]: the row after four octets, times 4096 (so that the
/// next index is `entry | classes`); or, when the row became final on one of the four,
/// [`FINAL`] plus [`ACCEPTED`] if it accepted, plus the place of that octet (0 to 3).
type Step = u16;
/// Entries from here on are final.
const FINAL: Step = 0x8000;
/// The flag of a final entry that accepted (`>` read).
const ACCEPTED: Step = 4;

/// The address automaton four octets per step: `ADDRESS_STEPS[row * 4096 + class1 *
/// 512 + class2 * 64 + class3 * 8 + class4]`, for the six rows that are not final
/// (24 576 entries, 48 KiB; the few combinations of classes that addresses use are a
/// small part of it).
///
/// Why four octets per step: a step's table load depends on the one before it, so an
/// automaton reading one octet per step is bound by the load latency: the one-octet
/// version executed 6 instructions an octet where the run scans it replaced executed 11,
/// but took longer (interleaved timing over the RCPT lines of the corpus, 4 500 ns
/// against 1 870 ns; two octets per step 2 475 ns, three 2 230 ns). The classes are
/// looked up independently of the row, so only one load in four octets is on the chain.
// Const evaluation: `row * 4096 + classes < 24576` for `row < 6`, `classes < 4096`.
#[allow(clippy::indexing_slicing)]
static ADDRESS_STEPS: [Step; 24576] = {
    let mut t = [0; 24576];
    let mut row = 0;
    while row < 6 {
        let mut classes = 0;
        while classes < 4096 {
            let mut r = row;
            let mut place = 0;
            let mut entry = 0;
            while place < 4 {
                r = next_row(r, ((classes >> (9 - 3 * place)) & 7) as u8);
                if r >= 6 {
                    entry = FINAL | place as Step | if r == 6 { ACCEPTED } else { 0 };
                    break;
                }
                entry = r << 12;
                place += 1;
            }
            t[row as usize * 4096 + classes] = entry;
            classes += 1;
        }
        row += 1;
    }
    t
};

/// The transition monoid of the address automaton: every function from rows to rows
/// that some string of octet classes induces (`f[row]` is the row after the string from
/// `row`), found by closing the identity under the seven classes. There are 26.
///
/// Why: with an id for the function of each four octets ([`QUAD_ID`], independent of
/// the row) and a table that composes two ids ([`COMPOSE`]), eight octets cost one load
/// that depends on the row ([`APPLY`]) instead of two four-octet steps: the chain of
/// dependent loads that bounds the automaton's time is half as long.
// Const evaluation: indexes below 8 on `[u8; 8]` arrays and below 32 on the list.
#[allow(clippy::indexing_slicing)]
const MONOID: ([[u8; 8]; 32], usize) = {
    let mut list = [[0u8; 8]; 32];
    let mut r = 0;
    while r < 8 {
        list[0][r] = r as u8;
        r += 1;
    }
    let mut len = 1;
    let mut done = 0;
    while done < len {
        let mut class = 0;
        while class < 7 {
            let mut g = [0u8; 8];
            let mut r = 0;
            while r < 8 {
                g[r] = next_row(list[done][r] as u16, class) as u8;
                r += 1;
            }
            if monoid_id(&list, len, &g) == len {
                list[len] = g;
                len += 1;
            }
            class += 1;
        }
        done += 1;
    }
    (list, len)
};

/// The index of `f` among the first `len` functions of `list` (`len` if absent).
// Const evaluation: `i < len <= 32`, `r < 8`.
#[allow(clippy::indexing_slicing)]
const fn monoid_id(list: &[[u8; 8]; 32], len: usize, f: &[u8; 8]) -> usize {
    let mut i = 0;
    while i < len {
        let mut r = 0;
        while r < 8 && list[i][r] == f[r] {
            r += 1;
        }
        if r == 8 {
            return i;
        }
        i += 1;
    }
    len
}

/// The function of four octets of classes `c1 c2 c3 c4` (index `c1 * 512 + c2 * 64 + c3 *
/// 8 + c4`, as for [`ADDRESS_STEPS`]), by its id in [`MONOID`].
// Const evaluation: `r < 8`, ids below 32.
#[allow(clippy::indexing_slicing)]
static QUAD_ID: [u8; 4096] = {
    let mut t = [0u8; 4096];
    let mut classes = 0;
    while classes < 4096 {
        let mut f = [0u8; 8];
        let mut r = 0;
        while r < 8 {
            let mut row = r as u16;
            let mut k = 0;
            while k < 4 {
                row = next_row(row, ((classes >> (9 - 3 * k)) & 7) as u8);
                k += 1;
            }
            f[r] = row as u8;
            r += 1;
        }
        t[classes] = monoid_id(&MONOID.0, MONOID.1, &f) as u8;
        classes += 1;
    }
    t
};

/// `COMPOSE[a * 32 + b]`: the id of "`a`, then `b`".
// Const evaluation: ids below 32, `r < 8`.
#[allow(clippy::indexing_slicing)]
static COMPOSE: [u8; 1024] = {
    let (list, len) = MONOID;
    let mut t = [0u8; 1024];
    let mut a = 0;
    while a < len {
        let mut b = 0;
        while b < len {
            let mut f = [0u8; 8];
            let mut r = 0;
            while r < 8 {
                f[r] = list[b][list[a][r] as usize];
                r += 1;
            }
            t[a * 32 + b] = monoid_id(&list, len, &f) as u8;
            b += 1;
        }
        a += 1;
    }
    t
};

/// `APPLY[id * 8 + row]`: the row after the function `id` from `row`.
// Const evaluation: ids below 32, `r < 8`.
#[allow(clippy::indexing_slicing)]
static APPLY: [u8; 256] = {
    let (list, len) = MONOID;
    let mut t = [7u8; 256];
    let mut id = 0;
    while id < len {
        let mut r = 0;
        while r < 8 {
            t[id * 8 + r] = list[id][r];
            r += 1;
        }
        id += 1;
    }
    t
};

/// The class of an octet, shifted into place `k` (0 to 3) of a four-octet index.
#[inline(always)]
fn class_at(b: u8, k: u32) -> usize {
    usize::from(
        ADDRESS_CLASS
            .get(usize::from(b))
            .copied()
            .unwrap_or(C_OTHER),
    ) << (9 - 3 * k)
}

/// Runs the address automaton from row 0 over `s`: the index of the `>` that accepts,
/// or `None` if an octet rejects first or `s` ends first.
///
/// Eight octets per loop while the row stays not final: the ids of their two halves'
/// functions ([`QUAD_ID`], [`COMPOSE`]) do not depend on the row, one [`APPLY`] does.
/// When eight octets end in a final row, their two four-octet steps ([`ADDRESS_STEPS`],
/// from the classes already looked up) say which octet made it final; fewer than eight
/// left go four octets per step ([`run_quads`]).
///
/// Measured (callgrind instructions per pass over the command corpus; interleaved wall
/// time per pass, ours and Stalwart alternating): four octets per step only, 135 799
/// and 5 744–5 815 ns (1.92–1.95×); this, 139 303 and 5 442–5 681 ns (2.07–2.12×). A
/// first version that went back to four-octet steps from the start of the last eight
/// octets executed 143 209.
#[inline(always)]
fn run_address(s: &[u8]) -> Option<usize> {
    let classes = |a: u8, b: u8, c: u8, d: u8| {
        class_at(a, 0) | class_at(b, 1) | class_at(c, 2) | class_at(d, 3)
    };
    let id = |classes: usize| QUAD_ID.get(classes).copied().map_or(0, usize::from);
    let (mut row, mut i) = (0usize, 0);
    while let Some(&[a, b, c, d, e, f, g, h]) = s.get(i..i + 8) {
        let (first, second) = (classes(a, b, c, d), classes(e, f, g, h));
        let both = COMPOSE
            .get((id(first) << 5 | id(second)) & 1023)
            .copied()
            .map_or(0, usize::from);
        let next = APPLY.get((both << 3 | row) & 255).copied().unwrap_or(7);
        if next >= 6 {
            // Final in these eight: their two four-octet steps say where, from the
            // classes already looked up.
            let end = |e: Step, i: usize| (e & ACCEPTED != 0).then_some(i + usize::from(e & 3));
            let e1 = *ADDRESS_STEPS.get((row << 12) | first)?;
            if e1 >= FINAL {
                return end(e1, i);
            }
            let e2 = *ADDRESS_STEPS.get(usize::from(e1) | second)?;
            return if e2 >= FINAL { end(e2, i + 4) } else { None };
        }
        row = usize::from(next);
        i += 8;
    }
    run_quads(s, i, (row as Step) << 12)
}

/// The four-octet steps of [`run_address`] from octet `i` in `row` (an entry that is not
/// final).
#[inline(always)]
fn run_quads(s: &[u8], mut i: usize, mut row: Step) -> Option<usize> {
    // A final entry reached at the step starting at `i`.
    let end = |e: Step, i: usize| (e & ACCEPTED != 0).then_some(i + usize::from(e & 3));
    while let Some(&[a, b, c, d]) = s.get(i..i + 4) {
        let classes = class_at(a, 0) | class_at(b, 1) | class_at(c, 2) | class_at(d, 3);
        let e = *ADDRESS_STEPS.get(usize::from(row) | classes)?;
        if e >= FINAL {
            return end(e, i);
        }
        row = e;
        i += 4;
    }
    // The last one to three octets; past the end counts as more octets (rejected).
    let at = |k: u32| s.get(i + k as usize).map_or(0, |b| class_at(*b, k));
    let classes = class_at(*s.get(i)?, 0) | at(1) | at(2);
    let e = *ADDRESS_STEPS.get(usize::from(row) | classes)?;
    end(e, i)
}

/// `Dot-string = Atom *("." Atom)` (ASCII) at the start of `s`: its length, up to the
/// first octet that is neither atext nor `.`; `None` if it is empty or has a leading,
/// trailing or doubled dot.
///
/// Why not one loop: the former octet loop (`dot_string_octets`, kept as the tests' reference)
/// costs about 8 instructions an octet in callgrind (a lookup, two tests and the dot
/// state per octet). Here the atoms are runs of [`run_of`] (four lookups per branch)
/// and the dots are looked at only where a run stops. Tested against the loop on every
/// short string over the octets that matter.
#[cfg(test)]
fn dot_string(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let atom = run_of(s.get(i..)?, ATEXT);
        if atom == 0 {
            // Empty, a leading or doubled dot, or a dot before a non-atext octet.
            return None;
        }
        i += atom;
        match s.get(i) {
            Some(b'.') => i += 1,
            // The loop needs an octet after the string.
            None => return None,
            Some(_) => return Some(i),
        }
    }
}

/// [`dot_string`] one octet at a time (the former scan; the reference in the tests).
#[cfg(test)]
fn dot_string_octets(s: &[u8]) -> Option<usize> {
    // As if a dot came before: a leading dot counts as doubled.
    let mut prev_dot = true;
    for (i, b) in s.iter().enumerate() {
        let c = class(*b);
        if c & ATOM_DOT == 0 {
            return (!prev_dot).then_some(i);
        }
        let dot = c & DOT != 0;
        if dot & prev_dot {
            return None;
        }
        prev_dot = dot;
    }
    None
}

/// `Domain = sub-domain *("." sub-domain)` (ASCII labels) at the start of `d`: its length,
/// up to the first octet that is neither `Ldh-str` nor `.`; `None` unless every label is
/// 1 to 63 octets and neither starts nor ends with `-` (`Let-dig [Ldh-str]`), or if the
/// whole is over [`MAX_DOMAIN`].
///
/// Why not one loop: as for [`dot_string`]: the labels are runs of letters and digits
/// ([`run_of`]) and the loop stops only at `-`, `.` and the end.
#[inline]
fn domain(d: &[u8]) -> Option<usize> {
    let label_ok = |l: &[u8]| {
        !matches!(l.first(), None | Some(b'-')) && l.last() != Some(&b'-') && l.len() <= 63
    };
    let (mut i, mut label) = (0, 0);
    loop {
        i += run_of(d.get(i..)?, LETDIG);
        match d.get(i) {
            Some(b'-') => i += 1,
            Some(b'.') => {
                if !label_ok(d.get(label..i)?) {
                    return None;
                }
                i += 1;
                label = i;
            }
            _ => return (label_ok(d.get(label..i)?) && i <= MAX_DOMAIN).then_some(i),
        }
    }
}

/// The length of the run of octets of class `bit` at the start of `s`.
///
/// Four octets per test: their four class lookups are ANDed and tested once, so the
/// loop takes one branch per four octets of a long run (an address's atoms and labels)
/// instead of one per octet.
#[inline(always)]
fn run_of(s: &[u8], bit: u8) -> usize {
    let mut i = 0;
    while let Some(&[a, b, c, d]) = s.get(i..i + 4) {
        if class(a) & class(b) & class(c) & class(d) & bit == 0 {
            break;
        }
        i += 4;
    }
    while let Some(b) = s.get(i) {
        if class(*b) & bit == 0 {
            break;
        }
        i += 1;
    }
    i
}

/// [`domain`] one octet at a time (the former scan; the reference in the tests).
#[cfg(test)]
fn domain_octets(d: &[u8]) -> Option<usize> {
    // Where the current label starts; a label is checked when its end is met.
    let mut label = 0;
    let label_ok = |l: &[u8]| {
        !matches!(l.first(), None | Some(b'-')) && l.last() != Some(&b'-') && l.len() <= 63
    };
    for (i, b) in d.iter().enumerate() {
        let c = class(*b);
        if c & DOMAIN_OCTET == 0 {
            return (label_ok(d.get(label..i)?) && i <= MAX_DOMAIN).then_some(i);
        }
        if c & DOT != 0 {
            if !label_ok(d.get(label..i)?) {
                return None;
            }
            label = i + 1;
        }
    }
    (label_ok(d.get(label..)?) && d.len() <= MAX_DOMAIN).then_some(d.len())
}

/// What follows the path: nothing, or SP and parameters; then the end of the line as
/// `end_at` says. Returns the parameters and the line's length (CRLF excluded).
#[inline(always)]
fn params(line: &[u8], end: usize, end_at: End) -> Option<(Parameters<'_>, usize)> {
    let rest = line.get(end..)?;
    // Whether the line ends `n` octets into `rest`.
    let ends = |n: usize| match end_at {
        End::Slice => n == rest.len(),
        End::Crlf => rest.get(n..n + 2) == Some(b"\r\n"),
    };
    if ends(0) {
        return Some((Parameters::new(), end));
    }
    if let Some(p) = rest.strip_prefix(b" ") {
        if let Some(n) = fast_params(p) {
            if ends(n + 1) {
                return Some((Parameters(Repr::Raw(p.get(..n)?)), end + 1 + n));
            }
        }
    }
    if end_at == End::Crlf {
        // The caller frames the line and tries again with the grammar's fallback below.
        return None;
    }
    // Unusual parameters: the grammar on this suffix only (the path need not be parsed
    // again); any error there sends the whole line to the grammar for its offset.
    match super::command::params(rest) {
        Ok(([], p)) => Some((p, line.len())),
        _ => None,
    }
}

/// `esmtp-param *(SP esmtp-param)` for the common keywords (SIZE, BODY, SMTPUTF8,
/// REQUIRETLS, RET, NOTIFY, ENVID, ORCPT, AUTH), single spaces: its length, up to the
/// first octet after a parameter that is not SP (the caller checks that the line ends
/// there); `None` for anything else (a trailing or doubled SP included).
///
/// Why ENVID, ORCPT and AUTH are here: without them a DSN-style line (`RET=HDRS
/// ENVID=...`, `NOTIFY=... ORCPT=rfc822;...`) went to the nom grammar for its
/// parameters, which callgrind showed as ~40 % of the time of the whole command corpus.
/// The keyword is picked by its first octet folded to upper case and confirmed by a
/// folded `u32`/`u64` comparison; the octet after it must be `=` (or, for SMTPUTF8 and
/// REQUIRETLS, neither `=` nor an `Ldh-str` octet), which is where a scan for the
/// keyword's end would have stopped.
///
/// Third pass: the keyword is no longer scanned octet by octet first (the scan and its
/// length match cost ~6 instructions an octet in callgrind), NOTIFY items are read in
/// place instead of through `split`, and `rfc822;` is matched by one load.
fn fast_params(p: &[u8]) -> Option<usize> {
    let mut seen = 0u16;
    let mut rest = p;
    loop {
        // The value after `KEYWORD=` (`klen` octets of keyword): the run of ASCII
        // `esmtp-value` octets, never empty. The octet after it must be SP or the end of
        // the line (checked below): 8-bit values leave the fast path.
        let value = |klen: usize| {
            if rest.get(klen) != Some(&b'=') {
                return None;
            }
            let vrest = rest.get(klen + 1..)?;
            vrest.get(..value_len(vrest)).filter(|v| !v.is_empty())
        };
        // A keyword without a value ends at an octet that is neither `Ldh-str` nor `=`.
        let flag = |klen: usize| {
            !rest
                .get(klen)
                .is_some_and(|b| class(*b) & LDH != 0 || *b == b'=')
        };
        let (bit, next) = match *rest.first()? & 0xDF {
            b'S' if is4(rest, 0, b"SIZE") => {
                let v = value(4)?;
                // RFC 1870: 1*20DIGIT that fits a u64 (the grammar's `number`).
                if v.len() > 20 || !all_in(v, DIGIT) {
                    return None;
                }
                v.iter().try_fold(0u64, |n, d| {
                    n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                })?;
                (1, 5 + v.len())
            }
            b'S' if is8(rest, 0, b"SMTPUTF8") && flag(8) => (4, 8),
            b'B' if is4(rest, 0, b"BODY") => {
                let v = value(4)?;
                let ok = (v.len() == 8 && is8(v, 0, b"8BITMIME"))
                    || (v.len() == 4 && is4(v, 0, b"7BIT"))
                    || (v.len() == 10 && is8(v, 0, b"BINARYMI") && is2me(v));
                if !ok {
                    return None;
                }
                (2, 5 + v.len())
            }
            b'R' if is_ret(rest, 0) => {
                let v = value(3)?;
                if !(v.len() == 4 && (is4(v, 0, b"FULL") || is4(v, 0, b"HDRS"))) {
                    return None;
                }
                (16, 8)
            }
            b'R' if is8(rest, 0, b"REQUIRET") && is_ls(rest, 8) && flag(10) => (8, 10),
            b'N' if is4(rest, 0, b"NOTI") && is_fy(rest, 4) => {
                let v = value(6)?;
                if !notify(v) {
                    return None;
                }
                (32, 7 + v.len())
            }
            // RFC 3461 §4.4: ENVID=xtext.
            b'E' if is4(rest, 0, b"ENVI") && rest.get(4)? & 0xDF == b'D' => {
                let v = value(5)?;
                if !xtext(v) {
                    return None;
                }
                (64, 6 + v.len())
            }
            // RFC 3461 §4.2: ORCPT=addr-type ";" xtext, addr-type = atom.
            b'O' if is4(rest, 0, b"ORCP") && rest.get(4)? & 0xDF == b'T' => {
                let v = value(5)?;
                // `;` is not atext: the addr-type ends at the first octet that is not.
                // `rfc822;` (folded, one load) is almost always it.
                let semi = if load8(v, 0).is_some_and(|x| x & RFC822_MASK == RFC822) {
                    6
                } else {
                    v.iter().position(|b| class(*b) & ATEXT == 0)?
                };
                if semi == 0 || v.get(semi) != Some(&b';') || !xtext(v.get(semi + 1..)?) {
                    return None;
                }
                (128, 6 + v.len())
            }
            // RFC 4954 §5: AUTH=<> or AUTH=xtext.
            b'A' if is4(rest, 0, b"AUTH") => {
                let v = value(4)?;
                if v != b"<>" && !xtext(v) {
                    return None;
                }
                (256, 5 + v.len())
            }
            _ => return None,
        };
        match after_param(p, rest, next, &mut seen, bit)? {
            ControlFlow::Continue(more) => rest = more,
            ControlFlow::Break(len) => return Some(len),
        }
    }
}

/// After a parameter of `next` octets at the front of `rest` (a suffix of `p`) whose
/// keyword is `bit`: `None` if that keyword came before (duplicates leave the fast path)
/// or a SP is doubled or trailing; the rest after a single SP; or, when no SP follows,
/// the length of the list.
#[inline(always)]
fn after_param<'p>(
    p: &'p [u8],
    rest: &'p [u8],
    next: usize,
    seen: &mut u16,
    bit: u16,
) -> Option<ControlFlow<usize, &'p [u8]>> {
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    match rest.get(next..)? {
        [b' ', more @ ..] if !matches!(more.first(), None | Some(b' ')) => {
            Some(ControlFlow::Continue(more))
        }
        [b' ', ..] => None,
        _ => Some(ControlFlow::Break(p.len() - rest.len() + next)),
    }
}

/// `rfc822;` folded to upper case and the octet after it ignored, for a `u64` load.
const RFC822: u64 = u64::from_le_bytes(*b"RFC822;\0");
/// The mask for [`RFC822`]: letters folded, the eighth octet cleared.
const RFC822_MASK: u64 = u64::from_le_bytes([0xDF, 0xDF, 0xDF, 0xFF, 0xFF, 0xFF, 0xFF, 0]);

/// [`fast_params`] with the keyword scanned first (the second pass; the reference in the
/// tests).
#[cfg(test)]
fn fast_params_scan(p: &[u8]) -> Option<usize> {
    let mut seen = 0u16;
    let mut rest = p;
    loop {
        // One scan for the keyword (up to `=`, SP or the end) and one for the value, which
        // stops at the first octet that is not an ASCII `esmtp-value` octet: that must be
        // SP or the end (8-bit values leave the fast path).
        let klen = rest
            .iter()
            .position(|b| class(*b) & LDH == 0)
            .unwrap_or(rest.len());
        let kw = rest.get(..klen)?;
        let (v, next) = match rest.get(klen) {
            Some(b'=') => {
                let vrest = rest.get(klen + 1..)?;
                let vlen = value_len(vrest);
                // `esmtp-value` is never empty.
                if vlen == 0 {
                    return None;
                }
                (Some(vrest.get(..vlen)?), klen + 1 + vlen)
            }
            _ => (None, klen),
        };
        let bit = match (kw.len(), kw.first()? & 0xDF, v) {
            (4, b'S', Some(v)) if is4(kw, 0, b"SIZE") => {
                // RFC 1870: 1*20DIGIT that fits a u64 (the grammar's `number`).
                if v.len() > 20 || !all_in(v, DIGIT) {
                    return None;
                }
                v.iter().try_fold(0u64, |n, d| {
                    n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                })?;
                1
            }
            (4, b'B', Some(v)) if is4(kw, 0, b"BODY") => {
                let ok = (v.len() == 8 && is8(v, 0, b"8BITMIME"))
                    || (v.len() == 4 && is4(v, 0, b"7BIT"))
                    || (v.len() == 10 && is8(v, 0, b"BINARYMI") && is2me(v));
                if !ok {
                    return None;
                }
                2
            }
            (8, b'S', None) if is8(kw, 0, b"SMTPUTF8") => 4,
            (10, b'R', None) if is8(kw, 0, b"REQUIRET") && is_ls(kw, 8) => 8,
            (3, b'R', Some(v)) if is_ret(kw, 0) => {
                if !(v.len() == 4 && (is4(v, 0, b"FULL") || is4(v, 0, b"HDRS"))) {
                    return None;
                }
                16
            }
            (6, b'N', Some(v)) if is4(kw, 0, b"NOTI") && is_fy(kw, 4) => {
                if !notify(v) {
                    return None;
                }
                32
            }
            // RFC 3461 §4.4: ENVID=xtext.
            (5, b'E', Some(v)) if is4(kw, 0, b"ENVI") && kw.get(4)? & 0xDF == b'D' => {
                if !xtext(v) {
                    return None;
                }
                64
            }
            // RFC 3461 §4.2: ORCPT=addr-type ";" xtext, addr-type = atom.
            (5, b'O', Some(v)) if is4(kw, 0, b"ORCP") && kw.get(4)? & 0xDF == b'T' => {
                // `;` is not atext: the addr-type ends at the first octet that is not.
                let semi = v.iter().position(|b| class(*b) & ATEXT == 0)?;
                if semi == 0 || v.get(semi) != Some(&b';') || !xtext(v.get(semi + 1..)?) {
                    return None;
                }
                128
            }
            // RFC 4954 §5: AUTH=<> or AUTH=xtext.
            (4, b'A', Some(v)) if is4(kw, 0, b"AUTH") => {
                if v != b"<>" && !xtext(v) {
                    return None;
                }
                256
            }
            _ => return None,
        };
        match after_param(p, rest, next, &mut seen, bit)? {
            ControlFlow::Continue(more) => rest = more,
            ControlFlow::Break(len) => return Some(len),
        }
    }
}

/// The length of the run of ASCII `esmtp-value` octets (`%d33-60 / %d62-126`) at the
/// start of `s`.
///
/// Why eight at a time: values are the longest runs of a MAIL or RCPT line (an ORCPT
/// address, an ENVID), and a byte-by-byte class lookup cost ~8 instructions an octet in
/// callgrind. In a `u64`, an octet that is below `!` (0x21), `=` or at least DEL (0x7F)
/// makes its own high bit set in `bad` below; a borrow can only spread upwards from a
/// bad octet, so the lowest set high bit is exactly the first bad octet.
fn value_len(s: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONE: u64 = 0x0101_0101_0101_0101;
    let bad = |x: u64| {
        (x | x.wrapping_sub(0x2121_2121_2121_2121)
            | (x ^ 0x7F7F_7F7F_7F7F_7F7F).wrapping_sub(ONE)
            | (x ^ 0x3D3D_3D3D_3D3D_3D3D).wrapping_sub(ONE))
            & HIGH
    };
    let first_bad = |m: u64| (m.trailing_zeros() / 8) as usize;
    let chunks = s.chunks_exact(8);
    let tail = chunks.remainder();
    let mut n = 0;
    for c in chunks {
        let m = bad(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        if m != 0 {
            return n + first_bad(m);
        }
        n += 8;
    }
    // The tail, padded with a bad octet (NUL) so that the run ends there at the latest.
    let mut last = [0u8; 8];
    for (d, b) in last.iter_mut().zip(tail) {
        *d = *b;
    }
    n + first_bad(bad(u64::from_le_bytes(last))).min(tail.len())
}

/// RFC 3461 §4.1 `NOTIFY=` value: `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`,
/// each at most once, case-insensitively; `false` also for what the grammar would
/// accept in another spelling (none: it accepts exactly these).
///
/// Why not the grammar's `notify`: its per-item case-folding comparisons cost ~350
/// instructions per NOTIFY in callgrind; here each item is one or two folded `u32`
/// loads (a 7-octet word as two overlapping 4-octet loads).
fn notify(v: &[u8]) -> bool {
    if v.len() == 5 && is4(v, 0, b"NEVE") && is4(v, 1, b"EVER") {
        return true;
    }
    // Each item is one of the three words and is followed by `,` or the end (third pass:
    // read in place; the `split` iterator cost about twice as much).
    let (mut seen, mut i) = (0u8, 0);
    loop {
        let (bit, len) = if is4(v, i, b"SUCC") && is4(v, i + 3, b"CESS") {
            (1, 7)
        } else if is4(v, i, b"FAIL") && is4(v, i + 3, b"LURE") {
            (2, 7)
        } else if is4(v, i, b"DELA") && is4(v, i + 1, b"ELAY") {
            (4, 5)
        } else {
            return false;
        };
        if seen & bit != 0 {
            return false;
        }
        seen |= bit;
        i += len;
        match v.get(i) {
            None => return true,
            Some(b',') => i += 1,
            Some(_) => return false,
        }
    }
}

/// [`notify`] over `split` items (the second pass; the reference in the tests).
#[cfg(test)]
fn notify_split(v: &[u8]) -> bool {
    if v.len() == 5 && is4(v, 0, b"NEVE") && is4(v, 1, b"EVER") {
        return true;
    }
    let mut seen = 0u8;
    for item in v.split(|b| *b == b',') {
        let bit = match item.len() {
            7 if is4(item, 0, b"SUCC") && is4(item, 3, b"CESS") => 1,
            7 if is4(item, 0, b"FAIL") && is4(item, 3, b"LURE") => 2,
            5 if is4(item, 0, b"DELA") && is4(item, 1, b"ELAY") => 4,
            _ => return false,
        };
        if seen & bit != 0 {
            return false;
        }
        seen |= bit;
    }
    true
}

/// Whether every octet of `s` is in class `bit` (one class bit): a fold with no early
/// exit (branch-free; the inputs are short and almost always pass).
#[inline(always)]
fn all_in(s: &[u8], bit: u8) -> bool {
    s.iter().fold(bit, |acc, b| acc & class(*b)) != 0
}

/// `xtext = 1*( xchar / hexchar )` (RFC 3461 §4) on octets already known to be
/// `esmtp-value` ones: every `+` (the one value octet that is not an `xchar`) must start
/// a `hexchar`, `"+" 2(DIGIT / %x41-46)`.
fn xtext(v: &[u8]) -> bool {
    let hex = |b: Option<&u8>| matches!(b, Some(b'0'..=b'9' | b'A'..=b'F'));
    // Almost no value has a `+`: a fold (no early exit) says so, and only then are the
    // escapes checked one by one.
    if !v.iter().fold(false, |acc, b| acc | (*b == b'+')) {
        return !v.is_empty();
    }
    let mut i = 0;
    while let Some(b) = v.get(i) {
        if *b == b'+' {
            if !(hex(v.get(i + 1)) && hex(v.get(i + 2))) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
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
    use crate::types::LineLimits;
    use crate::types::command::Command;

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
            b"RCPT TO:<Postmaster@mx1.example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;postmaster@mx1.example.com",
            b"MAIL FROM:<john.smith@example.org> SIZE=4097 RET=HDRS ENVID=QQ314159.1",
            b"MAIL FROM:<a@b> AUTH=<> ENVID=a+2Bb+3D",
            b"MAIL FROM:<a@b> AUTH=e+3Dmc2@example.com",
            b"rcpt to:<a@b> orcpt=utf-8;a+40b",
            b"RCPT TO:<a@b> NOTIFY=never",
            b"RCPT TO:<a@b> NOTIFY=Delay,failure,SUCCESS",
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
            b"MAIL FROM:<a@b> ENVID=a+2b",
            b"RCPT TO:<a@b> NOTIFY=SUCCESS,SUCCESS",
            b"RCPT TO:<a@b> NOTIFY=SUCCESS,",
            b"RCPT TO:<a@b> NOTIFY=NEVERR",
            b"RCPT TO:<a@b> NOTIFY=SUCCES,FAILURE",
            b"RCPT TO:<a@b> NOTIFY=DELAY NOTIFY=DELAY",
            b"MAIL FROM:<a@b> ENVID=a+2",
            b"MAIL FROM:<a@b> ENVID=",
            b"MAIL FROM:<a@b> ENVID",
            b"MAIL FROM:<a@b> ENVID=x ENVID=y",
            b"MAIL FROM:<a@b> AUTH=<> AUTH=<>",
            b"RCPT TO:<a@b> ORCPT=rfc822",
            b"RCPT TO:<a@b> ORCPT=;a",
            b"RCPT TO:<a@b> ORCPT=rfc822;",
            b"RCPT TO:<a@b> ORCPT=rfc(822;a",
            b"RCPT TO:<a@b> ORCPT=rfc822;a+ZZ",
            b"MAIL FROM:<a@b>>",
            b"MAIL FROM:<a@b@c>",
            b"MAIL FROM:<a@b..c>",
            b"MAIL FROM:<a@.b>",
            b"MAIL FROM:<a@b.-c>",
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

    /// The eight-at-a-time value scan equals the byte-by-byte one, wherever the first bad
    /// octet is.
    #[test]
    fn value_len_equals_the_class_scan() {
        let reference = |s: &[u8]| {
            s.iter()
                .position(|b| super::class(*b) & super::VALUE == 0)
                .unwrap_or(s.len())
        };
        for (mut s, b, at) in crate::parse::one_octet_variants(b'v') {
            assert_eq!(super::value_len(&s), reference(&s), "{b:#x} at {at}");
            // A second bad octet after the first changes nothing.
            if let Some(next) = s.get_mut(at + 1) {
                *next = 0;
                assert_eq!(super::value_len(&s), reference(&s));
            }
        }
    }

    /// Every string of up to `max_len` octets over `alphabet`.
    fn words(alphabet: &'static [u8], max_len: u32) -> impl Iterator<Item = Vec<u8>> {
        let n = alphabet.len() as u32;
        (0..=max_len).flat_map(move |len| {
            (0..n.pow(len)).map(move |mut code| {
                let mut word = Vec::new();
                for _ in 0..len {
                    word.push(alphabet[(code % n) as usize]);
                    code /= n;
                }
                word
            })
        })
    }

    /// The eight-at-a-time local-part and domain scans equal the octet loops on every
    /// string of up to 5 octets over an alphabet with every kind of octet they treat
    /// differently, in every place of a word (after 0 to 7 octets of padding), and with
    /// one octet of any value in a long run (the label and word-boundary edges).
    #[test]
    fn word_scans_equal_the_octet_loops() {
        const ALPHABET: &[u8] = b"a.-@>Z9_+=^/,\x00\xc3";
        let check = |s: &[u8]| {
            assert_eq!(super::dot_string(s), super::dot_string_octets(s), "{s:?}");
            assert_eq!(super::domain(s), super::domain_octets(s), "{s:?}");
        };
        let mut buf = Vec::new();
        for word in words(ALPHABET, 5) {
            for pad in 0..8 {
                buf.clear();
                buf.extend(core::iter::repeat_n(b'x', pad));
                buf.extend_from_slice(&word);
                check(&buf);
                buf.push(b'@');
                check(&buf);
            }
        }
        for fill in [b'a', b'.', b'-'] {
            for (s, _, _) in crate::parse::one_octet_variants(fill) {
                check(&s);
            }
        }
        let mut long = Vec::new();
        for n in 0..80 {
            long.push(if n % 9 == 8 { b'.' } else { b'b' });
            check(&long);
            let mut at = long.clone();
            at.extend_from_slice(b"@>");
            check(&at);
        }
        check(&[b'c'; 70]);
        let mut label64 = vec![b'd'; 64];
        label64.push(b'>');
        check(&label64);
    }

    /// The decoded command stays small (a boxed built parameter list keeps `Parameters`
    /// at two words; see `types::param::Repr`): every decoded command is written, moved
    /// and dropped whole.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_command_is_96_octets() {
        use crate::types::param::Parameters;
        assert_eq!(core::mem::size_of::<Parameters<'_>>(), 16);
        assert_eq!(core::mem::size_of::<Command<'_>>(), 96);
    }

    /// The monoid tables give the row the automaton reaches octet class by octet class:
    /// every four-class string composed with a spread of others, from every row.
    #[test]
    fn monoid_tables_equal_stepping_the_automaton() {
        use super::{APPLY, COMPOSE, MONOID, QUAD_ID, next_row};
        assert_eq!(MONOID.1, 26);
        let walk = |mut row: u16, classes: usize| {
            for k in 0..4 {
                row = next_row(row, ((classes >> (9 - 3 * k)) & 7) as u8);
            }
            row
        };
        for first in 0..4096 {
            for second in (0..4096).step_by(67).chain([0, 0x249, 0x9, 0x48c, 4095]) {
                let both = COMPOSE[usize::from(QUAD_ID[first]) * 32 + usize::from(QUAD_ID[second])];
                for row in 0..8u16 {
                    let expected = walk(walk(row, first), second);
                    let got = APPLY[usize::from(both) * 8 + usize::from(row)];
                    assert_eq!(
                        u16::from(got),
                        expected,
                        "{first:#x} {second:#x} from {row}"
                    );
                }
            }
        }
    }

    /// The eight-at-a-time `@` search equals `position`, wherever the `@` is and
    /// whatever octets are around it.
    #[test]
    fn find_at_equals_position() {
        for fill in [b'a', b'@', 0x3F, 0xC0] {
            for (s, b, at) in crate::parse::one_octet_variants(fill) {
                let reference = s.iter().position(|b| *b == b'@');
                assert_eq!(super::find_at(&s), reference, "{b:#x} at {at} in {fill:#x}");
            }
        }
    }

    /// The address automaton and `@` search equal the run scans (the second pass) on
    /// every string of up to 6 octets over the octets they treat differently, with the
    /// local part and the domain each shifted by 0 to 3 octets (every place in a
    /// four-octet step), and at the length limits.
    #[test]
    fn address_automata_equal_the_run_scans() {
        const ALPHABET: &[u8] = b"a9._-@> \xc3";
        let check = |s: &[u8]| {
            assert_eq!(super::address(s), super::address_runs(s), "{s:?}");
        };
        let mut buf = Vec::new();
        for word in words(ALPHABET, 6) {
            for pad in 0..4 {
                buf.clear();
                buf.extend(core::iter::repeat_n(b'x', pad));
                buf.extend_from_slice(&word);
                check(&buf);
                buf.clear();
                buf.extend_from_slice(b"a@");
                buf.extend(core::iter::repeat_n(b'y', pad));
                buf.extend_from_slice(&word);
                check(&buf);
            }
        }
        let mut accepted = 0;
        for local in [1, 63, 64, 65] {
            for label in [1, 62, 63, 64, 65] {
                for labels in 1..=4 {
                    for tail in [&b">"[..], b">\r\n", b"-.>", b"->", b""] {
                        let mut s = vec![b'l'; local];
                        s.push(b'@');
                        let d = vec![vec![b'd'; label]; labels];
                        s.extend(d.join(&b'.'));
                        s.extend_from_slice(tail);
                        check(&s);
                        accepted += usize::from(super::address(&s).is_some());
                    }
                }
            }
        }
        assert!(accepted > 20, "{accepted}");
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
            assert_eq!(super::class(b) & super::DOT != 0, b == b'.', "{b:#x}");
            assert_eq!(
                super::class(b) & super::ATOM_DOT != 0,
                atext || b == b'.',
                "{b:#x}"
            );
            assert_eq!(
                super::class(b) & super::DOMAIN_OCTET != 0,
                alnum || b == b'-' || b == b'.',
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
            "ENVID=QQ+2B1",
            "ENVID=+4",
            "ORCPT=rfc822;a+40b",
            "ORCPT=;x",
            "AUTH=<>",
            "AUTH=a+3Db",
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
                "ENVID=a+2B",
                "ENVID=a+2b",
                "ORCPT=rfc822;x+40y",
                "ORCPT=rfc822;",
                "AUTH=x+3D",
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

    /// [`super::command_framed`] on `input` (a line, CRLF or not, and whatever follows)
    /// agrees with framing first and then the line fast path: a value only for the
    /// first CRLF line, and the value [`command`] gives for that line. Returns whether
    /// it took the fused path.
    fn framed_agrees(input: &[u8]) -> bool {
        let Some((fast, consumed)) = super::command_framed(input, &LineLimits::RFC) else {
            return false;
        };
        let lf = input.iter().position(|b| *b == b'\n');
        assert_eq!(lf.map(|lf| lf + 1), Some(consumed), "{input:?}");
        let line = input
            .get(..consumed - 2)
            .filter(|_| input.get(consumed - 2) == Some(&b'\r'))
            .unwrap_or_else(|| panic!("no CRLF line in {input:?}"));
        assert_eq!(command(line).as_ref(), Some(&fast), "{input:?}");
        assert_eq!(command_line_full(line).as_ref(), Ok(&fast), "{input:?}");
        true
    }

    /// Line endings and what may follow a line, for the framing tests.
    fn ending() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::sample::select(&["\r\n", "\n", "\r", "", " \r\n", "\r\r\n", "\n\r\n"][..]),
            prop::collection::vec(
                prop::sample::select(&[b'a', b'\r', b'\n', b' ', b'>', b'=', 0x80][..]),
                0..4,
            ),
        )
            .prop_map(|(e, tail)| {
                let mut v = e.as_bytes().to_vec();
                v.extend(tail);
                v
            })
    }

    #[test]
    fn framed_common_shapes_take_the_fused_path() {
        for input in [
            &b"RCPT TO:<user0.1@customer-0.example.net>\r\nDATA\r\n"[..],
            b"MAIL FROM:<john.smith@example.org> SIZE=4097 RET=HDRS ENVID=QQ314159.1\r\n",
            b"RCPT TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y.z\r\n",
            b"MAIL FROM:<>\r\n",
            b"DATA\r\n",
            b"rset\r\nQUIT\r\n",
            b"QUIT\r\n",
            b"NOOP\r\n",
            b"HELP\r\n",
        ] {
            assert!(framed_agrees(input), "{:?}", String::from_utf8_lossy(input));
        }
        for input in [
            &b"RCPT TO:<a@b>\n"[..],
            b"RCPT TO:<a@b>\r",
            b"RCPT TO:<a@b>",
            b"RCPT TO:<a@b> \r\n",
            b"RCPT TO:<a@b>\r\r\n",
            b"RCPT TO:<a@b> SIZE=1\n",
            b"MAIL FROM:<a@b> X-FOO=1\r\n",
            b"DATA\n",
            b"DATA \r\n",
            b"DATAX\r\n",
            b"DAT\n\r\n",
            b"STARTTLS\r\n",
            b"EHLO a\r\n",
        ] {
            assert!(
                !framed_agrees(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// The fused path applies the line limits of MAIL and RCPT (RFC 3461 §5.4): a line
    /// one octet over is refused as too long, as when it was framed first.
    #[test]
    fn framed_lines_keep_their_limits() {
        use crate::types::command::{MAX_MAIL_LINE, MAX_RCPT_LINE};
        use mail_common::decode::Decoded;
        for (head, limit) in [
            ("RCPT TO:<a@b> ORCPT=rfc822;", MAX_RCPT_LINE),
            ("MAIL FROM:<a@b> ENVID=", MAX_MAIL_LINE),
        ] {
            for len in [limit - 1, limit, limit + 1] {
                let mut input = head.as_bytes().to_vec();
                input.resize(len - 2, b'x');
                input.extend_from_slice(b"\r\nQUIT\r\n");
                let fused = super::command_framed(&input, &LineLimits::RFC);
                match Command::decode(&input) {
                    Ok(Decoded::Complete { value, consumed }) => {
                        assert!(len <= limit);
                        assert_eq!(consumed, len);
                        assert_eq!(fused, Some((value, consumed)));
                    }
                    other => {
                        assert!(len > limit, "{other:?}");
                        assert_eq!(other, Err(crate::Error::LineTooLong { limit }));
                        assert_eq!(fused, None);
                    }
                }
            }
        }
    }

    /// Parameter lists near the fast path's edges: the pieces that make up parameters,
    /// joined with and without spaces, then mutated.
    fn param_text() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop::sample::select(
            &[
                "SIZE",
                "size",
                "SIZE=",
                "SIZEX=1",
                "=",
                "123",
                "0",
                "BODY=",
                "8BITMIME",
                "7bit",
                "BINARYMIME",
                "BINARYMIMX",
                "SMTPUTF8",
                "SMTPUTF8=1",
                "SMTPUTF",
                "REQUIRETLS",
                "REQUIRETLSX",
                "RET=",
                "RETX=",
                "FULL",
                "hdrs",
                "NOTIFY=",
                "NOTIFYX=",
                "NEVER",
                "SUCCESS",
                "FAILURE",
                "DELAY",
                "DELAYS",
                ",",
                "ENVID=",
                "ORCPT=",
                "rfc822;",
                "RFC822",
                "utf-8;",
                ";",
                "AUTH=",
                "<>",
                "a+2B",
                "+2b",
                "+",
                "x@y.z",
                " ",
                "  ",
                "\r",
                "\n",
                "\u{e9}",
                "X-A=1",
                "-",
            ][..],
        );
        (
            prop::collection::vec(piece, 1..8),
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..2),
        )
            .prop_map(|(pieces, edits)| {
                let mut v = pieces.concat().into_bytes();
                for (ix, b) in edits {
                    let i = ix.index(v.len() + 1);
                    v.insert(i, b);
                }
                v
            })
    }

    /// The keyword dispatch equals the keyword scan on the common parameter lists.
    #[test]
    fn params_dispatch_takes_the_common_lists() {
        for p in [
            &b"SIZE=12000 BODY=8BITMIME"[..],
            b"SIZE=4097 RET=HDRS ENVID=QQ314159.1",
            b"NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;postmaster@mx1.example.com",
            b"SMTPUTF8 REQUIRETLS AUTH=<> NOTIFY=never",
            b"ORCPT=utf-8;a+40b AUTH=a+3Db",
        ] {
            assert_eq!(super::fast_params(p), Some(p.len()));
            assert_eq!(super::fast_params(p), super::fast_params_scan(p));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn address_automaton_equals_the_run_scans_on_longer_strings(
            s in prop::collection::vec(
                prop::sample::select(&b"aaaa99._-@> \xc3+"[..]),
                0..60,
            ),
        ) {
            prop_assert_eq!(super::address(&s), super::address_runs(&s));
        }

        #[test]
        fn address_automaton_equals_the_run_scans_on_addresses(
            local in "[a-z0-9+=._-]{1,20}",
            domain in "[a-z0-9.-]{1,40}",
            tail in prop::sample::select(&[">", ">\r\n", "> SIZE=1", "", " >", "@>"][..]),
        ) {
            let s = alloc::format!("{local}@{domain}{tail}");
            prop_assert_eq!(super::address(s.as_bytes()), super::address_runs(s.as_bytes()));
        }

        #[test]
        fn params_dispatch_equals_the_keyword_scan(p in param_text()) {
            prop_assert_eq!(super::fast_params(&p), super::fast_params_scan(&p));
        }

        #[test]
        fn notify_in_place_equals_split(
            items in prop::collection::vec(
                prop::sample::select(&["SUCCESS", "failure", "Delay", "NEVER", "", "SUCCES", "DELAYS", "x"][..]),
                0..5,
            ),
            sep in prop::sample::select(&[",", ",,", " ", ""][..]),
        ) {
            let v = items.join(sep).into_bytes();
            prop_assert_eq!(super::notify(&v), super::notify_split(&v));
        }

        #[test]
        fn framed_equals_framing_then_the_line_path(l in mutated(), e in ending()) {
            let mut input = l;
            input.extend(e);
            framed_agrees(&input);
        }

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
        let (mut fast, mut framed) = (0, 0);
        for _ in 0..2000 {
            let mut l = s.new_tree(&mut runner).unwrap().current();
            if agree(&l) {
                fast += 1;
            }
            l.extend_from_slice(b"\r\nDATA\r\n");
            if framed_agrees(&l) {
                framed += 1;
            }
        }
        assert!(
            fast > 100,
            "only {fast} of 2000 generated lines took the fast path"
        );
        assert!(
            framed > 100,
            "only {framed} of 2000 generated lines took the fused path"
        );
    }
}
