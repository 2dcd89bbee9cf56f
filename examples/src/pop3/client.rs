//! The `pop3-client` session: blocking, one command at a time, over a
//! [`ClientStream`] (plaintext, STLS-upgraded, or implicit TLS).
//!
//! Commands are `pop3_proto::Command` values (the crate writes them) and every answer is
//! read with a `pop3_proto::ResponseDecoder` for the command's response kind, so the
//! framing (which responses are multi-line, dot-unstuffing, SASL continuations) is the
//! crate's. Message content streams into any [`Write`]: a 10 MB message never sits in
//! memory whole.
//!
//! The login method is chosen by the caller ([`LoginMethod`]) under one rule: a password
//! never crosses an unencrypted connection in the clear (USER/PASS, AUTH PLAIN, AUTH LOGIN)
//! unless [`LoginOptions::allow_plaintext`] says so (RFC 2595 §2.4, RFC 8314 §5). APOP and
//! CRAM-MD5 send only a digest and are allowed anywhere.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mail_common::decode::Decoded;
use mail_common::sasl::{Mechanism as SaslMechanism, SaslClient};
use pop3_proto::{
    ApopDigest, AuthLine, Base64, Capability, Command, InitialResponse, Mechanism, MessageNumber,
    Param, Password, ResponseDecoder, ResponseEvent, ResponseKind, ResponseLimits, StatusLine,
};
use rustls::ClientConfig;

use super::Pop3Error;
use super::seen::SeenUidls;
use crate::net::client::ClientStream;
use crate::transcript::Recorded;

type Result<T, E = Pop3Error> = std::result::Result<T, E>;

/// A connection the session can run on: readable, writable, and able to switch to TLS
/// after STLS.
pub trait Transport: Read + Write {
    /// Whether the connection is protected by TLS.
    fn is_tls(&self) -> bool;
    /// Runs the TLS handshake in place, checking the certificate against `host`.
    fn start_tls(&mut self, config: Arc<ClientConfig>, host: &str) -> io::Result<()>;
}

impl Transport for ClientStream {
    fn is_tls(&self) -> bool {
        ClientStream::is_tls(self)
    }

    fn start_tls(&mut self, config: Arc<ClientConfig>, host: &str) -> io::Result<()> {
        self.upgrade_to_tls(config, host)
    }
}

/// A recorded connection: the transcript shows the plaintext of both phases.
impl Transport for Recorded<ClientStream> {
    fn is_tls(&self) -> bool {
        self.get_ref().is_tls()
    }

    fn start_tls(&mut self, config: Arc<ClientConfig>, host: &str) -> io::Result<()> {
        self.get_mut().upgrade_to_tls(config, host)
    }
}

/// How to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginMethod {
    /// The strongest method the server offers: AUTH CRAM-MD5, then APOP, then (only where
    /// plaintext is acceptable) AUTH PLAIN, then USER/PASS.
    Auto,
    /// APOP (RFC 1939 §7): needs the timestamp in the greeting.
    Apop,
    /// USER and PASS (RFC 1939 §7).
    UserPass,
    /// AUTH with this SASL mechanism (RFC 5034): PLAIN, LOGIN or CRAM-MD5.
    Sasl(SaslMechanism<'static>),
}

/// The login method and the plaintext policy.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The method.
    pub method: LoginMethod,
    /// Send a password in the clear over an unencrypted connection (USER/PASS, PLAIN,
    /// LOGIN). Off by default: for test servers on loopback only.
    pub allow_plaintext: bool,
}

impl Default for LoginOptions {
    fn default() -> Self {
        LoginOptions {
            method: LoginMethod::Auto,
            allow_plaintext: false,
        }
    }
}

