//! Streaming decoders: the server's command decoder, the client's response decoder and the
//! framer they share.
//!
//! The framer finds where a message ends (a line, or several lines joined by literals)
//! keeping a cursor, so that feeding a message in small chunks costs O(total bytes): each
//! call scans only the bytes that arrived since the last one and skips literal data without
//! looking at it. Only when the whole message is there is it parsed, once.
//!
//! Like every IMAP implementation that frames before parsing, the framer takes a line that
//! ends in `{n}` or `{n+}` as announcing a literal (RFC 3501 §4.3), even inside free text
//! such as a response's `text`; servers do not end text that way. A binary literal
//! (`literal8 = "~{" number ["+"] "}" CRLF *OCTET`, RFC 3516 §7, RFC 4466 §2.2) ends the
//! same way and is framed alike, in both directions; its data may hold NUL octets, which
//! the framer never looks at.

use alloc::string::String;
use alloc::vec::Vec;
use core::num::NonZeroUsize;

use mail_common::decode::Decoded;
use mail_common::line::Discard;

use crate::Error;
use crate::config::{Config, Limits};
use crate::parse::{self, to_error};
use crate::serialize::LiteralSupport;
use crate::types::command::{AuthenticateData, Command};
use crate::types::core::Tag;
use crate::types::response::{Greeting, Response};

/// What the framer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// A whole message: the first `n` bytes.
    Complete(usize),
    /// More bytes needed.
    Incomplete(Option<NonZeroUsize>),
    /// A synchronizing literal of `size` octets was announced; its data starts at `data`.
    Announce { size: u64 },
    /// A literal to stream was announced; its data starts at `data`.
    Stream { size: u64, data: usize },
}

#[derive(Debug, Clone, Copy)]
struct FrameCfg {
    limits: Limits,
    announce_sync: bool,
    non_sync: Option<LiteralSupport>,
    stream_over: Option<u64>,
}

/// The message framer: a cursor over the caller's growing buffer.
#[derive(Debug, Clone, Default)]
struct Framer {
    /// Bytes before this were scanned already.
    pos: usize,
    /// Start of the current line.
    line_start: usize,
    /// Inside a literal: where it ends.
    literal_end: Option<usize>,
    /// Literals in the current message.
    literals: usize,
    /// Bytes examined so far (for the linear-time test).
    scanned: u64,
}

/// `{n}` or `{n+}` at the end of a line: (size, sync, offset of `{`).
fn literal_announcement(line: &[u8]) -> Option<(u64, bool, usize)> {
    let (last, rest) = line.split_last()?;
    if *last != b'}' {
        return None;
    }
    let (sync, rest) = match rest.split_last() {
        Some((b'+', r)) => (false, r),
        _ => (true, rest),
    };
    let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let brace = rest.len().checked_sub(digits + 1)?;
    if rest.get(brace) != Some(&b'{') {
        return None;
    }
    let n = rest
        .get(brace + 1..)?
        .iter()
        .fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
    Some((n, sync, brace))
}

fn leading_tag(buf: &[u8]) -> Option<String> {
    let end = memchr::memchr(b' ', buf)?;
    let t = core::str::from_utf8(buf.get(..end)?).ok()?;
    Tag::new(t).ok().map(|t| String::from(t.as_str()))
}

impl Framer {
    fn reset(&mut self) {
        let scanned = self.scanned;
        *self = Framer::default();
        self.scanned = scanned;
    }

    /// Positions restart at 0 because the caller consumed what came before; the message
    /// itself goes on (streaming).
    fn rebase(&mut self) {
        self.pos = 0;
        self.line_start = 0;
        self.literal_end = None;
    }

    /// After a line over the limit: from a client, the rest of the command by the literal
    /// rules from the start of that line (it may announce a non-synchronizing literal);
    /// otherwise up to the next LF.
    fn rest_of_line(&self, cfg: &FrameCfg) -> Recover {
        if cfg.non_sync.is_some() {
            Recover::Command(CommandSkip::data(self.line_start as u64))
        } else {
            Recover::LineFrom(self.line_start)
        }
    }

    /// [`step`](Self::step)'s answer when it is a whole message of one line: at the start
    /// of a message, the first line of `buf` is complete, ends with CRLF, fits `max_line`
    /// and announces no literal. `None` when any of that does not hold, and nothing has
    /// changed: `step` then reads the line (again) and gives every other answer.
    ///
    /// Issue 9: nearly every command and response is one line; this is `step`'s path for
    /// it without the settings it needs only for literals (a `FrameCfg` with its
    /// `Limits` built per call), the loop and the position bookkeeping, and the reset
    /// after it (−2.3 % of the command corpus's instructions). Inlined, it costs the
    /// decoders' path for a message fed in small pieces ≈30 instructions per call
    /// (still linear: the 1-octet response linearity row +23 % instructions, ratio
    /// 3.999); `#[inline(never)]` would cost 2 % of the command corpus and 1.3 % of the
    /// response corpus instead.
    #[inline]
    fn whole_line(&mut self, buf: &[u8], max_line: usize) -> Option<usize> {
        if self.pos != 0 || self.literals != 0 || self.literal_end.is_some() {
            return None;
        }
        let lf = memchr::memchr(b'\n', buf)?;
        let cr = lf.checked_sub(1)?;
        if lf + 1 > max_line || buf.get(cr) != Some(&b'\r') {
            return None;
        }
        let line = buf.get(..cr)?;
        // `literal_announcement` needs a closing brace at the end.
        if line.last() == Some(&b'}') {
            return None;
        }
        self.scanned += lf as u64 + 1;
        Some(lf + 1)
    }

