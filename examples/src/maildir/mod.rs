//! A Maildir message store, as other mail software lays it out on disk.
//!
//! * INBOX is the root directory itself, with `cur/`, `new/` and `tmp/`.
//! * Other folders are Maildir++ subdirectories named `.` + the folder name, with `.` as the
//!   hierarchy separator: folder `Archive.2024` lives in `DIR/.Archive.2024/`, and carries an
//!   empty `maildirfolder` file as Maildir++ asks.
//! * A message is one file. Its name is a unique base name, `time.MusecPpidQseq.host,S=size`
//!   (the format of cr.yp.to/proto/maildir.html with the Maildir++ size attribute), then in
//!   `cur/` an info `:2,` followed by its flags in ASCII order (see [`Flag`]).
//! * Delivery writes the file in `tmp/` and renames it into `new/`; anything else may drop
//!   files into `new/` the same way. Opening a folder ([`Maildir::open_folder`]) moves them
//!   to `cur/` and marks them recent.
//! * IMAP UIDs, UIDVALIDITY and UIDNEXT are kept per folder in `mail-examples-uids` (see
//!   [`uidlist`]); the subscription list is the `subscriptions` file in the root, one folder
//!   name a line (the name and format Dovecot uses).
//!
//! # Concurrency
//!
//! Everything is blocking `std::fs`. A [`Maildir`] is a cheap, cloneable handle; all clones
//! share one mutex that every operation touching the UID files or renaming message files
//! takes, so any number of threads and tasks of **one process** may use the store at once
//! (from async code, call it through `tokio::task::spawn_blocking` or accept a short block).
//! Delivery into `new/` is lock-free and safe against other processes, as in any Maildir;
//! but two processes of this crate updating the same folder's UID file at once are not
//! coordinated (there is no file lock), so run one server process per Maildir.
//!
//! A [`Mailbox`] is a snapshot of a folder. Several snapshots of one folder may be open at
//! once (two IMAP sessions); [`Mailbox::refresh`] brings one up to date with what the
//! others, or other software, did and reports the differences.
//!
//! ```
//! use mail_examples::maildir::{Flag, Maildir};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Maildir::open(dir.path())?;
//! let id = store.deliver("INBOX", b"Subject: hi\r\n\r\nhello\r\n")?;
//!
//! let mut inbox = store.open_folder("INBOX")?;
//! let msg = &inbox.messages()[0];
//! assert_eq!((msg.uid(), msg.id(), msg.is_recent()), (1, id.as_str(), true));
//! inbox.add_flags(1, &[Flag::Seen])?;
//! assert_eq!(inbox.read(1)?, b"Subject: hi\r\n\r\nhello\r\n");
//!
//! // The POP3 view of INBOX: numbered messages with their sizes and UIDLs.
//! let pop = store.pop3()?;
//! assert_eq!(pop.stat(), (1, 22));
//! assert_eq!(pop.get(1).map(|m| m.uidl()), Some(id.as_str()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod flags;
mod mailbox;
mod pop3;
pub mod uidlist;

use std::borrow::Cow;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

pub use flags::{Flag, Flags};
pub use mailbox::{Appended, Changes, CopyUids, Expunged, Mailbox, Message, Status, TMP_MAX_AGE};
pub use pop3::{Pop3Message, Pop3View};

use crate::error::{Error, Result};
use uidlist::{UidList, write_atomically};

/// The name of the subscription list in the Maildir root.
pub const SUBSCRIPTIONS_FILE: &str = "subscriptions";
/// The marker file Maildir++ puts in every folder other than INBOX.
pub const FOLDER_MARKER: &str = "maildirfolder";
/// The longest folder name accepted, in bytes (file systems allow 255 per component).
pub const MAX_FOLDER_NAME: usize = 200;
/// The hierarchy separator of folder names (Maildir++).
pub const SEPARATOR: char = '.';

/// A handle on a Maildir. Cloning it is cheap; clones share the lock (see the module docs).
#[derive(Debug, Clone)]
pub struct Maildir {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    host: String,
    seq: AtomicU64,
    lock: Mutex<()>,
    changes: watch::Sender<u64>,
}

impl Maildir {
    /// Opens the Maildir at `root`, creating it (and INBOX's `cur/`, `new/`, `tmp/`) if
    /// needed.
    pub fn open(root: impl Into<PathBuf>) -> Result<Maildir> {
        let root = root.into();
        make_maildir_dirs(&root)?;
        Ok(Maildir {
            inner: Arc::new(Inner {
                root,
                host: host_name(),
                seq: AtomicU64::new(0),
                lock: Mutex::new(()),
                changes: watch::Sender::new(0),
            }),
        })
    }

