//! `tokio_util::codec` adapters (feature `tokio`): framing of command lines and replies
//! for simple tools. A protocol error in one line is yielded as an item
//! (`Err(smtp_proto::Error)`) and the stream continues at the next line; only I/O errors
//! end it. DATA/BDAT content is not framed here: use [`crate::server::Server`] and
//! [`crate::client::Client`] for whole sessions.

use bytes::{Buf, BytesMut};
use mail_common::line::{LineConfig, LineScanner, SMTP_COMMAND_LINE};
use tokio_util::codec::{Decoder, Encoder};

use crate::error::Error;
use crate::parse::{ReplyConfig, ReplyDecoder};
use crate::serialize::Encode;
use crate::types::{Command, Reply};
use mail_common::decode::Decoded;

/// Server side: decodes command lines, encodes replies.
#[derive(Debug, Clone)]
pub struct CommandCodec {
    scanner: LineScanner,
    discarding: bool,
}

impl Default for CommandCodec {
    fn default() -> Self {
        Self::new(SMTP_COMMAND_LINE)
    }
}

impl CommandCodec {
    /// A codec refusing command lines over `max_line` octets (CRLF included).
    pub fn new(max_line: usize) -> Self {
        CommandCodec {
            scanner: LineScanner::new(LineConfig::new(max_line)),
            discarding: false,
        }
    }
}

impl Decoder for CommandCodec {
    type Item = Result<Command<'static>, Error>;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, std::io::Error> {
        if self.discarding {
            let d = self.scanner.discard(src);
            src.advance(d.consumed);
            if !d.done {
                return Ok(None);
            }
            self.discarding = false;
        }
        match self.scanner.next_line(src) {
            Ok(Decoded::Complete { value, consumed }) => {
                let item = crate::parse::command_line(value).map(Command::into_owned);
                src.advance(consumed);
                Ok(Some(item))
            }
            Ok(Decoded::Incomplete { .. }) => Ok(None),
            Err(_) => {
                self.discarding = true;
                Ok(Some(Err(Error::LineTooLong {
                    limit: self.scanner.config().max_len,
                })))
            }
        }
    }
}

impl Encoder<&Reply<'_>> for CommandCodec {
    type Error = std::io::Error;
    fn encode(&mut self, item: &Reply<'_>, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        item.encode(dst);
        Ok(())
    }
}

/// Client side: decodes replies, encodes commands.
#[derive(Debug, Clone, Default)]
pub struct ReplyCodec {
    config: ReplyConfig,
    /// Resumes an unfinished reply where it stopped (linear in its length).
    replies: ReplyDecoder,
}

impl ReplyCodec {
    /// A codec with the given reply limits.
    pub fn new(config: ReplyConfig) -> Self {
        ReplyCodec {
            config,
            replies: ReplyDecoder::default(),
        }
    }
}

impl Decoder for ReplyCodec {
    type Item = Result<Reply<'static>, Error>;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, std::io::Error> {
        match self.replies.decode(src, &self.config) {
            Ok(Decoded::Complete { value, consumed }) => {
                let reply = value.into_owned();
                src.advance(consumed);
                Ok(Some(Ok(reply)))
            }
            Ok(Decoded::Incomplete { .. }) => Ok(None),
            // A broken reply stream cannot be resynchronised reliably: report and fail.
            Err(e) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        }
    }
}

impl Encoder<&Command<'_>> for ReplyCodec {
    type Error = std::io::Error;
    fn encode(&mut self, item: &Command<'_>, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        item.encode(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_codec_frames_lines_and_survives_errors() {
        let mut codec = CommandCodec::new(32);
        let mut buf = BytesMut::new();
        let mut items = Vec::new();
        let input: &[u8] = b"EHLO a.example\r\nMAIL FROM:<bad\r\nNOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nQUIT\r\n";
        for b in input {
            buf.extend_from_slice(&[*b]);
            while let Some(item) = codec.decode(&mut buf).unwrap() {
                items.push(item);
            }
        }
        assert_eq!(items.len(), 4);
        assert!(matches!(items[0], Ok(Command::Ehlo(_))));
        assert!(matches!(items[1], Err(Error::Syntax { .. })));
        assert_eq!(items[2], Err(Error::LineTooLong { limit: 32 }));
        assert_eq!(items[3], Ok(Command::Quit));
        let mut out = BytesMut::new();
        codec
            .encode(&Reply::new(250, None, "OK").unwrap(), &mut out)
            .unwrap();
        assert_eq!(&out[..], b"250 OK\r\n");
    }

    #[test]
    fn reply_codec_frames_multiline_replies() {
        let mut codec = ReplyCodec::default();
        let mut buf = BytesMut::from(&b"250-a\r\n250 b\r\n2"[..]);
        let r = codec.decode(&mut buf).unwrap().unwrap().unwrap();
        assert_eq!(r.lines().len(), 2);
        assert_eq!(&buf[..], b"2");
        assert!(codec.decode(&mut buf).unwrap().is_none());
        let mut out = BytesMut::new();
        codec.encode(&Command::Quit, &mut out).unwrap();
        assert_eq!(&out[..], b"QUIT\r\n");
    }
}
