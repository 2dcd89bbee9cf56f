//! Sans-IO SMTP, ESMTP and LMTP (RFC 5321, RFC 2033 and the service extensions):
//! commands, replies and EHLO capabilities as typed values with parsers and writers, and a
//! client and a server session machine that never touch a socket or a clock.
//!
//! * [`types`]: the vocabulary — [`Command`], [`MailFrom`], [`RcptTo`], [`ReversePath`],
//!   [`Mailbox`], [`Parameter`] (SIZE, BODY, SMTPUTF8, RET, ENVID, NOTIFY, ORCPT, AUTH,
//!   MT-PRIORITY, REQUIRETLS, HOLDFOR/HOLDUNTIL, BY, others kept), [`Reply`] with
//!   [`EnhancedCode`] (and the standard replies of RFC 5321 §4.2.3: [`Reply::ok`],
//!   [`Reply::bad_sequence`], ...), [`EhloResponse`] with [`Capability`]. Validating constructors make
//!   the writers unable to emit bytes the grammar forbids (no CR or LF can be smuggled in).
//! * [`parse`]: nom parsers (nom stays private); `Command::decode` does not allocate.
//! * [`serialize`]: [`Encode`] for every message.
//! * [`server`] and [`client`]: the session machines (pipelining, DATA with a
//!   smuggling-proof end of data, BDAT, STARTTLS, AUTH, LMTP, RFC 5321 §4.5.3.2 timeouts).
//!   The client's opt-in policies choose STARTTLS ([`client::TlsPolicy`]), the AUTH
//!   mechanism ([`client::AuthPolicy`]) and the message's `BODY`, `SMTPUTF8`, `SIZE` and
//!   DATA or BDAT ([`client::Client::send_message`]) from the server's capabilities: see
//!   the [`client`] module for an example.
//! * `codec` (feature `tokio`): `tokio_util` framing adapters.
//!
//! # Parsing and writing
//!
//! ```
//! use smtp_proto::{Command, Decoded, Encode, Parameter};
//!
//! let input = b"MAIL FROM:<jane@example.org> SIZE=1024 BODY=8BITMIME\r\nRCPT";
//! let Decoded::Complete { value, consumed } = Command::decode(input)? else { unreachable!() };
//! assert_eq!(consumed, 54);
//! let Command::MailFrom(mail) = &value else { unreachable!() };
//! assert_eq!(mail.params.size(), Some(1024));
//! assert_eq!(value.to_bytes(), &input[..consumed]);
//! # Ok::<(), smtp_proto::Error>(())
//! ```
//!
//! # Server side
//!
//! ```
//! use std::time::Duration;
//! use smtp_proto::server::{Event, Server, ServerConfig};
//! use smtp_proto::{Command, Reply};
//!
//! let now = Duration::ZERO; // the caller's monotonic clock
//! let mut server = Server::new(ServerConfig::new("mx.example.org"), now);
//! server.greet()?;
//! server.receive(b"EHLO client.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nHi\r\n.\r\nQUIT\r\n", now)?;
//! let mut body = Vec::new();
//! while let Some(event) = server.next_event()? {
//!     // Copy what the event borrows before replying.
//!     match event.into_owned() {
//!         Event::Command(Command::Ehlo(_)) => server.reply_ehlo()?,
//!         Event::Command(Command::Data) => server.reply(&Reply::new(354, None, "Go ahead")?)?,
//!         Event::Command(Command::Quit) => server.reply(&Reply::new(221, None, "Bye")?)?,
//!         Event::Command(_) => server.reply(&Reply::new(250, None, "OK")?)?,
//!         Event::BodyChunk(chunk) => body.extend_from_slice(&chunk),
//!         Event::DataEnd { .. } => server.reply(&Reply::new(250, None, "Queued")?)?,
//!         _ => {}
//!     }
//! }
//! assert_eq!(body, b"Hi\r\n");
//! assert!(server.is_closed());
//! let wire = String::from_utf8_lossy(server.transmit());
//! assert!(wire.starts_with("220 mx.example.org ESMTP\r\n250-mx.example.org\r\n"));
//! assert!(wire.ends_with("354 Go ahead\r\n250 Queued\r\n221 Bye\r\n"));
//! # Ok::<(), smtp_proto::Error>(())
//! ```
//!
//! # Client side
//!
//! Every choice made by the caller (the [`client`] module shows the same with the
//! machine's policies choosing):
//!
//! ```
//! use std::time::Duration;
//! use smtp_proto::client::{Client, ClientConfig, ClientEvent};
//! use smtp_proto::{ForwardPath, Host, MailFrom, Mailbox, Parameters, RcptTo, ReversePath};
//!
//! let now = Duration::ZERO;
//! let mut client = Client::new(ClientConfig::new(Host::parse("client.example")?.into_owned()), now);
//! // What a server would send, all at once (the machine matches replies to commands).
//! client.receive(b"220 mx ESMTP\r\n250-mx\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n", now)?;
//! let mut delivered = None;
//! while let Some(event) = client.next_event()? {
//!     match event {
//!         ClientEvent::Ready(_) => client.send_envelope(
//!             MailFrom { path: ReversePath::Null, params: Parameters::new() },
//!             vec![RcptTo {
//!                 path: ForwardPath::Mailbox(Mailbox::parse("a@example.org")?.into_owned()),
//!                 params: Parameters::new(),
//!             }],
//!             now,
//!         )?,
//!         ClientEvent::Envelope { .. } => client.data(now)?,
//!         ClientEvent::DataReady => {
//!             client.send_body(b"Subject: hi\r\n\r\n.dot\r\n", now)?;
//!             client.finish_body(now)?;
//!         }
//!         ClientEvent::Delivered(outcomes) => {
//!             delivered = Some(outcomes[0].reply.code().get());
//!             client.quit(now)?;
//!         }
//!         _ => {}
//!     }
//! }
//! assert_eq!(delivered, Some(250));
//! assert!(client.is_closed());
//! assert_eq!(
//!     String::from_utf8_lossy(client.transmit()),
//!     "EHLO client.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n\
//!      Subject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n"
//! );
//! # Ok::<(), smtp_proto::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
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

extern crate alloc;

pub mod client;
#[cfg(feature = "tokio")]
pub mod codec;
pub mod error;
pub mod parse;
pub mod serialize;
pub mod server;
pub mod types;

pub use error::Error;

/// The README's Rust examples, compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
pub use mail_common::decode::Decoded;
pub use serialize::Encode;
pub use types::*;
