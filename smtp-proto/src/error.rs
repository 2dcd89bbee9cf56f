//! The crate's error type.

pub use mail_common::error::BareOctet;

/// Everything that can go wrong in `smtp-proto`.
///
/// Variants say what went wrong. [`Error::is_local`] tells "you misused the API" apart from
/// "the peer broke the protocol" (h11's `LocalProtocolError` / `RemoteProtocolError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input does not match the grammar at `offset` (bytes from the start of the line or
    /// message); `expected` names the ABNF rule that failed.
    #[error("syntax error at offset {offset}: expected {expected}")]
    Syntax {
        /// Byte offset of the failure.
        offset: usize,
        /// The rule that failed.
        expected: &'static str,
    },
    /// A line is longer than the limit (CRLF included), RFC 5321 §4.5.3.1.
    #[error("line too long: more than {limit} octets")]
    LineTooLong {
        /// The limit in octets.
        limit: usize,
    },
    /// A configured or RFC limit was exceeded.
    #[error("{what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too large or too many.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// An ESMTP parameter was given twice (RFC 5321 §4.1.1.11 allows each once).
    #[error("duplicate parameter {keyword} at offset {offset}")]
    DuplicateParameter {
        /// Byte offset of the second occurrence.
        offset: usize,
        /// The keyword (upper case for the known ones, `extension` otherwise).
        keyword: &'static str,
    },
    /// A continuation line of a multi-line reply has a different code (RFC 5321 §4.2.1).
    #[error("reply code {found} at offset {offset} differs from {expected} on the first line")]
    ReplyCodeMismatch {
        /// Byte offset of the line.
        offset: usize,
        /// The first line's code.
        expected: u16,
        /// This line's code.
        found: u16,
    },
    /// The class of an enhanced status code differs from the reply code's first digit
    /// (RFC 3463 §2, RFC 2034 §4).
    #[error("enhanced status class {class} at offset {offset} does not match reply code {code}")]
    EnhancedClassMismatch {
        /// Byte offset of the enhanced code.
        offset: usize,
        /// The reply code.
        code: u16,
        /// The enhanced status class.
        class: u8,
    },
    /// A value given to a validating constructor is not valid for its grammar rule.
    #[error("invalid {what}")]
    InvalidValue {
        /// The rule the value had to match.
        what: &'static str,
    },
    /// A bare CR or LF in message data (RFC 5321 §2.3.8).
    #[error("bare {octet} at offset {offset} in message data")]
    BareLineEnding {
        /// Byte offset from the start of the message data (the byte after the 354 line).
        offset: usize,
        /// Which octet.
        octet: BareOctet,
    },
    /// The API was called in a state where that call is not allowed (a local error).
    #[error("api misuse: {0}")]
    Misuse(&'static str),
    /// The client refused to send a plaintext SASL mechanism over an unencrypted transport.
    #[error("plaintext authentication refused over an unencrypted connection")]
    PlaintextAuthRefused,
    /// The client refused to send a MAIL or RCPT parameter (or a UTF-8 address) because
    /// the server's EHLO response did not advertise the extension it belongs to (RFC 5321
    /// §4.1.1.11 and each extension's RFC). Nothing was written.
    #[error("{parameter} needs the {capability} extension, which the server did not advertise")]
    ParameterNotOffered {
        /// The parameter, e.g. `BODY=BINARYMIME`, `NOTIFY`, or `UTF-8 address`.
        parameter: &'static str,
        /// The EHLO keyword that is missing, e.g. `CHUNKING`, `DSN`.
        capability: &'static str,
    },
    /// A parameter's value is above the limit the server advertised with its extension:
    /// `SIZE=n` above SIZE's (RFC 1870 §6 has the client not send the message), `HOLDFOR`
    /// above FUTURERELEASE's max-interval (RFC 4865 §3). Nothing was written.
    #[error("{parameter}={value} exceeds the server's advertised limit of {limit}")]
    ParameterAboveLimit {
        /// The parameter's keyword.
        parameter: &'static str,
        /// The value given.
        value: u64,
        /// The server's limit.
        limit: u64,
    },
    /// A parameter's value is below the least the server advertised with its extension:
    /// `BY` with by-mode R under DELIVERBY's min-by-time (RFC 2852 §4). Nothing was
    /// written.
    #[error("{parameter}={value} is below the server's advertised minimum of {limit}")]
    ParameterBelowLimit {
        /// The parameter's keyword.
        parameter: &'static str,
        /// The value given.
        value: i64,
        /// The server's minimum.
        limit: u64,
    },
    /// More recipients for one transaction than the server's LIMITS RCPTMAX (RFC 9422
    /// §4.2): send them in several transactions. Nothing was written.
    #[error("{count} recipients exceed the server's RCPTMAX of {limit} per transaction")]
    TooManyRecipients {
        /// The recipients given.
        count: usize,
        /// The server's RCPTMAX.
        limit: u32,
    },
    /// A parameter that may only be sent over TLS (REQUIRETLS, RFC 8689 §2) on an
    /// unencrypted connection. Nothing was written.
    #[error("{parameter} may only be sent over TLS")]
    ParameterNeedsTls {
        /// The parameter.
        parameter: &'static str,
    },
    /// The client's TLS policy ([`crate::client::TlsPolicy::Required`]) needs STARTTLS
    /// and the server did not offer it (`refused: None`) or refused it with this code
    /// (RFC 8314 §5.2: nothing but capability discovery and STARTTLS in the clear). Only QUIT was
    /// sent.
    #[error("TLS is required by policy but the server {}", match refused { Some(_) => "refused STARTTLS", None => "does not offer STARTTLS" })]
    TlsUnavailable {
        /// The server's reply code to STARTTLS, if it was sent.
        refused: Option<u16>,
    },
    /// None of the client's AUTH candidates ([`crate::client::AuthPolicy`]) is offered
    /// by the server (RFC 4954 §4: only an offered mechanism is used). Only QUIT was
    /// sent.
    #[error("no AUTH mechanism of the policy is offered by the server")]
    NoAuthMechanism,
    /// The peer sent a reply the session cannot use at this point.
    #[error("unexpected reply {code}")]
    UnexpectedReply {
        /// The reply code.
        code: u16,
    },
    /// An RFC 5321 §4.5.3.2 timeout expired.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The session is closed.
    #[error("session closed")]
    Closed,
    /// An error from the shared machinery.
    #[error(transparent)]
    Common(#[from] mail_common::Error),
}

impl Error {
    /// Whether the error is the caller's fault (API misuse or local policy) rather than the
    /// peer's.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Error::Misuse(_)
                | Error::PlaintextAuthRefused
                | Error::InvalidValue { .. }
                | Error::ParameterNotOffered { .. }
                | Error::ParameterAboveLimit { .. }
                | Error::ParameterBelowLimit { .. }
                | Error::TooManyRecipients { .. }
                | Error::ParameterNeedsTls { .. }
                | Error::TlsUnavailable { .. }
                | Error::NoAuthMechanism
        )
    }
}
