//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in the shared infrastructure of the examples.
///
/// Messages are lower-case without a trailing period, and name the file or folder involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done (`"read"`, `"rename"`, ...).
        op: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A folder name that cannot be stored as a Maildir++ folder.
    #[error("invalid folder name {name:?}: {reason}")]
    InvalidFolderName {
        /// The name as given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The folder does not exist.
    #[error("no such folder {0:?}")]
    NoSuchFolder(String),
    /// The folder already exists.
    #[error("folder {0:?} already exists")]
    FolderExists(String),
    /// The operation is not allowed on INBOX (deleting it, creating it).
    #[error("operation not allowed on INBOX")]
    Inbox,
    /// No message with that UID in the snapshot.
    #[error("no message with uid {uid} in {folder:?}")]
    NoSuchMessage {
        /// The folder.
        folder: String,
        /// The UID asked for.
        uid: u32,
    },
    /// The message's file disappeared (expunged by another session or process).
    #[error("message {id:?} vanished from {folder:?}")]
    Vanished {
        /// The folder.
        folder: String,
        /// The message's unique base name.
        id: String,
    },
    /// A POP3 message number that does not exist or is marked deleted (RFC 1939 §5).
    #[error("no message {0}")]
    NoSuchPop3Message(usize),
    /// Every UID up to `u32::MAX` has been used; the folder needs a new UIDVALIDITY.
    #[error("uids of {0:?} are exhausted")]
    UidsExhausted(String),
    /// rustls refused something (a configuration, a handshake).
    #[error("tls: {0}")]
    Tls(#[from] rustls::Error),
    /// A PEM file could not be read or holds nothing of the kind wanted.
    #[error("{what} in {}: {reason}", path.display())]
    Pem {
        /// What was looked for (`"certificate"`, `"private key"`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// rcgen could not generate a certificate.
    #[error("generate certificate: {0}")]
    CertificateGeneration(#[from] rcgen::Error),
    /// A transcript file line that is not `C: ...` or `S: ...`.
    #[error("transcript line {line}: {reason}")]
    Transcript {
        /// The line number, from 1.
        line: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A host name that is neither a DNS name nor an IP address.
    #[error("invalid server name {0:?}")]
    InvalidServerName(String),
}

impl Error {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        match e {
            Error::Io { source, .. } => source,
            other => io::Error::other(other),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
