//! Line framing with explicit limits, for the line-oriented mail protocols.
//!
//! SMTP (RFC 5321 §2.3.8, §4.5.3.1), POP3 (RFC 1939 §3, RFC 2449 §4) and IMAP (RFC 3501
//! §2.2) all end their lines with CRLF. [`LineScanner`] finds complete lines in a growing
//! buffer without re-scanning bytes it has already seen, refuses lines over a configured
//! limit with [`Error::LineTooLong`], and after such an error can
//! [discard](LineScanner::discard) up to the next CRLF so that a server can answer "line too
//! long" and keep the session.

use crate::decode::Decoded;
use crate::error::Error;

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF included.
pub const SMTP_COMMAND_LINE: usize = 512;
/// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets, CRLF included.
pub const SMTP_REPLY_LINE: usize = 512;
/// RFC 5321 §4.5.3.1.6: a text (DATA) line is at most 1000 octets, CRLF included.
pub const SMTP_TEXT_LINE: usize = 1000;
/// RFC 2449 §4: a POP3 command line is at most 255 octets, CRLF included.
pub const POP3_COMMAND_LINE: usize = 255;
/// RFC 2449 §4: a POP3 response line is at most 512 octets, CRLF included.
pub const POP3_RESPONSE_LINE: usize = 512;

/// What ends a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LineEnding {
    /// Only CRLF, as every mail RFC requires. A bare LF is part of the line's content (and
    /// the protocol parser will refuse it).
    #[default]
    CrLf,
    /// CRLF or a bare LF (a lenient reader of peers that send `\n` alone). The CR, if any,
    /// is not part of the content.
    CrLfOrLf,
}

/// Limits for [`LineScanner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineConfig {
    /// Longest accepted line in octets, the line ending included. At least 2.
    pub max_len: usize,
    /// What ends a line.
    pub ending: LineEnding,
}

impl LineConfig {
    /// A strict CRLF configuration with the given limit (CRLF included; values below 2 are
    /// raised to 2).
    pub const fn new(max_len: usize) -> Self {
        LineConfig {
            max_len: if max_len < 2 { 2 } else { max_len },
            ending: LineEnding::CrLf,
        }
    }

    /// The same limit, with a different line ending rule.
    pub const fn with_ending(mut self, ending: LineEnding) -> Self {
        self.ending = ending;
        self
    }
}

/// What [`LineScanner::discard`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct Discard {
    /// Bytes to drop from the front of the input.
    pub consumed: usize,
    /// Whether the end of the over-long line was reached (the next byte starts a new line).
    pub done: bool,
}

/// Finds lines in a buffer that grows between calls, in linear total time.
///
/// Call [`next_line`](Self::next_line) with the unconsumed buffer each time bytes arrive.
/// On `Incomplete` it remembers how far it has looked, so the caller must pass the same
/// bytes again (plus whatever arrived) at the next call; on `Complete` the caller drops
/// `consumed` bytes and the scanner starts afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineScanner {
    config: LineConfig,
    scanned: usize,
}

impl LineScanner {
    /// A scanner with the given limits.
    pub const fn new(config: LineConfig) -> Self {
        LineScanner { config, scanned: 0 }
    }

    /// The configured limits.
    pub fn config(&self) -> LineConfig {
        self.config
    }

    /// Changes the limits (takes effect at the next line).
    pub fn set_config(&mut self, config: LineConfig) {
        self.config = config;
        self.scanned = 0;
    }

    /// Forgets how far the current line was scanned (after the caller replaced its buffer).
    pub fn reset(&mut self) {
        self.scanned = 0;
    }

    /// Looks for a complete line at the front of `input`.
    ///
    /// Returns the line's content without its ending, and in `consumed` the length with it.
    ///
    /// # Errors
    /// [`Error::LineTooLong`] when no line ending occurs within `max_len` octets. The
    /// scanner is then ready for [`discard`](Self::discard).
    pub fn next_line<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<&'a [u8]>, Error> {
        let max = self.config.max_len;
        let window = input.get(..max).unwrap_or(input);
        let mut from = self.scanned.min(window.len());
        while let Some(rel) = window
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        {
            let lf = from + rel;
            let has_cr = lf > 0 && window.get(lf - 1) == Some(&b'\r');
            let content_end = match (has_cr, self.config.ending) {
                (true, _) => lf - 1,
                (false, LineEnding::CrLfOrLf) => lf,
                // A bare LF is content under the strict rule: keep looking.
                (false, LineEnding::CrLf) => {
                    from = lf + 1;
                    continue;
                }
            };
            self.scanned = 0;
            return Ok(Decoded::Complete {
                value: window.get(..content_end).unwrap_or_default(),
                consumed: lf + 1,
            });
        }
        if input.len() >= max {
            self.scanned = 0;
            return Err(Error::LineTooLong {
                offset: max,
                limit: max,
            });
        }
        self.scanned = window.len();
        Ok(Decoded::INCOMPLETE)
    }

    /// Skips the rest of an over-long line, up to and including its CRLF (or LF under
    /// [`LineEnding::CrLfOrLf`]).
    ///
    /// Call it after [`Error::LineTooLong`] with the unconsumed buffer, drop `consumed`
    /// bytes, and repeat with new input until `done`. A CR at the very end of the input is
    /// not consumed, so a CRLF split between two reads is still recognised.
    pub fn discard(&mut self, input: &[u8]) -> Discard {
        self.scanned = 0;
        let mut from = 0;
        while let Some(rel) = input
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        {
            let lf = from + rel;
            let ends = self.config.ending == LineEnding::CrLfOrLf
                || (lf > 0 && input.get(lf - 1) == Some(&b'\r'));
            if ends {
                return Discard {
                    consumed: lf + 1,
                    done: true,
                };
            }
            from = lf + 1;
        }
        let keep = usize::from(input.last() == Some(&b'\r'));
        Discard {
            consumed: input.len() - keep,
            done: false,
        }
    }
}

