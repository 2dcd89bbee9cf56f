//! Commands: RFC 5321 §4.1.1, LMTP's LHLO (RFC 2033 §4.1), BDAT (RFC 3030 §2), STARTTLS
//! (RFC 3207 §4), AUTH (RFC 4954 §4) and ETRN (RFC 1985 §5).

use alloc::borrow::Cow;

use crate::error::Error;
use crate::parse::{command as p, validate};
use crate::serialize::Encode;
use crate::types::param::Parameters;
use crate::types::path::{ForwardPath, Host, ReversePath};

/// Free text of a command argument (VRFY, EXPN, HELP, NOOP, ETRN, unknown commands):
/// printable, UTF-8, no CR, LF or NUL, never empty, not starting with a space or tab, and at
/// most [`MAX_TEXT`] octets, so that `VRFY`, `EXPN`, `HELP`, `NOOP` and `ETRN` lines fit
/// the 512 octets of RFC 5321 §4.5.3.1.4. (Only an unknown command with a verb shorter than
/// four letters, as parsed, can carry more.)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'a> Text<'a> {
    /// Validates the text.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if empty or it contains control characters other than TAB;
    /// [`Error::LimitExceeded`] (`what: "command line"`) if longer than [`MAX_TEXT`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "text", p::text)?;
        fits(s.len(), MAX_TEXT, MAX_COMMAND_LINE)?;
        Ok(Text(s))
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// An owned copy.
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

/// A SASL mechanism name (RFC 4422 §3.1: 1 to 20 of `A-Z 0-9 - _`), compared and written
/// in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthMechanism<'a>(pub(crate) Cow<'a, str>);

impl<'a> AuthMechanism<'a> {
    /// `PLAIN` (RFC 4616).
    pub const PLAIN: AuthMechanism<'static> = AuthMechanism(Cow::Borrowed("PLAIN"));
    /// `LOGIN`.
    pub const LOGIN: AuthMechanism<'static> = AuthMechanism(Cow::Borrowed("LOGIN"));
    /// `CRAM-MD5` (RFC 2195).
    pub const CRAM_MD5: AuthMechanism<'static> = AuthMechanism(Cow::Borrowed("CRAM-MD5"));
    /// `XOAUTH2`.
    pub const XOAUTH2: AuthMechanism<'static> = AuthMechanism(Cow::Borrowed("XOAUTH2"));
    /// `OAUTHBEARER` (RFC 7628).
    pub const OAUTHBEARER: AuthMechanism<'static> = AuthMechanism(Cow::Borrowed("OAUTHBEARER"));
    /// `EXTERNAL` (RFC 4422 App. A).
    pub const EXTERNAL: AuthMechanism<'static> = AuthMechanism(Cow::Borrowed("EXTERNAL"));

    /// Validates a mechanism name; lower case is accepted and upper-cased (RFC 4422 §3.1
    /// names are case-insensitive).
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "sasl-mech", p::sasl_mech)?;
        if s.bytes().any(|b| b.is_ascii_lowercase()) {
            return Ok(AuthMechanism(Cow::Owned(s.to_ascii_uppercase())));
        }
        Ok(AuthMechanism(s))
    }
    /// The name, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether the mechanism sends a reusable secret in the clear (PLAIN, LOGIN, XOAUTH2,
    /// OAUTHBEARER): such mechanisms belong on an encrypted connection (RFC 4954 §4).
    pub fn is_plaintext(&self) -> bool {
        matches!(&*self.0, "PLAIN" | "LOGIN" | "XOAUTH2" | "OAUTHBEARER")
    }
    /// An owned copy.
    pub fn into_owned(self) -> AuthMechanism<'static> {
        AuthMechanism(Cow::Owned(self.0.into_owned()))
    }
}

/// Base64 text (RFC 4648 §4 alphabet, padded), as carried by AUTH lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Base64<'a>(pub(crate) Cow<'a, str>);

