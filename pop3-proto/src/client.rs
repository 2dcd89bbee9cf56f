//! The client session machine: greeting and APOP timestamp (RFC 1939 §§4, 7), CAPA
//! (RFC 2449), STLS (RFC 2595 §4), the choice of login method by capability and policy
//! (APOP, AUTH with SASL per RFC 5034, USER/PASS), then STAT / LIST / UIDL / RETR / TOP /
//! DELE with typed results.
//!
//! Sans-IO. Call order:
//!
//! 1. [`Client::new`]; [`receive`](Client::receive) the server's bytes; loop on
//!    [`next_event`](Client::next_event) until it returns `None`; write
//!    [`transmit`](Client::transmit) and call [`consumed`](Client::consumed).
//! 2. After [`ClientEvent::Greeting`], call [`login`](Client::login): the machine sends
//!    CAPA, upgrades with STLS when offered ([`ClientEvent::StartTls`]: do the handshake,
//!    then [`tls_established`](Client::tls_established)), and picks the login method.
//!    It ends with [`ClientEvent::LoggedIn`] or [`ClientEvent::LoginFailed`].
//! 3. Send commands with [`stat`](Client::stat), [`uidl`](Client::uidl),
//!    [`retr`](Client::retr), ... Several may be queued at once (RFC 2449 §6.6
//!    PIPELINING): the machine matches responses to commands in order, and knows which
//!    responses are multi-line.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use mail_common::buffer::InputBuffer;
use mail_common::decode::Decoded;
use mail_common::sasl::{SaslClient, Secret};

use crate::error::Error;
use crate::parse::{ResponseDecoder, ResponseEvent, ResponseLimits};
use crate::types::{
    ApopDigest, AuthLine, Base64, Capability, Command, InitialResponse, Mechanism, MessageNumber,
    Param, Password, ResponseKind, ScanListing, Stat, StatusLine, UniqueIdListing,
};

/// Client policy and limits.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Send credentials that travel in the clear (USER/PASS, SASL PLAIN) over an
    /// unencrypted transport. Off by default (RFC 2595 §2.4, RFC 8314 §5).
    pub allow_plaintext_without_tls: bool,
    /// Upgrade with STLS when the server offers it.
    pub use_stls: bool,
    /// Fail the login when the transport is not encrypted and STLS is not offered.
    pub require_tls: bool,
    /// Use APOP when the greeting has a timestamp.
    pub use_apop: bool,
    /// Ask CAPA before choosing a login method (without it, the client assumes USER/PASS
    /// and APOP only).
    pub capa: bool,
    /// Send the SASL initial response with AUTH when the mechanism has one (RFC 5034 §4).
    pub sasl_initial_response: bool,
    /// The authorization identity for SASL PLAIN, if different from the user.
    pub authzid: Option<String>,
    /// Response limits.
    pub limits: ResponseLimits,
    /// Most entries accepted in one LIST or UIDL listing.
    pub max_listing: usize,
    /// The login methods to try, in order of preference: [`Client::login`] uses the first
    /// one the server offers and the plaintext policy allows. SASL mechanisms the client
    /// runs itself are CRAM-MD5, PLAIN and LOGIN. The default,
    /// [`DEFAULT_LOGIN_METHODS`], prefers methods that send no reusable password.
    pub methods: Vec<LoginMethod>,
}

/// The default login preference: CRAM-MD5, APOP (digests only), then AUTH PLAIN, AUTH
/// LOGIN and USER/PASS (only over TLS or when plaintext is allowed).
pub const DEFAULT_LOGIN_METHODS: [LoginMethod; 5] = [
    LoginMethod::Sasl(Mechanism::CRAM_MD5),
    LoginMethod::Apop,
    LoginMethod::Sasl(Mechanism::PLAIN),
    LoginMethod::Sasl(Mechanism::LOGIN),
    LoginMethod::UserPass,
];

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            allow_plaintext_without_tls: false,
            use_stls: true,
            require_tls: false,
            use_apop: true,
            capa: true,
            sasl_initial_response: true,
            authzid: None,
            limits: ResponseLimits::default(),
            max_listing: 1_000_000,
            methods: DEFAULT_LOGIN_METHODS.to_vec(),
        }
    }
}

