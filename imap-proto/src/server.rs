//! The server session machine (RFC 3501 §3): not authenticated → authenticated → selected →
//! logout, with synchronizing and non-synchronizing literals (RFC 3501 §4.3, RFC 7888),
//! AUTHENTICATE with SASL-IR (RFC 3501 §6.2.2, RFC 4959), STARTTLS (§6.2.1), IDLE
//! (RFC 2177), ENABLE (RFC 5161), UNSELECT (RFC 3691), COMPRESS=DEFLATE (RFC 4978) and
//! CONDSTORE / QRESYNC enabling (RFC 7162).
//!
//! Sans-IO: the machine never touches a socket or a clock. Call order:
//!
//! 1. [`Server::new`] queues the greeting (`* OK [CAPABILITY ...] ...`, or `* PREAUTH` with
//!    [`ServerConfig::preauth`]). The transport security is an input: `tls` says whether
//!    the connection is already encrypted (implicit TLS, port 993).
//! 2. [`receive`](Server::receive) whatever bytes arrived.
//! 3. Loop on [`next_event`](Server::next_event) until it returns `Ok(None)` (more input
//!    needed). The machine answers by itself what needs no application knowledge
//!    (CAPABILITY, LOGOUT, STARTTLS, ENABLE, the AUTHENTICATE exchange, IDLE's `+`, COMPRESS,
//!    literal continuations within [`Limits::max_literal`], commands not allowed in the
//!    current state, syntax errors). A [`Event::Command`], [`Event::Authenticate`] or
//!    [`Event::IdleDone`] must be completed with [`ok`](Server::ok), [`no`](Server::no) or
//!    [`bad`](Server::bad) (after any [`data`](Server::data)) before the next event; an
//!    [`Event::Literal`] with [`accept_literal`](Server::accept_literal) or
//!    [`reject_literal`](Server::reject_literal); [`Event::StartTls`] with
//!    [`tls_established`](Server::tls_established) once the handshake is done. Commands are
//!    answered one at a time, in order, so pipelined input gets its answers in order.
//! 4. Write [`transmit`](Server::transmit) to the peer and call
//!    [`consumed`](Server::consumed) with what was written.
//! 5. With a clock ([`receive_at`](Server::receive_at)), wake up at
//!    [`poll_timeout`](Server::poll_timeout) and call
//!    [`handle_timeout`](Server::handle_timeout): the autologout timer (RFC 3501 §5.4).
//!
//! Extension commands arrive typed (see [`CommandBody`]): MOVE / UID MOVE, UID EXPUNGE,
//! UNSELECT, NAMESPACE, ID, SELECT / EXAMINE with CONDSTORE or QRESYNC parameters, FETCH
//! and STORE modifiers, ESEARCH, LIST-EXTENDED, QUOTA, METADATA, SORT, THREAD, BINARY...
//! The machine enforces their RFC 3501 §3 states (MOVE, UID EXPUNGE, UNSELECT, SORT and
//! THREAD only when selected; ENABLE only when authenticated), turns CONDSTORE on at the
//! first CONDSTORE enabling command when it is offered (RFC 7162 §3.1), and answers BAD to
//! a QRESYNC SELECT or a VANISHED FETCH before `ENABLE QRESYNC` (RFC 7162 §3.2.5,
//! §3.2.6) and to SEARCH with CHARSET after `ENABLE UTF8=ACCEPT` (RFC 6855 §3). What the grammar still does not model reaches the application raw, as
//! [`CommandBody::Other`]: unknown commands (`GETACL`, `X-...`), unknown UID commands, and
//! with [`ServerConfig::pass_unparsed`] any single-line command form the grammar refuses.
//!
//! IMAP4rev2 (RFC 9051): offer it with `IMAP4rev2` in [`ServerConfig::capabilities`] and
//! in [`ServerConfig::enable`] for `ENABLE IMAP4rev2`; the command grammar already takes
//! rev2's additions (UID EXPUNGE, MOVE, UNSELECT, STATUS SIZE / DELETED, ESEARCH's
//! RETURN, literal8), or make a rev2-only server with [`ServerConfig::rev2_only`]. Once
//! `ENABLE IMAP4rev2` succeeded (or from the start on a rev2-only server) the machine
//! answers BAD to what rev2 removed ([`CommandBody::removed_in_rev2`]: LSUB, CHECK, the
//! RFC822 / RFC822.HEADER / RFC822.TEXT fetch items, STATUS RECENT, the NEW / OLD / RECENT
//! search keys).
//!
//! Commands and their arguments borrow from the machine's input buffer. A large APPEND
//! message can come as borrowed chunks instead ([`ServerConfig::stream_append`]), so
//! that memory does not grow with the message; otherwise the input buffer holds at most
//! one command in progress plus what the client pipelined (see
//! [`Server::receive`] for backpressure).
//!
//! ```
//! use imap_proto::server::{Event, Server, ServerConfig, State};
//! use imap_proto::{CommandBody, Code};
//!
//! let config = ServerConfig { allow_plaintext_auth: true, ..ServerConfig::default() };
//! let mut server = Server::new(config, false, "4711")?;
//! assert!(server.transmit().starts_with(b"* OK [CAPABILITY IMAP4rev1 STARTTLS SASL-IR AUTH=PLAIN"));
//! let n = server.transmit().len();
//! server.consumed(n);
//!
//! // A synchronizing literal: the machine writes the continuation itself.
//! server.receive(b"a1 LOGIN joe {6}\r\n");
//! assert!(server.next_event()?.is_none());
//! assert_eq!(server.transmit(), b"+ Ready for literal data\r\n");
//! server.consumed(26);
//!
//! server.receive(b"secret\r\na2 SELECT INBOX\r\n");
//! let Some(Event::Command(command)) = server.next_event()? else { panic!() };
//! let CommandBody::Login { username, password } = &command.body else { panic!() };
//! let ok = (username.as_bytes(), password.as_bytes()) == (&b"joe"[..], &b"secret"[..]);
//! assert!(ok);
//! server.ok(None, "LOGIN completed")?;
//! assert_eq!(server.state(), State::Authenticated);
//!
//! let Some(Event::Command(_select)) = server.next_event()? else { panic!() };
//! server.ok(Some(Code::ReadWrite), "SELECT completed")?;
//! assert_eq!(server.state(), State::Selected { read_only: false });
//! assert!(server.transmit().ends_with(b"a2 OK [READ-WRITE] SELECT completed\r\n"));
//! # Ok::<(), imap_proto::Error>(())
//! ```

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use mail_common::buffer::InputBuffer;
use mail_common::sasl::{Credentials, Mechanism, SaslError, SaslServer, ServerStep};

use crate::codec::{CommandDecoded, CommandDecoder, CommandSkip};
use crate::config::{Config, Limits};
use crate::error::Error;
use crate::serialize::{Encode, LiteralSupport};
use crate::types::command::{AuthenticateData, Command, CommandBody, FetchModifier, SelectParam};
use crate::types::core::{Atom, Tag, Text, Vec1};
use crate::types::mailbox::Mailbox;
use crate::types::response::{
    Capability, Code, Continue, Data, Greeting, Response, StatusKind, StatusResponse,
};
use crate::types::sequence::SequenceSet;

/// The connection states of RFC 3501 §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// §3.1: before LOGIN or AUTHENTICATE succeeded.
    NotAuthenticated,
    /// §3.2: logged in, no mailbox selected.
    Authenticated,
    /// §3.3: a mailbox is selected.
    Selected {
        /// Selected with EXAMINE (or a SELECT answered with `[READ-ONLY]`).
        read_only: bool,
    },
    /// §3.4: LOGOUT or BYE; nothing more is read.
    Logout,
}

