//! The shared infrastructure of the example mail servers and clients built on `smtp-proto`,
//! `imap-proto` and `pop3-proto`: everything in them that is not a protocol.
//!
//! * [`maildir`]: a Maildir (Maildir++ folders) message store with IMAP UIDs and a POP3
//!   view, readable by other mail software.
//! * [`tls`]: rustls (ring) configurations from PEM files or a generated self-signed
//!   certificate, for servers and clients.
//! * [`net`]: a tokio accept loop and connection type with STARTTLS upgrade for the
//!   servers; a blocking `std::net` connection with the same upgrade for the clients.
//! * [`cli`]: the command-line flags the binaries share.
//! * [`transcript`]: recording sessions as RFC-style `C:`/`S:` transcripts and reading
//!   such transcripts back.
//!
//! The binaries (`demo`, and the servers and clients as the protocol crates land) use these
//! modules; the protocol logic stays in the sans-IO crates.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod cli;
mod error;
pub mod imap;
pub mod maildir;
pub mod net;
pub mod pop3;
pub mod smtp;
pub mod tls;
pub mod transcript;
pub mod transcript_decode;

pub use error::{Error, Result};
