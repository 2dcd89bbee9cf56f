//! IMAP on `imap-proto`: the session loop of `imap-server` ([`server`], tokio, over the
//! Maildir), the blocking session of `imap-client` ([`client`], `std::net`), and the glue
//! both need: MIME views of stored messages ([`mime`], with `mail-parser`) and SEARCH
//! ([`search`]).
//!
//! The protocol logic is the crate's: the server runs `imap_proto::server::Server`, a
//! sans-IO machine that answers CAPABILITY, LOGOUT, STARTTLS, ENABLE, AUTHENTICATE
//! exchanges, literal continuations and bad commands itself and hands the application
//! the commands that need the store.

pub mod client;
pub mod mime;
pub mod search;
pub mod server;
