//! The `pop3-server` session loop: `pop3_proto::server::Server` on a tokio connection,
//! serving the Maildir's INBOX through [`Pop3View`].
//!
//! The machine answers CAPA, STAT, LIST, UIDL, DELE, RSET, NOOP, USER and unknown
//! commands itself; this loop answers what needs the outside world: checking passwords
//! (USER/PASS, APOP, AUTH PLAIN/LOGIN/CRAM-MD5), reading messages for RETR and TOP, the TLS
//! handshake after STLS, and removing the deleted messages at QUIT (RFC 1939 §6: only
//! then; a dropped connection deletes nothing).
//!
//! The maildrop is locked for the session (RFC 1939 §8): a second login while one session
//! is in TRANSACTION gets `-ERR [IN-USE]` (RFC 2449 §8.1.1).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mail_common::sasl::Credentials;
use pop3_proto::server::{Event, MessageInfo, Server, ServerConfig};
use pop3_proto::{Capability, MessageNumber, Params, UniqueId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::cli::User;
use crate::maildir::{Maildir, Pop3View};
use crate::net::server::{ServeOptions, Stream, serve_until};

/// What every session of one server shares.
pub struct Settings {
    /// The store; POP3 serves its INBOX.
    pub maildir: Maildir,
    /// The users and their passwords (also the APOP and CRAM-MD5 shared secrets).
    pub users: Vec<User>,
    /// The host name in the APOP timestamp and the CRAM-MD5 challenge.
    pub hostname: String,
    /// The acceptor for STLS; `None`: STLS is not offered (no certificate, or implicit TLS).
    pub stls: Option<TlsAcceptor>,
    /// Accept USER/PASS and AUTH PLAIN/LOGIN on an unencrypted connection (RFC 2595 §2.4
    /// says not to by default).
    pub allow_plaintext: bool,
    /// Close a session idle this long (RFC 1939 §3: at least 10 minutes).
    pub idle_timeout: Duration,
    /// Log sessions on standard error.
    pub log: bool,
    locked: AtomicBool,
    sessions: AtomicU64,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("maildir", &self.maildir.root())
            .field("users", &self.users)
            .field("hostname", &self.hostname)
            .field("stls", &self.stls.is_some())
            .field("allow_plaintext", &self.allow_plaintext)
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Settings with the defaults: host name `localhost`, no STLS, no plaintext passwords
    /// without TLS, a 10 minute idle timeout, logging on.
    #[must_use]
    pub fn new(maildir: Maildir, users: Vec<User>) -> Settings {
        Settings {
            maildir,
            users,
            hostname: "localhost".to_owned(),
            stls: None,
            allow_plaintext: false,
            idle_timeout: Duration::from_secs(600),
            log: true,
            locked: AtomicBool::new(false),
            sessions: AtomicU64::new(0),
        }
    }

    /// The machine's configuration: what CAPA announces and what the machine accepts.
    #[must_use]
    pub fn server_config(&self) -> ServerConfig {
        let mut capabilities = vec![
            Capability::Top,
            Capability::User,
            Capability::RespCodes,
            Capability::AuthRespCode,
            Capability::Pipelining,
            Capability::Uidl,
        ];
        if let Ok(sasl) = Params::new("PLAIN LOGIN CRAM-MD5") {
            capabilities.insert(2, Capability::Sasl(sasl));
        }
        if let Ok(implementation) = Params::new("mail-examples") {
            capabilities.push(Capability::Implementation(implementation));
        }
        if self.stls.is_some() {
            capabilities.push(Capability::Stls);
        }
        ServerConfig {
            hostname: self.hostname.clone(),
            name: self.hostname.clone(),
            greeting: "mail-examples POP3 server ready".to_owned(),
            apop: true,
            allow_plaintext_without_tls: self.allow_plaintext,
            capabilities,
            ..ServerConfig::default()
        }
    }

    /// The caller's unique part of the APOP timestamp (RFC 1939 §7: process id, clock and
    /// a per-process counter, so that no two sessions share one).
    fn unique(&self) -> String {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}.{nanos}.{n}", std::process::id())
    }

    fn password_of(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    fn lock(self: &Arc<Self>) -> Option<MaildropLock> {
        self.locked
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| MaildropLock(Arc::clone(self)))
    }
}

