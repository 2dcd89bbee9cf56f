//! The standard replies of RFC 5321 §4.2.3, with the enhanced status codes of RFC 3463 §3
//! (RFC 2034 §3 leaves them off the greeting, 354 and the EHLO/HELO response).

use alloc::borrow::Cow;

use crate::error::Error;
use crate::types::reply::{EnhancedCode, Lines, Reply, ReplyCode};

impl Reply<'static> {
    /// `220 <domain> Service ready` (RFC 5321 §4.2.3; §4.3.1 greeting).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if `domain` is not valid reply text.
    pub fn service_ready(domain: &str) -> Result<Reply<'static>, Error> {
        Reply::new(220, None, alloc::format!("{domain} Service ready"))
    }
    /// `221 2.0.0 <domain> Service closing transmission channel`.
    ///
    /// # Errors
    /// As [`Reply::service_ready`].
    pub fn closing(domain: &str) -> Result<Reply<'static>, Error> {
        let text = alloc::format!("{domain} Service closing transmission channel");
        Reply::new(221, EnhancedCode::new(2, 0, 0).ok(), text)
    }
    /// `421 4.3.2 <domain> Service not available, closing transmission channel`.
    ///
    /// # Errors
    /// As [`Reply::service_ready`].
    pub fn service_not_available(domain: &str) -> Result<Reply<'static>, Error> {
        let text = alloc::format!("{domain} Service not available, closing transmission channel");
        Reply::new(421, EnhancedCode::new(4, 3, 2).ok(), text)
    }
    /// `250 2.0.0 Requested mail action okay, completed`.
    pub fn ok() -> Reply<'static> {
        Reply::fixed(250, (2, 0, 0), "Requested mail action okay, completed")
    }
    /// `354 Start mail input; end with <CRLF>.<CRLF>` (no enhanced code: RFC 3463 has no
    /// class 3).
    pub fn start_mail_input() -> Reply<'static> {
        Reply {
            code: ReplyCode::START_DATA,
            enhanced: None,
            lines: Lines::List(alloc::vec![Cow::Borrowed(
                "Start mail input; end with <CRLF>.<CRLF>"
            )]),
        }
    }
    /// `451 4.3.0 Requested action aborted: local error in processing`.
    pub fn local_error() -> Reply<'static> {
        Reply::fixed(
            451,
            (4, 3, 0),
            "Requested action aborted: local error in processing",
        )
    }
    /// `452 4.3.1 Requested action not taken: insufficient system storage`.
    pub fn insufficient_storage() -> Reply<'static> {
        Reply::fixed(
            452,
            (4, 3, 1),
            "Requested action not taken: insufficient system storage",
        )
    }
    /// `500 5.5.2 Syntax error, command unrecognized`.
    pub fn command_unrecognized() -> Reply<'static> {
        Reply::fixed(500, (5, 5, 2), "Syntax error, command unrecognized")
    }
    /// `501 5.5.4 Syntax error in parameters or arguments`.
    pub fn syntax_error_in_parameters() -> Reply<'static> {
        Reply::fixed(501, (5, 5, 4), "Syntax error in parameters or arguments")
    }
    /// `502 5.5.1 Command not implemented` (RFC 5321 §4.2.4: recognized but not
    /// implemented; 500 otherwise).
    pub fn command_not_implemented() -> Reply<'static> {
        Reply::fixed(502, (5, 5, 1), "Command not implemented")
    }
    /// `503 5.5.1 Bad sequence of commands`.
    pub fn bad_sequence() -> Reply<'static> {
        Reply::fixed(503, (5, 5, 1), "Bad sequence of commands")
    }
    /// `504 5.5.4 Command parameter not implemented`.
    pub fn parameter_not_implemented() -> Reply<'static> {
        Reply::fixed(504, (5, 5, 4), "Command parameter not implemented")
    }
    /// `550 5.1.1 Requested action not taken: mailbox unavailable`.
    pub fn mailbox_unavailable() -> Reply<'static> {
        Reply::fixed(
            550,
            (5, 1, 1),
            "Requested action not taken: mailbox unavailable",
        )
    }
    /// `552 5.3.4 Requested mail action aborted: exceeded storage allocation`.
    pub fn exceeded_storage() -> Reply<'static> {
        Reply::fixed(
            552,
            (5, 3, 4),
            "Requested mail action aborted: exceeded storage allocation",
        )
    }
    /// `553 5.1.3 Requested action not taken: mailbox name not allowed`.
    pub fn mailbox_name_not_allowed() -> Reply<'static> {
        Reply::fixed(
            553,
            (5, 1, 3),
            "Requested action not taken: mailbox name not allowed",
        )
    }
    /// `554 5.0.0 Transaction failed`.
    pub fn transaction_failed() -> Reply<'static> {
        Reply::fixed(554, (5, 0, 0), "Transaction failed")
    }
    /// `555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented`.
    pub fn parameters_not_recognized() -> Reply<'static> {
        Reply::fixed(
            555,
            (5, 5, 4),
            "MAIL FROM/RCPT TO parameters not recognized or not implemented",
        )
    }
}
