//! A snapshot of one folder: its messages with their UIDs, flags, sizes and dates.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Maildir;
use super::flags::{self, Flag, Flags, split_file_name};
use super::uidlist::UidList;
use crate::error::{Error, Result};

/// One message of a [`Mailbox`] snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    uid: u32,
    id: String,
    file_name: String,
    flags: Flags,
    size: u64,
    internal_date: SystemTime,
    recent: bool,
}

impl Message {
    /// The IMAP UID (RFC 3501 §2.3.1.1).
    #[must_use]
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The unique base name: the file name up to `:2,`. Stable for the message's life in
    /// this folder; it is also the message's POP3 UIDL.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The file name in `cur/` as last seen.
    #[must_use]
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The flags, from the file name.
    #[must_use]
    pub fn flags(&self) -> &Flags {
        &self.flags
    }

    /// Whether `flag` is set.
    #[must_use]
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(flag)
    }

    /// The size of the file in bytes (as stored; see [`super::crlf_len`] for the size on
    /// the wire of a file with bare LFs).
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The internal date (RFC 3501 §2.3.3): the file's modification time.
    #[must_use]
    pub fn internal_date(&self) -> SystemTime {
        self.internal_date
    }

    /// Whether this snapshot moved the message from `new/` to `cur/` (IMAP `\Recent`,
    /// RFC 3501 §2.3.2: "this is the first session to have been notified").
    #[must_use]
    pub fn is_recent(&self) -> bool {
        self.recent
    }
}

/// The counts IMAP STATUS and SELECT report (RFC 3501 §6.3.10, §7.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Number of messages.
    pub messages: u32,
    /// Number of recent messages.
    pub recent: u32,
    /// Number of messages without `\Seen`.
    pub unseen: u32,
    /// The UID the next message will get.
    pub uidnext: u32,
    /// The folder's UIDVALIDITY.
    pub uidvalidity: u32,
}

/// A message removed from a snapshot: its sequence number at the moment it is reported
/// and its UID. Lists of these come in descending sequence order, so that each `seq` is
/// right when the IMAP `EXPUNGE` responses are sent in that order (RFC 3501 §7.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expunged {
    /// The message sequence number before removal (1-based).
    pub seq: u32,
    /// The UID.
    pub uid: u32,
}

/// What [`Mailbox::refresh`] found changed since the snapshot was taken or last refreshed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Messages gone, in descending sequence order.
    pub expunged: Vec<Expunged>,
    /// UIDs of messages that appeared, ascending.
    pub added: Vec<u32>,
    /// UIDs of messages whose flags changed, ascending.
    pub flags_changed: Vec<u32>,
    /// The UID file was lost or unreadable and UIDs were assigned afresh: an IMAP server
    /// must end the session (clients must resynchronise from scratch).
    pub uidvalidity_changed: bool,
}

impl Changes {
    /// Whether nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.expunged.is_empty()
            && self.added.is_empty()
            && self.flags_changed.is_empty()
            && !self.uidvalidity_changed
    }
}

/// The result of [`super::Maildir::append`] (what IMAP `APPENDUID` reports, RFC 4315 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The folder's UIDVALIDITY.
    pub uidvalidity: u32,
    /// The new message's UID.
    pub uid: u32,
    /// The new message's unique base name.
    pub id: String,
}

/// The result of a copy or move (what IMAP `COPYUID` reports, RFC 4315 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyUids {
    /// The target folder's UIDVALIDITY.
    pub uidvalidity: u32,
    /// `(source UID, target UID)` for each message, in the order they were given.
    pub uids: Vec<(u32, u32)>,
}

/// A snapshot of a folder, in UID order; sequence number `n` is the `n-1`th message.
///
/// Operations change the files and the snapshot together. If another snapshot or another
/// program renamed a message's file meanwhile (changed its flags), the file is found again
/// by its base name; if it is gone, the operation fails with [`Error::Vanished`] and a
/// [`refresh`](Mailbox::refresh) will report the expunge.
#[derive(Debug, Clone)]
pub struct Mailbox {
    store: Maildir,
    name: String,
    dir: PathBuf,
    uidvalidity: u32,
    uidnext: u32,
    messages: Vec<Message>,
}

struct Found {
    base: String,
    file_name: String,
    flags: Flags,
    size: u64,
    mtime: SystemTime,
    picked_up: bool,
}

