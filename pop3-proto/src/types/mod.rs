//! The POP3 vocabulary as data: commands, responses, capabilities, response codes.

pub mod arg;
pub mod capability;
pub mod code;
pub mod command;
pub mod response;

pub use arg::{ApopDigest, Base64, Mechanism, MessageNumber, Param, Password, Text, UniqueId};
pub use capability::{Capability, Expire, Params, UnknownCapability};
pub use code::{CodeKind, ResponseCode};
pub use command::{AuthLine, Command, InitialResponse, ResponseKind, UnknownCommand};
pub use response::{Language, Response, ScanListing, Stat, Status, StatusLine, UniqueIdListing};