/// What the session turned a response event into (owned, so the read buffer is free).
#[derive(Debug)]
enum Ev {
    Status(StatusLine<'static>),
    Continuation(Option<Vec<u8>>),
    Stat(pop3_proto::Stat),
    Scan(pop3_proto::ScanListing),
    Uid(pop3_proto::UniqueIdListing<'static>),
    Cap(Capability<'static>),
    Data,
    End,
    Other,
}

/// The text of a status line after `+OK`/`-ERR`, with its response code, for messages.
fn status_text(s: &StatusLine<'_>) -> String {
    let mut line = Vec::new();
    s.encode(&mut line);
    let line = String::from_utf8_lossy(&line);
    let line = line.trim_end_matches("\r\n");
    let text = line
        .strip_prefix("+OK")
        .or_else(|| line.strip_prefix("-ERR"))
        .unwrap_or(line);
    text.strip_prefix(' ').unwrap_or(text).to_owned()
}

/// A blocking POP3 client session.
#[derive(Debug)]
pub struct Session<T: Transport = ClientStream> {
    stream: T,
    buf: Vec<u8>,
    pos: usize,
    limits: ResponseLimits,
    greeting: String,
    timestamp: Option<String>,
    capabilities: Option<Vec<Capability<'static>>>,
}

impl<T: Transport> Session<T> {
    /// Reads the greeting (RFC 1939 §4) on a new connection.
    ///
    /// # Errors
    /// I/O errors, a malformed greeting, or `-ERR` (the server refuses service).
    pub fn start(stream: T) -> Result<Session<T>> {
        let mut session = Session {
            stream,
            buf: Vec::new(),
            pos: 0,
            limits: ResponseLimits::default(),
            greeting: String::new(),
            timestamp: None,
            capabilities: None,
        };
        let mut dec = ResponseDecoder::new(ResponseKind::Greeting, session.limits);
        let Ev::Status(status) = session.next(&mut dec, &mut io::sink())? else {
            return Err(pop3_proto::Error::Protocol("greeting expected").into());
        };
        if !status.is_ok() {
            return Err(Pop3Error::Refused {
                command: "greeting".into(),
                text: status_text(&status),
            });
        }
        session.timestamp = status
            .timestamp()
            .and_then(|t| std::str::from_utf8(t).ok())
            .map(str::to_owned);
        session.greeting = status_text(&status);
        Ok(session)
    }

    /// The greeting's text.
    #[must_use]
    pub fn greeting(&self) -> &str {
        &self.greeting
    }

    /// The greeting's APOP timestamp (`<...@...>`), if any.
    #[must_use]
    pub fn timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// The capabilities from the last CAPA (forgotten at STLS, RFC 2595 §4).
    #[must_use]
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.capabilities.as_deref()
    }

    /// Whether the connection is protected by TLS.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// The connection.
    pub fn get_ref(&self) -> &T {
        &self.stream
    }

    /// Ends the session and returns the connection.
    pub fn into_inner(self) -> T {
        self.stream
    }

    /// Whether the last CAPA listed STLS.
    #[must_use]
    pub fn offers_stls(&self) -> bool {
        self.capabilities
            .iter()
            .flatten()
            .any(|c| matches!(c, Capability::Stls))
    }

    /// Whether the last CAPA listed `mechanism` under SASL.
    #[must_use]
    pub fn offers_sasl(&self, mechanism: &str) -> bool {
        self.capabilities.iter().flatten().any(|c| {
            c.mechanisms()
                .any(|m| m.as_str().eq_ignore_ascii_case(mechanism))
        })
    }

    /// Reads more bytes from the server.
    fn fill(&mut self) -> Result<()> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + 64 * 1024, 0);
        let read = self
            .stream
            .read(self.buf.get_mut(old..).unwrap_or_default());
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                self.buf.truncate(old);
                return Err(match e.kind() {
                    io::ErrorKind::UnexpectedEof => Pop3Error::Closed,
                    _ => Pop3Error::Io {
                        context: "read from the server",
                        source: e,
                    },
                });
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            return Err(Pop3Error::Closed);
        }
        Ok(())
    }

    /// The next event of the response `dec` is decoding; message content goes to `sink`.
    fn next(&mut self, dec: &mut ResponseDecoder, sink: &mut dyn Write) -> Result<Ev> {
        loop {
            let input = self.buf.get(self.pos..).unwrap_or_default();
            if let Decoded::Complete { value, consumed } = dec.decode(input)? {
                let ev = match value {
                    ResponseEvent::Data(d) => {
                        sink.write_all(d)
                            .map_err(Pop3Error::io("write the message"))?;
                        Ev::Data
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
                self.pos += consumed;
                return Ok(ev);
            }
            self.fill()?;
        }
    }

    fn send(&mut self, cmd: &Command<'_>) -> Result<()> {
        let mut out = Vec::new();
        cmd.encode(&mut out);
        self.write(&out)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(Pop3Error::io("write to the server"))
    }

    /// Sends `cmd` and reads the first line of its response: `Ok` with the event for
    /// `+OK`, [`Pop3Error::Refused`] for `-ERR`.
    fn request(
        &mut self,
        cmd: &Command<'_>,
        sink: &mut dyn Write,
    ) -> Result<(ResponseDecoder, Ev)> {
        self.send(cmd)?;
        self.response(cmd, sink)
    }

    /// Sends several commands in one write, to be answered in order (RFC 2449 §6.6
    /// PIPELINING: only when the server announced it).
    fn send_many(&mut self, cmds: &[Command<'_>]) -> Result<()> {
        let mut out = Vec::new();
        for cmd in cmds {
            cmd.encode(&mut out);
        }
        self.write(&out)
    }

    /// Reads the first line of the response to `cmd`, which was sent already.
    fn response(
        &mut self,
        cmd: &Command<'_>,
        sink: &mut dyn Write,
    ) -> Result<(ResponseDecoder, Ev)> {
        let mut dec = ResponseDecoder::new(cmd.response_kind(), self.limits);
        let ev = self.next(&mut dec, sink)?;
        if let Ev::Status(s) = &ev {
            if !s.is_ok() {
                return Err(Pop3Error::Refused {
                    command: cmd.keyword().to_owned(),
                    text: status_text(s),
                });
            }
        }
        Ok((dec, ev))
    }

    /// Reads the whole response to `cmd` (sent already), message content into `sink`;
    /// returns the content's size.
    fn read_to_end(&mut self, cmd: &Command<'_>, sink: &mut dyn Write) -> Result<u64> {
        let mut counting = Counting { inner: sink, n: 0 };
        let (mut dec, _) = self.response(cmd, &mut counting)?;
        self.lines(&mut dec, &mut counting, |_| {})?;
        Ok(counting.n)
    }

    /// Whether the last CAPA listed PIPELINING (RFC 2449 §6.6).
    #[must_use]
    pub fn offers_pipelining(&self) -> bool {
        self.capabilities
            .iter()
            .flatten()
            .any(|c| matches!(c, Capability::Pipelining))
    }

    /// A command answered by one status line; returns its text.
    fn simple(&mut self, cmd: &Command<'_>) -> Result<String> {
        match self.request(cmd, &mut io::sink())? {
            (_, Ev::Status(s)) => Ok(status_text(&s)),
            _ => Err(pop3_proto::Error::Protocol("status line expected").into()),
        }
    }

    /// Reads the lines of a multi-line response until `.`, handing each event to `each`.
    fn lines(
        &mut self,
        dec: &mut ResponseDecoder,
        sink: &mut dyn Write,
        mut each: impl FnMut(Ev),
    ) -> Result<()> {
        while !dec.is_done() {
            let ev = self.next(dec, sink)?;
            each(ev);
        }
        Ok(())
    }

    /// CAPA (RFC 2449 §5). A server without CAPA (`-ERR`) has no capabilities.
    ///
    /// # Errors
    /// I/O and protocol errors.
    pub fn capa(&mut self) -> Result<Vec<Capability<'static>>> {
        let caps = match self.request(&Command::Capa, &mut io::sink()) {
            Ok((mut dec, _)) => {
                let mut caps = Vec::new();
                self.lines(&mut dec, &mut io::sink(), |ev| {
                    if let Ev::Cap(c) = ev {
                        caps.push(c);
                    }
                })?;
                caps
            }
            Err(Pop3Error::Refused { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        self.capabilities = Some(caps.clone());
        Ok(caps)
    }

    /// STLS (RFC 2595 §4): asks, runs the TLS handshake (checking the certificate against
    /// `host`), then asks CAPA again.
    ///
    /// # Errors
    /// `-ERR` to STLS, a failed handshake, or [`Pop3Error::PlaintextAfterStls`] when the
    /// server sent anything between its `+OK` and the handshake.
    pub fn stls(&mut self, config: Arc<ClientConfig>, host: &str) -> Result<()> {
        self.simple(&Command::Stls)?;
        let extra = self.buf.len() - self.pos;
        if extra > 0 {
            return Err(Pop3Error::PlaintextAfterStls(extra));
        }
        self.buf.clear();
        self.pos = 0;
        self.capabilities = None;
        self.stream
            .start_tls(config, host)
            .map_err(Pop3Error::io("TLS handshake after STLS"))?;
        self.capa()?;
        Ok(())
    }

    /// Logs in as `user`; returns the method used, as text (`APOP`, `AUTH CRAM-MD5`,
    /// `USER/PASS`).
    ///
    /// # Errors
    /// [`Pop3Error::PlaintextRefused`] before sending a password in the clear without
    /// permission, [`Pop3Error::NoLoginMethod`] when the method is not available,
    /// [`Pop3Error::Refused`] when the server says no.
    pub fn login(&mut self, user: &str, password: &str, options: &LoginOptions) -> Result<String> {
        let plaintext_ok = self.is_tls() || options.allow_plaintext;
        let method = match &options.method {
            LoginMethod::Auto => {
                if self.offers_sasl("CRAM-MD5") {
                    LoginMethod::Sasl(SaslMechanism::CramMd5)
                } else if self.timestamp.is_some() {
                    LoginMethod::Apop
                } else if !plaintext_ok {
                    return Err(Pop3Error::PlaintextRefused);
                } else if self.offers_sasl("PLAIN") {
                    LoginMethod::Sasl(SaslMechanism::Plain)
                } else {
                    LoginMethod::UserPass
                }
            }
            other => other.clone(),
        };
        match method {
            LoginMethod::Apop => {
                let Some(ts) = self.timestamp.clone() else {
                    return Err(Pop3Error::NoLoginMethod(
                        "the greeting has no APOP timestamp".into(),
                    ));
                };
                let digest = mail_common::apop::apop_digest(ts.as_bytes(), password.as_bytes());
                let cmd = Command::Apop {
                    name: Param::new(user)?,
                    digest: ApopDigest::new(&digest)?,
                };
                self.simple(&cmd)?;
                Ok("APOP".into())
            }
            LoginMethod::UserPass => {
                if !plaintext_ok {
                    return Err(Pop3Error::PlaintextRefused);
                }
                self.simple(&Command::User(Param::new(user)?))?;
                self.simple(&Command::Pass(Password::new(password.as_bytes())?))?;
                Ok("USER/PASS".into())
            }
            LoginMethod::Sasl(mech) => {
                if mech.is_plaintext() && !plaintext_ok {
                    return Err(Pop3Error::PlaintextRefused);
                }
                if self.capabilities.is_some() && !self.offers_sasl(mech.as_str()) {
                    return Err(Pop3Error::NoLoginMethod(format!(
                        "the server does not offer SASL {}",
                        mech.as_str()
                    )));
                }
                let client = match mech {
                    SaslMechanism::Plain => SaslClient::plain(None, user, password),
                    SaslMechanism::Login => SaslClient::login(user, password),
                    SaslMechanism::CramMd5 => SaslClient::cram_md5(user, password),
                    other => {
                        return Err(Pop3Error::NoLoginMethod(format!(
                            "SASL {} is not supported by this client (PLAIN, LOGIN, CRAM-MD5 are)",
                            other.as_str()
                        )));
                    }
                };
                self.authenticate(client)?;
                Ok(format!("AUTH {}", mech.as_str()))
            }
            LoginMethod::Auto => Err(Pop3Error::NoLoginMethod("no method chosen".into())),
        }
    }

    /// AUTH (RFC 5034 §4) with a SASL client: the initial response on the command line
    /// when it fits in 255 octets, otherwise after the server's empty challenge.
    fn authenticate(&mut self, mut sasl: SaslClient) -> Result<()> {
        let mechanism = Mechanism::new(sasl.mechanism().as_str().to_owned())?;
        let mut initial = sasl.initial_response();
        let mut cmd = Command::Auth {
            mechanism: mechanism.clone(),
            initial_response: initial.as_deref().map(InitialResponse::encode),
        };
        let mut line = Vec::new();
        cmd.encode(&mut line);
        if line.len() > 255 {
            cmd = Command::Auth {
                mechanism,
                initial_response: None,
            };
        } else {
            initial = None;
        }
        self.send(&cmd)?;
        let mut dec = ResponseDecoder::new(ResponseKind::Auth, self.limits);
        loop {
            match self.next(&mut dec, &mut io::sink())? {
                Ev::Continuation(challenge) => {
                    let response = match (initial.take(), challenge) {
                        (Some(ir), Some(c)) if c.is_empty() => Some(ir),
                        (_, Some(c)) => sasl.step(&c).ok(),
                        (_, None) => None,
                    };
                    // RFC 5034 §4: a challenge that cannot be answered is cancelled.
                    let line = match response {
                        Some(r) => AuthLine::Response(Base64::encode(&r)),
                        None => AuthLine::Cancel,
                    };
                    let mut out = Vec::new();
                    line.encode(&mut out);
                    self.write(&out)?;
                }
                Ev::Status(s) if s.is_ok() => return Ok(()),
                Ev::Status(s) => {
                    return Err(Pop3Error::Refused {
                        command: "AUTH".into(),
                        text: status_text(&s),
                    });
                }
                _ => return Err(pop3_proto::Error::Protocol("unexpected answer to AUTH").into()),
            }
        }
    }

    /// STAT: `(messages, octets)`.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn stat(&mut self) -> Result<(u32, u64)> {
        match self.request(&Command::Stat, &mut io::sink())? {
            (_, Ev::Stat(s)) => Ok((s.count, s.size)),
            _ => Err(pop3_proto::Error::Protocol("STAT answer expected").into()),
        }
    }

    /// LIST: `(number, octets)` of every message not marked deleted.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn list(&mut self) -> Result<Vec<(MessageNumber, u64)>> {
        let (mut dec, _) = self.request(&Command::List(None), &mut io::sink())?;
        let mut out = Vec::new();
        self.lines(&mut dec, &mut io::sink(), |ev| {
            if let Ev::Scan(s) = ev {
                out.push((s.msg, s.size));
            }
        })?;
        Ok(out)
    }

    /// UIDL: `(number, unique id)` of every message not marked deleted.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR` (the server has no UIDL).
    pub fn uidl(&mut self) -> Result<Vec<(MessageNumber, String)>> {
        let (mut dec, _) = self.request(&Command::Uidl(None), &mut io::sink())?;
        let mut out = Vec::new();
        self.lines(&mut dec, &mut io::sink(), |ev| {
            if let Ev::Uid(u) = ev {
                out.push((u.msg, u.uid.as_str().to_owned()));
            }
        })?;
        Ok(out)
    }

    fn message(&mut self, cmd: &Command<'_>, sink: &mut dyn Write) -> Result<u64> {
        self.send(cmd)?;
        self.read_to_end(cmd, sink)
    }

    /// RETR: writes message `msg` (un-stuffed, as the server stores it with CRLF line
    /// endings) to `sink`; returns its size.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn retr(&mut self, msg: MessageNumber, sink: &mut dyn Write) -> Result<u64> {
        self.message(&Command::Retr(msg), sink)
    }

    /// TOP: writes the headers and the first `lines` body lines of `msg` to `sink`.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn top(&mut self, msg: MessageNumber, lines: u32, sink: &mut dyn Write) -> Result<u64> {
        self.message(&Command::Top { msg, lines }, sink)
    }

    /// DELE: marks `msg` deleted (removed at QUIT).
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn dele(&mut self, msg: MessageNumber) -> Result<String> {
        self.simple(&Command::Dele(msg))
    }

    /// RSET: unmarks every message.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn rset(&mut self) -> Result<String> {
        self.simple(&Command::Rset)
    }

    /// NOOP.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn noop(&mut self) -> Result<String> {
        self.simple(&Command::Noop)
    }

    /// QUIT: in TRANSACTION the server now removes the marked messages (RFC 1939 §6);
    /// `-ERR` means some were not removed.
    ///
    /// # Errors
    /// I/O and protocol errors, `-ERR`.
    pub fn quit(&mut self) -> Result<String> {
        self.simple(&Command::Quit)
    }
}

