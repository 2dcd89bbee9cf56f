//! The `imap-client` session: `imap_proto::client::Client` (the sans-IO client machine)
//! on a blocking [`ClientStream`].
//!
//! The machine tags and pipelines commands, waits for `+` before synchronizing literals
//! (or uses LITERAL+ when offered), answers SASL challenges and IDLE's `+`, and matches
//! tagged completions to commands. This module writes what it queues, feeds it what
//! arrives, runs the TLS handshake after STARTTLS, and turns the verbs of `imap-client`
//! (list, fetch, append, flag, move, idle) into commands.

use std::io::{Read, Write};
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_proto::client::{Client, ClientConfig, Event, Handle};
use imap_proto::{
    AString, Atom, Code, CommandBody, Data, Encode, FetchAttribute, FetchItems, Flag, IString,
    ListMailbox, Literal, Mailbox, MessageDataItem, Response, Section, SequenceSet, StatusKind,
    StatusResponse, StoreAction, StoreFlags, Text,
};
use mail_common::sasl::{Mechanism, SaslClient};

use crate::net::client::ClientStream;

/// What can go wrong in an IMAP session of the examples.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImapError {
    /// The connection failed or timed out.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A command could not be built or queued, or the machine was misused.
    #[error("protocol error: {0}")]
    Protocol(#[from] imap_proto::Error),
    /// The server answered NO or BAD.
    #[error("{command} refused: {kind} {text}")]
    Refused {
        /// The command name.
        command: String,
        /// `NO` or `BAD`.
        kind: &'static str,
        /// The text (with its response code).
        text: String,
    },
    /// The server closed the connection (or sent BYE) before the command completed.
    #[error("connection closed by the server{0}")]
    Closed(String),
    /// The login would send a password in the clear over an unencrypted connection.
    #[error(
        "refusing to send a password over an unencrypted connection \
         (use --starttls or --tls, --auth CRAM-MD5, or --allow-plaintext)"
    )]
    PlaintextRefused,
    /// Something local: a file, a bad argument.
    #[error("{0}")]
    Local(String),
}

/// Results of this module.
pub type Result<T, E = ImapError> = std::result::Result<T, E>;

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> ImapError {
    move |source| ImapError::Io { context, source }
}

/// What a completed command produced: its tagged status and the untagged responses that
/// arrived while it ran.
#[derive(Debug)]
pub struct Outcome {
    /// The tagged OK.
    pub status: StatusResponse<'static>,
    /// Untagged data (`* LIST`, `* FETCH`...).
    pub data: Vec<Data<'static>>,
    /// Untagged statuses (`* OK [UIDVALIDITY ...]`, `* OK [COPYUID ...]`).
    pub statuses: Vec<StatusResponse<'static>>,
}

/// A mailbox as LIST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The attributes (`\HasNoChildren`...), as sent.
    pub attributes: Vec<String>,
    /// The hierarchy delimiter.
    pub delimiter: Option<char>,
    /// The name, decoded from modified UTF-7.
    pub name: String,
}

/// One IMAP connection.
pub struct Session {
    stream: ClientStream,
    client: Client,
    host: String,
    tls_config: Option<Arc<rustls::ClientConfig>>,
    buf: Vec<u8>,
    timeout: Duration,
    closed: bool,
    allow_plaintext: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("host", &self.host)
            .field("tls", &self.stream.is_tls())
            .field("state", &self.client.state())
            .finish_non_exhaustive()
    }
}

/// The text of a status response with its code, as sent.
fn status_text(s: &StatusResponse<'_>) -> String {
    let bytes = Response::Status(s.clone()).to_vec();
    let line = String::from_utf8_lossy(&bytes).trim_end().to_owned();
    // Drop the tag and the condition: keep `[CODE] text`.
    line.splitn(3, ' ').nth(2).unwrap_or(&line).to_owned()
}

