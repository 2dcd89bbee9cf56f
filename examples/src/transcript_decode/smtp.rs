//! SMTP, ESMTP and LMTP sessions (RFC 5321, RFC 2033, RFC 3030, RFC 4954).
//!
//! The client's stream holds command lines, AUTH response lines after a `334` challenge
//! (RFC 4954 §4), the dot-stuffed message after a `354` reply (RFC 5321 §4.1.1.4), and the
//! raw octets of each `BDAT` chunk (RFC 3030 §2). The server's stream holds the greeting,
//! then one reply per command in order (RFC 2920 §3: pipelined commands are answered in
//! order), one per message for SMTP, one per accepted recipient for LMTP (RFC 2033 §4.2).

use std::collections::VecDeque;

use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotUnstuffer, Unstuffed};
use smtp_proto::{AuthResponse, Command, EhloResponse, Encode, Error, Reply};

use super::{Message, Options, Session, Step, is_tls, next_line, round_trip, tls_rest, truncated};
use crate::transcript::Side;

/// Message bodies as deployed peers send them: bare CR and LF kept as data (never an end
/// of data), no line limit.
const LENIENT_BODY: DotConfig = DotConfig {
    max_line_len: None,
    bare_line_endings: BareLineEndings::Accept,
};

/// What the client's stream holds next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Commands,
    /// Waiting for the reply to DATA (354 or not), to an AUTH step (334 or not), or to
    /// STARTTLS.
    Await,
    Body,
    AuthLine,
    /// The octets of a BDAT chunk.
    Chunk(u64),
}

/// What the next reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ehlo,
    StartTls,
    Mail,
    Rcpt,
    Data,
    Auth,
    Other,
}

pub(crate) struct Smtp<'a> {
    c: &'a [u8],
    cpos: usize,
    s: &'a [u8],
    spos: usize,
    check: bool,
    client: Client,
    greeted: bool,
    pending: VecDeque<Expect>,
    lmtp: bool,
    /// Recipients accepted in the current transaction (LMTP answers each one).
    accepted: usize,
    /// A network capture went on in TLS after STARTTLS: the rest is not SMTP.
    tls: bool,
    /// How message bodies are read ([`Options::lenient`]).
    body: DotConfig,
}

impl<'a> Smtp<'a> {
    pub(crate) fn new(c: &'a [u8], s: &'a [u8], options: Options) -> Self {
        Smtp {
            c,
            cpos: 0,
            s,
            spos: 0,
            check: options.check,
            client: Client::Commands,
            greeted: false,
            pending: VecDeque::new(),
            lmtp: false,
            accepted: 0,
            tls: false,
            body: if options.lenient {
                LENIENT_BODY
            } else {
                DotConfig::default()
            },
        }
    }

