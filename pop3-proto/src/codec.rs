//! tokio-util adapters (feature `tokio`): [`ServerCodec`] and [`ClientCodec`] implement
//! [`Decoder`] and [`Encoder`] over the sans-IO decoders, for use with `Framed`.
//!
//! The client codec remembers the [`ResponseKind`] of every command it encodes, so that
//! it frames each response by the command it answers (RFC 1939 §3), pipelined ones
//! included (RFC 2449 §6.6).

use std::collections::VecDeque;
use std::io;

use bytes::{Bytes, BytesMut};
use mail_common::decode::Decoded;
use tokio_util::codec::{Decoder, Encoder};

use crate::error::Error;
use crate::parse::{CommandDecoder, CommandLimits, ResponseDecoder, ResponseEvent, ResponseLimits};
use crate::types::{
    AuthLine, Base64, Capability, Command, Language, Mechanism, Response, ResponseKind,
    ScanListing, Stat, StatusLine, UniqueIdListing,
};

/// The error of the codecs: I/O, or the protocol.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The peer broke the protocol, or the codec was misused.
    #[error(transparent)]
    Protocol(#[from] Error),
}

/// What the server codec reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientLine {
    /// A command.
    Command(Command<'static>),
    /// A line of an AUTH exchange (after [`ServerCodec::set_auth_mode`]).
    Auth(AuthLine<'static>),
    /// A complete line that does not parse (it was consumed; answer `-ERR`), or an
    /// over-long line (skipped up to its CRLF).
    Invalid(Error),
}

/// The server side: decodes commands, encodes responses.
#[derive(Debug, Default)]
pub struct ServerCodec {
    decoder: CommandDecoder,
    auth: bool,
    discarding: bool,
}

impl ServerCodec {
    /// A codec with the given limits.
    pub fn new(limits: CommandLimits) -> Self {
        ServerCodec {
            decoder: CommandDecoder::new(limits),
            auth: false,
            discarding: false,
        }
    }

    /// Reads the next lines as AUTH client lines (RFC 5034 §4) instead of commands.
    pub fn set_auth_mode(&mut self, on: bool) {
        self.auth = on;
    }
}

impl Decoder for ServerCodec {
    type Item = ClientLine;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ClientLine>, CodecError> {
        if self.discarding {
            let d = self.decoder.discard(src);
            let _ = src.split_to(d.consumed);
            if !d.done {
                return Ok(None);
            }
            self.discarding = false;
        }
        let decoded = if self.auth {
            self.decoder
                .decode_auth(src)
                .map(|d| d.map(|r| r.map(|l| ClientLine::Auth(l.into_owned()))))
        } else {
            self.decoder
                .decode(src)
                .map(|d| d.map(|r| r.map(|c| ClientLine::Command(c.into_owned()))))
        };
        match decoded {
            Ok(Decoded::Complete { value, consumed }) => {
                let _ = src.split_to(consumed);
                Ok(Some(value.unwrap_or_else(ClientLine::Invalid)))
            }
            Ok(Decoded::Incomplete { .. }) => Ok(None),
            Err(e) => {
                self.discarding = true;
                Ok(Some(ClientLine::Invalid(e)))
            }
        }
    }
}

impl Encoder<&Response<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &Response<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(dst);
        Ok(())
    }
}