    fn step(&mut self, buf: &[u8], cfg: &FrameCfg) -> Result<Frame, (Error, Recover)> {
        loop {
            if let Some(end) = self.literal_end {
                if buf.len() < end {
                    return Ok(Frame::Incomplete(NonZeroUsize::new(end - buf.len())));
                }
                self.pos = end;
                self.line_start = end;
                self.literal_end = None;
            }
            let hay = buf.get(self.pos..).unwrap_or_default();
            let max = cfg.limits.max_line;
            let Some(k) = memchr::memchr(b'\n', hay) else {
                self.scanned += hay.len() as u64;
                self.pos = buf.len();
                if self.pos - self.line_start > max {
                    let offset = self.line_start + max;
                    let line = self.literals + 1;
                    return Err((
                        Error::LineTooLong {
                            offset,
                            line,
                            limit: max,
                        },
                        self.rest_of_line(cfg),
                    ));
                }
                return Ok(Frame::Incomplete(None));
            };
            self.scanned += k as u64 + 1;
            let lf = self.pos + k;
            if lf + 1 - self.line_start > max {
                let offset = self.line_start + max;
                let line = self.literals + 1;
                return Err((
                    Error::LineTooLong {
                        offset,
                        line,
                        limit: max,
                    },
                    if cfg.non_sync.is_some() {
                        self.rest_of_line(cfg)
                    } else {
                        Recover::Known(lf + 1)
                    },
                ));
            }
            if lf == self.line_start || buf.get(lf - 1) != Some(&b'\r') {
                return Err((
                    Error::Syntax {
                        offset: lf,
                        line: 1 + self.literals,
                        rule: "CRLF",
                    },
                    Recover::Known(lf + 1),
                ));
            }
            let line = buf.get(self.line_start..lf - 1).unwrap_or_default();
            let data = lf + 1;
            if let Some((size, sync, brace)) = literal_announcement(line) {
                let offset = self.line_start + brace;
                let line = self.literals + 1;
                // Past the announcement: a synchronizing literal is not sent once refused
                // (RFC 3501 §7.5); a non-synchronizing one is, and from a client the rest
                // of its command follows (RFC 7888 §3, §4).
                let skip_all = if sync {
                    Recover::Known(data)
                } else if cfg.non_sync.is_some() {
                    Recover::Command(CommandSkip::data((data as u64).saturating_add(size)))
                } else {
                    Recover::Known(data.saturating_add(size as usize))
                };
                self.literals += 1;
                if self.literals > cfg.limits.max_literals {
                    let limit = cfg.limits.max_literals;
                    return Err((
                        Error::TooManyLiterals {
                            offset,
                            line,
                            limit,
                        },
                        skip_all,
                    ));
                }
                if size > cfg.limits.max_literal {
                    return Err((
                        Error::LiteralTooLarge {
                            offset,
                            line,
                            size,
                            limit: cfg.limits.max_literal,
                            tag: leading_tag(buf),
                            sync,
                        },
                        skip_all,
                    ));
                }
                if !sync {
                    let allowed = match cfg.non_sync {
                        None | Some(LiteralSupport::LiteralPlus) => true,
                        Some(LiteralSupport::SyncOnly) => false,
                        Some(LiteralSupport::LiteralMinus) => size <= 4096,
                    };
                    if !allowed {
                        return Err((Error::NonSyncLiteral { offset, line, size }, skip_all));
                    }
                }
                self.pos = data;
                self.line_start = data;
                if cfg.stream_over.is_some_and(|t| size >= t) {
                    return Ok(Frame::Stream { size, data });
                }
                self.literal_end = Some(data.saturating_add(size as usize));
                if sync && cfg.announce_sync {
                    return Ok(Frame::Announce { size });
                }
                continue;
            }
            self.reset();
            return Ok(Frame::Complete(data));
        }
    }
}

/// How to skip past a message that failed to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recover {
    /// Drop this many more bytes.
    Known(usize),
    /// Drop this many bytes, then up to and including the next LF.
    LineFrom(usize),
    /// Drop the rest of a command by the literal rules ([`CommandSkip`]).
    Command(CommandSkip),
}

/// Where the end of the current line stands against a literal announcement
/// (`"{" number ["+"] "}" CRLF`, RFC 3501 §9, RFC 7888 §8; a literal8's `~` before the
/// brace changes nothing), read forward one octet at a time so that it holds across
/// chunks. Agrees with `literal_announcement`: 1 to 19 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// Nothing that can end an announcement.
    Other,
    /// `{`.
    Open,
    /// `{` and `count` digits of `n`.
    Digits { n: u64, count: u8 },
    /// `{n+`.
    Plus { n: u64 },
    /// `{n}` or `{n+}`.
    Close { n: u64, sync: bool },
    /// `{n}` or `{n+}` and CR.
    Cr { n: u64, sync: bool },
}

impl Tail {
    fn next(self, b: u8) -> Tail {
        match (self, b) {
            (_, b'{') => Tail::Open,
            (Tail::Open, b'0'..=b'9') => Tail::Digits {
                n: u64::from(b - b'0'),
                count: 1,
            },
            (Tail::Digits { n, count }, b'0'..=b'9') if count < 19 => Tail::Digits {
                n: n * 10 + u64::from(b - b'0'),
                count: count + 1,
            },
            (Tail::Digits { n, .. }, b'+') => Tail::Plus { n },
            (Tail::Digits { n, .. }, b'}') => Tail::Close { n, sync: true },
            (Tail::Plus { n }, b'}') => Tail::Close { n, sync: false },
            (Tail::Close { n, sync }, b'\r') => Tail::Cr { n, sync },
            _ => Tail::Other,
        }
    }
}

