//! The server session machine: RFC 1939 §3 AUTHORIZATION → TRANSACTION → UPDATE, with APOP
//! (§7), CAPA (RFC 2449), STLS (RFC 2595 §4), AUTH (RFC 5034), UTF8 and LANG (RFC 6856).
//!
//! Sans-IO: the machine never touches a socket or a clock. Call order:
//!
//! 1. [`Server::new`] writes the greeting (with the APOP timestamp made of the caller's
//!    unique part and host name) to the output.
//! 2. [`receive`](Server::receive) whatever bytes arrived.
//! 3. Loop on [`next_event`](Server::next_event). The machine answers most commands
//!    itself (CAPA, NOOP, STAT, LIST, UIDL, DELE, RSET, USER, UTF8, LANG, unknown ones);
//!    for the others it returns an [`Event`] that the application must answer with the
//!    matching call ([`accept_login`](Server::accept_login),
//!    [`send_message`](Server::send_message), ...) before asking for the next event.
//!    Commands are answered one at a time, in order, so pipelined input (RFC 2449 §6.6)
//!    gets its answers in order.
//! 4. Write [`transmit`](Server::transmit) to the peer and call
//!    [`consumed`](Server::consumed) with what was written.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use mail_common::buffer::InputBuffer;
use mail_common::decode::Decoded;
use mail_common::dot::DotStuffer;
use mail_common::sasl::{Credentials, SaslServer, ServerStep};

use crate::error::Error;
use crate::parse::{CommandDecoder, CommandLimits};
use crate::types::{
    ApopDigest, AuthLine, Capability, Command, InitialResponse, Mechanism, MessageNumber, Params,
    Password, ResponseCode, UniqueId,
};

/// One message of the maildrop, as the application lists it when the user logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInfo {
    /// The exact size in octets (RFC 1939 §5 LIST: as it will be sent, CRLF line endings,
    /// before dot-stuffing).
    pub size: u64,
    /// The unique id (RFC 1939 §7 UIDL).
    pub uid: UniqueId<'static>,
}

/// What the server offers, and its limits.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The host name, used in the APOP timestamp `<unique@host>` and the CRAM-MD5 challenge.
    pub hostname: String,
    /// The server's name in the sign-off (`+OK dewey POP3 server signing off`).
    pub name: String,
    /// Text of the greeting (the timestamp is appended when APOP is on).
    pub greeting: String,
    /// Offer APOP (RFC 1939 §7).
    pub apop: bool,
    /// Allow USER/PASS and plaintext SASL mechanisms before TLS (RFC 2595 §2.4, RFC 5034
    /// §4: this SHOULD be off by default).
    pub allow_plaintext_without_tls: bool,
    /// The capabilities, in the order CAPA lists them (RFC 2449 §5). They also decide what
    /// the machine accepts: `USER` enables USER/PASS, `SASL` lists the AUTH mechanisms,
    /// `STLS`, `UTF8` and `LANG` enable those commands. The machine leaves out what is not
    /// available in the current state: STLS after TLS or after login, USER and plaintext
    /// SASL mechanisms on an unencrypted transport unless allowed.
    pub capabilities: Vec<Capability<'static>>,
    /// Languages for LANG (RFC 6856 §3): (tag, description); the first is the default.
    pub languages: Vec<(String, String)>,
    /// Text after `+OK` of the CAPA response.
    pub capa_text: String,
    /// Text after `+OK` of the STLS response.
    pub stls_text: String,
    /// Text after `+OK name` of the USER response.
    pub user_text: String,
    /// Report USER as [`Event::User`] so the application can refuse unknown names at once
    /// (RFC 1939 §7). Off by default: answering `+OK` to every name does not reveal which
    /// mailboxes exist.
    pub verify_user: bool,
    /// Command limits.
    pub limits: CommandLimits,
    /// Close the session after this many bad commands in a row.
    pub max_errors: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let sasl = Params::new("PLAIN CRAM-MD5").unwrap_or_default();
        ServerConfig {
            hostname: "localhost".to_owned(),
            name: "localhost".to_owned(),
            greeting: "POP3 server ready".to_owned(),
            apop: true,
            allow_plaintext_without_tls: false,
            capabilities: alloc::vec![
                Capability::Top,
                Capability::User,
                Capability::Sasl(sasl),
                Capability::RespCodes,
                Capability::AuthRespCode,
                Capability::Pipelining,
                Capability::Uidl,
                Capability::Stls,
            ],
            languages: Vec::new(),
            capa_text: "Capability list follows".to_owned(),
            stls_text: "Begin TLS negotiation".to_owned(),
            user_text: "is welcome here".to_owned(),
            verify_user: false,
            limits: CommandLimits::default(),
            max_errors: 10,
        }
    }
}

