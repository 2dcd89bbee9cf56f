use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use bytes::BufMut;

use super::Encode;
use crate::error::Error;
use crate::types::ehlo::{Capability, EhloResponse, Limit};
use crate::types::reply::{Reply, ReplyCode};

impl Capability<'_> {
    /// The keyword line's text (`ehlo-keyword *(SP ehlo-param)`).
    pub fn to_line(&self) -> String {
        use core::fmt::Write as _;
        let mut s = String::new();
        let _ = match self {
            Capability::EightBitMime => s.write_str("8BITMIME"),
            Capability::Auth(m) => {
                let _ = s.write_str("AUTH");
                for m in m {
                    s.push(' ');
                    s.push_str(m.as_str());
                }
                Ok(())
            }
            Capability::BinaryMime => s.write_str("BINARYMIME"),
            Capability::Chunking => s.write_str("CHUNKING"),
            Capability::DeliverBy(None) => s.write_str("DELIVERBY"),
            Capability::DeliverBy(Some(n)) => write!(s, "DELIVERBY {n}"),
            Capability::Dsn => s.write_str("DSN"),
            Capability::EnhancedStatusCodes => s.write_str("ENHANCEDSTATUSCODES"),
            Capability::Etrn => s.write_str("ETRN"),
            Capability::Expn => s.write_str("EXPN"),
            Capability::FutureRelease {
                max_interval,
                max_datetime,
            } => write!(s, "FUTURERELEASE {max_interval} {}", max_datetime.as_str()),
            Capability::Help => s.write_str("HELP"),
            Capability::Limits(limits) => {
                s.push_str("LIMITS");
                for l in limits {
                    let _ = match l {
                        Limit::MailMax(n) => write!(s, " MAILMAX={n}"),
                        Limit::RcptMax(n) => write!(s, " RCPTMAX={n}"),
                        Limit::RcptDomainMax(n) => write!(s, " RCPTDOMAINMAX={n}"),
                        Limit::Other { name, value: None } => write!(s, " {name}"),
                        Limit::Other {
                            name,
                            value: Some(v),
                        } => write!(s, " {name}={v}"),
                    };
                }
                Ok(())
            }
            Capability::Xclient(names) | Capability::Xforward(names) => {
                s.push_str(if matches!(self, Capability::Xclient(_)) {
                    "XCLIENT"
                } else {
                    "XFORWARD"
                });
                for n in names {
                    s.push(' ');
                    s.push_str(n.as_str());
                }
                Ok(())
            }
            Capability::MtPriority(None) => s.write_str("MT-PRIORITY"),
            Capability::MtPriority(Some(p)) => write!(s, "MT-PRIORITY {p}"),
            Capability::NoSoliciting(None) => s.write_str("NO-SOLICITING"),
            Capability::NoSoliciting(Some(p)) => write!(s, "NO-SOLICITING {p}"),
            Capability::Pipelining => s.write_str("PIPELINING"),
            Capability::RequireTls => s.write_str("REQUIRETLS"),
            Capability::Size(None) => s.write_str("SIZE"),
            Capability::Size(Some(n)) => write!(s, "SIZE {n}"),
            Capability::SmtpUtf8 => s.write_str("SMTPUTF8"),
            Capability::StartTls => s.write_str("STARTTLS"),
            Capability::Vrfy => s.write_str("VRFY"),
            Capability::Other { keyword, params } => {
                s.push_str(keyword);
                for p in params {
                    s.push(' ');
                    s.push_str(p);
                }
                Ok(())
            }
        };
        s
    }
}

impl EhloResponse<'_> {
    /// The response as a 250 reply.
    ///
    /// The fields are public, so a response built by hand (not with
    /// [`EhloResponse::new`]) can hold a CR, LF or other byte the grammar forbids. Such
    /// parts are never written: an invalid greeting or capability line is left out and an
    /// invalid domain becomes `localhost` (an injection defence: no caller-supplied text
    /// can add a reply line). [`try_to_reply`](Self::try_to_reply) reports them instead.
    pub fn to_reply(&self) -> Reply<'static> {
        // Byte-level checks only (what could end a line or split a word): a decoded
        // response keeps whatever the parser accepted, e.g. a domain `2.5.1` that
        // `EhloResponse::new` would refuse, and must be written back unchanged.
        let word =
            |s: &str| !s.is_empty() && s.bytes().all(|b| (33..=126).contains(&b) || b >= 0x80);
        let text = |s: &str| !s.is_empty() && s.bytes().all(|b| b == 9 || b >= 32 && b != 127);
        let greeting = self.greeting.as_deref().filter(|g| text(g));
        let caps = self.capabilities.iter().filter(|c| match c {
            Capability::Other { keyword, params } => {
                word(keyword) && params.iter().all(|p| word(p))
            }
            Capability::MtPriority(Some(p)) | Capability::NoSoliciting(Some(p)) => word(p),
            Capability::Limits(l) => l.iter().all(|l| match l {
                Limit::Other { name, value } => word(name) && value.as_deref().is_none_or(word),
                _ => true,
            }),
            Capability::Xclient(a) | Capability::Xforward(a) => a.iter().all(|a| word(a.as_str())),
            _ => true,
        });
        let domain = if word(&self.domain) {
            &*self.domain
        } else {
            "localhost"
        };
        self.lines(domain, greeting, caps)
    }

    /// The response as a 250 reply, or the error [`EhloResponse::new`] would have given
    /// for a response built by hand with invalid fields.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn try_to_reply(&self) -> Result<Reply<'static>, Error> {
        EhloResponse::new(
            &*self.domain,
            self.greeting.as_deref().map(Cow::Borrowed),
            self.capabilities.clone(),
        )?;
        Ok(self.lines(
            &self.domain,
            self.greeting.as_deref(),
            self.capabilities.iter(),
        ))
    }

    fn lines<'c>(
        &self,
        domain: &str,
        greeting: Option<&str>,
        caps: impl Iterator<Item = &'c Capability<'c>>,
    ) -> Reply<'static> {
        let mut lines: Vec<Cow<'static, str>> = Vec::with_capacity(self.capabilities.len() + 1);
        let mut first = String::from(domain);
        if let Some(g) = greeting {
            first.push(' ');
            first.push_str(g);
        }
        lines.push(Cow::Owned(first));
        lines.extend(caps.map(|c| Cow::Owned(c.to_line())));
        Reply {
            code: ReplyCode::OK,
            enhanced: None,
            lines: crate::types::reply::Lines::List(lines),
        }
    }
}

impl Encode for EhloResponse<'_> {
    fn encode(&self, out: &mut impl BufMut) {
        self.to_reply().encode(out);
    }
}