/// The maildrop's lock, held from login to the end of the session.
struct MaildropLock(Arc<Settings>);

impl Drop for MaildropLock {
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

/// Accepts connections on `listener` until `shutdown` completes, serving each with
/// [`session`].
pub async fn run(
    listener: TcpListener,
    settings: Arc<Settings>,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    serve_until(
        listener,
        options,
        move |stream, peer| session(stream, peer, Arc::clone(&settings)),
        shutdown,
    )
    .await
}

/// An event of the machine, owned, so the loop can act on it (the TLS upgrade needs the
/// stream, the store calls need the session) without borrowing the machine.
enum Action {
    Pass { user: String, password: Vec<u8> },
    Apop { user: String },
    Sasl(Credentials),
    Message { msg: MessageNumber },
    StartTls { discarded: usize },
    Update { deleted: Vec<MessageNumber> },
    Closed,
}

fn action(event: Event<'_>) -> Action {
    match event {
        Event::Pass { user, password } => Action::Pass {
            user: user.to_owned(),
            password: password.as_bytes().to_vec(),
        },
        Event::Apop { user } => Action::Apop {
            user: user.to_owned(),
        },
        Event::Sasl { credentials } => Action::Sasl(credentials),
        Event::Retr { msg } | Event::Top { msg, .. } => Action::Message { msg },
        Event::StartTls { discarded } => Action::StartTls { discarded },
        Event::Update { deleted } => Action::Update { deleted },
        // `Event` is non-exhaustive: anything this loop does not know ends the session.
        _ => Action::Closed,
    }
}

/// One connection's state besides the machine.
struct Session {
    settings: Arc<Settings>,
    peer: SocketAddr,
    view: Option<Pop3View>,
    lock: Option<MaildropLock>,
}

impl Session {
    fn log(&self, text: impl std::fmt::Display) {
        if self.settings.log {
            eprintln!("pop3 {}: {text}", self.peer);
        }
    }

    /// Locks and lists the maildrop for a user whose credentials were checked, or says
    /// why not (a response code and text for `-ERR`).
    async fn open_maildrop(&mut self) -> Result<Vec<MessageInfo>, (&'static str, &'static str)> {
        let Some(lock) = self.settings.lock() else {
            return Err(("IN-USE", "maildrop already locked by another session"));
        };
        let maildir = self.settings.maildir.clone();
        let view = match tokio::task::spawn_blocking(move || maildir.pop3()).await {
            Ok(Ok(view)) => view,
            Ok(Err(e)) => {
                self.log(format_args!("cannot open the maildrop: {e}"));
                return Err(("SYS/TEMP", "cannot open the maildrop"));
            }
            Err(_) => return Err(("SYS/TEMP", "cannot open the maildrop")),
        };
        let mut infos = Vec::new();
        for m in view.list() {
            let Ok(uid) = UniqueId::new(m.uidl().to_owned()) else {
                self.log(format_args!("invalid unique id {:?}", m.uidl()));
                return Err(("SYS/PERM", "maildrop has an invalid unique id"));
            };
            infos.push(MessageInfo {
                size: m.size(),
                uid,
            });
        }
        self.view = Some(view);
        self.lock = Some(lock);
        Ok(infos)
    }

    async fn read_message(&mut self, msg: MessageNumber) -> Option<Vec<u8>> {
        let mut view = self.view.take()?;
        let number = usize::try_from(msg.get()).ok()?;
        let (view, read) = tokio::task::spawn_blocking(move || {
            let read = view.read(number);
            (view, read)
        })
        .await
        .ok()?;
        self.view = Some(view);
        match read {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.log(format_args!("cannot read message {number}: {e}"));
                None
            }
        }
    }