    fn client_step(&mut self, force: bool) -> Step {
        let start = self.cpos;
        let rest = self.c.get(start..).unwrap_or_default();
        if rest.is_empty() && !matches!(self.client, Client::Chunk(n) if n > 0) {
            return Step::Done;
        }
        if self.tls {
            self.cpos = self.c.len();
            return Step::Message(tls_rest(Side::Client, start, rest.len()));
        }
        match self.client {
            Client::Await if !force => Step::Blocked,
            Client::Await => {
                // The reply never came: a client that went on had its go-ahead.
                self.client = match self.pending.back() {
                    Some(Expect::Data) => Client::Body,
                    Some(Expect::Auth) => Client::AuthLine,
                    _ => Client::Commands,
                };
                self.client_step(false)
            }
            Client::Commands => self.command(start, rest),
            Client::AuthLine => {
                let (len, msg) = match AuthResponse::decode(rest) {
                    Ok(Decoded::Complete { value, consumed }) => {
                        let kind = match value {
                            AuthResponse::Cancel => "AUTH cancel",
                            AuthResponse::Data(_) => "AUTH response",
                        };
                        let mut m = Message::ok(Side::Client, start, consumed, kind);
                        if self.check {
                            let bytes = value.to_bytes();
                            m = m.checked(round_trip(
                                &value,
                                complete(AuthResponse::decode(&bytes)),
                            ));
                        }
                        (consumed, m)
                    }
                    Ok(Decoded::Incomplete { .. }) => {
                        truncated(Side::Client, start, rest.len(), "AUTH response")
                    }
                    Err(e) => {
                        let len = next_line(rest, 0);
                        (
                            len,
                            Message::failed(
                                Side::Client,
                                start,
                                len,
                                "AUTH response",
                                describe(&e, start),
                            ),
                        )
                    }
                };
                self.cpos += len;
                self.pending.push_back(Expect::Auth);
                self.client = Client::Await;
                Step::Message(msg)
            }
            Client::Body => {
                let (len, msg) = self.body(start, rest);
                self.cpos += len;
                self.client = Client::Commands;
                self.end_of_message();
                Step::Message(msg)
            }
            Client::Chunk(size) => {
                let want = usize::try_from(size).unwrap_or(usize::MAX);
                self.client = Client::Commands;
                if rest.len() < want {
                    let (len, m) = truncated(Side::Client, start, rest.len(), "BDAT chunk");
                    self.cpos += len;
                    return Step::Message(m);
                }
                self.cpos += want;
                Step::Message(Message::ok(Side::Client, start, want, "BDAT chunk"))
            }
        }
    }

    /// After the end of a message: one reply, or one per accepted recipient in LMTP.
    fn end_of_message(&mut self) {
        let n = if self.lmtp { self.accepted.max(1) } else { 1 };
        for _ in 0..n {
            self.pending.push_back(Expect::Other);
        }
    }

