//! The mail services, their well-known ports and their transport security (RFC 8314,
//! RFC 6409, RFC 5321, RFC 3501, RFC 1939, RFC 2033).
//!
//! RFC 8314 §3 makes implicit TLS (TLS from the first octet, on ports 465, 993 and 995) the
//! preferred way for mail user agents to submit and access mail, ahead of upgrading a
//! cleartext connection with STARTTLS/STLS; [`Service::recommended`] lists the services in
//! that order of preference.
//!
//! ```
//! use mail_common::service::{Protocol, Security, Service};
//!
//! assert_eq!(Service::Submissions.port(), Some(465));
//! assert_eq!(Service::Submissions.protocol(), Protocol::Smtp);
//! assert_eq!(Service::Submissions.security(), Security::ImplicitTls);
//! assert_eq!(Service::recommended()[0], Service::Submissions);
//! assert_eq!(Service::Lmtp.port(), None); // RFC 2033: no well-known TCP port
//! assert_eq!(Service::from_name(b"IMAPS"), Some(Service::Imaps));
//! ```

use core::fmt;

/// The application protocol a service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// SMTP (RFC 5321), also used for message submission (RFC 6409).
    Smtp,
    /// LMTP (RFC 2033), SMTP's local-delivery variant.
    Lmtp,
    /// IMAP (RFC 3501, RFC 9051).
    Imap,
    /// POP3 (RFC 1939).
    Pop3,
}

impl Protocol {
    /// The protocol's name in upper case (`"SMTP"`, `"LMTP"`, `"IMAP"`, `"POP3"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "SMTP",
            Protocol::Lmtp => "LMTP",
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a service's connections are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Security {
    /// No TLS defined for the service by default (LMTP, which the abstract of RFC 2033
    /// confines to prior arrangement; a server may still offer STARTTLS).
    Plain,
    /// The connection starts in cleartext and is upgraded by a command: SMTP `STARTTLS`
    /// (RFC 3207), IMAP `STARTTLS` (RFC 3501 §6.2.1), POP3 `STLS` (RFC 2595 §4).
    StartTls,
    /// TLS from the first octet (RFC 8314 §3), the preferred form for mail user agents.
    ImplicitTls,
}

/// A mail service: a protocol on a port with a transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// SMTP relay between servers, port 25 (RFC 5321 §4.5.4.2), STARTTLS (RFC 3207).
    Smtp,
    /// Message submission, port 587, STARTTLS (RFC 6409 §3.1).
    Submission,
    /// Message submission over implicit TLS, port 465 (RFC 8314 §3.3, §7.3).
    Submissions,
    /// IMAP, port 143, STARTTLS (RFC 3501 §2.1).
    Imap,
    /// IMAP over implicit TLS, port 993 (RFC 8314 §3.2, §7.2).
    Imaps,
    /// POP3, port 110, STLS (RFC 1939 §3, RFC 2595 §4).
    Pop3,
    /// POP3 over implicit TLS, port 995 (RFC 8314 §3.1, §7.1).
    Pop3s,
    /// LMTP (RFC 2033): no well-known TCP port (see [`Service::port`]).
    Lmtp,
}

impl Service {
    /// Every service, in declaration order.
    pub const ALL: [Service; 8] = [
        Service::Smtp,
        Service::Submission,
        Service::Submissions,
        Service::Imap,
        Service::Imaps,
        Service::Pop3,
        Service::Pop3s,
        Service::Lmtp,
    ];

