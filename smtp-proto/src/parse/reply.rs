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
/// Lines are found with `memchr`; an incomplete reply is re-scanned from its start at the
/// next call, which stays linear for replies of a few lines.
///
/// # Errors
/// [`Error::Syntax`] (offset from the start of `input`), [`Error::LineTooLong`],
/// [`Error::LimitExceeded`] (too many lines), [`Error::ReplyCodeMismatch`],
/// [`Error::EnhancedClassMismatch`].
pub fn reply_lines<'a>(input: &'a [u8], config: &ReplyConfig) -> Result<Decoded<Reply<'a>>, Error> {
    let lc = LineConfig::new(config.max_line_len);
    let mut pos = 0;
    let mut first: Option<(ReplyCode, Option<(EnhancedCode, usize)>)> = None;
    let mut texts: Vec<(&'a [u8], usize)> = Vec::new();
    loop {
        let rest = input.get(pos..).unwrap_or_default();
        let (line, used) = match decode_line(rest, lc) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            Ok(Decoded::Incomplete { needed }) => return Ok(Decoded::Incomplete { needed }),
            Err(mail_common::Error::LineTooLong { limit, .. }) => {
                return Err(Error::LineTooLong { limit });
            }
            Err(e) => return Err(e.into()),
        };
        if texts.len() >= config.max_lines {
            return Err(Error::LimitExceeded {
                what: "reply lines",
                limit: config.max_lines,
            });
        }
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
        let (more, text_at) = match line.get(3) {
            None => (false, 3),
            Some(b' ') => (false, 4),
            Some(b'-') => (true, 4),
            Some(_) => {
                return Err(Error::Syntax {
                    offset: pos + 3,
                    expected: "SP or \"-\" after Reply-code",
                });
            }
        };
        let text = line.get(text_at..).unwrap_or_default();
        match first {
            None => {
                let rc = ReplyCode::new(code).map_err(|_| Error::Syntax {
                    offset: pos,
                    expected: "Reply-code",
                })?;
                let mut enh = None;
                if let Some((class, subject, detail, len)) = enhanced_prefix(text) {
                    if class != rc.class() {
                        return Err(Error::EnhancedClassMismatch {
                            offset: pos + text_at,
                            code,
                            class,
                        });
                    }
                    enh = EnhancedCode::new(class, subject, detail)
                        .ok()
                        .map(|e| (e, len));
                }
                first = Some((rc, enh));
            }
            Some((rc, ref mut enh)) => {
                if rc.get() != code {
                    return Err(Error::ReplyCodeMismatch {
                        offset: pos,
                        expected: rc.get(),
                        found: code,
                    });
                }
                // RFC 2034 §4: every line carries the code. If one does not, the code is
                // kept as text everywhere (so the reply re-encodes to the same bytes).
                if let Some((e, _)) = *enh {
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
        texts.push((text, pos + text_at));
        pos += used;
        if !more {
            break;
        }
    }
    let Some((code, enhanced)) = first else {
        return Ok(Decoded::INCOMPLETE);
    };
    let mut lines: Vec<Cow<'a, str>> = Vec::with_capacity(texts.len());
    for (text, off) in texts {
        let t = match enhanced {
            Some((_, _)) => match enhanced_prefix(text) {
                Some((_, _, _, len)) => text.get(len..).unwrap_or_default(),
                None => text,
            },
            None => text,
        };
        lines.push(Cow::Borrowed(textstring(t, off)?));
    }
    Ok(Decoded::Complete {
        value: Reply {
            code,
            enhanced: enhanced.map(|(e, _)| e),
            lines,
        },
        consumed: pos,
    })
}
