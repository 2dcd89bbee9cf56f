//! Reply lines: RFC 5321 §4.2 `Greeting` and `Reply-line`, with RFC 2034 enhanced codes.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use mail_common::decode::Decoded;
use mail_common::line::{LineConfig, SMTP_REPLY_LINE, decode_line};

use crate::error::Error;
use crate::types::reply::{EnhancedCode, Reply, ReplyCode};

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
pub(crate) fn enhanced_prefix(t: &[u8]) -> Option<(u8, u16, u16, usize)> {
    let digits = |from: usize, max: usize| -> Option<(u16, usize)> {
        let n = t
            .get(from..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        // RFC 3463 §2: subject and detail are "0" / (%x31-39 0*2DIGIT): no leading zero.
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
#[derive(Debug, Clone, Default)]
pub struct ReplyDecoder {
    /// Octets of the reply's lines already checked.
    pos: usize,
    /// Lines already checked.
    lines: usize,
    /// The first line's code and enhanced code (while every line has the same one).
    first: Option<(ReplyCode, Option<EnhancedCode>)>,
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
        let r = self.step(input, config);
        if !matches!(r, Ok(Decoded::Incomplete { .. })) {
            self.reset();
        }
        r
    }

    fn step<'a>(
        &mut self,
        input: &'a [u8],
        config: &ReplyConfig,
    ) -> Result<Decoded<Reply<'a>>, Error> {
        let lc = LineConfig::new(config.max_line_len);
        if self.pos > input.len() {
            self.reset();
        }
        loop {
            let pos = self.pos;
            let rest = input.get(pos..).unwrap_or_default();
            let (line, used) = match decode_line(rest, lc) {
                Ok(Decoded::Complete { value, consumed }) => (value, consumed),
                Ok(Decoded::Incomplete { needed }) => return Ok(Decoded::Incomplete { needed }),
                Err(mail_common::Error::LineTooLong { limit, .. }) => {
                    return Err(Error::LineTooLong { limit });
                }
                Err(e) => return Err(e.into()),
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
                    let rc = ReplyCode::new(code).map_err(|_| Error::Syntax {
                        offset: pos,
                        expected: "Reply-code",
                    })?;
                    let mut enh = None;
                    if let Some((class, subject, detail, _)) = enhanced_prefix(text) {
                        if class != rc.class() {
                            return Err(Error::EnhancedClassMismatch {
                                offset: pos + text_at,
                                code,
                                class,
                            });
                        }
                        enh = EnhancedCode::new(class, subject, detail).ok();
                    }
                    self.first = Some((rc, enh));
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
                    if let Some(e) = *enh {
                        let same = enhanced_prefix(text).is_some_and(|(c, s, d, _)| {
                            (c, s, d) == (e.class(), e.subject(), e.detail())
                        });
                        if !same {
                            *enh = None;
                        }
                    }
                }
            }
            textstring(text, pos + text_at)?;
            self.pos += used;
            self.lines += 1;
            if !more {
                break;
            }
        }
        let Some((code, enhanced)) = self.first else {
            return Ok(Decoded::INCOMPLETE);
        };
        // The reply is complete: collect the texts (every line was checked above).
        let end = self.pos;
        let mut lines: Vec<Cow<'a, str>> = Vec::with_capacity(self.lines);
        let mut pos = 0;
        while pos < end {
            let rest = input.get(pos..end).unwrap_or_default();
            let Ok(Decoded::Complete { value, consumed }) = decode_line(rest, lc) else {
                break;
            };
            let (_, _, text_at) = line_head(value, pos)?;
            let text = value.get(text_at..).unwrap_or_default();
            let t = match enhanced {
                Some(_) => match enhanced_prefix(text) {
                    Some((_, _, _, len)) => text.get(len..).unwrap_or_default(),
                    None => text,
                },
                None => text,
            };
            lines.push(Cow::Borrowed(textstring(t, pos + text_at)?));
            pos += consumed;
        }
        Ok(Decoded::Complete {
            value: Reply {
                code,
                enhanced,
                lines,
            },
            consumed: end,
        })
    }
}

/// `Reply-code [ SP / "-" ]` at the start of a line (at `pos` in the input): the code,
/// whether more lines follow, and where the text starts.
fn line_head(line: &[u8], pos: usize) -> Result<(u16, bool, usize), Error> {
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