/// Which method [`Client::login`] chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginMethod {
    /// APOP (RFC 1939 §7).
    Apop,
    /// AUTH with this SASL mechanism (RFC 5034).
    Sasl(Mechanism<'static>),
    /// USER and PASS (RFC 1939 §7).
    UserPass,
}

/// What happened. Events borrow from the client's buffer; message content comes in
/// chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// The greeting (its APOP timestamp, if any, is [`Client::timestamp`]).
    Greeting(StatusLine<'a>),
    /// A CAPA response (also after [`Client::capa`]).
    Capabilities(Vec<Capability<'static>>),
    /// STLS accepted: start TLS now, then call [`Client::tls_established`].
    StartTls,
    /// Login succeeded; the session is in TRANSACTION.
    LoggedIn(LoginMethod),
    /// Login failed (the server's answer); the session stays in AUTHORIZATION.
    LoginFailed(StatusLine<'a>),
    /// No login was attempted: no method is acceptable to both sides, or only methods
    /// that would send the password in the clear over an unencrypted transport
    /// ([`Error::PlaintextRefused`]).
    LoginImpossible(Error),
    /// `+OK` to a command without typed data (DELE, RSET, NOOP, QUIT, UTF8, LANG ...).
    Ok {
        /// The command's keyword.
        command: &'static str,
        /// The status line.
        status: StatusLine<'a>,
    },
    /// `-ERR` to a command.
    Err {
        /// The command's keyword.
        command: &'static str,
        /// The status line (with its response code, if any).
        status: StatusLine<'a>,
    },
    /// The answer to STAT.
    Stat(Stat),
    /// The answer to `LIST msg`.
    ScanListing(ScanListing),
    /// The answer to `UIDL msg`.
    UniqueIdListing(UniqueIdListing<'a>),
    /// The answer to `LIST`.
    ScanList(Vec<ScanListing>),
    /// The answer to `UIDL`.
    UniqueIdList(Vec<UniqueIdListing<'static>>),
    /// `+OK` to RETR or TOP: content follows.
    MessageStart(MessageNumber),
    /// A chunk of message content, un-stuffed.
    MessageData(&'a [u8]),
    /// The end of the message.
    MessageEnd(MessageNumber),
    /// An SASL challenge (decoded) to an AUTH sent with [`Client::command`]: answer with
    /// [`Client::auth_line`]. (During [`Client::login`] the machine answers by itself.)
    Challenge(Vec<u8>),
}

#[derive(Debug, Clone)]
enum Purpose {
    Greeting,
    User(&'static str),
    Message(MessageNumber),
    Capa { login: bool },
    Stls,
    LoginUser,
    LoginPass,
    LoginApop,
    LoginSasl,
    Quit,
}

#[derive(Debug)]
struct Pending {
    kind: ResponseKind,
    purpose: Purpose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Greeting,
    Authorization,
    Transaction,
    Closed,
}

#[derive(Debug)]
struct Login {
    user: String,
    password: Secret,
}

/// The client session. See the [module docs](self) for the call order.
#[derive(Debug)]
#[must_use]
pub struct Client {
    config: ClientConfig,
    state: State,
    tls: bool,
    input: InputBuffer,
    pending_consume: usize,
    output: Vec<u8>,
    pending: VecDeque<Pending>,
    decoder: Option<ResponseDecoder>,
    capabilities: Option<Vec<Capability<'static>>>,
    capa_failed: bool,
    timestamp: Option<String>,
    login: Option<Login>,
    sasl: Option<SaslClient>,
    method: Option<LoginMethod>,
    collecting_caps: Vec<Capability<'static>>,
    collecting_scan: Vec<ScanListing>,
    collecting_uid: Vec<UniqueIdListing<'static>>,
    first_status: Option<StatusLine<'static>>,
    stls_refused: bool,
    error: Option<Error>,
}

impl Client {
    /// A client for a new connection; `tls` says whether it is already encrypted
    /// (implicit TLS, port 995).
    pub fn new(config: ClientConfig, tls: bool) -> Self {
        let mut pending = VecDeque::new();
        pending.push_back(Pending {
            kind: ResponseKind::Greeting,
            purpose: Purpose::Greeting,
        });
        Client {
            config,
            state: State::Greeting,
            tls,
            input: InputBuffer::new(),
            pending_consume: 0,
            output: Vec::new(),
            pending,
            decoder: None,
            capabilities: None,
            capa_failed: false,
            timestamp: None,
            login: None,
            sasl: None,
            method: None,
            collecting_caps: Vec::new(),
            collecting_scan: Vec::new(),
            collecting_uid: Vec::new(),
            first_status: None,
            stls_refused: false,
            error: None,
        }
    }

    /// Feeds bytes received from the server.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// Bytes to send to the server.
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

    /// The greeting's APOP timestamp, if any.
    pub fn timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// The capabilities from the last CAPA (forgotten at STLS, RFC 2595 §4).
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.capabilities.as_deref()
    }

    /// Whether the session is in TRANSACTION.
    pub fn is_logged_in(&self) -> bool {
        self.state == State::Transaction
    }

    /// Whether the transport is encrypted.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Commands sent and not yet answered.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }

    fn check(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None if self.state == State::Closed => Err(Error::Closed),
            None => Ok(()),
        }
    }

    fn send(&mut self, cmd: &Command<'_>, purpose: Purpose) {
        cmd.encode(&mut self.output);
        self.pending.push_back(Pending {
            kind: cmd.response_kind(),
            purpose,
        });
    }

    /// Sends any command (low level: the machine tracks its response framing).
    ///
    /// # Errors
    /// [`Error::Closed`] after the session ended, or the sticky error.
    pub fn command(&mut self, cmd: &Command<'_>) -> Result<(), Error> {
        self.check()?;
        let purpose = match cmd {
            Command::Retr(n) | Command::Top { msg: n, .. } => Purpose::Message(*n),
            Command::Quit => Purpose::Quit,
            Command::Capa => Purpose::Capa { login: false },
            Command::Stls => Purpose::Stls,
            other => Purpose::User(static_keyword(other)),
        };
        self.send(cmd, purpose);
        Ok(())
    }

    /// Answers a [`ClientEvent::Challenge`] (base64 response or `*` to cancel).
    ///
    /// # Errors
    /// The sticky error, if any.
    pub fn auth_line(&mut self, line: &AuthLine<'_>) -> Result<(), Error> {
        self.check()?;
        line.encode(&mut self.output);
        Ok(())
    }

    fn transaction(&mut self, cmd: &Command<'_>) -> Result<(), Error> {
        self.check()?;
        if self.state != State::Transaction {
            return Err(Error::BadSequence("not logged in"));
        }
        self.command(cmd)
    }

    /// CAPA (RFC 2449 §5).
    ///
    /// # Errors
    /// [`Error::Closed`] after the session ended.
    pub fn capa(&mut self) -> Result<(), Error> {
        self.command(&Command::Capa)
    }

    /// STAT.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn stat(&mut self) -> Result<(), Error> {
        self.transaction(&Command::Stat)
    }

    /// LIST or `LIST msg`.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn list(&mut self, msg: Option<MessageNumber>) -> Result<(), Error> {
        self.transaction(&Command::List(msg))
    }

    /// UIDL or `UIDL msg`.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn uidl(&mut self, msg: Option<MessageNumber>) -> Result<(), Error> {
        self.transaction(&Command::Uidl(msg))
    }

    /// RETR.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn retr(&mut self, msg: MessageNumber) -> Result<(), Error> {
        self.transaction(&Command::Retr(msg))
    }

    /// TOP.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn top(&mut self, msg: MessageNumber, lines: u32) -> Result<(), Error> {
        self.transaction(&Command::Top { msg, lines })
    }

    /// DELE.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn dele(&mut self, msg: MessageNumber) -> Result<(), Error> {
        self.transaction(&Command::Dele(msg))
    }

    /// RSET.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn rset(&mut self) -> Result<(), Error> {
        self.transaction(&Command::Rset)
    }

    /// NOOP.
    ///
    /// # Errors
    /// [`Error::BadSequence`] before login.
    pub fn noop(&mut self) -> Result<(), Error> {
        self.transaction(&Command::Noop)
    }

    /// QUIT (in TRANSACTION, the server then deletes the marked messages).
    ///
    /// # Errors
    /// [`Error::Closed`] after the session ended.
    pub fn quit(&mut self) -> Result<(), Error> {
        self.command(&Command::Quit)
    }

    /// Starts logging in with `user` and `password`: CAPA if needed, STLS if offered and
    /// wanted, then the first method of [`ClientConfig::methods`] that the server offers
    /// and the policy allows (by default CRAM-MD5, then APOP, then, only over TLS or if
    /// plaintext is allowed, SASL PLAIN, SASL LOGIN, USER/PASS).
    ///
    /// # Errors
    /// [`Error::BadSequence`] before the greeting or after login.
    pub fn login(&mut self, user: &str, password: &str) -> Result<(), Error> {
        self.check()?;
        if self.state != State::Authorization {
            return Err(Error::BadSequence(
                "login needs the greeting, and no login yet",
            ));
        }
        self.login = Some(Login {
            user: String::from(user),
            password: Secret::new(password),
        });
        self.login_next()
    }

    fn plaintext_ok(&self) -> bool {
        self.tls || self.config.allow_plaintext_without_tls
    }

    fn has(&self, f: impl Fn(&Capability<'_>) -> bool) -> bool {
        self.capabilities.as_ref().is_some_and(|c| c.iter().any(f))
    }

    fn sasl_offers(&self, m: &Mechanism<'_>) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.iter().any(|c| c.mechanisms().any(|x| x.is(m))))
    }

    /// The next step of the login, given what is known.
    fn login_next(&mut self) -> Result<(), Error> {
        if self.config.capa && self.capabilities.is_none() && !self.capa_failed {
            self.send(&Command::Capa, Purpose::Capa { login: true });
            return Ok(());
        }
        if !self.tls
            && !self.stls_refused
            && self.config.use_stls
            && self.has(|c| matches!(c, Capability::Stls))
        {
            self.send(&Command::Stls, Purpose::Stls);
            return Ok(());
        }
        if !self.tls && self.config.require_tls {
            self.login = None;
            return Err(Error::PlaintextRefused);
        }
        let Some(login) = &self.login else {
            return Err(Error::BadSequence("no login in progress"));
        };
        let (user, password) = (login.user.clone(), String::from(login.password.expose()));
        let user_offered =
            self.has(|c| matches!(c, Capability::User)) || self.capa_failed || !self.config.capa;
        let mut plaintext_refused = false;
        let methods = core::mem::take(&mut self.config.methods);
        let chosen = methods.iter().find(|method| {
            let (offered, plaintext) = match method {
                LoginMethod::Apop => (self.config.use_apop && self.timestamp.is_some(), false),
                LoginMethod::UserPass => (user_offered, true),
                LoginMethod::Sasl(m) => (
                    self.sasl_offers(m)
                        && [Mechanism::CRAM_MD5, Mechanism::PLAIN, Mechanism::LOGIN]
                            .iter()
                            .any(|known| m.is(known)),
                    m.is_plaintext(),
                ),
            };
            if offered && plaintext && !self.plaintext_ok() {
                plaintext_refused = true;
                return false;
            }
            offered
        });
        let chosen = chosen.cloned();
        self.config.methods = methods;
        match chosen {
            None => {
                self.login = None;
                Err(if plaintext_refused {
                    Error::PlaintextRefused
                } else {
                    Error::NoAuthMethod
                })
            }
            Some(method) => self.start_login(method, &user, &password),
        }
    }

    /// Sends the first command of the chosen login method.
    fn start_login(
        &mut self,
        method: LoginMethod,
        user: &str,
        password: &str,
    ) -> Result<(), Error> {
        match &method {
            LoginMethod::Apop => {
                let ts = self.timestamp.clone().unwrap_or_default();
                let digest = mail_common::apop::apop_digest(ts.as_bytes(), password.as_bytes());
                let name = Param::new(String::from(user))?;
                let digest = ApopDigest::new(&digest)?;
                self.send(&Command::Apop { name, digest }, Purpose::LoginApop);
            }
            LoginMethod::UserPass => {
                self.send(
                    &Command::User(Param::new(String::from(user))?),
                    Purpose::LoginUser,
                );
            }
            LoginMethod::Sasl(m) if m.is(&Mechanism::PLAIN) => {
                let authzid = self.config.authzid.clone();
                let make = || SaslClient::plain(authzid.as_deref(), user, password);
                let mut sasl = make();
                let ir = sasl.initial_response().unwrap_or_default();
                let initial_response = InitialResponse::encode(&ir);
                // RFC 5034 §4: the initial response must keep the command within 255 octets.
                let fits = self.config.sasl_initial_response
                    && 11 + initial_response_len(&initial_response) + 2 <= 255;
                self.sasl = Some(if fits { sasl } else { make() });
                self.send(
                    &Command::Auth {
                        mechanism: Mechanism::PLAIN,
                        initial_response: fits.then_some(initial_response),
                    },
                    Purpose::LoginSasl,
                );
            }
            LoginMethod::Sasl(m) => {
                // CRAM-MD5 and LOGIN have no initial response: the server speaks first.
                self.sasl = Some(if m.is(&Mechanism::LOGIN) {
                    SaslClient::login(user, password)
                } else {
                    SaslClient::cram_md5(user, password)
                });
                self.send(
                    &Command::Auth {
                        mechanism: m.clone(),
                        initial_response: None,
                    },
                    Purpose::LoginSasl,
                );
            }
        }
        self.method = Some(method);
        Ok(())
    }

    /// Call after the TLS handshake that followed [`ClientEvent::StartTls`]: cached
    /// capabilities are forgotten and CAPA is sent again (RFC 2595 §4); bytes received in
    /// the clear after the `+OK` are dropped.
    ///
    /// # Errors
    /// The sticky error, if any.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.check()?;
        self.tls = true;
        self.capabilities = None;
        self.capa_failed = false;
        self.input.clear();
        self.pending_consume = 0;
        if self.login.is_some() {
            self.login_next()?;
        }
        Ok(())
    }

    fn fail(&mut self, e: Error) -> Error {
        self.error = Some(e.clone());
        e
    }

    /// The next event. `Ok(None)`: more input is needed.
    ///
    /// # Errors
    /// Errors are sticky: a response that breaks the protocol ends the session, and every
    /// later call returns the same error.
    pub fn next_event(&mut self) -> Result<Option<ClientEvent<'_>>, Error> {
        self.check_error()?;
        self.input
            .consume(core::mem::take(&mut self.pending_consume));
        loop {
            let outcome = match self.step() {
                Ok(o) => o,
                Err(e) => return Err(self.fail(e)),
            };
            match outcome {
                Outcome::NeedInput => return Ok(None),
                Outcome::Continue(n) => self.input.consume(n),
                Outcome::Event(ev, n) => {
                    self.pending_consume = n;
                    return Ok(Some(ev));
                }
                Outcome::Data(start, end, n) => {
                    self.pending_consume = n;
                    let data = self.input.as_slice().get(start..end).unwrap_or_default();
                    return Ok(Some(ClientEvent::MessageData(data)));
                }
            }
        }
    }

    fn check_error(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn step(&mut self) -> Result<Outcome, Error> {
        let Some(front) = self.pending.front() else {
            if !self.input.is_empty() && self.state != State::Closed {
                return Err(Error::Protocol("response without a command"));
            }
            return Ok(Outcome::NeedInput);
        };
        let kind = front.kind;
        let purpose = front.purpose.clone();
        let limits = self.config.limits;
        let dec = self
            .decoder
            .get_or_insert_with(|| ResponseDecoder::new(kind, limits));
        let input = self.input.as_slice();
        let (event, consumed) = match dec.decode(input) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            Ok(Decoded::Incomplete { .. }) => return Ok(Outcome::NeedInput),
            // RFC 5034 §4: a challenge that is not base64 is answered with "*".
            Err(Error::Syntax { .. }) if kind == ResponseKind::Auth && input.starts_with(b"+ ") => {
                let Some(end) = input.windows(2).position(|w| w == b"\r\n") else {
                    return Err(Error::Protocol("bad challenge"));
                };
                self.decoder = None;
                AuthLine::Cancel.encode(&mut self.output);
                return Ok(Outcome::Continue(end + 2));
            }
            Err(e) => return Err(e),
        };
        let done = dec.is_done();
        let ev = match event {
            ResponseEvent::Data(d) => {
                let start = (d.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
                Ev::Data(start, start + d.len())
            }
            ResponseEvent::Status(s) => Ev::Status(s.into_owned()),
            ResponseEvent::Continuation(b) => Ev::Continuation(b.decode().ok()),
            ResponseEvent::Stat(s) => Ev::Stat(s),
            ResponseEvent::ScanListing(s) => Ev::Scan(s),
            ResponseEvent::UniqueIdListing(u) => Ev::Uid(u.into_owned()),
            ResponseEvent::Capability(c) => Ev::Cap(c.into_owned()),
            ResponseEvent::End => Ev::End,
            _ => Ev::Other,
        };
        if done {
            self.pending.pop_front();
            self.decoder = None;
        }
        self.handle(purpose, kind, ev, consumed)
    }

    fn collect<T>(max: usize, v: &mut Vec<T>, item: T) -> Result<(), Error> {
        if v.len() >= max {
            return Err(Error::LimitExceeded {
                what: "listing entries",
                limit: max,
            });
        }
        v.push(item);
        Ok(())
    }

    fn login_event(&mut self, n: usize) -> Outcome {
        match self.login_next() {
            Ok(()) => Outcome::Continue(n),
            Err(e) => {
                self.login = None;
                Outcome::Event(ClientEvent::LoginImpossible(e), n)
            }
        }
    }

    fn handle(
        &mut self,
        purpose: Purpose,
        kind: ResponseKind,
        ev: Ev,
        n: usize,
    ) -> Result<Outcome, Error> {
        use Outcome::{Continue, Event};
        Ok(match (purpose, ev) {
            (Purpose::Greeting, Ev::Status(s)) => {
                if s.is_ok() {
                    self.timestamp = s
                        .timestamp()
                        .and_then(|t| core::str::from_utf8(t).ok())
                        .map(String::from);
                    self.state = State::Authorization;
                } else {
                    self.state = State::Closed;
                }
                Event(ClientEvent::Greeting(s), n)
            }
            (Purpose::Capa { login }, Ev::Status(s)) => {
                if s.is_ok() {
                    self.collecting_caps.clear();
                    Continue(n)
                } else {
                    self.capa_failed = true;
                    if login {
                        self.login_event(n)
                    } else {
                        Event(
                            ClientEvent::Err {
                                command: "CAPA",
                                status: s,
                            },
                            n,
                        )
                    }
                }
            }
            (Purpose::Capa { .. }, Ev::Cap(c)) => {
                Self::collect(self.config.max_listing, &mut self.collecting_caps, c)?;
                Continue(n)
            }
            (Purpose::Capa { login }, Ev::End) => {
                let caps = core::mem::take(&mut self.collecting_caps);
                self.capabilities = Some(caps.clone());
                if login {
                    if let Outcome::Event(e, n) = self.login_event(n) {
                        return Ok(Outcome::Event(e, n));
                    }
                }
                Event(ClientEvent::Capabilities(caps), n)
            }
            (Purpose::Stls, Ev::Status(s)) => {
                if s.is_ok() {
                    Event(ClientEvent::StartTls, n)
                } else {
                    self.stls_refused = true;
                    if self.login.is_some() {
                        if let Outcome::Event(e, n) = self.login_event(n) {
                            return Ok(Outcome::Event(e, n));
                        }
                    }
                    Event(
                        ClientEvent::Err {
                            command: "STLS",
                            status: s,
                        },
                        n,
                    )
                }
            }
            (Purpose::LoginSasl, Ev::Continuation(challenge)) => {
                let response = match (&mut self.sasl, challenge) {
                    (Some(sasl), Some(c)) => sasl.step(&c).ok(),
                    _ => None,
                };
                // RFC 5034 §4: a challenge that cannot be decoded or answered is cancelled.
                let line = match response {
                    Some(r) => AuthLine::Response(Base64::encode(&r)),
                    None => AuthLine::Cancel,
                };
                line.encode(&mut self.output);
                Continue(n)
            }
            (Purpose::LoginUser, Ev::Status(s)) if s.is_ok() => {
                let password = self
                    .login
                    .as_ref()
                    .map(|l| String::from(l.password.expose()))
                    .unwrap_or_default();
                let cmd = Command::Pass(Password::new(password.into_bytes())?);
                self.send(&cmd, Purpose::LoginPass);
                Continue(n)
            }
            (
                Purpose::LoginUser | Purpose::LoginPass | Purpose::LoginApop | Purpose::LoginSasl,
                Ev::Status(s),
            ) => {
                self.login = None;
                self.sasl = None;
                if s.is_ok() {
                    self.state = State::Transaction;
                    let method = self.method.clone().unwrap_or(LoginMethod::UserPass);
                    Event(ClientEvent::LoggedIn(method), n)
                } else {
                    Event(ClientEvent::LoginFailed(s), n)
                }
            }
            (Purpose::Message(m), Ev::Status(s)) => {
                if s.is_ok() {
                    Event(ClientEvent::MessageStart(m), n)
                } else {
                    Event(
                        ClientEvent::Err {
                            command: "RETR",
                            status: s,
                        },
                        n,
                    )
                }
            }
            (Purpose::Message(_), Ev::Data(start, end)) => Outcome::Data(start, end, n),
            (Purpose::Message(m), Ev::End) => Event(ClientEvent::MessageEnd(m), n),
            (Purpose::Quit, Ev::Status(s)) => {
                self.state = State::Closed;
                if s.is_ok() {
                    Event(
                        ClientEvent::Ok {
                            command: "QUIT",
                            status: s,
                        },
                        n,
                    )
                } else {
                    Event(
                        ClientEvent::Err {
                            command: "QUIT",
                            status: s,
                        },
                        n,
                    )
                }
            }
            (Purpose::User(_), Ev::Continuation(c)) => match c {
                Some(c) => Event(ClientEvent::Challenge(c), n),
                None => {
                    // RFC 5034 §4: a challenge that is not base64 is cancelled.
                    AuthLine::Cancel.encode(&mut self.output);
                    Continue(n)
                }
            },
            (Purpose::User(command), Ev::Status(s)) => {
                if !s.is_ok() {
                    Event(ClientEvent::Err { command, status: s }, n)
                } else if kind.is_multi_line() {
                    self.collecting_scan.clear();
                    self.collecting_uid.clear();
                    self.first_status = Some(s);
                    Continue(n)
                } else {
                    // A login done by hand with the low-level commands.
                    if matches!(command, "PASS" | "APOP" | "AUTH") {
                        self.state = State::Transaction;
                    }
                    Event(ClientEvent::Ok { command, status: s }, n)
                }
            }
            (Purpose::User(_), Ev::Stat(s)) => Event(ClientEvent::Stat(s), n),
            (Purpose::User(_), Ev::Scan(s)) if kind == ResponseKind::ScanListing => {
                Event(ClientEvent::ScanListing(s), n)
            }
            (Purpose::User(_), Ev::Uid(u)) if kind == ResponseKind::UniqueIdListing => {
                Event(ClientEvent::UniqueIdListing(u), n)
            }
            (Purpose::User(_), Ev::Scan(s)) => {
                Self::collect(self.config.max_listing, &mut self.collecting_scan, s)?;
                Continue(n)
            }
            (Purpose::User(_), Ev::Uid(u)) => {
                Self::collect(self.config.max_listing, &mut self.collecting_uid, u)?;
                Continue(n)
            }
            (Purpose::User(_), Ev::Other) => Continue(n),
            (Purpose::User(command), Ev::End) => match kind {
                ResponseKind::ScanList => Event(
                    ClientEvent::ScanList(core::mem::take(&mut self.collecting_scan)),
                    n,
                ),
                ResponseKind::UniqueIdList => Event(
                    ClientEvent::UniqueIdList(core::mem::take(&mut self.collecting_uid)),
                    n,
                ),
                _ => {
                    let status = self
                        .first_status
                        .take()
                        .unwrap_or_else(|| StatusLine::ok(""));
                    Event(ClientEvent::Ok { command, status }, n)
                }
            },
            _ => return Err(Error::Protocol("unexpected response")),
        })
    }
}