/// Skips the rest of a refused command by the grammar's literal rules, never reading
/// literal data as commands: the announced octets of a non-synchronizing literal
/// (`{n+}`, `~{n+}`, RFC 7888 §3) are dropped unseen and the command goes on after
/// them; a line that ends in a synchronizing announcement (`{n}`) or in none ends the
/// command, since after the tagged refusal the client sends no synchronizing literal
/// (RFC 3501 §7.5). This is choice 1 of RFC 7888 §4 (read the announced octets, answer
/// the command with a tagged NO/BAD before or while doing so); the connection stays open.
/// Chunking-invariant, constant memory, one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommandSkip {
    /// Octets still to drop unseen (literal data, or what came before the line).
    data: u64,
    /// The current line, read so far.
    tail: Tail,
}

impl CommandSkip {
    /// Drop `n` octets unseen (a refused non-synchronizing literal's data, or the part
    /// of the command before the current line), then the rest of the command.
    pub(crate) fn data(n: u64) -> Self {
        CommandSkip {
            data: n,
            tail: Tail::Other,
        }
    }

    /// Skips from the front of `buf`: drop `consumed` octets; once `done`, the next
    /// command starts there.
    pub(crate) fn skip(&mut self, buf: &[u8]) -> Discard {
        let mut pos = 0usize;
        loop {
            let rest = buf.get(pos..).unwrap_or_default();
            if self.data > 0 {
                let n = usize::try_from(self.data)
                    .unwrap_or(usize::MAX)
                    .min(rest.len());
                self.data -= n as u64;
                pos += n;
                if self.data > 0 {
                    return Discard {
                        consumed: pos,
                        done: false,
                    };
                }
                continue;
            }
            let mut ended = None;
            for (i, &b) in rest.iter().enumerate() {
                if b == b'\n' {
                    ended = Some((i, self.tail));
                    self.tail = Tail::Other;
                    break;
                }
                self.tail = self.tail.next(b);
            }
            let Some((i, tail)) = ended else {
                return Discard {
                    consumed: buf.len(),
                    done: false,
                };
            };
            pos += i + 1;
            match tail {
                Tail::Cr { n, sync: false } => self.data = n,
                _ => {
                    return Discard {
                        consumed: pos,
                        done: true,
                    };
                }
            }
        }
    }
}

fn discard(recover: &mut Option<Recover>, buf: &[u8]) -> Discard {
    match *recover {
        None => Discard {
            consumed: 0,
            done: true,
        },
        Some(Recover::Known(n)) => {
            let k = n.min(buf.len());
            if k == n {
                *recover = None;
            } else {
                *recover = Some(Recover::Known(n - k));
            }
            Discard {
                consumed: k,
                done: k == n,
            }
        }
        Some(Recover::Command(mut skip)) => {
            let d = skip.skip(buf);
            *recover = (!d.done).then_some(Recover::Command(skip));
            d
        }
        Some(Recover::LineFrom(skip)) => {
            let k = skip.min(buf.len());
            if k < skip {
                *recover = Some(Recover::LineFrom(skip - k));
                return Discard {
                    consumed: k,
                    done: false,
                };
            }
            let rest = buf.get(k..).unwrap_or_default();
            match memchr::memchr(b'\n', rest) {
                Some(lf) => {
                    *recover = None;
                    Discard {
                        consumed: k + lf + 1,
                        done: true,
                    }
                }
                None => {
                    *recover = Some(Recover::LineFrom(0));
                    Discard {
                        consumed: buf.len(),
                        done: false,
                    }
                }
            }
        }
    }
}

/// The outcome of [`CommandDecoder::decode`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum CommandDecoded<'a> {
    /// A whole command, from the first `consumed` bytes.
    Complete {
        /// The command, borrowing from the buffer.
        command: Command<'a>,
        /// Bytes to drop from the front of the buffer.
        consumed: usize,
    },
    /// The client announced a synchronizing literal of `size` octets (already checked
    /// against the limit) and waits: send a continuation request (`+ Ready`), then call
    /// again with the same buffer plus what arrives. Nothing is consumed.
    ContinuationNeeded {
        /// The announced size.
        size: u64,
    },
    /// More bytes are needed; nothing was consumed.
    Incomplete {
        /// A lower bound of the missing bytes, when known (inside a literal).
        needed: Option<NonZeroUsize>,
    },
}

/// The server side: decodes commands from a client, asking for literals.
///
/// Call order: [`decode`](Self::decode) with the unconsumed input; on
/// [`CommandDecoded::ContinuationNeeded`] write `+ ...` and call again once more bytes
/// arrived (same buffer, extended); on `Complete` drop `consumed` bytes. On an error, answer
/// BAD (or NO for [`Error::LiteralTooLarge`], using its `tag`) and call
/// [`discard`](Self::discard) until it reports `done` to skip the bad message. A refused
/// non-synchronizing literal is skipped by its announced octets and the rest of its command
/// by the literal rules (a further `{m+}` skips m octets; `{m}` or no announcement ends
/// the command), so that its data is never read as commands: RFC 7888 §4's first choice,
/// the connection stays open.
///
/// To refuse an announced literal instead (`tag NO ...` or `tag BAD ...`, RFC 3501 §7.5:
/// the client then does not send it, and the command is over), call
/// [`refuse_literal`](Self::refuse_literal) and drop the bytes it returns.
#[derive(Debug, Clone)]
pub struct CommandDecoder {
    config: Config,
    literals: LiteralSupport,
    framer: Framer,
    recover: Option<Recover>,
    /// After [`CommandDecoded::ContinuationNeeded`]: where that literal's data starts.
    announced: Option<usize>,
}

