//! The per-folder UID file: UIDVALIDITY, UIDNEXT and the UID of every message's base name.
//!
//! IMAP needs UIDs that are strictly ascending in the order messages were added and that
//! never change while UIDVALIDITY stays the same (RFC 3501 §2.3.1.1). Maildir has no such
//! thing, so each folder keeps a small text file (Dovecot's `dovecot-uidlist` plays the same
//! role):
//!
//! ```text
//! mail-examples-uids 1
//! uidvalidity 1764135213
//! uidnext 4
//! 1 1764135213.M512P77Q1.host,S=312
//! 3 1764135299.M8P77Q2.host,S=1204
//! ```
//!
//! The file is replaced atomically (written beside, then renamed over). A file that cannot
//! be parsed is not guessed at: the folder gets a fresh UIDVALIDITY and new UIDs, which is
//! exactly what clients are told to expect when UIDVALIDITY changes.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// The UID file's name inside a folder directory.
pub const UID_FILE: &str = "mail-examples-uids";
/// The file in the Maildir root that remembers the last UIDVALIDITY handed out, so that a
/// folder deleted and created again within the same second still gets a larger one.
pub const UIDVALIDITY_FILE: &str = "mail-examples-uidvalidity";

const HEADER: &str = "mail-examples-uids 1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UidList {
    pub(crate) uidvalidity: u32,
    pub(crate) uidnext: u32,
    by_uid: BTreeMap<u32, String>,
    by_base: HashMap<String, u32>,
    dirty: bool,
}

impl UidList {
    fn new(uidvalidity: u32) -> UidList {
        UidList {
            uidvalidity,
            uidnext: 1,
            by_uid: BTreeMap::new(),
            by_base: HashMap::new(),
            dirty: true,
        }
    }

    /// Loads the folder's list, or starts a new one (with a fresh UIDVALIDITY from `root`)
    /// when there is none or it is unreadable.
    pub(crate) fn load_or_create(root: &Path, folder_dir: &Path) -> Result<UidList> {
        let path = folder_dir.join(UID_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => match UidList::parse(&text) {
                Some(list) => Ok(list),
                None => Ok(UidList::new(next_uidvalidity(root)?)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(UidList::new(next_uidvalidity(root)?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Ok(UidList::new(next_uidvalidity(root)?))
            }
            Err(e) => Err(Error::io("read", path, e)),
        }
    }

    fn parse(text: &str) -> Option<UidList> {
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let uidvalidity: u32 = lines.next()?.strip_prefix("uidvalidity ")?.parse().ok()?;
        let uidnext: u32 = lines.next()?.strip_prefix("uidnext ")?.parse().ok()?;
        if uidvalidity == 0 || uidnext == 0 {
            return None;
        }
        let mut list = UidList::new(uidvalidity);
        list.uidnext = uidnext;
        list.dirty = false;
        for line in lines {
            let (uid, base) = line.split_once(' ')?;
            let uid: u32 = uid.parse().ok()?;
            if uid == 0 || uid >= uidnext || base.is_empty() {
                return None;
            }
            if list.by_uid.insert(uid, base.to_owned()).is_some()
                || list.by_base.insert(base.to_owned(), uid).is_some()
            {
                return None;
            }
        }
        Some(list)
    }

    fn serialize(&self) -> String {
        let mut out = format!(
            "{HEADER}\nuidvalidity {}\nuidnext {}\n",
            self.uidvalidity, self.uidnext
        );
        for (uid, base) in &self.by_uid {
            out.push_str(&format!("{uid} {base}\n"));
        }
        out
    }

    /// Writes the list if it changed since it was loaded; says whether it did.
    pub(crate) fn save(&mut self, folder_dir: &Path) -> Result<bool> {
        if !self.dirty {
            return Ok(false);
        }
        write_atomically(folder_dir, UID_FILE, self.serialize().as_bytes())?;
        self.dirty = false;
        Ok(true)
    }

    pub(crate) fn uid_of(&self, base: &str) -> Option<u32> {
        self.by_base.get(base).copied()
    }

    /// Gives `base` the next UID. `None` when the UID space is used up.
    pub(crate) fn assign(&mut self, base: &str) -> Option<u32> {
        if let Some(uid) = self.uid_of(base) {
            return Some(uid);
        }
        let uid = self.uidnext;
        self.uidnext = uid.checked_add(1)?;
        self.by_uid.insert(uid, base.to_owned());
        self.by_base.insert(base.to_owned(), uid);
        self.dirty = true;
        Some(uid)
    }

    pub(crate) fn remove(&mut self, base: &str) {
        if let Some(uid) = self.by_base.remove(base) {
            self.by_uid.remove(&uid);
            self.dirty = true;
        }
    }

    /// Drops every entry whose base name `keep` rejects.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let gone: Vec<String> = self.by_base.keys().filter(|b| !keep(b)).cloned().collect();
        for base in gone {
            self.remove(&base);
        }
    }
}

/// Writes `name` in `dir` by writing a temporary file beside it and renaming it over.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!("{name}.tmp.{}", std::process::id()));
    let path = dir.join(name);
    let mut file = fs::File::create(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("write", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| Error::io("rename", &path, e))
}

/// The next UIDVALIDITY: the current time in seconds, or one more than the last one handed
/// out in this Maildir if that is larger (RFC 3501 §2.3.1.1 wants a re-created name to get a
/// larger value).
fn next_uidvalidity(root: &Path) -> Result<u32> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(1);
    let now = u32::try_from(now).unwrap_or(u32::MAX).max(1);
    let last = fs::read_to_string(root.join(UIDVALIDITY_FILE))
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let next = now.max(last.saturating_add(1));
    write_atomically(root, UIDVALIDITY_FILE, format!("{next}\n").as_bytes())?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialize_then_parse_is_identity() {
        let mut list = UidList::new(77);
        assert_eq!(list.assign("a"), Some(1));
        assert_eq!(list.assign("b c"), Some(2));
        assert_eq!(list.assign("a"), Some(1));
        list.remove("a");
        let mut parsed = UidList::parse(&list.serialize()).unwrap();
        parsed.dirty = true;
        assert_eq!(parsed, list);
        assert_eq!(parsed.uidnext, 3);
        assert_eq!(parsed.uid_of("b c"), Some(2));
    }

    #[test]
    fn corrupt_lists_are_refused() {
        assert!(UidList::parse("").is_none());
        assert!(UidList::parse("mail-examples-uids 1\nuidvalidity 0\nuidnext 1\n").is_none());
        assert!(UidList::parse("mail-examples-uids 1\nuidvalidity 5\nuidnext 2\n2 x\n").is_none());
        assert!(
            UidList::parse("mail-examples-uids 1\nuidvalidity 5\nuidnext 3\n1 x\n2 x\n").is_none()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_list_survives_its_file(
            uidvalidity in 1u32..,
            ops in proptest::collection::vec((proptest::bool::ANY, "[!-~][ -~]{0,30}"), 0..40),
        ) {
            let mut list = UidList::new(uidvalidity);
            for (add, base) in &ops {
                if *add {
                    list.assign(base);
                } else {
                    list.remove(base);
                }
            }
            let mut parsed = UidList::parse(&list.serialize()).unwrap();
            parsed.dirty = list.dirty;
            proptest::prop_assert_eq!(parsed, list);
        }
    }

    #[test]
    fn uid_space_exhaustion_is_reported() {
        let mut list = UidList::new(1);
        list.uidnext = u32::MAX;
        assert_eq!(list.assign("x"), None);
    }
}
