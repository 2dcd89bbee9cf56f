//! The EHLO (and LHLO) response as a typed capability set: RFC 5321 §4.1.1.1
//! (`ehlo-ok-rsp`) and the service extensions' keywords.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::error::Error;
use crate::types::command::AuthMechanism;
use crate::types::param::{Body, DateTime, Parameter};

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
    /// Any other keyword line (or a known keyword with unexpected parameters), kept.
    Other {
        /// The keyword (`1*(%d33-126)`, normally an `ehlo-keyword`).
        keyword: Cow<'a, str>,
        /// `ehlo-param`s, each `1*(%d33-126)`.
        params: Vec<Cow<'a, str>>,
    },
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
    /// max-interval (RFC 4865 §3). Unknown parameters are the caller's business.
    ///
    /// # Errors
    /// [`Error::ParameterNotOffered`] naming the parameter and the missing keyword,
    /// [`Error::ParameterAboveLimit`] (SIZE, HOLDFOR), or [`Error::ParameterNeedsTls`].
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
            Parameter::HoldUntil(_) => match self.future_release() {
                None => Err(Error::ParameterNotOffered {
                    parameter: "HOLDUNTIL",
                    capability: "FUTURERELEASE",
                }),
                Some(_) => Ok(()),
            },
            Parameter::By(_) => need(&Capability::DeliverBy(None), "BY", "DELIVERBY"),
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