impl Default for CommandDecoder {
    fn default() -> Self {
        Self::new(Config {
            limits: Limits::SERVER,
            ..Config::default()
        })
    }
}

impl CommandDecoder {
    /// A decoder with the given grammar options; only synchronizing literals are accepted
    /// until [`with_literal_support`](Self::with_literal_support) says otherwise.
    pub fn new(config: Config) -> Self {
        CommandDecoder {
            config,
            literals: LiteralSupport::SyncOnly,
            framer: Framer::default(),
            recover: None,
            announced: None,
        }
    }

    /// Accept the non-synchronizing literals the server advertised (RFC 7888).
    pub fn with_literal_support(mut self, support: LiteralSupport) -> Self {
        self.literals = support;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the configuration (e.g. UTF8=ACCEPT enabled) between commands.
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }

    /// Bytes examined so far by the framer: a measure of the work done, linear in the
    /// input however it is chunked.
    pub fn bytes_scanned(&self) -> u64 {
        self.framer.scanned
    }

    fn frame_cfg(&self, announce: bool) -> FrameCfg {
        FrameCfg {
            limits: self.config.limits,
            announce_sync: announce,
            non_sync: Some(self.literals),
            stream_over: None,
        }
    }

    fn fail(&mut self, e: Error, r: Recover) -> Error {
        self.framer.reset();
        self.announced = None;
        self.recover = Some(r);
        e
    }

    /// After [`CommandDecoded::ContinuationNeeded`] (until the command completes or the
    /// literal is refused): the offset in the buffer where the announced literal's data
    /// starts, just after the CRLF of its `{n}` line. Everything before it is the command
    /// so far; a server that takes the literal's data itself (a streamed APPEND) starts
    /// reading there.
    pub fn literal_data_start(&self) -> Option<usize> {
        self.announced
    }

    /// Refuses the synchronizing literal of the last [`CommandDecoded::ContinuationNeeded`]:
    /// the command ends with its announcement line, since a client that gets `NO` or `BAD`
    /// instead of a continuation does not send the literal (RFC 3501 §7.5, §4.3). Returns
    /// how many bytes to drop from the front of the buffer (the command up to and
    /// including that line); the next [`decode`](Self::decode) starts at the next command.
    /// The same call ends the command for a server that reads the literal's data itself
    /// (from [`literal_data_start`](Self::literal_data_start), which is what it returns).
    /// `None`, and nothing changes, when no literal waits.
    #[must_use = "drop the returned number of bytes from the buffer"]
    pub fn refuse_literal(&mut self) -> Option<usize> {
        let data = self.announced.take()?;
        self.framer.reset();
        Some(data)
    }

    /// Decodes one command from the front of `buf` (see the type's call order).
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<CommandDecoded<'b>, Error> {
        let frame = match self.framer.whole_line(buf, self.config.limits.max_line) {
            Some(end) => Ok(Frame::Complete(end)),
            None => {
                let cfg = self.frame_cfg(true);
                self.framer.step(buf, &cfg)
            }
        };
        match frame {
            Err((e, r)) => Err(self.fail(e, r)),
            Ok(Frame::Incomplete(needed)) => Ok(CommandDecoded::Incomplete { needed }),
            Ok(Frame::Announce { size }) | Ok(Frame::Stream { size, .. }) => {
                // Check the command so far before inviting the literal: a server answers
                // BAD at once instead of reading data for a command it will refuse. The
                // parse can only stop where the literal's data starts.
                // Only at the first literal, so that the check costs one pass over the first
                // line however many literals follow (later prefixes would re-read them all).
                let prefix = buf.get(..self.framer.pos).unwrap_or_default();
                let checked = if self.framer.literals == 1 {
                    parse::command::command(&self.config, prefix).err()
                } else {
                    None
                };
                if let Some(e) = checked {
                    let e = to_error(prefix, e);
                    // The prefix ends where the literal's data starts: an error there only
                    // means "more input", anything earlier is a real error.
                    let waits_for_data = e.offset().is_some_and(|o| o >= prefix.len());
                    if !waits_for_data {
                        return Err(self.fail(e, Recover::Known(prefix.len())));
                    }
                }
                self.announced = Some(prefix.len());
                Ok(CommandDecoded::ContinuationNeeded { size })
            }
            Ok(Frame::Complete(end)) => {
                self.announced = None;
                let msg = buf.get(..end).unwrap_or_default();
                // `command`, written out so that the command is built where it is returned
                // (issue 9: each copy of the 160-octet `Command` between results cost
                // ≈30 instructions per command), and `parse::all`'s check of what follows.
                let e = match parse::command::tag_sp(msg) {
                    Ok((r, tag)) => match parse::command::command_body(&self.config, r) {
                        Ok((r, body)) => match parse::core::crlf(r) {
                            Ok((&[], ())) => {
                                return Ok(CommandDecoded::Complete {
                                    command: Command { tag, body },
                                    consumed: end,
                                });
                            }
                            Ok((rest, ())) => nom::Err::Error(parse::PErr {
                                input: rest,
                                kind: parse::ErrKind::Rule("end of message"),
                            }),
                            Err(e) => e,
                        },
                        Err(e) => e,
                    },
                    Err(e) => e,
                };
                let e = to_error(msg, e);
                Err(self.fail(e, Recover::Known(end)))
            }
        }
    }

    /// Decodes one client line of an AUTHENTICATE exchange (base64 or `*`).
    pub fn decode_authenticate<'b>(
        &mut self,
        buf: &'b [u8],
    ) -> Result<Decoded<AuthenticateData<'b>>, Error> {
        let mut cfg = self.frame_cfg(false);
        cfg.limits.max_literals = usize::MAX;
        // A base64 line never ends in `}`, so the framer sees no literal.
        match self.framer.step(buf, &cfg) {
            Err((e, r)) => Err(self.fail(e, r)),
            Ok(Frame::Complete(end)) => {
                let msg = buf.get(..end).unwrap_or_default();
                match parse::all(parse::command::authenticate_data(msg)) {
                    Ok((_, d)) => Ok(Decoded::Complete {
                        value: d,
                        consumed: end,
                    }),
                    Err(e) => {
                        let e = to_error(msg, e);
                        Err(self.fail(e, Recover::Known(end)))
                    }
                }
            }
            Ok(Frame::Incomplete(n)) => Ok(Decoded::Incomplete { needed: n }),
            Ok(Frame::Announce { .. } | Frame::Stream { .. }) => {
                let e = Error::Syntax {
                    offset: 0,
                    line: 1,
                    rule: "base64",
                };
                Err(self.fail(e, Recover::LineFrom(0)))
            }
        }
    }

    /// After an error: skips the rest of the bad message. Drop `consumed` bytes; call again
    /// with more input until `done`.
    pub fn discard(&mut self, buf: &[u8]) -> Discard {
        discard(&mut self.recover, buf)
    }
}