    fn command(&mut self, start: usize, rest: &[u8]) -> Step {
        match Command::decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                let kind = match &value {
                    Command::Unknown { verb, .. } => format!("{} (unknown command)", verb.as_str()),
                    other => other.verb().to_owned(),
                };
                let mut m = Message::ok(Side::Client, start, consumed, kind);
                if self.check {
                    let bytes = value.to_bytes();
                    m = m.checked(round_trip(&value, complete(Command::decode(&bytes))));
                }
                self.cpos += consumed;
                let expect = match &value {
                    Command::Ehlo(_) | Command::Lhlo(_) => Expect::Ehlo,
                    Command::MailFrom(_) => Expect::Mail,
                    Command::RcptTo(_) => Expect::Rcpt,
                    Command::Data => Expect::Data,
                    Command::Auth { .. } => Expect::Auth,
                    Command::StartTls => Expect::StartTls,
                    _ => Expect::Other,
                };
                if matches!(value, Command::Lhlo(_)) {
                    self.lmtp = true;
                }
                match value {
                    // RFC 3207 §4: nothing is pipelined after STARTTLS either.
                    Command::Data | Command::Auth { .. } | Command::StartTls => {
                        self.pending.push_back(expect);
                        self.client = Client::Await;
                    }
                    Command::Bdat { size, last } => {
                        // One reply per chunk; LMTP answers the last one per recipient.
                        if last {
                            self.end_of_message();
                        } else {
                            self.pending.push_back(Expect::Other);
                        }
                        if size > 0 {
                            self.client = Client::Chunk(size);
                        }
                    }
                    _ => self.pending.push_back(expect),
                }
                Step::Message(m)
            }
            Ok(Decoded::Incomplete { .. }) => {
                let (len, m) = truncated(Side::Client, start, rest.len(), "command");
                self.cpos += len;
                Step::Message(m)
            }
            Err(e) => {
                // The line ends at the next CRLF, where a server resynchronises (and
                // answers 500).
                let len = next_line(rest, 0);
                self.cpos += len;
                self.pending.push_back(Expect::Other);
                Step::Message(Message::failed(
                    Side::Client,
                    start,
                    len,
                    "command",
                    describe(&e, start),
                ))
            }
        }
    }

    /// The message after 354: dot-stuffed, ending at CRLF.CRLF (RFC 5321 §4.5.2), read
    /// with the strict unstuffer (1000-octet lines, no bare CR or LF); after an error the
    /// end is found with a lenient one, as a receiver that refuses the message still reads
    /// up to its end.
    fn body(&self, start: usize, rest: &[u8]) -> (usize, Message) {
        match unstuff(rest, self.body) {
            Ok(Some((content, consumed))) => {
                let mut m = Message::ok(Side::Client, start, consumed, "DATA body");
                if self.check {
                    let mut wire = Vec::new();
                    mail_common::dot::stuff(&content, &mut wire);
                    let again = unstuff(&wire, self.body).map(|r| r.map(|(c, _)| c));
                    m = m.checked(round_trip(&content, again));
                }
                (consumed, m)
            }
            Ok(None) => truncated(Side::Client, start, rest.len(), "DATA body"),
            Err(e) => {
                let len = match unstuff(rest, LENIENT_BODY) {
                    Ok(Some((_, consumed))) => consumed,
                    _ => rest.len(),
                };
                (
                    len,
                    Message::failed(
                        Side::Client,
                        start,
                        len,
                        "DATA body",
                        match body_error_offset(&e) {
                            Some(o) => format!("{e} (stream offset {})", start + o),
                            None => e.to_string(),
                        },
                    ),
                )
            }
        }
    }

    fn server_step(&mut self, force: bool) -> Step {
        let start = self.spos;
        let rest = self.s.get(start..).unwrap_or_default();
        if rest.is_empty() {
            return Step::Done;
        }
        if self.tls {
            self.spos = self.s.len();
            return Step::Message(tls_rest(Side::Server, start, rest.len()));
        }
        let expect = if self.greeted {
            match self.pending.front() {
                Some(e) => Some(*e),
                None if force => None,
                None => return Step::Blocked,
            }
        } else {
            None
        };
        let ehlo = expect == Some(Expect::Ehlo) && rest.starts_with(b"250");
        let decoded = if ehlo {
            EhloResponse::decode(rest)
                .map(|d| match d {
                    Decoded::Complete { value, consumed } => {
                        let code = 250;
                        let mut m = Message::ok(Side::Server, start, consumed, "250 EHLO reply");
                        if self.check {
                            let bytes = value.to_bytes();
                            m = m.checked(round_trip(
                                &value,
                                complete(EhloResponse::decode(&bytes)),
                            ));
                        }
                        Some((code, consumed, m))
                    }
                    Decoded::Incomplete { .. } => None,
                })
                .or_else(|e| match Reply::decode(rest) {
                    // The reply is framed right; its EHLO lines are not (RFC 5321 §4.1.1.1
                    // `ehlo-line`): one failed message, the whole reply.
                    Ok(Decoded::Complete { consumed, .. }) => Ok(Some((
                        250,
                        consumed,
                        Message::failed(
                            Side::Server,
                            start,
                            consumed,
                            "250 EHLO reply",
                            format!("{e} (in the EHLO reply at stream offset {start})"),
                        ),
                    ))),
                    _ => Err(e),
                })
        } else {
            Reply::decode(rest).map(|d| match d {
                Decoded::Complete { value, consumed } => {
                    let code = value.code().get();
                    let kind = if self.greeted {
                        format!("{code} reply")
                    } else {
                        format!("{code} greeting")
                    };
                    let mut m = Message::ok(Side::Server, start, consumed, kind);
                    if self.check {
                        let bytes = value.to_bytes();
                        m = m.checked(round_trip(&value, complete(Reply::decode(&bytes))));
                    }
                    Some((code, consumed, m))
                }
                Decoded::Incomplete { .. } => None,
            })
        };
        let was_greeted = self.greeted;
        self.greeted = true;
        if was_greeted {
            self.pending.pop_front();
        }
        let (code, len, msg) = match decoded {
            Ok(Some(v)) => v,
            Ok(None) => {
                let (len, m) = truncated(Side::Server, start, rest.len(), "reply");
                self.spos += len;
                return Step::Message(m);
            }
            Err(e) => {
                // Resynchronise after the line the error is on.
                let at = error_offset(&e).unwrap_or(0).min(rest.len());
                let len = next_line(rest, at);
                self.spos += len;
                let kind = if was_greeted { "reply" } else { "greeting" };
                self.react(expect, None);
                return Step::Message(Message::failed(
                    Side::Server,
                    start,
                    len,
                    kind,
                    describe(&e, start),
                ));
            }
        };
        self.spos += len;
        self.react(expect, Some(code));
        Step::Message(msg)
    }

    /// What a reply means for the client's stream.
    fn react(&mut self, expect: Option<Expect>, code: Option<u16>) {
        match expect {
            Some(Expect::Data) if self.client == Client::Await => {
                self.client = if code == Some(354) {
                    Client::Body
                } else {
                    Client::Commands
                };
            }
            Some(Expect::Auth) if self.client == Client::Await => {
                self.client = if code == Some(334) {
                    Client::AuthLine
                } else {
                    Client::Commands
                };
            }
            Some(Expect::Mail) => self.accepted = 0,
            // RFC 3207 §4: after 220 the TLS handshake starts; a recording made outside
            // TLS goes on in the clear, a network capture does not.
            Some(Expect::StartTls) => {
                if self.client == Client::Await {
                    self.client = Client::Commands;
                }
                if code == Some(220) && is_tls(self.c.get(self.cpos..).unwrap_or_default()) {
                    self.tls = true;
                }
            }
            Some(Expect::Rcpt) if code.is_some_and(|c| (200..300).contains(&c)) => {
                self.accepted += 1;
            }
            _ => {}
        }
    }
}

