//! Sans-IO POP3: the codec (commands and responses, both directions) and session state
//! machines for a client and a server.
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
pub use parse::{
    CommandDecoder, CommandLimits, ResponseDecoder, ResponseEvent, ResponseLimits, decode_command,
    decode_response,
};
pub use types::*;