    /// The UPDATE state: removes the marked messages; `true` if all were removed.
    async fn update(&mut self, deleted: &[MessageNumber]) -> bool {
        let Some(mut view) = self.view.take() else {
            return deleted.is_empty();
        };
        for msg in deleted {
            let marked = usize::try_from(msg.get())
                .ok()
                .is_some_and(|n| view.delete(n).is_ok());
            if !marked {
                self.log(format_args!("cannot mark message {msg} deleted"));
                return false;
            }
        }
        match tokio::task::spawn_blocking(move || view.commit()).await {
            Ok(Ok(removed)) => {
                if !removed.is_empty() {
                    self.log(format_args!("removed {} messages", removed.len()));
                }
                true
            }
            Ok(Err(e)) => {
                self.log(format_args!("update failed: {e}"));
                false
            }
            Err(_) => false,
        }
    }
}

/// Writes everything the machine has queued, giving up after `timeout` (a peer that stops
/// reading must not hold the session, and the maildrop lock, forever).
async fn flush(stream: &mut Stream, server: &mut Server, timeout: Duration) -> std::io::Result<()> {
    let out = server.take_output();
    if out.is_empty() {
        return Ok(());
    }
    let write = async {
        stream.write_all(&out).await?;
        stream.flush().await
    };
    match tokio::time::timeout(timeout, write).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the client stopped reading",
        )),
    }
}

/// Serves one connection to the end. Never panics on what the peer sends: the machine
/// answers bad input with `-ERR` and closes after too many errors; I/O errors and
/// timeouts end the session without touching the maildrop.
pub async fn session(stream: Stream, peer: SocketAddr, settings: Arc<Settings>) {
    let mut session = Session {
        settings,
        peer,
        view: None,
        lock: None,
    };
    match serve(stream, &mut session).await {
        Ok(()) => session.log("session ended"),
        Err(e) => session.log(format_args!("session aborted: {e}")),
    }
}

