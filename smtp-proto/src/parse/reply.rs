//! Reply lines: RFC 5321 §4.2 `Greeting` and `Reply-line`, with RFC 2034 enhanced codes.

use alloc::borrow::Cow;

use mail_common::decode::Decoded;
use mail_common::line::{LineConfig, SMTP_REPLY_LINE, decode_line};

use crate::error::Error;
use crate::types::reply::{EnhancedCode, Lines, Reply, ReplyCode};

/// Limits for reply decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplyConfig {
    /// Longest line, CRLF included (RFC 5321 §4.5.3.1.5: 512).
    pub max_line_len: usize,
    /// Most lines in one reply.
    pub max_lines: usize,
}

impl Default for ReplyConfig {
    fn default() -> Self {
        ReplyConfig {
            max_line_len: SMTP_REPLY_LINE,
            max_lines: 256,
        }
    }
}

/// `class "." subject "." detail` followed by SP or the end: the code and the length
/// to strip (the SP included).
///
/// Octet by octet at fixed places (the parts are 1 to 3 digits): this runs on the first
/// line of every reply, and the earlier form (a digit-counting closure per part) cost
/// ~120 instructions a reply in callgrind.
pub(crate) fn enhanced_prefix(t: &[u8]) -> Option<(u8, u16, u16, usize)> {
    let digit = |at: usize| {
        t.get(at)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
            .map(u16::from)
    };
    // RFC 3463 §2: subject and detail are "0" / (%x31-39 0*2DIGIT): 1 to 3 digits, no
    // leading zero. Returns the value and the index after it.
    let part = |from: usize| -> Option<(u16, usize)> {
        let d0 = digit(from)?;
        let Some(d1) = digit(from + 1) else {
            return Some((d0, from + 1));
        };
        if d0 == 0 {
            return None;
        }
        let Some(d2) = digit(from + 2) else {
            return Some((d0 * 10 + d1, from + 2));
        };
        if digit(from + 3).is_some() {
            return None;
        }
        Some((d0 * 100 + d1 * 10 + d2, from + 3))
    };
    // class = "2" / "4" / "5", one digit.
    let class = match t.first() {
        Some(c @ (b'2' | b'4' | b'5')) => c - b'0',
        _ => return None,
    };
    if t.get(1) != Some(&b'.') {
        return None;
    }
    let (subject, p) = part(2)?;
    if t.get(p) != Some(&b'.') {
        return None;
    }
    let (detail, p) = part(p + 1)?;
    match t.get(p) {
        None => Some((class, subject, detail, p)),
        Some(b' ') => Some((class, subject, detail, p + 1)),
        _ => None,
    }
}