impl Session {
    /// Reads the greeting on a connected stream (`tls`: the stream is already TLS).
    /// `host` is the name the certificate must carry for STARTTLS.
    ///
    /// # Errors
    /// The greeting does not arrive, or is a BYE.
    pub fn start(
        stream: ClientStream,
        host: &str,
        tls_config: Option<Arc<rustls::ClientConfig>>,
        allow_plaintext: bool,
        timeout: Duration,
    ) -> Result<Session> {
        let tls = stream.is_tls();
        let config = ClientConfig {
            tag_prefix: "a".into(),
            tag_width: 3,
            allow_plaintext_login: allow_plaintext,
            ..ClientConfig::default()
        };
        let mut s = Session {
            stream,
            client: Client::new(config, tls),
            host: host.to_owned(),
            tls_config,
            buf: vec![0u8; 256 * 1024],
            timeout,
            closed: false,
            allow_plaintext,
        };
        loop {
            s.read_some()?;
            match s.client.next_event() {
                Ok(Some(Event::Greeting(g))) => {
                    if g.kind == StatusKind::Bye {
                        return Err(ImapError::Closed(format!(": {}", g.text.as_str())));
                    }
                    return Ok(s);
                }
                Ok(Some(_) | None) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Whether the connection is TLS.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// Whether the server announced a capability.
    #[must_use]
    pub fn has_capability(&self, name: &str) -> bool {
        self.client.has_capability(name)
    }

    /// The machine, for what this wrapper does not offer.
    pub fn machine(&mut self) -> &mut Client {
        &mut self.client
    }

    fn write_out(&mut self) -> Result<()> {
        let out = self.client.take_output();
        if !out.is_empty() {
            self.stream.write_all(&out).map_err(io("send"))?;
            self.stream.flush().map_err(io("send"))?;
        }
        Ok(())
    }

    fn read_some(&mut self) -> Result<usize> {
        self.write_out()?;
        let n = self.stream.read(&mut self.buf).map_err(io("receive"))?;
        if n == 0 {
            self.closed = true;
            return Err(ImapError::Closed(String::new()));
        }
        self.client.receive(self.buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    /// Runs the queued command `handle` to its completion; `on_data` sees each untagged
    /// data response as it arrives, and returns whether to keep it in the [`Outcome`]
    /// (a download keeps nothing, so memory does not grow with the folder).
    fn wait(
        &mut self,
        handle: Handle,
        name: &str,
        mut on_data: impl FnMut(&Data<'_>) -> bool,
    ) -> Result<Outcome> {
        let mut data = Vec::new();
        let mut statuses = Vec::new();
        loop {
            loop {
                self.write_out()?;
                let event = match self.client.next_event() {
                    Ok(Some(e)) => e,
                    Ok(None) => break,
                    Err(e) => {
                        // The bad response was skipped by the machine; go on.
                        eprintln!("imap-client: skipped an undecodable response: {e}");
                        continue;
                    }
                };
                match event {
                    Event::Data(d) if on_data(&d) => data.push(d.into_owned()),
                    Event::Status(s) => {
                        if s.kind == StatusKind::Bye && s.tag.is_none() {
                            let text = s.text.as_str().to_owned();
                            statuses.push(s.into_owned());
                            if name != "LOGOUT" {
                                return Err(ImapError::Closed(format!(": BYE {text}")));
                            }
                        } else {
                            statuses.push(s.into_owned());
                        }
                    }
                    Event::StartTls { handle: h, .. } => {
                        // The machine consumed the tagged OK: this event is the completion.
                        let Some(config) = self.tls_config.clone() else {
                            return Err(ImapError::Local(
                                "STARTTLS without a TLS configuration".into(),
                            ));
                        };
                        self.stream
                            .upgrade_to_tls(config, &self.host)
                            .map_err(io("TLS handshake"))?;
                        self.client.tls_established()?;
                        if h == handle {
                            return Ok(Outcome {
                                status: StatusResponse {
                                    tag: None,
                                    kind: StatusKind::Ok,
                                    code: None,
                                    text: Text::new("TLS established")?,
                                },
                                data,
                                statuses,
                            });
                        }
                    }
                    Event::Completed { handle: h, status } if h == handle => {
                        let status = status.into_owned();
                        return match status.kind {
                            StatusKind::Ok => Ok(Outcome {
                                status,
                                data,
                                statuses,
                            }),
                            kind => Err(ImapError::Refused {
                                command: name.to_owned(),
                                kind: if kind == StatusKind::No { "NO" } else { "BAD" },
                                text: status_text(&status),
                            }),
                        };
                    }
                    _ => {}
                }
            }
            self.read_some()?;
        }
    }

    /// Sends a command and waits for its completion.
    ///
    /// # Errors
    /// I/O, a refusal (NO/BAD), or a command the machine will not send now.
    pub fn run(&mut self, body: CommandBody<'_>) -> Result<Outcome> {
        let name = body.name().to_owned();
        let h = self.client.send(body)?;
        self.wait(h, &name, |_| true)
    }

    /// `CAPABILITY`.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn capability(&mut self) -> Result<Vec<String>> {
        self.run(CommandBody::Capability)?;
        Ok(self
            .client
            .capabilities()
            .iter()
            .map(|c| match c {
                imap_proto::Capability::Imap4Rev1 => "IMAP4rev1".to_owned(),
                imap_proto::Capability::Auth(a) => format!("AUTH={}", a.as_str()),
                imap_proto::Capability::LoginDisabled => "LOGINDISABLED".to_owned(),
                imap_proto::Capability::StartTls => "STARTTLS".to_owned(),
                imap_proto::Capability::Other(a) => a.as_str().to_owned(),
                _ => String::new(),
            })
            .collect())
    }

    /// `STARTTLS` and the handshake (RFC 3501 §6.2.1), then `CAPABILITY` again.
    ///
    /// # Errors
    /// As [`run`](Self::run), or a failed handshake.
    pub fn starttls(&mut self) -> Result<()> {
        if self.tls_config.is_none() {
            return Err(ImapError::Local(
                "STARTTLS without a TLS configuration".into(),
            ));
        }
        let h = self.client.starttls()?;
        self.wait(h, "STARTTLS", |_| true)?;
        self.capability()?;
        Ok(())
    }

    /// Logs in with `mechanism` (AUTHENTICATE), or by default: LOGIN over TLS, CRAM-MD5
    /// (no password on the wire) otherwise, LOGIN in plaintext only if allowed.
    ///
    /// # Errors
    /// [`ImapError::PlaintextRefused`], or the server's refusal.
    pub fn login(
        &mut self,
        user: &str,
        password: &str,
        mechanism: Option<&Mechanism<'_>>,
    ) -> Result<()> {
        if self.client.capabilities().is_empty() {
            self.capability()?;
        }
        let plaintext_ok = self.is_tls() || self.allow_plaintext();
        let h = match mechanism {
            Some(m) => {
                let sasl = match m {
                    Mechanism::Plain => SaslClient::plain(None, user, password),
                    Mechanism::Login => SaslClient::login(user, password),
                    Mechanism::CramMd5 => SaslClient::cram_md5(user, password),
                    other => {
                        return Err(ImapError::Local(format!(
                            "mechanism {} is not supported by imap-client (PLAIN, LOGIN, CRAM-MD5)",
                            other.as_str()
                        )));
                    }
                };
                if m.is_plaintext() && !plaintext_ok {
                    return Err(ImapError::PlaintextRefused);
                }
                self.client.authenticate(sasl)?
            }
            None if plaintext_ok && !self.has_capability("LOGINDISABLED") => {
                self.client.login(user, password)?
            }
            None if self.has_capability("AUTH=CRAM-MD5") => self
                .client
                .authenticate(SaslClient::cram_md5(user, password))?,
            None if plaintext_ok => self
                .client
                .authenticate(SaslClient::plain(None, user, password))?,
            None => return Err(ImapError::PlaintextRefused),
        };
        self.wait(h, "LOGIN", |_| true)?;
        Ok(())
    }

    fn allow_plaintext(&self) -> bool {
        self.allow_plaintext
    }

    /// `LIST "" "*"`.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn list(&mut self) -> Result<Vec<ListEntry>> {
        let out = self.run(CommandBody::List {
            reference: Mailbox::try_from("")
                .or_else(|_| AString::new(Vec::new()).map(Mailbox::Other))?,
            pattern: ListMailbox::new("*")?,
        })?;
        Ok(out
            .data
            .into_iter()
            .filter_map(|d| match d {
                Data::List {
                    attributes,
                    delimiter,
                    mailbox,
                    ..
                } => Some(ListEntry {
                    attributes: attributes
                        .iter()
                        .map(|a| format!("\\{}", a.name()))
                        .collect(),
                    delimiter: delimiter.map(char::from),
                    name: mailbox
                        .to_utf8()
                        .map(std::borrow::Cow::into_owned)
                        .unwrap_or_else(|_| {
                            String::from_utf8_lossy(mailbox.as_bytes()).into_owned()
                        }),
                }),
                _ => None,
            })
            .collect())
    }

    /// `SELECT` (or `EXAMINE` when `read_only`); returns the number of messages.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn select(&mut self, mailbox: &str, read_only: bool) -> Result<u32> {
        let mailbox = Mailbox::from_utf8(mailbox)?;
        let out = self.run(if read_only {
            CommandBody::Examine { mailbox }
        } else {
            CommandBody::Select { mailbox }
        })?;
        Ok(out
            .data
            .iter()
            .filter_map(|d| match d {
                Data::Exists(n) => Some(*n),
                _ => None,
            })
            .next_back()
            .unwrap_or(0))
    }

    /// Downloads every message of `mailbox` (read-only, `\Seen` untouched) into `dir` as
    /// `<uid>.eml`, byte for byte as the server sends them. Returns `(uid, size)` of each.
    ///
    /// # Errors
    /// As [`run`](Self::run), or a file that cannot be written.
    pub fn fetch_all(&mut self, mailbox: &str, dir: &Path) -> Result<Vec<(u32, usize)>> {
        std::fs::create_dir_all(dir)
            .map_err(|e| ImapError::Local(format!("create {}: {e}", dir.display())))?;
        let exists = self.select(mailbox, true)?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        let items = FetchItems::List(
            vec![
                FetchAttribute::Uid,
                FetchAttribute::BodySection {
                    peek: true,
                    section: Section::Full,
                    partial: None,
                },
            ]
            .try_into()?,
        );
        let mut saved = Vec::new();
        let mut failure = None;
        let h = self.client.send(CommandBody::Fetch {
            uid: true,
            sequence_set: SequenceSet::new("1:*")?,
            items,
        })?;
        self.wait(h, "FETCH", |d| {
            let Data::Fetch { items, .. } = d else {
                return true;
            };
            let mut uid = None;
            let mut body = None;
            for item in items.iter() {
                match item {
                    MessageDataItem::Uid(u) => uid = Some(u.get()),
                    MessageDataItem::BodySection {
                        section: Section::Full,
                        data,
                        ..
                    }
                    | MessageDataItem::Rfc822(data) => {
                        body = Some(data.as_ref().map_or(&[][..], IString::as_bytes));
                    }
                    _ => {}
                }
            }
            if let (Some(uid), Some(body)) = (uid, body) {
                let path = dir.join(format!("{uid}.eml"));
                match std::fs::write(&path, body) {
                    Ok(()) => saved.push((uid, body.len())),
                    Err(e) => failure = Some(format!("write {}: {e}", path.display())),
                }
            }
            false
        })?;
        if let Some(f) = failure {
            return Err(ImapError::Local(f));
        }
        Ok(saved)
    }

    /// `APPEND mailbox {literal}`; returns the `[APPENDUID uidvalidity uid]` code's text,
    /// if the server sent one (RFC 4315).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn append(&mut self, mailbox: &str, message: &[u8]) -> Result<Option<String>> {
        let out = self.run(CommandBody::Append {
            mailbox: Mailbox::from_utf8(mailbox)?,
            flags: None,
            date: None,
            message: Literal::new(message)?,
        })?;
        Ok(code_text(out.status.code.as_ref(), "APPENDUID"))
    }

    /// Selects `mailbox` and adds `flag` to the message with `uid` (`UID STORE +FLAGS`);
    /// returns the flags the server reports afterwards.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn flag(&mut self, mailbox: &str, uid: NonZeroU32, flag: Flag<'static>) -> Result<String> {
        self.select(mailbox, false)?;
        let out = self.run(CommandBody::Store {
            uid: true,
            sequence_set: SequenceSet::single(uid),
            action: StoreAction::Add,
            silent: false,
            flags: StoreFlags::List(vec![flag]),
        })?;
        Ok(out
            .data
            .iter()
            .find_map(|d| match d {
                Data::Fetch { items, .. } => items.iter().find_map(|i| match i {
                    MessageDataItem::Flags(f) => Some(
                        Response::Data(Data::Flags(f.clone()))
                            .to_vec()
                            .get(b"* FLAGS ".len()..)
                            .map(|b| String::from_utf8_lossy(b).trim_end().to_owned())
                            .unwrap_or_default(),
                    ),
                    _ => None,
                }),
                _ => None,
            })
            .unwrap_or_default())
    }

    /// Selects `mailbox` and moves the message with `uid` to `target`: `UID MOVE` when the
    /// server offers MOVE (RFC 6851), else `UID COPY`, `\Deleted` and `UID EXPUNGE` (or
    /// `EXPUNGE` without UIDPLUS). Returns the `COPYUID` code's text, if any.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn move_message(
        &mut self,
        mailbox: &str,
        uid: NonZeroU32,
        target: &str,
    ) -> Result<Option<String>> {
        self.select(mailbox, false)?;
        let set = SequenceSet::single(uid);
        let target = Mailbox::from_utf8(target)?;
        if self.has_capability("MOVE") {
            let h = self.client.move_messages(true, &set, &target)?;
            let out = self.wait(h, "MOVE", |_| true)?;
            let from_untagged = out
                .statuses
                .iter()
                .find_map(|s| code_text(s.code.as_ref(), "COPYUID"));
            return Ok(from_untagged.or_else(|| code_text(out.status.code.as_ref(), "COPYUID")));
        }
        let out = self.run(CommandBody::Copy {
            uid: true,
            sequence_set: set.clone(),
            mailbox: target,
        })?;
        self.run(CommandBody::Store {
            uid: true,
            sequence_set: set.clone(),
            action: StoreAction::Add,
            silent: true,
            flags: StoreFlags::List(vec![Flag::Deleted]),
        })?;
        if self.has_capability("UIDPLUS") || self.has_capability("IMAP4rev2") {
            // The typed builder: the machine itself checks UIDPLUS (RFC 4315 §3).
            let h = self.client.uid_expunge(&set)?;
            self.wait(h, "UID EXPUNGE", |_| true)?;
        } else {
            self.run(CommandBody::Expunge)?;
        }
        Ok(code_text(out.status.code.as_ref(), "COPYUID"))
    }

