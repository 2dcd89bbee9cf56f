//! IMAP4rev1 (RFC 3501) for both sides, sans-IO: the complete grammar as borrowed values,
//! streaming decoders with literal handling a real client and a real server can drive, and
//! encoders that split commands at synchronizing literals.
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

pub mod codec;
pub mod config;
pub mod error;
mod parse;
pub mod serialize;
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
