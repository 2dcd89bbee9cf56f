//! Paths, mailboxes, domains and address literals: RFC 5321 §4.1.2, §4.1.3, with the
//! UTF-8 forms of RFC 6531 §3.3.

use alloc::borrow::Cow;
use alloc::string::ToString;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Error;
use crate::parse::{path as p, validate};

/// RFC 5321 §4.5.3.1.1: the longest local-part, in octets.
pub const MAX_LOCAL_PART: usize = 64;
/// RFC 5321 §4.5.3.1.2: the longest domain, in octets.
pub const MAX_DOMAIN: usize = 255;
/// RFC 5321 §4.5.3.1.3: the longest path, in octets, angle brackets included.
pub const MAX_PATH: usize = 256;

/// A domain name: `Domain = sub-domain *("." sub-domain)` (RFC 5321 §4.1.2), where a
/// sub-domain may be a U-label (RFC 6531 §3.3). At most [`MAX_DOMAIN`] octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain<'a>(pub(crate) Cow<'a, str>);

impl<'a> Domain<'a> {
    /// Validates `s` as a `Domain`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it does not match the rule or is too long.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "Domain", p::domain)?;
        Ok(Domain(s))
    }
    /// The domain as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether it is all ASCII (no U-labels; usable without SMTPUTF8).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }
    /// An owned copy.
    pub fn into_owned(self) -> Domain<'static> {
        Domain(Cow::Owned(self.0.into_owned()))
    }
}

/// An address literal, RFC 5321 §4.1.3.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressLiteral<'a> {
    /// `IPv4-address-literal = Snum 3("." Snum)`.
    Ipv4(Ipv4Addr),
    /// `IPv6-address-literal = "IPv6:" IPv6-addr`.
    Ipv6(Ipv6Addr),
    /// `General-address-literal = Standardized-tag ":" 1*dcontent`. The tag is never
    /// `IPv6` (that form is [`AddressLiteral::Ipv6`]).
    General {
        /// `Standardized-tag = Ldh-str`.
        tag: Cow<'a, str>,
        /// `1*dcontent`, printable ASCII except `[`, `\` and `]`.
        content: Cow<'a, str>,
    },
}

impl<'a> AddressLiteral<'a> {
    /// A validated general address literal.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if the tag is not an `Ldh-str`, is `IPv6`, or the content has
    /// forbidden bytes.
    pub fn general(
        tag: impl Into<Cow<'a, str>>,
        content: impl Into<Cow<'a, str>>,
    ) -> Result<Self, Error> {
        let (tag, content) = (tag.into(), content.into());
        validate(tag.as_bytes(), "Standardized-tag", p::ldh_str)?;
        if tag.eq_ignore_ascii_case("IPv6") {
            return Err(Error::InvalidValue {
                what: "Standardized-tag",
            });
        }
        if content.is_empty() || !content.bytes().all(p::is_dcontent) {
            return Err(Error::InvalidValue { what: "dcontent" });
        }
        Ok(AddressLiteral::General { tag, content })
    }
    /// Checks a literal built by hand: the fields of [`AddressLiteral::General`] are
    /// public (enum variants' are), so it may hold what [`AddressLiteral::general`] would
    /// refuse — a `]`, CR or LF that would end the literal or the command line.
    ///
    /// # Errors
    /// As [`AddressLiteral::general`].
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            AddressLiteral::General { tag, content } => {
                AddressLiteral::general(&**tag, &**content).map(drop)
            }
            AddressLiteral::Ipv4(_) | AddressLiteral::Ipv6(_) => Ok(()),
        }
    }
    /// An owned copy.
    pub fn into_owned(self) -> AddressLiteral<'static> {
        match self {
            AddressLiteral::Ipv4(a) => AddressLiteral::Ipv4(a),
            AddressLiteral::Ipv6(a) => AddressLiteral::Ipv6(a),
            AddressLiteral::General { tag, content } => AddressLiteral::General {
                tag: Cow::Owned(tag.into_owned()),
                content: Cow::Owned(content.into_owned()),
            },
        }
    }
}

