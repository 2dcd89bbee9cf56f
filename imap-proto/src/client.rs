//! The client session machine (RFC 3501 §3): tags, pipelined commands sent as fragments
//! that wait for `+` at each synchronizing literal (or use LITERAL+ / LITERAL- when offered,
//! RFC 7888), tagged completions matched to commands, untagged data delivered while commands
//! run, capabilities tracked from the greeting, CAPABILITY responses and `[CAPABILITY]`
//! codes; AUTHENTICATE with SASL-IR (RFC 4959), STARTTLS (§6.2.1), IDLE (RFC 2177), ENABLE
//! (RFC 5161) and COMPRESS=DEFLATE (RFC 4978).
//!
//! Sans-IO: the machine never touches a socket or a clock. Call order:
//!
//! 1. [`Client::new`] with the transport security (`tls`) and the [`ClientConfig`].
//! 2. Queue commands at any time with [`send`](Client::send) or the typed helpers
//!    ([`login`](Client::login), [`authenticate`](Client::authenticate),
//!    [`starttls`](Client::starttls), [`idle`](Client::idle), [`enable`](Client::enable),
//!    [`compress`](Client::compress)); each returns a [`Handle`] that its completion event
//!    carries. Commands are pipelined except where the protocol forbids it: after
//!    AUTHENTICATE, STARTTLS, IDLE and COMPRESS the next command waits for the completion.
//! 3. Write [`transmit`](Client::transmit) to the server and call
//!    [`consumed`](Client::consumed) with what was written.
//! 4. [`receive`](Client::receive) what arrives and loop on
//!    [`next_event`](Client::next_event) until `Ok(None)`. Continuation requests for
//!    literals, SASL challenges and IDLE are answered by the machine itself. After
//!    [`Event::StartTls`], run the TLS handshake and call
//!    [`tls_established`](Client::tls_established); after [`Event::Compress`], switch the
//!    stream to DEFLATE.
//!
//! 5. With a clock ([`receive_at`](Client::receive_at)), wake up at
//!    [`poll_timeout`](Client::poll_timeout) and call
//!    [`handle_timeout`](Client::handle_timeout): it ends an IDLE after 29 minutes so that
//!    it can be re-issued (RFC 2177 §3).
//!
//! Extension commands are typed ([`CommandBody::Move`], [`CommandBody::SelectExt`]...),
//! with builders for the common ones ([`move_messages`](Client::move_messages),
//! [`uid_expunge`](Client::uid_expunge), [`unselect`](Client::unselect),
//! [`select_condstore`](Client::select_condstore),
//! [`select_qresync`](Client::select_qresync),
//! [`fetch_changed_since`](Client::fetch_changed_since),
//! [`store_unchanged_since`](Client::store_unchanged_since), [`id`](Client::id),
//! [`namespace`](Client::namespace)). [`send`](Client::send) refuses a command whose
//! capability the server did not advertise where the RFC requires it: UID EXPUNGE needs
//! UIDPLUS (RFC 4315 §3), MOVE needs MOVE (RFC 6851 §3.3), ENABLE needs ENABLE (RFC 5161
//! §3.1) — IMAP4rev2 (RFC 9051) counts for all three — and a QRESYNC SELECT or a VANISHED
//! FETCH needs `ENABLE QRESYNC` first (RFC 7162 §3.2.3; an ENABLE still in flight counts,
//! so both can be pipelined); after `ENABLE UTF8=ACCEPT` SEARCH takes no CHARSET (RFC
//! 6855 §3). CONDSTORE counts as enabled once a CONDSTORE enabling
//! command completed OK or QRESYNC is enabled (RFC 7162 §3.1, §3.2.3).
//!
//! IMAP4rev2 (RFC 9051) on the command side: [`enable`](Client::enable) with
//! `IMAP4rev2`, and the rev2 grammar (UID EXPUNGE, MOVE, UNSELECT in the base, STATUS
//! SIZE / DELETED, SEARCH RETURN, literal8). Once `ENABLE IMAP4rev2` succeeded, or when
//! the server offers IMAP4rev2 without IMAP4rev1, [`send`](Client::send) refuses what rev2
//! removed ([`CommandBody::removed_in_rev2`]: LSUB, CHECK, the RFC822 / RFC822.HEADER /
//! RFC822.TEXT fetch items, STATUS RECENT, the NEW / OLD / RECENT search keys).
//!
//! Literals of a large response can come as borrowed chunks
//! ([`ClientConfig::stream_threshold`]). Literals of commands are copied into the send
//! queue.
//!
//! Events borrow from the machine's input buffer. Decoding errors are not sticky: the bad
//! response is skipped and the next call goes on.
//!
//! ```
//! use imap_proto::client::{Client, ClientConfig, Event};
//! use imap_proto::server::State;
//! use imap_proto::{CommandBody, Literal, Mailbox};
//!
//! // Implicit TLS (port 993): LOGIN is allowed.
//! let mut client = Client::new(ClientConfig::default(), true);
//! client.receive(b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
//! assert!(matches!(client.next_event()?, Some(Event::Greeting(_))));
//! assert!(client.has_capability("IDLE"));
//!
//! let login = client.login("joe", "secret")?;
//! let append = client.send(CommandBody::Append {
//!     mailbox: Mailbox::Inbox,
//!     flags: None,
//!     date: None,
//!     message: Literal::new(&b"hello"[..])?,
//! })?;
//! // Pipelined up to the synchronizing literal, which waits for `+`.
//! assert_eq!(client.take_output(), b"A1 LOGIN joe secret\r\nA2 APPEND INBOX {5}\r\n");
//!
//! client.receive(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] done\r\n+ go ahead\r\n");
//! let Some(Event::Completed { handle, .. }) = client.next_event()? else { panic!() };
//! assert_eq!(handle, login);
//! assert_eq!(client.state(), Some(State::Authenticated));
//! assert!(client.next_event()?.is_none()); // the `+` was answered by the machine
//! assert_eq!(client.take_output(), b"hello\r\n");
//!
//! client.receive(b"* 1 EXISTS\r\nA2 OK APPEND completed\r\n");
//! assert!(matches!(client.next_event()?, Some(Event::Data(_))));
//! let Some(Event::Completed { handle, status }) = client.next_event()? else { panic!() };
//! assert_eq!((handle, status.text.as_str()), (append, "APPEND completed"));
//! # Ok::<(), imap_proto::Error>(())
//! ```

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use mail_common::buffer::InputBuffer;
use mail_common::decode::Decoded;
use mail_common::sasl::SaslClient;