/// A writer that counts what passes through.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    n: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What [`fetch`] should do.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The directory to write `<uidl>.eml` files to (created if missing).
    pub out: PathBuf,
    /// Mark every message fetched in this run deleted (removed when the caller QUITs).
    pub delete: bool,
    /// The record of unique ids already fetched: those are skipped, new ones appended.
    pub keep_seen: Option<PathBuf>,
}

/// What [`fetch`] did.
#[derive(Debug, Clone, Default)]
pub struct FetchReport {
    /// The messages written: number, unique id (or `msg-N` without UIDL), file, size.
    pub fetched: Vec<(MessageNumber, String, PathBuf, u64)>,
    /// Messages skipped because their unique id was in the record.
    pub skipped: usize,
    /// Messages marked deleted.
    pub deleted: usize,
    /// Whether the commands were pipelined (the server announced PIPELINING).
    pub pipelined: bool,
}

/// A file name for a message: the unique id where it is safe in a file name, otherwise
/// the id with the unsafe characters replaced and a hash of the real id appended (so two
/// ids cannot map to one file).
#[must_use]
pub fn file_name(uidl: &str) -> String {
    // A leading dot would make a hidden file (and `.`/`..` are not files at all).
    let safe: String = uidl
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let allowed = c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | ',' | '=' | '+')
                || (c == '.' && i > 0);
            if allowed { c } else { '_' }
        })
        .collect();
    if safe == uidl {
        format!("{safe}.eml")
    } else {
        // FNV-1a: stable across runs and platforms.
        let hash = uidl.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{safe}-{hash:016x}.eml")
    }
}

