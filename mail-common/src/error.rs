//! The error type of `mail-common`.

/// Which bare line-ending octet was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BareOctet {
    /// A CR not followed by LF.
    Cr,
    /// An LF not preceded by CR.
    Lf,
}

impl core::fmt::Display for BareOctet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            BareOctet::Cr => "CR",
            BareOctet::Lf => "LF",
        })
    }
}

/// Everything that can go wrong in `mail-common`.
///
/// Offsets are relative to the start of the slice passed to the call that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line is longer than the configured limit (the limit counts the CRLF).
    #[error("line too long: more than {limit} octets (at offset {offset})")]
    LineTooLong {
        /// Offset of the first octet past the limit.
        offset: usize,
        /// The configured limit, CRLF included.
        limit: usize,
    },
    /// A CR or LF that is not part of a CRLF pair, where the policy rejects it.
    #[error("bare {octet} at offset {offset}")]
    BareLineEnding {
        /// Offset of the offending octet.
        offset: usize,
        /// Which octet it was.
        octet: BareOctet,
    },
    /// Input that does not match the grammar rule named in `expected`.
    #[error("syntax error at offset {offset}: expected {expected}")]
    Syntax {
        /// Offset of the first octet that did not fit.
        offset: usize,
        /// The rule (or a short description of it) that failed.
        expected: &'static str,
    },
    /// A value is longer than an explicit limit (for instance an APOP timestamp longer than
    /// [`crate::apop::TIMESTAMP_MAX`]).
    #[error("{what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too long.
        what: &'static str,
        /// The limit (octets, unless `what` says otherwise).
        limit: usize,
    },
    /// Text that is not valid base64.
    #[error("invalid base64 at offset {offset}")]
    Base64 {
        /// Offset of the first invalid octet (or the length, for a bad final group).
        offset: usize,
    },
    /// A SASL exchange failed.
    #[error("sasl: {0}")]
    Sasl(#[from] crate::sasl::SaslError),
    /// A decoder was called again after it had reported the end of its data.
    #[error("decoder already finished")]
    Finished,
}