use crate::codec::{ResponseDecoder, Streamed};
use crate::config::{Config, Limits, Quirks};
use crate::error::Error;
use crate::serialize::{Fragment, LiteralSupport};
use crate::server::{Class, State, class_of};
use crate::types::command::{
    Command, CommandBody, FetchItems, FetchModifier, Qresync, SelectParam, StoreAction,
    StoreAttribute, StoreFlags, StoreModifier,
};
use crate::types::core::{AString, Atom, IString, ModSeq, Quoted, Tag, Vec1};
use crate::types::flag::Flag;
use crate::types::mailbox::Mailbox;
use crate::types::response::{
    Capability, Code, Continue, Data, Greeting, Response, StatusKind, StatusResponse,
};
use crate::types::sequence::SequenceSet;

/// Names a command sent with [`Client::send`]; its completion carries the same handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(u32);

impl Handle {
    /// The command's number (its tag is the configured prefix and this number).
    pub fn id(self) -> u32 {
        self.0
    }
}

/// The client's options.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Tag prefix (`A` gives `A1`, `A2`...).
    pub tag_prefix: String,
    /// Minimum digits of the tag number, zero-padded (3 with prefix `a` gives `a001`).
    pub tag_width: usize,
    /// Allow LOGIN and plaintext SASL mechanisms (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) over
    /// an unencrypted transport. Off by default (RFC 3501 §11.1, RFC 8314).
    pub allow_plaintext_login: bool,
    /// The lenient mode's toggles for real servers' non-conformances.
    pub quirks: Quirks,
    /// Decoder limits.
    pub limits: Limits,
    /// Literals of at least this many octets (a large `BODY[]`) come as
    /// [`Event::LiteralStart`] and [`Event::LiteralData`] chunks borrowed from the input
    /// instead of one buffer, so memory does not grow with the message size; the response
    /// holding them then arrives with those literals empty. `None`: never stream.
    pub stream_threshold: Option<u64>,
    /// End IDLE this long after it began so that it can be re-issued before the server's
    /// autologout timer (RFC 2177 §3: at least every 29 minutes); `None`: never.
    pub idle_refresh: Option<Duration>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            tag_prefix: "A".into(),
            tag_width: 0,
            allow_plaintext_login: false,
            quirks: Quirks::LENIENT,
            limits: Limits::CLIENT,
            stream_threshold: None,
            idle_refresh: Some(Duration::from_secs(29 * 60)),
        }
    }
}