/// The combinator-style form `enhanced_prefix` replaced, kept as the reference in tests.
#[cfg(test)]
fn enhanced_prefix_reference(t: &[u8]) -> Option<(u8, u16, u16, usize)> {
    let digits = |from: usize, max: usize| -> Option<(u16, usize)> {
        let n = t
            .get(from..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || n > max || (n > 1 && t.get(from) == Some(&b'0')) {
            return None;
        }
        let mut v = 0u16;
        for d in t.get(from..from + n)? {
            v = v * 10 + u16::from(d - b'0');
        }
        Some((v, from + n))
    };
    let (class, p) = digits(0, 1)?;
    if !matches!(class, 2 | 4 | 5) || t.get(p) != Some(&b'.') {
        return None;
    }
    let (subject, p) = digits(p + 1, 3)?;
    if t.get(p) != Some(&b'.') {
        return None;
    }
    let (detail, p) = digits(p + 1, 3)?;
    match t.get(p) {
        None => Some((u8::try_from(class).ok()?, subject, detail, p)),
        Some(b' ') => Some((u8::try_from(class).ok()?, subject, detail, p + 1)),
        _ => None,
    }
}

fn textstring(t: &[u8], offset: usize) -> Result<&str, Error> {
    if let Some(bad) = t.iter().position(|b| !(*b == 9 || *b >= 32 && *b != 127)) {
        return Err(Error::Syntax {
            offset: offset + bad,
            expected: "textstring",
        });
    }
    core::str::from_utf8(t).map_err(|e| Error::Syntax {
        offset: offset + e.valid_up_to(),
        expected: "UTF-8 textstring",
    })
}

/// Whether every octet of `t` is printable ASCII (`%d32-126`).
///
/// Why: the exact `textstring` check ([`textstring`]) stops at the first bad octet and
/// then validates UTF-8, a data-dependent branch per octet; almost every reply line is
/// plain printable ASCII. This tests eight octets at a time in a `u64` with no early
/// exit (callgrind: a per-octet fold cost ~5 instructions an octet, this ~1); only a
/// line that fails it (a TAB, a control character, UTF-8) takes the exact check.
#[inline]
pub(crate) fn printable_ascii(t: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const SPACE: u64 = 0x2020_2020_2020_2020;
    const DEL: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const ONE: u64 = 0x0101_0101_0101_0101;
    // A high bit in the result for some octet iff some octet is >= 0x80 (`x`), < 0x20
    // (`x - SPACE` borrows there) or 0x7F (`(x ^ DEL) - ONE` borrows there). Borrows can
    // only add high bits above a bad octet, never create one when all are good: each good
    // octet minus 0x20, and each good octet XOR 0x7F minus 1, stays in 0..=0x5E.
    let bad = |x: u64| (x | x.wrapping_sub(SPACE) | (x ^ DEL).wrapping_sub(ONE)) & HIGH;
    let chunks = t.chunks_exact(8);
    let words = chunks.fold(0, |acc, c| {
        acc | bad(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
    });
    words | bad(tail_word(t)) == 0
}

/// A word holding the octets of `t` after its last whole eight (tested again if they
/// overlap: every octet in it is one of `t`'s), or spaces where there are none.
///
/// Why: the tail used to be copied into a space-padded array, which compiled to a
/// `memcpy` call per line (~15 instructions each, 15 of the 19 lines of the bench's EHLO
/// response). Here it is the last eight octets of `t` (overlapping the words before),
/// or two overlapping four-octet loads, or for under four octets a shift per octet into
/// a word of spaces.
#[inline(always)]
fn tail_word(t: &[u8]) -> u64 {
    const SPACE: u64 = 0x2020_2020_2020_2020;
    let n = t.len();
    let w4 = |at: usize| {
        t.get(at..at + 4)
            .and_then(|c| c.try_into().ok())
            .map_or(SPACE, |c| u64::from(u32::from_le_bytes(c)))
    };
    if n >= 8 {
        t.get(n - 8..)
            .and_then(|c| c.try_into().ok())
            .map_or(SPACE, u64::from_le_bytes)
    } else if n >= 4 {
        w4(0) | w4(n - 4) << 32
    } else {
        t.iter().fold(SPACE, |acc, &b| acc << 8 | u64::from(b))
    }
}

/// The line at the front of `rest`: `(content, length with CRLF)`.
///
/// Why: the common cases, a CRLF within the limit or no LF yet, are one `memchr`, instead
/// of building a `LineScanner` and mapping its result for every line. A bare LF goes
/// through `decode_line` (a bare LF is line content there, so it looks further); the
/// answers are the same as `decode_line`'s (tested against it).
#[inline]
fn next_line(rest: &[u8], lc: LineConfig) -> Result<Decoded<&[u8]>, Error> {
    let window = rest.get(..lc.max_len).unwrap_or(rest);
    match memchr::memchr(b'\n', window) {
        Some(lf) => {
            if let Some(line) = window.get(..lf).and_then(|l| l.strip_suffix(b"\r")) {
                return Ok(Decoded::Complete {
                    value: line,
                    consumed: lf + 1,
                });
            }
        }
        // No LF at all: what `decode_line` says too, without scanning the window again
        // (a reply fed in small pieces meets this on every call).
        None if rest.len() >= lc.max_len => {
            return Err(Error::LineTooLong { limit: lc.max_len });
        }
        None => return Ok(Decoded::INCOMPLETE),
    }
    match decode_line(rest, lc) {
        Ok(d) => Ok(d),
        Err(mail_common::Error::LineTooLong { limit, .. }) => Err(Error::LineTooLong { limit }),
        Err(e) => Err(e.into()),
    }
}

/// Decodes one complete reply (all its lines) from the front of `input`.
///
/// A fresh [`ReplyDecoder`] each time: a caller fed small pieces of a long multi-line reply
/// should keep a [`ReplyDecoder`] instead, which resumes where it stopped.
///
/// # Errors
/// [`Error::Syntax`] (offset from the start of `input`), [`Error::LineTooLong`],
/// [`Error::LimitExceeded`] (too many lines), [`Error::ReplyCodeMismatch`],
/// [`Error::EnhancedClassMismatch`].
pub fn reply_lines<'a>(input: &'a [u8], config: &ReplyConfig) -> Result<Decoded<Reply<'a>>, Error> {
    ReplyDecoder::default().decode(input, config)
}

