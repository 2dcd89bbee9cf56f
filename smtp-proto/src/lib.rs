//! Sans-IO SMTP, ESMTP and LMTP: commands, replies and EHLO capabilities as typed values,
//! with parsers and writers (RFC 5321 and its extensions).
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
pub mod error;
pub mod parse;
pub mod serialize;
pub mod server;
pub mod types;

pub use error::Error;
pub use mail_common::decode::Decoded;
pub use serialize::Encode;
pub use types::*;
