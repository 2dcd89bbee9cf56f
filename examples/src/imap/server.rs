//! The `imap-server` session loop: `imap_proto::server::Server` (the sans-IO session
//! machine) on a tokio connection, serving a Maildir.
//!
//! The machine answers CAPABILITY, LOGOUT, STARTTLS, ENABLE, the AUTHENTICATE exchange,
//! literal continuations (synchronizing and LITERAL+), IDLE's `+` and every command sent
//! in the wrong state or with bad syntax. This loop answers what needs the store: LOGIN
//! and AUTHENTICATE credentials, the mailbox commands (LIST/LSUB, CREATE/DELETE/RENAME,
//! SUBSCRIBE/UNSUBSCRIBE, STATUS, APPEND, SELECT/EXAMINE) and the selected-state commands
//! (FETCH, SEARCH, STORE, COPY, MOVE, EXPUNGE, CLOSE, UNSELECT and their UID forms), plus
//! NAMESPACE (RFC 2342), ID (RFC 2971) and the UIDPLUS codes (RFC 4315).
//!
//! Changes made by other sessions, by `smtp-server` or by anything dropping files into
//! `new/` are reported as `EXISTS`, `EXPUNGE` and `FETCH (FLAGS ...)` at the end of every
//! command that allows it, and while a client IDLEs (RFC 2177): the session waits on the
//! store's change counter and also rescans the folder on a timer, since other processes
//! do not touch the counter.
//!
//! Flags: the six Maildir flags map to `\Seen`, `\Answered`, `\Flagged`, `\Deleted`,
//! `\Draft` and the keyword `$Forwarded`; other keywords cannot be stored in a Maildir
//! file name and are ignored (PERMANENTFLAGS does not offer `\*`).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imap_proto::server::{Event, Server, ServerConfig, State, move_arguments};
use imap_proto::{
    AString, Atom, Capability, Code, CommandBody, Data, Date, DateTime, FetchAttribute, FetchItems,
    IString, Literal, MessageDataItem, NameAttribute, Number64, Section, SequenceSet,
    StatusAttribute, StatusItem, StatusKind, StoreAction, Vec1,
};
use mail_common::sasl::{Credentials, Mechanism};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::{mime, search};
use crate::cli::User;
use crate::maildir::{self, Flag, Flags, Mailbox, Maildir, to_crlf};
use crate::net::server::{ServeOptions, Stream, serve_until};

/// The hierarchy delimiter: Maildir++ folders are `.Parent.Child`.
pub const DELIMITER: u8 = b'.';

/// What every session of one server shares.
pub struct Settings {
    /// The store.
    pub maildir: Maildir,
    /// The users and their passwords (also the CRAM-MD5 shared secrets).
    pub users: Vec<User>,
    /// The host name in the CRAM-MD5 challenge.
    pub hostname: String,
    /// The acceptor for STARTTLS; `None`: STARTTLS is not offered.
    pub starttls: Option<TlsAcceptor>,
    /// Accept LOGIN and AUTH PLAIN/LOGIN on an unencrypted connection (RFC 3501 §6.2.3
    /// says not to by default; LOGINDISABLED is advertised then).
    pub allow_plaintext: bool,
    /// End a session that sent nothing for this long (RFC 3501 §5.4: at least 30 minutes).
    pub autologout: Duration,
    /// How often an IDLE session rescans its folder for mail other processes delivered.
    pub idle_poll: Duration,
    /// Log sessions on standard error.
    pub log: bool,
    /// Offer MOVE (RFC 6851); without it clients move by COPY, STORE and UID EXPUNGE.
    pub offer_move: bool,
    sessions: AtomicU64,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("maildir", &self.maildir.root())
            .field("users", &self.users)
            .field("hostname", &self.hostname)
            .field("starttls", &self.starttls.is_some())
            .field("allow_plaintext", &self.allow_plaintext)
            .field("autologout", &self.autologout)
            .field("idle_poll", &self.idle_poll)
            .finish_non_exhaustive()
    }
}