/// What follows the `@` of a mailbox, and the argument of EHLO/HELO/LHLO:
/// `Domain / address-literal`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A domain name.
    Domain(Domain<'a>),
    /// An address literal.
    Literal(AddressLiteral<'a>),
}

impl Host<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Host::Domain(d) => Host::Domain(d.into_owned()),
            Host::Literal(l) => Host::Literal(l.into_owned()),
        }
    }
    /// Checks a host built by hand ([`AddressLiteral::validate`]); a [`Domain`] is always
    /// valid.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Host::Domain(_) => Ok(()),
            Host::Literal(l) => l.validate(),
        }
    }
    /// Whether it is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            Host::Domain(d) => d.is_ascii(),
            Host::Literal(_) => true,
        }
    }
    /// Parses and validates `Domain / address-literal` (for callers building values).
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn parse(s: &str) -> Result<Host<'_>, Error> {
        validate(s.as_bytes(), "Domain / address-literal", p::host)
    }
}

impl core::fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d.as_str()),
            Host::Literal(AddressLiteral::Ipv4(a)) => write!(f, "[{a}]"),
            Host::Literal(AddressLiteral::Ipv6(a)) => write!(f, "[IPv6:{a}]"),
            Host::Literal(AddressLiteral::General { tag, content }) => {
                write!(f, "[{tag}:{content}]")
            }
        }
    }
}

/// A local part as written on the wire: `Local-part = Dot-string / Quoted-string`
/// (RFC 5321 §4.1.2), UTF-8 allowed (RFC 6531 §3.3). At most [`MAX_LOCAL_PART`] octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPart<'a>(pub(crate) Cow<'a, str>);