/// A reply decoder that keeps its place: every complete line is checked once, when it
/// arrives, so feeding a reply of L octets in pieces costs O(L) in total (a decoder that
/// restarted from the first line at every call would cost O(L²)).
///
/// Call [`decode`](Self::decode) with the unconsumed input, which must start at the same
/// reply each time until it is `Complete` (or failed); then the decoder is ready for the
/// next reply. Call [`reset`](Self::reset) if the input is replaced (after STARTTLS).
///
/// One pass: each line is framed, its code and enhanced code checked and its text
/// validated once; the finished reply borrows the lines as one slice
/// ([`Reply::lines`] splits them when asked), so decoding allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct ReplyDecoder {
    /// Octets of the reply's lines already checked.
    pos: usize,
    /// Lines already checked.
    lines: usize,
    /// The first line's code and enhanced code (while every line has the same one).
    first: Option<(ReplyCode, Option<EnhancedCode>)>,
    /// Where the first line's enhanced code is in the input, and its length (without the
    /// SP): later lines are compared with these octets (RFC 3463 forbids leading zeros, so
    /// equal codes are equal octets).
    enh_at: usize,
    enh_len: usize,
}

impl ReplyDecoder {
    /// Forgets the reply in progress.
    pub fn reset(&mut self) {
        *self = ReplyDecoder::default();
    }