/// Downloads the messages (TRANSACTION state): lists them with UIDL (LIST if the server
/// has no UIDL and no record is kept), skips those in the `keep_seen` record, writes each
/// new one to `out` (through a temporary file, renamed when complete), records its unique
/// id, and marks it deleted if asked (only after it was written). RETR and DELE are
/// pipelined, [`PIPELINE_WINDOW`] at a time, when the server announces PIPELINING. The caller then QUITs to end the session (and to
/// make the deletions happen).
///
/// # Errors
/// Session errors; [`Pop3Error::Local`] for files.
pub fn fetch<T: Transport>(
    session: &mut Session<T>,
    options: &FetchOptions,
) -> Result<FetchReport> {
    let local = |what: &str, path: &Path, e: io::Error| {
        Pop3Error::Local(format!("{what} {}: {e}", path.display()))
    };
    let mut seen = match &options.keep_seen {
        Some(path) => Some(SeenUidls::load(path).map_err(|e| local("read", path, e))?),
        None => None,
    };
    let listing = match session.uidl() {
        Ok(l) => l,
        Err(Pop3Error::Refused { .. }) if seen.is_none() => session
            .list()?
            .into_iter()
            .map(|(n, _)| (n, format!("msg-{n}")))
            .collect(),
        Err(e) => return Err(e),
    };
    fs::create_dir_all(&options.out).map_err(|e| local("create", &options.out, e))?;
    let mut report = FetchReport {
        pipelined: session.offers_pipelining(),
        ..FetchReport::default()
    };
    let mut todo = Vec::new();
    for (msg, uidl) in listing {
        if seen.as_ref().is_some_and(|s| s.contains(&uidl)) {
            report.skipped += 1;
        } else {
            todo.push((msg, uidl));
        }
    }
    // With PIPELINING, RETR (and DELE) go out in windows: the commands are tiny, so the
    // window cannot fill the server's receive buffer while we read its answers.
    let window = if report.pipelined { PIPELINE_WINDOW } else { 1 };
    for chunk in todo.chunks(window) {
        let cmds: Vec<Command<'static>> = chunk.iter().map(|(m, _)| Command::Retr(*m)).collect();
        session.send_many(&cmds)?;
        let mut failure = None;
        for (cmd, (msg, uidl)) in cmds.iter().zip(chunk) {
            if failure.is_some() {
                // Keep the session in step: read the answers already asked for.
                session.read_to_end(cmd, &mut io::sink()).ok();
                continue;
            }
            match save(session, cmd, &options.out, uidl, &mut seen) {
                Ok((path, size)) => report.fetched.push((*msg, uidl.clone(), path, size)),
                Err(e) => failure = Some(e),
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        if options.delete {
            let deles: Vec<Command<'static>> =
                chunk.iter().map(|(m, _)| Command::Dele(*m)).collect();
            session.send_many(&deles)?;
            let mut failure = None;
            for cmd in &deles {
                match session.response(cmd, &mut io::sink()) {
                    Ok(_) => report.deleted += 1,
                    Err(e) => failure = failure.or(Some(e)),
                }
            }
            if let Some(e) = failure {
                return Err(e);
            }
        }
    }
    Ok(report)
}

/// How many RETR or DELE commands [`fetch`] sends before reading answers, when the server
/// allows PIPELINING.
pub const PIPELINE_WINDOW: usize = 16;

/// Reads the answer to `cmd` (a RETR sent already) into `<dir>/<file_name(uidl)>`, through
/// a temporary file renamed when complete and synced, then records `uidl` as seen.
fn save<T: Transport>(
    session: &mut Session<T>,
    cmd: &Command<'_>,
    dir: &Path,
    uidl: &str,
    seen: &mut Option<SeenUidls>,
) -> Result<(PathBuf, u64)> {
    let local = |what: &str, path: &Path, e: io::Error| {
        Pop3Error::Local(format!("{what} {}: {e}", path.display()))
    };
    let name = file_name(uidl);
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.part"));
    let file = match fs::File::create(&tmp) {
        Ok(f) => f,
        Err(e) => {
            // The answer is on its way: read it so the session stays in step.
            session.read_to_end(cmd, &mut io::sink()).ok();
            return Err(local("create", &tmp, e));
        }
    };
    let mut writer = io::BufWriter::new(file);
    let size = match session.read_to_end(cmd, &mut writer) {
        Ok(size) => size,
        Err(e) => {
            drop(writer);
            // Best effort: a partial file must not be left behind as if it were mail.
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let file = writer
        .into_inner()
        .map_err(|e| local("write", &tmp, e.into_error()))?;
    file.sync_all().map_err(|e| local("write", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| local("rename", &tmp, e))?;
    if let Some(seen) = seen {
        seen.insert(uidl)
            .map_err(|e| local("write", seen.path(), e))?;
    }
    Ok((path, size))
}