    /// Selects `mailbox` and IDLEs for `duration` (RFC 2177), calling `on_update` with the
    /// wire form of each untagged response (`* 3 EXISTS`); then DONE.
    ///
    /// # Errors
    /// As [`run`](Self::run), or IDLE not offered.
    pub fn idle(
        &mut self,
        mailbox: &str,
        duration: Duration,
        mut on_update: impl FnMut(&str),
    ) -> Result<()> {
        if !self.has_capability("IDLE") {
            return Err(ImapError::Local("the server does not offer IDLE".into()));
        }
        self.select(mailbox, true)?;
        let h = self.client.idle()?;
        let deadline = Instant::now() + duration;
        let mut done_sent = false;
        loop {
            self.write_out()?;
            loop {
                let event = match self.client.next_event() {
                    Ok(Some(e)) => e,
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("imap-client: skipped an undecodable response: {e}");
                        continue;
                    }
                };
                match event {
                    Event::Data(d) => {
                        let line = Response::Data(d).to_vec();
                        on_update(String::from_utf8_lossy(&line).trim_end());
                    }
                    Event::Status(s) if s.tag.is_none() => {
                        let line = Response::Status(s).to_vec();
                        on_update(String::from_utf8_lossy(&line).trim_end());
                    }
                    Event::Completed { handle, status } if handle == h => {
                        if status.kind == StatusKind::Ok {
                            return Ok(());
                        }
                        let status = status.into_owned();
                        return Err(ImapError::Refused {
                            command: "IDLE".into(),
                            kind: if status.kind == StatusKind::No {
                                "NO"
                            } else {
                                "BAD"
                            },
                            text: status_text(&status),
                        });
                    }
                    _ => {}
                }
            }
            self.write_out()?;
            let now = Instant::now();
            if now >= deadline && !done_sent {
                self.client.idle_done()?;
                done_sent = true;
                self.write_out()?;
                self.stream
                    .set_timeout(Some(self.timeout))
                    .map_err(io("set timeout"))?;
                continue;
            }
            let wait = if done_sent {
                self.timeout
            } else {
                deadline
                    .saturating_duration_since(now)
                    .max(Duration::from_millis(10))
            };
            self.stream
                .set_timeout(Some(wait))
                .map_err(io("set timeout"))?;
            match self.stream.read(&mut self.buf) {
                Ok(0) => return Err(ImapError::Closed(String::new())),
                Ok(n) => self.client.receive(self.buf.get(..n).unwrap_or_default()),
                Err(e)
                    if !done_sent
                        && matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                Err(e) => return Err(io("receive")(e)),
            }
        }
    }

    /// `LOGOUT`, then closes the connection.
    ///
    /// # Errors
    /// I/O while closing (the server's BYE is expected).
    pub fn logout(mut self) -> Result<()> {
        if !self.closed {
            match self.run(CommandBody::Logout) {
                Ok(_) | Err(ImapError::Closed(_)) => {}
                Err(e) => return Err(e),
            }
        }
        // The server may already have closed its side.
        let _ = self.stream.close();
        Ok(())
    }
}

