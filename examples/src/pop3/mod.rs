//! POP3 on `pop3-proto`: the session loop of `pop3-server` ([`server`], tokio, over the
//! Maildir's [`Pop3View`](crate::maildir::Pop3View)) and the blocking session of
//! `pop3-client` ([`client`], `std::net`), with the "leave mail on the server" record of
//! unique ids ([`seen`]).
//!
//! The protocol logic is the crate's: the server runs `pop3_proto::server::Server` (a
//! sans-IO machine that answers most commands itself and asks the application only for
//! logins, message content, STLS and the UPDATE state); the client writes
//! `pop3_proto::Command`s and reads the answers with `pop3_proto::ResponseDecoder`, which
//! streams message content so that a large message never sits in memory whole.
//!
//! ```no_run
//! use mail_examples::net::client::ClientStream;
//! use mail_examples::pop3::client::{LoginMethod, LoginOptions, Session};
//! use std::time::Duration;
//!
//! let stream = ClientStream::connect("127.0.0.1", 1110, Duration::from_secs(30))?;
//! let mut session = Session::start(stream)?;
//! session.capa()?;
//! let options = LoginOptions { method: LoginMethod::Apop, allow_plaintext: false };
//! session.login("alice", "alice-secret", &options)?;
//! for (number, uidl) in session.uidl()? {
//!     let mut message = Vec::new();
//!     session.retr(number, &mut message)?;
//!     println!("{uidl}: {} octets", message.len());
//! }
//! session.quit()?;
//! # Ok::<(), mail_examples::pop3::Pop3Error>(())
//! ```

pub mod client;
pub mod seen;
pub mod server;

use std::io;

/// What can go wrong in a POP3 session of the examples.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pop3Error {
    /// The connection failed or timed out.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The peer broke the protocol (a response the codec could not decode).
    #[error("protocol error: {0}")]
    Protocol(#[from] pop3_proto::Error),
    /// The server answered `-ERR`.
    #[error("{command} refused: -ERR {text}")]
    Refused {
        /// The command, upper case.
        command: String,
        /// The text after `-ERR` (with its response code, if any).
        text: String,
    },
    /// The connection closed before the response was complete.
    #[error("connection closed by the server")]
    Closed,
    /// The login would send a password in the clear over an unencrypted connection.
    #[error(
        "refusing to send a plaintext password over an unencrypted connection \
         (use --starttls or --tls, APOP or CRAM-MD5, or --allow-plaintext)"
    )]
    PlaintextRefused,
    /// The server offers nothing this login could use.
    #[error("no usable login method: {0}")]
    NoLoginMethod(String),
    /// The server sent data after its `+OK` to STLS and before the TLS handshake
    /// (RFC 2595 §4: such bytes could have been injected; CVE-2011-0411).
    #[error("the server sent {0} octets of plaintext after accepting STLS")]
    PlaintextAfterStls(usize),
    /// Something local: a file, the Maildir, the TLS configuration.
    #[error("{0}")]
    Local(String),
}

impl Pop3Error {
    pub(crate) fn io(context: &'static str) -> impl FnOnce(io::Error) -> Pop3Error {
        move |source| Pop3Error::Io { context, source }
    }
}

impl From<io::Error> for Pop3Error {
    fn from(source: io::Error) -> Pop3Error {
        Pop3Error::Io {
            context: "connection",
            source,
        }
    }
}

impl From<crate::Error> for Pop3Error {
    fn from(e: crate::Error) -> Pop3Error {
        Pop3Error::Local(e.to_string())
    }
}
