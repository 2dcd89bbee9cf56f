//! POP3 sessions (RFC 1939, RFC 2449, RFC 5034).
//!
//! The server's stream holds the greeting, then one response per command in order; whether
//! a response is multi-line, and how its lines read, depends on the command it answers
//! (RFC 1939 §3), so each command leaves its [`ResponseKind`] for the server side. After
//! `AUTH mechanism`, each `+ challenge` is answered by one client line (base64 or `*`,
//! RFC 5034 §4) until the server's `+OK` or `-ERR`.

use std::collections::VecDeque;

use pop3_proto::parse::{decode_auth_line, decode_command, decode_response};
use pop3_proto::{
    AuthLine, Command, CommandLimits, Decoded, Error, Response, ResponseKind, ResponseLimits,
};

use super::{Message, Options, Session, Step, is_tls, next_line, round_trip, tls_rest, truncated};
use crate::transcript::Side;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Commands,
    /// Waiting for the answer to an AUTH step (`+ challenge` or the end), or to STLS
    /// (RFC 2595 §4: TLS starts after `+OK`).
    Await,
    AuthLine,
}

pub(crate) struct Pop3<'a> {
    c: &'a [u8],
    cpos: usize,
    s: &'a [u8],
    spos: usize,
    check: bool,
    client: Client,
    greeted: bool,
    /// What each expected response answers: its kind, and whether it is STLS.
    pending: VecDeque<(ResponseKind, bool)>,
    command_limits: CommandLimits,
    response_limits: ResponseLimits,
    /// A network capture went on in TLS after STLS: the rest is not POP3.
    tls: bool,
}

impl<'a> Pop3<'a> {
    pub(crate) fn new(c: &'a [u8], s: &'a [u8], options: Options) -> Self {
        Pop3 {
            c,
            cpos: 0,
            s,
            spos: 0,
            check: options.check,
            client: Client::Commands,
            greeted: false,
            pending: VecDeque::new(),
            command_limits: CommandLimits::default(),
            response_limits: ResponseLimits::default(),
            tls: false,
        }
    }

    fn client_step(&mut self, force: bool) -> Step {
        let start = self.cpos;
        let rest = self.c.get(start..).unwrap_or_default();
        if rest.is_empty() {
            return Step::Done;
        }
        if self.tls {
            self.cpos = self.c.len();
            return Step::Message(tls_rest(Side::Client, start, rest.len()));
        }
        match self.client {
            Client::Await if !force => Step::Blocked,
            Client::Await if self.pending.back().is_some_and(|(_, stls)| *stls) => {
                self.client = Client::Commands;
                self.command(start, rest)
            }
            Client::Await | Client::AuthLine => self.auth_line(start, rest),
            Client::Commands => self.command(start, rest),
        }
    }

