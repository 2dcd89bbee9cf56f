//! IMAP4rev1 sessions (RFC 3501, RFC 2177 IDLE, RFC 7888 LITERAL+, RFC 4959 SASL-IR).
//!
//! The client's stream is decoded with the server-side [`CommandDecoder`], which stops at
//! each synchronizing literal announcement: the client sends the literal's data only after
//! the server's continuation request, and a server that refuses the literal answers with a
//! tagged NO or BAD instead — then the data never comes, and the next bytes are a new
//! command (RFC 3501 §7.5). After `AUTHENTICATE`, each `+` is answered by one base64 line
//! or `*` (§6.2.2) until the tagged response; after `IDLE` and its `+`, the client's next
//! line is `DONE` (RFC 2177 §3). The server's stream is decoded with the client-side
//! [`ResponseDecoder`] (the greeting first), literals included.

use std::collections::HashSet;

use imap_proto::{
    AuthenticateData, Command, CommandBody, CommandDecoded, CommandDecoder, Config, Continue, Data,
    Decoded, Encode, Error, Limits, LiteralSupport, Quirks, Response, ResponseDecoder, StatusKind,
};

use super::{Message, Options, Session, Step, is_tls, next_line, round_trip, tls_rest, truncated};
use crate::transcript::Side;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Client {
    Commands,
    /// The command announced its `k`-th synchronizing literal and waits for `+`.
    AwaitLiteral {
        tag: Option<String>,
        k: usize,
    },
    /// The server refused the literal (tagged NO/BAD): the command ends at its `k`-th
    /// announcement.
    LiteralRefused {
        k: usize,
    },
    /// AUTHENTICATE waits for `+ challenge` or its tagged response.
    AwaitAuth {
        tag: String,
    },
    AuthLine {
        tag: String,
    },
    /// STARTTLS waits for its tagged response (RFC 3501 §6.2.1: TLS starts after OK).
    AwaitTls {
        tag: String,
    },
    /// IDLE waits for `+` (or a refusal).
    AwaitIdle {
        tag: String,
    },
    /// IDLE began: the next line is DONE.
    IdleDone {
        tag: String,
    },
}

pub(crate) struct Imap<'a> {
    c: &'a [u8],
    cpos: usize,
    s: &'a [u8],
    spos: usize,
    check: bool,
    client: Client,
    commands: CommandDecoder,
    responses: ResponseDecoder,
    greeted: bool,
    /// Tags of commands sent and not completed yet.
    open: HashSet<String>,
    /// A network capture went on in TLS after STARTTLS: the rest is not IMAP.
    tls: bool,
}

fn command_decoder() -> CommandDecoder {
    // A recording is in memory already: the client limits (1 GiB literals) let a large
    // APPEND through where a server would refuse it.
    CommandDecoder::new(Config {
        limits: Limits::CLIENT,
        ..Config::default()
    })
    // A recorded client may use LITERAL+ (RFC 7888) where the server offered it.
    .with_literal_support(LiteralSupport::LiteralPlus)
}

