//! IMAP4rev1 (RFC 3501) for both sides, sans-IO: the complete grammar as borrowed values,
//! streaming decoders with literal handling a real client and a real server can drive, and
//! encoders that split commands at synchronizing literals.
//!
//! * [`types`]: the vocabulary as data ([`Command`], [`Response`], [`BodyStructure`],
//!   [`SequenceSet`], [`Mailbox`] with modified UTF-7...), borrowed from the input, with
//!   `into_owned()`. Constructors validate, so every value serializes to valid IMAP.
//! * [`codec`]: [`CommandDecoder`] (server side) reports a synchronizing literal as
//!   [`CommandDecoded::ContinuationNeeded`] after checking its size against the limit and
//!   before its data arrives; [`ResponseDecoder`] (client side) can stream large literals
//!   as borrowed chunks. Both keep a cursor: feeding a message in small pieces costs
//!   O(total bytes).
//! * [`serialize`]: [`Encode`] for every message; [`Command::fragments`] splits a command
//!   into the [`Fragment`]s to send, waiting for a continuation at each synchronizing
//!   literal.
//! * [`config`]: [`Limits`] (line, literal, nesting, items) and the lenient client mode's
//!   [`Quirks`]; strict by default.
//!
//! Errors ([`Error`]) carry the offset, the line of the message and the ABNF rule that
//! failed. nom does the parsing but stays out of the API.
//!
//! # IMAP4rev2 (RFC 9051)
//!
//! What is done, by RFC 9051 Appendix E item:
//! * 2, 3: the folded-in extensions' commands and responses are typed (NAMESPACE,
//!   UNSELECT, UIDPLUS, ESEARCH and SEARCHRES, ENABLE, IDLE, SASL-IR, LIST-EXTENDED,
//!   LIST-STATUS, MOVE, LITERAL-, BINARY, the CLOSED code), and STATUS SIZE / DELETED.
//! * 12, 17, 18, 19: once `ENABLE IMAP4rev2` succeeded, or on a server that offers rev2
//!   without rev1 ([`server::ServerConfig::rev2_only`]), the client refuses to send and
//!   the server answers BAD to what rev2 removed ([`CommandBody::removed_in_rev2`]):
//!   LSUB, CHECK, the RFC822 / RFC822.HEADER / RFC822.TEXT fetch items, STATUS RECENT
//!   (also in LIST RETURN (STATUS ...)) and the NEW / OLD / RECENT search keys.
//! * 16, 24: after `ENABLE IMAP4rev2` (or on a rev2-only server) quoted strings and
//!   mailbox names take UTF-8 on the server's command decoder and the client's side.
//! * 1: the numbers RFC 9051 §9 widens to `number64` are [`Number64`]
//!   (`0 ..= 2^63 - 1`, larger refused with [`Error::Syntax`]): the `LARGER` / `SMALLER`
//!   search keys, FETCH `RFC822.SIZE`, STATUS `SIZE`, `body-fld-lines` in a BODYSTRUCTURE
//!   ([`SpecificFields`]) and a FETCH's `<offset.length>` ([`Partial`], whose length is a
//!   [`NzNumber64`], `1 ..= 2^63 - 1`). RFC 3501 input parses unchanged. The origin of a
//!   `BODY[...]<origin>` response stays `number` (32-bit), as in RFC 9051 §9.
//!
//! What is not done:
//! * 4, 9, 10, 11, 21: what a rev2 server must send (ESEARCH instead of SEARCH, CLOSED and
//!   an untagged LIST on SELECT, UID in every unsolicited FETCH, no UNSEEN code) is the
//!   application's: the server machine does not check its responses against rev2, and the
//!   client machine accepts rev1 responses (RECENT, SEARCH, `\Recent`) from a rev2 server.
//! * An `ENABLE IMAP4rev2` still in flight does not count: commands pipelined behind it
//!   follow rev1 rules until the ENABLED response and the OK arrive.
//! * A client that sees both IMAP4rev1 and IMAP4rev2 advertised stays rev1 until it
//!   enables rev2 itself; the crate never picks the revision for the application.
//!
//! # Server side
//!
//! ```
//! use imap_proto::*;
//!
//! let mut decoder = CommandDecoder::default();
//! let mut input = b"A1 LOGIN joe {6}\r\n".to_vec();
//! // The client waits for a continuation before it sends the literal; the size was
//! // already checked against `Limits::max_literal`.
//! assert_eq!(decoder.decode(&input)?, CommandDecoded::ContinuationNeeded { size: 6 });
//! let go_ahead = Response::Continue(Continue::Basic { code: None, text: Text::new("Ready")? });
//! assert_eq!(go_ahead.to_vec(), b"+ Ready\r\n");
//! input.extend_from_slice(b"secret\r\n");
//! let CommandDecoded::Complete { command, consumed } = decoder.decode(&input)? else {
//!     panic!("the whole command is there")
//! };
//! assert_eq!(consumed, input.len());
//! let CommandBody::Login { username, password } = &command.body else { panic!() };
//! assert_eq!((username.as_bytes(), password.as_bytes()), (&b"joe"[..], &b"secret"[..]));
//!
//! let done = Response::Status(StatusResponse {
//!     tag: Some(command.tag.clone()),
//!     kind: StatusKind::Ok,
//!     code: None,
//!     text: Text::new("LOGIN completed")?,
//! });
//! assert_eq!(done.to_vec(), b"A1 OK LOGIN completed\r\n");
//! # Ok::<(), imap_proto::Error>(())
//! ```
//!
//! # Client side
//!
//! ```
//! use imap_proto::*;
//!
//! // A command with a literal goes out in fragments: send the line, wait for `+`, send
//! // the data, send the rest.
//! let append = Command::new(
//!     Tag::new("A2")?,
//!     CommandBody::Append {
//!         mailbox: Mailbox::from_utf8("Entwürfe")?,
//!         flags: Some(vec![Flag::Seen]),
//!         date: None,
//!         message: Literal::new(&b"Subject: hi\r\n\r\nhello\r\n"[..])?,
//!     },
//! );
//! let fragments = append.fragments();
//! assert_eq!(fragments[0], Fragment::Line(b"A2 APPEND Entw&APw-rfe (\\Seen) {22}\r\n".to_vec()));
//! assert!(matches!(fragments[1], Fragment::Literal { sync: true, .. }));
//!
//! // Responses decode from whatever has arrived; drop `consumed` bytes after each one.
//! let mut decoder = ResponseDecoder::default();
//! let input = b"+ Ready\r\n* 3 EXISTS\r\nA2 OK [APPENDUID 38505 3955] APPEND completed\r\n";
//! let mut rest = &input[..];
//! let mut responses = Vec::new();
//! while let Decoded::Complete { value, consumed } = decoder.decode(rest)? {
//!     responses.push(value);
//!     rest = &rest[consumed..];
//! }
//! assert_eq!(responses[1], Response::Data(Data::Exists(3)));
//! let Response::Status(done) = &responses[2] else { panic!() };
//! // Extension response codes are typed (here UIDPLUS, RFC 4315); unknown ones are kept
//! // as sent in `Code::Other`.
//! assert!(matches!(&done.code, Some(Code::AppendUid { uid_validity, .. }) if uid_validity.get() == 38505));
//! # Ok::<(), imap_proto::Error>(())
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
pub mod codec;
pub mod config;
pub mod error;
mod parse;
pub mod serialize;
pub mod server;
#[cfg(feature = "tokio")]
pub mod tokio_codec;
pub mod types;
pub mod utf7;

pub use codec::{CommandDecoded, CommandDecoder, ResponseDecoder, Streamed};
pub use config::{Config, Limits, Quirks};
pub use error::{Error, Quirk};
pub use mail_common::decode::{Decode, Decoded};
pub use serialize::{Encode, Fragment, LiteralSupport};
pub use types::body::*;
pub use types::command::*;
pub use types::core::*;
pub use types::datetime::*;
pub use types::flag::*;
pub use types::mailbox::*;
pub use types::response::*;
pub use types::sequence::*;
