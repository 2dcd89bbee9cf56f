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
use crate::types::{Command, LineLimits, MAX_MAIL_LINE, MAX_RCPT_LINE, Reply, command_line_limit};
use mail_common::decode::Decoded;

/// Server side: decodes command lines, encodes replies.
///
/// Each line's limit is chosen by its verb, as [`Command::decode`] and the server machine
/// choose it: `max_line` for most commands (512 by default, RFC 5321 §4.5.3.1.4), at least
/// [`AUTH_LINE`](crate::types::AUTH_LINE) for AUTH (RFC 4954 §4), `max_mail_line` and `max_rcpt_line` for MAIL and
/// RCPT, whose extensions' parameters make the lines longer ([`MAX_MAIL_LINE`] and
/// [`MAX_RCPT_LINE`] by default, RFC 3461 §5.4).
#[derive(Debug, Clone)]
pub struct CommandCodec {
    scanner: LineScanner,
    limits: LineLimits,
    discarding: bool,
}

impl Default for CommandCodec {
    fn default() -> Self {
        Self::new(SMTP_COMMAND_LINE)
    }
}

impl CommandCodec {
    /// A codec refusing command lines over `max_line` octets (CRLF included), except
    /// AUTH, MAIL and RCPT lines, which may be as long as [`AUTH_LINE`](crate::types::AUTH_LINE),
    /// [`MAX_MAIL_LINE`] and [`MAX_RCPT_LINE`] (or `max_line` if that is more).
    pub fn new(max_line: usize) -> Self {
        Self::with_limits(
            max_line,
            MAX_MAIL_LINE.max(max_line),
            MAX_RCPT_LINE.max(max_line),
        )
    }

    /// A codec with every limit given: `max_line` for most commands (AUTH lines get at
    /// least [`AUTH_LINE`](crate::types::AUTH_LINE)), `max_mail_line` for MAIL and `max_rcpt_line` for RCPT
    /// (CRLF included), as the server's `ServerConfig` has them.
    pub fn with_limits(max_line: usize, max_mail_line: usize, max_rcpt_line: usize) -> Self {
        CommandCodec {
            scanner: LineScanner::new(LineConfig::new(max_line)),
            limits: LineLimits {
                other: max_line,
                mail: max_mail_line,
                rcpt: max_rcpt_line,
            },
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
        // The limit of the line at the front, by its verb (chosen again once the verb has
        // arrived; changing it restarts the scan of this line only).
        let limit = command_line_limit(src, &self.limits);
        if self.scanner.config().max_len != limit {
            self.scanner.set_config(LineConfig::new(limit));
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
    use crate::types::AUTH_LINE;

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

    /// Feeds `input` one octet at a time and whole; both give the same items.
    fn items(codec: &CommandCodec, input: &[u8]) -> Vec<Result<Command<'static>, Error>> {
        let mut whole = codec.clone();
        let mut buf = BytesMut::from(input);
        let mut all = Vec::new();
        while let Some(item) = whole.decode(&mut buf).unwrap() {
            all.push(item);
        }
        let mut bytewise = codec.clone();
        let mut buf = BytesMut::new();
        let mut one = Vec::new();
        for b in input {
            buf.extend_from_slice(&[*b]);
            while let Some(item) = bytewise.decode(&mut buf).unwrap() {
                one.push(item);
            }
        }
        assert_eq!(all, one);
        all
    }

    #[test]
    fn command_codec_uses_the_per_verb_line_limits() {
        // A DSN RCPT of ~1000 octets (RFC 3461 §5.4 room), a long AUTH initial response
        // (RFC 4954 §4), then a NOOP over 512 octets (still refused).
        let orcpt = "a".repeat(900);
        let rcpt = format!("RCPT TO:<b@example.org> NOTIFY=FAILURE ORCPT=rfc822;{orcpt}\r\n");
        let auth = format!("AUTH PLAIN {}\r\n", "QUJD".repeat(1500));
        let noop = format!("NOOP {}\r\n", "x".repeat(600));
        assert!(rcpt.len() > 512 && rcpt.len() <= MAX_RCPT_LINE);
        assert!(auth.len() > MAX_RCPT_LINE && auth.len() <= AUTH_LINE);
        let input = format!("{rcpt}{auth}{noop}QUIT\r\n");
        let got = items(&CommandCodec::default(), input.as_bytes());
        assert_eq!(got.len(), 4, "{got:?}");
        // The same verdicts as `Command::decode`.
        for (item, line) in got.iter().zip([&rcpt, &auth]) {
            let (cmd, _) = Command::decode(line.as_bytes())
                .unwrap()
                .complete()
                .unwrap();
            assert_eq!(item.as_ref().unwrap(), &cmd.into_owned());
        }
        assert!(matches!(got[0], Ok(Command::RcptTo(_))));
        assert!(matches!(got[1], Ok(Command::Auth { .. })));
        assert_eq!(got[2], Err(Error::LineTooLong { limit: 512 }));
        assert_eq!(got[3], Ok(Command::Quit));
        // A RCPT line over its own limit names that limit; MAIL has its own.
        let long_rcpt = format!("RCPT TO:<{}@example.org>\r\nQUIT\r\n", "c".repeat(1100));
        let got = items(&CommandCodec::default(), long_rcpt.as_bytes());
        assert_eq!(
            got[0],
            Err(Error::LineTooLong {
                limit: MAX_RCPT_LINE
            })
        );
        assert_eq!(got[1], Ok(Command::Quit));
        let tight = CommandCodec::with_limits(512, 600, 700);
        let mail = format!("MAIL FROM:<a@b.c> ENVID={}\r\n", "e".repeat(580));
        let got = items(&tight, mail.as_bytes());
        assert_eq!(got, [Err(Error::LineTooLong { limit: 600 })]);
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