impl<'a> Imap<'a> {
    pub(crate) fn new(c: &'a [u8], s: &'a [u8], options: Options) -> Self {
        Imap {
            c,
            cpos: 0,
            s,
            spos: 0,
            check: options.check,
            client: Client::Commands,
            commands: command_decoder(),
            responses: ResponseDecoder::new(Config {
                limits: Limits::CLIENT,
                quirks: if options.lenient {
                    Quirks::LENIENT
                } else {
                    Quirks::STRICT
                },
                ..Config::default()
            }),
            greeted: false,
            open: HashSet::new(),
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
        match self.client.clone() {
            Client::AwaitLiteral { .. }
            | Client::AwaitAuth { .. }
            | Client::AwaitIdle { .. }
            | Client::AwaitTls { .. }
                if !force =>
            {
                Step::Blocked
            }
            // The server said nothing more: a client that went on had its `+`.
            Client::AwaitLiteral { .. } => self.command(start, rest, true),
            Client::AwaitAuth { tag } | Client::AuthLine { tag } => {
                self.authenticate_line(start, rest, tag)
            }
            Client::AwaitIdle { .. } | Client::IdleDone { .. } => self.done_line(start, rest),
            Client::Commands | Client::AwaitTls { .. } => self.command(start, rest, force),
            Client::LiteralRefused { k } => {
                let len = announcement_end(rest, k).unwrap_or_else(|| next_line(rest, 0));
                let name = command_name(rest);
                self.commands = command_decoder();
                self.client = Client::Commands;
                self.cpos += len;
                Step::Message(Message::ok(
                    Side::Client,
                    start,
                    len,
                    format!("{name} (literal refused)"),
                ))
            }
        }
    }

    fn command(&mut self, start: usize, rest: &'a [u8], force: bool) -> Step {
        loop {
            match self.commands.decode(rest) {
                Ok(CommandDecoded::Complete { command, consumed }) => {
                    let kind = command_kind(&command);
                    let mut m = Message::ok(Side::Client, start, consumed, kind);
                    if self.check {
                        let bytes = command.to_vec();
                        let again = whole_command(*self.commands.config(), &bytes);
                        m = m.checked(round_trip(&command, again));
                    }
                    let tag = command.tag.as_str().to_owned();
                    self.open.insert(tag.clone());
                    self.client = match &command.body {
                        CommandBody::Authenticate { .. } => Client::AwaitAuth { tag },
                        CommandBody::StartTls => Client::AwaitTls { tag },
                        CommandBody::Idle => Client::AwaitIdle { tag },
                        CommandBody::Other { name, .. }
                            if name.as_str().eq_ignore_ascii_case("IDLE") =>
                        {
                            Client::AwaitIdle { tag }
                        }
                        _ => Client::Commands,
                    };
                    self.cpos += consumed;
                    return Step::Message(m);
                }
                Ok(CommandDecoded::ContinuationNeeded { .. }) => {
                    let k = match &self.client {
                        Client::AwaitLiteral { k, .. } => k + 1,
                        _ => 1,
                    };
                    // The data is in the recording already; whether it may be read depends
                    // on the server's answer to the announcement.
                    self.client = Client::AwaitLiteral {
                        tag: leading_tag(rest),
                        k,
                    };
                    if force {
                        continue;
                    }
                    return Step::Blocked;
                }
                Ok(CommandDecoded::Incomplete { .. }) => {
                    let (len, m) = truncated(Side::Client, start, rest.len(), "command");
                    self.cpos += len;
                    self.commands = command_decoder();
                    self.client = Client::Commands;
                    return Step::Message(m);
                }
                Err(e) => {
                    let len = self.skip_command(rest);
                    // The server answers BAD with the tag, when it could read one.
                    if let Some(tag) = leading_tag(rest) {
                        self.open.insert(tag);
                    }
                    self.client = Client::Commands;
                    self.cpos += len;
                    return Step::Message(Message::failed(
                        Side::Client,
                        start,
                        len,
                        "command",
                        describe(&e, start),
                    ));
                }
            }
        }
    }

    fn skip_command(&mut self, rest: &[u8]) -> usize {
        let mut len = 0;
        loop {
            let d = self.commands.discard(rest.get(len..).unwrap_or_default());
            len += d.consumed;
            if d.done || d.consumed == 0 {
                return len.max(1).min(rest.len());
            }
        }
    }

    fn authenticate_line(&mut self, start: usize, rest: &[u8], tag: String) -> Step {
        let (len, msg) = match self.commands.decode_authenticate(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                let kind = match value {
                    AuthenticateData::Cancel => "AUTHENTICATE cancel",
                    AuthenticateData::Response(_) => "AUTHENTICATE response",
                };
                let mut m = Message::ok(Side::Client, start, consumed, kind);
                if self.check {
                    let bytes = value.to_vec();
                    let again = complete(command_decoder().decode_authenticate(&bytes));
                    m = m.checked(round_trip(&value, again));
                }
                (consumed, m)
            }
            Ok(Decoded::Incomplete { .. }) => {
                truncated(Side::Client, start, rest.len(), "AUTHENTICATE response")
            }
            Err(e) => {
                let len = self.skip_command(rest);
                let m = Message::failed(
                    Side::Client,
                    start,
                    len,
                    "AUTHENTICATE response",
                    describe(&e, start),
                );
                (len, m)
            }
        };
        self.cpos += len;
        self.client = Client::AwaitAuth { tag };
        Step::Message(msg)
    }

