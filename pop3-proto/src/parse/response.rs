//! Response parsing: RFC 2449 §3 (status lines, response codes, CAPA), RFC 1939 §§3-7
//! (greeting, STAT, scan and unique-id listings, multi-line framing), RFC 5034 §5
//! (`continue-req`), RFC 6856 §3.2 (language listings).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotUnstuffer, Unstuffed};
use mail_common::line::{LineConfig, LineScanner, POP3_RESPONSE_LINE};
use nom::bytes::complete::{tag_no_case, take_while, take_while1};

use super::{PResult, eol, fail, message_number, number_u32, number_u64, rule, sp, to_error};
use crate::error::{Error, from_line};
use crate::types::arg::is_text_octet;
use crate::types::capability::{is_cchar, valid_params};
use crate::types::code::is_rchar;
use crate::types::{
    Base64, Capability, Language, Mechanism, Param, Response, ResponseCode, ResponseKind,
    ScanListing, Stat, Status, StatusLine, Text, UniqueId, UniqueIdListing,
};

/// A response code at the very start of `text`, and the text after it (one space after
/// the `]` is part of the separator).
pub(crate) fn leading_code(text: &[u8]) -> Option<(ResponseCode<'_>, &[u8])> {
    let inner = text.strip_prefix(b"[")?;
    let close = inner.iter().position(|&b| !(is_rchar(b) || b == b'/'))?;
    if inner.get(close) != Some(&b']') {
        return None;
    }
    let code = ResponseCode::from_bytes(inner.get(..close)?)?;
    let after = inner.get(close + 1..).unwrap_or_default();
    Some((code, after.strip_prefix(b" ").unwrap_or(after)))
}

/// RFC 1939 §7: the timestamp in a greeting (see [`mail_common::apop::greeting_timestamp`]).
pub(crate) fn greeting_timestamp(text: &[u8]) -> Option<&[u8]> {
    mail_common::apop::greeting_timestamp(text)
}

/// RFC 2449 §3 `status`, case-insensitive.
fn status(i: &[u8]) -> PResult<'_, Status> {
    if let Ok((r, _)) = tag_no_case::<_, _, super::PError<'_>>(&b"+OK"[..])(i) {
        return Ok((r, Status::Ok));
    }
    match tag_no_case::<_, _, super::PError<'_>>(&b"-ERR"[..])(i) {
        Ok((r, _)) => Ok((r, Status::Err)),
        Err(_) => fail(i, "status (+OK or -ERR)"),
    }
}

/// Parses a status line (without CRLF): RFC 2449 §3 `single-line` (and `greeting`).
///
/// # Errors
/// [`Error::Syntax`] with the offset.
pub fn parse_status_line(line: &[u8]) -> Result<StatusLine<'_>, Error> {
    let (rest, st) = status(line).map_err(|e| to_error(line, e))?;
    let text = match rest.first() {
        None => rest,
        Some(b' ') => rest.get(1..).unwrap_or_default(),
        Some(_) => {
            return Err(Error::Syntax {
                offset: line.len() - rest.len(),
                expected: "SP after status",
            });
        }
    };
    if let Some(bad) = text.iter().position(|&b| !is_text_octet(b)) {
        return Err(Error::Syntax {
            offset: line.len() - text.len() + bad,
            expected: "text (no CR, LF or NUL)",
        });
    }
    Ok(match leading_code(text) {
        Some((code, after)) => StatusLine::raw(st, Some(code), Text::borrowed(after)),
        None => StatusLine::raw(st, None, Text::borrowed(text)),
    })
}

/// `+OK nn mm` (RFC 1939 §5 STAT), text after the numbers ignored.
fn stat_text(i: &[u8]) -> PResult<'_, Stat> {
    let (r, count) = rule("message count", number_u32)(i)?;
    let (r, ()) = sp(r)?;
    let (r, size) = rule("maildrop size", number_u64)(r)?;
    Ok((r, Stat { count, size }))
}