#[derive(Debug)]
enum Ev {
    Status(StatusLine<'static>),
    Continuation(Option<Vec<u8>>),
    Stat(Stat),
    Scan(ScanListing),
    Uid(UniqueIdListing<'static>),
    Cap(Capability<'static>),
    Data(usize, usize),
    End,
    Other,
}

#[derive(Debug)]
enum Outcome {
    NeedInput,
    Continue(usize),
    Event(ClientEvent<'static>, usize),
    Data(usize, usize, usize),
}

/// Messages of a UIDL listing that are not in the caller's record of messages already
/// downloaded ("leave mail on server", RFC 1939 §7 UIDL): `seen` says whether a unique id
/// was fetched in an earlier session.
pub fn new_messages(
    listing: &[UniqueIdListing<'_>],
    seen: impl Fn(&str) -> bool,
) -> Vec<MessageNumber> {
    listing
        .iter()
        .filter(|l| !seen(l.uid.as_str()))
        .map(|l| l.msg)
        .collect()
}

fn initial_response_len(ir: &InitialResponse<'_>) -> usize {
    match ir {
        InitialResponse::Empty => 1,
        InitialResponse::Data(b) => b.as_str().len(),
    }
}

fn static_keyword(c: &Command<'_>) -> &'static str {
    match c {
        Command::User(_) => "USER",
        Command::Pass(_) => "PASS",
        Command::Apop { .. } => "APOP",
        Command::Quit => "QUIT",
        Command::Stat => "STAT",
        Command::List(_) => "LIST",
        Command::Retr(_) => "RETR",
        Command::Dele(_) => "DELE",
        Command::Noop => "NOOP",
        Command::Rset => "RSET",
        Command::Top { .. } => "TOP",
        Command::Uidl(_) => "UIDL",
        Command::Capa => "CAPA",
        Command::Stls => "STLS",
        Command::Auth { .. } | Command::AuthList => "AUTH",
        Command::Utf8 => "UTF8",
        Command::Lang(_) => "LANG",
        _ => "unknown",
    }
}