    /// RFC 2177 §3: `idle = "IDLE" CRLF "DONE"` — the line is exactly DONE.
    fn done_line(&mut self, start: usize, rest: &[u8]) -> Step {
        let len = next_line(rest, 0);
        self.cpos += len;
        self.client = Client::Commands;
        let line = rest.get(..len).unwrap_or_default();
        let Some(text) = line.strip_suffix(b"\r\n") else {
            let (_, m) = truncated(Side::Client, start, len, "DONE");
            return Step::Message(m);
        };
        if text.eq_ignore_ascii_case(b"DONE") {
            Step::Message(Message::ok(Side::Client, start, len, "DONE"))
        } else {
            Step::Message(Message::failed(
                Side::Client,
                start,
                len,
                "DONE",
                format!("expected DONE to end IDLE (stream offset {start})"),
            ))
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
        if !self.greeted {
            self.greeted = true;
            return self.greeting(start, rest);
        }
        let decoded = self.responses.decode(rest);
        let (len, msg) = match decoded {
            Ok(Decoded::Complete { value, consumed }) => {
                if !force && !self.may_send(&value) {
                    // Nothing a server would send yet: wait for the client. (The decoder
                    // is back at the start of a message, so this decodes again later.)
                    return Step::Blocked;
                }
                let mut m = Message::ok(Side::Server, start, consumed, response_kind(&value));
                if self.check {
                    let bytes = value.to_vec();
                    let mut decoder = ResponseDecoder::new(*self.responses.config());
                    m = m.checked(round_trip(&value, complete(decoder.decode(&bytes))));
                }
                self.react(&value);
                (consumed, m)
            }
            Ok(Decoded::Incomplete { .. }) => {
                self.responses = ResponseDecoder::new(*self.responses.config());
                truncated(Side::Server, start, rest.len(), "response")
            }
            Err(e) => {
                if !force && !self.may_send_undecoded(rest) {
                    return Step::Blocked;
                }
                self.react_undecoded(rest);
                let mut len = 0;
                loop {
                    let d = self.responses.discard(rest.get(len..).unwrap_or_default());
                    len += d.consumed;
                    if d.done || d.consumed == 0 {
                        break;
                    }
                }
                let len = len.max(1).min(rest.len());
                (
                    len,
                    Message::failed(Side::Server, start, len, "response", describe(&e, start)),
                )
            }
        };
        self.spos += len;
        Step::Message(msg)
    }

    fn greeting(&mut self, start: usize, rest: &[u8]) -> Step {
        let (len, msg) = match self.responses.decode_greeting(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                let kind = format!("greeting {}", status_name(value.kind));
                let mut m = Message::ok(Side::Server, start, consumed, kind);
                if self.check {
                    let bytes = value.to_vec();
                    let mut decoder = ResponseDecoder::new(*self.responses.config());
                    m = m.checked(round_trip(
                        &value,
                        complete(decoder.decode_greeting(&bytes)),
                    ));
                }
                (consumed, m)
            }
            Ok(Decoded::Incomplete { .. }) => {
                self.responses = ResponseDecoder::new(*self.responses.config());
                truncated(Side::Server, start, rest.len(), "greeting")
            }
            Err(e) => {
                let d = self.responses.discard(rest);
                let len = d.consumed.max(1).min(rest.len());
                (
                    len,
                    Message::failed(Side::Server, start, len, "greeting", describe(&e, start)),
                )
            }
        };
        self.spos += len;
        Step::Message(msg)
    }

    /// Whether a server could send this now, given what the client has sent.
    fn may_send(&self, r: &Response<'_>) -> bool {
        match r {
            Response::Continue(_) => matches!(
                self.client,
                Client::AwaitLiteral { .. } | Client::AwaitAuth { .. } | Client::AwaitIdle { .. }
            ),
            Response::Status(s) => match &s.tag {
                Some(tag) => {
                    let tag = tag.as_str();
                    match &self.client {
                        // A refusal of the literal the client waits to send.
                        Client::AwaitLiteral { tag: Some(t), .. } if t == tag => true,
                        // Not before the client's last AUTHENTICATE line or its DONE.
                        Client::AuthLine { tag: t } | Client::IdleDone { tag: t } if t == tag => {
                            false
                        }
                        _ => self.open.contains(tag),
                    }
                }
                // Untagged data answers some command (or arrives during IDLE).
                None => !self.open.is_empty(),
            },
            Response::Data(_) => !self.open.is_empty(),
        }
    }