/// What the server offers, and its limits.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Text of the greeting.
    pub greeting: String,
    /// Greet with `* PREAUTH` and start in the authenticated state (RFC 3501 §7.1.4).
    pub preauth: bool,
    /// Put `[CAPABILITY ...]` in the greeting and in the OK of LOGIN / AUTHENTICATE (when
    /// the application gives no other code), saving clients a CAPABILITY round trip.
    pub capability_codes: bool,
    /// Text of the `* BYE` sent in answer to LOGOUT.
    pub bye_text: String,
    /// The host name, used in the CRAM-MD5 challenge `<unique@host>`.
    pub hostname: String,
    /// Further capabilities to advertise as they are (`NAMESPACE`, `UIDPLUS`, `MOVE`,
    /// `CHILDREN`, `ID`, `UNSELECT`...); `IMAP4rev1` and the capabilities that the machine
    /// implements itself (STARTTLS, LOGINDISABLED, AUTH=, SASL-IR, LITERAL+/-, IDLE, ENABLE,
    /// COMPRESS=DEFLATE) are added from the fields below.
    pub capabilities: Vec<Capability<'static>>,
    /// SASL mechanisms offered (AUTH=...). Mechanisms that send a reusable secret are
    /// offered on an unencrypted transport only if `allow_plaintext_auth`.
    pub mechanisms: Vec<Mechanism<'static>>,
    /// Offer SASL-IR (RFC 4959): an initial response on the AUTHENTICATE line.
    pub sasl_ir: bool,
    /// Offer STARTTLS (RFC 3501 §6.2.1) on an unencrypted transport.
    pub starttls: bool,
    /// Allow LOGIN and plaintext mechanisms without TLS. When false, LOGINDISABLED is
    /// advertised and LOGIN is refused (RFC 3501 §6.2.3, §11.1).
    pub allow_plaintext_auth: bool,
    /// Non-synchronizing literals accepted and advertised (RFC 7888).
    pub literals: LiteralSupport,
    /// Stream the message of an APPEND announced with a synchronizing literal (or
    /// literal8, RFC 3516) of at least this many octets: [`Event::AppendStart`] (a
    /// [`CommandBody::Append`], or a [`CommandBody::AppendExt`] for a binary message), then
    /// [`Event::AppendData`] chunks
    /// borrowed from the input, then [`Event::AppendEnd`], so that memory does not grow
    /// with the message. `None`: APPEND messages arrive whole in [`Event::Command`].
    /// (A non-synchronizing literal is always read whole; offer LITERAL- to bound it.)
    pub stream_append: Option<u64>,
    /// Report every synchronizing literal as [`Event::Literal`] so that the application
    /// decides; otherwise the machine sends the continuation itself for any literal within
    /// [`Limits::max_literal`].
    pub ask_literals: bool,
    /// Offer IDLE (RFC 2177).
    pub idle: bool,
    /// Capabilities the client may ENABLE (RFC 5161), e.g. `CONDSTORE`, `QRESYNC`,
    /// `UTF8=ACCEPT`, `IMAP4rev2`; ENABLE is advertised when this is not empty. Enabling
    /// `UTF8=ACCEPT` or `IMAP4rev2` switches the command decoder to UTF-8 (RFC 6855 §3,
    /// RFC 9051 §9); `QRESYNC` implies `CONDSTORE` (RFC 7162 §3.2.3).
    pub enable: Vec<Atom<'static>>,
    /// An IMAP4rev2-only server (RFC 9051): the capabilities list `IMAP4rev2` instead of
    /// `IMAP4rev1`, commands decode as UTF-8, and what rev2 removed
    /// ([`CommandBody::removed_in_rev2`]) is answered BAD from the start, as it is after
    /// `ENABLE IMAP4rev2` on a server that offers both.
    pub rev2_only: bool,
    /// Offer COMPRESS=DEFLATE (RFC 4978); the machine only negotiates, the application
    /// switches the stream.
    pub compress: bool,
    /// Deliver a single-line command that the grammar refuses as
    /// [`CommandBody::Other`] (raw arguments) instead of answering BAD, so that the
    /// application can parse extension forms the grammar does not model (`RENAME` or
    /// `DELETE` parameters, an unknown search key...). The application then answers BAD
    /// to what it does not know. Unknown UID commands are always delivered so.
    pub pass_unparsed: bool,
    /// Decoder limits.
    pub limits: Limits,
    /// Close the session with BYE after this many bad commands in a row.
    pub max_errors: u32,
    /// The inactivity autologout timer (RFC 3501 §5.4: at least 30 minutes), counted
    /// from the last bytes given to [`receive_at`](Server::receive_at); `None`: none.
    pub autologout: Option<Duration>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            greeting: "IMAP4rev1 Service Ready".into(),
            preauth: false,
            capability_codes: true,
            bye_text: "IMAP4rev1 Server logging out".into(),
            hostname: "localhost".into(),
            capabilities: Vec::new(),
            mechanisms: alloc::vec![Mechanism::Plain],
            sasl_ir: true,
            starttls: true,
            allow_plaintext_auth: false,
            literals: LiteralSupport::LiteralPlus,
            ask_literals: false,
            stream_append: None,
            idle: true,
            enable: Vec::new(),
            rev2_only: false,
            compress: false,
            pass_unparsed: false,
            limits: Limits::SERVER,
            max_errors: 10,
            autologout: Some(Duration::from_secs(30 * 60)),
        }
    }
}

/// What the application must act on. Variants say which call answers them.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A command allowed in the current state, borrowing from the input: answer with
    /// [`data`](Server::data) as needed, then [`ok`](Server::ok) / [`no`](Server::no) /
    /// [`bad`](Server::bad). LOGIN, SELECT, EXAMINE, CLOSE and UNSELECT change the state
    /// when answered OK. Extension commands come typed (`CommandBody::Move`,
    /// `CommandBody::Namespace`...); only what the grammar does not model comes as
    /// [`CommandBody::Other`].
    Command(Command<'a>),
    /// A synchronizing literal was announced (only with [`ServerConfig::ask_literals`]);
    /// nothing of it was read. Answer [`accept_literal`](Server::accept_literal) or
    /// [`reject_literal`](Server::reject_literal).
    Literal {
        /// The command's tag.
        tag: &'a str,
        /// The command's name (`APPEND`, `LOGIN`...).
        command: &'a str,
        /// The announced size.
        size: u64,
    },
    /// An AUTHENTICATE exchange completed: check the credentials and answer
    /// [`ok`](Server::ok) (→ authenticated) or [`no`](Server::no).
    Authenticate {
        /// What the client presented.
        credentials: Credentials,
    },
    /// STARTTLS was accepted and its OK queued: send it, run the TLS handshake, then call
    /// [`tls_established`](Server::tls_established). The state stays not authenticated.
    StartTls {
        /// Octets the client had sent after STARTTLS (pipelined plaintext that could have
        /// been injected), dropped so they are never read as if protected.
        discarded: usize,
    },
    /// IDLE began (RFC 2177) and `+ idling` was queued: send untagged updates with
    /// [`data`](Server::data) whenever they occur, and keep calling
    /// [`next_event`](Server::next_event) for the client's DONE. Needs no answer.
    Idle,
    /// The client ended IDLE with DONE: answer [`ok`](Server::ok).
    IdleDone,
    /// ENABLE (RFC 5161) succeeded for these capabilities (`* ENABLED` and OK were
    /// queued). Needs no answer.
    Enabled(Vec<Atom<'static>>),
    /// COMPRESS DEFLATE was accepted and its OK queued (RFC 4978 §3): send what is queued
    /// uncompressed, then compress everything sent and decompress everything received.
    Compress,
    /// A streamed APPEND ([`ServerConfig::stream_append`]) begins: the command with an
    /// empty message, and the message size. Needs no answer; the message follows.
    ///
    /// With MULTIAPPEND (RFC 3502) offered in [`ServerConfig::capabilities`], each further
    /// message of the same command comes as another `AppendStart` (same tag and mailbox,
    /// that message's flags and date) and its data, whatever its size; [`Event::AppendEnd`]
    /// follows the last one. The machine sends the continuation for a further message
    /// itself (no [`Event::Literal`]) when it is within [`Limits::max_literal`], and
    /// otherwise refuses it with [`Event::AppendAborted`].
    AppendStart {
        /// The APPEND, its message empty.
        command: Command<'static>,
        /// The message size.
        size: u64,
    },
    /// The next piece of a streamed APPEND's message, borrowed from the input.
    AppendData(&'a [u8]),
    /// The streamed APPEND's message (with MULTIAPPEND: its last message) is complete:
    /// answer [`ok`](Server::ok) or [`no`](Server::no).
    AppendEnd,
    /// The machine refused a further message of a streamed MULTIAPPEND (too large, a
    /// literal kind not offered, bad syntax) and answered the command itself: append none
    /// of its messages (RFC 3502 §6.3.11) and drop what was received. Needs no answer.
    AppendAborted,
    /// LOGOUT: BYE and OK were queued; send them and close the connection.
    Logout,
    /// The machine closed the session with `* BYE` (too many bad commands): send what is
    /// queued and close the connection.
    Closed,
}

/// What the application owes the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Nothing,
    Command(Kind),
    Literal,
    Idling,
    IdleDone,
    Tls,
}

/// The kind of the command being answered, for its state transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Login,
    Select { read_only: bool },
    Deselect,
    Idle,
    Other,
}

/// How the next input is read.
#[derive(Debug)]
enum Mode {
    Commands,
    /// Skipping the rest of a bad message with the decoder's recovery.
    Discard,
    /// Skipping up to and including the next LF.
    SkipLine,
    Sasl(SaslServer),
    Idle,
    /// Inside a streamed APPEND message: octets still to come.
    AppendData(u64),
    /// After a streamed APPEND message: the CRLF that ends the command, or with
    /// MULTIAPPEND the next message.
    AppendEnd,
    /// The rest of a refused command (a streamed MULTIAPPEND's): a refused
    /// non-synchronizing literal's octets, then the rest of the command by the literal
    /// rules, never reading literal data as commands (RFC 7888 §4).
    SkipCommand(CommandSkip),
}