fn read_dir_names(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read directory", dir, e))?;
        // Names that are not UTF-8 or are hidden are not messages we can name in the UID file.
        if let Ok(name) = entry.file_name().into_string() {
            if !name.starts_with('.') && !name.contains('\n') {
                names.push(name);
            }
        }
    }
    Ok(names)
}

/// Files in `tmp/` older than this are debris of failed deliveries and are removed when
/// the folder is scanned (the Maildir specification suggests 36 hours).
pub const TMP_MAX_AGE: Duration = Duration::from_secs(36 * 60 * 60);

/// Removes stale files from `tmp/` (best effort: a failure only leaves debris).
fn clean_tmp(dir: &Path) {
    let tmp = dir.join("tmp");
    let Ok(names) = read_dir_names(&tmp) else {
        return;
    };
    let now = SystemTime::now();
    for name in names {
        let path = tmp.join(name);
        let stale = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > TMP_MAX_AGE);
        if stale {
            let _ = fs::remove_file(path);
        }
    }
}

/// Moves everything in `new/` to `cur/` and lists `cur/`.
fn scan(dir: &Path) -> Result<Vec<Found>> {
    clean_tmp(dir);
    let (new, cur) = (dir.join("new"), dir.join("cur"));
    let mut picked = HashSet::new();
    for name in read_dir_names(&new)? {
        let from = new.join(&name);
        if !from.is_file() {
            continue;
        }
        let target = if name.contains(':') {
            name.clone()
        } else {
            format!("{name}:2,")
        };
        match fs::rename(&from, cur.join(&target)) {
            Ok(()) => {
                picked.insert(split_file_name(&target).0.to_owned());
            }
            // Someone else picked it up first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("rename", from, e)),
        }
    }
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for name in read_dir_names(&cur)? {
        let meta = match fs::metadata(cur.join(&name)) {
            Ok(m) if m.is_file() => m,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io("stat", cur.join(&name), e)),
        };
        let (base, flags) = split_file_name(&name);
        if base.is_empty() || !seen.insert(base.to_owned()) {
            continue;
        }
        found.push(Found {
            base: base.to_owned(),
            picked_up: picked.contains(base),
            file_name: name.clone(),
            flags,
            size: meta.len(),
            mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        });
    }
    Ok(found)
}

/// Scans the folder and brings its UID file up to date: entries of vanished files go,
/// new files get the next UIDs in order of arrival (mtime, then name).
fn sync(store: &Maildir, name: &str, dir: &Path) -> Result<(UidList, Vec<Message>)> {
    let found = scan(dir)?;
    let mut list = UidList::load_or_create(store.root(), dir)?;
    let present: HashSet<&str> = found.iter().map(|f| f.base.as_str()).collect();
    let mut changed = false;
    list.retain(|b| {
        let keep = present.contains(b);
        changed |= !keep;
        keep
    });
    let mut unassigned: Vec<&Found> = found
        .iter()
        .filter(|f| list.uid_of(&f.base).is_none())
        .collect();
    changed |= !unassigned.is_empty();
    unassigned.sort_by(|a, b| (a.mtime, &a.base).cmp(&(b.mtime, &b.base)));
    for f in unassigned {
        if list.assign(&f.base).is_none() {
            return Err(Error::UidsExhausted(name.to_owned()));
        }
    }
    list.save(dir)?;
    // Creating the UID file of an empty folder is not news; messages coming or going are.
    if changed {
        store.notify();
    }
    let mut messages: Vec<Message> = found
        .into_iter()
        .filter_map(|f| {
            Some(Message {
                uid: list.uid_of(&f.base)?,
                id: f.base,
                file_name: f.file_name,
                flags: f.flags,
                size: f.size,
                internal_date: f.mtime,
                recent: f.picked_up,
            })
        })
        .collect();
    messages.sort_by_key(|m| m.uid);
    Ok((list, messages))
}

impl Mailbox {
    /// Loads the snapshot; the caller holds the store's lock.
    pub(crate) fn load(store: Maildir, name: String, dir: PathBuf) -> Result<Mailbox> {
        let (list, messages) = sync(&store, &name, &dir)?;
        Ok(Mailbox {
            store,
            name,
            dir,
            uidvalidity: list.uidvalidity,
            uidnext: list.uidnext,
            messages,
        })
    }

    /// The folder's canonical name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The folder's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder's UIDVALIDITY.
    #[must_use]
    pub fn uidvalidity(&self) -> u32 {
        self.uidvalidity
    }