    /// The Maildir's root directory (INBOX).
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// A counter that goes up whenever a message or folder is changed through any handle
    /// on this store, or a scan finds messages that other software delivered. An IMAP IDLE
    /// session waits on it (`changed().await`) and then [refreshes](Mailbox::refresh) its
    /// snapshot; deliveries by other processes are seen only when some snapshot is
    /// refreshed, so IDLE should also refresh on a timer.
    #[must_use]
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    pub(crate) fn notify(&self) {
        self.inner.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ()> {
        // The mutex guards no data (the state is on disk): a panic elsewhere leaves nothing
        // half-updated in memory, so a poisoned lock is still usable.
        self.inner
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The directory of a folder (which may not exist).
    pub fn folder_path(&self, name: &str) -> Result<PathBuf> {
        let name = canonical_folder_name(name)?;
        Ok(self.dir_of(&name))
    }

    fn dir_of(&self, canonical: &str) -> PathBuf {
        if canonical == "INBOX" {
            self.inner.root.clone()
        } else {
            self.inner.root.join(format!(".{canonical}"))
        }
    }

    /// The directory of an existing folder, with its canonical name.
    pub(crate) fn existing_folder(&self, name: &str) -> Result<(String, PathBuf)> {
        let name = canonical_folder_name(name)?;
        let dir = self.dir_of(&name);
        if dir.join("cur").is_dir() {
            Ok((name.into_owned(), dir))
        } else {
            Err(Error::NoSuchFolder(name.into_owned()))
        }
    }

    /// Whether the folder exists.
    #[must_use]
    pub fn folder_exists(&self, name: &str) -> bool {
        self.existing_folder(name).is_ok()
    }

    /// A new unique base name for a message of `size` bytes:
    /// `secs.MusecPpidQseq.host,S=size`.
    pub(crate) fn unique_name(&self, size: u64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let seq = self.inner.seq.fetch_add(1, Ordering::Relaxed);
        format!(
            "{}.M{:06}P{}Q{}.{},S={size}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            seq,
            self.inner.host
        )
    }

    /// Writes `message` into `dir/tmp/` under a new unique name and returns the name and the
    /// temporary path. The file is synced before it is renamed anywhere (the Maildir
    /// delivery protocol).
    fn write_tmp(
        &self,
        dir: &Path,
        message: &[u8],
        mtime: Option<SystemTime>,
    ) -> Result<(String, PathBuf)> {
        let len = u64::try_from(message.len()).unwrap_or(u64::MAX);
        loop {
            let base = self.unique_name(len);
            let tmp = dir.join("tmp").join(&base);
            let mut file = match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io("create", tmp, e)),
            };
            let written = file.write_all(message).and_then(|()| {
                if let Some(t) = mtime {
                    file.set_modified(t)?;
                }
                file.sync_all()
            });
            if let Err(e) = written {
                let _ = fs::remove_file(&tmp);
                return Err(Error::io("write", tmp, e));
            }
            return Ok((base, tmp));
        }
    }