    /// Decodes the reply at the front of `input`, resuming after the lines already checked.
    ///
    /// # Errors
    /// As [`reply_lines`]; after an error the decoder starts afresh.
    pub fn decode<'a>(
        &mut self,
        input: &'a [u8],
        config: &ReplyConfig,
    ) -> Result<Decoded<Reply<'a>>, Error> {
        let head = match self.run(input, config, &mut |_, _, _, _| {})? {
            Decoded::Complete { value, .. } => value,
            Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
        };
        // Every line's text was checked (UTF-8 included where it was not ASCII); the
        // codes, separators and CRLFs are ASCII, so this succeeds. It is the one `&str`
        // conversion for the whole reply (word-at-a-time on ASCII), instead of one per
        // line.
        let raw = input.get(..head.len).unwrap_or_default();
        let raw = core::str::from_utf8(raw).map_err(|e| Error::Syntax {
            offset: e.valid_up_to(),
            expected: "UTF-8 textstring",
        })?;
        Ok(Decoded::Complete {
            value: Reply {
                code: head.code,
                enhanced: head.enhanced,
                lines: Lines::Wire {
                    raw: Cow::Borrowed(raw),
                    count: head.lines,
                    skip: head.skip,
                },
            },
            consumed: head.len,
        })
    }

    /// The one pass behind [`decode`](Self::decode): checks the lines of the reply at the
    /// front of `input` (resuming as `decode` does) and calls `visit(start, end, index,
    /// printable)` once for each line that passed, in order, with where its text is in
    /// `input` (after the code and its separator, enhanced code included; a `textstring`)
    /// and whether that text is all printable ASCII.
    ///
    /// Why a visitor: the EHLO decoder notes where the lines are in this same pass
    /// ([`super::ehlo_response`]) instead of cutting them out of the reply again.
    pub(crate) fn run(
        &mut self,
        input: &[u8],
        config: &ReplyConfig,
        visit: &mut impl FnMut(usize, usize, usize, bool),
    ) -> Result<Decoded<Head>, Error> {
        let r = self.step(input, config, visit);
        if !matches!(r, Ok(Decoded::Incomplete { .. })) {
            self.reset();
        }
        r
    }

    fn step(
        &mut self,
        input: &[u8],
        config: &ReplyConfig,
        visit: &mut impl FnMut(usize, usize, usize, bool),
    ) -> Result<Decoded<Head>, Error> {
        let lc = LineConfig::new(config.max_line_len);
        if self.pos > input.len() {
            self.reset();
        }
        loop {
            let pos = self.pos;
            let rest = input.get(pos..).unwrap_or_default();
            let (line, used) = match next_line(rest, lc)? {
                Decoded::Complete { value, consumed } => (value, consumed),
                Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
            };
            if self.lines >= config.max_lines {
                return Err(Error::LimitExceeded {
                    what: "reply lines",
                    limit: config.max_lines,
                });
            }
            let (code, more, text_at) = line_head(line, pos)?;
            let text = line.get(text_at..).unwrap_or_default();
            match &mut self.first {
                None => {
                    let (rc, enh) = first_line(code, text, pos, text_at)?;
                    if let Some((_, len)) = enh {
                        self.enh_at = pos + text_at;
                        self.enh_len = len;
                    }
                    self.first = Some((rc, enh.map(|(e, _)| e)));
                }
                Some((rc, enh)) => {
                    if rc.get() != code {
                        return Err(Error::ReplyCodeMismatch {
                            offset: pos,
                            expected: rc.get(),
                            found: code,
                        });
                    }
                    // RFC 2034 §4: every line carries the code. If one does not, the code is
                    // kept as text everywhere (so the reply re-encodes to the same bytes).
                    // A first line with an enhanced code makes it a reply with enhanced
                    // codes: then a later line whose code has another class than the reply
                    // code is reported, as on the first line ("All status codes returned by
                    // the server must agree with the primary response code", RFC 2034 §4).
                    if self.enh_len > 0 {
                        let first = input.get(self.enh_at..self.enh_at + self.enh_len);
                        let same = enh.is_some()
                            && text.get(..self.enh_len) == first
                            && matches!(text.get(self.enh_len), None | Some(b' '));
                        if !same {
                            *enh = None;
                            continuation_class(rc.get(), text, pos + text_at)?;
                        }
                    }
                }
            }
            let printable = printable_ascii(text);
            if !printable {
                textstring(text, pos + text_at)?;
            }
            visit(
                pos + text_at,
                pos + text_at + text.len(),
                self.lines,
                printable,
            );
            self.pos += used;
            self.lines += 1;
            if !more {
                break;
            }
        }
        let Some((code, enhanced)) = self.first else {
            return Ok(Decoded::INCOMPLETE);
        };
        Ok(Decoded::Complete {
            value: Head {
                code,
                enhanced,
                len: self.pos,
                lines: self.lines,
                skip: if enhanced.is_some() { self.enh_len } else { 0 },
            },
            consumed: self.pos,
        })
    }
}

/// What [`ReplyDecoder::run`] found in a complete reply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    pub(crate) code: ReplyCode,
    pub(crate) enhanced: Option<EnhancedCode>,
    /// Octets of the reply, the last CRLF included.
    pub(crate) len: usize,
    pub(crate) lines: usize,
    /// Octets of enhanced code at the start of each line's text (0 without one).
    pub(crate) skip: usize,
}

/// The first line's code and, if its text starts with one of the same class, enhanced
/// code with the code's length in octets (without the SP after it).
fn first_line(
    code: u16,
    text: &[u8],
    pos: usize,
    text_at: usize,
) -> Result<(ReplyCode, Option<(EnhancedCode, usize)>), Error> {
    let rc = ReplyCode::new(code).map_err(|_| Error::Syntax {
        offset: pos,
        expected: "Reply-code",
    })?;
    let Some((class, subject, detail, len)) = enhanced_prefix(text) else {
        return Ok((rc, None));
    };
    if class != rc.class() {
        return Err(Error::EnhancedClassMismatch {
            offset: pos + text_at,
            code,
            class,
        });
    }
    // `len` counts the SP after the code, when there is one.
    let len = if text.get(len.saturating_sub(1)) == Some(&b' ') {
        len - 1
    } else {
        len
    };
    Ok((
        rc,
        EnhancedCode::new(class, subject, detail)
            .ok()
            .map(|e| (e, len)),
    ))
}

