//! The error type of `imap-proto`.

use alloc::string::String;

/// A known non-conformance of real IMAP servers that the lenient client mode can accept.
///
/// Each quirk is a toggle in [`Quirks`](crate::Quirks); in strict mode (the default) the
/// decoder rejects the bytes with [`Error::Quirk`] naming the quirk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quirk {
    /// A negative number such as `-1` where a `number` belongs (e.g. `RFC822.SIZE -1`).
    NegativeNumber,
    /// `NIL` as the value of a body parameter: `("boundary" NIL)`.
    NilBodyParameter,
    /// `NIL` where a body structure needs a string (media type, subtype, encoding,
    /// disposition): `("TEXT" "PLAIN" NIL NIL NIL NIL 12 1)`.
    NilString,
    /// A `]` inside a flag of a FLAGS or PERMANENTFLAGS list.
    BracketInFlag,
    /// `\*` in a FLAGS list (only PERMANENTFLAGS may hold it).
    WildcardInFlags,
    /// A space before a closing parenthesis: `(\Seen )`.
    SpaceBeforeParen,
    /// A trailing space at the end of a response line: `* SEARCH 1 2 \r\n`.
    TrailingSpace,
    /// A continuation request without the space: `+\r\n`.
    ContinuationWithoutSpace,
    /// A missing or empty `text` after a status response or a response code:
    /// `a1 OK\r\n`, `* OK [READ-WRITE]\r\n`.
    EmptyText,
    /// A missing space between a response code and its text: `* OK [ALERT]text`.
    MissingSpaceAfterCode,
}

impl core::fmt::Display for Quirk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Quirk::NegativeNumber => "negative number",
            Quirk::NilBodyParameter => "NIL body parameter value",
            Quirk::NilString => "NIL where a string belongs",
            Quirk::BracketInFlag => "] inside a flag",
            Quirk::WildcardInFlags => "\\* in FLAGS",
            Quirk::SpaceBeforeParen => "space before )",
            Quirk::TrailingSpace => "trailing space",
            Quirk::ContinuationWithoutSpace => "continuation request without space",
            Quirk::EmptyText => "empty response text",
            Quirk::MissingSpaceAfterCode => "missing space after response code",
        })
    }
}

/// Everything that can go wrong in `imap-proto`.
///
/// Offsets are relative to the start of the slice passed to the call that failed; `line` is
/// the 1-based line of the message (a message with literals spans several lines).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input that does not match the grammar rule named in `rule` (RFC 3501 §9).
    #[error("syntax error at offset {offset} (line {line}): expected {rule}")]
    Syntax {
        /// Offset of the first octet that did not fit.
        offset: usize,
        /// 1-based line of the message the offset is in.
        line: usize,
        /// The ABNF rule that failed.
        rule: &'static str,
    },
    /// A known server non-conformance, rejected because its quirk toggle is off.
    #[error("{quirk} at offset {offset} (line {line}) rejected in strict mode")]
    Quirk {
        /// Offset of the non-conforming octets.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// Which quirk it was.
        quirk: Quirk,
    },
    /// A line (without its literals) is longer than the configured limit.
    #[error("line too long: more than {limit} octets (at offset {offset}, line {line})")]
    LineTooLong {
        /// Offset of the first octet past the limit.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// The configured limit, CRLF included.
        limit: usize,
    },
    /// A literal announces more octets than the configured limit. Checked before any of
    /// the literal is accepted, so a server can refuse it (RFC 3501 §7.5, RFC 7888 §4).
    #[error(
        "literal of {size} octets exceeds the limit of {limit} (at offset {offset}, line {line})"
    )]
    LiteralTooLarge {
        /// Offset of the `{` of the announcement.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// The announced size.
        size: u64,
        /// The configured limit.
        limit: u64,
        /// The command's tag, when the line starts with a valid one (for the NO/BAD reply).
        tag: Option<String>,
        /// Whether the literal was synchronizing (the client waits and sends nothing more).
        sync: bool,
    },
    /// A non-synchronizing literal the peer may not send: LITERAL+ not offered, or larger
    /// than LITERAL-'s 4096 octets (RFC 7888 §5).
    #[error(
        "non-synchronizing literal of {size} octets not allowed (at offset {offset}, line {line})"
    )]
    NonSyncLiteral {
        /// Offset of the `{` of the announcement.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// The announced size.
        size: u64,
    },
    /// More literals in one message than the configured limit.
    #[error("more than {limit} literals in one message (at offset {offset}, line {line})")]
    TooManyLiterals {
        /// Offset of the literal past the limit.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Parentheses nested deeper than the configured limit.
    #[error("nesting deeper than {limit} in {rule} at offset {offset} (line {line})")]
    TooDeep {
        /// Offset of the opening parenthesis past the limit.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// The rule that nests (body, search-key, body-extension).
        rule: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// A list with more items than the configured limit.
    #[error("more than {limit} items in {rule} at offset {offset} (line {line})")]
    TooManyItems {
        /// Offset of the item past the limit.
        offset: usize,
        /// 1-based line of the message.
        line: usize,
        /// The list rule.
        rule: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// A value that a validating constructor refused.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The type being built.
        what: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
}

impl Error {
    pub(crate) const fn invalid(what: &'static str, reason: &'static str) -> Self {
        Error::Invalid { what, reason }
    }

    /// The 1-based line of the message the error is in, when it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Syntax { line, .. }
            | Error::Quirk { line, .. }
            | Error::LineTooLong { line, .. }
            | Error::LiteralTooLarge { line, .. }
            | Error::NonSyncLiteral { line, .. }
            | Error::TooManyLiterals { line, .. }
            | Error::TooDeep { line, .. }
            | Error::TooManyItems { line, .. } => Some(*line),
            Error::Invalid { .. } => None,
        }
    }

    /// The offset of the error in the input, when it has one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Error::Syntax { offset, .. }
            | Error::Quirk { offset, .. }
            | Error::LineTooLong { offset, .. }
            | Error::LiteralTooLarge { offset, .. }
            | Error::NonSyncLiteral { offset, .. }
            | Error::TooManyLiterals { offset, .. }
            | Error::TooDeep { offset, .. }
            | Error::TooManyItems { offset, .. } => Some(*offset),
            Error::Invalid { .. } => None,
        }
    }
}