/// An atom from a constant (every caller passes a valid one; the tests see them all).
fn atom(s: &'static str) -> Option<Atom<'static>> {
    Atom::new(s).ok()
}

/// A response code this crate does not model (`APPENDUID`, `COPYUID`, ...).
fn code(name: &'static str, text: Option<String>) -> Option<Code<'static>> {
    Some(Code::Other {
        name: atom(name)?,
        text: text.map(std::borrow::Cow::Owned),
    })
}

impl Settings {
    /// Settings with the defaults: host name `localhost`, no STARTTLS, no plaintext
    /// passwords without TLS, 30 minute autologout, IDLE rescans every second, logging on.
    #[must_use]
    pub fn new(maildir: Maildir, users: Vec<User>) -> Settings {
        Settings {
            maildir,
            users,
            hostname: "localhost".to_owned(),
            starttls: None,
            allow_plaintext: false,
            autologout: Duration::from_secs(30 * 60),
            idle_poll: Duration::from_secs(1),
            log: true,
            offer_move: true,
            sessions: AtomicU64::new(0),
        }
    }

    /// The machine's configuration: what CAPABILITY announces.
    #[must_use]
    pub fn server_config(&self) -> ServerConfig {
        let caps = [
            "NAMESPACE",
            "UIDPLUS",
            "MOVE",
            "ID",
            "UNSELECT",
            "CHILDREN",
            "UTF8=ACCEPT",
        ];
        ServerConfig {
            greeting: "mail-examples IMAP server ready".into(),
            hostname: self.hostname.clone(),
            capabilities: caps
                .iter()
                .filter(|c| self.offer_move || **c != "MOVE")
                .filter_map(|c| atom(c).map(Capability::Other))
                .collect(),
            mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
            starttls: self.starttls.is_some(),
            allow_plaintext_auth: self.allow_plaintext,
            enable: atom("UTF8=ACCEPT").into_iter().collect(),
            ..ServerConfig::default()
        }
    }

    fn unique(&self) -> String {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}.{nanos}.{n}", std::process::id())
    }

    fn check_password(&self, user: &str, password: &[u8]) -> bool {
        self.users
            .iter()
            .any(|u| u.name == user && u.password.matches(password))
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

/// An event of the machine, owned, so that the loop can act on it with the machine.
enum Action {
    Command {
        tag: String,
        body: CommandBody<'static>,
    },
    Authenticate(Credentials),
    StartTls {
        discarded: usize,
    },
    Idle,
    IdleDone,
    Enabled(Vec<String>),
    Close,
}

fn action(event: Event<'_>) -> Action {
    match event {
        Event::Command(c) => Action::Command {
            tag: c.tag.as_str().to_owned(),
            body: c.body.into_owned(),
        },
        Event::Authenticate { credentials } => Action::Authenticate(credentials),
        Event::StartTls { discarded } => Action::StartTls { discarded },
        Event::Idle => Action::Idle,
        Event::IdleDone => Action::IdleDone,
        Event::Enabled(list) => {
            Action::Enabled(list.iter().map(|a| a.as_str().to_owned()).collect())
        }
        // Logout, Closed, and anything this loop does not know (COMPRESS is not offered,
        // literals are not asked for): send what is queued and end the session.
        _ => Action::Close,
    }
}

/// A completion for the current command.
enum Reply {
    Ok(Option<Code<'static>>, String),
    No(Option<Code<'static>>, String),
    Bad(String),
}

impl Reply {
    fn ok(text: impl Into<String>) -> Reply {
        Reply::Ok(None, text.into())
    }
    fn no(text: impl Into<String>) -> Reply {
        Reply::No(None, text.into())
    }
}

struct Selected {
    mailbox: Mailbox,
    read_only: bool,
    /// RFC822.SIZE by UID: the size with CRLF line ends, which differs from the file size
    /// for files stored with bare LF. `number64` (RFC 9051 §9), so a message above 4 GiB
    /// reports its real size.
    sizes: HashMap<u32, Number64>,
}

/// One connection's state besides the machine.
struct Session {
    settings: Arc<Settings>,
    peer: SocketAddr,
    user: Option<String>,
    selected: Option<Selected>,
    utf8: bool,
    idling: bool,
}

type IoResult<T> = std::io::Result<T>;

fn proto(e: imap_proto::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Serves one connection to the end. Never panics on what the peer sends: the machine
/// answers bad input with BAD and closes after too many errors; I/O errors and timeouts
/// end the session.
pub async fn session(stream: Stream, peer: SocketAddr, settings: Arc<Settings>) {
    let mut s = Session {
        settings,
        peer,
        user: None,
        selected: None,
        utf8: false,
        idling: false,
    };
    match serve(stream, &mut s).await {
        Ok(()) => s.log("session ended"),
        Err(e) => s.log(format_args!("session aborted: {e}")),
    }
}

async fn flush(stream: &mut Stream, server: &mut Server) -> IoResult<()> {
    let out = server.take_output();
    if out.is_empty() {
        return Ok(());
    }
    let write = async {
        stream.write_all(&out).await?;
        stream.flush().await
    };
    match tokio::time::timeout(Duration::from_secs(300), write).await {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the client stopped reading",
        )),
    }
}

async fn serve(mut stream: Stream, s: &mut Session) -> IoResult<()> {
    let settings = Arc::clone(&s.settings);
    let mut server = Server::new(
        settings.server_config(),
        stream.is_tls(),
        &settings.unique(),
    )
    .map_err(proto)?;
    s.log(format_args!(
        "connected{}",
        if stream.is_tls() { " (TLS)" } else { "" }
    ));
    let mut buf = vec![0u8; 64 * 1024];
    let mut watch = settings.maildir.watch();
    loop {
        loop {
            let act = match server.next_event() {
                Ok(Some(ev)) => action(ev),
                Ok(None) => break,
                Err(e) => return Err(proto(e)),
            };
            match act {
                Action::Command { tag, body } => {
                    let reply = s.command(&tag, body, &mut server, &mut stream).await?;
                    if server.is_closed() {
                        // A BYE ended the session meanwhile (UIDVALIDITY changed).
                        break;
                    }
                    match reply {
                        Reply::Ok(code, text) => server.ok(code, &text),
                        Reply::No(code, text) => server.no(code, &text),
                        Reply::Bad(text) => server.bad(None, &text),
                    }
                    .map_err(proto)?;
                }
                Action::Authenticate(credentials) => {
                    let name = credentials.authcid().unwrap_or_default().to_owned();
                    let authz_ok = credentials
                        .authzid()
                        .is_none_or(|z| z.is_empty() || z == name);
                    let ok = authz_ok
                        && settings
                            .users
                            .iter()
                            .any(|u| credentials.password_matches(&u.name, u.password.expose()));
                    let how = format!("AUTHENTICATE {}", credentials.mechanism().as_str());
                    s.login_result(&mut server, ok, &name, &how)?;
                }
                Action::StartTls { discarded } => {
                    if discarded > 0 {
                        s.log(format_args!(
                            "STARTTLS: discarded {discarded} octets of pipelined plaintext"
                        ));
                    }
                    flush(&mut stream, &mut server).await?;
                    let Some(acceptor) = settings.starttls.clone() else {
                        return Err(std::io::Error::other("STARTTLS without a certificate"));
                    };
                    stream = stream.upgrade_to_tls(&acceptor).await?;
                    s.log("STARTTLS: TLS established");
                    server.tls_established().map_err(proto)?;
                }
                Action::Idle => {
                    s.idling = true;
                    watch.borrow_and_update();
                    s.report_changes(&mut server, true)?;
                }
                Action::IdleDone => {
                    s.idling = false;
                    server.ok(None, "IDLE terminated").map_err(proto)?;
                }
                Action::Enabled(list) => {
                    if list.iter().any(|c| c.eq_ignore_ascii_case("UTF8=ACCEPT")) {
                        s.utf8 = true;
                    }
                }
                Action::Close => break,
            }
            if server.transmit().len() > 1024 * 1024 {
                flush(&mut stream, &mut server).await?;
            }
        }
        flush(&mut stream, &mut server).await?;
        if server.is_closed() {
            let _ = stream.shutdown().await;
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + settings.autologout;
        let n = loop {
            if !s.idling {
                match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
                    Ok(r) => break r?,
                    Err(_) => {
                        s.log("autologout");
                        let _ = server.bye("Autologout; idle for too long");
                        flush(&mut stream, &mut server).await?;
                        return Ok(());
                    }
                }
            }
            tokio::select! {
                r = stream.read(&mut buf) => break r?,
                _ = watch.changed() => {}
                () = tokio::time::sleep(settings.idle_poll) => {}
                () = tokio::time::sleep_until(deadline) => {
                    s.log("autologout during IDLE");
                    let _ = server.bye("Autologout; idle for too long");
                    flush(&mut stream, &mut server).await?;
                    return Ok(());
                }
            }
            s.report_changes(&mut server, true)?;
            flush(&mut stream, &mut server).await?;
            if server.is_closed() {
                return Ok(());
            }
        };
        if n == 0 {
            return Ok(());
        }
        server.receive(buf.get(..n).unwrap_or_default());
    }
}

/// The IMAP flags of a message.
fn imap_flags(flags: &Flags, recent: bool) -> Vec<imap_proto::Flag<'static>> {
    let mut out = Vec::new();
    for f in flags.iter() {
        out.push(match f {
            Flag::Draft => imap_proto::Flag::Draft,
            Flag::Flagged => imap_proto::Flag::Flagged,
            Flag::Replied => imap_proto::Flag::Answered,
            Flag::Seen => imap_proto::Flag::Seen,
            Flag::Trashed => imap_proto::Flag::Deleted,
            Flag::Passed => match atom("$Forwarded") {
                Some(a) => imap_proto::Flag::Keyword(a),
                None => continue,
            },
        });
    }
    if recent {
        out.push(imap_proto::Flag::Recent);
    }
    out
}

/// The Maildir flags named by IMAP flags; others (`\Recent`, keywords) are ignored.
fn maildir_flags(flags: &[imap_proto::Flag<'_>]) -> Vec<Flag> {
    flags
        .iter()
        .filter_map(|f| match f {
            imap_proto::Flag::Draft => Some(Flag::Draft),
            imap_proto::Flag::Flagged => Some(Flag::Flagged),
            imap_proto::Flag::Answered => Some(Flag::Replied),
            imap_proto::Flag::Seen => Some(Flag::Seen),
            imap_proto::Flag::Deleted => Some(Flag::Trashed),
            imap_proto::Flag::Keyword(k) if k.as_str().eq_ignore_ascii_case("$Forwarded") => {
                Some(Flag::Passed)
            }
            _ => None,
        })
        .collect()
}

/// A time as an IMAP date-time in UTC.
fn imap_datetime(t: SystemTime) -> Option<DateTime> {
    let secs = search::unix_seconds(t);
    let (y, m, d) = search::civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let date = Date::new(
        u16::try_from(y).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(d).ok()?,
    )
    .ok()?;
    DateTime::new(
        date,
        u8::try_from(rem / 3600).ok()?,
        u8::try_from(rem % 3600 / 60).ok()?,
        u8::try_from(rem % 60).ok()?,
        0,
    )
    .ok()
}

fn system_time(dt: &DateTime) -> SystemTime {
    let d = dt.date();
    let (h, m, s) = dt.time();
    let days = search::days_from_civil(
        i64::from(d.year()),
        u32::from(d.month()),
        u32::from(d.day()),
    );
    let secs = days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)
        - i64::from(dt.zone_minutes()) * 60;
    match u64::try_from(secs) {
        Ok(s) => UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => UNIX_EPOCH,
    }
}

/// A literal of the message octets; NUL octets (which no IMAP string may carry, RFC 3501
/// §4.3) are sent as spaces.
fn body_literal(mut data: Vec<u8>) -> Option<IString<'static>> {
    if data.contains(&0) {
        for b in &mut data {
            if *b == 0 {
                *b = b' ';
            }
        }
    }
    Literal::new(data).map(IString::Literal).ok()
}

/// `1,3:5,9` from a list of numbers (UIDPLUS codes, RFC 4315 §3 `uid-set`).
fn uid_set(uids: impl IntoIterator<Item = u32>) -> String {
    let mut out = String::new();
    let mut run: Option<(u32, u32)> = None;
    let push = |out: &mut String, (a, b): (u32, u32)| {
        if !out.is_empty() {
            out.push(',');
        }
        if a == b {
            out.push_str(&a.to_string());
        } else {
            out.push_str(&format!("{a}:{b}"));
        }
    };
    for u in uids {
        run = match run {
            Some((a, b)) if b.checked_add(1) == Some(u) => Some((a, u)),
            Some(r) => {
                push(&mut out, r);
                Some((u, u))
            }
            None => Some((u, u)),
        };
    }
    if let Some(r) = run {
        push(&mut out, r);
    }
    out
}

/// LIST wildcard matching (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the
/// hierarchy delimiter. Dynamic programming over (pattern, name) positions: O(p·n) time
/// whatever the pattern, so that a pattern full of wildcards cannot stall the session.
fn wildcard_match(pattern: &[u8], name: &[u8]) -> bool {
    // can[j]: the pattern consumed so far matches name[..j].
    let mut can = vec![false; name.len() + 1];
    if let Some(first) = can.first_mut() {
        *first = true;
    }
    for &p in pattern {
        let mut next = vec![false; name.len() + 1];
        match p {
            b'*' | b'%' => {
                // next[j]: some i <= j with can[i], name[i..j] free of the delimiter for %.
                let mut reach = false;
                for j in 0..=name.len() {
                    if p == b'%' && j > 0 && name.get(j - 1) == Some(&DELIMITER) {
                        reach = false;
                    }
                    reach |= can.get(j).copied().unwrap_or(false);
                    if let Some(n) = next.get_mut(j) {
                        *n = reach;
                    }
                }
            }
            c => {
                for j in 0..name.len() {
                    if can.get(j).copied().unwrap_or(false) && name.get(j) == Some(&c) {
                        if let Some(n) = next.get_mut(j + 1) {
                            *n = true;
                        }
                    }
                }
            }
        }
        can = next;
    }
    can.last().copied().unwrap_or(false)
}

impl Session {
    fn log(&self, text: impl std::fmt::Display) {
        if self.settings.log {
            eprintln!("imap {}: {text}", self.peer);
        }
    }

    fn login_result(
        &mut self,
        server: &mut Server,
        ok: bool,
        user: &str,
        how: &str,
    ) -> IoResult<()> {
        if ok {
            self.log(format_args!("{user} logged in with {how}"));
            self.user = Some(user.to_owned());
            server.ok(None, &format!("{how} completed")).map_err(proto)
        } else {
            self.log(format_args!("{how} failed for {user:?}"));
            server
                .no(code("AUTHENTICATIONFAILED", None), "Authentication failed")
                .map_err(proto)
        }
    }

    /// A folder name from a wire mailbox name.
    fn folder(&self, m: &imap_proto::Mailbox<'_>) -> Result<String, Reply> {
        match m {
            imap_proto::Mailbox::Inbox => Ok("INBOX".to_owned()),
            other => {
                let name = other
                    .to_utf8()
                    .map_err(|_| Reply::Bad("Invalid mailbox name encoding".into()))?;
                maildir::canonical_folder_name(&name)
                    .map(std::borrow::Cow::into_owned)
                    .map_err(|e| Reply::no(e.to_string()))
            }
        }
    }

    /// The wire name of a folder.
    fn wire(&self, name: &str) -> Option<imap_proto::Mailbox<'static>> {
        if name == "INBOX" {
            return Some(imap_proto::Mailbox::Inbox);
        }
        if self.utf8 {
            imap_proto::Mailbox::from_utf8_raw(name).ok()
        } else {
            imap_proto::Mailbox::from_utf8(name).ok()
        }
    }

    /// Reports what changed in the selected folder since the snapshot was taken.
    /// `expunges`: whether EXPUNGE responses are allowed now (not during FETCH, STORE and
    /// SEARCH, RFC 3501 §7.4.1).
    fn report_changes(&mut self, server: &mut Server, expunges: bool) -> IoResult<()> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        if !expunges {
            return Ok(());
        }
        let changes = match sel.mailbox.refresh() {
            Ok(c) => c,
            Err(e) => {
                self.log(format_args!("refresh failed: {e}"));
                return Ok(());
            }
        };
        if changes.uidvalidity_changed {
            server
                .bye("Mailbox UIDVALIDITY changed, please reconnect")
                .map_err(proto)?;
            return Ok(());
        }
        for e in &changes.expunged {
            sel.sizes.remove(&e.uid);
            if let Some(seq) = NonZeroU32::new(e.seq) {
                server.data(&Data::Expunge(seq)).map_err(proto)?;
            }
        }
        if !changes.added.is_empty() {
            let st = sel.mailbox.status();
            server.data(&Data::Exists(st.messages)).map_err(proto)?;
            server.data(&Data::Recent(st.recent)).map_err(proto)?;
        }
        for uid in &changes.flags_changed {
            let (Some(seq), Some(m)) = (sel.mailbox.seq_of(*uid), sel.mailbox.by_uid(*uid)) else {
                continue;
            };
            let Some(seq) = NonZeroU32::new(seq) else {
                continue;
            };
            let items = Vec1::one(MessageDataItem::Flags(imap_flags(m.flags(), m.is_recent())));
            server.data(&Data::Fetch { seq, items }).map_err(proto)?;
        }
        Ok(())
    }

    async fn command(
        &mut self,
        tag: &str,
        body: CommandBody<'static>,
        server: &mut Server,
        stream: &mut Stream,
    ) -> IoResult<Reply> {
        let _ = tag;
        // Commands after which pending EXPUNGE responses may not be sent (RFC 3501 §7.4.1).
        let quiet = matches!(
            body,
            CommandBody::Fetch { uid: false, .. }
                | CommandBody::Store { uid: false, .. }
                | CommandBody::Search { uid: false, .. }
        );
        let reply = match body {
            CommandBody::Login { username, password } => {
                let user = String::from_utf8_lossy(username.as_bytes()).into_owned();
                let ok = self.settings.check_password(&user, password.as_bytes());
                if ok {
                    self.log(format_args!("{user} logged in with LOGIN"));
                    self.user = Some(user);
                    Reply::ok("LOGIN completed")
                } else {
                    self.log(format_args!("LOGIN failed for {user:?}"));
                    Reply::No(
                        code("AUTHENTICATIONFAILED", None),
                        "Authentication failed".into(),
                    )
                }
            }
            CommandBody::Noop | CommandBody::Check => Reply::ok("Completed"),
            CommandBody::Select { mailbox } => self.select(&mailbox, false, server)?,
            CommandBody::Examine { mailbox } => self.select(&mailbox, true, server)?,
            CommandBody::Create { mailbox } => match self.folder(&mailbox) {
                Err(r) => r,
                Ok(name) => {
                    let name = name.trim_end_matches('.').to_owned();
                    match self.settings.maildir.create_folder(&name) {
                        Ok(()) => Reply::ok("CREATE completed"),
                        Err(e) => Reply::no(e.to_string()),
                    }
                }
            },
            CommandBody::Delete { mailbox } => match self.folder(&mailbox) {
                Err(r) => r,
                Ok(name) => {
                    if self
                        .selected
                        .as_ref()
                        .is_some_and(|s| s.mailbox.name() == name)
                    {
                        Reply::no("Cannot delete the selected mailbox")
                    } else {
                        match self.settings.maildir.delete_folder(&name) {
                            Ok(()) => Reply::ok("DELETE completed"),
                            Err(e) => Reply::no(e.to_string()),
                        }
                    }
                }
            },
            CommandBody::Rename { from, to } => match (self.folder(&from), self.folder(&to)) {
                (Err(r), _) | (_, Err(r)) => r,
                (Ok(a), Ok(b)) => match self.settings.maildir.rename_folder(&a, &b) {
                    Ok(()) => Reply::ok("RENAME completed"),
                    Err(e) => Reply::no(e.to_string()),
                },
            },
            CommandBody::Subscribe { mailbox } => match self.folder(&mailbox) {
                Err(r) => r,
                Ok(name) => match self.settings.maildir.subscribe(&name) {
                    Ok(()) => Reply::ok("SUBSCRIBE completed"),
                    Err(e) => Reply::no(e.to_string()),
                },
            },
            CommandBody::Unsubscribe { mailbox } => match self.folder(&mailbox) {
                Err(r) => r,
                Ok(name) => match self.settings.maildir.unsubscribe(&name) {
                    Ok(_) => Reply::ok("UNSUBSCRIBE completed"),
                    Err(e) => Reply::no(e.to_string()),
                },
            },
            CommandBody::List { reference, pattern } => {
                self.list(reference.as_bytes(), pattern.as_bytes(), false, server)?
            }
            CommandBody::Lsub { reference, pattern } => {
                self.list(reference.as_bytes(), pattern.as_bytes(), true, server)?
            }
            CommandBody::Status { mailbox, items } => self.status(&mailbox, &items, server)?,
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            } => self.append(&mailbox, flags.as_deref(), date.as_ref(), message.data()),
            CommandBody::Close => {
                if let Some(mut sel) = self.selected.take() {
                    if !sel.read_only {
                        if let Err(e) = sel.mailbox.expunge() {
                            self.log(format_args!("CLOSE: expunge failed: {e}"));
                        }
                    }
                }
                Reply::ok("CLOSE completed")
            }
            CommandBody::Expunge => self.expunge(None, server)?,
            CommandBody::Search {
                uid,
                charset,
                criteria,
            } => self.search(uid, charset.as_ref(), criteria.as_slice(), server)?,
            CommandBody::Fetch {
                uid,
                sequence_set,
                items,
            } => {
                self.fetch(uid, &sequence_set, items, server, stream)
                    .await?
            }
            CommandBody::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags,
            } => self.store(uid, &sequence_set, action, silent, flags.as_slice(), server)?,
            CommandBody::Copy {
                uid,
                sequence_set,
                mailbox,
            } => self.copy_or_move(uid, &sequence_set, &mailbox, false, server)?,
            CommandBody::Move {
                uid,
                sequence_set,
                mailbox,
            } => self.copy_or_move(uid, &sequence_set, &mailbox, true, server)?,
            CommandBody::UidExpunge { sequence_set } => {
                self.expunge(Some(&sequence_set), server)?
            }
            CommandBody::Unselect | CommandBody::Namespace | CommandBody::Id { .. } => {
                self.other(body.name(), b"", server)?
            }
            CommandBody::Other { name, arguments } => {
                self.other(name.as_str(), &arguments, server)?
            }
            _ => Reply::Bad("Command not supported".into()),
        };
        if !quiet && !server.is_closed() {
            self.report_changes(server, true)?;
        }
        Ok(reply)
    }

    fn other(&mut self, name: &str, arguments: &[u8], server: &mut Server) -> IoResult<Reply> {
        let mut n = name.to_ascii_uppercase();
        let mut arguments = arguments;
        // imap-proto decodes `UID MOVE ...` / `UID EXPUNGE ...` (RFC 6851, RFC 4315) as the
        // extension command `UID` with raw arguments starting with the verb.
        if n == "UID" {
            let sp = arguments
                .iter()
                .position(|&b| b == b' ')
                .unwrap_or(arguments.len());
            let verb = String::from_utf8_lossy(arguments.get(..sp).unwrap_or_default())
                .to_ascii_uppercase();
            n = format!("UID{verb}");
            arguments = arguments.get(sp + 1..).unwrap_or_default();
        }
        Ok(match n.as_str() {
            "NAMESPACE" => {
                let rest = b"((\"\" \".\")) NIL NIL".to_vec();
                if let Some(name) = atom("NAMESPACE") {
                    let data = Data::Other {
                        name,
                        rest: rest.into(),
                    };
                    server.data(&data).map_err(proto)?;
                }
                Reply::ok("NAMESPACE completed")
            }
            "ID" => {
                let rest = format!(
                    "(\"name\" \"mail-examples\" \"version\" \"{}\")",
                    env!("CARGO_PKG_VERSION")
                );
                if let Some(name) = atom("ID") {
                    let data = Data::Other {
                        name,
                        rest: rest.into_bytes().into(),
                    };
                    server.data(&data).map_err(proto)?;
                }
                Reply::ok("ID completed")
            }
            "UNSELECT" => {
                self.selected = None;
                Reply::ok("UNSELECT completed")
            }
            "MOVE" | "UIDMOVE" => {
                if !matches!(server.state(), State::Selected { .. }) {
                    return Ok(Reply::Bad("No mailbox selected".into()));
                }
                match move_arguments(arguments) {
                    Ok((set, mailbox)) => {
                        self.copy_or_move(n == "UIDMOVE", &set, &mailbox, true, server)?
                    }
                    Err(e) => Reply::Bad(format!("Error in MOVE arguments: {e}")),
                }
            }
            "UIDEXPUNGE" => {
                if !matches!(server.state(), State::Selected { .. }) {
                    return Ok(Reply::Bad("No mailbox selected".into()));
                }
                match std::str::from_utf8(arguments)
                    .ok()
                    .and_then(|a| SequenceSet::new(a.to_owned()).ok())
                {
                    Some(set) => self.expunge(Some(&set), server)?,
                    None => Reply::Bad("UID EXPUNGE needs a UID set".into()),
                }
            }
            _ => Reply::Bad(format!("Unknown command {name}")),
        })
    }

    fn select(
        &mut self,
        mailbox: &imap_proto::Mailbox<'_>,
        read_only: bool,
        server: &mut Server,
    ) -> IoResult<Reply> {
        self.selected = None;
        let name = match self.folder(mailbox) {
            Ok(n) => n,
            Err(r) => return Ok(r),
        };
        let mbox = match self.settings.maildir.open_folder(&name) {
            Ok(m) => m,
            Err(e) => return Ok(Reply::no(e.to_string())),
        };
        let st = mbox.status();
        let mut flags = vec![
            imap_proto::Flag::Answered,
            imap_proto::Flag::Flagged,
            imap_proto::Flag::Deleted,
            imap_proto::Flag::Seen,
            imap_proto::Flag::Draft,
        ];
        flags.extend(atom("$Forwarded").map(imap_proto::Flag::Keyword));
        server.data(&Data::Flags(flags.clone())).map_err(proto)?;
        server.data(&Data::Exists(st.messages)).map_err(proto)?;
        server.data(&Data::Recent(st.recent)).map_err(proto)?;
        if let Some(u) = mbox.first_unseen().and_then(NonZeroU32::new) {
            server
                .untagged(StatusKind::Ok, Some(Code::Unseen(u)), "First unseen")
                .map_err(proto)?;
        }
        let perm = if read_only { Vec::new() } else { flags };
        server
            .untagged(
                StatusKind::Ok,
                Some(Code::PermanentFlags(perm)),
                "Flags permitted",
            )
            .map_err(proto)?;
        if let Some(v) = NonZeroU32::new(st.uidvalidity) {
            server
                .untagged(StatusKind::Ok, Some(Code::UidValidity(v)), "UIDs valid")
                .map_err(proto)?;
        }
        if let Some(n) = NonZeroU32::new(st.uidnext) {
            server
                .untagged(StatusKind::Ok, Some(Code::UidNext(n)), "Predicted next UID")
                .map_err(proto)?;
        }
        self.selected = Some(Selected {
            mailbox: mbox,
            read_only,
            sizes: HashMap::new(),
        });
        Ok(if read_only {
            Reply::Ok(Some(Code::ReadOnly), "EXAMINE completed".into())
        } else {
            Reply::Ok(Some(Code::ReadWrite), "SELECT completed".into())
        })
    }

    fn decode_pattern(&self, raw: &[u8]) -> Option<String> {
        if !raw.is_ascii() {
            return String::from_utf8(raw.to_vec()).ok();
        }
        if raw.contains(&b'&') && !self.utf8 {
            return imap_proto::utf7::decode(raw).ok();
        }
        String::from_utf8(raw.to_vec()).ok()
    }

    fn list(
        &mut self,
        reference: &[u8],
        pattern: &[u8],
        lsub: bool,
        server: &mut Server,
    ) -> IoResult<Reply> {
        let (Some(reference), Some(pattern)) =
            (self.decode_pattern(reference), self.decode_pattern(pattern))
        else {
            return Ok(Reply::Bad("Invalid mailbox name encoding".into()));
        };
        if pattern.is_empty() && !lsub {
            // RFC 3501 §6.3.8: the hierarchy delimiter and the root of the reference.
            let root = AString::new(Vec::new()).map(imap_proto::Mailbox::Other);
            if let Ok(mailbox) = root {
                server
                    .data(&Data::List {
                        attributes: vec![NameAttribute::NoSelect],
                        delimiter: Some(DELIMITER),
                        mailbox,
                        extended: None,
                    })
                    .map_err(proto)?;
            }
            return Ok(Reply::ok("LIST completed"));
        }
        let mut full = reference;
        full.push_str(&pattern);
        // INBOX is case-insensitive, also as the first level of a pattern.
        if full.len() >= 5
            && full
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("INBOX"))
        {
            full.replace_range(..5, "INBOX");
        }
        let folders = match self.settings.maildir.folders() {
            Ok(f) => f,
            Err(e) => return Ok(Reply::no(e.to_string())),
        };
        let existing: HashSet<&str> = folders.iter().map(String::as_str).collect();
        let mut names: Vec<(String, Vec<NameAttribute<'static>>)> = Vec::new();
        if lsub {
            let subs = self.settings.maildir.subscriptions().unwrap_or_default();
            for s in subs {
                let attrs = if existing.contains(s.as_str()) {
                    Vec::new()
                } else {
                    vec![NameAttribute::NoSelect]
                };
                names.push((s, attrs));
            }
        } else {
            let mut all: Vec<(String, bool)> = folders.iter().map(|f| (f.clone(), true)).collect();
            // Maildir++ allows `a.b` without `a`: list such parents as \Noselect.
            for f in &folders {
                let mut prefix = String::new();
                let parts: Vec<&str> = f.split('.').collect();
                for p in parts.iter().take(parts.len().saturating_sub(1)) {
                    if !prefix.is_empty() {
                        prefix.push('.');
                    }
                    prefix.push_str(p);
                    if !existing.contains(prefix.as_str()) && !all.iter().any(|(n, _)| *n == prefix)
                    {
                        all.push((prefix.clone(), false));
                    }
                }
            }
            for (name, selectable) in all {
                let child_prefix = format!("{name}.");
                let has_children = folders.iter().any(|f| f.starts_with(&child_prefix));
                let mut attrs = Vec::new();
                if !selectable {
                    attrs.push(NameAttribute::NoSelect);
                }
                attrs.extend(
                    atom(if has_children {
                        "HasChildren"
                    } else {
                        "HasNoChildren"
                    })
                    .map(NameAttribute::Extension),
                );
                names.push((name, attrs));
            }
        }
        for (name, attributes) in names {
            if !wildcard_match(full.as_bytes(), name.as_bytes()) {
                continue;
            }
            let Some(mailbox) = self.wire(&name) else {
                continue;
            };
            let data = if lsub {
                Data::Lsub {
                    attributes,
                    delimiter: Some(DELIMITER),
                    mailbox,
                }
            } else {
                Data::List {
                    attributes,
                    delimiter: Some(DELIMITER),
                    mailbox,
                    extended: None,
                }
            };
            server.data(&data).map_err(proto)?;
        }
        Ok(Reply::ok(if lsub {
            "LSUB completed"
        } else {
            "LIST completed"
        }))
    }

    fn status(
        &mut self,
        mailbox: &imap_proto::Mailbox<'_>,
        items: &Vec1<StatusAttribute>,
        server: &mut Server,
    ) -> IoResult<Reply> {
        let name = match self.folder(mailbox) {
            Ok(n) => n,
            Err(r) => return Ok(r),
        };
        let st = match self.selected.as_ref().filter(|s| s.mailbox.name() == name) {
            Some(sel) => sel.mailbox.status(),
            None => match self.settings.maildir.open_folder(&name) {
                Ok(m) => m.status(),
                Err(e) => return Ok(Reply::no(e.to_string())),
            },
        };
        let values = items
            .iter()
            .filter_map(|a| {
                Some(match a {
                    StatusAttribute::Messages => StatusItem::Messages(st.messages),
                    StatusAttribute::Recent => StatusItem::Recent(st.recent),
                    StatusAttribute::UidNext => StatusItem::UidNext(st.uidnext),
                    StatusAttribute::UidValidity => StatusItem::UidValidity(st.uidvalidity),
                    StatusAttribute::Unseen => StatusItem::Unseen(st.unseen),
                    _ => return None,
                })
            })
            .collect();
        let Some(wire) = self.wire(&name) else {
            return Ok(Reply::no("Mailbox name cannot be sent"));
        };
        server
            .data(&Data::Status {
                mailbox: wire,
                items: values,
            })
            .map_err(proto)?;
        Ok(Reply::ok("STATUS completed"))
    }

    fn append(
        &mut self,
        mailbox: &imap_proto::Mailbox<'_>,
        flags: Option<&[imap_proto::Flag<'_>]>,
        date: Option<&DateTime>,
        message: &[u8],
    ) -> Reply {
        let name = match self.folder(mailbox) {
            Ok(n) => n,
            Err(r) => return r,
        };
        if !self.settings.maildir.folder_exists(&name) {
            return Reply::No(Some(Code::TryCreate), "No such mailbox".into());
        }
        let flags: Flags = maildir_flags(flags.unwrap_or_default())
            .into_iter()
            .collect();
        match self
            .settings
            .maildir
            .append(&name, message, &flags, date.map(system_time))
        {
            Ok(a) => Reply::Ok(
                code("APPENDUID", Some(format!("{} {}", a.uidvalidity, a.uid))),
                "APPEND completed".into(),
            ),
            Err(e) => Reply::no(e.to_string()),
        }
    }

    /// The `(seq, uid)` pairs a sequence set names; `Err` for a sequence number that
    /// does not exist (RFC 3501 §6.4.8: UIDs that do not exist are ignored).
    fn resolve(&self, uid: bool, set: &SequenceSet<'_>) -> Result<Vec<(u32, u32)>, Reply> {
        let Some(sel) = self.selected.as_ref() else {
            return Err(Reply::Bad("No mailbox selected".into()));
        };
        let msgs = sel.mailbox.messages();
        let count = u32::try_from(msgs.len()).unwrap_or(u32::MAX);
        if uid {
            let max = msgs.last().map_or(0, maildir::Message::uid);
            return Ok(msgs
                .iter()
                .enumerate()
                .filter(|(_, m)| set.contains(m.uid(), max))
                .filter_map(|(i, m)| Some((u32::try_from(i + 1).ok()?, m.uid())))
                .collect());
        }
        for item in set.iter() {
            let nums = match item {
                imap_proto::SeqItem::Single(a) => vec![a],
                imap_proto::SeqItem::Range(a, b) => vec![a, b],
            };
            for n in nums {
                if let imap_proto::SeqNumber::Value(v) = n {
                    if v.get() > count {
                        return Err(Reply::Bad("Invalid message sequence number".into()));
                    }
                }
            }
        }
        Ok(msgs
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let seq = u32::try_from(i + 1).ok()?;
                set.contains(seq, count).then_some((seq, m.uid()))
            })
            .collect())
    }

    fn search(
        &mut self,
        uid: bool,
        charset: Option<&AString<'_>>,
        criteria: &[imap_proto::SearchKey<'_>],
        server: &mut Server,
    ) -> IoResult<Reply> {
        if let Some(cs) = charset {
            let c = cs.as_bytes();
            if !c.eq_ignore_ascii_case(b"US-ASCII") && !c.eq_ignore_ascii_case(b"UTF-8") {
                return Ok(Reply::No(
                    Some(Code::BadCharset(
                        ["US-ASCII", "UTF-8"]
                            .iter()
                            .filter_map(|s| AString::new(s.as_bytes().to_vec()).ok())
                            .collect(),
                    )),
                    "Unsupported charset".into(),
                ));
            }
        }
        let Some(sel) = self.selected.as_ref() else {
            return Ok(Reply::Bad("No mailbox selected".into()));
        };
        let found = search::search(&sel.mailbox, criteria);
        let numbers = found
            .into_iter()
            .filter_map(|(seq, u)| NonZeroU32::new(if uid { u } else { seq }))
            .collect();
        server.data(&Data::Search(numbers)).map_err(proto)?;
        Ok(Reply::ok("SEARCH completed"))
    }

    // `.into()` on ENVELOPE and BODYSTRUCTURE values: imap-proto is boxing these
    // variants while this is written; the conversion works with or without the box.
    #[allow(clippy::useless_conversion)]
    async fn fetch(
        &mut self,
        uid: bool,
        set: &SequenceSet<'_>,
        items: FetchItems<'static>,
        server: &mut Server,
        stream: &mut Stream,
    ) -> IoResult<Reply> {
        let mut attrs: Vec<FetchAttribute<'static>> = match items {
            FetchItems::Macro(m) => m.expand(),
            FetchItems::Single(a) => vec![a],
            FetchItems::List(v) => v.into_inner(),
        };
        if attrs.iter().any(|a| matches!(a, FetchAttribute::Other(_))) {
            return Ok(Reply::Bad("Unsupported FETCH item".into()));
        }
        if uid && !attrs.contains(&FetchAttribute::Uid) {
            attrs.insert(0, FetchAttribute::Uid);
        }
        let targets = match self.resolve(uid, set) {
            Ok(t) => t,
            Err(r) => return Ok(r),
        };
        let Some(read_only) = self.selected.as_ref().map(|s| s.read_only) else {
            return Ok(Reply::Bad("No mailbox selected".into()));
        };
        let sets_seen = !read_only
            && attrs.iter().any(|a| {
                matches!(
                    a,
                    FetchAttribute::Rfc822
                        | FetchAttribute::Rfc822Text
                        | FetchAttribute::BodySection { peek: false, .. }
                )
            });
        let needs_raw = attrs.iter().any(|a| {
            !matches!(
                a,
                FetchAttribute::Flags
                    | FetchAttribute::Uid
                    | FetchAttribute::InternalDate
                    | FetchAttribute::Rfc822Size
            )
        });
        let needs_parse = attrs.iter().any(|a| match a {
            FetchAttribute::Envelope | FetchAttribute::Body | FetchAttribute::BodyStructure => true,
            FetchAttribute::BodySection { section, .. } => !matches!(section, Section::Full),
            _ => false,
        });
        let (log, peer) = (self.settings.log, self.peer);
        for (seq, u) in targets {
            let Some(sel) = self.selected.as_mut() else {
                break;
            };
            let Some(seqnz) = NonZeroU32::new(seq) else {
                continue;
            };
            let needs_size =
                attrs.contains(&FetchAttribute::Rfc822Size) && !sel.sizes.contains_key(&u);
            let raw: Option<Vec<u8>> = if needs_raw || needs_size {
                match sel.mailbox.read(u) {
                    Ok(b) => Some(to_crlf(&b).into_owned()),
                    Err(e) => {
                        // Gone meanwhile (another session expunged it): skip it, as the
                        // EXPUNGE will be reported later.
                        if log {
                            eprintln!("imap {peer}: FETCH: cannot read UID {u}: {e}");
                        }
                        continue;
                    }
                }
            } else {
                None
            };
            if let Some(r) = &raw {
                let size = u64::try_from(r.len()).unwrap_or(u64::MAX);
                sel.sizes.insert(
                    u,
                    Number64::new(size.min(Number64::MAX)).unwrap_or_default(),
                );
            }
            let mut flags_changed = false;
            if sets_seen && sel.mailbox.by_uid(u).is_some_and(|m| !m.has(Flag::Seen)) {
                match sel.mailbox.add_flags(u, &[Flag::Seen]) {
                    Ok(_) => flags_changed = true,
                    Err(e) => {
                        if log {
                            eprintln!("imap {peer}: FETCH: cannot set \\Seen on UID {u}: {e}");
                        }
                    }
                }
            }
            let Some(msg) = sel.mailbox.by_uid(u).cloned() else {
                continue;
            };
            let raw_bytes: &[u8] = raw.as_deref().unwrap_or_default();
            let parsed = if needs_parse {
                mime::parse(raw_bytes)
            } else {
                None
            };
            let mut out: Vec<MessageDataItem<'static>> = Vec::new();
            for a in &attrs {
                let item = match a {
                    FetchAttribute::Flags => {
                        MessageDataItem::Flags(imap_flags(msg.flags(), msg.is_recent()))
                    }
                    FetchAttribute::Uid => match NonZeroU32::new(u) {
                        Some(n) => MessageDataItem::Uid(n),
                        None => continue,
                    },
                    FetchAttribute::InternalDate => match imap_datetime(msg.internal_date()) {
                        Some(d) => MessageDataItem::InternalDate(d),
                        None => continue,
                    },
                    FetchAttribute::Rfc822Size => {
                        MessageDataItem::Rfc822Size(sel.sizes.get(&u).copied().unwrap_or_default())
                    }
                    FetchAttribute::Envelope => MessageDataItem::Envelope(
                        parsed
                            .as_ref()
                            .map(mime::envelope)
                            .unwrap_or_default()
                            .into(),
                    ),
                    FetchAttribute::Body | FetchAttribute::BodyStructure => {
                        let ext = matches!(a, FetchAttribute::BodyStructure);
                        let bs = match parsed.as_ref() {
                            Some(p) => mime::body_structure(p, ext),
                            None => match mime::parse(b"Content-Type: text/plain\r\n\r\n") {
                                Some(p) => mime::body_structure(&p, ext),
                                None => continue,
                            },
                        };
                        if ext {
                            MessageDataItem::BodyStructure(bs.into())
                        } else {
                            MessageDataItem::Body(bs.into())
                        }
                    }
                    FetchAttribute::Rfc822 => {
                        MessageDataItem::Rfc822(body_literal(raw_bytes.to_vec()))
                    }
                    FetchAttribute::Rfc822Header => {
                        let end = mime::header_end(raw_bytes);
                        MessageDataItem::Rfc822Header(body_literal(
                            raw_bytes.get(..end).unwrap_or_default().to_vec(),
                        ))
                    }
                    FetchAttribute::Rfc822Text => {
                        let end = mime::header_end(raw_bytes);
                        MessageDataItem::Rfc822Text(body_literal(
                            raw_bytes.get(end..).unwrap_or_default().to_vec(),
                        ))
                    }
                    FetchAttribute::BodySection {
                        section, partial, ..
                    } => {
                        let data =
                            mime::section(raw_bytes, parsed.as_ref(), section).unwrap_or_default();
                        let data = match partial {
                            Some(p) => mime::partial(data, p.offset.get(), p.length.get()),
                            None => data,
                        };
                        MessageDataItem::BodySection {
                            section: section.clone(),
                            // The response's origin stays `number` in RFC 9051 §9, so an
                            // offset past u32::MAX cannot be echoed: it reads u32::MAX.
                            origin: partial
                                .map(|p| u32::try_from(p.offset.get()).unwrap_or(u32::MAX)),
                            data: body_literal(data),
                        }
                    }
                    _ => continue,
                };
                out.push(item);
            }
            if flags_changed && !attrs.contains(&FetchAttribute::Flags) {
                out.push(MessageDataItem::Flags(imap_flags(
                    msg.flags(),
                    msg.is_recent(),
                )));
            }
            let Ok(items) = Vec1::try_from(out) else {
                continue;
            };
            server
                .data(&Data::Fetch { seq: seqnz, items })
                .map_err(proto)?;
            if server.transmit().len() > 1024 * 1024 {
                flush(stream, server).await?;
            }
        }
        Ok(Reply::ok("FETCH completed"))
    }

    fn store(
        &mut self,
        uid: bool,
        set: &SequenceSet<'_>,
        action: StoreAction,
        silent: bool,
        flags: &[imap_proto::Flag<'_>],
        server: &mut Server,
    ) -> IoResult<Reply> {
        let targets = match self.resolve(uid, set) {
            Ok(t) => t,
            Err(r) => return Ok(r),
        };
        let Some(sel) = self.selected.as_mut() else {
            return Ok(Reply::Bad("No mailbox selected".into()));
        };
        if sel.read_only {
            return Ok(Reply::no("Mailbox is read-only"));
        }
        let wanted = maildir_flags(flags);
        for (seq, u) in targets {
            let result = match action {
                StoreAction::Replace => sel.mailbox.set_flags(u, &wanted),
                StoreAction::Add => sel.mailbox.add_flags(u, &wanted),
                StoreAction::Remove => sel.mailbox.remove_flags(u, &wanted),
            };
            let new = match result {
                Ok(f) => f,
                Err(e) => {
                    if self.settings.log {
                        eprintln!("imap {}: STORE on UID {u}: {e}", self.peer);
                    }
                    continue;
                }
            };
            if silent {
                continue;
            }
            let recent = sel
                .mailbox
                .by_uid(u)
                .is_some_and(maildir::Message::is_recent);
            let mut items = vec![MessageDataItem::Flags(imap_flags(&new, recent))];
            if uid {
                if let Some(n) = NonZeroU32::new(u) {
                    items.push(MessageDataItem::Uid(n));
                }
            }
            if let (Some(seq), Ok(items)) = (NonZeroU32::new(seq), Vec1::try_from(items)) {
                server.data(&Data::Fetch { seq, items }).map_err(proto)?;
            }
        }
        Ok(Reply::ok("STORE completed"))
    }

    fn copy_or_move(
        &mut self,
        uid: bool,
        set: &SequenceSet<'_>,
        target: &imap_proto::Mailbox<'_>,
        remove: bool,
        server: &mut Server,
    ) -> IoResult<Reply> {
        let targets = match self.resolve(uid, set) {
            Ok(t) => t,
            Err(r) => return Ok(r),
        };
        let name = match self.folder(target) {
            Ok(n) => n,
            Err(r) => return Ok(r),
        };
        if !self.settings.maildir.folder_exists(&name) {
            return Ok(Reply::No(Some(Code::TryCreate), "No such mailbox".into()));
        }
        let Some(sel) = self.selected.as_mut() else {
            return Ok(Reply::Bad("No mailbox selected".into()));
        };
        if remove && sel.read_only {
            return Ok(Reply::no("Mailbox is read-only"));
        }
        if targets.is_empty() {
            return Ok(Reply::ok(if remove {
                "MOVE completed"
            } else {
                "COPY completed"
            }));
        }
        let uids: Vec<u32> = targets.iter().map(|(_, u)| *u).collect();
        let result = if remove {
            sel.mailbox.move_to(&uids, &name)
        } else {
            sel.mailbox.copy_to(&uids, &name).map(|c| (c, Vec::new()))
        };
        let (copied, expunged) = match result {
            Ok(r) => r,
            Err(e) => return Ok(Reply::no(e.to_string())),
        };
        let code_text = format!(
            "{} {} {}",
            copied.uidvalidity,
            uid_set(copied.uids.iter().map(|(a, _)| *a)),
            uid_set(copied.uids.iter().map(|(_, b)| *b))
        );
        if !remove {
            return Ok(Reply::Ok(
                code("COPYUID", Some(code_text)),
                "COPY completed".into(),
            ));
        }
        // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
        server
            .untagged(StatusKind::Ok, code("COPYUID", Some(code_text)), "Moved")
            .map_err(proto)?;
        for e in expunged {
            sel.sizes.remove(&e.uid);
            if let Some(seq) = NonZeroU32::new(e.seq) {
                server.data(&Data::Expunge(seq)).map_err(proto)?;
            }
        }
        Ok(Reply::ok("MOVE completed"))
    }

    fn expunge(&mut self, uids: Option<&SequenceSet<'_>>, server: &mut Server) -> IoResult<Reply> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(Reply::Bad("No mailbox selected".into()));
        };
        if sel.read_only {
            return Ok(Reply::no("Mailbox is read-only"));
        }
        let result = match uids {
            None => sel.mailbox.expunge(),
            Some(set) => {
                let max = sel
                    .mailbox
                    .messages()
                    .last()
                    .map_or(0, maildir::Message::uid);
                let list: Vec<u32> = sel
                    .mailbox
                    .messages()
                    .iter()
                    .map(maildir::Message::uid)
                    .filter(|u| set.contains(*u, max))
                    .collect();
                sel.mailbox.expunge_uids(&list)
            }
        };
        match result {
            Ok(gone) => {
                for e in gone {
                    sel.sizes.remove(&e.uid);
                    if let Some(seq) = NonZeroU32::new(e.seq) {
                        server.data(&Data::Expunge(seq)).map_err(proto)?;
                    }
                }
                Ok(Reply::ok("EXPUNGE completed"))
            }
            Err(e) => Ok(Reply::no(e.to_string())),
        }
    }
}