/// What the server said, as the application sees it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The greeting (`* OK`, `* PREAUTH` or `* BYE`).
    Greeting(Greeting<'a>),
    /// Untagged data (`* 3 EXISTS`, `* 1 FETCH (...)`, `* LIST ...`, `* ENABLED ...`).
    Data(Data<'a>),
    /// An untagged status (`* OK [UIDVALIDITY 3] ...`, `* BYE ...`), or a tagged one whose
    /// tag names no command in flight.
    Status(StatusResponse<'a>),
    /// A continuation request no command waits for.
    Continue(Continue<'a>),
    /// A command finished: its tagged OK, NO or BAD.
    Completed {
        /// The command.
        handle: Handle,
        /// The tagged response.
        status: StatusResponse<'a>,
    },
    /// A literal of `size` octets at or over [`ClientConfig::stream_threshold`] starts;
    /// its data follows as [`Event::LiteralData`].
    LiteralStart {
        /// The announced size.
        size: u64,
    },
    /// The next piece of a streamed literal, borrowed from the input.
    LiteralData(&'a [u8]),
    /// The server accepted IDLE (`+`): untagged updates follow as [`Event::Data`]; end it
    /// with [`Client::idle_done`].
    Idling {
        /// The IDLE command.
        handle: Handle,
    },
    /// The server accepted STARTTLS: start the TLS handshake now, then call
    /// [`Client::tls_established`]. Cached capabilities were dropped (RFC 3501 §6.2.1).
    ///
    /// This event *is* the STARTTLS command's completion: the tagged OK was consumed to
    /// produce it and no [`Event::Completed`] follows for `handle`. A NO or BAD to STARTTLS
    /// comes as [`Event::Completed`] as usual.
    StartTls {
        /// The STARTTLS command.
        handle: Handle,
        /// Octets the server had sent after its OK, dropped as possibly injected.
        discarded: usize,
    },
    /// The server accepted COMPRESS DEFLATE (RFC 4978): from now on compress what
    /// [`Client::transmit`] gives and decompress what arrives before
    /// [`Client::receive`].
    Compress {
        /// The COMPRESS command.
        handle: Handle,
        /// Octets received after the OK: already compressed; decompress them and feed
        /// them back.
        buffered: Vec<u8>,
    },
}

#[derive(Debug)]
enum Piece {
    Line(Vec<u8>),
    Literal(Vec<u8>),
}

#[derive(Debug)]
struct Queued {
    handle: u32,
    pieces: VecDeque<Piece>,
    /// The next command waits for this one's completion.
    barrier: bool,
}

#[derive(Debug)]
enum Kind {
    Login,
    Authenticate(SaslClient),
    Select { read_only: bool },
    Deselect,
    StartTls,
    Idle { idling: bool, done: bool },
    Compress,
    Enable,
    Logout,
    Other,
}

#[derive(Debug)]
struct InFlight {
    handle: u32,
    tag: String,
    kind: Kind,
    /// A CONDSTORE enabling command (RFC 7162 §3.1): its OK turns CONDSTORE on.
    condstore: bool,
}

/// Why the output queue waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blocked {
    No,
    /// For `+` before a synchronizing literal of this command.
    Continuation(u32),
    /// For this command's completion.
    Completion(u32),
    /// For [`Client::tls_established`].
    Tls,
}

#[derive(Debug)]
struct Core {
    config: ClientConfig,
    state: Option<State>,
    projected: State,
    tls: bool,
    compressed: bool,
    output: Vec<u8>,
    queue: VecDeque<Queued>,
    blocked: Blocked,
    in_flight: Vec<InFlight>,
    next_tag: u32,
    capabilities: Vec<Capability<'static>>,
    enabled: Vec<String>,
    /// Capabilities named in ENABLE commands.
    requested: Vec<String>,
    discarding: bool,
    /// The caller's clock at the last [`Client::receive_at`].
    now: Option<Duration>,
    /// When the server accepted the IDLE in progress.
    idle_since: Option<Duration>,
}

/// The client session. See the [module docs](self) for the call order.
#[derive(Debug)]
#[must_use]
pub struct Client {
    input: InputBuffer,
    decoder: ResponseDecoder,
    settled: usize,
    clear: bool,
    core: Core,
}

const fn misuse(reason: &'static str) -> Error {
    Error::invalid("client call", reason)
}

/// The capability as it appears on the wire.
fn capability_name(c: &Capability<'_>) -> String {
    match c {
        Capability::Imap4Rev1 => "IMAP4rev1".into(),
        Capability::Auth(a) => format!("AUTH={}", a.as_str()),
        Capability::LoginDisabled => "LOGINDISABLED".into(),
        Capability::StartTls => "STARTTLS".into(),
        Capability::Other(a) => a.as_str().into(),
    }
}

/// `{n}\r\n` at the end of `line` (a synchronizing literal announcement).
fn ends_with_sync_announcement(line: &[u8]) -> Option<usize> {
    let l = line.strip_suffix(b"}\r\n")?;
    let digits = l.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let brace = l.len().checked_sub(digits + 1)?;
    if l.get(brace) != Some(&b'{') {
        return None;
    }
    core::str::from_utf8(l.get(brace + 1..)?).ok()?.parse().ok()
}

/// Splits raw bytes that may hold inline synchronizing literals (the arguments of an
/// extension command kept raw) into pieces.
fn split_inline(mut bytes: &[u8], pieces: &mut VecDeque<Piece>) {
    let mut line = Vec::new();
    while let Some(lf) = memchr::memchr(b'\n', bytes) {
        let (head, tail) = bytes.split_at(lf + 1);
        line.extend_from_slice(head);
        bytes = tail;
        if let Some(n) = ends_with_sync_announcement(&line) {
            pieces.push_back(Piece::Line(core::mem::take(&mut line)));
            let n = n.min(bytes.len());
            let (data, tail) = bytes.split_at(n);
            pieces.push_back(Piece::Literal(data.to_vec()));
            bytes = tail;
        }
    }
    line.extend_from_slice(bytes);
    if !line.is_empty() {
        pieces.push_back(Piece::Line(line));
    }
}

impl Client {
    /// A new session waiting for the greeting. `tls`: the transport is already encrypted
    /// (implicit TLS, port 993).
    pub fn new(config: ClientConfig, tls: bool) -> Self {
        let mut decoder = ResponseDecoder::new(Config {
            limits: config.limits,
            quirks: config.quirks,
            utf8: false,
        });
        if let Some(t) = config.stream_threshold {
            decoder = decoder.with_stream_threshold(t);
        }
        Client {
            input: InputBuffer::new(),
            decoder,
            settled: 0,
            clear: false,
            core: Core {
                config,
                state: None,
                projected: State::NotAuthenticated,
                tls,
                compressed: false,
                output: Vec::new(),
                queue: VecDeque::new(),
                blocked: Blocked::No,
                in_flight: Vec::new(),
                next_tag: 1,
                capabilities: Vec::new(),
                enabled: Vec::new(),
                requested: Vec::new(),
                discarding: false,
                now: None,
                idle_since: None,
            },
        }
    }

    /// The connection state; `None` before the greeting.
    pub fn state(&self) -> Option<State> {
        self.core.state
    }

    /// Whether the transport is encrypted.
    pub fn is_tls(&self) -> bool {
        self.core.tls
    }

    /// Whether COMPRESS DEFLATE is in force.
    pub fn is_compressed(&self) -> bool {
        self.core.compressed
    }

    /// The server's capabilities as last announced (empty when unknown, e.g. right after
    /// STARTTLS).
    pub fn capabilities(&self) -> &[Capability<'static>] {
        &self.core.capabilities
    }

    /// Whether the server announced `name` (case-insensitive, e.g. `IDLE`, `AUTH=PLAIN`).
    pub fn has_capability(&self, name: &str) -> bool {
        self.core.has(name)
    }

    /// Whether `name` is in force: reported by the server's `* ENABLED` (RFC 5161); for
    /// `CONDSTORE` also after a CONDSTORE enabling command completed OK or once QRESYNC
    /// is enabled (RFC 7162 §3.1, §3.2.3).
    pub fn is_enabled(&self, name: &str) -> bool {
        self.core.enabled_has(name)
            || (name.eq_ignore_ascii_case("CONDSTORE") && self.core.enabled_has("QRESYNC"))
    }

    /// Commands sent or queued and not completed yet.
    pub fn in_flight(&self) -> usize {
        self.core.in_flight.len()
    }

    /// The tag of a command in flight.
    pub fn tag(&self, handle: Handle) -> Option<&str> {
        self.core
            .in_flight
            .iter()
            .find(|f| f.handle == handle.0)
            .map(|f| f.tag.as_str())
    }

    /// Octets received and not yet handled.
    pub fn buffered(&self) -> usize {
        self.input.len().saturating_sub(self.settled)
    }

    /// [`receive`](Self::receive) with the caller's clock (any monotonic origin), used to
    /// time IDLE (see [`poll_timeout`](Self::poll_timeout)).
    pub fn receive_at(&mut self, bytes: &[u8], now: Duration) {
        self.core.now = Some(now);
        self.receive(bytes);
    }

    /// When the IDLE in progress should be ended to be re-issued (RFC 2177 §3,
    /// [`ClientConfig::idle_refresh`]); `None` when not idling or without a clock.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.core
            .idle_since?
            .checked_add(self.core.config.idle_refresh?)
    }

    /// Checks the IDLE timer: if it expired, sends DONE (the IDLE then completes as
    /// usual and the application may issue a new one). Returns whether it did.
    pub fn handle_timeout(&mut self, now: Duration) -> bool {
        match self.poll_timeout() {
            Some(deadline) if now >= deadline => {
                self.core.idle_since = None;
                self.idle_done().is_ok()
            }
            _ => false,
        }
    }

    /// Feeds bytes received from the server.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.settle();
        if self.core.blocked == Blocked::Tls {
            return;
        }
        self.input.extend(bytes);
    }

    /// Bytes to send to the server.
    pub fn transmit(&self) -> &[u8] {
        &self.core.output
    }

    /// Drops the first `n` bytes of [`transmit`](Self::transmit) after they were sent.
    pub fn consumed(&mut self, n: usize) {
        let n = n.min(self.core.output.len());
        self.core.output.drain(..n);
    }

    /// Takes all the bytes to send.
    pub fn take_output(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.core.output)
    }

    fn settle(&mut self) {
        if self.clear {
            self.clear = false;
            self.input.clear();
        } else if self.settled > 0 {
            self.input.consume(self.settled);
        }
        self.settled = 0;
    }

    /// Queues a command. LOGIN is refused over an unencrypted transport unless allowed,
    /// and when the server announced LOGINDISABLED; commands not allowed in the state the
    /// session will be in once the queued commands succeed are refused; AUTHENTICATE needs
    /// [`authenticate`](Self::authenticate).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the reason.
    pub fn send(&mut self, body: CommandBody<'_>) -> Result<Handle, Error> {
        self.settle();
        let core = &mut self.core;
        let name = body.name();
        let class = class_of(if body.is_uid() {
            b"UID"
        } else {
            name.as_bytes()
        });
        match (core.projected, class) {
            (State::Logout, _) => return Err(misuse("the session is over")),
            (_, Class::Any) => {}
            (State::NotAuthenticated, Class::NotAuthenticated) => {}
            (State::NotAuthenticated, _) => return Err(misuse("not authenticated")),
            (_, Class::NotAuthenticated) => return Err(misuse("already authenticated")),
            (State::Authenticated, Class::Selected) => return Err(misuse("no mailbox selected")),
            (State::Selected { .. }, Class::AuthenticatedOnly) => {
                return Err(misuse("only valid in the authenticated state"));
            }
            _ => {}
        }
        if let Some(reason) = core.missing_capability(&body) {
            return Err(misuse(reason));
        }
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        let (kind, barrier) = match &body {
            CommandBody::Login { .. } => {
                if core.has("LOGINDISABLED") {
                    return Err(misuse("the server announced LOGINDISABLED"));
                }
                if !core.tls && !core.config.allow_plaintext_login {
                    return Err(misuse("LOGIN over an unencrypted transport"));
                }
                core.projected = State::Authenticated;
                (Kind::Login, false)
            }
            CommandBody::Authenticate { .. } => {
                return Err(misuse("use Client::authenticate"));
            }
            CommandBody::StartTls => {
                if core.tls {
                    return Err(misuse("TLS is already active"));
                }
                (Kind::StartTls, true)
            }
            CommandBody::Select { .. } => {
                core.projected = State::Selected { read_only: false };
                (Kind::Select { read_only: false }, false)
            }
            CommandBody::Examine { .. } => {
                core.projected = State::Selected { read_only: true };
                (Kind::Select { read_only: true }, false)
            }
            CommandBody::Close => {
                core.projected = State::Authenticated;
                (Kind::Deselect, false)
            }
            CommandBody::Logout => {
                core.projected = State::Logout;
                (Kind::Logout, false)
            }
            CommandBody::SelectExt { examine, .. } => {
                let read_only = *examine;
                core.projected = State::Selected { read_only };
                (Kind::Select { read_only }, false)
            }
            CommandBody::Other { .. } if is("SELECT") || is("EXAMINE") => {
                // With parameters the grammar does not model, sent raw.
                let read_only = is("EXAMINE");
                core.projected = State::Selected { read_only };
                (Kind::Select { read_only }, false)
            }
            CommandBody::Unselect => {
                core.projected = State::Authenticated;
                (Kind::Deselect, false)
            }
            CommandBody::Idle => (
                Kind::Idle {
                    idling: false,
                    done: false,
                },
                true,
            ),
            CommandBody::Compress { .. } => (Kind::Compress, true),
            CommandBody::Enable { capabilities } => {
                for c in capabilities {
                    if !core
                        .requested
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(c.as_str()))
                    {
                        core.requested.push(String::from(c.as_str()));
                    }
                }
                (Kind::Enable, false)
            }
            _ => (Kind::Other, false),
        };
        let condstore = body.enables_condstore();
        let h = core.queue_command(body, kind, barrier);
        if condstore {
            if let Some(f) = core.in_flight.iter_mut().find(|f| f.handle == h.0) {
                f.condstore = true;
            }
        }
        Ok(h)
    }

    /// `LOGIN user password` (RFC 3501 §6.2.3), with the checks of [`send`](Self::send).
    ///
    /// # Errors
    /// As [`send`](Self::send), or a NUL in the user name or password.
    pub fn login(&mut self, user: &str, password: &str) -> Result<Handle, Error> {
        let username = AString::new(user.as_bytes())?;
        let password = AString::new(password.as_bytes())?;
        self.send(CommandBody::Login { username, password })
    }

    /// `AUTHENTICATE` (RFC 3501 §6.2.2) driven by `sasl`, with its initial response on
    /// the command line when the server offers SASL-IR (RFC 4959). Mechanisms that send a
    /// reusable secret are refused over an unencrypted transport unless allowed.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the reason.
    pub fn authenticate(&mut self, mut sasl: SaslClient) -> Result<Handle, Error> {
        self.settle();
        let core = &mut self.core;
        match core.projected {
            State::NotAuthenticated => {}
            State::Logout => return Err(misuse("the session is over")),
            _ => return Err(misuse("already authenticated")),
        }
        let mech = sasl.mechanism();
        if mech.is_plaintext() && !core.tls && !core.config.allow_plaintext_login {
            return Err(misuse("plaintext mechanism over an unencrypted transport"));
        }
        if sasl.check().is_err() {
            return Err(misuse("credentials the mechanism cannot encode"));
        }
        let initial_response = if core.has("SASL-IR") {
            sasl.initial_response().map(alloc::borrow::Cow::Owned)
        } else {
            None
        };
        let mechanism = Atom::new(String::from(mech.as_str()))?;
        core.projected = State::Authenticated;
        let body = CommandBody::Authenticate {
            mechanism,
            initial_response,
        };
        Ok(core.queue_command(body, Kind::Authenticate(sasl), true))
    }

    /// `STARTTLS` (RFC 3501 §6.2.1). When the server answers OK the completion comes as
    /// [`Event::StartTls`] (not [`Event::Completed`]); commands queued meanwhile wait for
    /// [`tls_established`](Self::tls_established).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn starttls(&mut self) -> Result<Handle, Error> {
        self.send(CommandBody::StartTls)
    }

    /// `IDLE` (RFC 2177 §3); [`Event::Idling`] follows the server's `+`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn idle(&mut self) -> Result<Handle, Error> {
        self.send(CommandBody::Idle)
    }

    /// Ends IDLE with `DONE` (sent as soon as the server accepted IDLE).
    ///
    /// # Errors
    /// [`Error::Invalid`] when no IDLE is in flight.
    pub fn idle_done(&mut self) -> Result<(), Error> {
        self.settle();
        let core = &mut self.core;
        let Some(f) = core
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.kind, Kind::Idle { done: false, .. }))
        else {
            return Err(misuse("no IDLE in flight"));
        };
        core.idle_since = None;
        if let Kind::Idle { idling, done } = &mut f.kind {
            *done = true;
            if *idling {
                core.output.extend_from_slice(b"DONE\r\n");
            }
        }
        Ok(())
    }

    /// `ENABLE cap ...` (RFC 5161); the server's `* ENABLED` is recorded (see
    /// [`is_enabled`](Self::is_enabled)) and `UTF8=ACCEPT` or `IMAP4rev2` switches the
    /// decoder to UTF-8.
    /// `ENABLE IMAP4rev2` (RFC 9051 §6.3.1) is the way into rev2 on a server that offers
    /// both.
    ///
    /// # Errors
    /// As [`send`](Self::send) (the server must advertise ENABLE or IMAP4rev2), or a name
    /// that is not an atom.
    pub fn enable(&mut self, capabilities: &[&str]) -> Result<Handle, Error> {
        let atoms = capabilities
            .iter()
            .map(|c| Atom::new(String::from(*c)))
            .collect::<Result<Vec<_>, _>>()?;
        let capabilities =
            Vec1::try_from(atoms).map_err(|_| misuse("ENABLE needs at least one capability"))?;
        self.send(CommandBody::Enable { capabilities })
    }

    /// `COMPRESS DEFLATE` (RFC 4978), if the server offers it.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the server did not announce COMPRESS=DEFLATE or it is
    /// already active; as [`send`](Self::send).
    pub fn compress(&mut self) -> Result<Handle, Error> {
        if !self.core.has("COMPRESS=DEFLATE") || self.core.compressed {
            return Err(misuse("COMPRESS=DEFLATE not offered or already active"));
        }
        self.send(CommandBody::Compress {
            algorithm: Atom::new("DEFLATE")?,
        })
    }

    /// `[UID] MOVE sequence-set mailbox` (RFC 6851 §3).
    ///
    /// # Errors
    /// [`Error::Invalid`] unless the server advertised MOVE (or IMAP4rev2); as
    /// [`send`](Self::send).
    pub fn move_messages(
        &mut self,
        uid: bool,
        sequence_set: &SequenceSet<'_>,
        mailbox: &Mailbox<'_>,
    ) -> Result<Handle, Error> {
        self.send(CommandBody::Move {
            uid,
            sequence_set: sequence_set.clone(),
            mailbox: mailbox.clone(),
        })
    }

    /// `SELECT` / `EXAMINE` with the CONDSTORE parameter (RFC 7162 §3.1.8): the server
    /// then reports `[HIGHESTMODSEQ n]` and MODSEQ data; CONDSTORE is enabled once it
    /// completes OK.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn select_condstore(
        &mut self,
        mailbox: &Mailbox<'_>,
        read_only: bool,
    ) -> Result<Handle, Error> {
        self.send(CommandBody::SelectExt {
            examine: read_only,
            mailbox: mailbox.clone(),
            parameters: Vec1::one(SelectParam::Condstore),
        })
    }

    /// `SELECT` / `EXAMINE` with the QRESYNC parameter (RFC 7162 §3.2.5): the last known
    /// UIDVALIDITY and mod-sequence, and optionally the known UIDs; the server answers
    /// with `* VANISHED (EARLIER) ...` and the changed messages.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless QRESYNC was enabled (RFC 7162 §3.2.3) or for a
    /// mod-sequence of 0 or over 2^63 - 1; as [`send`](Self::send).
    pub fn select_qresync(
        &mut self,
        mailbox: &Mailbox<'_>,
        read_only: bool,
        uidvalidity: core::num::NonZeroU32,
        modseq: u64,
        known_uids: Option<&SequenceSet<'_>>,
    ) -> Result<Handle, Error> {
        let q = Qresync {
            uidvalidity,
            modseq: ModSeq::new(modseq)?,
            known_uids: known_uids.map(|k| k.clone().into_owned()),
            seq_match: None,
        };
        self.send(CommandBody::SelectExt {
            examine: read_only,
            mailbox: mailbox.clone(),
            parameters: Vec1::one(SelectParam::Qresync(q)),
        })
    }

    /// `UID FETCH uids items (CHANGEDSINCE modseq [VANISHED])` (RFC 7162 §3.1.4.1,
    /// §3.2.6): the messages changed since `modseq`, and with `vanished` (QRESYNC) the
    /// UIDs expunged since then as `* VANISHED (EARLIER)`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a mod-sequence of 0 or over 2^63 - 1, or `vanished` without
    /// QRESYNC enabled; as [`send`](Self::send).
    pub fn fetch_changed_since(
        &mut self,
        uids: &SequenceSet<'_>,
        items: FetchItems<'_>,
        modseq: u64,
        vanished: bool,
    ) -> Result<Handle, Error> {
        let mut modifiers = Vec1::one(FetchModifier::ChangedSince(ModSeq::new(modseq)?));
        if vanished {
            modifiers = Vec1::try_from(alloc::vec![
                FetchModifier::ChangedSince(ModSeq::new(modseq)?),
                FetchModifier::Vanished,
            ])?;
        }
        self.send(CommandBody::FetchExt {
            uid: true,
            sequence_set: uids.clone(),
            items,
            modifiers: Box::new(modifiers),
        })
    }

    /// `UID STORE uids (UNCHANGEDSINCE modseq) [+/-]FLAGS flags` (RFC 7162 §3.1.3): the
    /// store fails for messages changed since `modseq`, which the server names in
    /// `[MODIFIED ...]`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a mod-sequence over 2^63 - 1; as [`send`](Self::send).
    pub fn store_unchanged_since(
        &mut self,
        uids: &SequenceSet<'_>,
        modseq: u64,
        action: StoreAction,
        flags: Vec<Flag<'_>>,
    ) -> Result<Handle, Error> {
        let since = match modseq {
            0 => None,
            n => Some(ModSeq::new(n)?),
        };
        self.send(CommandBody::StoreExt {
            uid: true,
            sequence_set: uids.clone(),
            modifiers: alloc::vec![StoreModifier::UnchangedSince(since)],
            action,
            silent: false,
            attribute: StoreAttribute::Flags(StoreFlags::List(flags)),
        })
    }

    /// `UNSELECT` (RFC 3691): leaves the selected state without expunging.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn unselect(&mut self) -> Result<Handle, Error> {
        self.send(CommandBody::Unselect)
    }

    /// `NAMESPACE` (RFC 2342).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn namespace(&mut self) -> Result<Handle, Error> {
        self.send(CommandBody::Namespace)
    }

    /// `ID` (RFC 2971 §3.1) with the client's field-value pairs (`NIL` when empty).
    ///
    /// # Errors
    /// As [`send`](Self::send); [`Error::Invalid`] for a field or value that a quoted
    /// string cannot carry (CR, LF, NUL, 8-bit) or longer than RFC 2971's limits (30
    /// pairs, 30-octet fields, 1024-octet values).
    pub fn id(&mut self, fields: &[(&str, &str)]) -> Result<Handle, Error> {
        if fields.len() > 30 {
            return Err(misuse("ID takes at most 30 field-value pairs"));
        }
        let parameters = if fields.is_empty() {
            None
        } else {
            let mut v = Vec::new();
            for (k, val) in fields {
                if k.len() > 30 || val.len() > 1024 {
                    return Err(misuse("ID field over 30 octets or value over 1024"));
                }
                let k = IString::Quoted(Quoted::new(String::from(*k).into_bytes())?);
                let val = IString::Quoted(Quoted::new(String::from(*val).into_bytes())?);
                v.push((k, Some(val)));
            }
            Some(v)
        };
        self.send(CommandBody::Id { parameters })
    }

    /// `UID EXPUNGE sequence-set` (RFC 4315 §2.1): expunges only the given UIDs.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless the server advertised UIDPLUS (or IMAP4rev2); as
    /// [`send`](Self::send).
    pub fn uid_expunge(&mut self, uids: &SequenceSet<'_>) -> Result<Handle, Error> {
        self.send(CommandBody::UidExpunge {
            sequence_set: uids.clone(),
        })
    }

    /// After [`Event::StartTls`]: the handshake succeeded; queued commands go out now.
    ///
    /// # Errors
    /// [`Error::Invalid`] when no STARTTLS was accepted.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.settle();
        if self.core.blocked != Blocked::Tls {
            return Err(misuse("no STARTTLS accepted"));
        }
        self.core.tls = true;
        self.core.blocked = Blocked::No;
        self.core.pump();
        Ok(())
    }

    /// Returns the next event. `Ok(None)`: more input is needed.
    ///
    /// # Errors
    /// A response that does not decode (the [`Error`] names offset and rule); it is
    /// skipped, and the next call goes on with what follows.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        self.settle();
        // RFC 6855 §3; IMAP4rev2's own grammar takes UTF-8 in quoted strings and text
        // (RFC 9051 §9 QUOTED-CHAR, text).
        let utf8 = self.is_enabled("UTF8=ACCEPT") || self.core.rev2();
        if self.decoder.config().utf8 != utf8 {
            let mut c = *self.decoder.config();
            c.utf8 = utf8;
            self.decoder.set_config(c);
        }
        let Client {
            input,
            decoder,
            settled,
            clear,
            core,
        } = self;
        let buf = input.as_slice();
        let mut pos = 0usize;
        loop {
            *settled = pos;
            let rest = buf.get(pos..).unwrap_or_default();
            if core.discarding {
                let d = decoder.discard(rest);
                pos += d.consumed;
                *settled = pos;
                if !d.done {
                    return Ok(None);
                }
                core.discarding = false;
                continue;
            }
            if core.state.is_none() {
                return match decoder.decode_greeting(rest) {
                    Err(e) => {
                        core.discarding = true;
                        Err(e)
                    }
                    Ok(Decoded::Incomplete { .. }) => Ok(None),
                    Ok(Decoded::Complete { value, consumed }) => {
                        *settled = pos + consumed;
                        core.state = Some(match value.kind {
                            StatusKind::PreAuth => State::Authenticated,
                            StatusKind::Bye => State::Logout,
                            _ => State::NotAuthenticated,
                        });
                        if let Some(s) = core.state {
                            core.projected = s;
                        }
                        core.code(value.code.as_ref());
                        Ok(Some(Event::Greeting(value)))
                    }
                };
            }
            let decoded = if core.config.stream_threshold.is_some() {
                decoder.decode_streaming(rest)
            } else {
                decoder
                    .decode(rest)
                    .map(|d| d.map(crate::codec::Streamed::Response))
            };
            let response = match decoded {
                Err(e) => {
                    core.discarding = true;
                    return Err(e);
                }
                Ok(Decoded::Incomplete { .. }) => return Ok(None),
                Ok(Decoded::Complete { value, consumed }) => {
                    pos += consumed;
                    *settled = pos;
                    match value {
                        Streamed::Response(r) => r,
                        Streamed::LiteralStart { size } => {
                            return Ok(Some(Event::LiteralStart { size }));
                        }
                        Streamed::LiteralData(d) => return Ok(Some(Event::LiteralData(d))),
                    }
                }
            };
            match response {
                Response::Continue(c) => {
                    if let Some(ev) = core.continuation(c) {
                        return Ok(Some(ev));
                    }
                }
                Response::Data(d) => {
                    match &d {
                        Data::Capability(caps) => {
                            core.capabilities =
                                caps.iter().cloned().map(Capability::into_owned).collect();
                        }
                        Data::Enabled(caps) => {
                            // Only what was asked for, once (RFC 5161 §3.2): a server
                            // cannot make the list grow.
                            for cap in caps {
                                let w = cap.to_wire();
                                let w = w.as_bytes();
                                let asked = core
                                    .requested
                                    .iter()
                                    .any(|r| r.as_bytes().eq_ignore_ascii_case(w));
                                let known = core
                                    .enabled
                                    .iter()
                                    .any(|e| e.as_bytes().eq_ignore_ascii_case(w));
                                if asked && !known {
                                    core.enabled.push(String::from_utf8_lossy(w).into_owned());
                                }
                            }
                        }
                        _ => {}
                    }
                    return Ok(Some(Event::Data(d)));
                }
                Response::Status(s) if s.tag.is_none() => {
                    core.code(s.code.as_ref());
                    if s.kind == StatusKind::Bye {
                        core.state = Some(State::Logout);
                        core.projected = State::Logout;
                    }
                    return Ok(Some(Event::Status(s)));
                }
                Response::Status(s) => {
                    let tag = s.tag.as_ref().map(Tag::as_str).unwrap_or_default();
                    let Some(i) = core.in_flight.iter().position(|f| f.tag == tag) else {
                        return Ok(Some(Event::Status(s)));
                    };
                    let f = core.in_flight.remove(i);
                    core.code(s.code.as_ref());
                    let handle = Handle(f.handle);
                    let ok = s.kind == StatusKind::Ok;
                    // The command is over: drop what was not sent of it.
                    if let Some(q) = core.queue.iter().position(|q| q.handle == f.handle) {
                        core.queue.remove(q);
                    }
                    if matches!(core.blocked, Blocked::Continuation(h) | Blocked::Completion(h) if h == f.handle)
                    {
                        core.blocked = Blocked::No;
                    }
                    if ok && f.condstore && !core.enabled_has("CONDSTORE") {
                        core.enabled.push(String::from("CONDSTORE"));
                    }
                    match f.kind {
                        Kind::Login | Kind::Authenticate(_) if ok => {
                            core.state = Some(State::Authenticated);
                        }
                        Kind::Login | Kind::Authenticate(_) => {
                            core.state = Some(State::NotAuthenticated);
                        }
                        Kind::Select { read_only } if ok => {
                            let ro = read_only || matches!(s.code, Some(Code::ReadOnly));
                            core.state = Some(State::Selected { read_only: ro });
                        }
                        Kind::Select { .. } if s.kind == StatusKind::No => {
                            core.state = Some(State::Authenticated);
                        }
                        Kind::Deselect if ok => core.state = Some(State::Authenticated),
                        Kind::Enable => {
                            // What the server did not enable stays off (RFC 5161 §3.1).
                            let Core {
                                requested, enabled, ..
                            } = &mut *core;
                            requested.retain(|r| enabled.iter().any(|e| e.eq_ignore_ascii_case(r)));
                        }
                        Kind::Logout => core.state = Some(State::Logout),
                        Kind::Idle { .. } => core.idle_since = None,
                        Kind::StartTls if ok => {
                            // RFC 3501 §6.2.1: forget what was learnt in the clear, and
                            // never read bytes that arrived before the handshake.
                            core.capabilities.clear();
                            core.blocked = Blocked::Tls;
                            let discarded = buf.len() - pos;
                            *clear = true;
                            core.resync_projection();
                            return Ok(Some(Event::StartTls { handle, discarded }));
                        }
                        Kind::Compress if ok => {
                            core.compressed = true;
                            core.capabilities.retain(|c| {
                                !capability_name(c).eq_ignore_ascii_case("COMPRESS=DEFLATE")
                            });
                            let buffered = buf.get(pos..).unwrap_or_default().to_vec();
                            *clear = true;
                            core.pump();
                            return Ok(Some(Event::Compress { handle, buffered }));
                        }
                        _ => {}
                    }
                    core.resync_projection();
                    core.pump();
                    return Ok(Some(Event::Completed { handle, status: s }));
                }
            }
        }
    }
}