impl<'a> LocalPart<'a> {
    /// Validates the wire form (`john.smith` or `"john smith"`, quotes included).
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "Local-part", p::local_part)?;
        Ok(LocalPart(s))
    }
    /// Builds the shortest wire form of an arbitrary local part: a `Dot-string` when it is
    /// one, a `Quoted-string` otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it contains control characters or is too long.
    pub fn from_unquoted(s: &str) -> Result<LocalPart<'static>, Error> {
        if validate(s.as_bytes(), "Dot-string", p::dot_string).is_ok() {
            return LocalPart::new(Cow::Owned(s.to_string()));
        }
        let mut q = alloc::string::String::with_capacity(s.len() + 2);
        q.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        LocalPart::new(Cow::Owned(q))
    }
    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether it is a `Quoted-string`.
    pub fn is_quoted(&self) -> bool {
        self.0.starts_with('"')
    }
    /// The local part with quoting removed (RFC 5321 §4.1.2: quoted and unquoted forms of
    /// the same string are the same local part).
    pub fn unquoted(&self) -> Cow<'_, str> {
        if !self.is_quoted() {
            return Cow::Borrowed(&self.0);
        }
        let inner = self
            .0
            .get(1..self.0.len().saturating_sub(1))
            .unwrap_or_default();
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = alloc::string::String::with_capacity(inner.len());
        let mut esc = false;
        for c in inner.chars() {
            if c == '\\' && !esc {
                esc = true;
                continue;
            }
            esc = false;
            out.push(c);
        }
        Cow::Owned(out)
    }
    /// An owned copy.
    pub fn into_owned(self) -> LocalPart<'static> {
        LocalPart(Cow::Owned(self.0.into_owned()))
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )`, RFC 5321 §4.1.2.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    /// The part before the `@`.
    pub local_part: LocalPart<'a>,
    /// The part after it.
    pub host: Host<'a>,
}

impl<'a> Mailbox<'a> {
    /// Joins the two halves, checking the host ([`Host::validate`]) and the path length
    /// limit ([`MAX_PATH`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a hand-built address literal the grammar refuses;
    /// [`Error::LimitExceeded`] if `<local@host>` would be longer than 256 octets.
    pub fn new(local_part: LocalPart<'a>, host: Host<'a>) -> Result<Self, Error> {
        host.validate()?;
        let m = Mailbox { local_part, host };
        m.check_path_len()?;
        Ok(m)
    }
    /// RFC 5321 §4.5.3.1.3: `<local@host>` is at most [`MAX_PATH`] octets.
    fn check_path_len(&self) -> Result<(), Error> {
        let len = self.local_part.as_str().len() + 3 + host_len(&self.host);
        if len > MAX_PATH {
            return Err(Error::LimitExceeded {
                what: "path",
                limit: MAX_PATH,
            });
        }
        Ok(())
    }
    /// Parses `local@host` (for callers building values).
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn parse(s: &str) -> Result<Mailbox<'_>, Error> {
        let m = validate(s.as_bytes(), "Mailbox", p::mailbox)?;
        Mailbox::new(m.local_part, m.host)
    }
    /// Whether the address is all ASCII (usable without SMTPUTF8).
    pub fn is_ascii(&self) -> bool {
        self.local_part.as_str().is_ascii() && self.host.is_ascii()
    }
    /// Checks a mailbox built by hand (its fields are public): the host
    /// ([`Host::validate`]) and the path length limit of RFC 5321 §4.5.3.1.3 that
    /// [`Mailbox::new`] applies.
    ///
    /// # Errors
    /// [`Error::InvalidValue`], [`Error::LimitExceeded`] (`what: "path"`).
    pub fn validate(&self) -> Result<(), Error> {
        self.host.validate()?;
        self.check_path_len()
    }
    /// An owned copy.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local_part: self.local_part.into_owned(),
            host: self.host.into_owned(),
        }
    }
}

fn host_len(h: &Host<'_>) -> usize {
    struct Count(usize);
    impl core::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = core::fmt::write(&mut c, format_args!("{h}"));
    c.0
}

impl core::fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}@{}", self.local_part.as_str(), self.host)
    }
}

/// `Reverse-path = Path / "<>"`, RFC 5321 §4.1.2. A source route in the input is
/// accepted and ignored (RFC 5321 §4.1.1.2, Appendix C).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath<'a> {
    /// `<>`: the null reverse-path of bounces (RFC 5321 §4.5.5).
    Null,
    /// `<mailbox>`.
    Mailbox(Mailbox<'a>),
}

impl ReversePath<'_> {
    /// Checks a path built by hand ([`Mailbox::validate`]).
    ///
    /// # Errors
    /// As [`Mailbox::validate`].
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            ReversePath::Null => Ok(()),
            ReversePath::Mailbox(m) => m.validate(),
        }
    }
    /// An owned copy.
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            ReversePath::Null => ReversePath::Null,
            ReversePath::Mailbox(m) => ReversePath::Mailbox(m.into_owned()),
        }
    }
    /// Whether it is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ReversePath::Null => true,
            ReversePath::Mailbox(m) => m.is_ascii(),
        }
    }
}

/// `Forward-path = Path`, plus the special `<Postmaster>` of RFC 5321 §4.1.1.3.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain (case-insensitive on input).
    Postmaster,
    /// `<mailbox>` (includes `<Postmaster@domain>`).
    Mailbox(Mailbox<'a>),
}

impl ForwardPath<'_> {
    /// Checks a path built by hand ([`Mailbox::validate`]).
    ///
    /// # Errors
    /// As [`Mailbox::validate`].
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            ForwardPath::Postmaster => Ok(()),
            ForwardPath::Mailbox(m) => m.validate(),
        }
    }
    /// An owned copy.
    pub fn into_owned(self) -> ForwardPath<'static> {
        match self {
            ForwardPath::Postmaster => ForwardPath::Postmaster,
            ForwardPath::Mailbox(m) => ForwardPath::Mailbox(m.into_owned()),
        }
    }
    /// Whether it is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ForwardPath::Postmaster => true,
            ForwardPath::Mailbox(m) => m.is_ascii(),
        }
    }
}
