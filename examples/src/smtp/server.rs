//! The SMTP / submission / LMTP server: one tokio task per connection driving
//! [`smtp_proto::server::Server`], delivering accepted messages into a Maildir.
//!
//! # Recipients and the Maildir
//!
//! A recipient is accepted when its local part names a `--user` (compared without regard to
//! ASCII case) and, if [`ServerSettings::domains`] is not empty, its domain is one of them;
//! `postmaster` is always accepted (RFC 5321 §4.5.1). Every user maps to the **one**
//! Maildir the server was given, whose INBOX the IMAP and POP3 servers serve: a message is
//! written there once per transaction, with a `Return-Path:` and a `Received:` header
//! (RFC 5321 §4.4) in front. Delivery is final when the end of data is answered, so the
//! server never has to send a bounce.
//!
//! DSN (RFC 3461): `RET`, `ENVID`, `NOTIFY` and `ORCPT` are accepted. A recipient with
//! `NOTIFY=SUCCESS` gets a "delivered" report (RFC 3464 `multipart/report`) written into
//! the same Maildir when the sender is a local user; the server does not relay, so a
//! report for a remote sender is only logged as not sent.
//!
//! # Modes
//!
//! * [`Mode::Smtp`]: anyone may send to the local users; AUTH is offered but optional.
//! * [`Mode::Submission`] (RFC 6409): MAIL is refused with `530 5.7.0` until the client has
//!   authenticated (RFC 4954 §6).
//! * [`Mode::Lmtp`] (RFC 2033): LHLO, and one reply per accepted recipient after the data.
//!
//! PLAIN and LOGIN are offered and accepted only over TLS unless
//! [`ServerSettings::allow_plaintext_auth`] is set; CRAM-MD5 is offered in plaintext too
//! (it sends no reusable secret).
//!
//! # STARTTLS
//!
//! Whatever the client pipelined after `STARTTLS` is discarded by the machine (RFC 3207
//! §4.2, CVE-2011-0411); the session logs how many bytes that was and reports it in
//! [`SessionSummary::discarded_after_starttls`].

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use mail_common::sasl::Credentials;
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::{
    AuthMechanism, Capability, Command, EnhancedCode, ForwardPath, Host, Notify, Parameter, Reply,
    ReversePath,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;

use super::dsn::{DsnRequest, printable, success_report};
use super::{SmtpError, forward_path_text, reverse_path_text, rfc5322_date};
use crate::cli::User;
use crate::maildir::Maildir;
use crate::net::server::{ServeOptions, Stream, serve_until};
use crate::transcript::{Side, Transcript};

/// Which service the server provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SMTP (RFC 5321): AUTH optional.
    Smtp,
    /// Message submission (RFC 6409): AUTH required before MAIL.
    Submission,
    /// LMTP (RFC 2033).
    Lmtp,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Smtp => "SMTP",
            Mode::Submission => "submission",
            Mode::Lmtp => "LMTP",
        })
    }
}

/// How the server behaves. Build with [`ServerSettings::new`] and adjust the fields.
#[derive(Clone)]
pub struct ServerSettings {
    /// This server's name: greeting, EHLO response, `Received:` headers.
    pub hostname: String,
    /// SMTP, submission or LMTP.
    pub mode: Mode,
    /// The local users: the recipients accepted, and the credentials AUTH checks.
    pub users: Vec<User>,
    /// Recipient domains accepted (compared without regard to ASCII case); empty accepts
    /// any domain or address literal.
    pub domains: Vec<String>,
    /// Largest message, in octets (announced as SIZE).
    pub max_message_size: u64,
    /// Offer and accept PLAIN and LOGIN without TLS. Dangerous outside tests.
    pub allow_plaintext_auth: bool,
    /// The acceptor for STARTTLS; `None` offers no STARTTLS.
    pub starttls: Option<TlsAcceptor>,
    /// How long to wait for the next command or data block (RFC 5321 §4.5.3.2.7 asks for
    /// at least 5 minutes), and for a write to the client to progress.
    pub timeout: Duration,
    /// Failed AUTH attempts after which the session is closed with `421`.
    pub max_auth_failures: u32,
    /// Log sessions (connections, authentication, deliveries, STARTTLS) on standard error.
    pub log: bool,
}