/// What the application must act on. Each event needs one answering call before
/// [`Server::next_event`] is called again.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// USER, when [`ServerConfig::verify_user`] is on: call
    /// [`accept_user`](Server::accept_user) or [`reject_user`](Server::reject_user).
    User {
        /// The mailbox name.
        name: &'a str,
    },
    /// USER then PASS (RFC 1939 §7): check the password, then
    /// [`accept_login`](Server::accept_login) or [`reject_login`](Server::reject_login).
    Pass {
        /// The name given with USER.
        user: &'a str,
        /// The PASS string.
        password: Password<'a>,
    },
    /// APOP (RFC 1939 §7): look up the user's shared secret and call
    /// [`accept_apop`](Server::accept_apop) (which checks the digest), or
    /// [`reject_login`](Server::reject_login).
    Apop {
        /// The mailbox name.
        user: &'a str,
    },
    /// An AUTH exchange completed (RFC 5034): check the credentials, then
    /// [`accept_login`](Server::accept_login) or [`reject_login`](Server::reject_login).
    Sasl {
        /// What the client presented.
        credentials: Credentials,
    },
    /// AUTH with a mechanism that is offered but that `mail-common` does not implement
    /// (for instance DIGEST-MD5 or GSSAPI): the application runs it. Answer with
    /// [`sasl_challenge`](Server::sasl_challenge), [`accept_login`](Server::accept_login)
    /// or [`reject_login`](Server::reject_login). A `*` from the client is answered by the
    /// machine (RFC 5034 §4).
    AuthStart {
        /// The mechanism.
        mechanism: Mechanism<'static>,
        /// The decoded initial response, if the command had one (`=` is empty).
        initial_response: Option<Vec<u8>>,
    },
    /// The client's decoded answer to a challenge of an [`Event::AuthStart`] exchange;
    /// answered like [`Event::AuthStart`].
    AuthResponse {
        /// The decoded response.
        data: Vec<u8>,
    },
    /// RETR (RFC 1939 §5): call [`send_message`](Server::send_message) with the message, or
    /// [`reject`](Server::reject).
    Retr {
        /// The message (exists and is not deleted).
        msg: MessageNumber,
    },
    /// TOP (RFC 1939 §7): call [`send_message`](Server::send_message) with the whole
    /// message; the machine sends the headers and `lines` lines of the body.
    Top {
        /// The message (exists and is not deleted).
        msg: MessageNumber,
        /// Body lines wanted.
        lines: u32,
    },
    /// STLS was accepted and `+OK` queued (RFC 2595 §4): send it, start TLS, then call
    /// [`tls_established`](Server::tls_established).
    StartTls {
        /// Octets the client had sent after STLS before the TLS negotiation (pipelined
        /// plaintext), which were dropped so they cannot be read as if protected.
        discarded: usize,
    },
    /// QUIT in TRANSACTION: the UPDATE state (RFC 1939 §6). Remove these messages, then
    /// call [`update_done`](Server::update_done).
    Update {
        /// The messages marked as deleted.
        deleted: Vec<MessageNumber>,
    },
    /// The session is over: send what is queued and close the connection.
    Closed,
}

#[derive(Debug)]
enum State {
    Authorization {
        user: Option<String>,
    },
    Sasl(SaslServer),
    SaslApp,
    Transaction {
        messages: Vec<MessageInfo>,
        deleted: Vec<bool>,
    },
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Nothing,
    User,
    Login,
    Apop { digest: ApopDigest },
    SaslApp,
    Message { top: Option<u32>, size: u64 },
    Streaming,
    Tls,
    Update,
}

/// The server session. See the [module docs](self) for the call order.
#[derive(Debug)]
#[must_use]
pub struct Server {
    config: ServerConfig,
    state: State,
    awaiting: Awaiting,
    timestamp: Option<String>,
    challenge: String,
    tls: bool,
    utf8: bool,
    input: InputBuffer,
    discarding: bool,
    decoder: CommandDecoder,
    output: Vec<u8>,
    errors: u32,
    user: String,
    discarded_plaintext: usize,
    sasl_done: Option<Credentials>,
    password: Option<Password<'static>>,
    streaming: Option<(DotStuffer, Option<TopCut>)>,
}

fn is_plain_mech(m: &Mechanism<'_>) -> bool {
    m.is_plaintext()
}

impl Server {
    /// A new session; the greeting is queued for [`transmit`](Self::transmit).
    ///
    /// `unique` is the caller's unique part of the APOP timestamp (RFC 1939 §7: for
    /// instance process id and clock, different for every session); `tls` says whether the
    /// connection is already encrypted (implicit TLS, port 995).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if `unique` or the host name cannot make a timestamp.
    pub fn new(config: ServerConfig, unique: &str, tls: bool) -> Result<Self, Error> {
        let timestamp =
            mail_common::apop::make_timestamp(unique, &config.hostname).map_err(|_| {
                Error::InvalidValue {
                    what: "apop timestamp (unique part and host name)",
                }
            })?;
        let mut s = Server {
            decoder: CommandDecoder::new(config.limits),
            config,
            state: State::Authorization { user: None },
            awaiting: Awaiting::Nothing,
            challenge: timestamp.clone(),
            timestamp: Some(timestamp),
            tls,
            utf8: false,
            input: InputBuffer::new(),
            discarding: false,
            output: Vec::new(),
            errors: 0,
            user: String::new(),
            discarded_plaintext: 0,
            sasl_done: None,
            password: None,
            streaming: None,
        };
        let greeting = match (&s.timestamp, s.config.apop) {
            (Some(ts), true) => format!("{} {}", s.config.greeting, ts),
            _ => s.config.greeting.clone(),
        };
        if !s.config.apop {
            s.timestamp = None;
        }
        s.line(true, &greeting);
        Ok(s)
    }

    /// The APOP timestamp sent in the greeting, if APOP is on.
    pub fn timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// Whether the transport is encrypted.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the session is in the TRANSACTION state.
    pub fn is_transaction(&self) -> bool {
        matches!(self.state, State::Transaction { .. })
    }

    /// The authenticated user (empty before login).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Total octets of pipelined plaintext dropped at STLS.
    pub fn discarded_plaintext(&self) -> usize {
        self.discarded_plaintext
    }

    /// Feeds bytes received from the client.
    pub fn receive(&mut self, bytes: &[u8]) {
        if self.awaiting == Awaiting::Tls {
            // Bytes between our +OK to STLS and the TLS handshake are plaintext injected
            // ahead of the protected session: never read them.
            self.discarded_plaintext += bytes.len();
            return;
        }
        self.input.extend(bytes);
    }

    /// Bytes to send to the client.
    pub fn transmit(&self) -> &[u8] {
        &self.output
    }