    /// The UID the next message added will get (at least).
    #[must_use]
    pub fn uidnext(&self) -> u32 {
        self.uidnext
    }

    /// The messages in UID order.
    #[must_use]
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The number of messages.
    #[must_use]
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether the folder is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    fn index_of(&self, uid: u32) -> Result<usize> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .map_err(|_| Error::NoSuchMessage {
                folder: self.name.clone(),
                uid,
            })
    }

    /// The message with `uid`.
    #[must_use]
    pub fn by_uid(&self, uid: u32) -> Option<&Message> {
        self.index_of(uid).ok().and_then(|i| self.messages.get(i))
    }

    /// The message with sequence number `seq` (1-based).
    #[must_use]
    pub fn by_seq(&self, seq: u32) -> Option<&Message> {
        let i = usize::try_from(seq).ok()?.checked_sub(1)?;
        self.messages.get(i)
    }

    /// The sequence number (1-based) of the message with `uid`.
    #[must_use]
    pub fn seq_of(&self, uid: u32) -> Option<u32> {
        let i = self.index_of(uid).ok()?;
        u32::try_from(i + 1).ok()
    }

    /// The counts for STATUS and SELECT.
    #[must_use]
    pub fn status(&self) -> Status {
        let count = |f: &dyn Fn(&Message) -> bool| {
            u32::try_from(self.messages.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX)
        };
        Status {
            messages: u32::try_from(self.messages.len()).unwrap_or(u32::MAX),
            recent: count(&|m| m.recent),
            unseen: count(&|m| !m.has(Flag::Seen)),
            uidnext: self.uidnext,
            uidvalidity: self.uidvalidity,
        }
    }

    /// The sequence number of the first message without `\Seen` (SELECT's `[UNSEEN n]`).
    #[must_use]
    pub fn first_unseen(&self) -> Option<u32> {
        let i = self.messages.iter().position(|m| !m.has(Flag::Seen))?;
        u32::try_from(i + 1).ok()
    }

    /// The path of the message's file as last seen.
    #[must_use]
    pub fn path(&self, uid: u32) -> Option<PathBuf> {
        self.by_uid(uid)
            .map(|m| self.dir.join("cur").join(&m.file_name))
    }

    /// Makes sure the message at `idx` still has the file name we know; if not, finds it
    /// again by base name (and takes its flags from the new name). Caller holds the lock.
    fn relocate(&mut self, idx: usize) -> Result<PathBuf> {
        let cur = self.dir.join("cur");
        let Some(msg) = self.messages.get_mut(idx) else {
            return Err(Error::NoSuchMessage {
                folder: self.name.clone(),
                uid: 0,
            });
        };
        let path = cur.join(&msg.file_name);
        if path.is_file() {
            return Ok(path);
        }
        for name in read_dir_names(&cur)? {
            let (base, flags) = split_file_name(&name);
            if base == msg.id {
                msg.flags = flags;
                msg.file_name = name;
                return Ok(cur.join(&msg.file_name));
            }
        }
        Err(Error::Vanished {
            folder: self.name.clone(),
            id: msg.id.clone(),
        })
    }

    /// Reads the whole message.
    pub fn read(&mut self, uid: u32) -> Result<Vec<u8>> {
        let store = self.store.clone();
        let _guard = store.lock();
        let idx = self.index_of(uid)?;
        let path = self.relocate(idx)?;
        fs::read(&path).map_err(|e| Error::io("read", path, e))
    }

    fn change_flags(&mut self, uid: u32, change: impl FnOnce(&mut Flags)) -> Result<Flags> {
        let store = self.store.clone();
        let _guard = store.lock();
        let idx = self.index_of(uid)?;
        let from = self.relocate(idx)?;
        let cur = self.dir.join("cur");
        let Some(msg) = self.messages.get_mut(idx) else {
            return Err(Error::NoSuchMessage {
                folder: self.name.clone(),
                uid,
            });
        };
        let mut flags = msg.flags.clone();
        change(&mut flags);
        let name = flags::file_name(&msg.id, &flags);
        if name != msg.file_name {
            let to = cur.join(&name);
            fs::rename(&from, &to).map_err(|e| Error::io("rename", from, e))?;
            msg.file_name = name;
            store.notify();
        }
        msg.flags = flags;
        Ok(msg.flags.clone())
    }

    /// Replaces the message's flags with `flags` (IMAP `STORE FLAGS`); letters other than
    /// the six are kept. Returns the new flags.
    pub fn set_flags(&mut self, uid: u32, flags: &[Flag]) -> Result<Flags> {
        self.change_flags(uid, |f| f.set_known(flags.iter().copied()))
    }

    /// Adds `flags` (IMAP `STORE +FLAGS`). Returns the new flags.
    pub fn add_flags(&mut self, uid: u32, flags: &[Flag]) -> Result<Flags> {
        self.change_flags(uid, |f| flags.iter().for_each(|x| f.insert(*x)))
    }

    /// Removes `flags` (IMAP `STORE -FLAGS`). Returns the new flags.
    pub fn remove_flags(&mut self, uid: u32, flags: &[Flag]) -> Result<Flags> {
        self.change_flags(uid, |f| flags.iter().for_each(|x| f.remove(*x)))
    }

    /// Removes every message flagged `\Deleted` (`T`) (IMAP EXPUNGE, RFC 3501 §6.4.3).
    pub fn expunge(&mut self) -> Result<Vec<Expunged>> {
        let uids: Vec<u32> = self.messages.iter().map(|m| m.uid).collect();
        self.expunge_uids(&uids)
    }

    /// Removes those of `uids` that are flagged `\Deleted` (IMAP UID EXPUNGE, RFC 4315
    /// §2.1). UIDs not in the snapshot are ignored.
    pub fn expunge_uids(&mut self, uids: &[u32]) -> Result<Vec<Expunged>> {
        let store = self.store.clone();
        let _guard = store.lock();
        let mut doomed = Vec::new();
        for &uid in uids {
            let Ok(idx) = self.index_of(uid) else {
                continue;
            };
            // The flags on disk are the truth: another session may have cleared \Deleted.
            match self.relocate(idx) {
                Ok(_) | Err(Error::Vanished { .. }) => {}
                Err(e) => return Err(e),
            }
            if self.messages.get(idx).is_some_and(|m| m.has(Flag::Trashed)) {
                doomed.push(uid);
            }
        }
        self.remove_locked(&doomed)
    }

    /// Removes the messages with these UIDs whatever their flags (a POP3 `DELE` applied at
    /// `QUIT`, RFC 1939 §6). UIDs not in the snapshot are ignored.
    pub fn remove(&mut self, uids: &[u32]) -> Result<Vec<Expunged>> {
        let store = self.store.clone();
        let _guard = store.lock();
        self.remove_locked(uids)
    }

    fn remove_locked(&mut self, uids: &[u32]) -> Result<Vec<Expunged>> {
        let mut gone_bases = Vec::new();
        let mut gone_uids = HashSet::new();
        for &uid in uids {
            let Ok(idx) = self.index_of(uid) else {
                continue;
            };
            match self.relocate(idx) {
                Ok(path) => match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io("remove", path, e)),
                },
                Err(Error::Vanished { .. }) => {}
                Err(e) => return Err(e),
            }
            if let Some(m) = self.messages.get(idx) {
                gone_bases.push(m.id.clone());
                gone_uids.insert(uid);
            }
        }
        if !gone_bases.is_empty() {
            let mut list = UidList::load_or_create(self.store.root(), &self.dir)?;
            for base in &gone_bases {
                list.remove(base);
            }
            list.save(&self.dir)?;
            self.store.notify();
        }
        Ok(self.drop_from_snapshot(&gone_uids))
    }

    fn drop_from_snapshot(&mut self, uids: &HashSet<u32>) -> Vec<Expunged> {
        let mut out = Vec::new();
        for (i, m) in self.messages.iter().enumerate().rev() {
            if uids.contains(&m.uid) {
                out.push(Expunged {
                    seq: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    uid: m.uid,
                });
            }
        }
        self.messages.retain(|m| !uids.contains(&m.uid));
        out
    }

    /// Copies messages to `target` (IMAP COPY, RFC 3501 §6.4.7) keeping flags and internal
    /// date: each copy is a hard link (or a real copy where links fail) under a new unique
    /// name, and gets the target's next UID.
    pub fn copy_to(&mut self, uids: &[u32], target: &str) -> Result<CopyUids> {
        self.transfer(uids, target, false).map(|(c, _)| c)
    }

    /// Moves messages to `target` (IMAP MOVE, RFC 6851): like [`copy_to`](Self::copy_to)
    /// but by renaming the files, then removing them from this snapshot.
    pub fn move_to(&mut self, uids: &[u32], target: &str) -> Result<(CopyUids, Vec<Expunged>)> {
        self.transfer(uids, target, true)
    }

    fn transfer(
        &mut self,
        uids: &[u32],
        target: &str,
        remove: bool,
    ) -> Result<(CopyUids, Vec<Expunged>)> {
        let store = self.store.clone();
        let (_, target_dir) = store.existing_folder(target)?;
        let _guard = store.lock();
        // A UID named twice (an IMAP set like `1,1:2`) is transferred once.
        let mut indexes = Vec::new();
        let mut named = HashSet::new();
        for &uid in uids {
            let idx = self.index_of(uid)?;
            if named.insert(uid) {
                indexes.push((uid, idx));
            }
        }
        let mut placed = Vec::new();
        let mut moved = HashSet::new();
        let mut moved_bases = Vec::new();
        for (uid, idx) in indexes {
            let from = self.relocate(idx)?;
            let Some(msg) = self.messages.get(idx) else {
                continue;
            };
            let base = store.unique_name(msg.size);
            let dest = target_dir
                .join("cur")
                .join(flags::file_name(&base, &msg.flags));
            if remove {
                fs::rename(&from, &dest).map_err(|e| Error::io("rename", &from, e))?;
                moved.insert(uid);
                moved_bases.push(msg.id.clone());
            } else {
                let tmp = target_dir.join("tmp").join(&base);
                link_or_copy(&from, &tmp, msg.internal_date)?;
                if let Err(e) = fs::rename(&tmp, &dest) {
                    let _ = fs::remove_file(&tmp);
                    return Err(Error::io("rename", tmp, e));
                }
            }
            placed.push((uid, base));
        }
        let mut list = UidList::load_or_create(store.root(), &target_dir)?;
        let mut pairs = Vec::new();
        for (uid, base) in placed {
            let Some(new_uid) = list.assign(&base) else {
                return Err(Error::UidsExhausted(target.to_owned()));
            };
            pairs.push((uid, new_uid));
        }
        list.save(&target_dir)?;
        store.notify();
        let copied = CopyUids {
            uidvalidity: list.uidvalidity,
            uids: pairs,
        };
        if target_dir == self.dir {
            self.uidnext = list.uidnext;
        }
        if moved.is_empty() {
            return Ok((copied, Vec::new()));
        }
        let mut source = if target_dir == self.dir {
            list
        } else {
            UidList::load_or_create(store.root(), &self.dir)?
        };
        for base in &moved_bases {
            source.remove(base);
        }
        source.save(&self.dir)?;
        Ok((copied, self.drop_from_snapshot(&moved)))
    }

    /// Brings the snapshot up to date: picks up new deliveries, and reports messages that
    /// appeared, vanished or changed flags (for IMAP NOOP, IDLE and the end of commands).
    pub fn refresh(&mut self) -> Result<Changes> {
        let store = self.store.clone();
        let _guard = store.lock();
        let (list, mut fresh) = sync(&store, &self.name, &self.dir)?;
        let mut changes = Changes::default();
        if list.uidvalidity != self.uidvalidity {
            changes.uidvalidity_changed = true;
        }
        let old: HashMap<u32, &Message> = self.messages.iter().map(|m| (m.uid, m)).collect();
        let now: HashSet<u32> = fresh.iter().map(|m| m.uid).collect();
        for (i, m) in self.messages.iter().enumerate().rev() {
            if changes.uidvalidity_changed || !now.contains(&m.uid) {
                changes.expunged.push(Expunged {
                    seq: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    uid: m.uid,
                });
            }
        }
        for m in &mut fresh {
            match old.get(&m.uid) {
                Some(before) if !changes.uidvalidity_changed => {
                    m.recent |= before.recent;
                    if before.flags != m.flags {
                        changes.flags_changed.push(m.uid);
                    }
                }
                _ => changes.added.push(m.uid),
            }
        }
        self.messages = fresh;
        self.uidvalidity = list.uidvalidity;
        self.uidnext = list.uidnext;
        Ok(changes)
    }
}

fn link_or_copy(from: &Path, to: &Path, mtime: SystemTime) -> Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to).map_err(|e| Error::io("copy", from, e))?;
    let set = fs::OpenOptions::new()
        .write(true)
        .open(to)
        .and_then(|f| f.set_modified(mtime));
    set.map_err(|e| Error::io("set time of", to, e))
}
