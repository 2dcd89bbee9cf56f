//! Dot-stuffing, streaming both ways: SMTP DATA (RFC 5321 §4.5.2) and POP3 multi-line
//! responses (RFC 1939 §3).
//!
//! * [`DotStuffer`] turns message content into the wire form: every line ending becomes
//!   CRLF (a bare CR or bare LF is written as CRLF), a line that starts with `.` gets a
//!   second one, and [`finish`](DotStuffer::finish) appends the final CRLF if the content
//!   did not end with one, then `.` CRLF.
//! * [`DotUnstuffer`] reads the wire form back, yields the content as borrowed chunks
//!   without buffering the whole message, and ends **only** at `CRLF . CRLF`.
//!
//! # The end of data, and SMTP smuggling
//!
//! CVE-2023-51764, -51765 and -51766 ("SMTP smuggling") exploit receivers that accept
//! `LF . LF`, `CR . CR` or `LF . CRLF` as the end of the data while the sending MTA does not:
//! the bytes after the fake end are then read as new commands. The unstuffer here
//! recognises the end at a line that is exactly `.` followed by CRLF, where the line starts
//! after a CRLF (or at the very start of the data). A bare CR or a bare LF never ends a line
//! for that purpose. What happens to a bare CR or LF inside the data is the
//! [`BareLineEndings`] policy: [`Reject`](BareLineEndings::Reject) (the default, and what a
//! server should use: the error has the offset, and the session can answer with a clear
//! reply) or [`Accept`](BareLineEndings::Accept) (kept as data, never an end).

use bytes::BufMut;

use crate::decode::Decoded;
use crate::error::{BareOctet, Error};

/// What to do with a CR or LF that is not part of a CRLF pair inside dot-stuffed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BareLineEndings {
    /// Fail with [`Error::BareLineEnding`] (the default; RFC 5321 §2.3.8 forbids them).
    #[default]
    Reject,
    /// Pass them through as data. They still never end a line for dot-stuffing or for the
    /// end-of-data marker.
    Accept,
}

/// Limits and policy of a [`DotUnstuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DotConfig {
    /// Longest line, CRLF included but **not** the dot added for transparency (RFC 5321
    /// §4.5.3.1.6: 1000 octets "not counting the leading dot duplicated for
    /// transparency"; so a stuffed line may be one octet longer on the wire). `None` for
    /// no limit (POP3 sets none).
    pub max_line_len: Option<usize>,
    /// The bare CR / bare LF policy.
    pub bare_line_endings: BareLineEndings,
}

impl Default for DotConfig {
    fn default() -> Self {
        DotConfig {
            max_line_len: Some(crate::line::SMTP_TEXT_LINE),
            bare_line_endings: BareLineEndings::Reject,
        }
    }
}

/// One step of [`DotUnstuffer::decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unstuffed<'a> {
    /// Content bytes, un-stuffed, borrowed from the input.
    Data(&'a [u8]),
    /// The `.` CRLF line that ends the data was read (it is included in `consumed`).
    End,
}

/// Streaming decoder of dot-stuffed data. See the [module docs](self).
///
/// Call [`decode`](Self::decode) with the unconsumed input (the bytes right after the
/// `354` reply in SMTP, or after the `+OK` line of a POP3 multi-line response). Each
/// `Complete` gives a chunk of content and how many input bytes to drop; `Incomplete`
/// means the bytes left (at most two: a `.` or `.` CR at a line start, or a final CR) can
/// only be understood with what comes next, so keep them and call again when more
/// arrives. Memory use is constant; the work is linear in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotUnstuffer {
    config: DotConfig,
    at_line_start: bool,
    line_len: usize,
    finished: bool,
}

impl Default for DotUnstuffer {
    fn default() -> Self {
        Self::new(DotConfig::default())
    }
}

impl DotUnstuffer {
    /// A decoder at the start of the data.
    pub const fn new(config: DotConfig) -> Self {
        DotUnstuffer {
            config,
            at_line_start: true,
            line_len: 0,
            finished: false,
        }
    }

    /// Whether the end marker was read.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Starts over for a new message with the same configuration.
    pub fn reset(&mut self) {
        *self = Self::new(self.config);
    }

    fn check_len(&self, offset: usize, added: usize) -> Result<(), Error> {
        match self.config.max_line_len {
            Some(limit) if self.line_len + added > limit => Err(Error::LineTooLong {
                offset: offset + limit.saturating_sub(self.line_len),
                limit,
            }),
            _ => Ok(()),
        }
    }

