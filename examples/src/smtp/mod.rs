//! SMTP, submission and LMTP on real sockets, built on the sans-IO `smtp-proto` machines:
//! the code behind the `smtp-server` and `smtp-client` binaries, usable from other programs
//! (the demo, the tests).
//!
//! * [`server`]: a tokio server (SMTP, submission with required AUTH, or LMTP) that delivers
//!   into a [`Maildir`](crate::maildir::Maildir). Every `--user` is a local recipient and
//!   all of them share the **one** Maildir (its INBOX): the IMAP and POP3 servers serve that
//!   same directory, so whatever user a message was addressed to, it shows up there. A
//!   message is stored once per transaction, whatever the number of recipients.
//! * [`client`]: a blocking `std::net` client that sends one message file to one or more
//!   recipients and reports the outcome per recipient, using PIPELINING, CHUNKING,
//!   SMTPUTF8, 8BITMIME and SIZE when the server offers them.
//!
//! The protocol (command parsing, sequencing, dot-stuffing, SASL framing, STARTTLS input
//! discarding, timeouts) is all in `smtp-proto`; these modules move bytes between the
//! machines and sockets, check passwords, and store messages.
//!
//! ```no_run
//! use std::sync::Arc;
//! use mail_examples::maildir::Maildir;
//! use mail_examples::smtp::server::{Mode, ServerSettings, SmtpService};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
//! let mut settings = ServerSettings::new("mx.example.test", Mode::Smtp);
//! settings.users.push(mail_examples::cli::parse_user("alice:secret")?);
//! let service = SmtpService::new(settings, Maildir::open("/tmp/maildir")?);
//! mail_examples::net::server::serve(listener, Default::default(), move |stream, peer| {
//!     Arc::clone(&service).handle(stream, peer)
//! })
//! .await?;
//! # Ok(())
//! # }
//! ```
//!
//! And a client sending one message with STARTTLS and AUTH:
//!
//! ```no_run
//! use std::time::Duration;
//! use mail_common::service::Security;
//! use mail_examples::net::client::ClientStream;
//! use mail_examples::smtp::client::{self, Envelope, Login, SessionOptions};
//! use smtp_proto::{ForwardPath, Host, Mailbox, ReversePath};
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut options = SessionOptions::new("localhost", Host::parse("client.example")?.into_owned());
//! options.security = Security::StartTls;
//! options.tls = Some(mail_examples::tls::client_config_with_ca("ca.pem".as_ref())?);
//! options.login = Some(Login {
//!     mechanism: None, // PLAIN over TLS
//!     user: "alice".into(),
//!     password: mail_common::sasl::Secret::new("secret"),
//! });
//! let envelope = Envelope {
//!     from: ReversePath::Mailbox(Mailbox::parse("alice@example.test")?.into_owned()),
//!     to: vec![ForwardPath::Mailbox(Mailbox::parse("bob@example.test")?.into_owned())],
//! };
//! let stream = ClientStream::connect("localhost", 2587, Duration::from_secs(30))?;
//! let report = client::send(stream, &options, &envelope, b"Subject: hi\r\n\r\nHello\r\n")?;
//! assert!(report.all_accepted());
//! # Ok(())
//! # }
//! ```

pub mod client;
mod date;
mod dsn;
pub mod server;

use std::fmt::Write as _;
use std::io;

use smtp_proto::{ForwardPath, Reply, ReversePath};

pub use date::rfc5322_date;

/// What can go wrong in an SMTP session run by these modules.
///
/// Messages are lower-case without a trailing period.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmtpError {
    /// Reading or writing the connection failed (or timed out).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The peer broke the protocol, or the machine was misused.
    #[error("smtp: {0}")]
    Protocol(#[from] smtp_proto::Error),
    /// Setting up (TLS configuration, Maildir) failed.
    #[error("{0}")]
    Setup(#[from] crate::Error),
    /// The server answered a step with a failure the session cannot go on from.
    #[error("{stage} refused: {reply}")]
    Refused {
        /// The step (`"the session"`, `"STARTTLS"`, `"AUTH"`, ...).
        stage: &'static str,
        /// The server's reply, as `code [enhanced] text`.
        reply: String,
    },
    /// Something asked for is not possible with this server (STARTTLS or AUTH not offered,
    /// a UTF-8 address without SMTPUTF8).
    #[error("{0}")]
    Unsupported(String),
    /// The connection closed before the session ended.
    #[error("the connection closed unexpectedly")]
    Closed,
}

impl SmtpError {
    pub(crate) fn io(context: &'static str) -> impl FnOnce(io::Error) -> SmtpError {
        move |source| SmtpError::Io { context, source }
    }
}

/// A reply as one line of text: `550 5.1.1 No such user` (the lines of a multi-line reply
/// joined with ` / `).
#[must_use]
pub fn reply_text(reply: &Reply<'_>) -> String {
    let mut out = reply.code().get().to_string();
    if let Some(e) = reply.enhanced() {
        let _ = write!(out, " {e}");
    }
    for (i, line) in reply.lines().enumerate() {
        out.push_str(if i == 0 { " " } else { " / " });
        out.push_str(line);
    }
    out
}

/// `<local@domain>`, `<Postmaster>`.
#[must_use]
pub fn forward_path_text(path: &ForwardPath<'_>) -> String {
    match path {
        ForwardPath::Postmaster => "<Postmaster>".to_owned(),
        ForwardPath::Mailbox(m) => format!("<{m}>"),
    }
}

/// `<local@domain>`, or `<>` for the null reverse-path.
#[must_use]
pub fn reverse_path_text(path: &ReversePath<'_>) -> String {
    match path {
        ReversePath::Null => "<>".to_owned(),
        ReversePath::Mailbox(m) => format!("<{m}>"),
    }
}

/// The transcript without secrets: the argument of `AUTH mech ...` and every client line
/// answering a `334` challenge become `<redacted>`.
#[must_use]
pub fn redact(transcript: &str) -> String {
    let mut out = String::with_capacity(transcript.len());
    let mut after_challenge = false;
    for line in transcript.lines() {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("C: AUTH ") {
            let mut words = line.splitn(4, ' ');
            let (c, auth, mech) = (words.next(), words.next(), words.next());
            let shown = [c, auth, mech]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            out.push_str(&shown);
            if words.next().is_some() {
                out.push_str(" <redacted>");
            }
        } else if after_challenge && line.starts_with("C: ") {
            out.push_str("C: <redacted>");
        } else {
            out.push_str(line);
        }
        out.push('\n');
        if line.starts_with("S: ") {
            after_challenge = line.starts_with("S: 334");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtp_proto::{EnhancedCode, Mailbox};

    #[test]
    fn reply_text_shows_code_enhanced_code_and_every_line() {
        let r = Reply::new(550, EnhancedCode::new(5, 1, 1).ok(), "No such user").unwrap();
        assert_eq!(reply_text(&r), "550 5.1.1 No such user");
        let r = Reply::multiline(250, None, vec!["a".into(), "b".into()]).unwrap();
        assert_eq!(reply_text(&r), "250 a / b");
    }

    #[test]
    fn paths_print_in_angle_brackets() {
        let m = Mailbox::parse("a@example.test").unwrap();
        assert_eq!(
            forward_path_text(&ForwardPath::Mailbox(m.clone())),
            "<a@example.test>"
        );
        assert_eq!(forward_path_text(&ForwardPath::Postmaster), "<Postmaster>");
        assert_eq!(reverse_path_text(&ReversePath::Null), "<>");
        assert_eq!(
            reverse_path_text(&ReversePath::Mailbox(m)),
            "<a@example.test>"
        );
    }
}
