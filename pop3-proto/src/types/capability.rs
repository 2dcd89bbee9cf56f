//! CAPA capabilities: RFC 2449 §6, RFC 2595 §4 (STLS), RFC 3206 (AUTH-RESP-CODE),
//! RFC 6856 (UTF8, LANG).

use alloc::borrow::Cow;

use super::arg::{Mechanism, is_param_octet};
use crate::error::Error;

/// The parameters after a capability tag: RFC 2449 §3 `*(SP param)`, kept as one string
/// without the leading space (for instance `"CRAM-MD5 KERBEROS_V4"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Params<'a>(Cow<'a, str>);

pub(crate) fn valid_params(b: &[u8]) -> bool {
    b.is_empty()
        || b.split(|&c| c == b' ')
            .all(|p| !p.is_empty() && p.iter().all(|&c| is_param_octet(c)))
}

impl<'a> Params<'a> {
    /// Validates parameters: empty, or params of printable characters separated by single
    /// spaces.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] otherwise.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        if valid_params(s.as_bytes()) {
            Ok(Params(s))
        } else {
            Err(Error::InvalidValue { what: "params" })
        }
    }

    pub(crate) fn borrowed(s: &'a str) -> Self {
        Params(Cow::Borrowed(s))
    }

    /// Space-separated parameters.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|s| !s.is_empty())
    }

    /// The whole parameter string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An owned copy.
    pub fn into_owned(self) -> Params<'static> {
        Params(Cow::Owned(self.0.into_owned()))
    }
}

/// The `EXPIRE` policy (RFC 2449 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expire {
    /// Messages are kept at least this many days (`0`: mail may not be left on the server).
    Days(u32),
    /// `NEVER`: the server does not delete messages.
    Never,
}

/// One line of a CAPA response (RFC 2449 §5). Tags are case-insensitive on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `TOP` (§6.1).
    Top,
    /// `USER` (§6.2): USER and PASS are available.
    User,
    /// `SASL mech...` (§6.3): AUTH with these mechanisms.
    Sasl(Params<'a>),
    /// `RESP-CODES` (§6.4).
    RespCodes,
    /// `LOGIN-DELAY n [USER]` (§6.5).
    LoginDelay {
        /// Minimum seconds between logins.
        seconds: u32,
        /// `USER`: the value may differ after authentication.
        per_user: bool,
    },
    /// `PIPELINING` (§6.6).
    Pipelining,
    /// `EXPIRE n|NEVER [USER]` (§6.7).
    Expire {
        /// The retention policy.
        policy: Expire,
        /// `USER`: the value may differ after authentication.
        per_user: bool,
    },
    /// `UIDL` (§6.8).
    Uidl,
    /// `IMPLEMENTATION text` (§6.9).
    Implementation(Params<'a>),
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2).
    Utf8 {
        /// `USER`: UTF-8 user names and passwords are accepted (§2.2).
        user: bool,
    },
    /// `LANG` (RFC 6856 §3).
    Lang,
    /// `AUTH-RESP-CODE` (RFC 3206 §6).
    AuthRespCode,
    /// A capability this crate does not know, or a known tag with arguments it does not
    /// understand; kept as sent (built with [`Capability::other`]).
    Other(UnknownCapability<'a>),
}

/// A capability this crate does not know: tag and parameters as sent, validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownCapability<'a> {
    tag: Cow<'a, str>,
    params: Params<'a>,
}