    /// What a response means for the client's stream.
    fn react(&mut self, r: &Response<'_>) {
        match r {
            Response::Continue(_) => self.go_ahead(),
            Response::Status(s) => {
                if let Some(tag) = &s.tag {
                    let starts_tls = s.kind == StatusKind::Ok
                        && matches!(&self.client, Client::AwaitTls { tag: t } if t == tag.as_str());
                    self.completed(tag.as_str());
                    // A recording made outside TLS goes on in the clear; a network
                    // capture does not.
                    if starts_tls && is_tls(self.c.get(self.cpos..).unwrap_or_default()) {
                        self.tls = true;
                    }
                }
            }
            // RFC 6855 §3: after `ENABLE UTF8=ACCEPT`, both sides may use UTF-8 in quoted
            // strings.
            Response::Data(Data::Enabled(caps))
                if caps
                    .iter()
                    .any(|c| c.to_wire().eq_ignore_ascii_case("UTF8=ACCEPT")) =>
            {
                let mut config = *self.commands.config();
                config.utf8 = true;
                self.commands.set_config(config);
                let mut config = *self.responses.config();
                config.utf8 = true;
                self.responses.set_config(config);
            }
            Response::Data(_) => {}
        }
    }

    /// A continuation request: the waiting client sends what it held back.
    fn go_ahead(&mut self) {
        self.client = match std::mem::replace(&mut self.client, Client::Commands) {
            // The decoder reads the literal's data on its next call.
            Client::AwaitLiteral { .. } => Client::Commands,
            Client::AwaitAuth { tag } => Client::AuthLine { tag },
            Client::AwaitIdle { tag } => Client::IdleDone { tag },
            other => other,
        };
    }

    /// The tagged response that completes (or refuses) the command `tag`.
    fn completed(&mut self, tag: &str) {
        self.open.remove(tag);
        let next = match &self.client {
            Client::AwaitLiteral { tag: Some(t), k } if t == tag => {
                Some(Client::LiteralRefused { k: *k })
            }
            Client::AwaitAuth { tag: t } | Client::AuthLine { tag: t } if t == tag => {
                Some(Client::Commands)
            }
            Client::AwaitIdle { tag: t } | Client::AwaitTls { tag: t } if t == tag => {
                Some(Client::Commands)
            }
            _ => None,
        };
        if let Some(next) = next {
            self.client = next;
        }
    }

    /// [`may_send`](Self::may_send) for a response that does not decode, judged by its
    /// first octets.
    fn may_send_undecoded(&self, rest: &[u8]) -> bool {
        if rest.starts_with(b"+") {
            return matches!(
                self.client,
                Client::AwaitLiteral { .. } | Client::AwaitAuth { .. } | Client::AwaitIdle { .. }
            );
        }
        match leading_tag(rest) {
            Some(tag) if tag != "*" => {
                self.open.contains(&tag)
                    || matches!(&self.client, Client::AwaitLiteral { tag: Some(t), .. } if *t == tag)
            }
            _ => !self.open.is_empty(),
        }
    }

    /// A response that did not decode still tells the client what a real one would: a
    /// `+` line goes ahead, a line with an open command's tag completes it.
    fn react_undecoded(&mut self, rest: &[u8]) {
        if rest.starts_with(b"+") {
            self.go_ahead();
        } else if let Some(tag) = leading_tag(rest) {
            if self.open.contains(&tag) {
                self.completed(&tag);
            }
        }
    }
}

impl Session for Imap<'_> {
    fn step(&mut self, side: Side, force: bool) -> Step {
        match side {
            Side::Client => self.client_step(force),
            Side::Server => self.server_step(force),
        }
    }
}

fn command_kind(c: &Command<'_>) -> String {
    let uid = match &c.body {
        CommandBody::Search { uid, .. }
        | CommandBody::Fetch { uid, .. }
        | CommandBody::Store { uid, .. }
        | CommandBody::Copy { uid, .. } => *uid,
        _ => false,
    };
    let name = c.body.name().to_ascii_uppercase();
    if uid { format!("UID {name}") } else { name }
}

fn status_name(k: StatusKind) -> &'static str {
    match k {
        StatusKind::Ok => "OK",
        StatusKind::No => "NO",
        StatusKind::Bad => "BAD",
        StatusKind::PreAuth => "PREAUTH",
        StatusKind::Bye => "BYE",
    }
}

