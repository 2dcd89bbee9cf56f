//! The protocol's vocabulary as data, one module per concept.

pub mod command;
pub mod ehlo;
pub mod param;
pub mod path;
pub mod reply;
pub mod standard;

use mail_common::decode::{Decode, Decoded};
use mail_common::line::{LineConfig, SMTP_COMMAND_LINE, decode_line};

use crate::error::Error;
use crate::parse::ReplyConfig;

pub use command::{
    AuthMechanism, AuthResponse, Base64, Command, InitialResponse, MAX_COMMAND_LINE, MAX_MAIL_LINE,
    MAX_RCPT_LINE, MAX_TEXT, MailFrom, RcptTo, Text, Verb,
};
pub use ehlo::{Capability, EhloResponse};
pub use ehlo::{Limit, XAttribute};
pub use param::{
    AuthParam, Body, By, ByMode, DateTime, EsmtpKeyword, EsmtpValue, MAX_PARAMETERS, Notify, Orcpt,
    Parameter, Parameters, Ret, XText,
};
pub use path::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
pub use reply::ReplyLines;
pub use reply::{EnhancedCode, Reply, ReplyCode};

/// Finds one CRLF line of at most `limit` octets.
pub(crate) fn line(input: &[u8], limit: usize) -> Result<Decoded<&[u8]>, Error> {
    decode_line(input, LineConfig::new(limit)).map_err(|e| match e {
        mail_common::Error::LineTooLong { limit, .. } => Error::LineTooLong { limit },
        e => Error::Common(e),
    })
}

impl<'a> Command<'a> {
    /// Decodes one command line from the front of `input` (at most 512 octets, RFC 5321
    /// §4.5.3.1.4; an AUTH line with its initial response up to 12288, RFC 4954 §4; MAIL
    /// and RCPT up to [`MAX_MAIL_LINE`] and [`MAX_RCPT_LINE`], the room their extensions'
    /// parameters add, RFC 3461 §5.4). Does not allocate.
    ///
    /// # Errors
    /// [`Error::LineTooLong`], or what [`crate::parse::command_line`] reports (offsets from
    /// the start of `input`). Either way the line ends at the next CRLF, where the caller
    /// can resynchronise.
    pub fn decode(input: &'a [u8]) -> Result<Decoded<Command<'a>>, Error> {
        // Framing fused with parsing for MAIL, RCPT and the argument-less verbs (see
        // `parse::fast::command_framed`): their scans find the line's end themselves.
        if let Some((value, consumed)) = crate::parse::fast::command_framed(input, &LineLimits::RFC)
        {
            return Ok(Decoded::Complete { value, consumed });
        }
        let limit = command_line_limit(input, &LineLimits::RFC);
        // Framing fast path: the first LF within the limit, right after a CR, is the end
        // of the line (exactly what `decode_line` finds first); everything else (no LF
        // yet, bare LF, too long) goes through `decode_line`. Saves building a scanner
        // and mapping its result on every command.
        let window = input.get(..limit).unwrap_or(input);
        if let Some(lf) = memchr::memchr(b'\n', window) {
            if let Some(line) = window.get(..lf).and_then(|l| l.strip_suffix(b"\r")) {
                return Ok(Decoded::Complete {
                    value: crate::parse::command_line(line)?,
                    consumed: lf + 1,
                });
            }
        }
        match line(input, limit)? {
            Decoded::Complete { value, consumed } => Ok(Decoded::Complete {
                value: crate::parse::command_line(value)?,
                consumed,
            }),
            Decoded::Incomplete { needed } => Ok(Decoded::Incomplete { needed }),
        }
    }
}

impl<'a> Decode<'a> for Command<'a> {
    type Error = Error;
    fn decode(input: &'a [u8]) -> Result<Decoded<Self>, Error> {
        Command::decode(input)
    }
}

impl<'a> AuthResponse<'a> {
    /// Decodes one client line of an AUTH exchange (RFC 4954 §4; at most 12288 octets,
    /// RFC 4954 §4 "at least 12288").
    ///
    /// # Errors
    /// [`Error::LineTooLong`], [`Error::Syntax`].
    pub fn decode(input: &'a [u8]) -> Result<Decoded<AuthResponse<'a>>, Error> {
        match line(input, AUTH_LINE)? {
            Decoded::Complete { value, consumed } => Ok(Decoded::Complete {
                value: crate::parse::auth_response_line(value)?,
                consumed,
            }),
            Decoded::Incomplete { needed } => Ok(Decoded::Incomplete { needed }),
        }
    }
}

/// RFC 4954 §4: AUTH lines may be up to 12288 octets (CRLF included).
pub const AUTH_LINE: usize = 12288;

/// Command line limits by verb, CRLF included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineLimits {
    /// Every command but MAIL, RCPT and AUTH.
    pub(crate) other: usize,
    /// `MAIL FROM`.
    pub(crate) mail: usize,
    /// `RCPT TO`.
    pub(crate) rcpt: usize,
}

impl LineLimits {
    /// 512 (RFC 5321 §4.5.3.1.4), [`MAX_MAIL_LINE`], [`MAX_RCPT_LINE`].
    pub(crate) const RFC: LineLimits = LineLimits {
        other: SMTP_COMMAND_LINE,
        mail: MAX_MAIL_LINE,
        rcpt: MAX_RCPT_LINE,
    };
}

/// The line limit for the command at the front of `input`: `limits.other`; at least
/// [`AUTH_LINE`] for an AUTH command (whose initial response, an XOAUTH2 token say, is
/// often longer than 512 octets; RFC 4954 §4); `limits.mail` / `limits.rcpt` for MAIL and
/// RCPT, whose parameters' extensions raise the limit (RFC 3461 §5.4).
pub(crate) fn command_line_limit(input: &[u8], limits: &LineLimits) -> usize {
    // One folded u32 compare (letters only, so clearing bit 5 is exact) and one byte.
    match input.get(..5) {
        Some([a, b, c, d, b' ']) => {
            let verb = u32::from_le_bytes([*a, *b, *c, *d]) & 0xDFDF_DFDF;
            if verb == u32::from_le_bytes(*b"AUTH") {
                limits.other.max(AUTH_LINE)
            } else if verb == u32::from_le_bytes(*b"MAIL") {
                limits.mail
            } else if verb == u32::from_le_bytes(*b"RCPT") {
                limits.rcpt
            } else {
                limits.other
            }
        }
        _ => limits.other,
    }
}

impl<'a> Reply<'a> {
    /// Decodes one whole reply with the default limits.
    ///
    /// # Errors
    /// As [`crate::parse::reply_lines`].
    pub fn decode(input: &'a [u8]) -> Result<Decoded<Reply<'a>>, Error> {
        crate::parse::reply_lines(input, &ReplyConfig::default())
    }
}

impl<'a> Decode<'a> for Reply<'a> {
    type Error = Error;
    fn decode(input: &'a [u8]) -> Result<Decoded<Self>, Error> {
        Reply::decode(input)
    }
}

impl<'a> EhloResponse<'a> {
    /// Decodes a whole EHLO/LHLO response with the default limits.
    ///
    /// # Errors
    /// As [`crate::parse::ehlo_response`].
    pub fn decode(input: &'a [u8]) -> Result<Decoded<EhloResponse<'a>>, Error> {
        crate::parse::ehlo_response(input, &ReplyConfig::default())
    }
}