/// One step of [`ResponseDecoder::decode_streaming`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Streamed<'a> {
    /// A whole response. If literals of it were streamed, they appear here with empty data
    /// (their bytes came as [`Streamed::LiteralData`]) and the value owns its bytes.
    Response(Response<'a>),
    /// A literal of `size` octets starts (the response's text before it was consumed).
    LiteralStart {
        /// The announced size.
        size: u64,
    },
    /// The next piece of the literal's data, borrowed from the input.
    LiteralData(&'a [u8]),
}

/// The client side: decodes the server's responses.
///
/// Call [`decode`](Self::decode) (or [`decode_greeting`](Self::decode_greeting) once, first)
/// with the unconsumed input; drop `consumed` bytes after each `Complete`. To take large
/// literals as chunks instead of one buffer, set a threshold with
/// [`with_stream_threshold`](Self::with_stream_threshold) and call
/// [`decode_streaming`](Self::decode_streaming) instead.
#[derive(Debug, Clone)]
pub struct ResponseDecoder {
    config: Config,
    framer: Framer,
    recover: Option<Recover>,
    stream_over: Option<u64>,
    skeleton: Vec<u8>,
    remaining: u64,
}

impl Default for ResponseDecoder {
    fn default() -> Self {
        Self::new(Config {
            limits: Limits::CLIENT,
            ..Config::default()
        })
    }
}

impl ResponseDecoder {
    /// A decoder with the given grammar options (set `config.quirks` for the lenient mode).
    pub fn new(config: Config) -> Self {
        ResponseDecoder {
            config,
            framer: Framer::default(),
            recover: None,
            stream_over: None,
            skeleton: Vec::new(),
            remaining: 0,
        }
    }

    /// Literals of at least `size` octets are streamed by
    /// [`decode_streaming`](Self::decode_streaming).
    pub fn with_stream_threshold(mut self, size: u64) -> Self {
        self.stream_over = Some(size);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the configuration between responses.
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }

    /// Bytes examined so far by the framer (linear in the input however it is chunked).
    pub fn bytes_scanned(&self) -> u64 {
        self.framer.scanned
    }

    fn frame_cfg(&self, stream: bool) -> FrameCfg {
        FrameCfg {
            limits: self.config.limits,
            announce_sync: false,
            non_sync: None,
            stream_over: if stream { self.stream_over } else { None },
        }
    }

    fn fail(&mut self, e: Error, r: Recover) -> Error {
        let scanned = self.framer.scanned;
        self.framer = Framer::default();
        self.framer.scanned = scanned;
        self.skeleton.clear();
        self.remaining = 0;
        self.recover = Some(r);
        e
    }

    fn frame(&mut self, buf: &[u8]) -> Result<Option<usize>, Error> {
        if let Some(end) = self.framer.whole_line(buf, self.config.limits.max_line) {
            return Ok(Some(end));
        }
        let cfg = self.frame_cfg(false);
        match self.framer.step(buf, &cfg) {
            Err((e, r)) => Err(self.fail(e, r)),
            Ok(Frame::Complete(end)) => Ok(Some(end)),
            Ok(_) => Ok(None),
        }
    }

    fn needed(&self, buf: &[u8]) -> Option<NonZeroUsize> {
        self.framer
            .literal_end
            .and_then(|e| NonZeroUsize::new(e.saturating_sub(buf.len())))
    }

    /// Decodes one response from the front of `buf`.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<Decoded<Response<'b>>, Error> {
        let Some(end) = self.frame(buf)? else {
            return Ok(Decoded::Incomplete {
                needed: self.needed(buf),
            });
        };
        let msg = buf.get(..end).unwrap_or_default();
        match parse::all(parse::response::response(&self.config, msg)) {
            Ok((_, r)) => Ok(Decoded::Complete {
                value: r,
                consumed: end,
            }),
            Err(e) => {
                let e = to_error(msg, e);
                Err(self.fail(e, Recover::Known(end)))
            }
        }
    }

    /// Decodes the server greeting (RFC 3501 §7.1, `greeting`).
    pub fn decode_greeting<'b>(&mut self, buf: &'b [u8]) -> Result<Decoded<Greeting<'b>>, Error> {
        let Some(end) = self.frame(buf)? else {
            return Ok(Decoded::Incomplete {
                needed: self.needed(buf),
            });
        };
        let msg = buf.get(..end).unwrap_or_default();
        match parse::all(parse::response::greeting(&self.config, msg)) {
            Ok((_, g)) => Ok(Decoded::Complete {
                value: g,
                consumed: end,
            }),
            Err(e) => {
                let e = to_error(msg, e);
                Err(self.fail(e, Recover::Known(end)))
            }
        }
    }

    /// Like [`decode`](Self::decode), but literals at or over the stream threshold come as
    /// [`Streamed::LiteralStart`] and [`Streamed::LiteralData`] chunks, so memory does not
    /// grow with the literal's size. Drop `consumed` bytes after every `Complete`.
    pub fn decode_streaming<'b>(&mut self, buf: &'b [u8]) -> Result<Decoded<Streamed<'b>>, Error> {
        if self.remaining > 0 {
            if buf.is_empty() {
                return Ok(Decoded::needs(
                    usize::try_from(self.remaining).unwrap_or(usize::MAX),
                ));
            }
            let n = usize::try_from(self.remaining)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            self.remaining -= n as u64;
            return Ok(Decoded::Complete {
                value: Streamed::LiteralData(buf.get(..n).unwrap_or_default()),
                consumed: n,
            });
        }
        let cfg = self.frame_cfg(true);
        match self.framer.step(buf, &cfg) {
            Err((e, r)) => Err(self.fail(e, r)),
            Ok(Frame::Incomplete(needed)) => Ok(Decoded::Incomplete { needed }),
            Ok(Frame::Announce { .. }) => Ok(Decoded::INCOMPLETE),
            Ok(Frame::Stream { size, data }) => {
                let head = buf.get(..data).unwrap_or_default();
                // Keep the text with the announcement rewritten as an empty literal.
                let brace = memchr::memrchr(b'{', head).unwrap_or(0);
                self.skeleton
                    .extend_from_slice(head.get(..brace).unwrap_or_default());
                self.skeleton.extend_from_slice(b"{0}\r\n");
                if self.skeleton.len() > self.config.limits.max_line.saturating_mul(4) {
                    let e = Error::LineTooLong {
                        offset: 0,
                        line: 1,
                        limit: self.config.limits.max_line,
                    };
                    return Err(self.fail(e, Recover::Known(data.saturating_add(size as usize))));
                }
                self.framer.rebase();
                self.remaining = size;
                Ok(Decoded::Complete {
                    value: Streamed::LiteralStart { size },
                    consumed: data,
                })
            }
            Ok(Frame::Complete(end)) => {
                let msg = buf.get(..end).unwrap_or_default();
                if self.skeleton.is_empty() {
                    return match parse::all(parse::response::response(&self.config, msg)) {
                        Ok((_, r)) => Ok(Decoded::Complete {
                            value: Streamed::Response(r),
                            consumed: end,
                        }),
                        Err(e) => {
                            let e = to_error(msg, e);
                            Err(self.fail(e, Recover::Known(end)))
                        }
                    };
                }
                let mut whole = core::mem::take(&mut self.skeleton);
                whole.extend_from_slice(msg);
                let parsed = parse::all(parse::response::response(&self.config, &whole))
                    .map(|(_, r)| r.into_owned())
                    .map_err(|e| to_error(&whole, e));
                match parsed {
                    Ok(r) => Ok(Decoded::Complete {
                        value: Streamed::Response(r),
                        consumed: end,
                    }),
                    Err(e) => Err(self.fail(e, Recover::Known(end))),
                }
            }
        }
    }

    /// After an error: skips the rest of the bad response. Drop `consumed` bytes; call
    /// again with more input until `done`.
    pub fn discard(&mut self, buf: &[u8]) -> Discard {
        discard(&mut self.recover, buf)
    }
}