/// The class check of a continuation line that does not repeat the first line's enhanced
/// code: if its text (after any SPs) starts with an enhanced code, its class must be the
/// reply code's (`offset` is where the text starts).
///
/// Why after the SPs: an EHLO response is read word by word and written back with single
/// spaces, so a line `250  5.0.0` would come back as `250 5.0.0`; checking the first
/// word keeps the decoder's verdict the same on both.
fn continuation_class(code: u16, text: &[u8], offset: usize) -> Result<(), Error> {
    let lead = text.iter().take_while(|b| **b == b' ').count();
    let word = text.get(lead..).unwrap_or_default();
    match enhanced_prefix(word) {
        Some((class, ..)) if u16::from(class) != code / 100 => Err(Error::EnhancedClassMismatch {
            offset: offset + lead,
            code,
            class,
        }),
        _ => Ok(()),
    }
}

/// `Reply-code [ SP / "-" ]` at the start of a line (at `pos` in the input): the code,
/// whether more lines follow, and where the text starts.
///
/// Why two functions: the usual line (a valid code, then SP or "-") is answered here,
/// inlined into the decoder's loop; [`line_head_slow`] (not inlined) gives every other
/// answer. As one function it was a call per line that returned its `Result` through
/// memory, ~39 instructions a line in callgrind (19 lines of the bench's EHLO response).
#[inline(always)]
fn line_head(line: &[u8], pos: usize) -> Result<(u16, bool, usize), Error> {
    if let [
        a @ b'2'..=b'5',
        b @ b'0'..=b'5',
        c @ b'0'..=b'9',
        sep @ (b' ' | b'-'),
        ..,
    ] = line
    {
        let code = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
        return Ok((code, *sep == b'-', 4));
    }
    line_head_slow(line, pos)
}