/// RFC 1939 §5 scan listing `msg SP size`; "this memo makes no requirement on what follows
/// the message size", so anything after a space is ignored.
fn scan_listing(i: &[u8]) -> PResult<'_, ScanListing> {
    let (r, msg) = message_number(i)?;
    let (r, ()) = sp(r)?;
    let (r, size) = rule("message size", number_u64)(r)?;
    match r.first() {
        None | Some(b' ') => Ok((&[], ScanListing { msg, size })),
        Some(_) => fail(r, "end of scan listing"),
    }
}

/// RFC 1939 §7 unique-id listing `msg SP unique-id`.
fn unique_id_listing(i: &[u8]) -> PResult<'_, UniqueIdListing<'_>> {
    let (r, msg) = message_number(i)?;
    let (r, ()) = sp(r)?;
    let (r, id) = rule("unique-id", take_while1(|b: u8| (0x21..=0x7e).contains(&b)))(r)?;
    let Some(uid) = UniqueId::from_bytes(id) else {
        return fail(r, "unique-id (at most 70 characters)");
    };
    let (r, ()) = eol(r)?;
    Ok((r, UniqueIdListing { msg, uid }))
}

/// Parses one line of a CAPA response: RFC 2449 §3 `capability = capa-tag *(SP param)`.
/// (Trailing spaces, which some servers send, are ignored.)
///
/// # Errors
/// [`Error::Syntax`] with the offset.
pub fn parse_capability_line(line: &[u8]) -> Result<Capability<'_>, Error> {
    let trimmed_len = line.len() - line.iter().rev().take_while(|&&b| b == b' ').count();
    let line = line.get(..trimmed_len).unwrap_or_default();
    let p = |i| -> PResult<'_, (&[u8], &[u8])> {
        let (r, tag) = rule("capa-tag", take_while1(is_cchar))(i)?;
        if r.is_empty() {
            return Ok((r, (tag, r)));
        }
        let (r, ()) = sp(r)?;
        let (r2, params) = take_while(|_| true)(r)?;
        if !valid_params(params) {
            return fail(r, "param");
        }
        Ok((r2, (tag, params)))
    };
    let (_, (tag, params)) = p(line).map_err(|e| to_error(line, e))?;
    match (core::str::from_utf8(tag), core::str::from_utf8(params)) {
        (Ok(tag), Ok(params)) => Ok(Capability::classify(tag, params)),
        _ => Err(Error::Syntax {
            offset: tag.len(),
            expected: "UTF-8",
        }),
    }
}

fn mechanism_line(i: &[u8]) -> PResult<'_, Mechanism<'_>> {
    match Mechanism::from_bytes(i) {
        Some(m) => Ok((&[], m)),
        None => fail(i, "sasl-mech"),
    }
}

fn language_line(i: &[u8]) -> PResult<'_, Language<'_>> {
    let (r, tag) = rule(
        "language tag",
        take_while1(|b: u8| (0x21..=0x7e).contains(&b)),
    )(i)?;
    let Some(tag) = Param::from_bytes(tag) else {
        return fail(i, "language tag");
    };
    let description = match r.first() {
        None => Text::empty(),
        Some(b' ') => Text::borrowed(r.get(1..).unwrap_or_default()),
        Some(_) => return fail(r, "SP"),
    };
    if let Some(bad) = description
        .as_bytes()
        .iter()
        .position(|&b| !is_text_octet(b))
    {
        return fail(r.get(1 + bad..).unwrap_or_default(), "text");
    }
    Ok((&[], Language { tag, description }))
}

/// Limits and policy of response decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseLimits {
    /// Longest status line or listing line, CRLF included (RFC 2449 §4: 512).
    pub max_line: usize,
    /// Longest `+ base64` challenge line, CRLF included (RFC 5034 §4 sets no limit).
    pub max_auth_line: usize,
    /// How message content (RETR, TOP) is un-stuffed. The default sets no line limit
    /// (RFC 1939 sets none) and accepts bare CR and LF as data; they never end the data.
    pub message: DotConfig,
}

impl Default for ResponseLimits {
    fn default() -> Self {
        ResponseLimits {
            max_line: POP3_RESPONSE_LINE,
            max_auth_line: 16 * 1024,
            message: DotConfig {
                max_line_len: None,
                bare_line_endings: BareLineEndings::Accept,
            },
        }
    }
}