    fn bare(&self, offset: usize, octet: BareOctet) -> Result<(), Error> {
        match self.config.bare_line_endings {
            BareLineEndings::Reject => Err(Error::BareLineEnding { offset, octet }),
            BareLineEndings::Accept => Ok(()),
        }
    }

    /// Decodes the next chunk of content from the front of `input`.
    ///
    /// # Errors
    /// [`Error::LineTooLong`], [`Error::BareLineEnding`] (under
    /// [`BareLineEndings::Reject`]), or [`Error::Finished`] after the end was reported.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<Unstuffed<'a>>, Error> {
        if self.finished {
            return Err(Error::Finished);
        }
        let mut pos = 0;
        if self.at_line_start {
            match (input.first(), input.get(1), input.get(2)) {
                (None, _, _) | (Some(b'.'), None, _) | (Some(b'.'), Some(b'\r'), None) => {
                    return Ok(Decoded::needs(1));
                }
                (Some(b'.'), Some(b'\r'), Some(b'\n')) => {
                    self.finished = true;
                    return Ok(Decoded::Complete {
                        value: Unstuffed::End,
                        consumed: 3,
                    });
                }
                // RFC 5321 §4.5.2: a line that starts with a dot and has more characters
                // loses that first dot, which does not count toward the line length
                // (RFC 5321 §4.5.3.1.6).
                (Some(b'.'), _, _) => pos = 1,
                _ => {}
            }
            self.at_line_start = false;
        }
        let start = pos;
        // Scan runs between CR/LF octets; stop after a CRLF that is followed by a dot (the
        // dot must be removed, or it is the end) or by the end of the input.
        let mut line_start = pos;
        if let Some(end) = self.clean_lines(input, pos) {
            // The same state the loop below reaches after the CRLF that ends at `end`.
            self.line_len = 0;
            if matches!(input.get(end), Some(b'.') | None) {
                self.at_line_start = true;
                return Ok(self.emit(input, start, end, end));
            }
            line_start = end;
            pos = end;
        }
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            let Some(rel) = memchr::memchr2(b'\r', b'\n', rest) else {
                self.check_len(line_start, input.len() - line_start)?;
                self.line_len += input.len() - line_start;
                return Ok(self.emit(input, start, input.len(), input.len()));
            };
            let at = pos + rel;
            // The content before the CR/LF first, so that the error is the same whatever
            // the chunking (a chunk may end right there).
            self.check_len(line_start, at - line_start)?;
            if input.get(at) == Some(&b'\n') {
                // A CR before it would have been handled with the CR: this LF is bare.
                self.bare(at, BareOctet::Lf)?;
                self.check_len(line_start, at + 1 - line_start)?;
                // Accepted bare LF: it restarts the length count (a peer that ends lines
                // with LF alone would otherwise hit the limit at once), not the dot rule.
                self.line_len = 0;
                line_start = at + 1;
                pos = at + 1;
                continue;
            }
            match input.get(at + 1) {
                // A CR at the very end: keep it until we know what follows.
                None => {
                    self.line_len += at - line_start;
                    return Ok(self.emit(input, start, at, at));
                }
                Some(b'\n') => {
                    self.check_len(line_start, at + 2 - line_start)?;
                    self.line_len = 0;
                    let next = at + 2;
                    match input.get(next) {
                        Some(b'.') | None => {
                            self.at_line_start = true;
                            return Ok(self.emit(input, start, next, next));
                        }
                        Some(_) => {
                            line_start = next;
                            pos = next;
                        }
                    }
                }
                Some(_) => {
                    self.bare(at, BareOctet::Cr)?;
                    pos = at + 1;
                }
            }
        }
    }

    /// The fast path of [`decode`](Self::decode): `Some(end)` when the line-by-line loop,
    /// started at `pos`, would read every line up to `end` (just after an LF) without an
    /// error, a bare CR or LF, or a stop, and `end` is where it would stop (a dot follows,
    /// or the input ends) or the end of the last complete line of the input. `None`
    /// (anything unusual, or a short input) leaves it all to the loop, which also finds
    /// the precise error, so the results are the loop's whatever the chunking.
    ///
    /// Why: the loop stops at every CR or LF (one `memchr2` call per line, ~600 calls for
    /// a 45 KB message). Here each check is one pass over the whole span with no stop per
    /// line: the next `CRLF "."` by `memmem` (lines starting with a dot are rare); CR/LF
    /// pairing as a fold without early exit over the octet pairs (the compiler
    /// vectorises it: "CR at i" must equal "LF at i + 1" everywhere); line lengths by
    /// jumping to the **last** LF of each limit-sized window (`memrchr` from the window's
    /// end), about one call per `limit` octets instead of one per line.
    fn clean_lines(&self, input: &[u8], pos: usize) -> Option<usize> {
        /// Below this the loop is as cheap (a line or two) and the searches' set-up is not.
        const MIN_FAST: usize = 64;
        let region = input.get(pos..)?;
        if region.len() < MIN_FAST {
            return None;
        }
        let len = match memchr::memmem::find(region, b"\r\n.") {
            Some(crlf) => crlf + 2,
            None => memchr::memrchr(b'\n', region)? + 1,
        };
        let span = region.get(..len)?;
        // The span ends with LF; its first octet is the loop's first, and an LF there has
        // no CR before it in this input (a CR at the end of a chunk is never consumed).
        if span.first() == Some(&b'\n') || unpaired(span.get(..len - 1)?, span.get(1..)?) {
            return None;
        }
        if let Some(limit) = self.config.max_line_len {
            // Every line from `line` on fits if each `room`-octet window holds an LF; the
            // lines between two LFs of one window are shorter than it.
            let mut line = 0;
            let mut room = limit.checked_sub(self.line_len)?;
            while len - line > room {
                line += memchr::memrchr(b'\n', span.get(line..line + room)?)? + 1;
                room = limit;
            }
        }
        Some(pos + len)
    }

    fn emit<'a>(
        &self,
        input: &'a [u8],
        start: usize,
        end: usize,
        consumed: usize,
    ) -> Decoded<Unstuffed<'a>> {
        match input.get(start..end) {
            Some(data) if !data.is_empty() || consumed > 0 => Decoded::Complete {
                value: Unstuffed::Data(data),
                consumed,
            },
            _ => Decoded::needs(1),
        }
    }
}