/// A server running on its own thread and tokio runtime, on a free loopback port: for
/// tests and for the demo. Dropping it stops the accept loop.
#[derive(Debug)]
pub struct Background(crate::net::server::Background);

impl Background {
    /// Binds `127.0.0.1:0` and serves with `settings`; `implicit_tls` runs the TLS
    /// handshake first on every connection (IMAPS, RFC 8314).
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
        crate::net::server::Background::spawn("imap-server", move |listener, shutdown| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_extension_commands_in_both_forms() {
        // What a client machine sends for UID MOVE, decoded by the crate as `UID` + raw
        // arguments, is dispatched by the session.
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Maildir::open(dir.path()).expect("maildir");
        store
            .deliver("INBOX", b"Subject: a\r\n\r\nx\r\n")
            .expect("deliver");
        store.create_folder("T").expect("create");
        let mut settings = Settings::new(store.clone(), Vec::new());
        settings.log = false;
        let mut s = Session {
            settings: Arc::new(settings),
            peer: SocketAddr::from(([127, 0, 0, 1], 1)),
            user: Some("a".into()),
            selected: None,
            utf8: false,
            idling: false,
        };
        let mut config = s.settings.server_config();
        config.preauth = true;
        let mut server = Server::new(config, true, "u").expect("server");
        server.receive(b"s SELECT INBOX\r\nm UID MOVE 1 T\r\n");
        let Ok(Some(Event::Command(_))) = server.next_event() else {
            panic!("SELECT expected")
        };
        let r = s
            .select(&imap_proto::Mailbox::Inbox, false, &mut server)
            .expect("select");
        assert!(matches!(r, Reply::Ok(..)));
        server.ok(None, "ok").expect("ok");
        let Ok(Some(Event::Command(c))) = server.next_event() else {
            panic!("UID MOVE expected")
        };
        let CommandBody::Move {
            uid,
            sequence_set,
            mailbox,
        } = c.body.into_owned()
        else {
            panic!("UID MOVE expected")
        };
        let r = s
            .copy_or_move(uid, &sequence_set, &mailbox, true, &mut server)
            .expect("move");
        assert!(
            matches!(r, Reply::Ok(..)),
            "{:?}",
            matches!(r, Reply::Bad(_))
        );
        assert_eq!(store.open_folder("T").expect("T").len(), 1);
        let r = s.other("UIDEXPUNGE", b"1:*", &mut server).expect("expunge");
        assert!(matches!(r, Reply::Ok(..)));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match(b"*", b"a.b"));
        assert!(wildcard_match(b"%", b"INBOX"));
        assert!(!wildcard_match(b"%", b"a.b"));
        assert!(wildcard_match(b"a.%", b"a.b"));
        assert!(wildcard_match(b"a*", b"a.b.c"));
        assert!(!wildcard_match(b"b*", b"a.b"));
        assert!(wildcard_match(b"%.%", b"a.b"));
        assert!(!wildcard_match(b"%.%", b"a.b.c"));
        assert!(wildcard_match(b"%.*", b"a.b.c"));
        assert!(wildcard_match(b"a%", b"abc"));
        assert!(!wildcard_match(b"a%", b"ab.c"));
        assert!(wildcard_match(b"", b""));
        assert!(!wildcard_match(b"", b"a"));
        assert!(wildcard_match(b"%", b""));
        // Many wildcards stay fast.
        let pattern = "*%".repeat(2000) + "x";
        assert!(!wildcard_match(pattern.as_bytes(), &[b'a'; 200]));
    }

    #[test]
    fn uid_sets() {
        assert_eq!(uid_set([1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set([4]), "4");
    }

    #[test]
    fn dates_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let dt = imap_datetime(t).expect("in range");
        assert_eq!(system_time(&dt), t);
        assert_eq!(dt.date().year(), 2023);
    }
}
