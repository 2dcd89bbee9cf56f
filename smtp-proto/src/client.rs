//! The client (sender) session machine: RFC 5321 §3 and §4.3, with PIPELINING
//! (RFC 2920), CHUNKING (RFC 3030), STARTTLS (RFC 3207), AUTH (RFC 4954) and LMTP
//! (RFC 2033).
//!
//! # Call order
//!
//! 1. [`Client::new`] with a [`ClientConfig`] and the current time. The machine waits for
//!    the greeting and then sends EHLO (LHLO for LMTP) by itself, falling back to HELO on
//!    500/502 (RFC 5321 §3.2).
//! 2. Whenever bytes arrive: [`Client::receive`], then [`Client::next_event`] until `None`.
//!    [`ClientEvent::Ready`] carries the server's capabilities.
//! 3. When ready: [`Client::start_tls`], [`Client::authenticate`], [`Client::send_envelope`]
//!    or [`Client::send_message`] (then [`Client::data`] and [`Client::send_body`] /
//!    [`Client::finish_body`], or [`Client::send_chunk`] for BDAT), [`Client::rset`],
//!    [`Client::noop`], [`Client::quit`].
//! 4. Write [`Client::transmit`] and report it with [`Client::consumed`]; arm a timer for
//!    [`Client::poll_timeout`] (RFC 5321 §4.5.3.2) and call [`Client::handle_timeout`].
//!
//! With PIPELINING the envelope (MAIL and every RCPT) goes out at once and the replies
//! are matched to the commands in order (RFC 2920 §3.1); without it, one command at a time.
//!
//! # Policies (opt-in)
//!
//! Without them the caller makes every choice, as above. With them the machine chooses
//! from the server's EHLO response, and [`ClientEvent::Ready`] comes once the chosen steps
//! are done:
//!
//! * [`ClientConfig::starttls`] ([`TlsPolicy`]): the machine sends STARTTLS itself;
//!   [`ClientEvent::TlsReady`] asks for the handshake, [`Client::tls_established`] sends
//!   EHLO again and the capabilities learnt in the clear are forgotten (RFC 3207 §4.2).
//!   Under [`TlsPolicy::Required`] a server without STARTTLS (or refusing it) gets only
//!   QUIT: [`ClientEvent::PolicyFailed`] with [`Error::TlsUnavailable`].
//! * [`ClientConfig::auth`] ([`AuthPolicy`]): the first of the caller's SASL clients whose
//!   mechanism the server offers (over TLS when the TLS policy upgrades) and, on an
//!   unencrypted connection, that is not a plaintext mechanism unless
//!   [`ClientConfig::allow_plaintext_auth`]; [`ClientEvent::AuthChosen`] names it, then
//!   [`ClientEvent::Authenticated`] or [`ClientEvent::AuthFailed`]. When none fits:
//!   [`ClientEvent::PolicyFailed`] with [`Error::NoAuthMechanism`] or
//!   [`Error::PlaintextAuthRefused`], and QUIT.
//! * [`Client::send_message`]: the envelope with `SIZE=`, `BODY=8BITMIME` /
//!   `BODY=BINARYMIME` and `SMTPUTF8` as the content ([`BodyKind`]) and the addresses
//!   need and the server offers, and DATA or BDAT ([`MessagePlan::transfer`]); a message
//!   the server cannot take is refused with a typed error before anything is written
//!   (no MIME downgrade is attempted).
//!
//! ```
//! use std::time::Duration;
//! use smtp_proto::client::{
//!     AuthPolicy, BodyKind, Client, ClientConfig, ClientEvent, MessageBody, TlsPolicy, Transfer,
//! };
//! use smtp_proto::{ForwardPath, Host, MailFrom, Mailbox, Parameters, RcptTo, ReversePath};
//!
//! let now = Duration::ZERO;
//! let mut config = ClientConfig::new(Host::parse("client.example")?.into_owned());
//! config.starttls = TlsPolicy::Required;
//! config.auth = Some(AuthPolicy::password(None, "jane", "s3cret"));
//! let mut client = Client::new(config, now);
//! client.receive(b"220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 go ahead\r\n", now)?;
//! while let Some(event) = client.next_event()? {
//!     if event == ClientEvent::TlsReady {
//!         // ... the TLS handshake on the caller's socket, then:
//!         client.tls_established(now)?;
//!     }
//! }
//! // Over TLS the server offers PLAIN: CRAM-MD5 (preferred) is not offered, PLAIN is allowed.
//! client.receive(b"250-mx\r\n250-AUTH PLAIN\r\n250-8BITMIME\r\n250 SIZE 1000000\r\n", now)?;
//! client.receive(b"235 2.7.0 ok\r\n", now)?;
//! let mut plan = None;
//! while let Some(event) = client.next_event()? {
//!     if let ClientEvent::Ready(_) = event {
//!         let content = "Subject: caf\u{e9}\r\n\r\nna\u{ef}ve\r\n".as_bytes();
//!         plan = Some(client.send_message(
//!             MailFrom { path: ReversePath::Null, params: Parameters::new() },
//!             vec![RcptTo {
//!                 path: ForwardPath::Mailbox(Mailbox::parse("bob@example.net")?.into_owned()),
//!                 params: Parameters::new(),
//!             }],
//!             MessageBody::Content(content),
//!             None,
//!             now,
//!         )?);
//!     }
//! }
//! let plan = plan.expect("ready after AUTH");
//! assert_eq!((plan.kind, plan.transfer), (BodyKind::EightBit, Transfer::Data));
//! assert_eq!(
//!     String::from_utf8_lossy(client.transmit()),
//!     "EHLO client.example\r\nSTARTTLS\r\nEHLO client.example\r\nAUTH PLAIN AGphbmUAczNjcmV0\r\n\
//!      MAIL FROM:<> SIZE=26 BODY=8BITMIME\r\n"
//! );
//! # Ok::<(), smtp_proto::Error>(())
//! ```

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use mail_common::buffer::InputBuffer;
use mail_common::decode::Decoded;
use mail_common::dot::DotStuffer;
use mail_common::sasl::{Mechanism, SaslClient, decode_base64};

use crate::error::Error;
use crate::parse::{ReplyConfig, ReplyDecoder};
use crate::serialize::Encode;
use crate::types::{
    AuthMechanism, AuthResponse, Base64, Body, Capability, Command, EhloResponse, ForwardPath,
    Host, InitialResponse, MailFrom, Parameter, Parameters, RcptTo, Reply, Text,
};

/// RFC 5321 §4.5.3.2 timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// §4.5.3.2.1 Initial 220 message: 5 minutes.
    pub greeting: Duration,
    /// §4.5.3.2.2 MAIL command: 5 minutes (used for other commands too).
    pub mail: Duration,
    /// §4.5.3.2.3 RCPT command: 5 minutes.
    pub rcpt: Duration,
    /// §4.5.3.2.4 DATA initiation: 2 minutes.
    pub data_init: Duration,
    /// §4.5.3.2.5 Data block: 3 minutes (between body writes).
    pub data_block: Duration,
    /// §4.5.3.2.6 DATA termination: 10 minutes.
    pub data_term: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            greeting: Duration::from_secs(300),
            mail: Duration::from_secs(300),
            rcpt: Duration::from_secs(300),
            data_init: Duration::from_secs(120),
            data_block: Duration::from_secs(180),
            data_term: Duration::from_secs(600),
        }
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The EHLO/HELO/LHLO argument.
    pub hostname: Host<'static>,
    /// Speak LMTP (RFC 2033).
    pub lmtp: bool,
    /// The connection is already encrypted (implicit TLS).
    pub tls: bool,
    /// Allow plaintext SASL mechanisms (PLAIN, LOGIN, ...) without TLS.
    pub allow_plaintext_auth: bool,
    /// Reply decoding limits.
    pub reply: ReplyConfig,
    /// Most unread input bytes held.
    pub max_buffered_input: usize,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// With PIPELINING, send DATA as the last command of the envelope group (RFC 2920
    /// §3.1) instead of waiting for the RCPT replies.
    pub pipeline_data: bool,
    /// Whether the machine upgrades with STARTTLS by itself after EHLO (RFC 3207). The
    /// default, [`TlsPolicy::Never`], leaves it to [`Client::start_tls`].
    pub starttls: TlsPolicy,
    /// AUTH by the machine itself after EHLO (and after TLS, if the TLS policy upgrades
    /// first): the first of the caller's candidates that the server offers and the
    /// plaintext policy allows. `None` (the default) leaves it to
    /// [`Client::authenticate`].
    pub auth: Option<AuthPolicy>,
}