    fn command(&mut self, start: usize, rest: &[u8]) -> Step {
        let limits = self.command_limits;
        let (len, msg) = match decode_command(rest, &limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                let kind = match &value {
                    Command::Unknown(u) => format!("{} (unknown command)", u.keyword()),
                    other => other.keyword().to_owned(),
                };
                let mut m = Message::ok(Side::Client, start, consumed, kind);
                if self.check {
                    let bytes = value.to_bytes();
                    m = m.checked(round_trip(
                        &value,
                        complete(decode_command(&bytes, &limits)),
                    ));
                }
                let rk = value.response_kind();
                let stls = matches!(value, Command::Stls);
                self.pending.push_back((rk, stls));
                if rk == ResponseKind::Auth || stls {
                    self.client = Client::Await;
                }
                (consumed, m)
            }
            Ok(Decoded::Incomplete { .. }) => truncated(Side::Client, start, rest.len(), "command"),
            Err(e) => {
                // The server skips the line and answers -ERR.
                let len = next_line(rest, 0);
                self.pending.push_back((ResponseKind::Status, false));
                (
                    len,
                    Message::failed(Side::Client, start, len, "command", describe(&e, start)),
                )
            }
        };
        self.cpos += len;
        Step::Message(msg)
    }

    fn auth_line(&mut self, start: usize, rest: &[u8]) -> Step {
        let limits = self.command_limits;
        let (len, msg) = match decode_auth_line(rest, &limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                let kind = match value {
                    AuthLine::Cancel => "AUTH cancel",
                    AuthLine::Response(_) => "AUTH response",
                };
                let mut m = Message::ok(Side::Client, start, consumed, kind);
                if self.check {
                    let mut bytes = Vec::new();
                    value.encode(&mut bytes);
                    m = m.checked(round_trip(
                        &value,
                        complete(decode_auth_line(&bytes, &limits)),
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
        self.pending.push_back((ResponseKind::Auth, false));
        self.client = Client::Await;
        Step::Message(msg)
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
        let (kind, stls) = if self.greeted {
            match self.pending.pop_front() {
                Some(k) => k,
                None if force => (ResponseKind::Status, false),
                None => return Step::Blocked,
            }
        } else {
            (ResponseKind::Greeting, false)
        };
        let greeting = !self.greeted;
        self.greeted = true;
        let limits = self.response_limits;
        let (len, msg) = match decode_response(kind, rest, &limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                let label = label(&value, greeting);
                let mut m = Message::ok(Side::Server, start, consumed, label);
                if self.check {
                    let bytes = value.to_bytes();
                    m = m.checked(round_trip(
                        &value,
                        complete(decode_response(kind, &bytes, &limits)),
                    ));
                }
                if kind == ResponseKind::Auth && self.client == Client::Await {
                    self.client = if matches!(value, Response::Continuation(_)) {
                        Client::AuthLine
                    } else {
                        Client::Commands
                    };
                }
                if stls {
                    self.client = Client::Commands;
                    let ok = matches!(&value, Response::Status(st) if st.is_ok());
                    // A recording made outside TLS goes on in the clear; a network
                    // capture does not.
                    if ok && is_tls(self.c.get(self.cpos..).unwrap_or_default()) {
                        self.tls = true;
                    }
                }
                (consumed, m)
            }
            Ok(Decoded::Incomplete { .. }) => {
                truncated(Side::Server, start, rest.len(), "response")
            }
            Err(e) => {
                // A multi-line response whose first line was +OK: skip to its end.
                let len = if kind.is_multi_line() && rest.starts_with(b"+OK") {
                    end_of_multi_line(rest)
                } else {
                    next_line(rest, 0)
                };
                if (kind == ResponseKind::Auth || stls) && self.client == Client::Await {
                    self.client = Client::Commands;
                }
                (
                    len,
                    Message::failed(Side::Server, start, len, "response", describe(&e, start)),
                )
            }
        };
        self.spos += len;
        Step::Message(msg)
    }
}

impl Session for Pop3<'_> {
    fn step(&mut self, side: Side, force: bool) -> Step {
        match side {
            Side::Client => self.client_step(force),
            Side::Server => self.server_step(force),
        }
    }
}

fn label(r: &Response<'_>, greeting: bool) -> String {
    let ok = |s: &pop3_proto::StatusLine<'_>| if s.is_ok() { "+OK" } else { "-ERR" };
    match r {
        Response::Status(s) if greeting => format!("{} greeting", ok(s)),
        Response::Status(s) => ok(s).to_owned(),
        Response::Continuation(_) => "+ challenge".to_owned(),
        Response::Stat(_) | Response::ScanListing(_) | Response::UniqueIdListing(_) => {
            "+OK".to_owned()
        }
        _ => "+OK multi-line".to_owned(),
    }
}

/// After the `.` line that ends a multi-line response (or everything).
fn end_of_multi_line(rest: &[u8]) -> usize {
    let mut pos = next_line(rest, 0);
    while pos < rest.len() {
        let next = next_line(rest, pos);
        if matches!(rest.get(pos..next), Some(b".\r\n" | b".\n")) {
            return next;
        }
        pos = next;
    }
    rest.len()
}

fn complete<T>(r: Result<Decoded<T>, Error>) -> Result<Option<T>, Error> {
    r.map(|d| match d {
        Decoded::Complete { value, .. } => Some(value),
        Decoded::Incomplete { .. } => None,
    })
}

fn describe(e: &Error, start: usize) -> String {
    match e {
        Error::Syntax { offset, .. } => format!("{e} (stream offset {})", start + offset),
        _ => e.to_string(),
    }
}