impl UnknownCapability<'_> {
    /// The tag: RFC 2449 §3 `capa-tag = 1*cchar`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Its parameters.
    pub fn params(&self) -> &Params<'_> {
        &self.params
    }

    /// An owned copy.
    pub fn into_owned(self) -> UnknownCapability<'static> {
        UnknownCapability {
            tag: Cow::Owned(self.tag.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

/// RFC 2449 §3 `cchar = %x21-2D / %x2F-7F` (printable ASCII but `.`).
pub(crate) fn is_cchar(b: u8) -> bool {
    matches!(b, 0x21..=0x2d | 0x2f..=0x7f)
}

impl<'a> Capability<'a> {
    /// Builds an unknown capability, validating the tag and parameters. A known tag with
    /// arguments it takes gives the typed variant.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if the tag is not `1*cchar` or the params are malformed.
    pub fn other(tag: &'a str, params: &'a str) -> Result<Self, Error> {
        if tag.is_empty() || !tag.bytes().all(is_cchar) || !valid_params(params.as_bytes()) {
            return Err(Error::InvalidValue { what: "capability" });
        }
        Ok(Self::classify(tag, params))
    }

    pub(crate) fn classify(tag: &'a str, params: &'a str) -> Self {
        let p = Params::borrowed(params);
        let eq = |k: &str| tag.eq_ignore_ascii_case(k);
        let no_args = params.is_empty();
        let mut it = params.split(' ');
        let first = it.next().unwrap_or_default();
        let second = it.next();
        let third = it.next();
        let user_flag = match (second, third) {
            (None, None) => Some(false),
            (Some(u), None) if u.eq_ignore_ascii_case("USER") => Some(true),
            _ => None,
        };
        let number = |s: &str| -> Option<u32> {
            if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let known = if eq("TOP") && no_args {
            Some(Capability::Top)
        } else if eq("USER") && no_args {
            Some(Capability::User)
        } else if eq("SASL") {
            Some(Capability::Sasl(p.clone()))
        } else if eq("RESP-CODES") && no_args {
            Some(Capability::RespCodes)
        } else if eq("LOGIN-DELAY") {
            number(first)
                .zip(user_flag)
                .map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user })
        } else if eq("PIPELINING") && no_args {
            Some(Capability::Pipelining)
        } else if eq("EXPIRE") {
            let policy = if first.eq_ignore_ascii_case("NEVER") {
                Some(Expire::Never)
            } else {
                number(first).map(Expire::Days)
            };
            policy
                .zip(user_flag)
                .map(|(policy, per_user)| Capability::Expire { policy, per_user })
        } else if eq("UIDL") && no_args {
            Some(Capability::Uidl)
        } else if eq("IMPLEMENTATION") {
            Some(Capability::Implementation(p.clone()))
        } else if eq("STLS") && no_args {
            Some(Capability::Stls)
        } else if eq("UTF8") {
            match (no_args, first) {
                (true, _) => Some(Capability::Utf8 { user: false }),
                (false, u) if u.eq_ignore_ascii_case("USER") && second.is_none() => {
                    Some(Capability::Utf8 { user: true })
                }
                _ => None,
            }
        } else if eq("LANG") && no_args {
            Some(Capability::Lang)
        } else if eq("AUTH-RESP-CODE") && no_args {
            Some(Capability::AuthRespCode)
        } else {
            None
        };
        known.unwrap_or(Capability::Other(UnknownCapability {
            tag: Cow::Borrowed(tag),
            params: p,
        }))
    }

    /// The SASL mechanisms of a `SASL` capability (names that are not valid mechanism names
    /// are skipped).
    pub fn mechanisms(&self) -> impl Iterator<Item = Mechanism<'_>> {
        let params = match self {
            Capability::Sasl(p) => p.as_str(),
            _ => "",
        };
        params
            .split(' ')
            .filter_map(|m| Mechanism::from_bytes(m.as_bytes()))
    }

    /// An owned copy.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Capability::Top => Capability::Top,
            Capability::User => Capability::User,
            Capability::Sasl(p) => Capability::Sasl(p.into_owned()),
            Capability::RespCodes => Capability::RespCodes,
            Capability::LoginDelay { seconds, per_user } => {
                Capability::LoginDelay { seconds, per_user }
            }
            Capability::Pipelining => Capability::Pipelining,
            Capability::Expire { policy, per_user } => Capability::Expire { policy, per_user },
            Capability::Uidl => Capability::Uidl,
            Capability::Implementation(p) => Capability::Implementation(p.into_owned()),
            Capability::Stls => Capability::Stls,
            Capability::Utf8 { user } => Capability::Utf8 { user },
            Capability::Lang => Capability::Lang,
            Capability::AuthRespCode => Capability::AuthRespCode,
            Capability::Other(u) => Capability::Other(u.into_owned()),
        }
    }
}