/// Whether some `a[i]` is CR while `b[i]` is not LF, or the other way round (`b` is `a`
/// shifted by one: then every CR is followed by LF and every LF preceded by CR).
///
/// A fold with no early exit, so that the compiler turns it into vector compares (no
/// branch per octet; callgrind: about 0.45 instructions an octet); an error is rare,
/// and the caller then starts over octet by octet anyway.
fn unpaired(a: &[u8], b: &[u8]) -> bool {
    a.iter()
        .zip(b)
        .fold(false, |acc, (x, y)| acc | ((*x == b'\r') != (*y == b'\n')))
}

/// Streaming dot-stuffing encoder. See the [module docs](self).
///
/// Feed content with [`encode`](Self::encode) in chunks of any size, then call
/// [`finish`](Self::finish) once to write the end of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotStuffer {
    at_line_start: bool,
    pending_cr: bool,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl DotStuffer {
    /// An encoder at the start of the content.
    pub const fn new() -> Self {
        DotStuffer {
            at_line_start: true,
            pending_cr: false,
        }
    }

    /// Writes the wire form of `content` to `out`.
    pub fn encode(&mut self, content: &[u8], out: &mut impl BufMut) {
        let mut pos = 0;
        while pos < content.len() {
            if self.pending_cr {
                // Whatever follows a CR, the wire gets CRLF: a bare CR becomes a line end.
                self.pending_cr = false;
                out.put_slice(b"\r\n");
                self.at_line_start = true;
                if content.get(pos) == Some(&b'\n') {
                    pos += 1;
                    continue;
                }
            }
            if self.at_line_start {
                if content.get(pos) == Some(&b'.') {
                    out.put_u8(b'.');
                }
                self.at_line_start = false;
            }
            let rest = content.get(pos..).unwrap_or_default();
            match memchr::memchr2(b'\r', b'\n', rest) {
                None => {
                    out.put_slice(rest);
                    return;
                }
                Some(rel) => {
                    out.put_slice(rest.get(..rel).unwrap_or_default());
                    if rest.get(rel) == Some(&b'\r') {
                        self.pending_cr = true;
                    } else {
                        out.put_slice(b"\r\n");
                        self.at_line_start = true;
                    }
                    pos += rel + 1;
                }
            }
        }
    }

    /// Ends the data: completes the last line with CRLF if needed, then writes `.` CRLF.
    /// The encoder is ready for a new message afterwards.
    pub fn finish(&mut self, out: &mut impl BufMut) {
        if self.pending_cr || !self.at_line_start {
            out.put_slice(b"\r\n");
        }
        out.put_slice(b".\r\n");
        *self = Self::new();
    }
}

/// Dot-stuffs a whole message at once (the content, then the end marker).
pub fn stuff(content: &[u8], out: &mut impl BufMut) {
    let mut s = DotStuffer::new();
    s.encode(content, out);
    s.finish(out);
}