impl<'a> Base64<'a> {
    /// Validates base64 text (possibly empty).
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "base64", p::base64)?;
        Ok(Base64(s))
    }
    /// Encodes bytes.
    pub fn encode(data: &[u8]) -> Base64<'static> {
        use base64::Engine as _;
        Base64(Cow::Owned(
            base64::engine::general_purpose::STANDARD.encode(data),
        ))
    }
    /// Decodes to bytes.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (cannot happen for validated text with canonical padding
    /// bits; non-canonical trailing bits are refused).
    pub fn decode(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(self.0.as_bytes())
            .map_err(|_| Error::InvalidValue { what: "base64" })
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// An owned copy.
    pub fn into_owned(self) -> Base64<'static> {
        Base64(Cow::Owned(self.0.into_owned()))
    }
}

/// The optional initial response of AUTH (RFC 4954 §4: `"="` is an empty response).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InitialResponse<'a> {
    /// `=`: present and empty.
    Empty,
    /// Base64 data (non-empty).
    Data(Base64<'a>),
}

/// A client line during an AUTH exchange (RFC 4954 §4): base64 data, or `*` to cancel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthResponse<'a> {
    /// A response (possibly empty: an empty line).
    Data(Base64<'a>),
    /// `*`: the client cancels; the server answers 501.
    Cancel,
}

impl AuthResponse<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> AuthResponse<'static> {
        match self {
            AuthResponse::Data(b) => AuthResponse::Data(b.into_owned()),
            AuthResponse::Cancel => AuthResponse::Cancel,
        }
    }
}

/// `MAIL FROM:` (RFC 5321 §4.1.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom<'a> {
    /// The reverse-path.
    pub path: ReversePath<'a>,
    /// The `Mail-parameters`.
    pub params: Parameters<'a>,
}

/// `RCPT TO:` (RFC 5321 §4.1.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcptTo<'a> {
    /// The forward-path.
    pub path: ForwardPath<'a>,
    /// The `Rcpt-parameters`.
    pub params: Parameters<'a>,
}

/// RFC 5321 §4.5.3.1.4: the longest command line, CRLF included (the limit
/// [`Command::decode`] enforces, so a writer must not exceed it either).
pub const MAX_COMMAND_LINE: usize = mail_common::line::SMTP_COMMAND_LINE;

/// The longest `MAIL FROM` line a receiver accepts, CRLF included: the 512 octets of
/// RFC 5321 §4.5.3.1.4 plus the allowance of every MAIL parameter
/// ([`crate::types::Parameter::line_allowance`]: SIZE, BODY, SMTPUTF8, REQUIRETLS, AUTH=,
/// RET, ENVID, MT-PRIORITY, HOLDFOR, HOLDUNTIL, BY). RFC 3461 §5.4: an MTA "MUST be able
/// to accept a command-line large enough for each SMTP command and any combination of
/// ESMTP parameters which may be used with that command".
pub const MAX_MAIL_LINE: usize =
    MAX_COMMAND_LINE + 26 + 16 + 10 + 11 + 500 + (1 + 8) + (1 + 100) + 15 + 18 + 46 + 17;

/// The longest `RCPT TO` line a receiver accepts, CRLF included: 512 plus the 530 octets
/// RFC 3461 §5.4 gives NOTIFY and ORCPT.
pub const MAX_RCPT_LINE: usize = MAX_COMMAND_LINE + 530;

/// The longest [`Text`]: a `VRFY`, `EXPN`, `HELP`, `NOOP` or `ETRN` line is the
/// four-letter verb, SP, the text and CRLF, at most [`MAX_COMMAND_LINE`] octets.
pub const MAX_TEXT: usize = MAX_COMMAND_LINE - b"VRFY ".len() - 2;

/// Refuses `len` octets where at most `max` fit in a line of at most `limit` octets (the
/// limit the error names). Every writer-side length check goes through here.
pub(crate) fn fits(len: usize, max: usize, limit: usize) -> Result<(), Error> {
    if len > max {
        return Err(Error::LimitExceeded {
            what: "command line",
            limit,
        });
    }
    Ok(())
}

/// Refuses a `verb path [SP params]` CRLF line longer than [`MAX_COMMAND_LINE`] plus the
/// parameters' allowances ([`Parameters::line_allowance`]).
fn check_line(verb: &[u8], path: &impl Encode, params: &Parameters<'_>) -> Result<(), Error> {
    let mut len = verb.len() + path.to_bytes().len() + 2;
    if !params.is_empty() {
        len += 1 + params.to_bytes().len();
    }
    let limit = MAX_COMMAND_LINE + params.line_allowance();
    fits(len, limit, limit)
}