impl Core {
    fn enabled_has(&self, name: &str) -> bool {
        self.enabled.iter().any(|e| e.eq_ignore_ascii_case(name))
    }

    /// Whether the session speaks IMAP4rev2: `ENABLE IMAP4rev2` succeeded, or the server
    /// offers IMAP4rev2 without IMAP4rev1 (RFC 9051 §2.1, §6.3.1).
    fn rev2(&self) -> bool {
        self.enabled_has("IMAP4rev2") || (self.has("IMAP4rev2") && !self.has("IMAP4rev1"))
    }

    /// Why `body` may not be sent to this server: the capability it needs was not
    /// advertised (UIDPLUS for UID EXPUNGE, RFC 4315 §3; MOVE, RFC 6851 §3.3; ENABLE, RFC
    /// 5161 §3.1; all three are in IMAP4rev2), or QRESYNC was not enabled for a QRESYNC
    /// SELECT or a VANISHED FETCH (RFC 7162 §3.2.5, §3.2.6); no SEARCH CHARSET once
    /// UTF8=ACCEPT is enabled (RFC 6855 §3); nothing IMAP4rev2 removed once the session
    /// is rev2 ([`Core::rev2`]).
    fn missing_capability(&self, body: &CommandBody<'_>) -> Option<&'static str> {
        if self.rev2() {
            if let Some(why) = body.removed_in_rev2() {
                return Some(why);
            }
        }
        let rev2 = self.has("IMAP4rev2");
        // Enabled, or asked for by an ENABLE still in flight (pipelined before the SELECT,
        // as in RFC 7162 §3.2.5.1's example).
        let qresync = self.enabled_has("QRESYNC")
            || self
                .requested
                .iter()
                .any(|r| r.eq_ignore_ascii_case("QRESYNC"));
        match body {
            CommandBody::UidExpunge { .. } if !(rev2 || self.has("UIDPLUS")) => {
                Some("UID EXPUNGE needs UIDPLUS")
            }
            CommandBody::Move { .. } if !(rev2 || self.has("MOVE")) => Some("MOVE not offered"),
            CommandBody::Enable { .. } if !(rev2 || self.has("ENABLE")) => {
                Some("ENABLE not offered")
            }
            CommandBody::SelectExt { parameters, .. }
                if !qresync
                    && parameters
                        .iter()
                        .any(|p| matches!(p, SelectParam::Qresync(_))) =>
            {
                Some("QRESYNC must be enabled first")
            }
            CommandBody::FetchExt { modifiers, .. }
                if !qresync && modifiers.iter().any(|m| *m == FetchModifier::Vanished) =>
            {
                Some("QRESYNC must be enabled first")
            }
            CommandBody::Search {
                charset: Some(_), ..
            }
            | CommandBody::SearchExt {
                charset: Some(_), ..
            } if self.enabled_has("UTF8=ACCEPT") => {
                Some("no SEARCH CHARSET after ENABLE UTF8=ACCEPT")
            }
            _ => None,
        }
    }

    fn has(&self, name: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| capability_name(c).eq_ignore_ascii_case(name))
    }