/// Where a command may be used (RFC 3501 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Any,
    NotAuthenticated,
    Authenticated,
    AuthenticatedOnly,
    Selected,
}

pub(crate) fn class_of(name: &[u8]) -> Class {
    const NOT_AUTH: [&[u8]; 3] = [b"STARTTLS", b"AUTHENTICATE", b"LOGIN"];
    const AUTH: [&[u8]; 20] = [
        b"SELECT",
        b"EXAMINE",
        b"CREATE",
        b"DELETE",
        b"RENAME",
        b"SUBSCRIBE",
        b"UNSUBSCRIBE",
        b"LIST",
        b"LSUB",
        b"STATUS",
        b"APPEND",
        b"NAMESPACE",
        b"IDLE",
        b"COMPRESS",
        b"GETQUOTA",
        b"GETQUOTAROOT",
        b"SETQUOTA",
        b"GETMETADATA",
        b"SETMETADATA",
        b"GETACL",
    ];
    const SELECTED: [&[u8]; 13] = [
        b"CHECK",
        b"CLOSE",
        b"EXPUNGE",
        b"SEARCH",
        b"FETCH",
        b"STORE",
        b"COPY",
        b"UID",
        b"MOVE",
        b"UNSELECT",
        b"SORT",
        b"THREAD",
        b"ESEARCH",
    ];
    let is = |list: &[&[u8]]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    if is(&NOT_AUTH) {
        Class::NotAuthenticated
    } else if is(&AUTH) {
        Class::Authenticated
    } else if name.eq_ignore_ascii_case(b"ENABLE") {
        Class::AuthenticatedOnly
    } else if is(&SELECTED) {
        Class::Selected
    } else {
        Class::Any
    }
}

/// `tag SP name` at the start of a command, when the tag is valid.
fn head(buf: &[u8]) -> Option<(&str, &str)> {
    let sp = memchr::memchr(b' ', buf)?;
    let tag = core::str::from_utf8(buf.get(..sp)?).ok()?;
    Tag::new(tag).ok()?;
    let rest = buf.get(sp + 1..)?;
    let n = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        .count();
    let name = core::str::from_utf8(rest.get(..n)?).ok()?;
    Some((tag, name))
}

/// `{n}` or `{n+}` at the end of a line: (size, sync).
fn announcement(line: &[u8]) -> Option<(u64, bool)> {
    let rest = line.strip_suffix(b"}")?;
    let (sync, rest) = match rest.strip_suffix(b"+") {
        Some(r) => (false, r),
        None => (true, rest),
    };
    let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let brace = rest.len().checked_sub(digits + 1)?;
    if rest.get(brace) != Some(&b'{') {
        return None;
    }
    let n = rest.get(brace + 1..)?.iter().try_fold(0u64, |a, d| {
        a.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })?;
    Some((n, sync))
}

/// A single-line command the grammar refused, delivered raw as [`CommandBody::Other`]
/// (named as sent, arguments borrowed from `rest`): always for a UID command the grammar
/// does not model (`UID MOVE`, RFC 6851 §3; `UID EXPUNGE`, RFC 4315 §2.1; `UID SORT` and
/// `UID THREAD`, RFC 5256), and for any syntax error when `pass` is set
/// ([`ServerConfig::pass_unparsed`]). Not for a command holding a literal: the grammar
/// refuses it before inviting the literal.
fn raw_fallback<'b>(
    decoder: &mut CommandDecoder,
    rest: &'b [u8],
    e: &Error,
    pass: bool,
) -> Option<(Command<'b>, usize)> {
    let Error::Syntax { rule, .. } = e else {
        return None;
    };
    let (tag, name) = head(rest)?;
    let uid = name.eq_ignore_ascii_case("UID") && *rule == "UID command";
    if name.is_empty() || !(pass || uid) {
        return None;
    }
    // Only a single line: a line announcing a literal was refused before its data.
    let lf = memchr::memchr(b'\n', rest)?;
    let line = rest.get(..lf)?.strip_suffix(b"\r")?;
    if announcement(line).is_some() {
        return None;
    }
    let after = line.get(tag.len() + 1 + name.len()..)?;
    let arguments = match after.split_first() {
        None => after,
        Some((b' ', a)) => a,
        Some(_) => return None,
    };
    if uid {
        let word = arguments
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let after = arguments.get(word..)?;
        if word == 0 || !(after.is_empty() || after.first() == Some(&b' ')) {
            return None;
        }
    }
    // The line was framed whole before it failed to parse: the recovery skips exactly it.
    let d = decoder.discard(rest);
    if !d.done {
        // Unreachable (the message is all there); the caller goes on discarding.
        return None;
    }
    let command = Command {
        tag: Tag::new(tag).ok()?,
        body: CommandBody::Other {
            name: Atom::new(name).ok()?,
            arguments: Cow::Borrowed(arguments),
        },
    };
    Some((command, d.consumed))
}

/// The APPEND of `prefix` (`tag APPEND mailbox [flags] [date] {n}` or `~{n}` CRLF) with
/// an empty message, parsed by the grammar from the same text with `{0}` announced.
fn append_skeleton(prefix: &[u8]) -> Option<Command<'static>> {
    use mail_common::decode::{Decode, Decoded};
    let brace = memchr::memrchr(b'{', prefix)?;
    let mut line = Vec::with_capacity(brace + 8);
    line.extend_from_slice(prefix.get(..brace)?);
    line.extend_from_slice(b"{0}\r\n\r\n");
    match Command::decode(&line).ok()? {
        Decoded::Complete { value, consumed } if consumed == line.len() => {
            // One message: a literal (RFC 3501) or a literal8 (BINARY, RFC 3516 §4.3).
            let single = match &value.body {
                CommandBody::Append { .. } => true,
                CommandBody::AppendExt { messages, .. } => messages.as_slice().len() == 1,
                _ => false,
            };
            single.then(|| value.into_owned())
        }
        _ => None,
    }
}

/// Misuse of the API by the application (local, not the peer's fault).
const fn misuse(reason: &'static str) -> Error {
    Error::invalid("server call order", reason)
}

/// Everything but the input buffer, so that events can borrow the input while the machine
/// writes responses.
#[derive(Debug)]
struct Core {
    config: ServerConfig,
    state: State,
    awaiting: Awaiting,
    mode: Mode,
    tls: bool,
    output: Vec<u8>,
    tag: String,
    errors: u32,
    /// Synchronizing literals announced so far in the current command.
    sync_seen: usize,
    enabled: Vec<Atom<'static>>,
    compress: bool,
    discarded_plaintext: usize,
    cram_challenge: String,
    /// When the client was last heard from (caller's clock).
    last_activity: Option<Duration>,
    /// A streamed APPEND waiting to be announced: (command, size, continuation sent).
    append: Option<(Command<'static>, u64)>,
    /// The first message's command of the streamed APPEND in progress: tag and mailbox
    /// of the messages that follow in a MULTIAPPEND (RFC 3502).
    append_first: Option<Command<'static>>,
}

/// The server session. See the [module docs](self) for the call order.
#[derive(Debug)]
#[must_use]
pub struct Server {
    input: InputBuffer,
    decoder: CommandDecoder,
    /// Octets at the front of `input` already handled (applied at the next call).
    settled: usize,
    /// Drop the whole input at the next call (STARTTLS).
    clear: bool,
    core: Core,
}

impl Server {
    /// A new session; the greeting is queued for [`transmit`](Self::transmit).
    ///
    /// `tls`: the transport is already encrypted. `unique`: the caller's unique part of
    /// the CRAM-MD5 challenge `<unique@host>` (different for every session; only used if
    /// CRAM-MD5 is offered).
    ///
    /// # Errors
    /// [`Error::Invalid`] if the greeting text is not valid `text`, or if CRAM-MD5 is
    /// offered and `unique` and the host name cannot make a `<unique@host>` challenge.
    pub fn new(config: ServerConfig, tls: bool, unique: &str) -> Result<Self, Error> {
        let cram_challenge = match mail_common::apop::make_timestamp(unique, &config.hostname) {
            Ok(c) => c,
            // Only CRAM-MD5 uses it; never fall back to a predictable challenge.
            Err(_) if config.mechanisms.contains(&Mechanism::CramMd5) => {
                return Err(Error::invalid(
                    "CRAM-MD5 challenge",
                    "unique part or host name cannot make <unique@host>",
                ));
            }
            Err(_) => String::new(),
        };
        let decoder = CommandDecoder::new(Config {
            limits: config.limits,
            ..Config::default()
        })
        .with_literal_support(config.literals);
        let state = if config.preauth {
            State::Authenticated
        } else {
            State::NotAuthenticated
        };
        let mut core = Core {
            config,
            state,
            awaiting: Awaiting::Nothing,
            mode: Mode::Commands,
            tls,
            output: Vec::new(),
            tag: String::new(),
            errors: 0,
            sync_seen: 0,
            enabled: Vec::new(),
            compress: false,
            discarded_plaintext: 0,
            last_activity: None,
            append: None,
            append_first: None,
            cram_challenge,
        };
        let greeting = Greeting {
            kind: if core.config.preauth {
                StatusKind::PreAuth
            } else {
                StatusKind::Ok
            },
            code: core
                .config
                .capability_codes
                .then(|| Code::Capability(core.capability_list())),
            text: Text::new(core.config.greeting.as_str())?,
        };
        greeting.encode(&mut core.output);
        Ok(Server {
            input: InputBuffer::new(),
            decoder,
            settled: 0,
            clear: false,
            core,
        })
    }

