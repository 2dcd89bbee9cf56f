//! Sans-IO POP3 for both sides: the codec (every command and response of RFC 1939, CAPA
//! and extended response codes of RFC 2449, STLS of RFC 2595, AUTH of RFC 5034 and the bare
//! AUTH listing of RFC 1734, UTF8 and LANG of RFC 6856), and session state machines for a
//! downloading client and a maildrop server. No I/O, no clock, no randomness.
//!
//! * [`types`]: commands, responses, capabilities, response codes, as data.
//! * [`parse`]: decoders under the workspace's decode contract ([`Decoded`]); responses
//!   are framed by the command they answer ([`ResponseKind`]); message content streams
//!   through the dot-un-stuffer without buffering.
//! * [`serialize`]: writers (`encode`) for every type.
//! * [`server`], [`client`]: the session machines.
//! * `codec` (feature `tokio`): tokio-util `Decoder`/`Encoder` adapters.
//!
//! # Codec
//!
//! ```
//! use pop3_proto::parse::{decode_command, decode_response, CommandLimits, ResponseLimits};
//! use pop3_proto::{Command, Decoded, Response, ResponseKind};
//!
//! let Decoded::Complete { value, consumed } =
//!     decode_command(b"TOP 1 10\r\n", &CommandLimits::default())? else { unreachable!() };
//! assert_eq!(consumed, 10);
//! assert_eq!(value.to_bytes(), b"TOP 1 10\r\n");
//! // The response to LIST without an argument is multi-line; with one it is not.
//! let wire = b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n";
//! let kind = Command::List(None).response_kind();
//! let Decoded::Complete { value: Response::ScanList { entries, .. }, .. } =
//!     decode_response(kind, wire, &ResponseLimits::default())? else { unreachable!() };
//! assert_eq!(entries[1].size, 200);
//! # Ok::<(), pop3_proto::Error>(())
//! ```
//!
//! # Server
//!
//! ```
//! use pop3_proto::server::{Event, MessageInfo, Server, ServerConfig};
//! use pop3_proto::UniqueId;
//!
//! let config = ServerConfig { hostname: "dbc.mtview.ca.us".into(), ..ServerConfig::default() };
//! // The caller supplies the unique part of the APOP timestamp.
//! let mut server = Server::new(config, "1896.697170952", false)?;
//! assert_eq!(
//!     server.take_output(),
//!     b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
//! );
//! server.receive(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nRETR 1\r\n");
//! let message = b"Subject: hi\r\n\r\n.hello\r\n";
//! let maildrop = || vec![MessageInfo { size: message.len() as u64, uid: UniqueId::new("u1").unwrap() }];
//! while let Some(event) = server.next_event()? {
//!     match event {
//!         Event::Apop { user } => {
//!             assert_eq!(user, "mrose");
//!             // The machine checks the digest against the user's shared secret.
//!             assert!(server.accept_apop(b"tanstaaf", maildrop())?);
//!         }
//!         Event::Retr { .. } => server.send_message(message)?,
//!         other => panic!("{other:?}"),
//!     }
//! }
//! let out = String::from_utf8(server.take_output()).unwrap();
//! assert!(out.starts_with("+OK mrose's maildrop has 1 message (23 octets)\r\n+OK 1 23\r\n"));
//! assert!(out.ends_with("+OK 23 octets\r\nSubject: hi\r\n\r\n..hello\r\n.\r\n"));
//! # Ok::<(), pop3_proto::Error>(())
//! ```
//!
//! # Client
//!
//! ```
//! use pop3_proto::client::{Client, ClientConfig, ClientEvent, LoginMethod};
//!
//! let mut client = Client::new(ClientConfig::default(), false);
//! client.receive(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
//! assert!(matches!(client.next_event()?, Some(ClientEvent::Greeting(_))));
//! assert_eq!(client.timestamp(), Some("<1896.697170952@dbc.mtview.ca.us>"));
//! // Login: CAPA first, then the best method the policy allows (here APOP: no STLS and
//! // no CRAM-MD5 offered, and no plaintext password on a clear transport).
//! client.login("mrose", "tanstaaf")?;
//! assert_eq!(client.take_output(), b"CAPA\r\n");
//! client.receive(b"+OK\r\nUSER\r\nUIDL\r\n.\r\n");
//! assert!(matches!(client.next_event()?, Some(ClientEvent::Capabilities(_))));
//! assert_eq!(client.take_output(), b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
//! client.receive(b"+OK maildrop has 1 message (369 octets)\r\n");
//! assert_eq!(client.next_event()?, Some(ClientEvent::LoggedIn(LoginMethod::Apop)));
//! client.retr(std::num::NonZeroU32::new(1).unwrap())?;
//! client.receive(b"+OK\r\n..dot\r\n.\r\n");
//! assert!(matches!(client.next_event()?, Some(ClientEvent::MessageStart(_))));
//! assert_eq!(client.next_event()?, Some(ClientEvent::MessageData(b".dot\r\n")));
//! assert!(matches!(client.next_event()?, Some(ClientEvent::MessageEnd(_))));
//! # Ok::<(), pop3_proto::Error>(())
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
pub use mail_common::decode::Decoded;
pub use parse::{
    CommandDecoder, CommandLimits, ResponseDecoder, ResponseEvent, ResponseLimits, decode_command,
    decode_response,
};
pub use types::*;
