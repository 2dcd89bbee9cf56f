//! Extended response codes: RFC 2449 §8, RFC 3206, RFC 6856 §5.

use alloc::borrow::Cow;
use core::fmt;

use crate::error::Error;

/// The kind of an extended response code: its first level (or first two, for `SYS/...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CodeKind<'a> {
    /// `[IN-USE]`: authenticated, but the maildrop is locked (RFC 2449 §8.1.2).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 §8.1.1).
    LoginDelay,
    /// `[SYS/TEMP]`: a transient system problem (RFC 3206 §4).
    SysTemp,
    /// `[SYS/PERM]`: a permanent system problem (RFC 3206 §4).
    SysPerm,
    /// `[AUTH]`: the credentials are wrong (RFC 3206 §5).
    Auth,
    /// `[UTF8]`: the message needs UTF-8 mode (RFC 6856 §5).
    Utf8,
    /// Any other code, by its first level (kept so a caller can log it; clients ignore it).
    Other(Cow<'a, str>),
}

/// An extended response code: RFC 2449 §3 `resp-code = "[" resp-level *("/" resp-level) "]"`.
///
/// The levels after the ones that make up the [`CodeKind`] are the `detail` (RFC 2449 §8:
/// "clients MUST ignore unknown hierarchical detail"). Codes are case-insensitive; the
/// known ones are written in upper case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResponseCode<'a> {
    kind: CodeKind<'a>,
    detail: Option<Cow<'a, str>>,
}

/// RFC 2449 §3 `rchar = %x21-2E / %x30-5C / %x5E-7F` (printable ASCII but `/` and `]`).
pub(crate) fn is_rchar(b: u8) -> bool {
    matches!(b, 0x21..=0x2e | 0x30..=0x5c | 0x5e..=0x7f)
}

fn valid_levels(s: &[u8]) -> bool {
    !s.is_empty()
        && s.split(|&b| b == b'/')
            .all(|l| !l.is_empty() && l.iter().all(|&b| is_rchar(b)))
}

impl<'a> ResponseCode<'a> {
    /// Builds a code from its text between the brackets, `/`-separated levels
    /// (`"SYS/TEMP"`, `"IN-USE"`, `"X-FOO/bar"`), classifying the known kinds.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it is not `1*rchar *("/" 1*rchar)`.
    pub fn new(levels: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let levels = levels.into();
        if !valid_levels(levels.as_bytes()) {
            return Err(Error::InvalidValue { what: "resp-code" });
        }
        Ok(match levels {
            Cow::Borrowed(s) => Self::classify(s),
            Cow::Owned(s) => ResponseCode::classify(&s).into_owned(),
        })
    }

    /// `[IN-USE]`
    pub const IN_USE: ResponseCode<'static> = ResponseCode::known(CodeKind::InUse);
    /// `[LOGIN-DELAY]`
    pub const LOGIN_DELAY: ResponseCode<'static> = ResponseCode::known(CodeKind::LoginDelay);
    /// `[SYS/TEMP]`
    pub const SYS_TEMP: ResponseCode<'static> = ResponseCode::known(CodeKind::SysTemp);
    /// `[SYS/PERM]`
    pub const SYS_PERM: ResponseCode<'static> = ResponseCode::known(CodeKind::SysPerm);
    /// `[AUTH]`
    pub const AUTH: ResponseCode<'static> = ResponseCode::known(CodeKind::Auth);
    /// `[UTF8]`
    pub const UTF8: ResponseCode<'static> = ResponseCode::known(CodeKind::Utf8);

    const fn known(kind: CodeKind<'a>) -> Self {
        ResponseCode { kind, detail: None }
    }

    pub(crate) fn from_bytes(b: &'a [u8]) -> Option<Self> {
        if !valid_levels(b) {
            return None;
        }
        core::str::from_utf8(b).ok().map(Self::classify)
    }

