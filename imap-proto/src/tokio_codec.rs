//! `tokio_util::codec` adapters (feature `tokio`) for users of `Framed`.
//!
//! * [`ServerCodec`]: decodes commands from a client, encodes responses. A synchronizing
//!   literal is yielded as [`ServerItem::ContinuationNeeded`] *before* its data arrives
//!   (after the size check), so the application answers `+ ...` (or refuses) itself; then
//!   the command follows as [`ServerItem::Command`].
//! * [`ClientCodec`]: decodes responses, encodes commands. It refuses to write a command
//!   holding a synchronizing literal (that needs a `+` from the server half-way: use
//!   [`crate::client::Client`], or build the literal as non-synchronizing under LITERAL+).
//!
//! A protocol error is yielded as an item (`Err(imap_proto::Error)`) and decoding resumes
//! after the bad message; only I/O errors end the stream. Values are owned (`'static`).

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::codec::{CommandDecoded, CommandDecoder, ResponseDecoder};
use crate::error::Error;
use crate::serialize::{Encode, Fragment};
use crate::types::command::Command;
use crate::types::response::Response;
use mail_common::decode::Decoded;

/// What [`ServerCodec`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerItem {
    /// A whole command.
    Command(Command<'static>),
    /// The client announced a synchronizing literal of `size` octets (within the limit)
    /// and waits for a continuation request (RFC 3501 §7.5). Write one (or a tagged NO/BAD
    /// and drop the connection's command) before expecting the data.
    ContinuationNeeded {
        /// The announced size.
        size: u64,
    },
}

/// Server side of the tokio adapter. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct ServerCodec {
    decoder: CommandDecoder,
    discarding: bool,
    /// Buffer length when the last continuation was requested: the same bytes must not ask
    /// twice.
    announced_at: Option<usize>,
}

impl ServerCodec {
    /// A codec over a configured decoder (limits, LITERAL+/LITERAL- support).
    pub fn new(decoder: CommandDecoder) -> Self {
        ServerCodec {
            decoder,
            discarding: false,
            announced_at: None,
        }
    }
}

impl Decoder for ServerCodec {
    type Item = Result<ServerItem, Error>;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, std::io::Error> {
        if self.discarding {
            let d = self.decoder.discard(src);
            src.advance(d.consumed);
            if !d.done {
                return Ok(None);
            }
            self.discarding = false;
        }
        match self.decoder.decode(src) {
            Ok(CommandDecoded::Complete { command, consumed }) => {
                let command = command.into_owned();
                src.advance(consumed);
                self.announced_at = None;
                Ok(Some(Ok(ServerItem::Command(command))))
            }
            Ok(CommandDecoded::ContinuationNeeded { size }) => {
                self.announced_at = Some(src.len());
                Ok(Some(Ok(ServerItem::ContinuationNeeded { size })))
            }
            Ok(CommandDecoded::Incomplete { .. }) => Ok(None),
            Err(e) => {
                self.discarding = true;
                self.announced_at = None;
                Ok(Some(Err(e)))
            }
        }
    }
}

impl Encoder<&Response<'_>> for ServerCodec {
    type Error = std::io::Error;
    fn encode(&mut self, item: &Response<'_>, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        item.encode(dst);
        Ok(())
    }
}

/// Client side of the tokio adapter. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct ClientCodec {
    decoder: ResponseDecoder,
    discarding: bool,
}

impl ClientCodec {
    /// A codec over a configured decoder (limits, lenient quirks).
    pub fn new(decoder: ResponseDecoder) -> Self {
        ClientCodec {
            decoder,
            discarding: false,
        }
    }
}

impl Decoder for ClientCodec {
    type Item = Result<Response<'static>, Error>;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, std::io::Error> {
        if self.discarding {
            let d = self.decoder.discard(src);
            src.advance(d.consumed);
            if !d.done {
                return Ok(None);
            }
            self.discarding = false;
        }
        match self.decoder.decode(src) {
            Ok(Decoded::Complete { value, consumed }) => {
                let value = value.into_owned();
                src.advance(consumed);
                Ok(Some(Ok(value)))
            }
            Ok(Decoded::Incomplete { .. }) => Ok(None),
            Err(e) => {
                self.discarding = true;
                Ok(Some(Err(e)))
            }
        }
    }
}

impl Encoder<&Command<'_>> for ClientCodec {
    type Error = std::io::Error;
    fn encode(&mut self, item: &Command<'_>, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        let fragments = item.fragments();
        if fragments
            .iter()
            .any(|f| matches!(f, Fragment::Literal { sync: true, .. }))
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a synchronizing literal needs the server's continuation: use the client machine",
            ));
        }
        for f in fragments {
            match f {
                Fragment::Line(bytes) => dst.extend_from_slice(&bytes),
                Fragment::Literal { data, .. } => dst.extend_from_slice(data),
            }
        }
        Ok(())
    }
}
