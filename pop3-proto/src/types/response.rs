//! POP3 responses: RFC 1939 §3, RFC 2449 §§3, 8, RFC 5034 §4 (continuations), RFC 6856 §3.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::arg::{Base64, Mechanism, MessageNumber, Param, Text, UniqueId};
use super::capability::Capability;
use super::code::ResponseCode;
use crate::error::Error;

/// RFC 2449 §3 `status = "+OK" / "-ERR"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`
    Ok,
    /// `-ERR`
    Err,
}

/// A status line: RFC 2449 §3 `single-line = status [SP text] CRLF`, with the optional
/// extended response code at the start of the text (§8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusLine<'a> {
    status: Status,
    code: Option<ResponseCode<'a>>,
    text: Text<'a>,
}

impl<'a> StatusLine<'a> {
    /// Builds a status line.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if there is no code and the text itself starts with
    /// something that reads as a response code (`[...]`), which a peer would parse as one.
    pub fn new(
        status: Status,
        code: Option<ResponseCode<'a>>,
        text: Text<'a>,
    ) -> Result<Self, Error> {
        if code.is_none() && crate::parse::response::leading_code(text.as_bytes()).is_some() {
            return Err(Error::InvalidValue {
                what: "status text (starts with a response code)",
            });
        }
        Ok(StatusLine { status, code, text })
    }

    pub(crate) fn raw(status: Status, code: Option<ResponseCode<'a>>, text: Text<'a>) -> Self {
        StatusLine { status, code, text }
    }

    /// `+OK text`. Text that is not valid is dropped (use [`StatusLine::new`] to check).
    pub fn ok(text: &'a str) -> Self {
        Self::new(
            Status::Ok,
            None,
            Text::new(text.as_bytes()).unwrap_or_default(),
        )
        .unwrap_or_else(|_| StatusLine::raw(Status::Ok, None, Text::empty()))
    }

    /// `-ERR text`. Text that is not valid is dropped (use [`StatusLine::new`] to check).
    pub fn err(text: &'a str) -> Self {
        Self::new(
            Status::Err,
            None,
            Text::new(text.as_bytes()).unwrap_or_default(),
        )
        .unwrap_or_else(|_| StatusLine::raw(Status::Err, None, Text::empty()))
    }

    /// `-ERR [code] text`.
    pub fn err_with_code(code: ResponseCode<'a>, text: &'a str) -> Self {
        StatusLine::raw(
            Status::Err,
            Some(code),
            Text::new(text.as_bytes()).unwrap_or_default(),
        )
    }

    /// `+OK` or `-ERR`.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Whether it is `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The extended response code, if any.
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.code.as_ref()
    }

    /// The text after the status (and after the code, if any).
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }

    /// The APOP timestamp of a greeting (RFC 1939 §7: a msg-id in angle brackets, for
    /// instance `<1896.697170952@dbc.mtview.ca.us>`), brackets included.
    pub fn timestamp(&self) -> Option<&[u8]> {
        crate::parse::response::greeting_timestamp(self.text.as_bytes())
    }

    /// An owned copy.
    pub fn into_owned(self) -> StatusLine<'static> {
        StatusLine {
            status: self.status,
            code: self.code.map(ResponseCode::into_owned),
            text: self.text.into_owned(),
        }
    }
}

/// The answer to `STAT`: RFC 1939 §5 "+OK nn mm".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stat {
    /// Number of messages (not counting those marked deleted).
    pub count: u32,
    /// Size of the maildrop in octets.
    pub size: u64,
}

/// A scan listing: RFC 1939 §5 "msg size" (LIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message number.
    pub msg: MessageNumber,
    /// Its exact size in octets.
    pub size: u64,
}

/// A unique-id listing: RFC 1939 §7 "msg unique-id" (UIDL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueIdListing<'a> {
    /// The message number.
    pub msg: MessageNumber,
    /// Its unique id, stable across sessions.
    pub uid: UniqueId<'a>,
}

