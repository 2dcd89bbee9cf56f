//! IMAP on `imap-proto`: the session loop of `imap-server` ([`server`], tokio, over the
//! Maildir), the blocking session of `imap-client` ([`client`], `std::net`), and the glue
//! both need: MIME views of stored messages ([`mime`], parsed by `mail-parser`) and
//! SEARCH ([`search`]).
//!
//! The protocol logic is the crate's: the server runs `imap_proto::server::Server`, a
//! sans-IO machine that answers CAPABILITY, LOGOUT, STARTTLS, ENABLE, AUTHENTICATE
//! exchanges, literal continuations and bad commands itself and hands the application
//! the commands that need the store; the client runs `imap_proto::client::Client`, which
//! tags, pipelines and frames commands (waiting for `+` before synchronizing literals,
//! or using LITERAL+) and matches completions to them.
//!
//! ```no_run
//! use std::num::NonZeroU32;
//! use std::sync::Arc;
//! use std::time::Duration;
//! use mail_examples::imap::client::Session;
//! use mail_examples::net::client::ClientStream;
//! use mail_examples::tls;
//!
//! let ca = tls::client_config_with_ca("ca.pem".as_ref())?;
//! let timeout = Duration::from_secs(30);
//! let stream = ClientStream::connect("localhost", 1143, timeout)?;
//! let mut session = Session::start(stream, "localhost", Some(Arc::clone(&ca)), false, timeout)?;
//! session.starttls()?;
//! session.login("alice", "alice-secret", None)?;
//! for folder in session.list()? {
//!     println!("{} {:?}", folder.name, folder.attributes);
//! }
//! let saved = session.fetch_all("INBOX", "./mail".as_ref())?;
//! println!("{} messages saved", saved.len());
//! if let Some(uid) = NonZeroU32::new(1) {
//!     session.flag("INBOX", uid, imap_proto::Flag::Seen)?;
//! }
//! session.idle("INBOX", Duration::from_secs(60), |update| println!("{update}"))?;
//! session.logout()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod client;
pub mod mime;
pub mod search;
pub mod server;