    fn classify<'b>(s: &'b str) -> ResponseCode<'b> {
        let (first, rest) = match s.split_once('/') {
            Some((f, r)) => (f, Some(r)),
            None => (s, None),
        };
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let simple = |kind| ResponseCode {
            kind,
            detail: rest.map(Cow::Borrowed),
        };
        if eq(first, "IN-USE") {
            simple(CodeKind::InUse)
        } else if eq(first, "LOGIN-DELAY") {
            simple(CodeKind::LoginDelay)
        } else if eq(first, "AUTH") {
            simple(CodeKind::Auth)
        } else if eq(first, "UTF8") {
            simple(CodeKind::Utf8)
        } else if eq(first, "SYS") {
            let (second, more) = match rest.map(|r| r.split_once('/').unwrap_or((r, ""))) {
                Some((sec, more)) => (sec, more),
                None => ("", ""),
            };
            let detail = if more.is_empty() {
                None
            } else {
                Some(Cow::Borrowed(more))
            };
            if eq(second, "TEMP") {
                ResponseCode {
                    kind: CodeKind::SysTemp,
                    detail,
                }
            } else if eq(second, "PERM") {
                ResponseCode {
                    kind: CodeKind::SysPerm,
                    detail,
                }
            } else {
                ResponseCode {
                    kind: CodeKind::Other(Cow::Borrowed(first)),
                    detail: rest.map(Cow::Borrowed),
                }
            }
        } else {
            simple(CodeKind::Other(Cow::Borrowed(first)))
        }
    }

    /// The kind.
    pub fn kind(&self) -> &CodeKind<'a> {
        &self.kind
    }

    /// The levels after the kind, if any (`"disk-full"` in `[SYS/TEMP/disk-full]`).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// Writes the levels (without brackets).
    pub(crate) fn write_levels(&self, out: &mut impl bytes::BufMut) {
        let head: &str = match &self.kind {
            CodeKind::InUse => "IN-USE",
            CodeKind::LoginDelay => "LOGIN-DELAY",
            CodeKind::SysTemp => "SYS/TEMP",
            CodeKind::SysPerm => "SYS/PERM",
            CodeKind::Auth => "AUTH",
            CodeKind::Utf8 => "UTF8",
            CodeKind::Other(s) => s,
        };
        out.put_slice(head.as_bytes());
        if let Some(d) = &self.detail {
            out.put_u8(b'/');
            out.put_slice(d.as_bytes());
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> ResponseCode<'static> {
        ResponseCode {
            kind: match self.kind {
                CodeKind::InUse => CodeKind::InUse,
                CodeKind::LoginDelay => CodeKind::LoginDelay,
                CodeKind::SysTemp => CodeKind::SysTemp,
                CodeKind::SysPerm => CodeKind::SysPerm,
                CodeKind::Auth => CodeKind::Auth,
                CodeKind::Utf8 => CodeKind::Utf8,
                CodeKind::Other(s) => CodeKind::Other(Cow::Owned(s.into_owned())),
            },
            detail: self.detail.map(|d| Cow::Owned(d.into_owned())),
        }
    }
}

impl fmt::Debug for ResponseCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = alloc::vec::Vec::new();
        self.write_levels(&mut v);
        write!(f, "[{}]", alloc::string::String::from_utf8_lossy(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchical_codes_keep_their_detail() {
        let c = ResponseCode::new("sys/temp/disk-full").unwrap();
        assert_eq!(c.kind(), &CodeKind::SysTemp);
        assert_eq!(c.detail(), Some("disk-full"));
        let c = ResponseCode::new("SYS/OTHER").unwrap();
        assert_eq!(c.kind(), &CodeKind::Other("SYS".into()));
        assert_eq!(c.detail(), Some("OTHER"));
        let c = ResponseCode::new("X-VENDOR").unwrap();
        assert_eq!(c.kind(), &CodeKind::Other("X-VENDOR".into()));
        assert!(ResponseCode::new("A//B").is_err());
        assert!(ResponseCode::new("A]").is_err());
        assert!(ResponseCode::new("").is_err());
    }
}
