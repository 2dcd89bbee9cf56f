//! The IMAP vocabulary as data (RFC 3501 §9), one module per concept.

pub mod body;
pub mod command;
pub mod core;
pub mod datetime;
pub mod ext_command;
pub mod flag;
pub mod mailbox;
pub mod resp_ext;
pub mod response;
pub mod sequence;