    /// The services a mail user agent should use, most preferred first: implicit TLS for
    /// submission and access (RFC 8314 §3: `Submissions`, `Imaps`, `Pop3s`), then the
    /// STARTTLS forms (`Submission`, `Imap`, `Pop3`) for servers that lack it. Relay SMTP
    /// and LMTP are not for user agents and are not listed.
    #[must_use]
    pub const fn recommended() -> &'static [Service] {
        &[
            Service::Submissions,
            Service::Imaps,
            Service::Pop3s,
            Service::Submission,
            Service::Imap,
            Service::Pop3,
        ]
    }

    /// The IANA-assigned TCP port, or `None` for LMTP.
    ///
    /// RFC 2033 assigns LMTP no port, and its abstract says LMTP MUST NOT be used on TCP
    /// port 25; it runs on a port (or UNIX socket) the operator chooses, so the caller must
    /// supply one.
    #[must_use]
    pub const fn port(self) -> Option<u16> {
        match self {
            Service::Smtp => Some(25),
            Service::Submission => Some(587),
            Service::Submissions => Some(465),
            Service::Imap => Some(143),
            Service::Imaps => Some(993),
            Service::Pop3 => Some(110),
            Service::Pop3s => Some(995),
            Service::Lmtp => None,
        }
    }

    /// The protocol spoken (submission is SMTP, RFC 6409 §1).
    #[must_use]
    pub const fn protocol(self) -> Protocol {
        match self {
            Service::Smtp | Service::Submission | Service::Submissions => Protocol::Smtp,
            Service::Imap | Service::Imaps => Protocol::Imap,
            Service::Pop3 | Service::Pop3s => Protocol::Pop3,
            Service::Lmtp => Protocol::Lmtp,
        }
    }

    /// How the connection is protected.
    #[must_use]
    pub const fn security(self) -> Security {
        match self {
            Service::Submissions | Service::Imaps | Service::Pop3s => Security::ImplicitTls,
            Service::Smtp | Service::Submission | Service::Imap | Service::Pop3 => {
                Security::StartTls
            }
            Service::Lmtp => Security::Plain,
        }
    }

    /// Whether TLS starts with the connection (RFC 8314 §3).
    #[must_use]
    pub const fn is_implicit_tls(self) -> bool {
        matches!(self.security(), Security::ImplicitTls)
    }

    /// The IANA service name (`"smtp"`, `"submission"`, `"submissions"`, `"imap"`,
    /// `"imaps"`, `"pop3"`, `"pop3s"`, `"lmtp"`), as used in SRV records (RFC 6186).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Service::Smtp => "smtp",
            Service::Submission => "submission",
            Service::Submissions => "submissions",
            Service::Imap => "imap",
            Service::Imaps => "imaps",
            Service::Pop3 => "pop3",
            Service::Pop3s => "pop3s",
            Service::Lmtp => "lmtp",
        }
    }

    /// The service with this [`name`](Service::name), ignoring ASCII case.
    #[must_use]
    pub fn from_name(name: &[u8]) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|s| crate::keyword::eq_ignore_case(s.name().as_bytes(), name))
    }

    /// The service on a well-known port (LMTP has none).
    #[must_use]
    pub fn from_port(port: u16) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.port() == Some(port))
    }

    /// The same protocol and role with implicit TLS, or with STARTTLS, as asked
    /// (`Imap.with_implicit_tls(true) == Imaps`). `None` where none exists: relay SMTP and
    /// LMTP have no implicit-TLS form.
    #[must_use]
    pub const fn with_implicit_tls(self, implicit: bool) -> Option<Service> {
        match (self, implicit) {
            (Service::Submission | Service::Submissions, true) => Some(Service::Submissions),
            (Service::Submission | Service::Submissions, false) => Some(Service::Submission),
            (Service::Imap | Service::Imaps, true) => Some(Service::Imaps),
            (Service::Imap | Service::Imaps, false) => Some(Service::Imap),
            (Service::Pop3 | Service::Pop3s, true) => Some(Service::Pop3s),
            (Service::Pop3 | Service::Pop3s, false) => Some(Service::Pop3),
            (Service::Smtp, false) => Some(Service::Smtp),
            (Service::Lmtp, false) => Some(Service::Lmtp),
            (Service::Smtp | Service::Lmtp, true) => None,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