    fn literal_support(&self) -> LiteralSupport {
        if self.has("LITERAL+") {
            LiteralSupport::LiteralPlus
        } else if self.has("LITERAL-") {
            LiteralSupport::LiteralMinus
        } else {
            LiteralSupport::SyncOnly
        }
    }

    /// Takes the capabilities from a `[CAPABILITY ...]` code.
    fn code(&mut self, code: Option<&Code<'_>>) {
        if let Some(Code::Capability(caps)) = code {
            self.capabilities = caps.iter().cloned().map(Capability::into_owned).collect();
        }
    }

    /// After a completion the projected state is the real state updated by the commands
    /// still in flight.
    fn resync_projection(&mut self) {
        let mut p = self.state.unwrap_or(State::NotAuthenticated);
        for f in &self.in_flight {
            p = match f.kind {
                Kind::Login | Kind::Authenticate(_) => State::Authenticated,
                Kind::Select { read_only } => State::Selected { read_only },
                Kind::Deselect => State::Authenticated,
                Kind::Logout => State::Logout,
                _ => p,
            };
        }
        self.projected = p;
    }

    fn queue_command(&mut self, body: CommandBody<'_>, kind: Kind, barrier: bool) -> Handle {
        let n = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1).max(1);
        let width = self.config.tag_width;
        let mut tag = format!("{}{:0width$}", self.config.tag_prefix, n);
        if Tag::new(tag.as_str()).is_err() {
            // An invalid prefix cannot make a tag; fall back to the default one.
            tag = format!("A{n:0width$}");
        }
        let tag_value = Tag(alloc::borrow::Cow::Owned(tag.clone()));
        let command = Command::new(tag_value, body);
        let mut pieces = VecDeque::new();
        for f in command.fragments_with(self.literal_support()) {
            match f {
                Fragment::Line(l) => split_inline(&l, &mut pieces),
                Fragment::Literal { data, .. } => pieces.push_back(Piece::Literal(data.to_vec())),
            }
        }
        self.queue.push_back(Queued {
            handle: n,
            pieces,
            barrier,
        });
        self.in_flight.push(InFlight {
            handle: n,
            tag,
            kind,
            condstore: false,
        });
        self.pump();
        Handle(n)
    }

    /// Moves queued pieces to the output until a synchronizing literal or a barrier.
    fn pump(&mut self) {
        while self.blocked == Blocked::No {
            let Some(front) = self.queue.front_mut() else {
                return;
            };
            let handle = front.handle;
            match front.pieces.pop_front() {
                Some(Piece::Line(l)) => {
                    let waits = ends_with_sync_announcement(&l).is_some()
                        && matches!(front.pieces.front(), Some(Piece::Literal(_)));
                    self.output.extend_from_slice(&l);
                    if waits {
                        self.blocked = Blocked::Continuation(handle);
                    }
                }
                Some(Piece::Literal(d)) => self.output.extend_from_slice(&d),
                None => {
                    let barrier = front.barrier;
                    self.queue.pop_front();
                    if barrier {
                        self.blocked = Blocked::Completion(handle);
                    }
                }
            }
        }
    }

    /// Answers a `+`: the literal it invites, a SASL challenge, or IDLE's acceptance.
    fn continuation<'a>(&mut self, c: Continue<'a>) -> Option<Event<'a>> {
        if let Blocked::Continuation(_) = self.blocked {
            self.blocked = Blocked::No;
            self.pump();
            return None;
        }
        if let Blocked::Completion(h) = self.blocked {
            let f = self.in_flight.iter_mut().find(|f| f.handle == h)?;
            match &mut f.kind {
                Kind::Authenticate(sasl) => {
                    let challenge: Vec<u8> = match &c {
                        Continue::Base64(d) => d.to_vec(),
                        Continue::Basic { text, .. } => {
                            mail_common::sasl::decode_base64(text.as_str().as_bytes())
                                .unwrap_or_default()
                        }
                    };
                    match sasl.step(&challenge) {
                        Ok(r) => {
                            self.output
                                .extend_from_slice(mail_common::sasl::encode_base64(&r).as_bytes());
                            self.output.extend_from_slice(b"\r\n");
                        }
                        Err(_) => self.output.extend_from_slice(b"*\r\n"),
                    }
                    return None;
                }
                Kind::Idle { idling, done } if !*idling => {
                    *idling = true;
                    if *done {
                        self.output.extend_from_slice(b"DONE\r\n");
                    }
                    self.idle_since = if *done { None } else { self.now };
                    return Some(Event::Idling { handle: Handle(h) });
                }
                _ => {}
            }
        }
        Some(Event::Continue(c))
    }
}