/// The wire text of the response code named `name`, with the name (`APPENDUID 3 7`).
fn code_text(code: Option<&Code<'_>>, name: &str) -> Option<String> {
    let text = String::from_utf8(code?.to_vec()).ok()?;
    let head = text.split(' ').next()?;
    head.eq_ignore_ascii_case(name).then_some(text)
}

/// Parses a flag as given on the command line: `\Seen`, `Seen` (a system flag, without
/// the backslash), or a keyword such as `$Forwarded`.
///
/// # Errors
/// Not a valid flag.
pub fn parse_flag(text: &str) -> Result<Flag<'static>, String> {
    let bare = text.strip_prefix('\\').unwrap_or(text);
    let system = [
        ("Seen", Flag::Seen),
        ("Answered", Flag::Answered),
        ("Flagged", Flag::Flagged),
        ("Deleted", Flag::Deleted),
        ("Draft", Flag::Draft),
    ];
    if let Some((_, f)) = system.iter().find(|(n, _)| n.eq_ignore_ascii_case(bare)) {
        return Ok(f.clone());
    }
    if text.starts_with('\\') {
        return Err(format!(
            "unknown system flag {text:?} (\\Seen, \\Answered, \\Flagged, \\Deleted, \\Draft)"
        ));
    }
    Atom::new(text.to_owned())
        .map(Flag::Keyword)
        .map_err(|_| format!("invalid keyword {text:?}"))
}