impl ClientConfig {
    /// Defaults for `hostname`: SMTP, no plaintext AUTH without TLS, RFC timeouts.
    pub fn new(hostname: Host<'static>) -> Self {
        ClientConfig {
            hostname,
            lmtp: false,
            tls: false,
            allow_plaintext_auth: false,
            reply: ReplyConfig::default(),
            max_buffered_input: 256 * 1024,
            timeouts: Timeouts::default(),
            pipeline_data: false,
            starttls: TlsPolicy::Never,
            auth: None,
        }
    }
}

/// Whether the machine sends STARTTLS by itself when the EHLO response arrives (RFC 3207;
/// after a 454 refusal, going on is local policy, §4). On a connection that is already
/// encrypted ([`ClientConfig::tls`]) every policy is satisfied and STARTTLS is never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsPolicy {
    /// Never by itself (the caller may still call [`Client::start_tls`]): the behaviour
    /// without a policy.
    #[default]
    Never,
    /// STARTTLS when the server offers it; without the offer, or after a refusal
    /// ([`ClientEvent::TlsRefused`]), the session goes on in the clear.
    Opportunistic,
    /// STARTTLS, or no mail: when the server does not offer it, or refuses it, the
    /// machine reports [`ClientEvent::PolicyFailed`] with [`Error::TlsUnavailable`] and
    /// sends QUIT (RFC 8314 §5.2: a client that requires confidentiality does nothing
    /// but capability discovery and STARTTLS until it has it).
    Required,
}

/// The mechanisms [`AuthPolicy::password`] offers, in order: those that send no reusable
/// password first (CRAM-MD5), then PLAIN and LOGIN, which are only used over TLS unless
/// [`ClientConfig::allow_plaintext_auth`] says otherwise (the same preference as
/// `pop3_proto::client::DEFAULT_LOGIN_METHODS`).
pub const DEFAULT_AUTH_MECHANISMS: [Mechanism<'static>; 3] =
    [Mechanism::CramMd5, Mechanism::Plain, Mechanism::Login];

/// AUTH by policy (RFC 4954): SASL clients with their credentials, in the caller's order of
/// preference. The machine uses the first whose mechanism the server's EHLO response
/// offers and that is not a plaintext mechanism on an unencrypted connection (unless
/// [`ClientConfig::allow_plaintext_auth`]); it reports the choice with
/// [`ClientEvent::AuthChosen`]. When none fits, [`ClientEvent::PolicyFailed`] carries
/// [`Error::PlaintextAuthRefused`] (one was offered, but only in the clear) or
/// [`Error::NoAuthMechanism`], and QUIT is sent.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// The candidates, most preferred first.
    pub candidates: Vec<SaslClient>,
    /// Send the initial response on the AUTH line when the mechanism has one (RFC 4954
    /// §4; it answers the first empty `334` otherwise).
    pub initial_response: bool,
}

impl AuthPolicy {
    /// The given SASL clients, most preferred first, with initial responses.
    pub fn new(candidates: Vec<SaslClient>) -> Self {
        AuthPolicy {
            candidates,
            initial_response: true,
        }
    }

    /// A user name and password, tried with [`DEFAULT_AUTH_MECHANISMS`]; `authzid` is
    /// PLAIN's authorization identity (RFC 4616 §2).
    pub fn password(authzid: Option<&str>, user: &str, password: &str) -> Self {
        // The default list holds only password mechanisms, so nothing is dropped.
        Self::new(password_clients(
            &DEFAULT_AUTH_MECHANISMS,
            authzid,
            user,
            password,
        ))
    }

    /// A user name and password, tried with `mechanisms` in that order.
    ///
    /// # Errors
    /// [`Error::Misuse`] for a mechanism that does not work with a password (only
    /// CRAM-MD5, PLAIN and LOGIN do; build other [`SaslClient`]s and use
    /// [`new`](Self::new)), or for an empty list.
    pub fn password_with(
        mechanisms: &[Mechanism<'_>],
        authzid: Option<&str>,
        user: &str,
        password: &str,
    ) -> Result<Self, Error> {
        let candidates = password_clients(mechanisms, authzid, user, password);
        if candidates.len() != mechanisms.len() || candidates.is_empty() {
            return Err(Error::Misuse(
                "password mechanisms are CRAM-MD5, PLAIN and LOGIN",
            ));
        }
        Ok(Self::new(candidates))
    }

    /// The candidates' mechanisms, in order.
    pub fn mechanisms(&self) -> impl Iterator<Item = Mechanism<'static>> + '_ {
        self.candidates.iter().map(SaslClient::mechanism)
    }
}

fn password_clients(
    mechanisms: &[Mechanism<'_>],
    authzid: Option<&str>,
    user: &str,
    password: &str,
) -> Vec<SaslClient> {
    mechanisms
        .iter()
        .filter_map(|m| match m {
            Mechanism::CramMd5 => Some(SaslClient::cram_md5(user, password)),
            Mechanism::Plain => Some(SaslClient::plain(authzid, user, password)),
            Mechanism::Login => Some(SaslClient::login(user, password)),
            _ => None,
        })
        .collect()
}

/// The octets `content` makes on the wire without the dot-stuffing (RFC 1870 §5): as is
/// with BDAT; with DATA, each bare CR or LF written as CRLF and a final CRLF added if
/// missing, as the dot-stuffer does.
fn wire_size(content: &[u8], transfer: Transfer) -> u64 {
    let len = content.len() as u64;
    if transfer == Transfer::Bdat {
        return len;
    }
    let mut extra = 0u64;
    let mut prev = 0u8;
    let mut iter = content.iter().peekable();
    while let Some(&b) = iter.next() {
        let bare_cr = b == b'\r' && iter.peek() != Some(&&b'\n');
        let bare_lf = b == b'\n' && prev != b'\r';
        if bare_cr || bare_lf {
            extra += 1;
        }
        prev = b;
    }
    if !content.is_empty()
        && !content.ends_with(b"\r\n")
        && !content.ends_with(b"\n")
        && !content.ends_with(b"\r")
    {
        extra += 2;
    }
    len + extra
}

/// What the message content is, for [`Client::send_message`]: the weakest class that
/// holds it (RFC 6152 §2, RFC 3030 §3, RFC 2045 §2.7-2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BodyKind {
    /// ASCII lines of at most 998 octets, no NUL: goes anywhere.
    SevenBit,
    /// Octets above 127 in lines of at most 998 octets, no NUL: `BODY=8BITMIME`.
    EightBit,
    /// NUL octets or lines longer than 998 octets: `BODY=BINARYMIME` with BDAT.
    Binary,
}

impl BodyKind {
    /// Classifies `content` as [`Client::send_body`] would carry it: CRLF, a bare CR and
    /// a bare LF all end a line there (the dot-stuffer writes each as CRLF), so Unix line
    /// endings keep a text message 7-bit; NUL or a line over 998 octets (RFC 5321
    /// §4.5.3.1.6) makes it binary.
    #[must_use]
    pub fn of(content: &[u8]) -> BodyKind {
        let mut kind = BodyKind::SevenBit;
        let mut line = 0usize;
        for &b in content {
            match b {
                b'\r' | b'\n' => line = 0,
                0 => return BodyKind::Binary,
                _ => {
                    line += 1;
                    if line > 998 {
                        return BodyKind::Binary;
                    }
                    if b > 127 {
                        kind = BodyKind::EightBit;
                    }
                }
            }
        }
        kind
    }
}

/// The body given to [`Client::send_message`]: its class, or the content itself for the
/// machine to classify ([`BodyKind::of`]) and measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageBody<'c> {
    /// The caller knows the class.
    Kind(BodyKind),
    /// The whole content, as it will be given to [`Client::send_body`] (or, if binary,
    /// to [`Client::send_chunk`]).
    Content(&'c [u8]),
}

/// How the content goes after the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// [`Client::data`], then [`Client::send_body`] and [`Client::finish_body`].
    Data,
    /// [`Client::send_chunk`] (BDAT, RFC 3030), the last chunk with `last`.
    Bdat,
}

