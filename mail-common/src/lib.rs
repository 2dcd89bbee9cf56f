//! Shared sans-IO machinery for the mail protocol codecs `smtp-proto`, `imap-proto` and
//! `pop3-proto`: written once, used by all three.
//!
//! * [`decode`]: the streaming decode contract every decoder in the workspace follows
//!   ([`Decoded::Complete`] with the bytes consumed, [`Decoded::Incomplete`], or an error
//!   with the byte offset).
//! * [`line`](mod@line): CRLF line framing with explicit limits and resynchronisation after an
//!   over-long line.
//! * [`dot`]: streaming dot-stuffing and un-stuffing (SMTP DATA, POP3 multi-line), with an
//!   end-of-data rule that is not fooled by SMTP smuggling.
//! * [`sasl`]: SASL mechanisms as step machines for both sides, and the base64 framing of
//!   challenges and responses.
//! * [`apop`]: the POP3 APOP digest and greeting timestamp (RFC 1939 §7).
//! * [`service`]: the mail services, their ports and transport security (RFC 8314).
//! * [`keyword`]: ASCII case-insensitive keywords and keyword sets.
//! * [`buffer`]: an input buffer for session machines.
//!
//! No I/O, no clock, no randomness: bytes in, values out.
//!
//! # Example: reading an SMTP DATA section
//!
//! ```
//! use mail_common::decode::Decoded;
//! use mail_common::dot::{DotUnstuffer, Unstuffed, stuff};
//!
//! // The sending side writes the wire form...
//! let mut wire = Vec::new();
//! stuff(b"Subject: hi\r\n\r\n.leading dot\r\n", &mut wire);
//! assert_eq!(wire, b"Subject: hi\r\n\r\n..leading dot\r\n.\r\n");
//!
//! // ...and the receiving side gets the content back, here one byte at a time.
//! let mut dec = DotUnstuffer::default();
//! let (mut buf, mut content) = (Vec::new(), Vec::new());
//! for byte in &wire {
//!     buf.push(*byte);
//!     while let Decoded::Complete { value, consumed } = dec.decode(&buf)? {
//!         if let Unstuffed::Data(d) = value { content.extend_from_slice(d) }
//!         buf.drain(..consumed);
//!         if dec.is_finished() { break }
//!     }
//! }
//! assert!(dec.is_finished());
//! assert_eq!(content, b"Subject: hi\r\n\r\n.leading dot\r\n");
//! # Ok::<(), mail_common::Error>(())
//! ```
//!
//! # Example: a SASL LOGIN exchange, client and server
//!
//! Both sides exchange base64 lines (here as in SMTP AUTH, RFC 4954: `334 <challenge>` and
//! the client's response lines); neither side touches a socket.
//!
//! ```
//! use mail_common::sasl::{Credentials, Mechanism, SaslClient, SaslServer, ServerStep};
//!
//! let mut client = SaslClient::login("alice", "wonderland");
//! let mut server = SaslServer::new(Mechanism::parse(b"LOGIN").unwrap(), "")?;
//! assert_eq!(client.initial_response_base64(), None); // LOGIN: the server speaks first
//!
//! let mut step = server.start_base64(None)?;
//! let creds = loop {
//!     match step {
//!         ServerStep::Challenge(challenge) => {
//!             let line = mail_common::sasl::encode_base64(&challenge); // "334 VXNlcm5hbWU6"
//!             let response = client.step_base64(line.as_bytes())?; // "YWxpY2U=" ...
//!             step = server.step_line(response.as_bytes())?;
//!         }
//!         ServerStep::Done(creds) => break creds,
//!     }
//! };
//! assert!(creds.password_matches("alice", "wonderland"));
//! assert!(matches!(creds, Credentials::Login { .. }));
//! // A client line of "*" would have cancelled: Err(Error::Sasl(SaslError::Cancelled)).
//! # Ok::<(), mail_common::Error>(())
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

pub mod apop;
pub mod buffer;
pub mod decode;
pub mod dot;
pub mod error;
pub mod keyword;
pub mod line;
pub mod sasl;
pub mod service;

pub use decode::{Decode, Decoded};
pub use error::Error;
