//! The POP3 view of INBOX (RFC 1939): messages numbered from 1 for the whole session, with
//! their sizes and unique-id listings, deletions applied only at QUIT.

use std::borrow::Cow;
use std::collections::HashSet;

use super::mailbox::Mailbox;
use super::{crlf_len, to_crlf};
use crate::error::{Error, Result};

/// One message of a [`Pop3View`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop3Message {
    number: usize,
    uid: u32,
    size: u64,
    uidl: String,
}

impl Pop3Message {
    /// The message number (RFC 1939 §5), from 1.
    #[must_use]
    pub fn number(&self) -> usize {
        self.number
    }

    /// The message's IMAP UID in INBOX.
    #[must_use]
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The size in octets as sent: bare LFs count as CRLF (RFC 1939 §11, LIST).
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The unique-id listing (RFC 1939 §7 UIDL): the Maildir base name, which stays the
    /// same across sessions. A base name that is not a valid UIDL (1 to 70 characters in
    /// 0x21..=0x7E) is replaced by `UIDVALIDITY.UID`, which is as stable as the UID file.
    #[must_use]
    pub fn uidl(&self) -> &str {
        &self.uidl
    }
}

/// A POP3 session's view of INBOX.
///
/// The list of messages is fixed when the view is made (RFC 1939 §6: messages are numbered
/// for the session); [`delete`](Self::delete) only marks, [`reset`](Self::reset) unmarks
/// (RSET), and [`commit`](Self::commit) removes the marked files (QUIT in the UPDATE
/// state). Dropping the view without committing deletes nothing, as a dropped connection
/// must not (RFC 1939 §6).
#[derive(Debug, Clone)]
pub struct Pop3View {
    mailbox: Mailbox,
    messages: Vec<Pop3Message>,
    deleted: HashSet<usize>,
}

/// Whether `id` may be used as a UIDL as it is (RFC 1939 §7: 1 to 70 characters in the
/// range 0x21 to 0x7E).
fn valid_uidl(id: &str) -> bool {
    (1..=70).contains(&id.len()) && id.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl Pop3View {
    /// Builds the view over a snapshot of INBOX. Reads every message once to count its
    /// size on the wire.
    pub fn new(mut mailbox: Mailbox) -> Result<Pop3View> {
        let uidvalidity = mailbox.uidvalidity();
        let listing: Vec<(u32, String)> = mailbox
            .messages()
            .iter()
            .map(|m| (m.uid(), m.id().to_owned()))
            .collect();
        let mut messages = Vec::with_capacity(listing.len());
        for (i, (uid, id)) in listing.into_iter().enumerate() {
            let size = match mailbox.read(uid) {
                Ok(bytes) => crlf_len(&bytes),
                // Gone since the snapshot: leave it out of the session.
                Err(Error::Vanished { .. }) => continue,
                Err(e) => return Err(e),
            };
            let uidl = if valid_uidl(&id) {
                id
            } else {
                format!("{uidvalidity}.{uid}")
            };
            messages.push(Pop3Message {
                number: i + 1,
                uid,
                size,
                uidl,
            });
        }
        // Renumber densely in case a message vanished while reading.
        for (i, m) in messages.iter_mut().enumerate() {
            m.number = i + 1;
        }
        Ok(Pop3View {
            mailbox,
            messages,
            deleted: HashSet::new(),
        })
    }

    /// `(count, total size)` of the messages not marked deleted (STAT, RFC 1939 §5).
    #[must_use]
    pub fn stat(&self) -> (usize, u64) {
        self.list()
            .fold((0, 0), |(n, size), m| (n + 1, size + m.size))
    }

    /// The messages not marked deleted, in number order (LIST, UIDL).
    pub fn list(&self) -> impl Iterator<Item = &Pop3Message> {
        self.messages
            .iter()
            .filter(|m| !self.deleted.contains(&m.number))
    }

    /// Message `number`, unless it does not exist or is marked deleted.
    #[must_use]
    pub fn get(&self, number: usize) -> Option<&Pop3Message> {
        if self.deleted.contains(&number) {
            return None;
        }
        self.messages.get(number.checked_sub(1)?)
    }

    /// Message `number` as sent (bare LFs as CRLF, not yet dot-stuffed) for RETR and TOP.
    pub fn read(&mut self, number: usize) -> Result<Vec<u8>> {
        let uid = self
            .get(number)
            .ok_or(Error::NoSuchPop3Message(number))?
            .uid;
        let bytes = self.mailbox.read(uid)?;
        Ok(match to_crlf(&bytes) {
            Cow::Borrowed(_) => bytes,
            Cow::Owned(v) => v,
        })
    }

    /// Marks message `number` deleted (DELE, RFC 1939 §5).
    pub fn delete(&mut self, number: usize) -> Result<()> {
        if self.get(number).is_none() {
            return Err(Error::NoSuchPop3Message(number));
        }
        self.deleted.insert(number);
        Ok(())
    }

    /// Whether message `number` is marked deleted.
    #[must_use]
    pub fn is_deleted(&self, number: usize) -> bool {
        self.deleted.contains(&number)
    }

    /// Unmarks every message (RSET, RFC 1939 §5).
    pub fn reset(&mut self) {
        self.deleted.clear();
    }

    /// Removes the messages marked deleted (the UPDATE state, RFC 1939 §6) and returns
    /// their UIDLs.
    pub fn commit(mut self) -> Result<Vec<String>> {
        let doomed: Vec<&Pop3Message> = self
            .messages
            .iter()
            .filter(|m| self.deleted.contains(&m.number))
            .collect();
        let uids: Vec<u32> = doomed.iter().map(|m| m.uid).collect();
        let uidls = doomed.iter().map(|m| m.uidl.clone()).collect();
        self.mailbox.remove(&uids)?;
        Ok(uidls)
    }
}