    /// Delivers a message to a folder the way an MDA does: write to `tmp/`, rename into
    /// `new/`. Returns the message's unique base name (its POP3 UIDL). The message gets its
    /// UID when the folder is next opened or refreshed.
    pub fn deliver(&self, folder: &str, message: &[u8]) -> Result<String> {
        let (_, dir) = self.existing_folder(folder)?;
        let (base, tmp) = self.write_tmp(&dir, message, None)?;
        let new = dir.join("new").join(&base);
        if let Err(e) = fs::rename(&tmp, &new) {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io("rename", new, e));
        }
        self.notify();
        Ok(base)
    }

    /// Adds a message the way IMAP APPEND does (RFC 3501 §6.3.11): straight into `cur/`
    /// with `flags` and the internal date `date` (the file's mtime; now if `None`), and with
    /// a UID assigned at once, so that the server can answer `APPENDUID` (RFC 4315 §3).
    pub fn append(
        &self,
        folder: &str,
        message: &[u8],
        flags: &Flags,
        date: Option<SystemTime>,
    ) -> Result<Appended> {
        let (name, dir) = self.existing_folder(folder)?;
        let (base, tmp) = self.write_tmp(&dir, message, date)?;
        let dest = dir.join("cur").join(flags::file_name(&base, flags));
        let _guard = self.lock();
        if let Err(e) = fs::rename(&tmp, &dest) {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io("rename", dest, e));
        }
        let mut list = UidList::load_or_create(self.root(), &dir)?;
        let Some(uid) = list.assign(&base) else {
            return Err(Error::UidsExhausted(name));
        };
        list.save(&dir)?;
        self.notify();
        Ok(Appended {
            uidvalidity: list.uidvalidity,
            uid,
            id: base,
        })
    }

    /// Every folder: `INBOX` first, then the others sorted by name.
    pub fn folders(&self) -> Result<Vec<String>> {
        let root = self.root();
        let entries = fs::read_dir(root).map_err(|e| Error::io("read directory", root, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read directory", root, e))?;
            let Ok(file_name) = entry.file_name().into_string() else {
                continue;
            };
            let Some(name) = file_name.strip_prefix('.') else {
                continue;
            };
            if name.is_empty() || name == "." || validate_folder_name(name).is_err() {
                continue;
            }
            if entry.path().join("cur").is_dir() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        names.insert(0, "INBOX".to_owned());
        Ok(names)
    }

    /// Creates a folder (RFC 3501 §6.3.3). Parents need not exist: Maildir++ folders are
    /// flat directories and the hierarchy is only in the names.
    pub fn create_folder(&self, name: &str) -> Result<()> {
        let name = canonical_folder_name(name)?;
        if name == "INBOX" {
            return Err(Error::FolderExists(name.into_owned()));
        }
        let _guard = self.lock();
        let dir = self.dir_of(&name);
        if dir.exists() {
            return Err(Error::FolderExists(name.into_owned()));
        }
        make_maildir_dirs(&dir)?;
        let marker = dir.join(FOLDER_MARKER);
        fs::File::create(&marker).map_err(|e| Error::io("create", marker, e))?;
        self.notify();
        Ok(())
    }

    /// Deletes a folder and the messages in it (RFC 3501 §6.3.4). Folders below it in the
    /// hierarchy are separate directories in Maildir++ and stay.
    pub fn delete_folder(&self, name: &str) -> Result<()> {
        let (name, dir) = self.existing_folder(name)?;
        if name == "INBOX" {
            return Err(Error::Inbox);
        }
        let _guard = self.lock();
        fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", dir, e))?;
        self.notify();
        Ok(())
    }

    /// Renames a folder and every folder below it (RFC 3501 §6.3.5): `A` to `B` also moves
    /// `A.x` to `B.x`. Renaming INBOX moves all its messages to the new folder (which gets
    /// new UIDs for them) and leaves INBOX empty, as RFC 3501 specifies.
    pub fn rename_folder(&self, from: &str, to: &str) -> Result<()> {
        let (from, from_dir) = self.existing_folder(from)?;
        let to = canonical_folder_name(to)?.into_owned();
        if to == "INBOX" || self.dir_of(&to).exists() {
            return Err(Error::FolderExists(to));
        }
        if from == "INBOX" {
            self.create_folder(&to)?;
            let mut inbox = self.open_folder("INBOX")?;
            let uids: Vec<u32> = inbox.messages().iter().map(Message::uid).collect();
            inbox.move_to(&uids, &to)?;
            return Ok(());
        }
        if to.starts_with(&format!("{from}{SEPARATOR}")) {
            return Err(Error::InvalidFolderName {
                name: to,
                reason: "a folder cannot be moved below itself",
            });
        }
        let prefix = format!("{from}{SEPARATOR}");
        let moves: Vec<(String, String)> = self
            .folders()?
            .into_iter()
            .filter_map(|f| {
                let rest = f.strip_prefix(&prefix)?;
                Some((f.clone(), format!("{to}{SEPARATOR}{rest}")))
            })
            .collect();
        for (_, new) in &moves {
            if self.dir_of(new).exists() {
                return Err(Error::FolderExists(new.clone()));
            }
        }
        let _guard = self.lock();
        let to_dir = self.dir_of(&to);
        fs::rename(&from_dir, &to_dir).map_err(|e| Error::io("rename", from_dir, e))?;
        for (old, new) in moves {
            let (old, new) = (self.dir_of(&old), self.dir_of(&new));
            fs::rename(&old, &new).map_err(|e| Error::io("rename", old, e))?;
        }
        self.notify();
        Ok(())
    }

    /// The subscribed folder names (RFC 3501 §6.3.6), in the order they were subscribed.
    pub fn subscriptions(&self) -> Result<Vec<String>> {
        let _guard = self.lock();
        self.read_subscriptions()
    }

    fn read_subscriptions(&self) -> Result<Vec<String>> {
        let path = self.root().join(SUBSCRIPTIONS_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(text
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io("read", path, e)),
        }
    }

    fn write_subscriptions(&self, names: &[String]) -> Result<()> {
        let mut text = String::new();
        for n in names {
            text.push_str(n);
            text.push('\n');
        }
        write_atomically(self.root(), SUBSCRIPTIONS_FILE, text.as_bytes())
    }

    /// Subscribes to a folder name (which need not exist, RFC 3501 §6.3.6).
    pub fn subscribe(&self, name: &str) -> Result<()> {
        let name = canonical_folder_name(name)?.into_owned();
        let _guard = self.lock();
        let mut names = self.read_subscriptions()?;
        if !names.contains(&name) {
            names.push(name);
            self.write_subscriptions(&names)?;
        }
        Ok(())
    }

    /// Removes a folder name from the subscriptions (RFC 3501 §6.3.7). Returns whether it
    /// was subscribed.
    pub fn unsubscribe(&self, name: &str) -> Result<bool> {
        let name = canonical_folder_name(name)?;
        let _guard = self.lock();
        let mut names = self.read_subscriptions()?;
        let before = names.len();
        names.retain(|n| *n != name);
        if names.len() == before {
            return Ok(false);
        }
        self.write_subscriptions(&names)?;
        Ok(true)
    }

    /// Opens a snapshot of a folder: moves what arrived in `new/` to `cur/` (those messages
    /// are [recent](Message::is_recent) in this snapshot), assigns UIDs to messages that have
    /// none, and lists them in UID order.
    pub fn open_folder(&self, name: &str) -> Result<Mailbox> {
        let (name, dir) = self.existing_folder(name)?;
        let _guard = self.lock();
        Mailbox::load(self.clone(), name, dir)
    }

    /// The POP3 view of INBOX (RFC 1939): see [`Pop3View`].
    pub fn pop3(&self) -> Result<Pop3View> {
        Pop3View::new(self.open_folder("INBOX")?)
    }
}

fn make_maildir_dirs(dir: &Path) -> Result<()> {
    for sub in ["cur", "new", "tmp"] {
        let path = dir.join(sub);
        fs::create_dir_all(&path).map_err(|e| Error::io("create directory", path, e))?;
    }
    Ok(())
}

/// Checks that `name` can be a Maildir++ folder: not empty, at most [`MAX_FOLDER_NAME`]
/// bytes, no `/`, no control characters, and no empty hierarchy level (no leading,
/// trailing or doubled `.`).
pub fn validate_folder_name(name: &str) -> Result<()> {
    let refuse = |reason| {
        Err(Error::InvalidFolderName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return refuse("empty");
    }
    if name.len() > MAX_FOLDER_NAME {
        return refuse("too long");
    }
    if name.contains('/') {
        return refuse("contains '/'");
    }
    if name.chars().any(char::is_control) {
        return refuse("contains a control character");
    }
    if name.split(SEPARATOR).any(str::is_empty) {
        return refuse("empty hierarchy level");
    }
    Ok(())
}

/// Validates `name` and spells INBOX, which IMAP compares without regard to case (RFC 3501
/// §5.1), as `INBOX` — also as the first level of a longer name.
pub fn canonical_folder_name(name: &str) -> Result<Cow<'_, str>> {
    validate_folder_name(name)?;
    let (first, rest) = match name.split_once(SEPARATOR) {
        Some((first, rest)) => (first, Some(rest)),
        None => (name, None),
    };
    if first.eq_ignore_ascii_case("INBOX") && first != "INBOX" {
        Ok(Cow::Owned(match rest {
            Some(rest) => format!("INBOX{SEPARATOR}{rest}"),
            None => "INBOX".to_owned(),
        }))
    } else {
        Ok(Cow::Borrowed(name))
    }
}

/// The host part of unique names: the kernel's host name, with `/` and `:` written as
/// `\057` and `\072` (as the Maildir specification asks), other unusual characters as `_`,
/// at most 32 characters so that the name stays a valid POP3 UIDL (at most 70 characters,
/// RFC 1939 §7).
fn host_name() -> String {
    let raw = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let raw = raw.trim();
    let raw = if raw.is_empty() { "localhost" } else { raw };
    let mut out = String::new();
    for c in raw.chars() {
        match c {
            '/' => out.push_str("\\057"),
            ':' => out.push_str("\\072"),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' => out.push(c),
            _ => out.push('_'),
        }
        if out.len() >= 32 {
            break;
        }
    }
    out
}

/// The message with every bare LF written as CRLF: the form POP3 and IMAP send and count
/// (RFC 1939 §3, RFC 3501 §2.3.4 RFC822.SIZE). Maildirs written by other software often
/// store bare LF.
#[must_use]
pub fn to_crlf(message: &[u8]) -> Cow<'_, [u8]> {
    if crlf_len(message) == message.len() as u64 {
        return Cow::Borrowed(message);
    }
    let mut out = Vec::with_capacity(message.len() + message.len() / 32);
    let mut prev = 0u8;
    for &b in message {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    Cow::Owned(out)
}

/// The length of [`to_crlf`]`(message)` without building it.
#[must_use]
pub fn crlf_len(message: &[u8]) -> u64 {
    let mut extra = 0u64;
    let mut prev = 0u8;
    for &b in message {
        if b == b'\n' && prev != b'\r' {
            extra += 1;
        }
        prev = b;
    }
    message.len() as u64 + extra
}