    /// A session that refuses the connection: the greeting is `* BYE text` (RFC 3501
    /// §7.1.5, e.g. too many connections) and the state is logout; send
    /// [`transmit`](Self::transmit) and close.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `text` is not valid `text`.
    pub fn refuse(text: &str) -> Result<Self, Error> {
        let mut s = Server::new(
            ServerConfig {
                capability_codes: false,
                mechanisms: Vec::new(),
                ..ServerConfig::default()
            },
            false,
            "refused",
        )?;
        s.core.output.clear();
        let greeting = Greeting {
            kind: StatusKind::Bye,
            code: None,
            text: Text::new(text)?,
        };
        greeting.encode(&mut s.core.output);
        s.core.state = State::Logout;
        Ok(s)
    }

    /// The connection state.
    pub fn state(&self) -> State {
        self.core.state
    }

    /// Whether the transport is encrypted.
    pub fn is_tls(&self) -> bool {
        self.core.tls
    }

    /// Whether the session is over (LOGOUT or BYE).
    pub fn is_closed(&self) -> bool {
        self.core.state == State::Logout
    }

    /// Whether COMPRESS DEFLATE is in force.
    pub fn is_compressed(&self) -> bool {
        self.core.compress
    }

    /// Whether the client enabled `capability` (RFC 5161), case-insensitively.
    pub fn is_enabled(&self, capability: &str) -> bool {
        self.core
            .enabled
            .iter()
            .any(|a| a.as_str().eq_ignore_ascii_case(capability))
    }

    /// Total octets of pipelined plaintext dropped at STARTTLS.
    pub fn discarded_plaintext(&self) -> usize {
        self.core.discarded_plaintext
    }

    /// Octets received and not yet handled.
    pub fn buffered(&self) -> usize {
        self.input.len().saturating_sub(self.settled)
    }

    /// The capabilities advertised now (they differ by state and after STARTTLS).
    pub fn capabilities(&self) -> Vec<Capability<'static>> {
        self.core.capability_list().into_inner()
    }

    /// [`receive`](Self::receive) with the caller's clock (any monotonic origin), which
    /// restarts the autologout timer.
    pub fn receive_at(&mut self, bytes: &[u8], now: Duration) {
        self.core.last_activity = Some(now);
        self.receive(bytes);
    }

