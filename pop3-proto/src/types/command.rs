//! POP3 commands: RFC 1939 §§4-7, RFC 2449 §5 (CAPA), RFC 2595 §4 (STLS), RFC 5034 §4
//! (AUTH), RFC 1734 (bare AUTH listing), RFC 6856 §§2-3 (UTF8, LANG).

use alloc::borrow::Cow;

use super::arg::{ApopDigest, Base64, Mechanism, MessageNumber, Param, Password};

/// The optional initial response of `AUTH` (RFC 5034 §4): base64, or `=` for an empty one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InitialResponse<'a> {
    /// `=`: a present but empty response.
    Empty,
    /// Non-empty base64 text.
    Data(Base64<'a>),
}

impl InitialResponse<'_> {
    /// An initial response carrying `data` (empty data becomes [`InitialResponse::Empty`]).
    pub fn encode(data: &[u8]) -> InitialResponse<'static> {
        if data.is_empty() {
            InitialResponse::Empty
        } else {
            InitialResponse::Data(Base64::encode(data))
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> InitialResponse<'static> {
        match self {
            InitialResponse::Empty => InitialResponse::Empty,
            InitialResponse::Data(b) => InitialResponse::Data(b.into_owned()),
        }
    }
}

/// A POP3 command. Keywords are case-insensitive on input and written in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `USER name` (RFC 1939 §7).
    User(Param<'a>),
    /// `PASS string`: the rest of the line, spaces included (RFC 1939 §7).
    Pass(Password<'a>),
    /// `APOP name digest` (RFC 1939 §7).
    Apop {
        /// The mailbox name.
        name: Param<'a>,
        /// The MD5 digest of timestamp and shared secret.
        digest: ApopDigest,
    },
    /// `QUIT` (RFC 1939 §§4, 6).
    Quit,
    /// `STAT` (RFC 1939 §5).
    Stat,
    /// `LIST [msg]` (RFC 1939 §5): without an argument the response is multi-line.
    List(Option<MessageNumber>),
    /// `RETR msg` (RFC 1939 §5).
    Retr(MessageNumber),
    /// `DELE msg` (RFC 1939 §5).
    Dele(MessageNumber),
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5).
    Rset,
    /// `TOP msg n` (RFC 1939 §7): the headers and the first `lines` lines of the body.
    Top {
        /// The message.
        msg: MessageNumber,
        /// How many body lines (0 for the headers only).
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7): without an argument the response is multi-line.
    Uidl(Option<MessageNumber>),
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The initial response, if sent with the command.
        initial_response: Option<InitialResponse<'a>>,
    },
    /// Bare `AUTH`: asks for the list of mechanisms (RFC 1734 §2; multi-line answer).
    AuthList,
    /// `UTF8` (RFC 6856 §2.1).
    Utf8,
    /// `LANG [range]` (RFC 6856 §3): without an argument, asks for the language listing.
    Lang(Option<Param<'a>>),
    /// A well-formed command this crate does not know (RFC 2449 §3 `keyword *(SP param)`),
    /// built with [`Command::unknown`].
    Unknown(UnknownCommand<'a>),
}

/// A command this crate does not know: keyword and parameters as sent, validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownCommand<'a> {
    pub(crate) keyword: Cow<'a, str>,
    pub(crate) args: Cow<'a, str>,
}

impl UnknownCommand<'_> {
    /// The keyword, as sent (3 or 4 printable characters).
    pub fn keyword(&self) -> &str {
        &self.keyword
    }

    /// The parameters, as sent, without the leading space (may be empty).
    pub fn args(&self) -> &str {
        &self.args
    }

    /// An owned copy.
    pub fn into_owned(self) -> UnknownCommand<'static> {
        UnknownCommand {
            keyword: Cow::Owned(self.keyword.into_owned()),
            args: Cow::Owned(self.args.into_owned()),
        }
    }
}

