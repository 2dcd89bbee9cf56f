//! Placeholder: being written (see issue 3).

/// A SASL failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The peer cancelled the exchange.
    #[error("exchange cancelled")]
    Cancelled,
}