impl fmt::Debug for ServerSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSettings")
            .field("hostname", &self.hostname)
            .field("mode", &self.mode)
            .field("users", &self.users)
            .field("domains", &self.domains)
            .field("max_message_size", &self.max_message_size)
            .field("allow_plaintext_auth", &self.allow_plaintext_auth)
            .field("starttls", &self.starttls.is_some())
            .field("timeout", &self.timeout)
            .field("max_auth_failures", &self.max_auth_failures)
            .field("log", &self.log)
            .finish()
    }
}

/// 50 MiB, Postfix's default `message_size_limit`.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 50 * 1024 * 1024;

impl ServerSettings {
    /// No users, any domain, 50 MiB messages, no STARTTLS, no plaintext AUTH without TLS,
    /// 5-minute timeout, 5 AUTH failures (a client like Python's `smtplib` tries every
    /// offered mechanism in turn: one wrong password can cost three), logging on.
    #[must_use]
    pub fn new(hostname: impl Into<String>, mode: Mode) -> ServerSettings {
        ServerSettings {
            hostname: hostname.into(),
            mode,
            users: Vec::new(),
            domains: Vec::new(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            allow_plaintext_auth: false,
            starttls: None,
            timeout: Duration::from_secs(300),
            max_auth_failures: 5,
            log: true,
        }
    }
}

/// What happened in one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSummary {
    /// The Maildir unique names of the messages stored, in order.
    pub delivered: Vec<String>,
    /// The user who authenticated, if any.
    pub authenticated: Option<String>,
    /// Whether the session ended encrypted.
    pub tls: bool,
    /// Plaintext bytes the client sent after `STARTTLS` that were dropped.
    pub discarded_after_starttls: usize,
}

/// The server: settings and the Maildir, shared by every connection.
#[derive(Debug)]
pub struct SmtpService {
    settings: ServerSettings,
    maildir: Maildir,
    sessions: AtomicU64,
    ended: AtomicU64,
    finished: Mutex<VecDeque<SessionSummary>>,
}

/// How many finished sessions [`SmtpService::finished_sessions`] remembers.
pub const FINISHED_SESSIONS_KEPT: usize = 64;

/// The transaction being received (RFC 5321 §3.3).
#[derive(Debug, Default)]
struct Envelope {
    from: Option<ReversePath<'static>>,
    recipients: Vec<ForwardPath<'static>>,
    smtputf8: bool,
    body: Vec<u8>,
    dsn: DsnRequest,
    arrival: Option<SystemTime>,
}

/// Per-connection facts that go into the `Received:` header.
#[derive(Debug, Default)]
struct Peer {
    helo: Option<String>,
    ehlo: bool,
    tls: bool,
    user: Option<String>,
}

/// A server running in the background on a thread and tokio runtime of its own
/// ([`crate::net::server::Background`], as the IMAP and POP3 servers), for tests and for
/// programs that are otherwise blocking (the demo). Dropping it stops accepting
/// connections.
#[derive(Debug)]
pub struct BackgroundServer {
    server: crate::net::server::Background,
    service: Arc<SmtpService>,
}

impl BackgroundServer {
    /// Binds `addr` (port 0 picks a free port) and serves `service` there with `options`
    /// (implicit TLS or not).
    ///
    /// # Errors
    /// The runtime cannot start or the address cannot be bound.
    pub fn start(
        service: Arc<SmtpService>,
        addr: SocketAddr,
        options: ServeOptions,
    ) -> std::io::Result<BackgroundServer> {
        let served = Arc::clone(&service);
        let server = crate::net::server::Background::spawn_on(
            addr,
            "smtp-server",
            move |listener, shutdown| {
                let handler = move |stream, peer| Arc::clone(&served).handle(stream, peer);
                serve_until(listener, options, handler, shutdown)
            },
        )?;
        Ok(BackgroundServer { server, service })
    }

    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The service (for [`SmtpService::finished_sessions`]).
    #[must_use]
    pub fn service(&self) -> &Arc<SmtpService> {
        &self.service
    }
}

/// A reply with an enhanced status code (RFC 2034); control characters in `text` (from
/// addresses, host names) are replaced so that the reply is always valid.
fn reply(
    code: u16,
    enhanced: (u8, u16, u16),
    text: impl Into<String>,
) -> Result<Reply<'static>, SmtpError> {
    let text: String = text
        .into()
        .chars()
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect();
    let enhanced = EnhancedCode::new(enhanced.0, enhanced.1, enhanced.2)?;
    Ok(Reply::new(code, Some(enhanced), text)?)
}