    /// When the autologout timer expires (RFC 3501 §5.4): `None` without a clock (see
    /// [`receive_at`](Self::receive_at)), once closed, or while the application owes an
    /// answer.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let c = &self.core;
        if c.state == State::Logout || !matches!(c.awaiting, Awaiting::Nothing | Awaiting::Idling) {
            return None;
        }
        c.last_activity?.checked_add(c.config.autologout?)
    }

    /// Checks the autologout timer: if it expired, queues `* BYE` and ends the session.
    /// Returns whether it did.
    pub fn handle_timeout(&mut self, now: Duration) -> bool {
        match self.poll_timeout() {
            Some(deadline) if now >= deadline => {
                self.settle();
                self.core
                    .output
                    .extend_from_slice(b"* BYE Autologout; idle for too long\r\n");
                self.core.state = State::Logout;
                self.core.awaiting = Awaiting::Nothing;
                true
            }
            _ => false,
        }
    }

    /// Feeds bytes received from the client. The machine keeps what it is given until
    /// the commands are answered: stop reading from the socket while
    /// [`buffered`](Self::buffered) is over your limit (a pipelining client cannot then
    /// make the buffer grow without bound).
    pub fn receive(&mut self, bytes: &[u8]) {
        self.settle();
        if self.core.awaiting == Awaiting::Tls {
            // Between our OK to STARTTLS and the handshake, anything arriving in the clear
            // is injected ahead of the protected session: never read it (RFC 3501 §6.2.1).
            self.core.discarded_plaintext += bytes.len();
            return;
        }
        if self.core.state == State::Logout {
            return;
        }
        self.input.extend(bytes);
    }

    /// Bytes to send to the client.
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

    fn reset_decoder(&mut self) {
        self.decoder = CommandDecoder::new(self.core.decoder_config())
            .with_literal_support(self.core.config.literals);
    }

    /// Returns the next event the application must act on, answering by itself every
    /// command it can. `Ok(None)`: more input is needed (or the session is over).
    ///
    /// # Errors
    /// [`Error::Invalid`] if the previous event was not answered yet.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        self.settle();
        match self.core.awaiting {
            Awaiting::Nothing | Awaiting::Idling => {}
            Awaiting::Tls => return Err(misuse("call tls_established first")),
            _ => return Err(misuse("answer the previous event first")),
        }
        if self.core.decoder_config() != *self.decoder.config() {
            let c = self.core.decoder_config();
            self.decoder.set_config(c);
        }
        let Server {
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
            if core.state == State::Logout {
                *settled = buf.len();
                return Ok(None);
            }
            let rest = buf.get(pos..).unwrap_or_default();
            if matches!(core.mode, Mode::AppendData(_)) {
                if let Some((command, size)) = core.append.take() {
                    if core.append_first.is_none() {
                        core.append_first = Some(command.clone());
                    }
                    return Ok(Some(Event::AppendStart { command, size }));
                }
            }
            match &mut core.mode {
                Mode::AppendData(remaining) => {
                    if *remaining == 0 {
                        core.mode = Mode::AppendEnd;
                        continue;
                    }
                    if rest.is_empty() {
                        return Ok(None);
                    }
                    let n = usize::try_from(*remaining)
                        .unwrap_or(usize::MAX)
                        .min(rest.len());
                    *remaining -= n as u64;
                    if *remaining == 0 {
                        core.mode = Mode::AppendEnd;
                    }
                    pos += n;
                    *settled = pos;
                    return Ok(Some(Event::AppendData(rest.get(..n).unwrap_or_default())));
                }
                Mode::AppendEnd => match rest {
                    [] | [b'\r'] => return Ok(None),
                    [b'\r', b'\n', ..] => {
                        pos += 2;
                        *settled = pos;
                        core.mode = Mode::Commands;
                        core.append_first = None;
                        core.awaiting = Awaiting::Command(Kind::Other);
                        return Ok(Some(Event::AppendEnd));
                    }
                    [b' ', after @ ..] if core.offers("MULTIAPPEND") => {
                        // RFC 3502 §6.3.11: `SP [flag-list SP] [date-time SP] literal`, the
                        // next message of the same APPEND.
                        let Some(lf) = memchr::memchr(b'\n', after) else {
                            if rest.len() > core.config.limits.max_line {
                                core.abort_append(StatusKind::Bad, None, "Line too long");
                                // The line may still end in `{n+}`: its data is skipped too.
                                core.mode = Mode::SkipCommand(CommandSkip::data(0));
                                return Ok(Some(Event::AppendAborted));
                            }
                            return Ok(None);
                        };
                        pos += 2 + lf;
                        *settled = pos;
                        let line = after.get(..lf).unwrap_or_default();
                        let line = line.strip_suffix(b"\r").unwrap_or(line);
                        core.mode = Mode::Commands;
                        match core.next_append(line) {
                            Ok((command, size, sync)) => {
                                if sync {
                                    core.output
                                        .extend_from_slice(b"+ Ready for literal data\r\n");
                                }
                                core.append = Some((command, size));
                                core.mode = Mode::AppendData(size);
                                continue;
                            }
                            Err((kind, code, text, skip)) => {
                                core.abort_append(kind, code, text);
                                // RFC 7888 §4: the refused non-synchronizing message
                                // arrives anyway, and the rest of the command after it.
                                if let Some(n) = skip {
                                    core.mode = Mode::SkipCommand(CommandSkip::data(n));
                                }
                                return Ok(Some(Event::AppendAborted));
                            }
                        }
                    }
                    _ => {
                        core.mode = Mode::SkipCommand(CommandSkip::data(0));
                        let text = "Expected CRLF after the message (MULTIAPPEND is not offered)";
                        core.tagged_raw(StatusKind::Bad, None, text);
                        continue;
                    }
                },
                Mode::SkipCommand(skip) => {
                    let d = skip.skip(rest);
                    pos += d.consumed;
                    if d.done {
                        core.mode = Mode::Commands;
                        continue;
                    }
                    *settled = pos;
                    return Ok(None);
                }
                Mode::Discard => {
                    let d = decoder.discard(rest);
                    pos += d.consumed;
                    if !d.done {
                        *settled = pos;
                        return Ok(None);
                    }
                    core.mode = Mode::Commands;
                    continue;
                }
                Mode::SkipLine => match memchr::memchr(b'\n', rest) {
                    Some(lf) => {
                        pos += lf + 1;
                        core.mode = Mode::Commands;
                        continue;
                    }
                    None => {
                        *settled = buf.len();
                        return Ok(None);
                    }
                },
                Mode::Idle => {
                    let Some(lf) = memchr::memchr(b'\n', rest) else {
                        if rest.len() > 1024 {
                            core.idle_bad();
                            core.mode = Mode::SkipLine;
                            continue;
                        }
                        return Ok(None);
                    };
                    let line = rest.get(..lf).unwrap_or_default();
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    pos += lf + 1;
                    *settled = pos;
                    core.mode = Mode::Commands;
                    if line.eq_ignore_ascii_case(b"DONE") {
                        core.awaiting = Awaiting::IdleDone;
                        return Ok(Some(Event::IdleDone));
                    }
                    core.idle_bad();
                    continue;
                }
                Mode::Sasl(_) => match decoder.decode_authenticate(rest) {
                    Err(_) => {
                        core.mode = Mode::Discard;
                        core.tagged_raw(StatusKind::Bad, None, "Invalid base64 response");
                        continue;
                    }
                    Ok(mail_common::decode::Decoded::Incomplete { .. }) => return Ok(None),
                    Ok(mail_common::decode::Decoded::Complete { value, consumed }) => {
                        pos += consumed;
                        *settled = pos;
                        let Mode::Sasl(sasl) = core::mem::replace(&mut core.mode, Mode::Commands)
                        else {
                            continue;
                        };
                        let mut sasl = sasl;
                        let step = match value {
                            AuthenticateData::Cancel => Err(SaslError::Cancelled),
                            AuthenticateData::Response(r) => sasl.step(&r),
                        };
                        if let Some(ev) = core.sasl_step(sasl, step) {
                            return Ok(Some(ev));
                        }
                        continue;
                    }
                },
                Mode::Commands => {}
            }
            let decoded = decoder.decode(rest);
            match decoded {
                Ok(CommandDecoded::Incomplete { .. }) => return Ok(None),
                Err(e) => {
                    core.sync_seen = 0;
                    let pass = core.config.pass_unparsed;
                    if let Some((command, consumed)) = raw_fallback(decoder, rest, &e, pass) {
                        pos += consumed;
                        *settled = pos;
                        match core.admit(command) {
                            Admitted::Event(ev) => return Ok(Some(ev)),
                            _ => continue,
                        }
                    }
                    core.mode = Mode::Discard;
                    core.decode_error(rest, &e);
                    if core.too_many_errors() {
                        return Ok(Some(Event::Closed));
                    }
                    continue;
                }
                Ok(CommandDecoded::ContinuationNeeded { size }) => {
                    core.sync_seen += 1;
                    let Some((tag, name)) = head(rest) else {
                        // No valid tag: the decoder checks the command only up to its
                        // first literal, and this is a later one. Nothing can be tagged
                        // or asked for: refuse the literal (RFC 3501 §7.5) untagged.
                        core.tagged_to("*", StatusKind::Bad, None, "Invalid tag");
                        pos += decoder.refuse_literal().unwrap_or(rest.len());
                        core.sync_seen = 0;
                        if core.too_many_errors() {
                            return Ok(Some(Event::Closed));
                        }
                        continue;
                    };
                    if let Some((kind, code, text)) = core.refusal(name.as_bytes()) {
                        core.tagged_to(tag, kind, code, text);
                        // RFC 3501 §7.5: refused, the literal is not sent; the command
                        // ends with the announcing line.
                        pos += decoder.refuse_literal().unwrap_or(rest.len());
                        core.sync_seen = 0;
                        if core.too_many_errors() {
                            return Ok(Some(Event::Closed));
                        }
                        continue;
                    }
                    let stream = core.config.stream_append.is_some_and(|t| size >= t)
                        && core.sync_seen == 1
                        && name.eq_ignore_ascii_case("APPEND");
                    let skeleton = if stream {
                        decoder
                            .literal_data_start()
                            .and_then(|data| append_skeleton(rest.get(..data)?))
                    } else {
                        None
                    };
                    if let Some(command) = skeleton {
                        // The machine reads the message itself: the decoder's command ends
                        // where the message starts, and it starts afresh after it.
                        pos += decoder.refuse_literal().unwrap_or(rest.len());
                        *settled = pos;
                        core.sync_seen = 0;
                        core.tag.clear();
                        core.tag.push_str(command.tag.as_str());
                        core.append = Some((command, size));
                        if core.config.ask_literals {
                            core.awaiting = Awaiting::Literal;
                            return Ok(Some(Event::Literal {
                                tag,
                                command: name,
                                size,
                            }));
                        }
                        core.output
                            .extend_from_slice(b"+ Ready for literal data\r\n");
                        core.mode = Mode::AppendData(size);
                        continue;
                    }
                    if core.config.ask_literals {
                        core.awaiting = Awaiting::Literal;
                        core.tag.clear();
                        core.tag.push_str(tag);
                        return Ok(Some(Event::Literal {
                            tag,
                            command: name,
                            size,
                        }));
                    }
                    core.output
                        .extend_from_slice(b"+ Ready for literal data\r\n");
                    continue;
                }
                Ok(CommandDecoded::Complete { command, consumed }) => {
                    core.sync_seen = 0;
                    pos += consumed;
                    *settled = pos;
                    match core.admit(command) {
                        Admitted::Event(ev) => return Ok(Some(ev)),
                        Admitted::Handled => {}
                        Admitted::StartTls => {
                            let discarded = buf.len() - pos;
                            core.discarded_plaintext += discarded;
                            *clear = true;
                            return Ok(Some(Event::StartTls { discarded }));
                        }
                    }
                    if core.too_many_errors() {
                        return Ok(Some(Event::Closed));
                    }
                }
            }
        }
    }

    /// Writes untagged data (`* 3 EXISTS`, `* 1 FETCH (...)`, `* LIST ...`): while a
    /// command runs, during IDLE, or unsolicited.
    ///
    /// # Errors
    /// [`Error::Invalid`] after logout.
    pub fn data(&mut self, data: &Data<'_>) -> Result<(), Error> {
        self.settle();
        if self.core.state == State::Logout {
            return Err(misuse("the session is over"));
        }
        // `"*" SP response-data` (RFC 3501 §7.2-§7.4), without copying the data.
        self.core.output.extend_from_slice(b"* ");
        data.encode(&mut self.core.output);
        self.core.output.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Writes an untagged `* OK`, `* NO` or `* BAD` with an optional code (RFC 3501
    /// §7.1): alerts, `[UIDVALIDITY n]`, `[PERMANENTFLAGS (...)]`...
    ///
    /// # Errors
    /// [`Error::Invalid`] for another kind, an invalid text, or after logout.
    pub fn untagged(
        &mut self,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), Error> {
        self.settle();
        if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
            return Err(misuse("untagged status must be OK, NO or BAD"));
        }
        if self.core.state == State::Logout {
            return Err(misuse("the session is over"));
        }
        let r = StatusResponse {
            tag: None,
            kind,
            code,
            text: Text::new(text)?,
        };
        r.encode(&mut self.core.output);
        Ok(())
    }

    /// Writes `* BYE text` and ends the session (RFC 3501 §7.1.5).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an invalid text.
    pub fn bye(&mut self, text: &str) -> Result<(), Error> {
        self.settle();
        let r = StatusResponse {
            tag: None,
            kind: StatusKind::Bye,
            code: None,
            text: Text::new(text)?,
        };
        r.encode(&mut self.core.output);
        self.core.state = State::Logout;
        self.core.awaiting = Awaiting::Nothing;
        Ok(())
    }

    /// Completes the current command with `tag OK [code] text`. A LOGIN or AUTHENTICATE
    /// OK moves to the authenticated state (and carries `[CAPABILITY ...]` unless another
    /// code is given); SELECT / EXAMINE to selected; CLOSE / UNSELECT back to authenticated.
    ///
    /// # Errors
    /// [`Error::Invalid`] when no command waits for an answer, or for an invalid text.
    pub fn ok(&mut self, code: Option<Code<'_>>, text: &str) -> Result<(), Error> {
        self.complete(StatusKind::Ok, code, text)
    }

    /// Completes the current command with `tag NO [code] text` (a failed SELECT leaves no
    /// mailbox selected, RFC 3501 §6.3.1).
    ///
    /// # Errors
    /// As [`ok`](Self::ok).
    pub fn no(&mut self, code: Option<Code<'_>>, text: &str) -> Result<(), Error> {
        self.complete(StatusKind::No, code, text)
    }

    /// Completes the current command with `tag BAD [code] text`.
    ///
    /// # Errors
    /// As [`ok`](Self::ok).
    pub fn bad(&mut self, code: Option<Code<'_>>, text: &str) -> Result<(), Error> {
        self.complete(StatusKind::Bad, code, text)
    }

    fn complete(
        &mut self,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), Error> {
        self.settle();
        let cmd = match self.core.awaiting {
            Awaiting::Command(k) => k,
            Awaiting::IdleDone => Kind::Idle,
            _ => return Err(misuse("no command waits for an answer")),
        };
        let text = Text::new(text)?;
        let core = &mut self.core;
        let ok = kind == StatusKind::Ok;
        let mut code = code;
        match cmd {
            Kind::Login if ok => {
                core.state = State::Authenticated;
                if code.is_none() && core.config.capability_codes {
                    code = Some(Code::Capability(core.capability_list()));
                }
            }
            Kind::Select { read_only } if ok => {
                let ro = read_only || matches!(code, Some(Code::ReadOnly));
                core.state = State::Selected { read_only: ro };
            }
            Kind::Select { .. } if kind == StatusKind::No => core.state = State::Authenticated,
            Kind::Deselect if ok => core.state = State::Authenticated,
            _ => {}
        }
        let tag = Tag::new(core.tag.as_str())?;
        StatusResponse {
            tag: Some(tag),
            kind,
            code,
            text,
        }
        .encode(&mut core.output);
        core.awaiting = Awaiting::Nothing;
        Ok(())
    }

    /// After [`Event::Literal`]: sends the continuation; the literal will be read.
    ///
    /// # Errors
    /// [`Error::Invalid`] when no literal waits for a decision.
    pub fn accept_literal(&mut self) -> Result<(), Error> {
        self.settle();
        if self.core.awaiting != Awaiting::Literal {
            return Err(misuse("no literal waits for a decision"));
        }
        self.core.awaiting = Awaiting::Nothing;
        self.core
            .output
            .extend_from_slice(b"+ Ready for literal data\r\n");
        if let Some((_, size)) = &self.core.append {
            self.core.mode = Mode::AppendData(*size);
        }
        Ok(())
    }

    /// After [`Event::Literal`]: refuses the command with `tag NO [TOOBIG] text` before
    /// the client sends the literal (RFC 3501 §7.5, RFC 7888 §4).
    ///
    /// # Errors
    /// [`Error::Invalid`] when no literal waits for a decision, or for an invalid text.
    pub fn reject_literal(&mut self, text: &str) -> Result<(), Error> {
        self.settle();
        if self.core.awaiting != Awaiting::Literal {
            return Err(misuse("no literal waits for a decision"));
        }
        let text = Text::new(text)?;
        let tag = Tag::new(self.core.tag.as_str())?;
        StatusResponse {
            tag: Some(tag),
            kind: StatusKind::No,
            code: Some(other_code("TOOBIG")),
            text,
        }
        .encode(&mut self.core.output);
        self.core.awaiting = Awaiting::Nothing;
        if self.core.append.take().is_some() {
            // The command line was consumed already; the decoder is fresh.
            return Ok(());
        }
        // RFC 3501 §7.5: the client does not send the refused literal.
        let skip = self.decoder.refuse_literal().unwrap_or(self.input.len());
        self.input.consume(skip);
        self.core.sync_seen = 0;
        Ok(())
    }

    /// After [`Event::StartTls`]: the TLS handshake succeeded; the transport is encrypted
    /// from now on (the state stays not authenticated, RFC 3501 §6.2.1).
    ///
    /// # Errors
    /// [`Error::Invalid`] when no STARTTLS was accepted.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.settle();
        if self.core.awaiting != Awaiting::Tls {
            return Err(misuse("no STARTTLS in progress"));
        }
        self.core.awaiting = Awaiting::Nothing;
        self.core.tls = true;
        self.reset_decoder();
        Ok(())
    }
}