/// One decoded piece of a response, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseItem {
    /// A status line (see [`ResponseEvent::Status`]).
    Status(StatusLine<'static>),
    /// An SASL challenge.
    Continuation(Base64<'static>),
    /// The answer to STAT.
    Stat(Stat),
    /// A scan listing.
    ScanListing(ScanListing),
    /// A unique-id listing.
    UniqueIdListing(UniqueIdListing<'static>),
    /// A capability.
    Capability(Capability<'static>),
    /// A mechanism of a bare AUTH listing.
    Mechanism(Mechanism<'static>),
    /// A language listing.
    Language(Language<'static>),
    /// A chunk of message content (shares the read buffer, no copy).
    Data(Bytes),
    /// The end of a multi-line response.
    End,
}

/// The client side: encodes commands (noting how their responses are framed) and decodes
/// responses as a stream of [`ResponseItem`]s.
#[derive(Debug)]
pub struct ClientCodec {
    limits: ResponseLimits,
    expected: VecDeque<ResponseKind>,
    current: Option<ResponseDecoder>,
}

impl Default for ClientCodec {
    fn default() -> Self {
        Self::new(ResponseLimits::default())
    }
}

impl ClientCodec {
    /// A codec that first expects the greeting.
    pub fn new(limits: ResponseLimits) -> Self {
        ClientCodec {
            limits,
            expected: VecDeque::from([ResponseKind::Greeting]),
            current: None,
        }
    }

    /// Responses still expected (the one being read included).
    pub fn outstanding(&self) -> usize {
        self.expected.len()
    }
}

impl Decoder for ClientCodec {
    type Item = ResponseItem;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ResponseItem>, CodecError> {
        let Some(&kind) = self.expected.front() else {
            if src.is_empty() {
                return Ok(None);
            }
            return Err(Error::Protocol("response without a command").into());
        };
        let limits = self.limits;
        let dec = self
            .current
            .get_or_insert_with(|| ResponseDecoder::new(kind, limits));
        let (item, consumed) = match dec.decode(src)? {
            Decoded::Incomplete { .. } => return Ok(None),
            Decoded::Complete { value, consumed } => {
                let item = match value {
                    ResponseEvent::Data(d) => {
                        let start = (d.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
                        Err((start, start + d.len()))
                    }
                    ResponseEvent::Status(s) => Ok(ResponseItem::Status(s.into_owned())),
                    ResponseEvent::Continuation(b) => {
                        Ok(ResponseItem::Continuation(b.into_owned()))
                    }
                    ResponseEvent::Stat(s) => Ok(ResponseItem::Stat(s)),
                    ResponseEvent::ScanListing(s) => Ok(ResponseItem::ScanListing(s)),
                    ResponseEvent::UniqueIdListing(u) => {
                        Ok(ResponseItem::UniqueIdListing(u.into_owned()))
                    }
                    ResponseEvent::Capability(c) => Ok(ResponseItem::Capability(c.into_owned())),
                    ResponseEvent::Mechanism(m) => Ok(ResponseItem::Mechanism(m.into_owned())),
                    ResponseEvent::Language(l) => Ok(ResponseItem::Language(l.into_owned())),
                    ResponseEvent::End => Ok(ResponseItem::End),
                };
                (item, consumed)
            }
        };
        let done = dec.is_done();
        let chunk = src.split_to(consumed).freeze();
        if done {
            self.current = None;
            self.expected.pop_front();
        }
        Ok(Some(match item {
            Ok(item) => item,
            Err((start, end)) => {
                ResponseItem::Data(chunk.slice(start.min(end)..end.min(chunk.len())))
            }
        }))
    }
}

impl Encoder<&Command<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &Command<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(dst);
        self.expected.push_back(item.response_kind());
        Ok(())
    }
}

impl Encoder<&AuthLine<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &AuthLine<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_codec_frames_by_command() {
        let mut c = ClientCodec::default();
        let mut out = BytesMut::new();
        c.encode(&Command::List(None), &mut out).unwrap();
        c.encode(
            &Command::Retr(core::num::NonZeroU32::new(1).unwrap()),
            &mut out,
        )
        .unwrap();
        assert_eq!(&out[..], b"LIST\r\nRETR 1\r\n");
        let mut src =
            BytesMut::from(&b"+OK hi\r\n+OK 1 messages\r\n1 120\r\n.\r\n+OK\r\n..a\r\n.\r\n"[..]);
        let mut items = Vec::new();
        while let Some(i) = c.decode(&mut src).unwrap() {
            items.push(i);
        }
        assert_eq!(items.len(), 7, "{items:?}");
        assert!(matches!(&items[2], ResponseItem::ScanListing(s) if s.size == 120));
        assert_eq!(items[5], ResponseItem::Data(Bytes::from_static(b".a\r\n")));
        assert_eq!(items[6], ResponseItem::End);
        assert_eq!(c.outstanding(), 0);
    }

    #[test]
    fn server_codec_reads_commands_auth_lines_and_bad_lines() {
        let mut s = ServerCodec::default();
        let mut src = BytesMut::from(&b"AUTH PLAIN\r\nRETR x\r\n"[..]);
        assert!(matches!(
            s.decode(&mut src).unwrap(),
            Some(ClientLine::Command(Command::Auth { .. }))
        ));
        assert!(matches!(
            s.decode(&mut src).unwrap(),
            Some(ClientLine::Invalid(Error::Syntax { .. }))
        ));
        s.set_auth_mode(true);
        src.extend_from_slice(b"*\r\n");
        assert_eq!(
            s.decode(&mut src).unwrap(),
            Some(ClientLine::Auth(AuthLine::Cancel))
        );
        let mut out = BytesMut::new();
        s.encode(&Response::Status(StatusLine::ok("hi")), &mut out)
            .unwrap();
        assert_eq!(&out[..], b"+OK hi\r\n");
    }
}