fn frame_whole(buf: &[u8], limits: Limits) -> Result<Option<usize>, Error> {
    let cfg = FrameCfg {
        limits,
        announce_sync: false,
        non_sync: None,
        stream_over: None,
    };
    match Framer::default().step(buf, &cfg) {
        Err((e, _)) => Err(e),
        Ok(Frame::Complete(end)) => Ok(Some(end)),
        Ok(_) => Ok(None),
    }
}

macro_rules! stateless {
    ($t:ident, $limits:expr, $parser:path, $doc:literal) => {
        impl<'a> mail_common::decode::Decode<'a> for $t<'a> {
            type Error = Error;
            #[doc = $doc]
            fn decode(input: &'a [u8]) -> Result<Decoded<Self>, Error> {
                let config = Config {
                    limits: $limits,
                    ..Config::default()
                };
                let Some(end) = frame_whole(input, config.limits)? else {
                    return Ok(Decoded::INCOMPLETE);
                };
                let msg = input.get(..end).unwrap_or_default();
                match parse::all($parser(&config, msg)) {
                    Ok((_, v)) => Ok(Decoded::Complete {
                        value: v,
                        consumed: end,
                    }),
                    Err(e) => Err(to_error(msg, e)),
                }
            }
        }
    };
}

stateless!(
    Command,
    Limits::SERVER,
    parse::command::command,
    "Decodes one command, strict, default server limits, every literal already present \
     (no continuation outcome; use [`CommandDecoder`] for that). Rescans from the start on \
     every call."
);
stateless!(
    Response,
    Limits::CLIENT,
    parse::response::response,
    "Decodes one response, strict, default client limits. Rescans from the start on every \
     call; use [`ResponseDecoder`] for a cursor."
);
stateless!(
    Greeting,
    Limits::CLIENT,
    parse::response::greeting,
    "Decodes the greeting, strict, default client limits."
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::command::CommandBody;

    /// The framer's state, for comparison (it has no `PartialEq`).
    fn state(f: &Framer) -> String {
        format!("{f:?}")
    }

    /// `whole_line` is a shortcut of `step` at the start of a message: where it answers,
    /// `step` gives the same end and leaves the framer the same; where it does not, it
    /// changed nothing. Lines with CR, LF, braces, literal announcements, over and
    /// under the line limit, both framer settings.
    fn check_whole_line(buf: &[u8], max_line: usize) -> Option<usize> {
        let mut limits = Limits::SERVER;
        limits.max_line = max_line;
        for non_sync in [Some(LiteralSupport::SyncOnly), None] {
            let cfg = FrameCfg {
                limits,
                announce_sync: non_sync.is_some(),
                non_sync,
                stream_over: None,
            };
            let mut fast = Framer::default();
            let got = fast.whole_line(buf, max_line);
            let mut slow = Framer::default();
            let want = slow.step(buf, &cfg);
            match got {
                Some(end) => {
                    assert_eq!(want, Ok(Frame::Complete(end)), "{buf:?}");
                    assert_eq!(state(&fast), state(&slow), "{buf:?}");
                }
                None => assert_eq!(state(&fast), state(&Framer::default()), "{buf:?}"),
            }
        }
        Framer::default().whole_line(buf, max_line)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn whole_line_agrees_with_step(
            head in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::sample::select(b"a1 X*".to_vec()),
                    2 => proptest::sample::select(b"\r\n{}+~0".to_vec()),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..30,
            ),
            end in proptest::sample::select(vec![
                &b""[..], b"\r\n", b"{5}\r\n", b"{12+}\r\n", b"~{3}\r\n", b"}\r\n",
                b"{}\r\n", b"\n", b"\r",
            ]),
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8),
            max_line in 1usize..48,
        ) {
            let s = [&head[..], end, &tail[..]].concat();
            check_whole_line(&s, max_line);
        }
    }

    /// `whole_line` answers on the usual one-line commands and responses (so the
    /// comparison above is not vacuous), and leaves literal announcements to `step`.
    #[test]
    fn whole_line_answers_on_the_usual_lines() {
        let corpus = include_bytes!("../../benches/corpus/imap-commands.txt");
        let mut answered = 0;
        for line in corpus.split_inclusive(|&b| b == b'\n') {
            let mut l = line.strip_suffix(b"\n").unwrap_or(line).to_vec();
            if l.last() != Some(&b'\r') {
                l.push(b'\r');
            }
            l.extend_from_slice(b"\nb002 NOOP\r\n");
            if line.len() > 2 {
                let end = l.len() - 11;
                assert_eq!(check_whole_line(&l, 64 * 1024), Some(end), "{l:?}");
                answered += 1;
            }
        }
        assert!(answered >= 30);
        for (buf, want) in [
            (&b"* 12 FETCH (FLAGS (\\Seen))\r\n"[..], Some(28)),
            (b"a1 LOGIN {3}\r\nabc\r\n", None),
            (b"a1 LOGIN {3+}\r\nabc\r\n", None),
            (b"a1 NOOP\n", None),
            (b"a1 NOOP\r", None),
            (b"a1 NOOP", None),
            (b"\r\n", Some(2)),
            (b"\n", None),
        ] {
            assert_eq!(check_whole_line(buf, 64 * 1024), want, "{buf:?}");
        }
        assert_eq!(check_whole_line(b"a1 NOOP\r\n", 9), Some(9));
        assert_eq!(check_whole_line(b"a1 NOOP\r\n", 8), None);
    }

    /// The decoder parses a framed command with `tag_sp`, `command_body` and `crlf` written
    /// out (issue 9); it must give what `parse::all(command(..))` gives, values and errors,
    /// on commands of every kind and on each of them with one octet changed anywhere.
    #[test]
    fn decode_agrees_with_parse_all_command() {
        let lines: &[&[u8]] = &[
            b"a001 CAPABILITY\r\n",
            b"a002 LOGIN joe.user@example.com \"s3cr3t pass\"\r\n",
            b"a004 ENABLE CONDSTORE\r\n",
            b"a006 LIST \"\" \"*\"\r\n",
            b"a008 STATUS \"Sent Items\" (MESSAGES UIDNEXT)\r\n",
            b"a010 SELECT INBOX (CONDSTORE)\r\n",
            b"a012 UID FETCH 4827300:* (UID BODY.PEEK[HEADER.FIELDS (From To)])\r\n",
            b"a015 UID FETCH 4827313 BODY.PEEK[1.2]<0.2048>\r\n",
            b"a016 UID STORE 4827313 +FLAGS.SILENT (\\Seen)\r\n",
            b"a018 UID SEARCH UNDELETED SINCE 1-Feb-2024 OR FROM \"alice\" NOT SEEN\r\n",
            b"a021 UID COPY 4827300:4827305 \"Archive/2024\"\r\n",
            b"a022 UID EXPUNGE 1:3\r\n",
            b"a027 CREATE \"Projects/IMAP WG\"\r\n",
            b"a029 RENAME a b\r\n",
            b"a030 X-THING some args\r\n",
            b"a031 AUTHENTICATE PLAIN dGVzdA==\r\n",
            b"a032 ID NIL\r\n",
        ];
        let config = Config {
            limits: Limits::SERVER,
            ..Config::default()
        };
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for line in lines {
            inputs.push(line.to_vec());
            for at in 0..line.len() - 2 {
                for b in [b'x', b' ', b'(', b')', b'"', b'*', b'\\', 0x80] {
                    let mut l = line.to_vec();
                    l[at] = b;
                    inputs.push(l);
                }
            }
        }
        let mut checked = 0;
        for input in &inputs {
            let mut dec = CommandDecoder::new(config);
            let got = dec.decode(input);
            let Ok(Frame::Complete(end)) = Framer::default().step(input, &dec.frame_cfg(true))
            else {
                continue;
            };
            let msg = &input[..end];
            let want = match parse::all(parse::command::command(&config, msg)) {
                Ok((_, command)) => Ok(CommandDecoded::Complete {
                    command,
                    consumed: end,
                }),
                Err(e) => Err(to_error(msg, e)),
            };
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(input));
            checked += 1;
        }
        assert!(checked > 1000, "{checked}");
    }

    /// Feeds `input` in `chunk`-octet pieces (the buffer grows, nothing is dropped) until
    /// the decoder stops asking for more; returns the outcome and the bytes fed.
    fn feed<'b>(
        d: &mut CommandDecoder,
        input: &'b [u8],
        chunk: usize,
    ) -> (CommandDecoded<'b>, usize) {
        let mut end = 0;
        loop {
            end = (end + chunk).min(input.len());
            let r = d.decode(&input[..end]).unwrap();
            if !matches!(r, CommandDecoded::Incomplete { .. }) || end == input.len() {
                return (r, end);
            }
        }
    }

    /// RFC 3501 §7.5: after the server refuses a synchronizing literal the client does not
    /// send it; `refuse_literal` ends the command with its announcement line and the
    /// next command decodes (without it the decoder took the next command as the
    /// literal's data). Also after a non-synchronizing literal in the same command
    /// (LITERAL+, MULTIAPPEND): the data start is known without rescanning.
    #[test]
    fn refused_literal_resynchronises_at_the_next_command() {
        for first in [
            "a1 APPEND INBOX {5}\r\n",
            "a1 APPEND INBOX {3+}\r\nabc {5}\r\n",
        ] {
            for chunk in [usize::MAX, 1] {
                let input = [first, "a2 NOOP\r\n"].concat();
                let mut d =
                    CommandDecoder::default().with_literal_support(LiteralSupport::LiteralPlus);
                let (r, _) = feed(&mut d, input.as_bytes(), chunk);
                assert_eq!(r, CommandDecoded::ContinuationNeeded { size: 5 }, "{first}");
                assert_eq!(d.literal_data_start(), Some(first.len()));
                assert_eq!(d.refuse_literal(), Some(first.len()));
                assert_eq!(d.literal_data_start(), None);
                assert_eq!(d.refuse_literal(), None, "nothing waits any more");
                let rest = &input.as_bytes()[first.len()..];
                let (r, _) = feed(&mut d, rest, chunk);
                let CommandDecoded::Complete { command, consumed } = r else {
                    panic!("{r:?}");
                };
                assert_eq!(command.tag.as_str(), "a2");
                assert_eq!(command.body, CommandBody::Noop);
                assert_eq!(consumed, rest.len());
            }
        }
    }

    /// `CommandSkip` against the framer's `literal_announcement` (the obviously-correct
    /// reference: read the line backwards): every line over `{ } + 0 1 ~ x` up to 7
    /// octets, followed by CRLF, 2 octets of data and `\r\nn\r\n`, split at every
    /// point: a line ending in `{n+}` skips n octets and goes on to the next line, any
    /// other line ends the command.
    #[test]
    fn command_skip_agrees_with_the_framer_on_every_short_line() {
        const ALPHABET: &[u8] = b"{}+01~x";
        let mut lines: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..7 {
            last = last
                .iter()
                .flat_map(|l| {
                    ALPHABET.iter().map(move |&b| {
                        let mut l = l.clone();
                        l.push(b);
                        l
                    })
                })
                .collect();
            lines.extend(last.iter().cloned());
        }
        for line in lines {
            let mut input = line.clone();
            input.extend_from_slice(b"\r\n\r\nab\r\nn\r\n");
            let after = line.len() + 2;
            let expected = match literal_announcement(&line) {
                // The data lines after the CRLF: `\r\n` (LF at 1), `ab\r\n` (5), `n\r\n` (8).
                Some((n, false, _)) if n <= 1 => after + 2,
                Some((n, false, _)) if n <= 5 => after + 6,
                Some((n, false, _)) if n <= 8 => after + 9,
                Some((_, false, _)) => input.len(),
                _ => after,
            };
            for split in 0..=input.len() {
                let mut skip = CommandSkip::data(0);
                let first = skip.skip(&input[..split]);
                let total = if first.done {
                    first.consumed
                } else {
                    assert_eq!(first.consumed, split);
                    first.consumed + skip.skip(&input[split..]).consumed
                };
                let shown = String::from_utf8_lossy(&line);
                assert_eq!(total, expected, "{shown} split {split}");
            }
        }
    }

    /// Accepted, the literal is read from `literal_data_start` on; the command completes
    /// and the start is forgotten.
    #[test]
    fn literal_data_start_points_at_the_data() {
        let input = b"a1 LOGIN {3}\r\njoe secret\r\n";
        for chunk in [usize::MAX, 1] {
            let mut d = CommandDecoder::default();
            let (r, fed) = feed(&mut d, &input[..14], chunk);
            assert_eq!(
                (r, fed),
                (CommandDecoded::ContinuationNeeded { size: 3 }, 14)
            );
            let start = d.literal_data_start().unwrap();
            assert_eq!(&input[start..start + 3], b"joe");
            let (r, _) = feed(&mut d, input, chunk.max(15));
            assert!(
                matches!(r, CommandDecoded::Complete { consumed, .. } if consumed == input.len())
            );
            assert_eq!(d.literal_data_start(), None);
        }
    }
}