fn other_code(name: &'static str) -> Code<'static> {
    Code::Other {
        name: Atom(Cow::Borrowed(name)),
        text: None,
    }
}

/// What [`Core::admit`] did with a command.
enum Admitted<'a> {
    Event(Event<'a>),
    Handled,
    StartTls,
}

impl Core {
    fn decoder_config(&self) -> Config {
        Config {
            limits: self.config.limits,
            utf8: self.config.rev2_only
                || self.enabled.iter().any(|a| {
                    // RFC 6855 §3; RFC 9051 §9 (QUOTED-CHAR takes UTF-8 in rev2).
                    a.as_str().eq_ignore_ascii_case("UTF8=ACCEPT")
                        || a.as_str().eq_ignore_ascii_case("IMAP4rev2")
                }),
            ..Config::default()
        }
    }

    fn plaintext_ok(&self) -> bool {
        self.tls || self.config.allow_plaintext_auth
    }

    fn mechanism_offered(&self, m: &Mechanism<'_>) -> bool {
        self.config.mechanisms.iter().any(|o| o == m) && (self.plaintext_ok() || !m.is_plaintext())
    }

    fn capability_list(&self) -> Vec1<Capability<'static>> {
        let atom = |s: &'static str| Capability::Other(Atom(Cow::Borrowed(s)));
        let mut caps = alloc::vec![if self.config.rev2_only {
            atom("IMAP4rev2")
        } else {
            Capability::Imap4Rev1
        }];
        if self.state == State::NotAuthenticated {
            if self.config.starttls && !self.tls {
                caps.push(Capability::StartTls);
            }
            if !self.plaintext_ok() {
                caps.push(Capability::LoginDisabled);
            }
            // RFC 4959 §3 lists SASL-IR before the mechanisms.
            if self.config.sasl_ir && !self.config.mechanisms.is_empty() {
                caps.push(atom("SASL-IR"));
            }
            for m in &self.config.mechanisms {
                if self.mechanism_offered(m) {
                    if let Ok(a) = Atom::new(String::from(m.as_str())) {
                        caps.push(Capability::Auth(a));
                    }
                }
            }
        }
        match self.config.literals {
            LiteralSupport::SyncOnly => {}
            LiteralSupport::LiteralPlus => caps.push(atom("LITERAL+")),
            LiteralSupport::LiteralMinus => caps.push(atom("LITERAL-")),
        }
        if self.config.idle {
            caps.push(atom("IDLE"));
        }
        if !self.config.enable.is_empty() {
            caps.push(atom("ENABLE"));
        }
        if self.config.compress && !self.compress {
            caps.push(atom("COMPRESS=DEFLATE"));
        }
        let listed = |c: &Capability<'_>| {
            self.config.rev2_only
                && matches!(c, Capability::Other(a) if a.as_str().eq_ignore_ascii_case("IMAP4rev2"))
        };
        caps.extend(
            self.config
                .capabilities
                .iter()
                .filter(|c| !listed(c))
                .cloned(),
        );
        Vec1(caps)
    }

    /// Writes a tagged response made of machine constants.
    fn tagged_to(&mut self, tag: &str, kind: StatusKind, code: Option<&str>, text: &str) {
        let out = &mut self.output;
        out.extend_from_slice(tag.as_bytes());
        out.extend_from_slice(match kind {
            StatusKind::Ok => b" OK ",
            StatusKind::No => b" NO ",
            _ => b" BAD ",
        });
        if let Some(c) = code {
            out.push(b'[');
            out.extend_from_slice(c.as_bytes());
            out.extend_from_slice(b"] ");
        }
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\r\n");
        if kind == StatusKind::Bad {
            self.errors += 1;
        }
    }

    /// Writes a tagged response to the current command.
    /// Ends a streamed MULTIAPPEND the machine refused: the tagged answer is written here.
    fn abort_append(&mut self, kind: StatusKind, code: Option<&str>, text: &str) {
        self.append_first = None;
        self.append = None;
        self.awaiting = Awaiting::Nothing;
        self.tagged_raw(kind, code, text);
    }

    /// The next message of a streamed MULTIAPPEND from its line (`[flag-list SP]
    /// [date-time SP] literal` without the leading SP and the CRLF, RFC 3502 §6.3.11): the
    /// command as for [`Event::AppendStart`], its size and whether the literal is
    /// synchronizing; or the refusal, with the octets of literal data that follow anyway.
    #[allow(clippy::type_complexity)]
    fn next_append(
        &self,
        line: &[u8],
    ) -> Result<
        (Command<'static>, u64, bool),
        (StatusKind, Option<&'static str>, &'static str, Option<u64>),
    > {
        let bad = (StatusKind::Bad, None, "Invalid APPEND message", None);
        let (size, sync) = announcement(line).ok_or(bad)?;
        let data = (!sync).then_some(size);
        if size > self.config.limits.max_literal {
            // As the decoder answers a first message: BAD for a non-synchronizing literal,
            // whose data comes anyway (RFC 7888 §4, §5).
            let kind = if sync {
                StatusKind::No
            } else {
                StatusKind::Bad
            };
            return Err((kind, Some("TOOBIG"), "Message too large", data));
        }
        let allowed = sync
            || match self.config.literals {
                LiteralSupport::SyncOnly => false,
                LiteralSupport::LiteralPlus => true,
                LiteralSupport::LiteralMinus => size <= 4096,
            };
        if !allowed {
            // RFC 7888 §5: LITERAL- refuses one over 4096 octets in APPEND with BAD [TOOBIG].
            let code =
                matches!(self.config.literals, LiteralSupport::LiteralMinus).then_some("TOOBIG");
            let text = "Non-synchronizing literal not allowed";
            return Err((StatusKind::Bad, code, text, data));
        }
        let bad = (StatusKind::Bad, None, "Invalid APPEND message", data);
        let first = self.append_first.as_ref().ok_or(bad)?;
        // The grammar reads the message's flags, date and literal kind from a one-message
        // APPEND of the same text; tag and mailbox are the command's.
        let mut prefix = b"x APPEND INBOX ".to_vec();
        prefix.extend_from_slice(line);
        let parsed = append_skeleton(&prefix).ok_or(bad)?;
        let mailbox = match &first.body {
            CommandBody::Append { mailbox, .. } | CommandBody::AppendExt { mailbox, .. } => {
                mailbox.clone()
            }
            _ => return Err(bad),
        };
        let body = match parsed.body {
            CommandBody::Append {
                flags,
                date,
                message,
                ..
            } => CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            },
            CommandBody::AppendExt { messages, .. } => CommandBody::AppendExt { mailbox, messages },
            _ => return Err(bad),
        };
        let command = Command {
            tag: first.tag.clone(),
            body,
        };
        Ok((command, size, sync))
    }

    fn tagged_raw(&mut self, kind: StatusKind, code: Option<&str>, text: &str) {
        let tag = core::mem::take(&mut self.tag);
        self.tagged_to(&tag, kind, code, text);
        self.tag = tag;
    }

    fn idle_bad(&mut self) {
        self.tagged_raw(StatusKind::Bad, None, "Expected DONE");
        self.awaiting = Awaiting::Nothing;
    }

    fn too_many_errors(&mut self) -> bool {
        if self.errors >= self.config.max_errors && self.state != State::Logout {
            self.output
                .extend_from_slice(b"* BYE Too many invalid commands\r\n");
            self.state = State::Logout;
            return true;
        }
        false
    }

    fn decode_error(&mut self, rest: &[u8], e: &Error) {
        let tag = head(rest).map(|(t, _)| t).unwrap_or("*");
        match e {
            Error::LiteralTooLarge { sync: true, .. } => {
                self.tagged_to(tag, StatusKind::No, Some("TOOBIG"), "Literal too large");
            }
            Error::LiteralTooLarge { sync: false, .. } => {
                self.tagged_to(tag, StatusKind::Bad, Some("TOOBIG"), "Literal too large");
            }
            Error::NonSyncLiteral { size, .. } if *size > 4096 => {
                let text = "Non-synchronizing literal over 4096 octets";
                self.tagged_to(tag, StatusKind::Bad, Some("TOOBIG"), text);
            }
            e => {
                let text = format!("Error in IMAP command: {e}");
                let text = if Text::new(text.as_str()).is_ok() {
                    text
                } else {
                    String::from("Error in IMAP command")
                };
                self.tagged_to(tag, StatusKind::Bad, None, &text);
            }
        }
    }

    /// Why a command named `name` may not run now: (kind, code, text).
    fn refusal(&self, name: &[u8]) -> Option<(StatusKind, Option<&'static str>, &'static str)> {
        let class = class_of(name);
        let bad = |t| Some((StatusKind::Bad, None, t));
        match (self.state, class) {
            (State::Logout, _) => bad("Logged out"),
            (_, Class::Any) => None,
            (State::NotAuthenticated, Class::NotAuthenticated) => {
                if name.eq_ignore_ascii_case(b"LOGIN") && !self.plaintext_ok() {
                    Some((
                        StatusKind::No,
                        Some("PRIVACYREQUIRED"),
                        "LOGIN is disabled on an unencrypted connection",
                    ))
                } else {
                    None
                }
            }
            (State::NotAuthenticated, _) => bad("Command not allowed before authentication"),
            (_, Class::NotAuthenticated) => bad("Already authenticated"),
            (State::Authenticated, Class::Selected) => bad("No mailbox selected"),
            (State::Selected { .. }, Class::AuthenticatedOnly) => {
                bad("Command only valid in the authenticated state")
            }
            _ => None,
        }
    }

    fn admit<'a>(&mut self, command: Command<'a>) -> Admitted<'a> {
        let name = command.body.name();
        let class_name: &[u8] = if command.body.is_uid() {
            b"UID"
        } else {
            name.as_bytes()
        };
        self.tag.clear();
        self.tag.push_str(command.tag.as_str());
        if let Some((kind, code, text)) = self.refusal(class_name) {
            self.tagged_raw(kind, code, text);
            return Admitted::Handled;
        }
        if let Some(text) = self.extension_refusal(&command.body) {
            self.tagged_raw(StatusKind::Bad, None, text);
            return Admitted::Handled;
        }
        self.errors = 0;
        // A QRESYNC server supports CONDSTORE too (RFC 7162 §3.2).
        let condstore = self.offers("CONDSTORE") || self.offers("QRESYNC");
        if command.body.enables_condstore() && condstore && !self.has_enabled("CONDSTORE") {
            // RFC 7162 §3.1: the first CONDSTORE enabling command turns CONDSTORE on for
            // the rest of the session.
            self.enabled.push(Atom(Cow::Borrowed("CONDSTORE")));
        }
        let kind = match &command.body {
            CommandBody::Capability => {
                let caps = Data::Capability(self.capability_list());
                Response::Data(caps).encode(&mut self.output);
                self.tagged_raw(StatusKind::Ok, None, "CAPABILITY completed");
                return Admitted::Handled;
            }
            CommandBody::Logout => {
                let text = Text::new(self.config.bye_text.as_str())
                    .unwrap_or(Text(Cow::Borrowed("Logging out")));
                let bye = StatusResponse {
                    tag: None,
                    kind: StatusKind::Bye,
                    code: None,
                    text,
                };
                bye.encode(&mut self.output);
                self.tagged_raw(StatusKind::Ok, None, "LOGOUT completed");
                self.state = State::Logout;
                return Admitted::Event(Event::Logout);
            }
            CommandBody::StartTls => {
                if self.tls {
                    self.tagged_raw(StatusKind::Bad, None, "TLS is already active");
                    return Admitted::Handled;
                }
                if !self.config.starttls {
                    self.tagged_raw(StatusKind::Bad, None, "STARTTLS is not available");
                    return Admitted::Handled;
                }
                self.tagged_raw(StatusKind::Ok, None, "Begin TLS negotiation now");
                self.awaiting = Awaiting::Tls;
                return Admitted::StartTls;
            }
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            } => return self.authenticate(mechanism, initial_response.as_deref()),
            CommandBody::Login { .. } => Kind::Login,
            CommandBody::Select { .. } => Kind::Select { read_only: false },
            CommandBody::Examine { .. } => Kind::Select { read_only: true },
            CommandBody::SelectExt { examine, .. } => Kind::Select {
                read_only: *examine,
            },
            // RFC 3691 §2: no expunge, back to the authenticated state.
            CommandBody::Close | CommandBody::Unselect => Kind::Deselect,
            CommandBody::Idle if self.config.idle => {
                self.output.extend_from_slice(b"+ idling\r\n");
                self.awaiting = Awaiting::Idling;
                self.mode = Mode::Idle;
                return Admitted::Event(Event::Idle);
            }
            CommandBody::Enable { capabilities } if !self.config.enable.is_empty() => {
                return self.enable(capabilities);
            }
            CommandBody::Compress { algorithm } if self.config.compress => {
                return self.compress(algorithm.as_str().as_bytes());
            }
            CommandBody::Other { name, .. } => {
                // SELECT / EXAMINE in a form the grammar refused, passed raw
                // (`pass_unparsed`): still a selection for the state machine.
                let n = name.as_str().as_bytes();
                if n.eq_ignore_ascii_case(b"SELECT") {
                    Kind::Select { read_only: false }
                } else if n.eq_ignore_ascii_case(b"EXAMINE") {
                    Kind::Select { read_only: true }
                } else {
                    Kind::Other
                }
            }
            _ => Kind::Other,
        };
        self.awaiting = Awaiting::Command(kind);
        Admitted::Event(Event::Command(command))
    }

    fn authenticate<'a>(
        &mut self,
        mechanism: &Atom<'_>,
        initial_response: Option<&[u8]>,
    ) -> Admitted<'a> {
        let mech = Mechanism::parse(mechanism.as_str().as_bytes());
        let Some(mech) = mech.filter(|m| self.mechanism_offered(m)) else {
            let text = "Unsupported authentication mechanism";
            self.tagged_raw(StatusKind::No, None, text);
            return Admitted::Handled;
        };
        if initial_response.is_some() && !self.config.sasl_ir {
            self.tagged_raw(StatusKind::Bad, None, "SASL-IR is not offered");
            return Admitted::Handled;
        }
        let mut sasl = match SaslServer::new(mech, &self.cram_challenge) {
            Ok(s) => s,
            Err(_) => {
                let text = "Unsupported authentication mechanism";
                self.tagged_raw(StatusKind::No, None, text);
                return Admitted::Handled;
            }
        };
        let step = sasl.start(initial_response);
        match self.sasl_step(sasl, step) {
            Some(ev) => Admitted::Event(ev),
            None => Admitted::Handled,
        }
    }

    /// Acts on a SASL step: a challenge continues the exchange, credentials make the event.
    fn sasl_step(
        &mut self,
        sasl: SaslServer,
        step: Result<ServerStep, SaslError>,
    ) -> Option<Event<'static>> {
        match step {
            Ok(ServerStep::Challenge(c)) => {
                Response::Continue(Continue::Base64(Cow::Owned(c))).encode(&mut self.output);
                self.mode = Mode::Sasl(sasl);
                None
            }
            Ok(ServerStep::Done(credentials)) => {
                self.mode = Mode::Commands;
                self.awaiting = Awaiting::Command(Kind::Login);
                Some(Event::Authenticate { credentials })
            }
            Err(SaslError::Cancelled) => {
                self.mode = Mode::Commands;
                self.tagged_raw(StatusKind::Bad, None, "AUTHENTICATE cancelled");
                None
            }
            Err(SaslError::UnexpectedInitialResponse) => {
                self.mode = Mode::Commands;
                let text = "Initial response not allowed with this mechanism";
                self.tagged_raw(StatusKind::Bad, None, text);
                None
            }
            Err(_) => {
                self.mode = Mode::Commands;
                self.tagged_raw(StatusKind::No, None, "Authentication failed");
                None
            }
        }
    }

    /// Whether the server offers `capability`, advertised or enabled on request.
    fn offers(&self, capability: &str) -> bool {
        let eq = |a: &str| a.eq_ignore_ascii_case(capability);
        self.config.enable.iter().any(|a| eq(a.as_str()))
            || self
                .config
                .capabilities
                .iter()
                .any(|c| matches!(c, Capability::Other(a) if eq(a.as_str())))
    }

    fn has_enabled(&self, capability: &str) -> bool {
        self.enabled
            .iter()
            .any(|a| a.as_str().eq_ignore_ascii_case(capability))
    }

    /// RFC 7162 §3.2.5, §3.2.6: the QRESYNC select parameter and the VANISHED fetch
    /// modifier need `ENABLE QRESYNC` first; VANISHED only in UID FETCH, with CHANGEDSINCE.
    /// RFC 6855 §3: no SEARCH CHARSET once UTF8=ACCEPT is enabled. RFC 9051 Appendix E:
    /// nothing rev2 removed once the session is rev2.
    fn extension_refusal(&self, body: &CommandBody<'_>) -> Option<&'static str> {
        if self.config.rev2_only || self.has_enabled("IMAP4rev2") {
            if let Some(why) = body.removed_in_rev2() {
                return Some(why);
            }
        }
        match body {
            CommandBody::Search {
                charset: Some(_), ..
            }
            | CommandBody::SearchExt {
                charset: Some(_), ..
            } if self.has_enabled("UTF8=ACCEPT") => {
                Some("SEARCH CHARSET not allowed after ENABLE UTF8=ACCEPT")
            }
            CommandBody::SelectExt { parameters, .. }
                if parameters
                    .iter()
                    .any(|p| matches!(p, SelectParam::Qresync(_)))
                    && !self.has_enabled("QRESYNC") =>
            {
                Some("QRESYNC must be enabled first")
            }
            CommandBody::FetchExt { uid, modifiers, .. }
                if modifiers
                    .iter()
                    .any(|m| matches!(m, FetchModifier::Vanished)) =>
            {
                let since = modifiers
                    .iter()
                    .any(|m| matches!(m, FetchModifier::ChangedSince(_)));
                if !self.has_enabled("QRESYNC") {
                    Some("QRESYNC must be enabled first")
                } else if !*uid || !since {
                    Some("VANISHED needs UID FETCH with CHANGEDSINCE")
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// `ENABLE SP capability *(SP capability)` (RFC 5161 §3.1).
    fn enable<'a>(&mut self, names: &Vec1<Atom<'_>>) -> Admitted<'a> {
        let mut newly = Vec::new();
        for a in names.iter().cloned().map(Atom::into_owned) {
            let offered = self
                .config
                .enable
                .iter()
                .any(|o| o.as_str().eq_ignore_ascii_case(a.as_str()));
            let already = self
                .enabled
                .iter()
                .any(|o| o.as_str().eq_ignore_ascii_case(a.as_str()));
            if offered && !already && !newly.contains(&a) {
                newly.push(a);
            }
        }
        // RFC 7162 §3.2.3: enabling QRESYNC implies CONDSTORE.
        if newly
            .iter()
            .any(|a| a.as_str().eq_ignore_ascii_case("QRESYNC"))
            && !self
                .enabled
                .iter()
                .chain(newly.iter())
                .any(|a| a.as_str().eq_ignore_ascii_case("CONDSTORE"))
        {
            newly.push(Atom(Cow::Borrowed("CONDSTORE")));
        }
        let mut line = Vec::from(&b"* ENABLED"[..]);
        for a in &newly {
            line.push(b' ');
            line.extend_from_slice(a.as_str().as_bytes());
        }
        line.extend_from_slice(b"\r\n");
        self.output.extend_from_slice(&line);
        self.tagged_raw(StatusKind::Ok, None, "ENABLE completed");
        self.enabled.extend(newly.iter().cloned());
        Admitted::Event(Event::Enabled(newly))
    }

    /// `COMPRESS SP algorithm` (RFC 4978 §3).
    fn compress<'a>(&mut self, arguments: &[u8]) -> Admitted<'a> {
        if !arguments.eq_ignore_ascii_case(b"DEFLATE") {
            self.tagged_raw(StatusKind::Bad, None, "Unknown compression algorithm");
            return Admitted::Handled;
        }
        if self.compress {
            let text = "DEFLATE is already active";
            self.tagged_raw(StatusKind::No, Some("COMPRESSIONACTIVE"), text);
            return Admitted::Handled;
        }
        self.tagged_raw(StatusKind::Ok, None, "DEFLATE active");
        self.compress = true;
        Admitted::Event(Event::Compress)
    }
}

/// The arguments of `MOVE` / `UID MOVE` (RFC 6851 §3: `move = "MOVE" SP sequence-set SP
/// mailbox`) from raw bytes. MOVE has COPY's grammar, so COPY's parser reads them. The
/// decoder now gives [`CommandBody::Move`] itself; this stays for raw arguments kept
/// elsewhere.
///
/// # Errors
/// The grammar error.
pub fn move_arguments(arguments: &[u8]) -> Result<(SequenceSet<'static>, Mailbox<'static>), Error> {
    use mail_common::decode::{Decode, Decoded};
    let mut line = Vec::with_capacity(arguments.len() + 10);
    line.extend_from_slice(b"M COPY ");
    line.extend_from_slice(arguments);
    line.extend_from_slice(b"\r\n");
    match Command::decode(&line)? {
        Decoded::Complete {
            value:
                Command {
                    body:
                        CommandBody::Copy {
                            sequence_set,
                            mailbox,
                            ..
                        },
                    ..
                },
            ..
        } => Ok((sequence_set.into_owned(), mailbox.into_owned())),
        _ => Err(Error::invalid("MOVE arguments", "sequence-set SP mailbox")),
    }
}

impl core::fmt::Display for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            State::NotAuthenticated => "not authenticated",
            State::Authenticated => "authenticated",
            State::Selected { .. } => "selected",
            State::Logout => "logout",
        })
    }
}