/// Decodes one line from the front of `input` without keeping a cursor.
///
/// Equivalent to a fresh [`LineScanner::next_line`]; handy when the caller decodes whole
/// buffers. A caller feeding small chunks should keep a [`LineScanner`] instead.
///
/// # Errors
/// As [`LineScanner::next_line`].
pub fn decode_line(input: &[u8], config: LineConfig) -> Result<Decoded<&[u8]>, Error> {
    LineScanner::new(config).next_line(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn lines_fed(input: &[u8], chunk: usize, config: LineConfig) -> Vec<Result<Vec<u8>, Error>> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        let mut sc = LineScanner::new(config);
        let mut discarding = false;
        for piece in input.chunks(chunk.max(1)) {
            buf.extend_from_slice(piece);
            loop {
                if discarding {
                    let d = sc.discard(&buf);
                    buf.drain(..d.consumed);
                    if !d.done {
                        break;
                    }
                    discarding = false;
                }
                match sc.next_line(&buf) {
                    Ok(Decoded::Complete { value, consumed }) => {
                        out.push(Ok(value.to_vec()));
                        buf.drain(..consumed);
                    }
                    Ok(Decoded::Incomplete { .. }) => break,
                    Err(e) => {
                        out.push(Err(e));
                        discarding = true;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn crlf_line_is_found_and_ending_stripped() {
        let d = decode_line(b"QUIT\r\nNOOP\r\n", LineConfig::new(512)).unwrap();
        assert_eq!(d.complete(), Some((&b"QUIT"[..], 6)));
    }

    #[test]
    fn bare_lf_is_content_in_strict_mode() {
        let d = decode_line(b"A\nB\r\n", LineConfig::new(512)).unwrap();
        assert_eq!(d.complete(), Some((&b"A\nB"[..], 5)));
        let d = decode_line(
            b"A\nB\r\n",
            LineConfig::new(512).with_ending(LineEnding::CrLfOrLf),
        );
        assert_eq!(d.unwrap().complete(), Some((&b"A"[..], 2)));
    }

    #[test]
    fn limit_counts_the_crlf() {
        // 510 octets of content + CRLF = 512: accepted.
        let mut ok = alloc::vec![b'a'; 510];
        ok.extend_from_slice(b"\r\n");
        assert!(
            decode_line(&ok, LineConfig::new(512))
                .unwrap()
                .is_complete()
        );
        let mut long = alloc::vec![b'a'; 511];
        long.extend_from_slice(b"\r\n");
        assert_eq!(
            decode_line(&long, LineConfig::new(512)),
            Err(Error::LineTooLong {
                offset: 512,
                limit: 512
            })
        );
    }

    #[test]
    fn too_long_line_is_discarded_and_session_continues() {
        let mut input = alloc::vec![b'x'; 40];
        input.extend_from_slice(b"\r\nNOOP\r\n");
        for chunk in 1..=input.len() {
            let got = lines_fed(&input, chunk, LineConfig::new(10));
            assert_eq!(
                got,
                alloc::vec![
                    Err(Error::LineTooLong {
                        offset: 10,
                        limit: 10
                    }),
                    Ok(b"NOOP".to_vec())
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn one_byte_feeding_gives_the_same_lines() {
        let input = b"EHLO a\r\nMAIL FROM:<>\r\n\r\nx\ny\r\n";
        let whole = lines_fed(input, input.len(), LineConfig::new(512));
        assert_eq!(whole.len(), 4);
        for chunk in 1..input.len() {
            assert_eq!(lines_fed(input, chunk, LineConfig::new(512)), whole);
        }
    }

    proptest::proptest! {
        #[test]
        fn chunking_invariance(input in proptest::collection::vec(
            proptest::sample::select(alloc::vec![b'a', b'\r', b'\n']), 0..64),
            chunk in 1usize..16, lf in proptest::bool::ANY) {
            let cfg = LineConfig::new(8).with_ending(if lf { LineEnding::CrLfOrLf } else { LineEnding::CrLf });
            proptest::prop_assert_eq!(lines_fed(&input, chunk, cfg), lines_fed(&input, input.len().max(1), cfg));
        }
    }
}