/// What [`Client::send_message`] chose and sent on MAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessagePlan {
    /// The class of the content.
    pub kind: BodyKind,
    /// The `BODY=` parameter sent (`None` for 7-bit content).
    pub body: Option<Body>,
    /// Whether `SMTPUTF8` was sent (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// The `SIZE=` parameter sent (RFC 1870), if SIZE is offered and the size known.
    pub size: Option<u64>,
    /// DATA or BDAT.
    pub transfer: Transfer,
}

/// The outcome for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientOutcome {
    /// The recipient.
    pub recipient: ForwardPath<'static>,
    /// The server's reply for it.
    pub reply: Reply<'static>,
}

/// What the server did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The greeting (220). EHLO has been sent.
    Greeting(Reply<'static>),
    /// The server refused the session (554 greeting) or is closing (421): QUIT was sent
    /// if appropriate; close the connection once [`Client::transmit`] is written.
    Refused(Reply<'static>),
    /// EHLO/LHLO (or the HELO fallback) succeeded: the capabilities (empty after HELO).
    Ready(EhloResponse<'static>),
    /// EHLO and HELO both failed.
    HelloFailed(Reply<'static>),
    /// The server accepted STARTTLS: do the TLS handshake now and call
    /// [`Client::tls_established`].
    TlsReady,
    /// The server refused STARTTLS.
    TlsRefused(Reply<'static>),
    /// AUTH succeeded (235).
    Authenticated,
    /// AUTH failed.
    AuthFailed(Reply<'static>),
    /// All envelope replies are in. If `mail` is positive and some recipient was accepted,
    /// call [`Client::data`] or [`Client::send_chunk`]; otherwise [`Client::rset`].
    Envelope {
        /// The MAIL reply.
        mail: Reply<'static>,
        /// One outcome per RCPT, in order.
        recipients: Vec<RecipientOutcome>,
    },
    /// 354: send the body with [`Client::send_body`] and [`Client::finish_body`].
    DataReady,
    /// DATA was refused.
    DataRefused(Reply<'static>),
    /// A non-last BDAT chunk was answered.
    ChunkReply(Reply<'static>),
    /// The message's final outcome per accepted recipient (SMTP: the one reply, for each
    /// recipient; LMTP: each recipient's own reply, RFC 2033 §4.2).
    Delivered(Vec<RecipientOutcome>),
    /// The reply to RSET, NOOP or another simple command.
    Reply(Reply<'static>),
    /// QUIT was answered: close the connection.
    Closed(Reply<'static>),
    /// The AUTH policy ([`ClientConfig::auth`]) chose this mechanism and sent AUTH;
    /// [`ClientEvent::Authenticated`] (then [`ClientEvent::Ready`]) or
    /// [`ClientEvent::AuthFailed`] follows.
    AuthChosen(Mechanism<'static>),
    /// The server cannot meet the configured policy ([`Error::TlsUnavailable`],
    /// [`Error::NoAuthMechanism`], [`Error::PlaintextAuthRefused`]): nothing else was
    /// sent, QUIT was, and [`ClientEvent::Closed`] follows.
    PolicyFailed(Error),
}

#[derive(Debug, Clone)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    /// `auto`: sent by [`TlsPolicy`], which goes on after a refusal.
    StartTls {
        auto: bool,
    },
    Auth,
    Mail,
    Rcpt(ForwardPath<'static>),
    Data,
    Message {
        left: usize,
    },
    /// The empty message sent after a 354 when no recipient was accepted (RFC 2920 §3.1).
    Abandoned,
    Bdat {
        last: bool,
    },
    Simple,
    Quit,
}

impl Expect {
    fn timeout(&self, t: &Timeouts) -> Duration {
        match self {
            Expect::Greeting => t.greeting,
            Expect::Rcpt(_) => t.rcpt,
            Expect::Data => t.data_init,
            Expect::Message { .. } | Expect::Bdat { .. } | Expect::Abandoned => t.data_term,
            _ => t.mail,
        }
    }
    fn what(&self) -> &'static str {
        match self {
            Expect::Greeting => "the greeting",
            Expect::Rcpt(_) => "the RCPT reply",
            Expect::Data => "the DATA reply",
            Expect::Message { .. } | Expect::Bdat { .. } => "the end-of-data reply",
            Expect::Mail => "the MAIL reply",
            _ => "a reply",
        }
    }
}

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for greeting / EHLO.
    Opening,
    /// Idle: commands may be issued.
    Ready,
    /// STARTTLS accepted; waiting for `tls_established`.
    Tls,
    /// AUTH exchange in progress.
    Auth,
    /// Envelope sent; replies pending.
    Envelope,
    /// Envelope done; DATA/BDAT may follow.
    EnvelopeDone,
    /// Sending the body (after 354).
    Body,
    /// BDAT chunks being sent.
    Chunks,
    /// Waiting for the end-of-message reply.
    MessageSent,
    /// Waiting for some other reply (RSET, NOOP, STARTTLS, DATA).
    Waiting,
    /// Closed.
    Closed,
}

/// The client session machine. See the [module docs](self).
#[derive(Debug, Clone)]
#[must_use]
pub struct Client {
    config: ClientConfig,
    phase: Phase,
    input: InputBuffer,
    /// Decodes the reply at the front of `input`, resuming where the last call stopped
    /// (linear in the reply's length however it is chunked).
    replies: ReplyDecoder,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    in_flight: VecDeque<Expect>,
    /// Commands held back until the previous reply (no PIPELINING), with the octets
    /// that follow the command (a BDAT chunk; empty otherwise).
    held: VecDeque<(Command<'static>, Expect, Vec<u8>)>,
    caps: Option<EhloResponse<'static>>,
    tls: bool,
    sasl: Option<SaslClient>,
    mail_reply: Option<Reply<'static>>,
    outcomes: Vec<RecipientOutcome>,
    /// LMTP replies after the data, collected until all are in.
    delivered: Vec<RecipientOutcome>,
    stuffer: DotStuffer,
    /// The envelope declared `BODY=BINARYMIME`: the content goes with BDAT only.
    binary: bool,
    /// The AUTH policy's candidates, until the policy has run.
    auth_policy: Option<AuthPolicy>,
    /// The policy's AUTH is in progress: [`ClientEvent::Ready`] follows its success.
    auth_auto: bool,
    last_activity: Duration,
    fatal: Option<Error>,
}

impl Client {
    /// A new session, waiting for the greeting. The EHLO sent after it is checked then:
    /// a hostname that is not ASCII (RFC 6531 §3.7.1) or not valid on the wire (a
    /// hand-built address literal) fails the session with [`Error::InvalidValue`] at
    /// [`next_event`](Self::next_event), and nothing is written.
    pub fn new(config: ClientConfig, now: Duration) -> Self {
        let tls = config.tls;
        let auth_policy = config.auth.clone();
        let mut in_flight = VecDeque::new();
        in_flight.push_back(Expect::Greeting);
        Client {
            config,
            phase: Phase::Opening,
            input: InputBuffer::new(),
            replies: ReplyDecoder::default(),
            out: Vec::new(),
            events: VecDeque::new(),
            in_flight,
            held: VecDeque::new(),
            caps: None,
            tls,
            sasl: None,
            mail_reply: None,
            outcomes: Vec::new(),
            delivered: Vec::new(),
            stuffer: DotStuffer::new(),
            binary: false,
            auth_policy,
            auth_auto: false,
            last_activity: now,
            fatal: None,
        }
    }

    fn check(&self) -> Result<(), Error> {
        match &self.fatal {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        self.fatal = Some(e.clone());
        self.phase = Phase::Closed;
        e
    }

    /// Feeds bytes from the server. Replies are decoded by
    /// [`next_event`](Self::next_event), one at a time, so that what the caller does in
    /// between happens in the same order whatever the chunking.
    ///
    /// # Errors
    /// The sticky fatal error, or too much unread input (fatal).
    pub fn receive(&mut self, data: &[u8], now: Duration) -> Result<(), Error> {
        self.check()?;
        if matches!(self.phase, Phase::Tls | Phase::Closed) {
            // Between the 220 to STARTTLS and the handshake nothing in plaintext counts;
            // after the session closed nothing does.
            return Ok(());
        }
        if self.input.len() + data.len() > self.config.max_buffered_input {
            return Err(self.fail(Error::LimitExceeded {
                what: "buffered input",
                limit: self.config.max_buffered_input,
            }));
        }
        self.input.extend(data);
        self.last_activity = now;
        Ok(())
    }

    /// The next event, decoding replies as needed.
    ///
    /// # Errors
    /// A malformed reply or a reply nobody asked for: fatal (sticky), reported once the
    /// events before it are drained.
    pub fn next_event(&mut self) -> Result<Option<ClientEvent>, Error> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Ok(Some(e));
            }
            self.check()?;
            if matches!(self.phase, Phase::Tls | Phase::Closed) {
                return Ok(None);
            }
            let decoded = self
                .replies
                .decode(self.input.as_slice(), &self.config.reply)
                .map(|d| d.map(Reply::into_owned));
            match decoded {
                Ok(Decoded::Complete { value, consumed }) => {
                    self.input.consume(consumed);
                    if let Err(e) = self.on_reply(value) {
                        return Err(self.fail(e));
                    }
                }
                Ok(Decoded::Incomplete { .. }) => return Ok(None),
                Err(e) => return Err(self.fail(e)),
            }
        }
    }

    fn send(&mut self, cmd: &Command<'_>, expect: Expect) {
        cmd.encode(&mut self.out);
        self.in_flight.push_back(expect);
    }

    fn pipelining(&self) -> bool {
        self.caps
            .as_ref()
            .is_some_and(|c| c.has(&Capability::Pipelining))
    }

    /// Sends EHLO (LHLO), refusing a hostname that is not valid on the wire (the config's
    /// field is public, so a hand-built address literal may hold CR or LF) or that is not
    /// ASCII: before EHLO the client cannot know whether the server supports SMTPUTF8, so
    /// RFC 6531 §3.7.1 has it send only LDH labels or A-labels.
    fn hello(&mut self) -> Result<(), Error> {
        let h = self.config.hostname.clone();
        let cmd = if self.config.lmtp {
            Command::Lhlo(h)
        } else {
            Command::Ehlo(h)
        };
        cmd.validate()?;
        if !self.config.hostname.is_ascii() {
            return Err(Error::InvalidValue {
                what: "EHLO domain (ASCII only, RFC 6531 §3.7.1)",
            });
        }
        self.send(&cmd, Expect::Ehlo);
        Ok(())
    }

    fn on_reply(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        let Some(expect) = self.in_flight.pop_front() else {
            // RFC 5321 §3.8: a server may send 421 at any time before closing.
            if reply.code().get() == 421 {
                self.phase = Phase::Closed;
                self.events.push_back(ClientEvent::Refused(reply));
                return Ok(());
            }
            return Err(Error::UnexpectedReply {
                code: reply.code().get(),
            });
        };
        let code = reply.code().get();
        let ok = reply.code().is_positive();
        if code == 421 && !matches!(expect, Expect::Quit) {
            self.in_flight.clear();
            self.held.clear();
            self.phase = Phase::Closed;
            self.events.push_back(ClientEvent::Refused(reply));
            return Ok(());
        }
        match expect {
            Expect::Greeting => {
                if code == 220 {
                    self.events.push_back(ClientEvent::Greeting(reply));
                    self.hello()?;
                } else {
                    // RFC 5321 §3.1: after 554 the client should QUIT.
                    self.events.push_back(ClientEvent::Refused(reply));
                    self.send(&Command::Quit, Expect::Quit);
                }
            }
            Expect::Ehlo => {
                if ok {
                    let ehlo = EhloResponse::from_reply(reply)?.into_owned();
                    self.hello_done(ehlo);
                } else if (code == 500 || code == 502) && !self.config.lmtp {
                    // Checked by `hello` before the EHLO went out.
                    let h = self.config.hostname.clone();
                    self.send(&Command::Helo(h), Expect::Helo);
                } else {
                    self.events.push_back(ClientEvent::HelloFailed(reply));
                }
            }
            Expect::Helo => {
                if ok {
                    let domain = reply.text().split(' ').next().unwrap_or_default();
                    let ehlo = EhloResponse::new(
                        alloc::string::String::from(if domain.is_empty() {
                            "unknown"
                        } else {
                            domain
                        }),
                        None,
                        Vec::new(),
                    )
                    .unwrap_or_else(|_| EhloResponse {
                        domain: "unknown".into(),
                        greeting: None,
                        capabilities: Vec::new(),
                    });
                    self.hello_done(ehlo);
                } else {
                    self.events.push_back(ClientEvent::HelloFailed(reply));
                }
            }
            Expect::StartTls { auto } => {
                if code == 220 {
                    self.phase = Phase::Tls;
                    // Anything the server sent after 220 is not trusted (RFC 3207 §4.2).
                    self.input.clear();
                    self.replies.reset();
                    self.events.push_back(ClientEvent::TlsReady);
                } else {
                    self.phase = Phase::Ready;
                    self.events.push_back(ClientEvent::TlsRefused(reply));
                    if auto {
                        self.after_tls_policy(Some(code));
                    }
                }
            }
            Expect::Auth => self.on_auth_reply(reply)?,
            Expect::Mail => {
                if !ok {
                    // A refused MAIL ends the transaction: RCPTs still held are not sent,
                    // and pipelined ones will be answered 503; keep collecting.
                    self.held
                        .retain(|(c, _, _)| !matches!(c, Command::RcptTo(_)));
                }
                self.mail_reply = Some(reply);
                if self.held.is_empty()
                    && !self.in_flight.iter().any(|e| matches!(e, Expect::Rcpt(_)))
                {
                    self.envelope_done();
                }
            }
            Expect::Rcpt(recipient) => {
                self.outcomes.push(RecipientOutcome { recipient, reply });
                if !self.in_flight.iter().any(|e| matches!(e, Expect::Rcpt(_)))
                    && !self
                        .held
                        .iter()
                        .any(|(c, _, _)| matches!(c, Command::RcptTo(_)))
                {
                    self.envelope_done();
                }
            }
            Expect::Data if code == 354 && self.accepted_count() == 0 => {
                // DATA was pipelined and every recipient failed: end the empty message.
                self.out.extend_from_slice(b".\r\n");
                self.in_flight.push_front(Expect::Abandoned);
            }
            Expect::Abandoned => {
                self.phase = Phase::Ready;
                self.outcomes.clear();
                self.events.push_back(ClientEvent::DataRefused(reply));
            }
            Expect::Data => {
                if code == 354 {
                    self.phase = Phase::Body;
                    self.stuffer = DotStuffer::new();
                    self.events.push_back(ClientEvent::DataReady);
                } else {
                    self.phase = Phase::Ready;
                    self.events.push_back(ClientEvent::DataRefused(reply));
                }
            }
            Expect::Message { left } => self.on_message_reply(reply, left),
            Expect::Bdat { last } => {
                if last {
                    let accepted = self.accepted_count();
                    let left = if self.config.lmtp { accepted.max(1) } else { 1 };
                    self.on_message_reply(reply, left);
                } else {
                    if !ok {
                        // RFC 3030 §2: after a refused chunk no further BDAT is sent.
                        self.phase = Phase::Ready;
                        self.held
                            .retain(|(c, _, _)| !matches!(c, Command::Bdat { .. }));
                    }
                    self.events.push_back(ClientEvent::ChunkReply(reply));
                }
            }
            Expect::Simple => {
                if self.phase == Phase::Waiting {
                    self.phase = Phase::Ready;
                }
                self.events.push_back(ClientEvent::Reply(reply));
            }
            Expect::Quit => {
                self.phase = Phase::Closed;
                self.events.push_back(ClientEvent::Closed(reply));
            }
        }
        // Without PIPELINING, the next held command goes out once this reply is in.
        if self.in_flight.is_empty() {
            if let Some((cmd, expect, data)) = self.held.pop_front() {
                self.send(&cmd, expect);
                self.out.extend_from_slice(&data);
            }
        }
        Ok(())
    }

    /// EHLO (or HELO) succeeded: the TLS and AUTH policies run, then
    /// [`ClientEvent::Ready`].
    fn hello_done(&mut self, ehlo: EhloResponse<'static>) {
        let starttls = ehlo.has(&Capability::StartTls);
        self.caps = Some(ehlo);
        self.phase = Phase::Ready;
        if !self.tls && self.config.starttls != TlsPolicy::Never {
            if starttls {
                // RFC 3207 §4.2: what this EHLO said is forgotten after the handshake,
                // so nothing else is done with it (AUTH waits for the EHLO over TLS).
                self.phase = Phase::Waiting;
                self.send(&Command::StartTls, Expect::StartTls { auto: true });
                return;
            }
            self.after_tls_policy(None);
            return;
        }
        self.auth_by_policy();
    }

    /// STARTTLS by policy is impossible (`refused`: the server's code; `None`: not
    /// offered): fail under [`TlsPolicy::Required`], go on in the clear otherwise.
    fn after_tls_policy(&mut self, refused: Option<u16>) {
        if self.config.starttls == TlsPolicy::Required {
            self.policy_failed(Error::TlsUnavailable { refused });
        } else {
            self.auth_by_policy();
        }
    }

    /// Runs the AUTH policy if there is one, else reports [`ClientEvent::Ready`].
    fn auth_by_policy(&mut self) {
        let Some(policy) = self.auth_policy.take() else {
            if let Some(caps) = self.caps.clone() {
                self.events.push_back(ClientEvent::Ready(caps));
            }
            return;
        };
        match self.choose_auth(&policy.candidates) {
            Ok(sasl) => {
                let mechanism = sasl.mechanism();
                match self.auth(sasl, policy.initial_response, self.last_activity) {
                    Ok(()) => {
                        self.auth_auto = true;
                        self.events.push_back(ClientEvent::AuthChosen(mechanism));
                    }
                    Err(e) => self.policy_failed(e),
                }
            }
            Err(e) => self.policy_failed(e),
        }
    }

    /// The first candidate whose mechanism the server offers and the plaintext policy
    /// allows (RFC 4954 §4: a mechanism the server did not offer is not used).
    ///
    /// # Errors
    /// [`Error::PlaintextAuthRefused`] when only plaintext mechanisms fit and the
    /// connection is not encrypted; [`Error::NoAuthMechanism`] when none is offered.
    fn choose_auth(&self, candidates: &[SaslClient]) -> Result<SaslClient, Error> {
        let offered = self.caps.as_ref().map_or(&[][..], |c| c.auth_mechanisms());
        let plaintext_ok = self.tls || self.config.allow_plaintext_auth;
        let mut plaintext_refused = false;
        for candidate in candidates {
            let mech = candidate.mechanism();
            if !offered
                .iter()
                .any(|m| m.as_str().eq_ignore_ascii_case(mech.as_str()))
            {
                continue;
            }
            if mech.is_plaintext() && !plaintext_ok {
                plaintext_refused = true;
                continue;
            }
            return Ok(candidate.clone());
        }
        Err(if plaintext_refused {
            Error::PlaintextAuthRefused
        } else {
            Error::NoAuthMechanism
        })
    }

    /// The policy cannot be met: report it and say QUIT (RFC 5321 §4.1.1.10), sending
    /// nothing else.
    fn policy_failed(&mut self, error: Error) {
        self.auth_policy = None;
        self.phase = Phase::Waiting;
        self.events.push_back(ClientEvent::PolicyFailed(error));
        self.send(&Command::Quit, Expect::Quit);
    }

    fn accepted_count(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.reply.code().is_positive())
            .count()
    }

    fn envelope_done(&mut self) {
        let mail = self
            .mail_reply
            .take()
            .unwrap_or_else(|| Reply::fixed(554, (5, 5, 0), "no MAIL reply"));
        let recipients = self.outcomes.clone();
        self.phase = if self.in_flight.iter().any(|e| matches!(e, Expect::Data)) {
            Phase::Waiting
        } else if mail.code().is_positive() && self.accepted_count() > 0 {
            Phase::EnvelopeDone
        } else {
            Phase::Ready
        };
        self.events
            .push_back(ClientEvent::Envelope { mail, recipients });
    }

    fn on_message_reply(&mut self, reply: Reply<'static>, left: usize) {
        // SMTP: one reply for all accepted recipients. LMTP: one each, in RCPT order.
        let accepted: Vec<ForwardPath<'static>> = self
            .outcomes
            .iter()
            .filter(|o| o.reply.code().is_positive())
            .map(|o| o.recipient.clone())
            .collect();
        if !self.config.lmtp {
            let out = accepted
                .into_iter()
                .map(|recipient| RecipientOutcome {
                    recipient,
                    reply: reply.clone(),
                })
                .collect();
            self.finish_message(out);
            return;
        }
        let done = self.delivered.len();
        let recipient = accepted
            .get(done)
            .cloned()
            .unwrap_or(ForwardPath::Postmaster);
        self.delivered.push(RecipientOutcome { recipient, reply });
        if left > 1 {
            self.in_flight
                .push_front(Expect::Message { left: left - 1 });
        } else {
            let out = core::mem::take(&mut self.delivered);
            self.finish_message(out);
        }
    }

    fn finish_message(&mut self, outcomes: Vec<RecipientOutcome>) {
        self.outcomes.clear();
        self.phase = Phase::Ready;
        self.events.push_back(ClientEvent::Delivered(outcomes));
    }

    fn on_auth_reply(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        match reply.code().get() {
            334 => {
                let challenge = decode_base64(reply.text().as_bytes())?;
                let line = match self.sasl.as_mut().map(|s| s.step(&challenge)) {
                    Some(Ok(resp)) => AuthResponse::Data(Base64::encode(&resp)),
                    // RFC 4954 §4: the client cancels with "*".
                    _ => AuthResponse::Cancel,
                };
                // A response longer than the exchange's line limit is cancelled rather
                // than written (the server would answer 500 and drop the exchange).
                let line = match line.check_line_length() {
                    Ok(()) => line,
                    Err(_) => AuthResponse::Cancel,
                };
                line.encode(&mut self.out);
                self.in_flight.push_front(Expect::Auth);
            }
            235 => {
                self.sasl = None;
                self.phase = Phase::Ready;
                self.events.push_back(ClientEvent::Authenticated);
                if core::mem::take(&mut self.auth_auto) {
                    if let Some(caps) = self.caps.clone() {
                        self.events.push_back(ClientEvent::Ready(caps));
                    }
                }
            }
            _ => {
                self.sasl = None;
                self.phase = Phase::Ready;
                self.auth_auto = false;
                self.events.push_back(ClientEvent::AuthFailed(reply));
            }
        }
        Ok(())
    }

    fn ready(&self, what: &'static str) -> Result<(), Error> {
        self.check()?;
        if self.phase != Phase::Ready {
            return Err(Error::Misuse(what));
        }
        Ok(())
    }

    /// The server's capabilities, once known.
    pub fn capabilities(&self) -> Option<&EhloResponse<'static>> {
        self.caps.as_ref()
    }

    /// Sends STARTTLS.
    ///
    /// # Errors
    /// [`Error::Misuse`] if not ready, already encrypted, or not offered.
    pub fn start_tls(&mut self, now: Duration) -> Result<(), Error> {
        self.ready("start_tls needs a ready session")?;
        if self.tls
            || !self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(&Capability::StartTls))
        {
            return Err(Error::Misuse("STARTTLS not offered"));
        }
        self.phase = Phase::Waiting;
        self.last_activity = now;
        self.send(&Command::StartTls, Expect::StartTls { auto: false });
        Ok(())
    }

    /// The TLS handshake completed: EHLO is sent again (RFC 3207 §4.2).
    ///
    /// # Errors
    /// [`Error::Misuse`] unless [`ClientEvent::TlsReady`] came first.
    pub fn tls_established(&mut self, now: Duration) -> Result<(), Error> {
        self.check()?;
        if self.phase != Phase::Tls {
            return Err(Error::Misuse("no STARTTLS was accepted"));
        }
        self.tls = true;
        self.caps = None;
        self.phase = Phase::Opening;
        self.input.clear();
        self.replies.reset();
        self.last_activity = now;
        if let Err(e) = self.hello() {
            return Err(self.fail(e));
        }
        Ok(())
    }

    /// Starts AUTH with a SASL client (RFC 4954 §4), sending the initial response on the
    /// command line when the mechanism has one and the line stays within 512 octets
    /// (otherwise, as RFC 4954 §4 requires, it answers the server's first empty `334`).
    ///
    /// # Errors
    /// [`Error::PlaintextAuthRefused`] for a plaintext mechanism without TLS (unless
    /// allowed); [`Error::Misuse`] if not ready or the mechanism is not offered.
    pub fn authenticate(&mut self, sasl: SaslClient, now: Duration) -> Result<(), Error> {
        self.auth(sasl, true, now)
    }

    /// As [`authenticate`](Self::authenticate), but never sends an initial response: the
    /// client's first message answers the server's first (empty) `334` challenge.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub fn authenticate_without_initial_response(
        &mut self,
        sasl: SaslClient,
        now: Duration,
    ) -> Result<(), Error> {
        self.auth(sasl, false, now)
    }

    fn auth(&mut self, mut sasl: SaslClient, initial: bool, now: Duration) -> Result<(), Error> {
        self.ready("authenticate needs a ready session")?;
        let mech = sasl.mechanism();
        if mech.is_plaintext() && !self.tls && !self.config.allow_plaintext_auth {
            return Err(Error::PlaintextAuthRefused);
        }
        let name = AuthMechanism::new(alloc::string::String::from(mech.as_str()))?;
        let offered = self
            .caps
            .as_ref()
            .is_some_and(|c| c.auth_mechanisms().contains(&name));
        if !offered {
            return Err(Error::Misuse("mechanism not offered by the server"));
        }
        // Taking the initial response moves the SASL state on; keep the state before it in
        // case the response does not fit the command line.
        let before = sasl.clone();
        let ir = if initial {
            sasl.initial_response()
        } else {
            None
        };
        let initial_response = ir.map(|ir| {
            if ir.is_empty() {
                InitialResponse::Empty
            } else {
                InitialResponse::Data(Base64::encode(&ir))
            }
        });
        let mut cmd = Command::Auth {
            mechanism: name,
            initial_response,
        };
        if cmd.check_line_length().is_err() {
            // RFC 4954 §4: an initial response that would make the AUTH command longer
            // than the SMTP line limit is not used; it answers the server's first (empty)
            // 334 challenge instead.
            sasl = before;
            if let Command::Auth {
                initial_response, ..
            } = &mut cmd
            {
                *initial_response = None;
            }
        }
        self.sasl = Some(sasl);
        self.phase = Phase::Auth;
        self.last_activity = now;
        self.send(&cmd, Expect::Auth);
        Ok(())
    }

    /// Sends MAIL and the RCPTs: all at once with PIPELINING, one by one otherwise.
    /// [`ClientEvent::Envelope`] reports the replies.
    ///
    /// Every parameter must be allowed by the server's EHLO response
    /// ([`EhloResponse::check_parameter`]), and a UTF-8 address needs SMTPUTF8 offered and
    /// given on MAIL (RFC 6531 §3.4). A `BODY=BINARYMIME` message then goes with
    /// [`send_chunk`](Self::send_chunk) only (RFC 3030 §3).
    ///
    /// # Errors
    /// Before anything is written, and without ending the session:
    /// [`Error::Misuse`] if not ready, without recipients, or a UTF-8 address without the
    /// SMTPUTF8 parameter; [`Error::LimitExceeded`] for a line over 512 octets or a path
    /// over 256 ([`Command::validate`]); [`Error::InvalidValue`] for a hand-built address
    /// literal the grammar refuses;
    /// [`Error::ParameterNotOffered`], [`Error::ParameterAboveLimit`],
    /// [`Error::ParameterBelowLimit`] or [`Error::ParameterNeedsTls`] for a parameter the
    /// server did not allow; [`Error::TooManyRecipients`] for more recipients than the
    /// server's LIMITS RCPTMAX (RFC 9422; split the envelope over several transactions).
    pub fn send_envelope(
        &mut self,
        mail: MailFrom<'_>,
        rcpts: Vec<RcptTo<'_>>,
        now: Duration,
    ) -> Result<(), Error> {
        self.ready("send_envelope needs a ready session")?;
        if rcpts.is_empty() {
            return Err(Error::Misuse("an envelope needs at least one recipient"));
        }
        // Writers cannot produce invalid protocol: a command built by hand (public fields)
        // may hold an address literal with CR/LF, a path over 256 octets, or be longer
        // than RFC 5321 §4.5.3.1.4 allows; refuse before writing anything.
        Command::MailFrom(mail.clone()).validate()?;
        for r in &rcpts {
            Command::RcptTo(r.clone()).validate()?;
        }
        self.check_envelope(&mail, &rcpts)?;
        self.binary = mail.params.body() == Some(Body::BinaryMime);
        self.outcomes.clear();
        self.mail_reply = None;
        self.phase = Phase::Envelope;
        self.last_activity = now;
        let pipelining = self.pipelining();
        self.send(&Command::MailFrom(mail), Expect::Mail);
        for r in rcpts {
            let path = r.path.clone().into_owned();
            let cmd = Command::RcptTo(r).into_owned();
            if pipelining {
                self.send(&cmd, Expect::Rcpt(path));
            } else {
                self.held.push_back((cmd, Expect::Rcpt(path), Vec::new()));
            }
        }
        if pipelining && self.config.pipeline_data && !self.binary {
            self.send(&Command::Data, Expect::Data);
        }
        Ok(())
    }

    /// Sends an envelope whose MAIL parameters the machine completes from the server's
    /// capabilities and a description of the body, then reports how the content goes
    /// ([`MessagePlan::transfer`]); [`ClientEvent::Envelope`] follows as with
    /// [`send_envelope`](Self::send_envelope).
    ///
    /// * 8-bit content: `BODY=8BITMIME` (RFC 6152 §2); never without 8BITMIME, even to a
    ///   server with BINARYMIME (RFC 6152 §3: "must not, under any circumstances").
    /// * Binary content: `BODY=BINARYMIME` with BDAT when BINARYMIME and CHUNKING are
    ///   offered (RFC 3030 §3).
    /// * `SMTPUTF8` when an address is not ASCII and SMTPUTF8 is offered (RFC 6531 §3.4);
    ///   the caller may also give it (a message with UTF-8 header fields needs it too).
    /// * `SIZE=n` when SIZE is offered and the size is known: `size`, or, with
    ///   [`MessageBody::Content`], the octets the chosen transfer will carry (RFC 1870 §5:
    ///   CRLF included, the dots added by stuffing and the final `.` not).
    ///
    /// The content is never converted (no MIME downgrade, RFC 6152 §3 leaves that to
    /// the client; this machine refuses instead).
    ///
    /// # Errors
    /// Before anything is written, and without ending the session: [`Error::Misuse`] if
    /// `mail` already has `BODY` or `SIZE` (the machine chooses them), and as
    /// [`send_envelope`](Self::send_envelope); [`Error::ParameterNotOffered`] when the
    /// server cannot take the message: 8-bit content without 8BITMIME (RFC 6152 §3: not
    /// sent), binary content without BINARYMIME or CHUNKING, a UTF-8 address without
    /// SMTPUTF8; [`Error::ParameterAboveLimit`] for a size over the server's SIZE.
    pub fn send_message(
        &mut self,
        mail: MailFrom<'_>,
        rcpts: Vec<RcptTo<'_>>,
        body: MessageBody<'_>,
        size: Option<u64>,
        now: Duration,
    ) -> Result<MessagePlan, Error> {
        self.ready("send_message needs a ready session")?;
        if mail.params.body().is_some() || mail.params.size().is_some() {
            return Err(Error::Misuse("send_message chooses BODY and SIZE itself"));
        }
        let plan = self.plan_message(&mail, &rcpts, body, size)?;
        let mut params: Vec<Parameter<'_>> = Vec::new();
        if let Some(n) = plan.size {
            params.push(Parameter::Size(n));
        }
        if let Some(b) = plan.body {
            params.push(Parameter::Body(b));
        }
        if plan.smtputf8 && !mail.params.smtputf8() {
            params.push(Parameter::SmtpUtf8);
        }
        params.extend(mail.params.iter());
        let mail = MailFrom {
            path: mail.path,
            params: Parameters::from_list(params)?,
        };
        self.send_envelope(mail, rcpts, now)?;
        Ok(plan)
    }

    /// The choices of [`send_message`](Self::send_message), checked against the
    /// capabilities.
    fn plan_message(
        &self,
        mail: &MailFrom<'_>,
        rcpts: &[RcptTo<'_>],
        body: MessageBody<'_>,
        size: Option<u64>,
    ) -> Result<MessagePlan, Error> {
        let no_caps = EhloResponse {
            domain: "".into(),
            greeting: None,
            capabilities: Vec::new(),
        };
        let caps = self.caps.as_ref().unwrap_or(&no_caps);
        let kind = match body {
            MessageBody::Kind(k) => k,
            MessageBody::Content(c) => BodyKind::of(c),
        };
        let (body_param, transfer) = match kind {
            BodyKind::SevenBit => (None, Transfer::Data),
            BodyKind::EightBit if caps.has(&Capability::EightBitMime) => {
                (Some(Body::EightBitMime), Transfer::Data)
            }
            BodyKind::EightBit => {
                return Err(Error::ParameterNotOffered {
                    parameter: "BODY=8BITMIME",
                    capability: "8BITMIME",
                });
            }
            BodyKind::Binary => {
                // Names the missing keyword (BINARYMIME or CHUNKING).
                caps.check_parameter(&Parameter::Body(Body::BinaryMime), self.tls)?;
                (Some(Body::BinaryMime), Transfer::Bdat)
            }
        };
        let size = match (size, body) {
            (Some(n), _) => Some(n),
            (None, MessageBody::Content(c)) => Some(wire_size(c, transfer)),
            (None, MessageBody::Kind(_)) => None,
        }
        .filter(|_| caps.size().is_some());
        let utf8 = !mail.path.is_ascii() || rcpts.iter().any(|r| !r.path.is_ascii());
        Ok(MessagePlan {
            kind,
            body: body_param,
            smtputf8: utf8 && caps.has(&Capability::SmtpUtf8),
            size,
            transfer,
        })
    }

    /// Refuses what the server's EHLO response does not allow
    /// ([`EhloResponse::check_parameter`]), and a UTF-8 address without SMTPUTF8 (RFC 6531
    /// §3.4: offered by the server and given on MAIL).
    fn check_envelope(&self, mail: &MailFrom<'_>, rcpts: &[RcptTo<'_>]) -> Result<(), Error> {
        let no_caps = EhloResponse {
            domain: "".into(),
            greeting: None,
            capabilities: Vec::new(),
        };
        let caps = self.caps.as_ref().unwrap_or(&no_caps);
        let params = mail
            .params
            .iter()
            .chain(rcpts.iter().flat_map(|r| r.params.iter()));
        for p in params {
            caps.check_parameter(&p, self.tls)?;
        }
        // RFC 9422 §4.2: no more RCPTs in a transaction than LIMITS RCPTMAX.
        caps.check_recipients(rcpts.len())?;
        if !mail.path.is_ascii() || rcpts.iter().any(|r| !r.path.is_ascii()) {
            if !caps.has(&Capability::SmtpUtf8) {
                return Err(Error::ParameterNotOffered {
                    parameter: "UTF-8 address",
                    capability: "SMTPUTF8",
                });
            }
            if !mail.params.smtputf8() {
                return Err(Error::Misuse(
                    "a UTF-8 address needs the SMTPUTF8 parameter on MAIL",
                ));
            }
        }
        Ok(())
    }

    /// Sends DATA (after an accepted envelope).
    ///
    /// # Errors
    /// [`Error::Misuse`] before an envelope with an accepted recipient.
    pub fn data(&mut self, now: Duration) -> Result<(), Error> {
        self.check()?;
        if self.phase != Phase::EnvelopeDone {
            return Err(Error::Misuse("DATA needs an accepted envelope"));
        }
        if self.binary {
            // RFC 3030 §3: a BINARYMIME message cannot be sent with DATA.
            return Err(Error::Misuse("BODY=BINARYMIME is sent with BDAT, not DATA"));
        }
        self.phase = Phase::Waiting;
        self.last_activity = now;
        self.send(&Command::Data, Expect::Data);
        Ok(())
    }

    /// Sends message content (dot-stuffed, line endings made CRLF).
    ///
    /// # Errors
    /// [`Error::Misuse`] unless [`ClientEvent::DataReady`] came.
    pub fn send_body(&mut self, content: &[u8], now: Duration) -> Result<(), Error> {
        self.check()?;
        if self.phase != Phase::Body {
            return Err(Error::Misuse("send_body needs a 354"));
        }
        self.last_activity = now;
        self.stuffer.encode(content, &mut self.out);
        Ok(())
    }

    /// Ends the message with CRLF.CRLF.
    ///
    /// # Errors
    /// [`Error::Misuse`] unless sending a body.
    pub fn finish_body(&mut self, now: Duration) -> Result<(), Error> {
        self.check()?;
        if self.phase != Phase::Body {
            return Err(Error::Misuse("finish_body needs a 354"));
        }
        self.stuffer.finish(&mut self.out);
        self.phase = Phase::MessageSent;
        self.last_activity = now;
        let left = if self.config.lmtp {
            self.accepted_count().max(1)
        } else {
            1
        };
        self.in_flight.push_back(Expect::Message { left });
        Ok(())
    }

    /// Sends one BDAT chunk (RFC 3030), exactly as given. Without PIPELINING a chunk
    /// given while the previous chunk's reply is due is held (copied) and written once
    /// that reply is in (RFC 2920 §3: a client sends a command before the previous reply
    /// only when the server offered PIPELINING); after a refused chunk, held chunks are
    /// dropped (RFC 3030 §2: no further BDAT).
    ///
    /// # Errors
    /// [`Error::Misuse`] without CHUNKING or an accepted envelope.
    pub fn send_chunk(&mut self, chunk: &[u8], last: bool, now: Duration) -> Result<(), Error> {
        self.check()?;
        if !matches!(self.phase, Phase::EnvelopeDone | Phase::Chunks) {
            return Err(Error::Misuse("BDAT needs an accepted envelope"));
        }
        if !self
            .caps
            .as_ref()
            .is_some_and(|c| c.has(&Capability::Chunking))
        {
            return Err(Error::Misuse("CHUNKING not offered"));
        }
        let cmd = Command::Bdat {
            size: chunk.len() as u64,
            last,
        };
        if !self.pipelining() && !self.in_flight.is_empty() {
            self.held
                .push_back((cmd, Expect::Bdat { last }, chunk.to_vec()));
        } else {
            self.send(&cmd, Expect::Bdat { last });
            self.out.extend_from_slice(chunk);
        }
        self.phase = if last {
            Phase::MessageSent
        } else {
            Phase::Chunks
        };
        self.last_activity = now;
        Ok(())
    }

    /// Sends RSET (RFC 5321 §4.1.1.5).
    ///
    /// # Errors
    /// [`Error::Misuse`] while a reply or body is outstanding.
    pub fn rset(&mut self, now: Duration) -> Result<(), Error> {
        self.check()?;
        if !matches!(self.phase, Phase::Ready | Phase::EnvelopeDone) {
            return Err(Error::Misuse("RSET needs an idle session"));
        }
        self.outcomes.clear();
        self.phase = Phase::Waiting;
        self.last_activity = now;
        self.send(&Command::Rset, Expect::Simple);
        Ok(())
    }

    /// Sends NOOP.
    ///
    /// # Errors
    /// [`Error::Misuse`] unless ready.
    pub fn noop(&mut self, now: Duration) -> Result<(), Error> {
        self.simple(&Command::Noop(None), "NOOP needs a ready session", now)
    }

    /// Sends `VRFY string` (RFC 5321 §4.1.1.6); [`ClientEvent::Reply`] has the answer.
    ///
    /// # Errors
    /// [`Error::Misuse`] unless ready; [`Error::LimitExceeded`] for a line over 512 octets
    /// (nothing is written).
    pub fn vrfy(&mut self, what: Text<'_>, now: Duration) -> Result<(), Error> {
        self.simple(&Command::Vrfy(what), "VRFY needs a ready session", now)
    }

    /// Sends `EXPN string` (RFC 5321 §4.1.1.7); [`ClientEvent::Reply`] has the answer.
    ///
    /// # Errors
    /// As [`vrfy`](Self::vrfy).
    pub fn expn(&mut self, list: Text<'_>, now: Duration) -> Result<(), Error> {
        self.simple(&Command::Expn(list), "EXPN needs a ready session", now)
    }

    /// Sends `HELP [string]` (RFC 5321 §4.1.1.8); [`ClientEvent::Reply`] has the answer.
    ///
    /// # Errors
    /// As [`vrfy`](Self::vrfy).
    pub fn help(&mut self, topic: Option<Text<'_>>, now: Duration) -> Result<(), Error> {
        self.simple(&Command::Help(topic), "HELP needs a ready session", now)
    }

    /// One command answered by one reply ([`ClientEvent::Reply`]), from a ready session.
    fn simple(
        &mut self,
        cmd: &Command<'_>,
        misuse: &'static str,
        now: Duration,
    ) -> Result<(), Error> {
        self.ready(misuse)?;
        cmd.check_line_length()?;
        self.phase = Phase::Waiting;
        self.last_activity = now;
        self.send(cmd, Expect::Simple);
        Ok(())
    }

    /// Sends QUIT.
    ///
    /// # Errors
    /// [`Error::Misuse`] while a body is being sent.
    pub fn quit(&mut self, now: Duration) -> Result<(), Error> {
        self.check()?;
        if matches!(self.phase, Phase::Body | Phase::Chunks | Phase::Closed) {
            return Err(Error::Misuse("QUIT not possible now"));
        }
        if self.in_flight.iter().any(|e| matches!(e, Expect::Quit))
            || self.held.iter().any(|(_, e, _)| matches!(e, Expect::Quit))
        {
            return Err(Error::Misuse("QUIT already sent"));
        }
        self.last_activity = now;
        let pipelining = self.pipelining();
        if pipelining || self.in_flight.is_empty() {
            self.send(&Command::Quit, Expect::Quit);
        } else {
            self.held
                .push_back((Command::Quit, Expect::Quit, Vec::new()));
        }
        Ok(())
    }

    /// Bytes to send.
    #[must_use]
    pub fn transmit(&self) -> &[u8] {
        &self.out
    }

    /// Reports that `n` bytes of [`transmit`](Self::transmit) were sent.
    pub fn consumed(&mut self, n: usize) {
        let n = n.min(self.out.len());
        self.out.drain(..n);
    }

    /// When the RFC 5321 §4.5.3.2 timeout for the awaited reply (or the data block) is due.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Duration> {
        if self.phase == Phase::Closed {
            return None;
        }
        if matches!(self.phase, Phase::Body | Phase::Chunks) && self.in_flight.is_empty() {
            return self
                .last_activity
                .checked_add(self.config.timeouts.data_block);
        }
        let t = self.in_flight.front()?.timeout(&self.config.timeouts);
        self.last_activity.checked_add(t)
    }

    /// Checks the timeout; when expired the session fails with [`Error::Timeout`].
    pub fn handle_timeout(&mut self, now: Duration) -> Option<Error> {
        match self.poll_timeout() {
            Some(deadline) if now >= deadline => {
                let what = self
                    .in_flight
                    .front()
                    .map_or("the data block", Expect::what);
                Some(self.fail(Error::Timeout(what)))
            }
            _ => None,
        }
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// Whether the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        self.tls
    }
}