impl SmtpService {
    /// A service over `maildir` (its INBOX receives every message).
    #[must_use]
    pub fn new(settings: ServerSettings, maildir: Maildir) -> Arc<SmtpService> {
        Arc::new(SmtpService {
            settings,
            maildir,
            sessions: AtomicU64::new(0),
            ended: AtomicU64::new(0),
            finished: Mutex::new(VecDeque::new()),
        })
    }

    /// How many sessions [`handle`](Self::handle) has run to their end, with or without an
    /// error (a session that panicked would not be counted).
    #[must_use]
    pub fn sessions_ended(&self) -> u64 {
        self.ended.load(Ordering::Relaxed)
    }

    /// The summaries of the last [`FINISHED_SESSIONS_KEPT`] sessions run by
    /// [`handle`](Self::handle) that ended without an error, oldest first.
    #[must_use]
    pub fn finished_sessions(&self) -> Vec<SessionSummary> {
        self.finished
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &ServerSettings {
        &self.settings
    }

    /// The connection handler for [`crate::net::server::serve`]: runs the session and
    /// logs how it ended.
    pub async fn handle(self: Arc<Self>, stream: Stream, peer: SocketAddr) {
        match self.session(stream, peer, None).await {
            Ok(summary) => {
                self.log(
                    peer,
                    format_args!(
                        "closed: {} message(s) stored{}{}",
                        summary.delivered.len(),
                        if summary.tls { ", TLS" } else { "" },
                        summary
                            .authenticated
                            .as_deref()
                            .map(|u| format!(", authenticated as {u}"))
                            .unwrap_or_default()
                    ),
                );
                let mut finished = self
                    .finished
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if finished.len() >= FINISHED_SESSIONS_KEPT {
                    finished.pop_front();
                }
                finished.push_back(summary);
            }
            Err(e) => self.log(peer, format_args!("ended with an error: {e}")),
        }
        self.ended.fetch_add(1, Ordering::Relaxed);
    }

    fn log(&self, peer: SocketAddr, what: fmt::Arguments<'_>) {
        if self.settings.log {
            eprintln!("smtp-server[{peer}]: {what}");
        }
    }

    /// The local user a recipient maps to, if any (see the [module docs](self)).
    #[must_use]
    pub fn local_user(&self, path: &ForwardPath<'_>) -> Option<String> {
        let mailbox = match path {
            ForwardPath::Postmaster => return Some("postmaster".to_owned()),
            ForwardPath::Mailbox(m) => m,
        };
        if !self.settings.domains.is_empty() {
            let Host::Domain(domain) = &mailbox.host else {
                return None;
            };
            let domain = domain.as_str().trim_end_matches('.');
            if !self
                .settings
                .domains
                .iter()
                .any(|d| d.trim_end_matches('.').eq_ignore_ascii_case(domain))
            {
                return None;
            }
        }
        let local = mailbox.local_part.unquoted();
        if local.eq_ignore_ascii_case("postmaster") {
            return Some("postmaster".to_owned());
        }
        self.settings
            .users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(&local))
            .map(|u| u.name.clone())
    }

    /// The user whose password the credentials prove, if any. The login name may carry a
    /// domain (`alice@example.test` is `alice`); asking to act as someone else (a PLAIN
    /// authorization identity other than the login name) is refused.
    #[must_use]
    pub fn check_credentials(&self, credentials: &Credentials) -> Option<String> {
        let claimed = credentials.authcid()?;
        if let Some(authzid) = credentials.authzid() {
            if !authzid.is_empty() && authzid != claimed {
                return None;
            }
        }
        let name = claimed.split_once('@').map_or(claimed, |(n, _)| n);
        let user = self.settings.users.iter().find(|u| u.name == name)?;
        credentials
            .password_matches(claimed, user.password.expose())
            .then(|| user.name.clone())
    }

    fn server_config(&self, tls: bool, challenge: String) -> ServerConfig {
        let s = &self.settings;
        let mut config = ServerConfig::new(s.hostname.clone());
        config.lmtp = s.mode == Mode::Lmtp;
        config.max_message_size = Some(s.max_message_size);
        config.command_timeout = s.timeout;
        config.starttls = s.starttls.is_some();
        config.tls = tls;
        if !s.users.is_empty() {
            config.auth_mechanisms = vec![
                AuthMechanism::PLAIN,
                AuthMechanism::LOGIN,
                AuthMechanism::CRAM_MD5,
            ];
        }
        config.allow_plaintext_auth = s.allow_plaintext_auth;
        config.cram_challenge = Some(challenge);
        // RFC 3461: delivery is final at the end of data, so failures are reported in the
        // session; NOTIFY=SUCCESS gets a "delivered" DSN (see `success_dsn`).
        config.extra_capabilities = vec![Capability::Dsn];
        config
    }

