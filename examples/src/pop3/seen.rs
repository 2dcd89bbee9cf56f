//! The "leave mail on the server" record (RFC 1939 §7 UIDL): a text file with one unique
//! id per line, the messages already downloaded, so the next session fetches only new ones
//! (what fetchmail's `.fetchids` and `pop3-client --keep-seen FILE` do).
//!
//! New ids are appended and flushed one by one, right after each message is safely
//! written, so an interrupted run fetches again only the message it was working on.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A record of unique ids already fetched.
#[derive(Debug)]
pub struct SeenUidls {
    path: PathBuf,
    seen: HashSet<String>,
    file: Option<File>,
    needs_newline: bool,
}

impl SeenUidls {
    /// Reads the record at `path`; a missing file is an empty record. Blank lines and
    /// surrounding white space are ignored.
    pub fn load(path: impl Into<PathBuf>) -> io::Result<SeenUidls> {
        let path = path.into();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let seen = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(SeenUidls {
            path,
            seen,
            file: None,
            // A last line without its newline must not run into the first new id.
            needs_newline: !text.is_empty() && !text.ends_with('\n'),
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `uidl` was fetched before.
    #[must_use]
    pub fn contains(&self, uidl: &str) -> bool {
        self.seen.contains(uidl)
    }

    /// How many ids the record holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether the record is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Adds `uidl` to the record and appends it to the file at once (a no-op if it is
    /// already there).
    pub fn insert(&mut self, uidl: &str) -> io::Result<()> {
        if self.seen.contains(uidl) {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)?,
            ),
        };
        let lead = if std::mem::take(&mut self.needs_newline) {
            "\n"
        } else {
            ""
        };
        file.write_all(format!("{lead}{uidl}\n").as_bytes())?;
        file.flush()?;
        file.sync_data()?;
        self.seen.insert(uidl.to_owned());
        Ok(())
    }
}