/// How the response to a command is framed, which the response decoder needs to know
/// (RFC 1939 §3: which responses are multi-line depends on the command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseKind {
    /// The server greeting (RFC 1939 §4).
    Greeting,
    /// A single status line with free text.
    Status,
    /// `STAT`: `+OK count size` (RFC 1939 §5).
    Stat,
    /// `LIST msg`: `+OK msg size` (RFC 1939 §5).
    ScanListing,
    /// `UIDL msg`: `+OK msg unique-id` (RFC 1939 §7).
    UniqueIdListing,
    /// `LIST`: status, then one scan listing per line, then `.`.
    ScanList,
    /// `UIDL`: status, then one unique-id listing per line, then `.`.
    UniqueIdList,
    /// `CAPA`: status, then one capability per line, then `.` (RFC 2449 §5).
    Capabilities,
    /// `RETR`/`TOP`: status, then dot-stuffed message content, then `.`.
    Message,
    /// Bare `AUTH`: status, then one mechanism per line, then `.` (RFC 1734).
    Mechanisms,
    /// `LANG` without argument: status, then language listings, then `.` (RFC 6856 §3.2).
    Languages,
    /// `AUTH mech`: `+ base64` continuations until `+OK` or `-ERR` (RFC 5034 §4).
    Auth,
}

impl ResponseKind {
    /// Whether a positive response is followed by lines ending with `.` CRLF.
    pub fn is_multi_line(self) -> bool {
        matches!(
            self,
            ResponseKind::ScanList
                | ResponseKind::UniqueIdList
                | ResponseKind::Capabilities
                | ResponseKind::Message
                | ResponseKind::Mechanisms
                | ResponseKind::Languages
        )
    }
}

impl<'a> Command<'a> {
    /// How the server's response to this command is framed.
    pub fn response_kind(&self) -> ResponseKind {
        match self {
            Command::Stat => ResponseKind::Stat,
            Command::List(None) => ResponseKind::ScanList,
            Command::List(Some(_)) => ResponseKind::ScanListing,
            Command::Uidl(None) => ResponseKind::UniqueIdList,
            Command::Uidl(Some(_)) => ResponseKind::UniqueIdListing,
            Command::Retr(_) | Command::Top { .. } => ResponseKind::Message,
            Command::Capa => ResponseKind::Capabilities,
            Command::AuthList => ResponseKind::Mechanisms,
            Command::Lang(None) => ResponseKind::Languages,
            Command::Auth { .. } => ResponseKind::Auth,
            _ => ResponseKind::Status,
        }
    }

    /// The command keyword, upper case.
    pub fn keyword(&self) -> &str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Apop { .. } => "APOP",
            Command::Quit => "QUIT",
            Command::Stat => "STAT",
            Command::List(_) => "LIST",
            Command::Retr(_) => "RETR",
            Command::Dele(_) => "DELE",
            Command::Noop => "NOOP",
            Command::Rset => "RSET",
            Command::Top { .. } => "TOP",
            Command::Uidl(_) => "UIDL",
            Command::Capa => "CAPA",
            Command::Stls => "STLS",
            Command::Auth { .. } | Command::AuthList => "AUTH",
            Command::Utf8 => "UTF8",
            Command::Lang(_) => "LANG",
            Command::Unknown(u) => u.keyword(),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Command::User(p) => Command::User(p.into_owned()),
            Command::Pass(p) => Command::Pass(p.into_owned()),
            Command::Apop { name, digest } => Command::Apop {
                name: name.into_owned(),
                digest,
            },
            Command::Quit => Command::Quit,
            Command::Stat => Command::Stat,
            Command::List(m) => Command::List(m),
            Command::Retr(m) => Command::Retr(m),
            Command::Dele(m) => Command::Dele(m),
            Command::Noop => Command::Noop,
            Command::Rset => Command::Rset,
            Command::Top { msg, lines } => Command::Top { msg, lines },
            Command::Uidl(m) => Command::Uidl(m),
            Command::Capa => Command::Capa,
            Command::Stls => Command::Stls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(InitialResponse::into_owned),
            },
            Command::AuthList => Command::AuthList,
            Command::Utf8 => Command::Utf8,
            Command::Lang(p) => Command::Lang(p.map(Param::into_owned)),
            Command::Unknown(u) => Command::Unknown(u.into_owned()),
        }
    }
}

/// A client line during an `AUTH` exchange (RFC 5034 §4): a base64 response, or `*` to
/// cancel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthLine<'a> {
    /// A base64 response (possibly empty).
    Response(Base64<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl AuthLine<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> AuthLine<'static> {
        match self {
            AuthLine::Response(b) => AuthLine::Response(b.into_owned()),
            AuthLine::Cancel => AuthLine::Cancel,
        }
    }
}
