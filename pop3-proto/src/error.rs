//! The error type of `pop3-proto`.

/// Everything that can go wrong in `pop3-proto`.
///
/// Offsets are relative to the start of the slice passed to the call that failed. Errors
/// that come from the peer's bytes ([`LineTooLong`](Error::LineTooLong),
/// [`Syntax`](Error::Syntax), [`ArgumentTooLong`](Error::ArgumentTooLong), ...) are kept
/// apart from errors that come from misuse of the API ([`BadSequence`](Error::BadSequence),
/// [`InvalidValue`](Error::InvalidValue), ...): see [`Error::is_remote`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line is longer than the limit (RFC 2449 §4: 255 octets for a command, 512 for the
    /// first line of a response or a capability line; the limit counts the CRLF).
    #[error("line too long: more than {limit} octets (at offset {offset})")]
    LineTooLong {
        /// Offset of the first octet past the limit.
        offset: usize,
        /// The configured limit, CRLF included.
        limit: usize,
    },
    /// A command argument is longer than the limit (RFC 1939 §3: 40 characters).
    #[error("argument too long: more than {limit} octets (at offset {offset})")]
    ArgumentTooLong {
        /// Offset of the first octet past the limit.
        offset: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Input that does not match the grammar rule named in `expected`.
    #[error("syntax error at offset {offset}: expected {expected}")]
    Syntax {
        /// Offset of the first octet that did not fit.
        offset: usize,
        /// The ABNF rule (or a short description of it) that failed.
        expected: &'static str,
    },
    /// A multi-line listing has more entries than the configured limit.
    #[error("limit exceeded: more than {limit} {what}")]
    LimitExceeded {
        /// What was counted.
        what: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// An error of the shared framing code (dot-stuffing, base64, SASL).
    #[error(transparent)]
    Common(#[from] mail_common::Error),
    /// The peer sent something that is valid syntax but not allowed now (for instance a
    /// response when no command is outstanding).
    #[error("protocol violation: {0}")]
    Protocol(&'static str),
    /// The caller used the API out of order (a local error; the peer did nothing wrong).
    #[error("bad sequence: {0}")]
    BadSequence(&'static str),
    /// The caller tried to build a value the grammar forbids.
    #[error("invalid value for {what}")]
    InvalidValue {
        /// The rule the value had to follow.
        what: &'static str,
    },
    /// Credentials would be sent in the clear over an unencrypted transport, and the policy
    /// does not allow it (RFC 2595 §2.4, RFC 8314 §5).
    #[error("refusing to send plaintext credentials over an unencrypted transport")]
    PlaintextRefused,
    /// No authentication method acceptable to both sides.
    #[error("no acceptable authentication method")]
    NoAuthMethod,
    /// The session is over (after QUIT, or after a fatal error).
    #[error("session closed")]
    Closed,
}

impl Error {
    /// Whether the error was caused by the peer's bytes (as opposed to misuse of the API).
    pub fn is_remote(&self) -> bool {
        matches!(
            self,
            Error::LineTooLong { .. }
                | Error::ArgumentTooLong { .. }
                | Error::Syntax { .. }
                | Error::LimitExceeded { .. }
                | Error::Common(_)
                | Error::Protocol(_)
        )
    }

    /// The same error with its offset moved by `by` (for errors found in a sub-slice).
    pub(crate) fn shifted(self, by: usize) -> Self {
        match self {
            Error::LineTooLong { offset, limit } => Error::LineTooLong {
                offset: offset + by,
                limit,
            },
            Error::ArgumentTooLong { offset, limit } => Error::ArgumentTooLong {
                offset: offset + by,
                limit,
            },
            Error::Syntax { offset, expected } => Error::Syntax {
                offset: offset + by,
                expected,
            },
            other => other,
        }
    }
}

/// Converts a framing error of `mail-common` into ours, keeping offsets and limits.
pub(crate) fn from_line(e: mail_common::Error) -> Error {
    match e {
        mail_common::Error::LineTooLong { offset, limit } => Error::LineTooLong { offset, limit },
        mail_common::Error::Syntax { offset, expected } => Error::Syntax { offset, expected },
        other => Error::Common(other),
    }
}