impl<'a> MailFrom<'a> {
    /// `MAIL FROM:` with its parameters, refusing a line longer than the 512 octets of
    /// RFC 5321 §4.5.3.1.4 plus what the parameters' extensions add
    /// ([`Parameters::line_allowance`]), which a receiver may reject.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] (`what: "command line"`).
    pub fn new(path: ReversePath<'a>, params: Parameters<'a>) -> Result<Self, Error> {
        check_line(b"MAIL FROM:", &path, &params)?;
        Ok(MailFrom { path, params })
    }
}

impl<'a> RcptTo<'a> {
    /// `RCPT TO:` with its parameters, refusing a line longer than the 512 octets of
    /// RFC 5321 §4.5.3.1.4 plus what the parameters' extensions add (RFC 3461 §5.4: 530
    /// for NOTIFY and ORCPT).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] (`what: "command line"`).
    pub fn new(path: ForwardPath<'a>, params: Parameters<'a>) -> Result<Self, Error> {
        check_line(b"RCPT TO:", &path, &params)?;
        Ok(RcptTo { path, params })
    }
}

impl Command<'_> {
    /// Whether the command's line (CRLF included) fits the 512 octets of RFC 5321
    /// §4.5.3.1.4. That includes AUTH with its initial response: RFC 4954 §4 keeps the
    /// AUTH command to the SMTP line limit (a client whose initial response would not fit
    /// sends it after the first 334 instead, as [`crate::client::Client`] does), even
    /// though [`Command::decode`] accepts AUTH lines up to [`crate::types::AUTH_LINE`] from
    /// peers that do not. The struct fields are public, so a command built by hand can be
    /// too long; the client checks with this before it writes anything.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] (`what: "command line"`).
    /// MAIL and RCPT lines may be longer by their parameters' allowances
    /// ([`Parameters::line_allowance`], RFC 3461 §5.4 and the other extensions).
    pub fn check_line_length(&self) -> Result<(), Error> {
        let limit = MAX_COMMAND_LINE
            + match self {
                Command::MailFrom(m) => m.params.line_allowance(),
                Command::RcptTo(r) => r.params.line_allowance(),
                _ => 0,
            };
        fits(self.to_bytes().len(), limit, limit)
    }
}

impl Command<'_> {
    /// Everything a writer must check before sending a command built by hand, whose
    /// public fields can hold what the validating constructors refuse: the EHLO/HELO/LHLO
    /// host and the paths ([`Host::validate`], [`ReversePath::validate`],
    /// [`ForwardPath::validate`]: no `]`, CR or LF in a general address literal, paths
    /// within RFC 5321 §4.5.3.1.3), then the line length
    /// ([`check_line_length`](Self::check_line_length)). Parameters and text arguments
    /// are validated types (a [`Parameters`] list is built only by
    /// [`Parameters::from_list`], which checks each one).
    ///
    /// # Errors
    /// [`Error::InvalidValue`], [`Error::LimitExceeded`].
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Command::Ehlo(h) | Command::Helo(h) | Command::Lhlo(h) => h.validate()?,
            Command::MailFrom(m) => m.path.validate()?,
            Command::RcptTo(r) => r.path.validate()?,
            _ => {}
        }
        self.check_line_length()
    }
}

impl AuthResponse<'_> {
    /// Whether the line (CRLF included) fits the [`crate::types::AUTH_LINE`] octets that
    /// RFC 4954 §4 considers sufficient for an AUTH exchange, the limit this crate's
    /// server applies.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] (`what: "command line"`).
    pub fn check_line_length(&self) -> Result<(), Error> {
        let limit = crate::types::AUTH_LINE;
        fits(self.to_bytes().len(), limit, limit)
    }
}

/// A command verb that is not one of the known ones (`1*(ALPHA / DIGIT / "-")`, up to 32).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Verb<'a>(pub(crate) Cow<'a, str>);