fn response_kind(r: &Response<'_>) -> String {
    match r {
        Response::Status(s) if s.tag.is_some() => format!("tagged {}", status_name(s.kind)),
        Response::Status(s) => format!("untagged {}", status_name(s.kind)),
        Response::Continue(Continue::Base64(_)) => "continuation (base64)".to_owned(),
        Response::Continue(_) => "continuation".to_owned(),
        Response::Data(d) => match d {
            Data::Capability(_) => "CAPABILITY".to_owned(),
            Data::List { .. } => "LIST".to_owned(),
            Data::Lsub { .. } => "LSUB".to_owned(),
            Data::Status { .. } => "STATUS".to_owned(),
            Data::Search(_) => "SEARCH".to_owned(),
            Data::Flags(_) => "FLAGS".to_owned(),
            Data::Exists(_) => "EXISTS".to_owned(),
            Data::Recent(_) => "RECENT".to_owned(),
            Data::Expunge(_) => "EXPUNGE".to_owned(),
            Data::Fetch { .. } => "FETCH".to_owned(),
            Data::Other { name, .. } => name.as_str().to_ascii_uppercase(),
            _ => "data".to_owned(),
        },
    }
}

/// The tag at the front of a command, if it reads as one.
fn leading_tag(buf: &[u8]) -> Option<String> {
    let end = buf.iter().position(|b| *b == b' ')?;
    let t = std::str::from_utf8(buf.get(..end)?).ok()?;
    imap_proto::Tag::new(t).ok().map(|t| t.as_str().to_owned())
}

/// The command's name (the word after the tag, with `UID`'s second word), for a command
/// that was not decoded whole.
fn command_name(buf: &[u8]) -> String {
    let line = buf.get(..next_line(buf, 0)).unwrap_or_default();
    let text = String::from_utf8_lossy(line);
    let mut words = text.split_ascii_whitespace().skip(1);
    match words.next() {
        Some(w) if w.eq_ignore_ascii_case("UID") => {
            format!(
                "UID {}",
                words.next().unwrap_or_default().to_ascii_uppercase()
            )
        }
        Some(w) => w.to_ascii_uppercase(),
        None => "command".to_owned(),
    }
}

/// Where the line announcing the `k`-th synchronizing literal of the command at the front
/// of `buf` ends (after its CRLF). Literals before it are skipped with their data.
fn announcement_end(buf: &[u8], k: usize) -> Option<usize> {
    let mut pos = 0;
    let mut seen = 0;
    while pos < buf.len() {
        let end = next_line(buf, pos);
        let line = buf.get(pos..end)?;
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (size, sync) = literal_at_end(line)?;
        if sync {
            seen += 1;
            if seen == k {
                return Some(end);
            }
        }
        pos = end.checked_add(usize::try_from(size).ok()?)?;
    }
    None
}

/// `{n}` or `{n+}` at the end of a line: (n, synchronizing).
fn literal_at_end(line: &[u8]) -> Option<(u64, bool)> {
    let body = line.strip_suffix(b"}")?;
    let (body, sync) = match body.strip_suffix(b"+") {
        Some(b) => (b, false),
        None => (body, true),
    };
    let brace = body.iter().rposition(|b| *b == b'{')?;
    let digits = body.get(brace + 1..)?;
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((n, sync))
}

/// Decodes a whole command (literals included) with the session's grammar options.
fn whole_command(config: Config, bytes: &[u8]) -> Result<Option<Command<'_>>, Error> {
    let mut decoder = CommandDecoder::new(config).with_literal_support(LiteralSupport::LiteralPlus);
    // Each call goes past one more literal announcement; there are fewer than the bytes.
    for _ in 0..=bytes.len() {
        match decoder.decode(bytes)? {
            CommandDecoded::Complete { command, .. } => return Ok(Some(command)),
            CommandDecoded::ContinuationNeeded { .. } => {}
            CommandDecoded::Incomplete { .. } => return Ok(None),
        }
    }
    Ok(None)
}

fn complete<T>(r: Result<Decoded<T>, Error>) -> Result<Option<T>, Error> {
    r.map(|d| match d {
        Decoded::Complete { value, .. } => Some(value),
        Decoded::Incomplete { .. } => None,
    })
}

fn describe(e: &Error, start: usize) -> String {
    match e.offset() {
        Some(o) => format!("{e} (stream offset {})", start + o),
        None => e.to_string(),
    }
}