impl Session for Smtp<'_> {
    fn step(&mut self, side: Side, force: bool) -> Step {
        match side {
            Side::Client => self.client_step(force),
            Side::Server => self.server_step(force),
        }
    }
}

fn complete<T>(r: Result<Decoded<T>, Error>) -> Result<Option<T>, Error> {
    r.map(|d| match d {
        Decoded::Complete { value, .. } => Some(value),
        Decoded::Incomplete { .. } => None,
    })
}

/// The whole un-stuffed content and the octets consumed, `None` if the end is missing.
fn unstuff(
    input: &[u8],
    config: DotConfig,
) -> Result<Option<(Vec<u8>, usize)>, mail_common::Error> {
    let mut dec = DotUnstuffer::new(config);
    let mut content = Vec::new();
    let mut pos = 0;
    loop {
        match dec.decode(input.get(pos..).unwrap_or_default())? {
            Decoded::Complete {
                value: Unstuffed::Data(d),
                consumed,
            } => {
                content.extend_from_slice(d);
                pos += consumed;
            }
            Decoded::Complete {
                value: Unstuffed::End,
                consumed,
            } => {
                return Ok(Some((content, pos + consumed)));
            }
            Decoded::Incomplete { .. } => return Ok(None),
        }
    }
}

fn body_error_offset(e: &mail_common::Error) -> Option<usize> {
    match e {
        mail_common::Error::LineTooLong { offset, .. }
        | mail_common::Error::BareLineEnding { offset, .. } => Some(*offset),
        _ => None,
    }
}

fn error_offset(e: &Error) -> Option<usize> {
    match e {
        Error::Syntax { offset, .. }
        | Error::ReplyCodeMismatch { offset, .. }
        | Error::EnhancedClassMismatch { offset, .. } => Some(*offset),
        _ => None,
    }
}

fn describe(e: &Error, start: usize) -> String {
    match error_offset(e) {
        Some(o) => format!("{e} (stream offset {})", start + o),
        None => e.to_string(),
    }
}