    /// Drops the first `n` bytes of [`transmit`](Self::transmit) after they were sent.
    pub fn consumed(&mut self, n: usize) {
        self.output.drain(..n.min(self.output.len()));
    }

    /// Takes all the bytes to send.
    pub fn take_output(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.output)
    }

    fn line(&mut self, status_ok: bool, text: &str) {
        self.output
            .extend_from_slice(if status_ok { b"+OK" } else { b"-ERR" });
        if !text.is_empty() {
            self.output.push(b' ');
            put_text(&mut self.output, text);
        }
        self.output.extend_from_slice(b"\r\n");
    }

    fn err_code(&mut self, code: &str, text: &str) {
        let code = ResponseCode::new(code).ok();
        let mut v = Vec::new();
        match code {
            Some(c) => {
                v.extend_from_slice(b"-ERR [");
                c.write_levels(&mut v);
                v.extend_from_slice(b"] ");
            }
            None => v.extend_from_slice(b"-ERR "),
        }
        put_text(&mut v, text);
        v.extend_from_slice(b"\r\n");
        self.output.extend_from_slice(&v);
    }

    fn plaintext_ok(&self) -> bool {
        self.tls || self.config.allow_plaintext_without_tls
    }

    fn offers(&self, f: impl Fn(&Capability<'static>) -> bool) -> bool {
        self.config.capabilities.iter().any(f)
    }

    /// The SASL mechanisms usable now.
    fn mechanisms(&self) -> Vec<Mechanism<'static>> {
        self.config
            .capabilities
            .iter()
            .flat_map(|c| {
                c.mechanisms()
                    .map(Mechanism::into_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|m| self.plaintext_ok() || !is_plain_mech(m))
            .collect()
    }

    /// The capabilities announced now (RFC 2449 §5: they may differ by state and after
    /// STLS).
    pub fn capabilities(&self) -> Vec<Capability<'static>> {
        let in_auth = matches!(self.state, State::Authorization { .. });
        let mut caps = Vec::new();
        for c in &self.config.capabilities {
            match c {
                Capability::Stls if self.tls || !in_auth => {}
                Capability::User if !self.plaintext_ok() => {}
                Capability::Sasl(_) => {
                    let names: Vec<String> = c
                        .mechanisms()
                        .filter(|m| self.plaintext_ok() || !is_plain_mech(m))
                        .map(|m| String::from(m.as_str()))
                        .collect();
                    if !names.is_empty() {
                        if let Ok(p) = Params::new(names.join(" ")) {
                            caps.push(Capability::Sasl(p.into_owned()));
                        }
                    }
                }
                other => caps.push(other.clone()),
            }
        }
        caps
    }

    /// Returns the next event the application must act on, answering by itself every
    /// command it can. `Ok(None)`: more input is needed.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if the previous event was not answered yet.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        if self.awaiting != Awaiting::Nothing {
            return Err(Error::BadSequence("answer the previous event first"));
        }
        self.password = None;
        loop {
            if matches!(self.state, State::Closed) {
                return Ok(None);
            }
            if self.discarding {
                let d = self.decoder.discard(self.input.as_slice());
                self.input.consume(d.consumed);
                if !d.done {
                    return Ok(None);
                }
                self.discarding = false;
            }
            if matches!(self.state, State::SaslApp) {
                match self.sasl_app_line() {
                    Ok(Some(kind)) => return Ok(Some(self.event(kind))),
                    Ok(None) | Err(Step::More) => continue,
                    Err(Step::NeedInput) => return Ok(None),
                    Err(Step::Event) => continue,
                }
            }
            if matches!(self.state, State::Sasl(_)) {
                match self.sasl_line()? {
                    Step::More => continue,
                    Step::NeedInput => return Ok(None),
                    Step::Event => return Ok(self.sasl_event()),
                }
            }
            let decoded = match self.decoder.decode(self.input.as_slice()) {
                Ok(d) => d,
                Err(e) => {
                    // RFC 2449 §4: over-long line. Answer, skip to its end, go on.
                    self.discarding = true;
                    self.bad_command(&e);
                    continue;
                }
            };
            let (parsed, consumed) = match decoded {
                Decoded::Complete { value, consumed } => (value.map(Command::into_owned), consumed),
                Decoded::Incomplete { .. } => return Ok(None),
            };
            match parsed {
                Err(e) => {
                    self.input.consume(consumed);
                    self.bad_command(&e);
                }
                Ok(cmd) => {
                    self.errors = 0;
                    self.input.consume(consumed);
                    if let Some(kind) = self.command(cmd)? {
                        return Ok(Some(self.event(kind)));
                    }
                }
            }
        }
    }

    fn bad_command(&mut self, e: &Error) {
        self.errors += 1;
        let text = match e {
            Error::LineTooLong { .. } => "line too long",
            Error::ArgumentTooLong { .. } => "argument too long",
            _ => "syntax error",
        };
        self.line(false, text);
        if self.errors >= self.config.max_errors {
            self.line(false, "too many errors, closing");
            self.state = State::Closed;
        }
    }

    fn event(&mut self, kind: EventKind) -> Event<'_> {
        match kind {
            EventKind::Pass => match &self.password {
                Some(p) => Event::Pass {
                    user: &self.user,
                    password: p.borrowed(),
                },
                // `command` always stores the password before reporting PASS.
                None => Event::Closed,
            },
            EventKind::Apop => Event::Apop { user: &self.user },
            EventKind::User => Event::User { name: &self.user },
            EventKind::AuthStart(mechanism, initial_response) => Event::AuthStart {
                mechanism,
                initial_response,
            },
            EventKind::AuthResponse(data) => Event::AuthResponse { data },
            EventKind::Retr(msg) => Event::Retr { msg },
            EventKind::Top(msg, lines) => Event::Top { msg, lines },
            EventKind::StartTls(discarded) => Event::StartTls { discarded },
            EventKind::Update(deleted) => Event::Update { deleted },
            EventKind::Closed => Event::Closed,
        }
    }

    /// Handles one command; returns the event to report, if any.
    fn command(&mut self, cmd: Command<'static>) -> Result<Option<EventKind>, Error> {
        let in_auth = matches!(self.state, State::Authorization { .. });
        match cmd {
            Command::Capa => {
                let text = self.config.capa_text.clone();
                self.line(true, &text);
                for c in self.capabilities() {
                    let mut v = Vec::new();
                    c.encode(&mut v);
                    self.output.extend_from_slice(&v);
                    self.output.extend_from_slice(b"\r\n");
                }
                self.output.extend_from_slice(b".\r\n");
            }
            Command::Noop => {
                if in_auth {
                    self.line(false, "not logged in");
                } else {
                    self.line(true, "");
                }
            }
            Command::Quit => {
                if let State::Transaction { deleted, .. } = &self.state {
                    let list = deleted
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| **d)
                        .filter_map(|(i, _)| u32::try_from(i + 1).ok().and_then(MessageNumber::new))
                        .collect();
                    self.awaiting = Awaiting::Update;
                    return Ok(Some(EventKind::Update(list)));
                }
                self.line(
                    true,
                    &format!("{} POP3 server signing off", self.config.name),
                );
                self.state = State::Closed;
                return Ok(Some(EventKind::Closed));
            }
            Command::Stls => {
                if !in_auth || !self.offers(|c| matches!(c, Capability::Stls)) {
                    self.line(false, "STLS not permitted now");
                } else if self.tls {
                    self.line(false, "Command not permitted when TLS active");
                } else if self.utf8 {
                    // RFC 6856 §2.1: no STLS after UTF8.
                    self.line(false, "STLS not permitted after UTF8");
                } else {
                    let text = self.config.stls_text.clone();
                    self.line(true, &text);
                    let discarded = self.input.clear();
                    self.discarded_plaintext += discarded;
                    self.awaiting = Awaiting::Tls;
                    return Ok(Some(EventKind::StartTls(discarded)));
                }
            }
            Command::Utf8 => {
                if !self.offers(|c| matches!(c, Capability::Utf8 { .. })) {
                    self.line(false, "UTF8 not supported");
                } else if !in_auth {
                    self.line(false, "UTF8 only in AUTHORIZATION state");
                } else {
                    self.utf8 = true;
                    self.line(true, "UTF8 enabled");
                }
            }
            Command::Lang(range) => self.lang(range.as_ref().map(|p| p.as_str())),
            Command::User(name) if in_auth => {
                if !self.offers(|c| matches!(c, Capability::User)) {
                    self.line(false, "USER not supported");
                } else if !self.plaintext_ok() {
                    self.err_code("AUTH", "USER/PASS not allowed without TLS");
                } else if !self.offers(|c| matches!(c, Capability::Utf8 { user: true }))
                    && !name.as_str().is_ascii()
                {
                    self.err_code("UTF8", "UTF-8 user names not accepted");
                } else if self.config.verify_user {
                    self.user = name.as_str().to_owned();
                    self.state = State::Authorization { user: None };
                    self.awaiting = Awaiting::User;
                    return Ok(Some(EventKind::User));
                } else {
                    self.user = name.as_str().to_owned();
                    self.user_accepted();
                }
            }
            Command::Pass(password) if in_auth => {
                let has_user = matches!(self.state, State::Authorization { user: Some(_) });
                if !has_user {
                    self.line(false, "USER first");
                } else if !self.plaintext_ok() {
                    self.err_code("AUTH", "USER/PASS not allowed without TLS");
                } else {
                    self.awaiting = Awaiting::Login;
                    if let State::Authorization { user: Some(u) } = &self.state {
                        self.user = u.clone();
                    }
                    self.password = Some(password);
                    return Ok(Some(EventKind::Pass));
                }
            }
            Command::Apop { name, digest } if in_auth => {
                if self.timestamp.is_none() {
                    self.line(false, "APOP not supported");
                } else {
                    self.user = name.as_str().to_owned();
                    self.awaiting = Awaiting::Apop { digest };
                    return Ok(Some(EventKind::Apop));
                }
            }
            Command::AuthList if in_auth => {
                self.line(true, "SASL mechanisms follow");
                for m in self.mechanisms() {
                    self.output.extend_from_slice(m.as_str().as_bytes());
                    self.output.extend_from_slice(b"\r\n");
                }
                self.output.extend_from_slice(b".\r\n");
            }
            Command::Auth {
                mechanism,
                initial_response,
            } if in_auth => return Ok(self.auth_start(&mechanism, initial_response)),
            Command::User(_)
            | Command::Pass(_)
            | Command::Apop { .. }
            | Command::Auth { .. }
            | Command::AuthList => {
                self.line(false, "already authenticated");
            }
            Command::Unknown(_) => self.line(false, "unknown command"),
            other if in_auth => {
                let _ = other;
                self.line(false, "not logged in");
            }
            other => return Ok(self.transaction(other)),
        }
        Ok(None)
    }

    fn lang(&mut self, range: Option<&str>) {
        if self.config.languages.is_empty() || !self.offers(|c| matches!(c, Capability::Lang)) {
            self.line(false, "LANG not supported");
            return;
        }
        match range {
            None => {
                self.line(true, "Language listing follows:");
                let langs = self.config.languages.clone();
                for (tag, desc) in langs {
                    if tag.starts_with('.') {
                        self.output.push(b'.');
                    }
                    put_text(&mut self.output, &tag.replace(' ', "-"));
                    if !desc.is_empty() {
                        self.output.push(b' ');
                        put_text(&mut self.output, &desc);
                    }
                    self.output.extend_from_slice(b"\r\n");
                }
                self.output.extend_from_slice(b".\r\n");
            }
            Some(r) => {
                let found = if r == "*" {
                    self.config.languages.first().map(|(t, _)| t.clone())
                } else {
                    self.config
                        .languages
                        .iter()
                        .find(|(t, _)| t.eq_ignore_ascii_case(r))
                        .map(|(t, _)| t.clone())
                };
                match found {
                    Some(tag) => self.line(true, &format!("{tag} language changed")),
                    None => self.line(false, &format!("invalid language {r}")),
                }
            }
        }
    }

    fn auth_start(
        &mut self,
        mechanism: &Mechanism<'_>,
        ir: Option<InitialResponse<'_>>,
    ) -> Option<EventKind> {
        let offered = self.mechanisms().iter().any(|m| m.is(mechanism));
        if !offered {
            self.line(false, "mechanism not supported");
            return None;
        }
        let decoded = match &ir {
            None => None,
            Some(InitialResponse::Empty) => Some(Vec::new()),
            Some(InitialResponse::Data(b)) => match b.decode() {
                Ok(d) => Some(d),
                Err(_) => {
                    self.line(false, "invalid base64");
                    return None;
                }
            },
        };
        let common = mail_common::sasl::Mechanism::parse(mechanism.as_str().as_bytes());
        let challenge = self.challenge.clone();
        let sasl = common.and_then(|c| SaslServer::new(c, &challenge).ok());
        let Some(mut sasl) = sasl else {
            // Offered, but not one `mail-common` runs: the application does.
            self.state = State::SaslApp;
            self.awaiting = Awaiting::SaslApp;
            return Some(EventKind::AuthStart(
                mechanism.clone().into_owned(),
                decoded,
            ));
        };
        match sasl.start(decoded.as_deref()) {
            Ok(step) => {
                self.state = State::Sasl(sasl);
                self.sasl_step(step);
            }
            Err(_) => self.err_code("AUTH", "authentication failed"),
        }
        None
    }

    /// Sends a challenge (raw bytes; the machine base64-encodes them) in an exchange the
    /// application runs ([`Event::AuthStart`], [`Event::AuthResponse`]).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no such exchange is waiting.
    pub fn sasl_challenge(&mut self, challenge: &[u8]) -> Result<(), Error> {
        self.answered(|a| matches!(a, Awaiting::SaslApp))?;
        self.awaiting = Awaiting::Nothing;
        let b = crate::types::Base64::encode(challenge);
        self.output.extend_from_slice(b"+ ");
        self.output.extend_from_slice(b.as_str().as_bytes());
        self.output.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Reads a client line of an exchange the application runs.
    fn sasl_app_line(&mut self) -> Result<Option<EventKind>, Step> {
        let decoded = match self.decoder.decode_auth(self.input.as_slice()) {
            Ok(d) => d,
            Err(e) => {
                self.discarding = true;
                self.state = State::Authorization { user: None };
                self.bad_command(&e);
                return Err(Step::More);
            }
        };
        let (line, consumed) = match decoded {
            Decoded::Complete { value, consumed } => (value.map(AuthLine::into_owned), consumed),
            Decoded::Incomplete { .. } => return Err(Step::NeedInput),
        };
        self.input.consume(consumed);
        let data = match line {
            Ok(AuthLine::Response(b)) => b.decode().map_err(|_| "invalid base64"),
            Ok(AuthLine::Cancel) => Err("authentication cancelled"),
            Err(_) => Err("invalid base64"),
        };
        match data {
            Ok(data) => {
                self.awaiting = Awaiting::SaslApp;
                Ok(Some(EventKind::AuthResponse(data)))
            }
            Err(text) => {
                self.state = State::Authorization { user: None };
                self.line(false, text);
                Err(Step::More)
            }
        }
    }

    /// Pending SASL credentials, set when an exchange completes.
    fn sasl_step(&mut self, step: ServerStep) {
        match step {
            ServerStep::Challenge(c) => {
                let b = crate::types::Base64::encode(&c);
                self.output.extend_from_slice(b"+ ");
                self.output.extend_from_slice(b.as_str().as_bytes());
                self.output.extend_from_slice(b"\r\n");
            }
            ServerStep::Done(creds) => {
                self.sasl_done = Some(creds);
            }
        }
    }

    fn sasl_line(&mut self) -> Result<Step, Error> {
        if self.sasl_done.is_some() {
            return Ok(Step::Event);
        }
        let decoded = match self.decoder.decode_auth(self.input.as_slice()) {
            Ok(d) => d,
            Err(e) => {
                self.discarding = true;
                self.state = State::Authorization { user: None };
                self.bad_command(&e);
                return Ok(Step::More);
            }
        };
        let (line, consumed) = match decoded {
            Decoded::Complete { value, consumed } => (value.map(AuthLine::into_owned), consumed),
            Decoded::Incomplete { .. } => return Ok(Step::NeedInput),
        };
        self.input.consume(consumed);
        let State::Sasl(sasl) = &mut self.state else {
            return Ok(Step::More);
        };
        let result = match line {
            Err(_) => Err("invalid base64"),
            Ok(AuthLine::Cancel) => Err("authentication cancelled"),
            Ok(AuthLine::Response(b)) => match b.decode() {
                Err(_) => Err("invalid base64"),
                Ok(data) => sasl.step(&data).map_err(|_| "authentication failed"),
            },
        };
        match result {
            Ok(step) => self.sasl_step(step),
            Err(text) => {
                self.state = State::Authorization { user: None };
                // RFC 5034 §4: a failed AUTH leaves the session as if it had not been sent.
                self.line(false, text);
            }
        }
        Ok(if self.sasl_done.is_some() {
            Step::Event
        } else {
            Step::More
        })
    }

    fn sasl_event(&mut self) -> Option<Event<'_>> {
        let credentials = self.sasl_done.take()?;
        self.state = State::Authorization { user: None };
        self.user = credentials
            .authzid()
            .or(credentials.authcid())
            .unwrap_or_default()
            .to_owned();
        self.awaiting = Awaiting::Login;
        Some(Event::Sasl { credentials })
    }

    fn transaction(&mut self, cmd: Command<'static>) -> Option<EventKind> {
        let State::Transaction { messages, deleted } = &mut self.state else {
            return None;
        };
        let live = |n: MessageNumber| -> Option<usize> {
            let i = usize::try_from(n.get()).ok()?.checked_sub(1)?;
            (i < messages.len() && !deleted.get(i).copied().unwrap_or(true)).then_some(i)
        };
        let mut out = Vec::new();
        let mut ev = None;
        let mut put = |ok: bool, text: &str| {
            out.extend_from_slice(if ok { b"+OK" } else { b"-ERR" });
            if !text.is_empty() {
                out.push(b' ');
                out.extend_from_slice(text.as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        };
        let totals = |messages: &[MessageInfo], deleted: &[bool]| {
            messages
                .iter()
                .zip(deleted)
                .filter(|(_, d)| !**d)
                .fold((0u32, 0u64), |(c, s), (m, _)| (c + 1, s + m.size))
        };
        match cmd {
            Command::Stat => {
                let (c, s) = totals(messages, deleted);
                put(true, &format!("{c} {s}"));
            }
            Command::List(None) | Command::Uidl(None) => {
                let uidl = matches!(cmd, Command::Uidl(_));
                let (c, s) = totals(messages, deleted);
                if uidl {
                    put(true, "");
                } else {
                    put(true, &format!("{c} messages ({s} octets)"));
                }
                for (i, (m, d)) in messages.iter().zip(deleted.iter()).enumerate() {
                    if *d {
                        continue;
                    }
                    let line = if uidl {
                        format!("{} {}\r\n", i + 1, m.uid.as_str())
                    } else {
                        format!("{} {}\r\n", i + 1, m.size)
                    };
                    out.extend_from_slice(line.as_bytes());
                }
                out.extend_from_slice(b".\r\n");
            }
            Command::List(Some(n)) | Command::Uidl(Some(n)) => {
                let uidl = matches!(cmd, Command::Uidl(_));
                match live(n).and_then(|i| messages.get(i)) {
                    Some(m) if uidl => put(true, &format!("{n} {}", m.uid.as_str())),
                    Some(m) => put(true, &format!("{n} {}", m.size)),
                    None => put(
                        false,
                        &format!(
                            "no such message, only {} messages in maildrop",
                            totals(messages, deleted).0
                        ),
                    ),
                }
            }
            Command::Retr(n) | Command::Top { msg: n, .. } => match live(n) {
                Some(i) => {
                    let size = messages.get(i).map_or(0, |m| m.size);
                    ev = Some(match cmd {
                        Command::Top { lines, .. } => {
                            self.awaiting = Awaiting::Message {
                                top: Some(lines),
                                size,
                            };
                            EventKind::Top(n, lines)
                        }
                        _ => {
                            self.awaiting = Awaiting::Message { top: None, size };
                            EventKind::Retr(n)
                        }
                    });
                }
                None => put(false, "no such message"),
            },
            Command::Dele(n) => match live(n) {
                Some(i) => {
                    if let Some(d) = deleted.get_mut(i) {
                        *d = true;
                    }
                    put(true, &format!("message {n} deleted"));
                }
                None => {
                    let already = usize::try_from(n.get())
                        .ok()
                        .and_then(|v| v.checked_sub(1))
                        .and_then(|i| deleted.get(i))
                        .copied()
                        .unwrap_or(false);
                    if already {
                        put(false, &format!("message {n} already deleted"));
                    } else {
                        put(false, "no such message");
                    }
                }
            },
            Command::Rset => {
                deleted.iter_mut().for_each(|d| *d = false);
                let (c, s) = totals(messages, deleted);
                put(true, &format!("maildrop has {c} messages ({s} octets)"));
            }
            _ => put(false, "command not valid in this state"),
        }
        self.output.extend_from_slice(&out);
        ev
    }

    fn answered(&mut self, expected: fn(&Awaiting) -> bool) -> Result<(), Error> {
        if !expected(&self.awaiting) {
            return Err(Error::BadSequence("no such event is waiting for an answer"));
        }
        Ok(())
    }

    /// Accepts a login (after [`Event::Pass`], [`Event::Sasl`], or a successful
    /// [`accept_apop`](Self::accept_apop)): the maildrop is locked and listed; the
    /// session enters TRANSACTION (RFC 1939 §4).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no login is waiting.
    pub fn accept_login(&mut self, maildrop: Vec<MessageInfo>) -> Result<(), Error> {
        let size: u64 = maildrop.iter().map(|m| m.size).sum();
        let plural = if maildrop.len() == 1 { "" } else { "s" };
        let text = format!(
            "{}'s maildrop has {} message{plural} ({} octets)",
            self.user,
            maildrop.len(),
            size
        );
        self.accept_login_with_text(maildrop, &text)
    }

    /// As [`accept_login`](Self::accept_login), with the text of the `+OK` given.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no login is waiting.
    pub fn accept_login_with_text(
        &mut self,
        maildrop: Vec<MessageInfo>,
        text: &str,
    ) -> Result<(), Error> {
        self.answered(|a| {
            matches!(
                a,
                Awaiting::Login | Awaiting::Apop { .. } | Awaiting::SaslApp
            )
        })?;
        self.awaiting = Awaiting::Nothing;
        self.line(true, text);
        self.state = State::Transaction {
            deleted: alloc::vec![false; maildrop.len()],
            messages: maildrop,
        };
        Ok(())
    }

    /// Answers [`Event::Apop`]: checks the digest against the timestamp and the user's
    /// shared `secret` (via [`mail_common::apop::verify_apop`], constant time). If it
    /// matches, the login is accepted with `maildrop` and `true` is returned; otherwise
    /// `-ERR [AUTH]` is sent.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no APOP is waiting.
    pub fn accept_apop(
        &mut self,
        secret: &[u8],
        maildrop: Vec<MessageInfo>,
    ) -> Result<bool, Error> {
        let Awaiting::Apop { digest } = self.awaiting else {
            return Err(Error::BadSequence("no APOP is waiting"));
        };
        let ts = self.timestamp.clone().unwrap_or_default();
        if mail_common::apop::verify_apop(ts.as_bytes(), secret, digest.as_bytes()) {
            self.accept_login(maildrop)?;
            Ok(true)
        } else {
            self.awaiting = Awaiting::Nothing;
            self.user.clear();
            self.err_code("AUTH", "authentication failed");
            Ok(false)
        }
    }

    /// Checks the digest of a waiting [`Event::Apop`] against the timestamp and the user's
    /// shared `secret` (constant time, [`mail_common::apop::verify_apop`]) without answering.
    ///
    /// This lets a server verify the client before it locks the maildrop (RFC 1939 §8: a
    /// server must not reveal that a maildrop is in use to an unauthenticated peer): on
    /// `true` call [`accept_login`](Self::accept_login) (or
    /// [`reject_login`](Self::reject_login) with `[IN-USE]`), on `false`
    /// [`reject_login`](Self::reject_login) with `[AUTH]`.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no APOP is waiting.
    pub fn check_apop(&self, secret: &[u8]) -> Result<bool, Error> {
        let Awaiting::Apop { digest } = &self.awaiting else {
            return Err(Error::BadSequence("no APOP is waiting"));
        };
        let ts = self.timestamp.as_deref().unwrap_or_default();
        Ok(mail_common::apop::verify_apop(
            ts.as_bytes(),
            secret,
            digest.as_bytes(),
        ))
    }

    fn user_accepted(&mut self) {
        let text = format!("{} {}", self.user, self.config.user_text);
        self.line(true, &text);
        self.state = State::Authorization {
            user: Some(self.user.clone()),
        };
    }

    /// Answers [`Event::User`]: the name exists, PASS may follow.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no USER is waiting.
    pub fn accept_user(&mut self) -> Result<(), Error> {
        self.answered(|a| matches!(a, Awaiting::User))?;
        self.awaiting = Awaiting::Nothing;
        self.user_accepted();
        Ok(())
    }

    /// Answers [`Event::User`] with `-ERR` (RFC 1939 §7: "sorry, no mailbox for frated
    /// here").
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no USER is waiting.
    pub fn reject_user(&mut self, code: Option<&str>, text: &str) -> Result<(), Error> {
        self.answered(|a| matches!(a, Awaiting::User))?;
        self.awaiting = Awaiting::Nothing;
        self.user.clear();
        match code {
            Some(c) => self.err_code(c, text),
            None => self.line(false, text),
        }
        Ok(())
    }

    /// Refuses a login (after [`Event::Pass`], [`Event::Apop`] or [`Event::Sasl`]), with
    /// an optional response code (`IN-USE`, `LOGIN-DELAY`, `SYS/TEMP`, `AUTH`, ...).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no login is waiting.
    pub fn reject_login(&mut self, code: Option<&str>, text: &str) -> Result<(), Error> {
        self.answered(|a| {
            matches!(
                a,
                Awaiting::Login | Awaiting::Apop { .. } | Awaiting::SaslApp
            )
        })?;
        self.awaiting = Awaiting::Nothing;
        self.state = State::Authorization { user: None };
        self.user.clear();
        match code {
            Some(c) => self.err_code(c, text),
            None => self.line(false, text),
        }
        Ok(())
    }

    /// Answers [`Event::Retr`] or [`Event::Top`] with the whole message (lines ending
    /// with CRLF). The machine dot-stuffs it and, for TOP, cuts it after the headers and
    /// the requested number of body lines. Same as [`message_chunk`](Self::message_chunk)
    /// then [`message_end`](Self::message_end).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no message is waiting.
    pub fn send_message(&mut self, message: &[u8]) -> Result<(), Error> {
        self.message_chunk(message)?;
        self.message_end()
    }

    /// Answers [`Event::Retr`] or [`Event::Top`] with the message in pieces of any size,
    /// so that a large message never has to be in memory at once. End with
    /// [`message_end`](Self::message_end).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no message is waiting.
    pub fn message_chunk(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.start_message()?;
        if let Some((stuffer, cut)) = &mut self.streaming {
            let keep = match cut {
                Some(cut) => cut.take(chunk),
                None => chunk.len(),
            };
            stuffer.encode(chunk.get(..keep).unwrap_or(chunk), &mut self.output);
        }
        Ok(())
    }

    /// Ends the message started with [`message_chunk`](Self::message_chunk) (or sends an
    /// empty one): the final CRLF if needed and the `.` line.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no message is waiting.
    pub fn message_end(&mut self) -> Result<(), Error> {
        self.start_message()?;
        if let Some((mut stuffer, _)) = self.streaming.take() {
            stuffer.finish(&mut self.output);
        }
        self.awaiting = Awaiting::Nothing;
        Ok(())
    }

    fn start_message(&mut self) -> Result<(), Error> {
        match self.awaiting {
            Awaiting::Streaming => Ok(()),
            Awaiting::Message { top, size } => {
                let text = match top {
                    Some(_) => String::new(),
                    None => format!("{size} octets"),
                };
                self.line(true, &text);
                self.streaming = Some((DotStuffer::new(), top.map(TopCut::new)));
                self.awaiting = Awaiting::Streaming;
                Ok(())
            }
            _ => Err(Error::BadSequence("no RETR or TOP is waiting")),
        }
    }

    /// Answers [`Event::Retr`] or [`Event::Top`] with `-ERR` (the message could not be
    /// read; with a code such as `SYS/TEMP` or `UTF8`).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no message is waiting.
    pub fn reject(&mut self, code: Option<&str>, text: &str) -> Result<(), Error> {
        self.answered(|a| matches!(a, Awaiting::Message { .. }))?;
        self.awaiting = Awaiting::Nothing;
        match code {
            Some(c) => self.err_code(c, text),
            None => self.line(false, text),
        }
        Ok(())
    }

    /// Answers [`Event::StartTls`] once the TLS handshake succeeded: the session goes on
    /// in AUTHORIZATION, knowing nothing from before (RFC 2595 §4).
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no STLS is waiting.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.answered(|a| matches!(a, Awaiting::Tls))?;
        self.awaiting = Awaiting::Nothing;
        self.tls = true;
        self.state = State::Authorization { user: None };
        self.decoder = CommandDecoder::new(self.config.limits);
        Ok(())
    }

    /// Answers [`Event::Update`]: `removed` says whether every marked message was removed
    /// (RFC 1939 §6: otherwise `-ERR some deleted messages not removed`). The session ends.
    ///
    /// # Errors
    /// [`Error::BadSequence`] if no update is waiting.
    pub fn update_done(&mut self, removed: bool) -> Result<(), Error> {
        self.answered(|a| matches!(a, Awaiting::Update))?;
        self.awaiting = Awaiting::Nothing;
        let left = match &self.state {
            State::Transaction { deleted, .. } => deleted.iter().filter(|d| !**d).count(),
            _ => 0,
        };
        if removed {
            let text = if left == 0 {
                format!(
                    "{} POP3 server signing off (maildrop empty)",
                    self.config.name
                )
            } else {
                format!(
                    "{} POP3 server signing off ({left} messages left)",
                    self.config.name
                )
            };
            self.line(true, &text);
        } else {
            self.line(false, "some deleted messages not removed");
        }
        self.state = State::Closed;
        Ok(())
    }
}