impl<'a> Verb<'a> {
    /// Validates an unknown verb.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if malformed or a known command's verb.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "verb", p::verb)?;
        if p::known_verb(s.as_bytes()) {
            return Err(Error::InvalidValue {
                what: "verb (not a known command)",
            });
        }
        Ok(Verb(s))
    }
    /// The verb as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An SMTP, ESMTP or LMTP command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// `EHLO` (RFC 5321 §4.1.1.1).
    Ehlo(Host<'a>),
    /// `HELO` (RFC 5321 §4.1.1.1). The RFC's grammar has a `Domain` here; an address
    /// literal is accepted as well, as deployed servers do.
    Helo(Host<'a>),
    /// `LHLO` (RFC 2033 §4.1).
    Lhlo(Host<'a>),
    /// `MAIL FROM:` (RFC 5321 §4.1.1.2).
    MailFrom(MailFrom<'a>),
    /// `RCPT TO:` (RFC 5321 §4.1.1.3).
    RcptTo(RcptTo<'a>),
    /// `DATA` (RFC 5321 §4.1.1.4).
    Data,
    /// `BDAT chunk-size [ "LAST" ]` (RFC 3030 §2).
    Bdat {
        /// `chunk-size = 1*DIGIT`, the exact number of octets that follow.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET` (RFC 5321 §4.1.1.5).
    Rset,
    /// `VRFY` (RFC 5321 §4.1.1.6).
    Vrfy(Text<'a>),
    /// `EXPN` (RFC 5321 §4.1.1.7).
    Expn(Text<'a>),
    /// `HELP [ SP String ]` (RFC 5321 §4.1.1.8).
    Help(Option<Text<'a>>),
    /// `NOOP [ SP String ]` (RFC 5321 §4.1.1.9).
    Noop(Option<Text<'a>>),
    /// `QUIT` (RFC 5321 §4.1.1.10).
    Quit,
    /// `STARTTLS` (RFC 3207 §4).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism.
        mechanism: AuthMechanism<'a>,
        /// The initial response, if given.
        initial_response: Option<InitialResponse<'a>>,
    },
    /// `ETRN SP [ "@" / "#" ] domain-or-queue` (RFC 1985 §5), kept as text.
    Etrn(Text<'a>),
    /// Any other well-formed command line: servers answer 500/502.
    Unknown {
        /// The verb.
        verb: Verb<'a>,
        /// Everything after the first space, if anything.
        args: Option<Text<'a>>,
    },
}

impl Command<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Command::Ehlo(h) => Command::Ehlo(h.into_owned()),
            Command::Helo(h) => Command::Helo(h.into_owned()),
            Command::Lhlo(h) => Command::Lhlo(h.into_owned()),
            Command::MailFrom(m) => Command::MailFrom(MailFrom {
                path: m.path.into_owned(),
                params: m.params.into_owned(),
            }),
            Command::RcptTo(r) => Command::RcptTo(RcptTo {
                path: r.path.into_owned(),
                params: r.params.into_owned(),
            }),
            Command::Data => Command::Data,
            Command::Bdat { size, last } => Command::Bdat { size, last },
            Command::Rset => Command::Rset,
            Command::Vrfy(t) => Command::Vrfy(t.into_owned()),
            Command::Expn(t) => Command::Expn(t.into_owned()),
            Command::Help(t) => Command::Help(t.map(Text::into_owned)),
            Command::Noop(t) => Command::Noop(t.map(Text::into_owned)),
            Command::Quit => Command::Quit,
            Command::StartTls => Command::StartTls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(|r| match r {
                    InitialResponse::Empty => InitialResponse::Empty,
                    InitialResponse::Data(b) => InitialResponse::Data(b.into_owned()),
                }),
            },
            Command::Etrn(t) => Command::Etrn(t.into_owned()),
            Command::Unknown { verb, args } => Command::Unknown {
                verb: Verb(Cow::Owned(verb.0.into_owned())),
                args: args.map(Text::into_owned),
            },
        }
    }

    /// The verb, upper case for known commands.
    pub fn verb(&self) -> &str {
        match self {
            Command::Ehlo(_) => "EHLO",
            Command::Helo(_) => "HELO",
            Command::Lhlo(_) => "LHLO",
            Command::MailFrom(_) => "MAIL",
            Command::RcptTo(_) => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Vrfy(_) => "VRFY",
            Command::Expn(_) => "EXPN",
            Command::Help(_) => "HELP",
            Command::Noop(_) => "NOOP",
            Command::Quit => "QUIT",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
            Command::Etrn(_) => "ETRN",
            Command::Unknown { verb, .. } => verb.as_str(),
        }
    }
}