/// [`line_head`] for every line: the answer of the code and separator checks.
#[inline(never)]
fn line_head_slow(line: &[u8], pos: usize) -> Result<(u16, bool, usize), Error> {
    // Reply-code = %x32-35 %x30-35 %x30-39
    let code = match (line.first(), line.get(1), line.get(2)) {
        (Some(a @ b'2'..=b'5'), Some(b @ b'0'..=b'5'), Some(c @ b'0'..=b'9')) => {
            u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
        }
        _ => {
            let bad = line
                .iter()
                .take(3)
                .zip([b"2345".as_slice(), b"012345", b"0123456789"])
                .take_while(|(b, ok)| ok.contains(b))
                .count();
            return Err(Error::Syntax {
                offset: pos + bad,
                expected: "Reply-code",
            });
        }
    };
    match line.get(3) {
        None => Ok((code, false, 3)),
        Some(b' ') => Ok((code, false, 4)),
        Some(b'-') => Ok((code, true, 4)),
        Some(_) => Err(Error::Syntax {
            offset: pos + 3,
            expected: "SP or \"-\" after Reply-code",
        }),
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    type Flat = (u16, Option<EnhancedCode>, Vec<String>, usize);

    /// The two-pass decoder this module had before the one-pass rewrite (each line checked
    /// with `textstring`, then the texts collected into a list): the reference for values
    /// and errors.
    fn reference(input: &[u8], config: &ReplyConfig) -> Result<Option<Flat>, Error> {
        let lc = LineConfig::new(config.max_line_len);
        let (mut pos, mut n) = (0, 0);
        let mut first: Option<(ReplyCode, Option<EnhancedCode>)> = None;
        let mut first_enh = false;
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            let (line, used) = match decode_line(rest, lc) {
                Ok(Decoded::Complete { value, consumed }) => (value, consumed),
                Ok(Decoded::Incomplete { .. }) => return Ok(None),
                Err(mail_common::Error::LineTooLong { limit, .. }) => {
                    return Err(Error::LineTooLong { limit });
                }
                Err(e) => return Err(e.into()),
            };
            if n >= config.max_lines {
                return Err(Error::LimitExceeded {
                    what: "reply lines",
                    limit: config.max_lines,
                });
            }
            let (code, more, text_at) = line_head(line, pos)?;
            let text = &line[text_at..];
            match &mut first {
                None => {
                    let (rc, enh) = first_line(code, text, pos, text_at)?;
                    first_enh = enh.is_some();
                    first = Some((rc, enh.map(|(e, _)| e)));
                }
                Some((rc, enh)) => {
                    if rc.get() != code {
                        return Err(Error::ReplyCodeMismatch {
                            offset: pos,
                            expected: rc.get(),
                            found: code,
                        });
                    }
                    if let Some(e) = *enh {
                        if enhanced_prefix(text).map(|(c, s, d, _)| (c, s, d))
                            != Some((e.class(), e.subject(), e.detail()))
                        {
                            *enh = None;
                        }
                    }
                    // A reply whose first line has an enhanced code: every line's code
                    // (after any SPs) is of the reply code's class.
                    if first_enh {
                        let lead = text.iter().take_while(|b| **b == b' ').count();
                        if let Some((class, ..)) = enhanced_prefix(&text[lead..]) {
                            if u16::from(class) != code / 100 {
                                return Err(Error::EnhancedClassMismatch {
                                    offset: pos + text_at + lead,
                                    code,
                                    class,
                                });
                            }
                        }
                    }
                }
            }
            textstring(text, pos + text_at)?;
            pos += used;
            n += 1;
            if !more {
                break;
            }
        }
        let (code, enhanced) = first.unwrap();
        let mut lines = Vec::new();
        let mut at = 0;
        while at < pos {
            let Decoded::Complete { value, consumed } = decode_line(&input[at..pos], lc).unwrap()
            else {
                unreachable!()
            };
            let text = &value[line_head(value, at).unwrap().2..];
            let t = match enhanced.and_then(|_| enhanced_prefix(text)) {
                Some((_, _, _, len)) => &text[len..],
                None => text,
            };
            lines.push(core::str::from_utf8(t).unwrap().to_string());
            at += consumed;
        }
        Ok(Some((code.get(), enhanced, lines, pos)))
    }

    fn flat(r: Result<Decoded<Reply<'_>>, Error>) -> Result<Option<Flat>, Error> {
        r.map(|d| match d {
            Decoded::Complete { value, consumed } => Some((
                value.code().get(),
                value.enhanced(),
                value.lines().map(String::from).collect(),
                consumed,
            )),
            Decoded::Incomplete { .. } => None,
        })
    }

    /// Decodes `input` whole and fed one more octet at a time (one decoder kept), and
    /// checks both against the reference.
    fn agree(input: &[u8], config: &ReplyConfig) {
        let want = reference(input, config);
        assert_eq!(
            flat(reply_lines(input, config)),
            want,
            "{:?}",
            String::from_utf8_lossy(input)
        );
        let mut dec = ReplyDecoder::default();
        for end in 0..=input.len() {
            let got = flat(dec.decode(&input[..end], config));
            if end == input.len() {
                assert_eq!(got, want, "fed: {:?}", String::from_utf8_lossy(input));
            } else if !matches!(got, Ok(None)) {
                // Done (or failed) before the end: the rest is another reply.
                assert_eq!(got, reference(&input[..end], config));
                return;
            }
        }
    }

    #[test]
    fn enhanced_prefix_equals_the_reference() {
        let alphabet = [b'0', b'1', b'2', b'4', b'5', b'9', b'.', b' ', b'x'];
        // Every string of up to 6 octets over the alphabet, and some longer ones.
        let mut cases: Vec<Vec<u8>> = alloc::vec![Vec::new()];
        let mut frontier = cases.clone();
        for _ in 0..6 {
            let mut next = Vec::new();
            for c in &frontier {
                for a in alphabet {
                    let mut d = c.clone();
                    d.push(a);
                    next.push(d);
                }
            }
            cases.extend(next.iter().cloned());
            frontier = next;
        }
        for extra in [
            &b"2.100.999 x"[..],
            b"5.999.9990",
            b"4.7.1",
            b"2.0.0 ",
            b"2.01.0",
        ] {
            cases.push(extra.to_vec());
        }
        for c in cases {
            assert_eq!(
                enhanced_prefix(&c),
                enhanced_prefix_reference(&c),
                "{:?}",
                String::from_utf8_lossy(&c)
            );
        }
    }

    #[test]
    fn line_head_equals_its_slow_form() {
        // Every octet value at each of the first four places of a valid head, and every
        // length up to five: the inlined form answers only where it is right.
        let mut heads: Vec<Vec<u8>> = Vec::new();
        for base in [&b"250-x"[..], b"550 x", b"2999", b"354"] {
            for n in 0..=base.len() {
                heads.push(base[..n].to_vec());
                for at in 0..n.min(4) {
                    for b in 0..=255u8 {
                        let mut h = base[..n].to_vec();
                        h[at] = b;
                        heads.push(h);
                    }
                }
            }
        }
        let mut fast = 0;
        for h in &heads {
            assert_eq!(line_head(h, 7), line_head_slow(h, 7), "{h:?}");
            fast += usize::from(matches!(
                h.as_slice(),
                [b'2'..=b'5', b'0'..=b'5', b'0'..=b'9', b' ' | b'-', ..]
            ));
        }
        assert!(fast > 50, "{fast}");
        assert_eq!(line_head(b"250-x", 0), Ok((250, true, 4)));
        assert_eq!(line_head(b"550 x", 0), Ok((550, false, 4)));
    }

    #[test]
    fn printable_ascii_is_exact() {
        let reference = |t: &[u8]| t.iter().all(|b| (32..=126).contains(b));
        for (t, b, at) in crate::parse::one_octet_variants(b'a') {
            assert_eq!(printable_ascii(&t), reference(&t), "{b:#x} at {at}");
        }
        assert!(printable_ascii(b""));
        assert!(printable_ascii(b" ~ ~ ~ ~ ~ ~ ~ ~ ~"));
        assert!(!printable_ascii(b"~~~~~~~~\x7f"));
        // Every length up to 24 (the word loads, the overlapping tail, the short forms),
        // with each octet replaced by a bad one and by any value.
        for n in 0..=24 {
            let good = alloc::vec![b'a'; n];
            assert!(printable_ascii(&good), "{n}");
            for at in 0..n {
                for b in 0..=255u8 {
                    let mut t = good.clone();
                    t[at] = b;
                    assert_eq!(printable_ascii(&t), reference(&t), "{n} {b:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn lines_are_cut_from_the_wire_text() {
        let input = b"250-2.1.0 a\r\n250-2.1.0\r\n250 2.1.0  b c\r\n";
        let (r, used) = reply_lines(input, &ReplyConfig::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(used, input.len());
        assert_eq!(r.lines(), ["a", "", " b c"]);
        assert_eq!(r.lines().len(), 3);
        assert_eq!(r.text(), "a");
        let built = Reply::multiline(
            250,
            EnhancedCode::new(2, 1, 0).ok(),
            alloc::vec!["a".into(), "".into(), " b c".into()],
        )
        .unwrap();
        assert_eq!(r, built);
        let hash = |r: &Reply<'_>| {
            use core::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            r.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&r), hash(&built));
        assert_eq!(r.clone().into_owned(), built);
        for input in [
            &b"250\r\n"[..],
            b"250 \r\n",
            b"334 \r\n",
            b"250-a\r\n250\r\n",
            b"220 x\ty \xc3\xa9\r\n",
            b"250-2.0.0 first\r\n250 second has none\r\n",
            b"250-2.0.0 a\r\n250 2.0.1 b\r\n",
            b"550-5.1.1 a\r\n550 5.1.1\r\n",
        ] {
            agree(input, &ReplyConfig::default());
        }
    }

    #[test]
    fn a_continuation_line_of_another_class_is_reported_at_its_code() {
        let config = ReplyConfig::default();
        for (input, offset, class) in [
            (&b"250-2.0.0 a\r\n250 5.0.0 b\r\n"[..], 17, 5),
            (b"250-2.0.0 a\r\n250-2.0.1 b\r\n250 4.0.0 c\r\n", 30, 4),
            (b"250-2.0.0 a\r\n250  5.0.0 b\r\n", 18, 5),
        ] {
            let want = Err(Error::EnhancedClassMismatch {
                offset,
                code: 250,
                class,
            });
            assert_eq!(flat(reply_lines(input, &config)), want);
            // Fed in pieces of every size, one decoder kept.
            for size in 1..input.len() {
                let mut dec = ReplyDecoder::default();
                let mut got = Ok(None);
                for end in (size..input.len()).step_by(size).chain([input.len()]) {
                    got = flat(dec.decode(&input[..end], &config));
                    if !matches!(got, Ok(None)) {
                        break;
                    }
                }
                assert_eq!(got, want, "pieces of {size}");
            }
        }
        // Without an enhanced code on the first line the reply has none: the rest is text.
        let (r, _) = reply_lines(b"250-a\r\n250 5.0.0 b\r\n", &config)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(r.lines(), ["a", "5.0.0 b"]);
        // Codes of the right class that differ from the first line's stay text.
        let (r, _) = reply_lines(b"250-2.0.0 a\r\n250 2.0.1 b\r\n", &config)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(r.enhanced(), None);
        assert_eq!(r.lines(), ["2.0.0 a", "2.0.1 b"]);
    }

    #[test]
    fn errors_are_those_of_the_reference() {
        for input in [
            &b"250-a\r\n251 b\r\n"[..],
            b"250 5.0.0 x\r\n",
            b"250 a\x01\r\n",
            b"250 a\nb\r\n",
            b"250 \xff\r\n",
            b"250-\xc3\r\n250 \x01\r\n",
            b"25x\r\n",
            b"2500\r\n",
            b"650 x\r\n",
            b"250-2.0.0 a\r\n250 5.0.0 b\r\n",
            b"250-2.0.0 a\r\n250-2.0.1 b\r\n250 4.0.0 c\r\n",
            b"250-2.0.0 a\r\n250  5.0.0 b\r\n",
            b"550-5.1.1 a\r\n550 2.1.1\r\n",
        ] {
            agree(input, &ReplyConfig::default());
        }
        let tight = ReplyConfig {
            max_line_len: 8,
            max_lines: 2,
        };
        for input in [
            &b"250-a\r\n250-b\r\n250 c\r\n"[..],
            b"250 abcdef\r\n",
            b"250 abcd\r\n",
        ] {
            agree(input, &tight);
        }
    }

    const PIECES: [&[u8]; 20] = [
        b"250",
        b"550",
        b"251",
        b"-",
        b" ",
        b"\r\n",
        b"\n",
        b"\r",
        b"2.1.0",
        b"5.1.1",
        b"2.01.0",
        b"4.7.1 ",
        b"ok",
        b"text with words",
        b"\t",
        b"\x01",
        b"\x7f",
        b"\xc3\xa9",
        b"\xc3",
        b"\xff",
    ];

    fn piece() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(&PIECES[..])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn one_pass_decoder_equals_the_reference(
            pieces in prop::collection::vec(piece(), 0..16),
            max_lines in 1..5usize,
        ) {
            let input: Vec<u8> = pieces.concat();
            let config = ReplyConfig { max_line_len: 40, max_lines };
            agree(&input, &config);
        }

        #[test]
        fn one_pass_decoder_equals_the_reference_on_lines(
            lines in prop::collection::vec(
                (prop::sample::select(&["250", "550", "25"][..]),
                 prop::sample::select(&["-", " ", ""][..]),
                 prop::collection::vec(piece(), 0..4)),
                1..5),
        ) {
            let mut input = Vec::new();
            for (code, sep, text) in lines {
                input.extend_from_slice(code.as_bytes());
                input.extend_from_slice(sep.as_bytes());
                input.extend(text.concat());
                input.extend_from_slice(b"\r\n");
            }
            agree(&input, &ReplyConfig::default());
        }
    }
}
