//! The EHLO (and LHLO) response as a typed capability set: RFC 5321 §4.1.1.1
//! (`ehlo-ok-rsp`) and the service extensions' keywords.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::error::Error;
use crate::types::command::AuthMechanism;
use crate::types::param::{Body, ByMode, DateTime, Parameter};

/// One EHLO keyword line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Capability<'a> {
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `AUTH mech...` (RFC 4954 §3).
    Auth(Vec<AuthMechanism<'a>>),
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `CHUNKING` (RFC 3030).
    Chunking,
    /// `DELIVERBY [min-by-time]` (RFC 2852 §3).
    DeliverBy(Option<u32>),
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `ETRN` (RFC 1985).
    Etrn,
    /// `EXPN` (RFC 5321 §4.1.1.7).
    Expn,
    /// `FUTURERELEASE max-interval max-datetime` (RFC 4865 §3).
    FutureRelease {
        /// Longest HOLDFOR in seconds.
        max_interval: u32,
        /// Latest HOLDUNTIL.
        max_datetime: DateTime<'a>,
    },
    /// `HELP` (RFC 5321 §4.1.1.8).
    Help,
    /// `LIMITS limit *(SP limit)` (RFC 9422 §3): limits the server applies in this
    /// session, in the order given; at least one.
    Limits(Vec<Limit<'a>>),
    /// `MT-PRIORITY [profile]` (RFC 6710 §3).
    MtPriority(Option<Cow<'a, str>>),
    /// `NO-SOLICITING [keywords]` (RFC 3865).
    NoSoliciting(Option<Cow<'a, str>>),
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `SIZE [number]` (RFC 1870 §4): `Size(None)` is "SIZE" with no number (no limit
    /// announced), `Size(Some(0))` is "SIZE 0" (explicitly no fixed limit); they are kept
    /// apart.
    Size(Option<u64>),
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `VRFY` (RFC 5321 §4.1.1.6).
    Vrfy,
    /// `XCLIENT name...` (Postfix's XCLIENT extension): the attributes a trusted client
    /// may override with the XCLIENT command, in the order given (possibly none).
    Xclient(Vec<XAttribute<'a>>),
    /// `XFORWARD name...` (Postfix's XFORWARD extension): the attributes a trusted client
    /// may forward with the XFORWARD command, in the order given (possibly none).
    Xforward(Vec<XAttribute<'a>>),
    /// Any other keyword line (or a known keyword with unexpected parameters), kept.
    Other {
        /// The keyword (`1*(%d33-126)`, normally an `ehlo-keyword`).
        keyword: Cow<'a, str>,
        /// `ehlo-param`s, each `1*(%d33-126)`.
        params: Vec<Cow<'a, str>>,
    },
}

/// One limit of a LIMITS line, RFC 9422 §3:
///
/// ```text
/// limits-param     = limit-name-value 0*[SP limit-name-value]
/// limit-name-value = limit-name ["=" limit-value]
/// limit-name       = 1*(ALPHA / DIGIT / "-" / "_")
/// limit-value      = 1*(%x21-3A / %x3C-7E)   ; any VCHAR except ";"
/// ```
///
/// The three limits RFC 9422 §4 registers take a number, which this crate reads as
/// `1*6DIGIT`. RFC 9422 is not in the project's RFC folder: the grammar above is §3 as
/// published (read from a mirror of the RFC's text); the value syntax `1*6DIGIT` of the
/// registered limits is the RFC's §4 as recalled (a public implementation reads them the
/// same way), not checked against its text here. A registered name with any other value
/// (or none) is kept as [`Limit::Other`], as are names RFC 9422 does not register (later
/// registrations go to the IANA registry it creates). Names are matched without regard to
/// case (this crate's choice, as for EHLO keywords).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Limit<'a> {
    /// `MAILMAX=n`: at most `n` transactions (MAIL commands) in the session (RFC 9422
    /// §4.1).
    MailMax(u32),
    /// `RCPTMAX=n`: at most `n` RCPT commands in one transaction (RFC 9422 §4.2); a
    /// client with more recipients sends the message in several transactions.
    RcptMax(u32),
    /// `RCPTDOMAINMAX=n`: at most `n` different recipient domains in one transaction
    /// (RFC 9422 §4.3).
    RcptDomainMax(u32),
    /// Any other `limit-name ["=" limit-value]`, kept as given.
    Other {
        /// The `limit-name`.
        name: Cow<'a, str>,
        /// The `limit-value`, if any.
        value: Option<Cow<'a, str>>,
    },
}

impl Limit<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Limit<'static> {
        match self {
            Limit::MailMax(n) => Limit::MailMax(n),
            Limit::RcptMax(n) => Limit::RcptMax(n),
            Limit::RcptDomainMax(n) => Limit::RcptDomainMax(n),
            Limit::Other { name, value } => Limit::Other {
                name: Cow::Owned(name.into_owned()),
                value: value.map(|v| Cow::Owned(v.into_owned())),
            },
        }
    }
}

/// An attribute name of an XCLIENT or XFORWARD EHLO line (Postfix's XCLIENT and XFORWARD
/// extensions: the keyword, then the names of the attributes the client may send, such as
/// `XCLIENT NAME ADDR PROTO HELO` or `XFORWARD NAME ADDR PROTO HELO SOURCE`). Names are
/// matched without regard to case; unknown names are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum XAttribute<'a> {
    /// `NAME`: the client's host name.
    Name,
    /// `REVERSE_NAME`: the client's reverse DNS name (XCLIENT).
    ReverseName,
    /// `ADDR`: the client's address.
    Addr,
    /// `PORT`: the client's port.
    Port,
    /// `PROTO`: SMTP or ESMTP (LMTP for XFORWARD).
    Proto,
    /// `HELO`: the HELO/EHLO argument.
    Helo,
    /// `LOGIN`: the SASL login name (XCLIENT).
    Login,
    /// `DESTADDR`: the server's address (XCLIENT).
    DestAddr,
    /// `DESTPORT`: the server's port (XCLIENT).
    DestPort,
    /// `IDENT`: the original queue ID (XFORWARD).
    Ident,
    /// `SOURCE`: LOCAL or REMOTE (XFORWARD).
    Source,
    /// Any other name (`1*(%d33-126)`), kept as given.
    Other(Cow<'a, str>),
}

impl XAttribute<'_> {
    /// The name as written on the EHLO line (upper case for the known ones).
    pub fn as_str(&self) -> &str {
        match self {
            XAttribute::Name => "NAME",
            XAttribute::ReverseName => "REVERSE_NAME",
            XAttribute::Addr => "ADDR",
            XAttribute::Port => "PORT",
            XAttribute::Proto => "PROTO",
            XAttribute::Helo => "HELO",
            XAttribute::Login => "LOGIN",
            XAttribute::DestAddr => "DESTADDR",
            XAttribute::DestPort => "DESTPORT",
            XAttribute::Ident => "IDENT",
            XAttribute::Source => "SOURCE",
            XAttribute::Other(o) => o,
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> XAttribute<'static> {
        match self {
            XAttribute::Name => XAttribute::Name,
            XAttribute::ReverseName => XAttribute::ReverseName,
            XAttribute::Addr => XAttribute::Addr,
            XAttribute::Port => XAttribute::Port,
            XAttribute::Proto => XAttribute::Proto,
            XAttribute::Helo => XAttribute::Helo,
            XAttribute::Login => XAttribute::Login,
            XAttribute::DestAddr => XAttribute::DestAddr,
            XAttribute::DestPort => XAttribute::DestPort,
            XAttribute::Ident => XAttribute::Ident,
            XAttribute::Source => XAttribute::Source,
            XAttribute::Other(o) => XAttribute::Other(Cow::Owned(o.into_owned())),
        }
    }
}

/// A successful EHLO/LHLO response: `250-Domain [SP ehlo-greet]` then one keyword per line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EhloResponse<'a> {
    /// The server's name as it gave it (printable, no spaces).
    pub domain: Cow<'a, str>,
    /// The greeting text after the domain.
    pub greeting: Option<Cow<'a, str>>,
    /// The extensions, in the order given.
    pub capabilities: Vec<Capability<'a>>,
}

fn is_param(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (33..=126).contains(&b) || b >= 0x80)
}

impl<'a> EhloResponse<'a> {
    /// Builds a response, validating the domain, greeting and any `Other` capability.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(
        domain: impl Into<Cow<'a, str>>,
        greeting: Option<Cow<'a, str>>,
        capabilities: Vec<Capability<'a>>,
    ) -> Result<Self, Error> {
        let domain = domain.into();
        // The domain must not read as an enhanced status code on the reply line.
        if !is_param(&domain) || crate::parse::reply::enhanced_prefix(domain.as_bytes()).is_some() {
            return Err(Error::InvalidValue { what: "Domain" });
        }
        if let Some(g) = &greeting {
            // ehlo-greet = 1*(%d0-9 / %d11-12 / %d14-127): no CR, LF; we also refuse NUL.
            if g.is_empty() || g.bytes().any(|b| b < 32 && b != 9 || b == 127) {
                return Err(Error::InvalidValue { what: "ehlo-greet" });
            }
        }
        for c in &capabilities {
            match c {
                Capability::Other { keyword, params } => {
                    if !is_param(keyword) || !params.iter().all(|p| is_param(p)) {
                        return Err(Error::InvalidValue { what: "ehlo-line" });
                    }
                    if crate::parse::ehlo::capability(keyword, params.iter().map(|p| &**p))
                        .is_some()
                    {
                        return Err(Error::InvalidValue {
                            what: "ehlo-line (use the typed capability)",
                        });
                    }
                }
                Capability::MtPriority(Some(p)) | Capability::NoSoliciting(Some(p))
                    if !is_param(p) =>
                {
                    return Err(Error::InvalidValue { what: "ehlo-param" });
                }
                // Valid when the line it writes reads back as the same value: the names
                // and values match their rules, an `Other` is not a typed one in
                // disguise, a number fits its `1*6DIGIT`, and LIMITS has a limit.
                Capability::Limits(_) | Capability::Xclient(_) | Capability::Xforward(_) => {
                    let line = c.to_line();
                    // Split as the decoder splits (runs of spaces are one separator).
                    let mut words = line.split(' ').filter(|w| !w.is_empty());
                    let keyword = words.next().unwrap_or_default();
                    if crate::parse::ehlo::capability(keyword, words).as_ref() != Some(c) {
                        return Err(Error::InvalidValue {
                            what: match c {
                                Capability::Limits(_) => "LIMITS limits-param",
                                _ => "XCLIENT/XFORWARD attribute name",
                            },
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(EhloResponse {
            domain,
            greeting,
            capabilities,
        })
    }

    /// Whether a capability of this kind is present (parameters ignored).
    pub fn has(&self, probe: &Capability<'_>) -> bool {
        self.capabilities
            .iter()
            .any(|c| core::mem::discriminant(c) == core::mem::discriminant(probe))
    }
    /// The SIZE capability: `None` if absent, `Some(None)` without a number.
    pub fn size(&self) -> Option<Option<u64>> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::Size(s) => Some(*s),
            _ => None,
        })
    }
    /// The AUTH mechanisms (empty if AUTH is absent).
    pub fn auth_mechanisms(&self) -> &[AuthMechanism<'a>] {
        self.capabilities
            .iter()
            .find_map(|c| match c {
                Capability::Auth(m) => Some(m.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    }
    /// Whether a client may send `param` (on MAIL or RCPT) to the server that gave this
    /// response, on a connection that is encrypted (`tls`) or not. RFC 5321 §4.1.1.11: a
    /// parameter is used only when its extension was advertised. `SIZE=n` must not exceed
    /// an advertised limit (RFC 1870 §6; `SIZE` alone or `SIZE 0` means no fixed limit);
    /// `BODY=BINARYMIME` needs BINARYMIME and CHUNKING (RFC 3030 §3); `REQUIRETLS` needs
    /// REQUIRETLS and TLS (RFC 8689 §2); `HOLDFOR` at most FUTURERELEASE's
    /// max-interval and `HOLDUNTIL` no later than its max-future-datetime (RFC 4865 §3);
    /// `BY` with by-mode R at least DELIVERBY's min-by-time (RFC 2852 §3, §4). Unknown
    /// parameters are the caller's business. The number of recipients is checked by
    /// [`check_recipients`](Self::check_recipients).
    ///
    /// # Errors
    /// [`Error::ParameterNotOffered`] naming the parameter and the missing keyword,
    /// [`Error::ParameterAboveLimit`] (SIZE, HOLDFOR, HOLDUNTIL as seconds since
    /// 1970-01-01T00:00:00Z, 0 for earlier times), [`Error::ParameterBelowLimit`] (BY), or
    /// [`Error::ParameterNeedsTls`].
    pub fn check_parameter(&self, param: &Parameter<'_>, tls: bool) -> Result<(), Error> {
        let need = |probe: &Capability<'_>, parameter, capability| {
            if self.has(probe) {
                Ok(())
            } else {
                Err(Error::ParameterNotOffered {
                    parameter,
                    capability,
                })
            }
        };
        match param {
            Parameter::Size(size) => match self.size() {
                None => need(&Capability::Size(None), "SIZE", "SIZE"),
                Some(Some(limit)) if limit > 0 && *size > limit => {
                    Err(Error::ParameterAboveLimit {
                        parameter: "SIZE",
                        value: *size,
                        limit,
                    })
                }
                Some(_) => Ok(()),
            },
            // RFC 6152 §2 defines BODY (7BIT and 8BITMIME); RFC 3030 §3 adds BINARYMIME.
            Parameter::Body(Body::SevenBit) if self.has(&Capability::BinaryMime) => Ok(()),
            Parameter::Body(Body::SevenBit) => {
                need(&Capability::EightBitMime, "BODY=7BIT", "8BITMIME")
            }
            Parameter::Body(Body::EightBitMime) => {
                need(&Capability::EightBitMime, "BODY=8BITMIME", "8BITMIME")
            }
            Parameter::Body(Body::BinaryMime) => {
                need(&Capability::BinaryMime, "BODY=BINARYMIME", "BINARYMIME")?;
                need(&Capability::Chunking, "BODY=BINARYMIME", "CHUNKING")
            }
            Parameter::SmtpUtf8 => need(&Capability::SmtpUtf8, "SMTPUTF8", "SMTPUTF8"),
            Parameter::Ret(_) => need(&Capability::Dsn, "RET", "DSN"),
            Parameter::EnvId(_) => need(&Capability::Dsn, "ENVID", "DSN"),
            Parameter::Notify(_) => need(&Capability::Dsn, "NOTIFY", "DSN"),
            Parameter::Orcpt(_) => need(&Capability::Dsn, "ORCPT", "DSN"),
            Parameter::Auth(_) => need(&Capability::Auth(Vec::new()), "AUTH", "AUTH"),
            Parameter::MtPriority(_) => {
                need(&Capability::MtPriority(None), "MT-PRIORITY", "MT-PRIORITY")
            }
            Parameter::RequireTls => {
                need(&Capability::RequireTls, "REQUIRETLS", "REQUIRETLS")?;
                if tls {
                    Ok(())
                } else {
                    Err(Error::ParameterNeedsTls {
                        parameter: "REQUIRETLS",
                    })
                }
            }
            Parameter::HoldFor(seconds) => match self.future_release() {
                None => Err(Error::ParameterNotOffered {
                    parameter: "HOLDFOR",
                    capability: "FUTURERELEASE",
                }),
                Some(max) if *seconds > max => Err(Error::ParameterAboveLimit {
                    parameter: "HOLDFOR",
                    value: u64::from(*seconds),
                    limit: u64::from(max),
                }),
                Some(_) => Ok(()),
            },
            // RFC 4865 §3: max-future-datetime is the latest HOLDUNTIL the server accepts.
            Parameter::HoldUntil(until) => match self.max_datetime() {
                None => Err(Error::ParameterNotOffered {
                    parameter: "HOLDUNTIL",
                    capability: "FUTURERELEASE",
                }),
                Some(max) if until.cmp_instant(max) == core::cmp::Ordering::Greater => {
                    let unix = |d: &DateTime<'_>| u64::try_from(d.unix_seconds()).unwrap_or(0);
                    Err(Error::ParameterAboveLimit {
                        parameter: "HOLDUNTIL",
                        value: unix(until),
                        limit: unix(max),
                    })
                }
                Some(_) => Ok(()),
            },
            // RFC 2852 §3, §4: min-by-time is the least by-time the server accepts with
            // by-mode R (return the message if late); N has no minimum.
            Parameter::By(by) => match self.min_by_time() {
                None => need(&Capability::DeliverBy(None), "BY", "DELIVERBY"),
                Some(Some(min))
                    if by.mode == ByMode::Return && i64::from(by.time) < i64::from(min) =>
                {
                    Err(Error::ParameterBelowLimit {
                        parameter: "BY",
                        value: i64::from(by.time),
                        limit: u64::from(min),
                    })
                }
                Some(_) => Ok(()),
            },
            Parameter::Other { .. } => Ok(()),
        }
    }

    /// FUTURERELEASE's max-interval in seconds, if advertised (RFC 4865 §3).
    fn future_release(&self) -> Option<u32> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::FutureRelease { max_interval, .. } => Some(*max_interval),
            _ => None,
        })
    }

    /// FUTURERELEASE's max-future-datetime, if advertised (RFC 4865 §3).
    fn max_datetime(&self) -> Option<&DateTime<'a>> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::FutureRelease { max_datetime, .. } => Some(max_datetime),
            _ => None,
        })
    }

    /// DELIVERBY: `None` if absent, `Some(None)` without a min-by-time (RFC 2852 §3).
    fn min_by_time(&self) -> Option<Option<u32>> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::DeliverBy(min) => Some(*min),
            _ => None,
        })
    }

    /// The limits of the LIMITS line (RFC 9422 §3); empty if LIMITS is absent.
    pub fn limits(&self) -> &[Limit<'a>] {
        self.capabilities
            .iter()
            .find_map(|c| match c {
                Capability::Limits(l) => Some(l.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// LIMITS MAILMAX, if given: the most transactions in the session (RFC 9422 §4.1).
    pub fn mail_max(&self) -> Option<u32> {
        self.limits().iter().find_map(|l| match l {
            Limit::MailMax(n) => Some(*n),
            _ => None,
        })
    }

    /// LIMITS RCPTMAX, if given: the most RCPT commands in one transaction (RFC 9422
    /// §4.2).
    pub fn rcpt_max(&self) -> Option<u32> {
        self.limits().iter().find_map(|l| match l {
            Limit::RcptMax(n) => Some(*n),
            _ => None,
        })
    }

    /// LIMITS RCPTDOMAINMAX, if given: the most recipient domains in one transaction (RFC
    /// 9422 §4.3).
    pub fn rcpt_domain_max(&self) -> Option<u32> {
        self.limits().iter().find_map(|l| match l {
            Limit::RcptDomainMax(n) => Some(*n),
            _ => None,
        })
    }

    /// Whether a client may send `count` RCPT commands in one transaction to the server
    /// that gave this response: at most LIMITS RCPTMAX (RFC 9422 §4.2), any number
    /// without it. A client with more recipients sends the message in several
    /// transactions of at most [`rcpt_max`](Self::rcpt_max) recipients each, as RFC 9422
    /// §4.2 has it, rather than have the server refuse the excess ones.
    ///
    /// # Errors
    /// [`Error::TooManyRecipients`] (nothing should be sent).
    pub fn check_recipients(&self, count: usize) -> Result<(), Error> {
        match self.rcpt_max() {
            Some(limit) if count > limit as usize => Err(Error::TooManyRecipients { count, limit }),
            _ => Ok(()),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> EhloResponse<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        EhloResponse {
            domain: own(self.domain),
            greeting: self.greeting.map(own),
            capabilities: self.capabilities.into_iter().map(own_capability).collect(),
        }
    }
}

/// An owned copy of one capability.
pub(crate) fn own_capability(c: Capability<'_>) -> Capability<'static> {
    let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
    match c {
        Capability::Auth(m) => {
            Capability::Auth(m.into_iter().map(AuthMechanism::into_owned).collect())
        }
        Capability::FutureRelease {
            max_interval,
            max_datetime,
        } => Capability::FutureRelease {
            max_interval,
            max_datetime: max_datetime.into_owned(),
        },
        Capability::MtPriority(p) => Capability::MtPriority(p.map(own)),
        Capability::Limits(l) => Capability::Limits(l.into_iter().map(Limit::into_owned).collect()),
        Capability::Xclient(a) => {
            Capability::Xclient(a.into_iter().map(XAttribute::into_owned).collect())
        }
        Capability::Xforward(a) => {
            Capability::Xforward(a.into_iter().map(XAttribute::into_owned).collect())
        }
        Capability::NoSoliciting(p) => Capability::NoSoliciting(p.map(own)),
        Capability::Other { keyword, params } => Capability::Other {
            keyword: own(keyword),
            params: params.into_iter().map(own).collect(),
        },
        Capability::EightBitMime => Capability::EightBitMime,
        Capability::BinaryMime => Capability::BinaryMime,
        Capability::Chunking => Capability::Chunking,
        Capability::DeliverBy(v) => Capability::DeliverBy(v),
        Capability::Dsn => Capability::Dsn,
        Capability::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
        Capability::Etrn => Capability::Etrn,
        Capability::Expn => Capability::Expn,
        Capability::Help => Capability::Help,
        Capability::Pipelining => Capability::Pipelining,
        Capability::RequireTls => Capability::RequireTls,
        Capability::Size(v) => Capability::Size(v),
        Capability::SmtpUtf8 => Capability::SmtpUtf8,
        Capability::StartTls => Capability::StartTls,
        Capability::Vrfy => Capability::Vrfy,
    }
}