impl UniqueIdListing<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> UniqueIdListing<'static> {
        UniqueIdListing {
            msg: self.msg,
            uid: self.uid.into_owned(),
        }
    }
}

/// A language listing: RFC 6856 §3.2, the tag and an optional description.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language<'a> {
    /// The language tag (RFC 5646).
    pub tag: Param<'a>,
    /// The description in the language itself (may be empty).
    pub description: Text<'a>,
}

impl Language<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Language<'static> {
        Language {
            tag: self.tag.into_owned(),
            description: self.description.into_owned(),
        }
    }
}

/// A whole response, as decoded by [`crate::parse::decode_response`] for a given
/// [`ResponseKind`](super::ResponseKind). A `-ERR` is always [`Response::Status`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Response<'a> {
    /// A status line: the greeting, any `-ERR`, and `+OK` to commands without typed data.
    Status(StatusLine<'a>),
    /// `+ base64`: an SASL challenge (RFC 5034 §4).
    Continuation(Base64<'a>),
    /// `+OK count size` to STAT.
    Stat(Stat),
    /// `+OK msg size` to `LIST msg`.
    ScanListing(ScanListing),
    /// `+OK msg uid` to `UIDL msg`.
    UniqueIdListing(UniqueIdListing<'a>),
    /// The multi-line answer to `LIST`.
    ScanList {
        /// The first line.
        status: StatusLine<'a>,
        /// One entry per message not marked deleted.
        entries: Vec<ScanListing>,
    },
    /// The multi-line answer to `UIDL`.
    UniqueIdList {
        /// The first line.
        status: StatusLine<'a>,
        /// One entry per message not marked deleted.
        entries: Vec<UniqueIdListing<'a>>,
    },
    /// The multi-line answer to `CAPA`.
    Capabilities {
        /// The first line.
        status: StatusLine<'a>,
        /// The capabilities.
        capabilities: Vec<Capability<'a>>,
    },
    /// The multi-line answer to bare `AUTH`.
    Mechanisms {
        /// The first line.
        status: StatusLine<'a>,
        /// The mechanisms.
        mechanisms: Vec<Mechanism<'a>>,
    },
    /// The multi-line answer to `LANG` without argument.
    Languages {
        /// The first line.
        status: StatusLine<'a>,
        /// The languages.
        languages: Vec<Language<'a>>,
    },
    /// The multi-line answer to `RETR` or `TOP`, un-stuffed. (Large messages are better
    /// streamed with [`crate::parse::ResponseDecoder`].)
    Message {
        /// The first line.
        status: StatusLine<'a>,
        /// The content, lines ending with CRLF.
        content: Cow<'a, [u8]>,
    },
}

impl Response<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Response::Status(s) => Response::Status(s.into_owned()),
            Response::Continuation(b) => Response::Continuation(b.into_owned()),
            Response::Stat(s) => Response::Stat(s),
            Response::ScanListing(s) => Response::ScanListing(s),
            Response::UniqueIdListing(u) => Response::UniqueIdListing(u.into_owned()),
            Response::ScanList { status, entries } => Response::ScanList {
                status: status.into_owned(),
                entries,
            },
            Response::UniqueIdList { status, entries } => Response::UniqueIdList {
                status: status.into_owned(),
                entries: entries
                    .into_iter()
                    .map(UniqueIdListing::into_owned)
                    .collect(),
            },
            Response::Capabilities {
                status,
                capabilities,
            } => Response::Capabilities {
                status: status.into_owned(),
                capabilities: capabilities
                    .into_iter()
                    .map(Capability::into_owned)
                    .collect(),
            },
            Response::Mechanisms { status, mechanisms } => Response::Mechanisms {
                status: status.into_owned(),
                mechanisms: mechanisms.into_iter().map(Mechanism::into_owned).collect(),
            },
            Response::Languages { status, languages } => Response::Languages {
                status: status.into_owned(),
                languages: languages.into_iter().map(Language::into_owned).collect(),
            },
            Response::Message { status, content } => Response::Message {
                status: status.into_owned(),
                content: Cow::Owned(content.into_owned()),
            },
        }
    }
}