/// Writes response text supplied by the application or the configuration: a CR, LF or
/// NUL in it would end the line early and let the rest be read as another response, so
/// each becomes a space.
fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend(text.bytes().map(|b| {
        if matches!(b, b'\r' | b'\n' | 0) {
            b' '
        } else {
            b
        }
    }));
}

/// RFC 1939 §7 TOP over a message that arrives in pieces: how much of each piece to send
/// (the headers, the blank line, then `lines` lines of the body), as [`top_slice`] does
/// for a whole message.
#[derive(Debug, Clone, Copy)]
struct TopCut {
    in_body: bool,
    since_lf: usize,
    last_cr: bool,
    lines_left: u32,
    done: bool,
}

impl TopCut {
    fn new(lines: u32) -> Self {
        TopCut {
            in_body: false,
            since_lf: 0,
            last_cr: false,
            lines_left: lines,
            done: false,
        }
    }

    /// How many octets at the front of `chunk` belong to the output.
    fn take(&mut self, chunk: &[u8]) -> usize {
        if self.done {
            return 0;
        }
        let mut pos = 0;
        while let Some(rel) = chunk.get(pos..).and_then(|r| memchr::memchr(b'\n', r)) {
            let lf = pos + rel;
            let len = self.since_lf + rel;
            let cr = if rel > 0 {
                chunk.get(lf - 1) == Some(&b'\r')
            } else {
                self.last_cr
            };
            let empty = len == 0 || (len == 1 && cr);
            self.since_lf = 0;
            self.last_cr = false;
            pos = lf + 1;
            if !self.in_body {
                if empty {
                    self.in_body = true;
                    if self.lines_left == 0 {
                        self.done = true;
                        return pos;
                    }
                }
            } else {
                self.lines_left = self.lines_left.saturating_sub(1);
                if self.lines_left == 0 {
                    self.done = true;
                    return pos;
                }
            }
        }
        let rest = chunk.get(pos..).unwrap_or_default();
        if !rest.is_empty() {
            self.since_lf += rest.len();
            self.last_cr = rest.last() == Some(&b'\r');
        }
        chunk.len()
    }
}

/// RFC 1939 §7 TOP: the headers, the blank line, then `lines` lines of the body.
pub fn top_slice(message: &[u8], lines: u32) -> &[u8] {
    // The end of the headers: the first empty line.
    let mut pos = 0;
    let body_start = loop {
        let Some(rel) = message.get(pos..).and_then(|r| memchr::memchr(b'\n', r)) else {
            return message;
        };
        let line = message.get(pos..pos + rel).unwrap_or_default();
        pos += rel + 1;
        if line.is_empty() || line == b"\r" {
            break pos;
        }
    };
    let mut end = body_start;
    for _ in 0..lines {
        match message.get(end..).and_then(|r| memchr::memchr(b'\n', r)) {
            Some(rel) => end += rel + 1,
            None => return message,
        }
    }
    message.get(..end).unwrap_or(message)
}

enum Step {
    More,
    NeedInput,
    Event,
}

#[derive(Debug)]
enum EventKind {
    User,
    AuthStart(Mechanism<'static>, Option<Vec<u8>>),
    AuthResponse(Vec<u8>),
    Pass,
    Apop,
    Retr(MessageNumber),
    Top(MessageNumber, u32),
    StartTls(usize),
    Update(Vec<MessageNumber>),
    Closed,
}