async fn serve(mut stream: Stream, session: &mut Session) -> std::io::Result<()> {
    let settings = Arc::clone(&session.settings);
    let config = settings.server_config();
    let mut server =
        Server::new(config, &settings.unique(), stream.is_tls()).map_err(std::io::Error::other)?;
    session.log(format_args!(
        "connected{}",
        if stream.is_tls() { " (TLS)" } else { "" }
    ));
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        loop {
            let event = match server.next_event() {
                Ok(Some(event)) => action(event),
                Ok(None) => break,
                // Only a mistake of this loop (an event left unanswered) gets here.
                Err(e) => return Err(std::io::Error::other(e)),
            };
            let answered = match event {
                Action::Pass { user, password } => {
                    let ok = settings
                        .password_of(&user)
                        .is_some_and(|u| u.password.matches(&password));
                    login(&mut server, session, ok, &user, "USER/PASS").await
                }
                Action::Apop { user } => match settings.password_of(&user) {
                    None => {
                        session.log(format_args!("APOP for unknown user {user:?}"));
                        server.reject_login(Some("AUTH"), "authentication failed")
                    }
                    Some(u) => {
                        let secret = u.password.clone();
                        // Verify the digest before touching the maildrop, so a wrong digest
                        // gets [AUTH] and never learns whether the maildrop is in use.
                        match server.check_apop(secret.expose().as_bytes()) {
                            Ok(false) => {
                                session.log(format_args!("APOP failed for {user:?}"));
                                server.reject_login(Some("AUTH"), "authentication failed")
                            }
                            Ok(true) => match session.open_maildrop().await {
                                Err((code, text)) => server.reject_login(Some(code), text),
                                Ok(infos) => {
                                    session.log(format_args!("{user} logged in with APOP"));
                                    server.accept_login(infos)
                                }
                            },
                            Err(e) => Err(e),
                        }
                    }
                },
                Action::Sasl(credentials) => {
                    let name = credentials.authcid().unwrap_or_default().to_owned();
                    // Acting as another user is not supported: an authorization identity
                    // must be empty or the user's own name (RFC 4616 §2).
                    let authz_ok = credentials
                        .authzid()
                        .is_none_or(|z| z.is_empty() || z == name);
                    let ok = authz_ok
                        && settings
                            .users
                            .iter()
                            .any(|u| credentials.password_matches(&u.name, u.password.expose()));
                    let how = format!("AUTH {}", credentials.mechanism().as_str());
                    login(&mut server, session, ok, &name, &how).await
                }
                Action::Message { msg } => match session.read_message(msg).await {
                    Some(bytes) => server.send_message(&bytes),
                    None => server.reject(Some("SYS/TEMP"), "cannot read the message"),
                },
                Action::StartTls { discarded } => {
                    if discarded > 0 {
                        session.log(format_args!(
                            "STLS: discarded {discarded} octets of pipelined plaintext"
                        ));
                    }
                    flush(&mut stream, &mut server, settings.idle_timeout).await?;
                    let Some(acceptor) = settings.stls.clone() else {
                        return Err(std::io::Error::other("STLS without a certificate"));
                    };
                    stream = stream.upgrade_to_tls(&acceptor).await?;
                    session.log("STLS: TLS established");
                    server.tls_established()
                }
                Action::Update { deleted } => {
                    let removed = session.update(&deleted).await;
                    // Unlock before the sign-off reaches the client, so that its next
                    // session finds the maildrop free.
                    session.lock = None;
                    server.update_done(removed)
                }
                Action::Closed => break,
            };
            answered.map_err(std::io::Error::other)?;
        }
        flush(&mut stream, &mut server, settings.idle_timeout).await?;
        if server.is_closed() {
            // Best effort: the peer may already have closed its side.
            let _ = stream.shutdown().await;
            return Ok(());
        }
        let n = match tokio::time::timeout(settings.idle_timeout, stream.read(&mut buf)).await {
            Ok(read) => read?,
            Err(_) => {
                session.log("idle timeout");
                stream
                    .write_all(b"-ERR autologout: idle too long\r\n")
                    .await?;
                stream.flush().await?;
                return Ok(());
            }
        };
        if n == 0 {
            return Ok(());
        }
        server.receive(buf.get(..n).unwrap_or_default());
    }
}

/// Answers a checked USER/PASS or AUTH login.
async fn login(
    server: &mut Server,
    session: &mut Session,
    ok: bool,
    user: &str,
    how: &str,
) -> Result<(), pop3_proto::Error> {
    if !ok {
        session.log(format_args!("{how} failed for {user:?}"));
        return server.reject_login(Some("AUTH"), "authentication failed");
    }
    match session.open_maildrop().await {
        Ok(infos) => {
            session.log(format_args!("{user} logged in with {how}"));
            server.accept_login(infos)
        }
        Err((code, text)) => server.reject_login(Some(code), text),
    }
}

/// A server running on its own thread and tokio runtime, on a free loopback port: for
/// tests and for the demo. Dropping it stops the accept loop.
#[derive(Debug)]
pub struct Background(crate::net::server::Background);

impl Background {
    /// Binds `127.0.0.1:0` and serves with `settings`; `implicit_tls` runs the TLS
    /// handshake first on every connection (POP3S, RFC 8314).
    ///
    /// # Errors
    /// The runtime or the listening socket could not be set up.
    pub fn start(
        settings: Settings,
        implicit_tls: Option<TlsAcceptor>,
    ) -> std::io::Result<Background> {
        let options = ServeOptions {
            implicit_tls,
            log_errors: settings.log,
            ..ServeOptions::default()
        };
        let settings = Arc::new(settings);
        crate::net::server::Background::spawn("pop3-server", move |listener, shutdown| {
            run(listener, settings, options, shutdown)
        })
        .map(Background)
    }

    /// The address the server listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.0.addr()
    }

    /// Stops accepting and waits for the accept loop to end.
    ///
    /// # Errors
    /// The accept loop's error, if it failed.
    pub fn stop(self) -> std::io::Result<()> {
        self.0.stop()
    }
}