/// One step of [`ResponseDecoder::decode`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseEvent<'a> {
    /// The first line, when it has no typed payload: every `-ERR`, the greeting, the `+OK`
    /// of a status response, and the `+OK` that opens a multi-line response.
    Status(StatusLine<'a>),
    /// `+ base64`: an SASL challenge (only for [`ResponseKind::Auth`]).
    Continuation(Base64<'a>),
    /// The `+OK` of STAT.
    Stat(Stat),
    /// The `+OK` of `LIST msg`, or one line of a `LIST` listing.
    ScanListing(ScanListing),
    /// The `+OK` of `UIDL msg`, or one line of a `UIDL` listing.
    UniqueIdListing(UniqueIdListing<'a>),
    /// One line of a CAPA response.
    Capability(Capability<'a>),
    /// One line of a bare AUTH response.
    Mechanism(Mechanism<'a>),
    /// One line of a LANG listing.
    Language(Language<'a>),
    /// A chunk of message content (RETR, TOP), un-stuffed, borrowed from the input.
    Data(&'a [u8]),
    /// The `.` line that ends a multi-line response.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    First,
    Lines,
    Body,
    Done,
}

/// Streaming decoder of one response, given the [`ResponseKind`] of the command it
/// answers (RFC 1939 §3: whether a response is multi-line depends on the command).
///
/// Call [`decode`](Self::decode) with the unconsumed input; drop `consumed` bytes after
/// each `Complete`; stop when [`is_done`](Self::is_done). Message content comes out as
/// borrowed [`ResponseEvent::Data`] chunks: memory use does not depend on the message
/// size. For [`ResponseKind::Auth`], each `+ ` challenge is one event and the decoder
/// stays ready for the next line, until the final `+OK` / `-ERR`.
#[derive(Debug, Clone)]
pub struct ResponseDecoder {
    kind: ResponseKind,
    limits: ResponseLimits,
    phase: Phase,
    scanner: LineScanner,
    body: DotUnstuffer,
}

impl ResponseDecoder {
    /// A decoder for the response to a command of this kind.
    pub fn new(kind: ResponseKind, limits: ResponseLimits) -> Self {
        let first = if kind == ResponseKind::Auth {
            limits.max_auth_line
        } else {
            limits.max_line
        };
        ResponseDecoder {
            kind,
            limits,
            phase: Phase::First,
            scanner: LineScanner::new(LineConfig::new(first)),
            body: DotUnstuffer::new(limits.message),
        }
    }

    /// The kind of response being decoded.
    pub fn kind(&self) -> ResponseKind {
        self.kind
    }

    /// Whether the whole response was read.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Whether the decoder is inside a multi-line body (after the `+OK`, before the `.`).
    pub fn in_body(&self) -> bool {
        matches!(self.phase, Phase::Lines | Phase::Body)
    }

    /// Decodes the next event from the front of `input`.
    ///
    /// # Errors
    /// [`Error::LineTooLong`], [`Error::Syntax`] (offsets into `input`), framing errors of
    /// the message body, or [`Error::BadSequence`] after the response was complete.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<ResponseEvent<'a>>, Error> {
        match self.phase {
            Phase::Done => Err(Error::BadSequence("response already complete")),
            Phase::Body => Ok(match self.body.decode(input).map_err(from_line)? {
                Decoded::Complete {
                    value: Unstuffed::Data(d),
                    consumed,
                } => Decoded::Complete {
                    value: ResponseEvent::Data(d),
                    consumed,
                },
                Decoded::Complete {
                    value: Unstuffed::End,
                    consumed,
                } => {
                    self.phase = Phase::Done;
                    Decoded::Complete {
                        value: ResponseEvent::End,
                        consumed,
                    }
                }
                Decoded::Incomplete { needed } => Decoded::Incomplete { needed },
            }),
            Phase::First => {
                let (line, consumed) = match self.scanner.next_line(input).map_err(from_line)? {
                    Decoded::Complete { value, consumed } => (value, consumed),
                    Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
                };
                let event = self.first_line(line)?;
                Ok(Decoded::Complete {
                    value: event,
                    consumed,
                })
            }
            Phase::Lines => {
                let (line, consumed) = match self.scanner.next_line(input).map_err(from_line)? {
                    Decoded::Complete { value, consumed } => (value, consumed),
                    Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
                };
                if line == b"." {
                    self.phase = Phase::Done;
                    return Ok(Decoded::Complete {
                        value: ResponseEvent::End,
                        consumed,
                    });
                }
                // RFC 1939 §3: a line starting with the termination octet was stuffed.
                let (line, shift) = match line.strip_prefix(b".") {
                    Some(l) => (l, 1),
                    None => (line, 0),
                };
                let r = match self.kind {
                    ResponseKind::ScanList => {
                        scan_listing(line).map(|(_, v)| ResponseEvent::ScanListing(v))
                    }
                    ResponseKind::UniqueIdList => {
                        unique_id_listing(line).map(|(_, v)| ResponseEvent::UniqueIdListing(v))
                    }
                    ResponseKind::Mechanisms => {
                        mechanism_line(line).map(|(_, v)| ResponseEvent::Mechanism(v))
                    }
                    ResponseKind::Languages => {
                        language_line(line).map(|(_, v)| ResponseEvent::Language(v))
                    }
                    _ => {
                        return parse_capability_line(line)
                            .map(|c| Decoded::Complete {
                                value: ResponseEvent::Capability(c),
                                consumed,
                            })
                            .map_err(|e| e.shifted(shift));
                    }
                };
                r.map(|value| Decoded::Complete { value, consumed })
                    .map_err(|e| to_error(line, e).shifted(shift))
            }
        }
    }

    fn first_line<'a>(&mut self, line: &'a [u8]) -> Result<ResponseEvent<'a>, Error> {
        if self.kind == ResponseKind::Auth {
            // RFC 5034 §5 `continue-req = "+" SP [base64] CRLF` (a bare "+" is tolerated).
            let challenge = match line {
                [b'+'] => Some(&[][..]),
                [b'+', b' ', rest @ ..] => Some(rest),
                _ => None,
            };
            if let Some(c) = challenge {
                return Base64::from_bytes(c)
                    .map(ResponseEvent::Continuation)
                    .map_err(|at| Error::Syntax {
                        offset: 2 + at,
                        expected: "base64 challenge",
                    });
            }
        }
        let st = parse_status_line(line)?;
        if !st.is_ok() {
            self.phase = Phase::Done;
            return Ok(ResponseEvent::Status(st));
        }
        let text = st.text().as_bytes();
        let offset = line.len() - text.len();
        let typed = |r: Result<ResponseEvent<'a>, nom::Err<super::PError<'a>>>| {
            r.map_err(|e| to_error(text, e).shifted(offset))
        };
        let event = match self.kind {
            ResponseKind::Stat if st.code().is_none() => {
                let text: &'a [u8] = slice_of(line, offset);
                typed(stat_text(text).map(|(_, s)| ResponseEvent::Stat(s)))?
            }
            ResponseKind::ScanListing if st.code().is_none() => {
                let text: &'a [u8] = slice_of(line, offset);
                typed(scan_listing(text).map(|(_, s)| ResponseEvent::ScanListing(s)))?
            }
            ResponseKind::UniqueIdListing if st.code().is_none() => {
                let text: &'a [u8] = slice_of(line, offset);
                typed(unique_id_listing(text).map(|(_, s)| ResponseEvent::UniqueIdListing(s)))?
            }
            _ => ResponseEvent::Status(st),
        };
        self.phase = if self.kind == ResponseKind::Message {
            Phase::Body
        } else if self.kind.is_multi_line() {
            self.scanner
                .set_config(LineConfig::new(self.limits.max_line));
            Phase::Lines
        } else {
            Phase::Done
        };
        Ok(event)
    }
}

fn slice_of(line: &[u8], from: usize) -> &[u8] {
    line.get(from..).unwrap_or_default()
}

/// Decodes a whole response to a command of `kind` from the front of `input`, collecting
/// listings into vectors. `Incomplete` until the final line has arrived. (A client that
/// reads large messages should use [`ResponseDecoder`] instead, which streams.)
///
/// # Errors
/// As [`ResponseDecoder::decode`], with offsets into `input`.
pub fn decode_response<'a>(
    kind: ResponseKind,
    input: &'a [u8],
    limits: &ResponseLimits,
) -> Result<Decoded<Response<'a>>, Error> {
    let mut dec = ResponseDecoder::new(kind, *limits);
    let mut pos = 0;
    macro_rules! next {
        () => {
            match dec
                .decode(input.get(pos..).unwrap_or_default())
                .map_err(|e| e.shifted(pos))?
            {
                Decoded::Complete { value, consumed } => {
                    pos += consumed;
                    value
                }
                Decoded::Incomplete { .. } => return Ok(Decoded::INCOMPLETE),
            }
        };
    }
    let first = next!();
    let status = match first {
        ResponseEvent::Status(st) if dec.is_done() || !st.is_ok() => {
            return Ok(done(Response::Status(st), pos));
        }
        ResponseEvent::Status(st) => st,
        ResponseEvent::Continuation(b) => return Ok(done(Response::Continuation(b), pos)),
        ResponseEvent::Stat(s) => return Ok(done(Response::Stat(s), pos)),
        ResponseEvent::ScanListing(s) => return Ok(done(Response::ScanListing(s), pos)),
        ResponseEvent::UniqueIdListing(u) => return Ok(done(Response::UniqueIdListing(u), pos)),
        _ => return Err(Error::Protocol("unexpected first event")),
    };
    let mut scans = Vec::new();
    let mut uids = Vec::new();
    let mut caps = Vec::new();
    let mut mechs = Vec::new();
    let mut langs = Vec::new();
    // Content is borrowed while the chunks are contiguous in the input (no stuffed dots),
    // and copied otherwise.
    let mut borrowed: Option<(usize, usize)> = None;
    let mut owned: Option<Vec<u8>> = None;
    let base = input.as_ptr() as usize;
    loop {
        match next!() {
            ResponseEvent::End => break,
            ResponseEvent::ScanListing(s) => scans.push(s),
            ResponseEvent::UniqueIdListing(u) => uids.push(u),
            ResponseEvent::Capability(c) => caps.push(c),
            ResponseEvent::Mechanism(m) => mechs.push(m),
            ResponseEvent::Language(l) => langs.push(l),
            ResponseEvent::Data(d) => {
                let start = (d.as_ptr() as usize).wrapping_sub(base);
                match (&mut owned, borrowed) {
                    (Some(v), _) => v.extend_from_slice(d),
                    (None, None) => borrowed = Some((start, start + d.len())),
                    (None, Some((s, e))) if e == start => borrowed = Some((s, e + d.len())),
                    (None, Some((s, e))) => {
                        let mut v = input.get(s..e).unwrap_or_default().to_vec();
                        v.extend_from_slice(d);
                        owned = Some(v);
                    }
                }
            }
            _ => return Err(Error::Protocol("unexpected event in multi-line response")),
        }
    }
    let value = match kind {
        ResponseKind::ScanList => Response::ScanList {
            status,
            entries: scans,
        },
        ResponseKind::UniqueIdList => Response::UniqueIdList {
            status,
            entries: uids,
        },
        ResponseKind::Capabilities => Response::Capabilities {
            status,
            capabilities: caps,
        },
        ResponseKind::Mechanisms => Response::Mechanisms {
            status,
            mechanisms: mechs,
        },
        ResponseKind::Languages => Response::Languages {
            status,
            languages: langs,
        },
        _ => Response::Message {
            status,
            content: match (owned, borrowed) {
                (Some(v), _) => Cow::Owned(v),
                (None, Some((s, e))) => Cow::Borrowed(input.get(s..e).unwrap_or_default()),
                (None, None) => Cow::Borrowed(&[]),
            },
        },
    };
    Ok(done(value, pos))
}

fn done(value: Response<'_>, consumed: usize) -> Decoded<Response<'_>> {
    Decoded::Complete { value, consumed }
}