    /// Runs one session on `stream` (plaintext, or already TLS for implicit TLS), recording
    /// it into `transcript` when given.
    ///
    /// # Errors
    /// I/O on the connection, or a fatal protocol error. A client that just goes away is
    /// not an error.
    pub async fn session(
        &self,
        stream: Stream,
        peer: SocketAddr,
        transcript: Option<Transcript>,
    ) -> Result<SessionSummary, SmtpError> {
        let start = Instant::now();
        let now = || start.elapsed();
        let id = self.sessions.fetch_add(1, Ordering::Relaxed);
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let session_id = format!("{:x}{:05x}{id:x}", stamp.as_secs(), stamp.subsec_micros());
        // RFC 2195 §2: the challenge must be unique; process, time and a counter make it so.
        let challenge = format!(
            "<{}.{session_id}@{}>",
            std::process::id(),
            self.settings.hostname
        );
        let mut stream = stream;
        let mut summary = SessionSummary {
            tls: stream.is_tls(),
            ..SessionSummary::default()
        };
        let mut who = Peer {
            tls: stream.is_tls(),
            ..Peer::default()
        };
        let mut server = Server::new(self.server_config(stream.is_tls(), challenge), now());
        server.greet()?;
        self.log(
            peer,
            format_args!(
                "connected ({}{})",
                self.settings.mode,
                if who.tls { ", implicit TLS" } else { "" }
            ),
        );
        let mut envelope = Envelope::default();
        let mut auth_failures = 0u32;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let mut upgrade = false;
            let mut hang_up = false;
            loop {
                let event = match server.next_event()? {
                    None => break,
                    Some(Event::BodyChunk(chunk)) => {
                        envelope.body.extend_from_slice(&chunk);
                        continue;
                    }
                    Some(other) => other.into_owned(),
                };
                match event {
                    Event::Command(cmd) => {
                        self.command(&mut server, cmd, &mut envelope, &mut who, peer)?;
                    }
                    Event::BdatStart { .. } | Event::BodyChunk(_) => {}
                    Event::BdatEnd {
                        last: false,
                        replies,
                    } => {
                        let r = reply(
                            250,
                            (2, 0, 0),
                            format!("{} octets received", envelope.body.len()),
                        )?;
                        for _ in 0..replies {
                            server.reply(&r)?;
                        }
                    }
                    Event::DataEnd { replies } | Event::BdatEnd { replies, .. } => {
                        let delivered = self
                            .deliver(&mut server, &mut envelope, &who, &session_id, peer, replies)
                            .await?;
                        summary.delivered.extend(delivered);
                    }
                    Event::DataAborted { error } => {
                        self.log(peer, format_args!("message refused: {error}"));
                        envelope = Envelope::default();
                    }
                    Event::Authenticate(credentials) => {
                        let user = self.check_credentials(&credentials);
                        let mech = credentials.mechanism();
                        match &user {
                            Some(u) => {
                                self.log(peer, format_args!("AUTH {} as {u}: ok", mech.as_str()))
                            }
                            None => {
                                auth_failures += 1;
                                self.log(
                                    peer,
                                    format_args!(
                                        "AUTH {} as {:?}: invalid credentials",
                                        mech.as_str(),
                                        credentials.authcid().unwrap_or("")
                                    ),
                                );
                            }
                        }
                        server.credentials_valid(user.is_some())?;
                        if user.is_some() {
                            summary.authenticated.clone_from(&user);
                            who.user = user;
                        } else if auth_failures >= self.settings.max_auth_failures {
                            hang_up = true;
                            break;
                        }
                    }
                    Event::StartTls { discarded } => {
                        if discarded > 0 {
                            self.log(
                                peer,
                                format_args!(
                                    "STARTTLS: discarded {discarded} byte(s) of plaintext \
                                     pipelined after the command (RFC 3207 section 4.2)"
                                ),
                            );
                        }
                        summary.discarded_after_starttls += discarded;
                        upgrade = true;
                        break;
                    }
                }
            }
            self.flush(&mut server, &mut stream, transcript.as_ref())
                .await?;
            if hang_up {
                let bye = reply(421, (4, 7, 0), "Too many authentication failures")?;
                let mut out = Vec::new();
                smtp_proto::Encode::encode(&bye, &mut out);
                self.write(&mut stream, &out, transcript.as_ref()).await?;
                let _ = stream.shutdown().await;
                self.log(
                    peer,
                    format_args!("closed after {auth_failures} AUTH failures"),
                );
                return Ok(summary);
            }
            if upgrade {
                let Some(acceptor) = &self.settings.starttls else {
                    return Err(SmtpError::Unsupported(
                        "STARTTLS accepted without a TLS acceptor".into(),
                    ));
                };
                if let Some(t) = &transcript {
                    t.note("TLS handshake");
                }
                stream = match tokio::time::timeout(
                    self.settings.timeout,
                    stream.upgrade_to_tls(acceptor),
                )
                .await
                {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        return Err(SmtpError::Io {
                            context: "TLS handshake after STARTTLS",
                            source: e,
                        });
                    }
                    Err(_) => {
                        return Err(SmtpError::Io {
                            context: "TLS handshake after STARTTLS",
                            source: std::io::ErrorKind::TimedOut.into(),
                        });
                    }
                };
                server.tls_established(now())?;
                who = Peer {
                    tls: true,
                    ..Peer::default()
                };
                summary.tls = true;
                envelope = Envelope::default();
                if let Some(d) = stream.tls_description() {
                    self.log(peer, format_args!("STARTTLS: {d}"));
                }
                continue;
            }
            if server.is_closed() {
                let _ = stream.shutdown().await;
                return Ok(summary);
            }
            let read = match server.poll_timeout() {
                Some(deadline) => {
                    let wait = deadline.saturating_sub(now());
                    match tokio::time::timeout(wait, stream.read(&mut buf)).await {
                        Ok(r) => r,
                        Err(_) => {
                            if server.handle_timeout(now()) {
                                self.log(peer, format_args!("timed out"));
                            }
                            continue;
                        }
                    }
                }
                None => stream.read(&mut buf).await,
            };
            let n = match read {
                Ok(0) => {
                    if !envelope.body.is_empty() || envelope.from.is_some() {
                        self.log(peer, format_args!("client went away mid-transaction"));
                    }
                    return Ok(summary);
                }
                Ok(n) => n,
                Err(e) => {
                    return Err(SmtpError::Io {
                        context: "read from the client",
                        source: e,
                    });
                }
            };
            let data = buf.get(..n).unwrap_or_default();
            if let Some(t) = &transcript {
                t.record(Side::Client, data);
            }
            if let Err(e) = server.receive(data, now()) {
                // Too much pipelined input at once: refuse politely and close.
                let bye = reply(421, (4, 7, 0), "Too much input at once, closing")?;
                let mut out = Vec::new();
                smtp_proto::Encode::encode(&bye, &mut out);
                self.flush(&mut server, &mut stream, transcript.as_ref())
                    .await?;
                self.write(&mut stream, &out, transcript.as_ref()).await?;
                return Err(e.into());
            }
        }
    }

    /// Answers a command event.
    fn command(
        &self,
        server: &mut Server,
        cmd: Command<'static>,
        envelope: &mut Envelope,
        who: &mut Peer,
        peer: SocketAddr,
    ) -> Result<(), SmtpError> {
        match cmd {
            Command::Ehlo(host) | Command::Lhlo(host) => {
                who.helo = Some(host.to_string());
                who.ehlo = true;
                *envelope = Envelope::default();
                server.reply_ehlo()?;
            }
            Command::Helo(host) => {
                who.helo = Some(host.to_string());
                who.ehlo = false;
                *envelope = Envelope::default();
                server.reply_ehlo()?;
            }
            Command::MailFrom(mail) => {
                if self.settings.mode == Mode::Submission && who.user.is_none() {
                    // RFC 4954 §6.
                    server.reply(&reply(530, (5, 7, 0), "Authentication required")?)?;
                    return Ok(());
                }
                let mut dsn = DsnRequest::default();
                for p in mail.params.iter() {
                    match p {
                        Parameter::Ret(r) => dsn.ret = Some(r),
                        Parameter::EnvId(x) => dsn.envid = Some(printable(&x.decode())),
                        _ => {}
                    }
                }
                *envelope = Envelope {
                    from: Some(mail.path),
                    smtputf8: mail.params.smtputf8(),
                    dsn,
                    arrival: Some(SystemTime::now()),
                    ..Envelope::default()
                };
                server.reply(&reply(250, (2, 1, 0), "Sender OK")?)?;
            }
            Command::RcptTo(rcpt) => match self.local_user(&rcpt.path) {
                Some(user) => {
                    server.reply(&reply(
                        250,
                        (2, 1, 5),
                        format!("Recipient OK (user {user})"),
                    )?)?;
                    let success = rcpt
                        .params
                        .iter()
                        .any(|p| matches!(p, Parameter::Notify(Notify::On { success: true, .. })));
                    if success {
                        let orcpt = rcpt.params.iter().find_map(|p| match p {
                            Parameter::Orcpt(o) => {
                                Some(format!("{};{}", o.addr_type, printable(&o.addr.decode())))
                            }
                            _ => None,
                        });
                        envelope.dsn.success.push((rcpt.path.clone(), orcpt));
                    }
                    envelope.recipients.push(rcpt.path);
                }
                None => {
                    self.log(
                        peer,
                        format_args!("RCPT {}: no such user", forward_path_text(&rcpt.path)),
                    );
                    server.reply(&reply(550, (5, 1, 1), "No such user here")?)?;
                }
            },
            Command::Data => {
                envelope.body.clear();
                server.reply(&reply_354()?)?;
            }
            Command::Rset => {
                *envelope = Envelope::default();
                server.reply(&reply(250, (2, 0, 0), "Reset")?)?;
            }
            Command::Noop(_) => server.reply(&reply(250, (2, 0, 0), "OK")?)?,
            Command::Quit => server.reply(&reply(
                221,
                (2, 0, 0),
                format!("{} closing connection", self.settings.hostname),
            )?)?,
            Command::StartTls => server.reply(&reply(220, (2, 0, 0), "Ready to start TLS")?)?,
            Command::Vrfy(_) => server.reply(&reply(
                252,
                (2, 5, 2),
                "Cannot VRFY user, but will accept message and attempt delivery",
            )?)?,
            Command::Help(_) => server.reply(&reply(
                214,
                (2, 0, 0),
                "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT STARTTLS AUTH VRFY HELP",
            )?)?,
            Command::Expn(_) | Command::Etrn(_) => {
                server.reply(&reply(502, (5, 5, 1), "Command not implemented")?)?;
            }
            // Not reported by the machine (AUTH and BDAT have their own events), or unknown.
            Command::Auth { .. } | Command::Bdat { .. } | Command::Unknown { .. } => {
                server.reply(&reply(500, (5, 5, 2), "Command unrecognized")?)?;
            }
        }
        Ok(())
    }

    /// The message is complete: store it once and answer every reply due.
    async fn deliver(
        &self,
        server: &mut Server,
        envelope: &mut Envelope,
        who: &Peer,
        session_id: &str,
        peer: SocketAddr,
        replies: usize,
    ) -> Result<Option<String>, SmtpError> {
        let env = std::mem::take(envelope);
        let message = Arc::new(self.with_trace_headers(&env, who, session_id, peer));
        let maildir = self.maildir.clone();
        let stored_message = Arc::clone(&message);
        let stored = tokio::task::spawn_blocking(move || maildir.deliver("INBOX", &stored_message))
            .await
            .map_err(|e| SmtpError::Io {
                context: "store the message",
                source: std::io::Error::other(e),
            })?;
        let lmtp = self.settings.mode == Mode::Lmtp;
        let result = match stored {
            Ok(id) => {
                self.log(
                    peer,
                    format_args!(
                        "stored {id}: {} octets from {} to {}",
                        env.body.len(),
                        env.from
                            .as_ref()
                            .map_or_else(|| "?".into(), reverse_path_text),
                        env.recipients
                            .iter()
                            .map(forward_path_text)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                Some(id)
            }
            Err(e) => {
                self.log(peer, format_args!("could not store the message: {e}"));
                None
            }
        };
        if result.is_some() && !env.dsn.success.is_empty() {
            self.success_dsn(&env, message, session_id, peer).await;
        }
        for i in 0..replies {
            let r = match (&result, lmtp) {
                (Some(_), true) => {
                    let who = env
                        .recipients
                        .get(i)
                        .map(forward_path_text)
                        .unwrap_or_default();
                    reply(250, (2, 0, 0), format!("{who} delivered"))?
                }
                (Some(id), false) => reply(250, (2, 0, 0), format!("OK stored as {id}"))?,
                (None, _) => reply(
                    451,
                    (4, 3, 0),
                    "Requested action aborted: local error in processing",
                )?,
            };
            server.reply(&r)?;
        }
        Ok(result)
    }

    /// Delivers the "delivered" DSN for the recipients that asked for one (RFC 3461
    /// §5.2.2), if the sender is a local user; otherwise logs that none can be sent.
    async fn success_dsn(
        &self,
        env: &Envelope,
        message: Arc<Vec<u8>>,
        session_id: &str,
        peer: SocketAddr,
    ) {
        // RFC 3461 §6.2: never a DSN for a message with the null reverse-path.
        let Some(ReversePath::Mailbox(sender)) = &env.from else {
            return;
        };
        if self
            .local_user(&ForwardPath::Mailbox(sender.clone()))
            .is_none()
        {
            self.log(
                peer,
                format_args!(
                    "NOTIFY=SUCCESS: no DSN sent, the sender <{sender}> is not local \
                     (this server does not relay)"
                ),
            );
            return;
        }
        let report = success_report(
            &self.settings.hostname,
            &sender.to_string(),
            &env.dsn,
            &message,
            env.arrival.unwrap_or_else(SystemTime::now),
            session_id,
        );
        let maildir = self.maildir.clone();
        match tokio::task::spawn_blocking(move || maildir.deliver("INBOX", &report)).await {
            Ok(Ok(id)) => self.log(
                peer,
                format_args!("stored DSN {id} for <{sender}> (NOTIFY=SUCCESS)"),
            ),
            Ok(Err(e)) => self.log(peer, format_args!("could not store the DSN: {e}")),
            Err(e) => self.log(peer, format_args!("could not store the DSN: {e}")),
        }
    }

    /// `Return-Path:` and `Received:` (RFC 5321 §4.4; the `with` keyword from RFC 3848 and
    /// RFC 6531 §3.7.3) in front of the body.
    fn with_trace_headers(
        &self,
        env: &Envelope,
        who: &Peer,
        session_id: &str,
        peer: SocketAddr,
    ) -> Vec<u8> {
        let mut protocol = String::new();
        if env.smtputf8 {
            protocol.push_str("UTF8");
        }
        protocol.push_str(match (self.settings.mode, who.ehlo, env.smtputf8) {
            (Mode::Lmtp, _, _) => "LMTP",
            (_, _, true) => "SMTP",
            (_, true, false) => "ESMTP",
            (_, false, false) => "SMTP",
        });
        if who.tls {
            protocol.push('S');
        }
        if who.user.is_some() {
            protocol.push('A');
        }
        let from = env
            .from
            .as_ref()
            .map_or_else(|| "<>".to_owned(), reverse_path_text);
        let ip = match peer.ip() {
            std::net::IpAddr::V4(a) => format!("[{a}]"),
            std::net::IpAddr::V6(a) => format!("[IPv6:{a}]"),
        };
        let mut head = format!(
            "Return-Path: {from}\r\nReceived: from {} ({ip})\r\n\tby {} with {protocol} id {session_id}\r\n",
            who.helo.as_deref().unwrap_or("unknown"),
            self.settings.hostname,
        );
        // RFC 5321 §4.4: "for" names the recipient only when there is exactly one.
        if let [only] = env.recipients.as_slice() {
            let _ = write!(head, "\tfor {};", forward_path_text(only));
        } else {
            head.push_str("\t;");
        }
        let _ = write!(head, " {}\r\n", rfc5322_date(SystemTime::now()));
        let mut out = Vec::with_capacity(head.len() + env.body.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&env.body);
        out
    }

    async fn flush(
        &self,
        server: &mut Server,
        stream: &mut Stream,
        transcript: Option<&Transcript>,
    ) -> Result<(), SmtpError> {
        let n = server.transmit().len();
        if n == 0 {
            return Ok(());
        }
        self.write(stream, server.transmit(), transcript).await?;
        server.consumed(n);
        Ok(())
    }

    async fn write(
        &self,
        stream: &mut Stream,
        bytes: &[u8],
        transcript: Option<&Transcript>,
    ) -> Result<(), SmtpError> {
        if let Some(t) = transcript {
            t.record(Side::Server, bytes);
        }
        let io = async {
            stream.write_all(bytes).await?;
            stream.flush().await
        };
        match tokio::time::timeout(self.settings.timeout, io).await {
            Ok(r) => r.map_err(SmtpError::io("write to the client")),
            Err(_) => Err(SmtpError::Io {
                context: "write to the client",
                source: std::io::ErrorKind::TimedOut.into(),
            }),
        }
    }
}

fn reply_354() -> Result<Reply<'static>, SmtpError> {
    Ok(Reply::new(
        354,
        None,
        "Start mail input; end with <CRLF>.<CRLF>",
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::parse_user;
    use smtp_proto::Mailbox;

    fn service(domains: &[&str]) -> Arc<SmtpService> {
        let dir = tempfile::tempdir().unwrap();
        let mut s = ServerSettings::new("mx.example.test", Mode::Smtp);
        s.users = vec![
            parse_user("alice:alice-pw").unwrap(),
            parse_user("bob:bob-pw").unwrap(),
        ];
        s.domains = domains.iter().map(|d| (*d).to_owned()).collect();
        SmtpService::new(s, Maildir::open(dir.keep()).unwrap())
    }

    fn rcpt(addr: &str) -> ForwardPath<'static> {
        ForwardPath::Mailbox(Mailbox::parse(addr).unwrap().into_owned())
    }

    #[test]
    fn recipients_are_local_users_in_any_case_and_postmaster() {
        let s = service(&[]);
        assert_eq!(
            s.local_user(&rcpt("alice@anywhere.test")),
            Some("alice".into())
        );
        assert_eq!(s.local_user(&rcpt("BOB@[127.0.0.1]")), Some("bob".into()));
        assert_eq!(
            s.local_user(&rcpt("\"alice\"@x.test")),
            Some("alice".into())
        );
        assert_eq!(s.local_user(&rcpt("carol@x.test")), None);
        assert_eq!(
            s.local_user(&ForwardPath::Postmaster),
            Some("postmaster".into())
        );
        assert_eq!(
            s.local_user(&rcpt("PostMaster@x.test")),
            Some("postmaster".into())
        );
    }

    #[test]
    fn recipient_domains_restrict_when_given() {
        let s = service(&["example.test"]);
        assert_eq!(
            s.local_user(&rcpt("alice@EXAMPLE.test")),
            Some("alice".into())
        );
        assert_eq!(s.local_user(&rcpt("alice@other.test")), None);
        assert_eq!(s.local_user(&rcpt("alice@[127.0.0.1]")), None);
    }

    #[test]
    fn credentials_need_the_right_password_and_no_foreign_authzid() {
        let s = service(&[]);
        let plain = |authzid: Option<&str>, user: &str, pw: &str| Credentials::Plain {
            authzid: authzid.map(str::to_owned),
            authcid: user.to_owned(),
            password: mail_common::sasl::Secret::new(pw),
        };
        assert_eq!(
            s.check_credentials(&plain(None, "alice", "alice-pw")),
            Some("alice".into())
        );
        assert_eq!(
            s.check_credentials(&plain(None, "alice@example.test", "alice-pw")),
            Some("alice".into())
        );
        assert_eq!(
            s.check_credentials(&plain(Some("alice"), "alice", "alice-pw")),
            Some("alice".into())
        );
        assert_eq!(s.check_credentials(&plain(None, "alice", "bob-pw")), None);
        assert_eq!(
            s.check_credentials(&plain(Some("bob"), "alice", "alice-pw")),
            None
        );
        assert_eq!(s.check_credentials(&plain(None, "carol", "x")), None);
    }

    #[test]
    fn trace_headers_name_the_protocol_and_the_single_recipient() {
        let s = service(&[]);
        let env = Envelope {
            from: Some(ReversePath::Null),
            recipients: vec![rcpt("alice@x.test")],
            smtputf8: false,
            body: b"Subject: x\r\n\r\nhi\r\n".to_vec(),
            ..Envelope::default()
        };
        let who = Peer {
            helo: Some("client.test".into()),
            ehlo: true,
            tls: true,
            user: Some("alice".into()),
        };
        let peer: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let out = String::from_utf8(s.with_trace_headers(&env, &who, "abc", peer)).unwrap();
        assert!(out.starts_with(
            "Return-Path: <>\r\nReceived: from client.test ([127.0.0.1])\r\n\tby mx.example.test with ESMTPSA id abc\r\n\tfor <alice@x.test>; "
        ), "{out}");
        assert!(out.ends_with(" +0000\r\nSubject: x\r\n\r\nhi\r\n"), "{out}");
        let env = Envelope {
            recipients: vec![rcpt("alice@x.test"), rcpt("bob@x.test")],
            smtputf8: true,
            ..env
        };
        let who = Peer {
            tls: false,
            user: None,
            ..who
        };
        let out = String::from_utf8(s.with_trace_headers(&env, &who, "abc", peer)).unwrap();
        assert!(out.contains("with UTF8SMTP id abc\r\n\t; "), "{out}");
        assert!(!out.contains("for <"), "{out}");
    }
}
