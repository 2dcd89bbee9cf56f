//! SASL (RFC 4422) for the mail protocols: mechanism names, the base64 framing of
//! challenges and responses, and the common mechanisms as step machines for both sides.
//!
//! | Mechanism | Specification | Client first | Server learns |
//! |---|---|---|---|
//! | `PLAIN` | RFC 4616 | yes | authzid, authcid, password |
//! | `LOGIN` | draft-murchison-sasl-login (de facto) | no | username, password |
//! | `CRAM-MD5` | RFC 2195 | no | username, HMAC-MD5 digest |
//! | `XOAUTH2` | Google's XOAUTH2 protocol | yes | user, bearer token |
//! | `OAUTHBEARER` | RFC 7628 | yes | authzid, host, port, bearer token |
//! | `EXTERNAL` | RFC 4422 Appendix A | yes | authzid |
//! | `ANONYMOUS` | RFC 4505 | yes | trace |
//!
//! The machines work on raw bytes: a [`SaslClient`] takes decoded challenges and returns
//! raw responses, a [`SaslServer`] takes decoded responses and returns raw challenges. The
//! protocol profile (SMTP `334` replies, IMAP `+` continuations, POP3 `+` lines) carries
//! them in base64: [`encode_base64`] / [`decode_base64`] for challenges and responses,
//! [`encode_initial_response`] / [`decode_initial_response`] for the optional initial
//! response (where an empty one is sent as `=`, RFC 4954 §4, RFC 5034 §4, RFC 4959 §3), and
//! [`decode_client_line`] for a response line that may be the cancel request `*`.
//!
//! Nothing here checks a password or a token: the server machine hands the
//! [`Credentials`] to the application, which checks them (in constant time, with
//! [`Credentials::password_matches`] or [`Credentials::verify`] where a plain secret is
//! known).
//!
//! # Example: PLAIN with an initial response, both sides
//!
//! ```
//! use mail_common::sasl::{
//!     decode_initial_response, encode_initial_response, Credentials, Mechanism, SaslClient,
//!     SaslServer, ServerStep,
//! };
//!
//! // Client: `AUTH PLAIN <initial response>` (RFC 4954 §4).
//! let mut client = SaslClient::plain(None, "test", "1234");
//! let ir = client.initial_response().expect("PLAIN has an initial response");
//! let wire = encode_initial_response(&ir);
//! assert_eq!(wire, "AHRlc3QAMTIzNA==");
//!
//! // Server: decode the argument and run the mechanism.
//! let mut server = SaslServer::new(Mechanism::parse(b"plain").unwrap(), "")?;
//! let ir = decode_initial_response(wire.as_bytes())?;
//! let ServerStep::Done(creds) = server.start(Some(&ir))? else { unreachable!() };
//! assert!(creds.password_matches("test", "1234"));
//! assert!(matches!(creds, Credentials::Plain { authzid: None, .. }));
//! # Ok::<(), mail_common::Error>(())
//! ```
//!
//! # Example: CRAM-MD5 (RFC 2195), challenge and response
//!
//! ```
//! use mail_common::sasl::{Mechanism, SaslClient, SaslServer, ServerStep};
//!
//! let challenge = "<1896.697170952@postoffice.reston.mci.net>";
//! let mut server = SaslServer::new(Mechanism::CramMd5, challenge)?;
//! let mut client = SaslClient::cram_md5("tim", "tanstaaftanstaaf");
//! assert_eq!(client.initial_response(), None);
//!
//! let ServerStep::Challenge(c) = server.start(None)? else { unreachable!() };
//! let response = client.step(&c)?;
//! assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
//! let ServerStep::Done(creds) = server.step(&response)? else { unreachable!() };
//! assert!(creds.verify(b"tanstaaftanstaaf"));
//! # Ok::<(), mail_common::Error>(())
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::hash::{Hash, Hasher};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use subtle::ConstantTimeEq;

use crate::apop::{check_timestamp, hex32, parse_hex32};
use crate::error::Error;
use crate::keyword::{eq_ignore_case, starts_with_ignore_case};

/// A SASL failure.
///
/// `Malformed`, `UnexpectedInitialResponse`, `Cancelled` and `Failed` describe what the
/// peer did; `UnexpectedStep` and `InvalidInput` are local misuse (a call out of order, or
/// credentials that cannot be encoded); `UnsupportedMechanism` is a mechanism this module
/// has no machine for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The client cancelled the exchange with `*` (RFC 4954 §4, RFC 3501 §6.2.2,
    /// RFC 5034 §4).
    #[error("exchange cancelled")]
    Cancelled,
    /// A challenge or response that does not match the mechanism's grammar.
    #[error("malformed message: expected {expected}")]
    Malformed {
        /// The rule that failed.
        expected: &'static str,
    },
    /// A step was requested out of order: after the exchange ended, before `start`, or a
    /// further challenge where the mechanism has none.
    #[error("unexpected step in the exchange")]
    UnexpectedStep,
    /// No machine exists for this mechanism.
    #[error("unsupported mechanism")]
    UnsupportedMechanism,
    /// The exchange ended in failure: the client acknowledged an OAuth error challenge
    /// (RFC 7628 §3.2.3), or aborted an OAUTHBEARER exchange with a lone `%x01`.
    #[error("authentication failed")]
    Failed,
    /// The client sent an initial response with a mechanism where the server speaks first
    /// (CRAM-MD5); RFC 4954 §4 requires a 501 reply.
    #[error("initial response not allowed with this mechanism")]
    UnexpectedInitialResponse,
    /// Local credentials or parameters that cannot be encoded (for instance a NUL in a
    /// PLAIN user name, or an invalid CRAM-MD5 challenge given to the server).
    #[error("invalid input: {what}")]
    InvalidInput {
        /// What was wrong.
        what: &'static str,
    },
}

fn malformed(expected: &'static str) -> SaslError {
    SaslError::Malformed { expected }
}

// ---------------------------------------------------------------------------------------
// Mechanism names
// ---------------------------------------------------------------------------------------

/// A SASL mechanism name (RFC 4422 §3.1), compared without regard to ASCII case.
#[derive(Debug, Clone)]
pub enum Mechanism<'a> {
    /// `PLAIN` (RFC 4616).
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login).
    Login,
    /// `CRAM-MD5` (RFC 2195).
    CramMd5,
    /// `XOAUTH2` (Google).
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628).
    OAuthBearer,
    /// `EXTERNAL` (RFC 4422 Appendix A).
    External,
    /// `ANONYMOUS` (RFC 4505).
    Anonymous,
    /// Any other well-formed mechanism name, spelled as received.
    Other(Cow<'a, str>),
}

const KNOWN: [(&str, Mechanism<'static>); 7] = [
    ("PLAIN", Mechanism::Plain),
    ("LOGIN", Mechanism::Login),
    ("CRAM-MD5", Mechanism::CramMd5),
    ("XOAUTH2", Mechanism::XOAuth2),
    ("OAUTHBEARER", Mechanism::OAuthBearer),
    ("EXTERNAL", Mechanism::External),
    ("ANONYMOUS", Mechanism::Anonymous),
];

/// The longest mechanism name (RFC 4422 §3.1: `sasl-mech = 1*20mech-char`).
pub const MECHANISM_NAME_MAX: usize = 20;

impl<'a> Mechanism<'a> {
    /// Parses a mechanism name, ignoring ASCII case.
    ///
    /// RFC 4422 §3.1: `sasl-mech = 1*20mech-char`, `mech-char = UPPER-ALPHA / DIGIT /
    /// HYPHEN / UNDERSCORE`; lower-case letters are accepted as the protocols compare
    /// names case-insensitively. Returns `None` for anything else.
    #[must_use]
    pub fn parse(name: &'a [u8]) -> Option<Mechanism<'a>> {
        if name.is_empty()
            || name.len() > MECHANISM_NAME_MAX
            || !name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        if let Some((_, m)) = KNOWN
            .iter()
            .find(|(n, _)| eq_ignore_case(n.as_bytes(), name))
        {
            return Some(m.clone());
        }
        let name = core::str::from_utf8(name).ok()?;
        Some(Mechanism::Other(Cow::Borrowed(name)))
    }

    /// The canonical upper-case name; `Other` returns its name as spelled.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::External => "EXTERNAL",
            Mechanism::Anonymous => "ANONYMOUS",
            Mechanism::Other(name) => name,
        }
    }

    /// The same mechanism, owning its name.
    #[must_use]
    pub fn into_owned(self) -> Mechanism<'static> {
        match self {
            Mechanism::Plain => Mechanism::Plain,
            Mechanism::Login => Mechanism::Login,
            Mechanism::CramMd5 => Mechanism::CramMd5,
            Mechanism::XOAuth2 => Mechanism::XOAuth2,
            Mechanism::OAuthBearer => Mechanism::OAuthBearer,
            Mechanism::External => Mechanism::External,
            Mechanism::Anonymous => Mechanism::Anonymous,
            Mechanism::Other(name) => Mechanism::Other(Cow::Owned(name.into_owned())),
        }
    }

    /// Whether the mechanism sends a reusable secret (a password or a bearer token) that
    /// anyone who reads the exchange can replay: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER. Such
    /// mechanisms belong under TLS only (RFC 4616 §5, RFC 7628 §5).
    #[must_use]
    pub fn is_plaintext(&self) -> bool {
        matches!(
            self,
            Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 | Mechanism::OAuthBearer
        )
    }

    /// Whether the client speaks first, so that an initial response is possible
    /// (RFC 4422 §3.3). `None` for a mechanism this module does not know.
    #[must_use]
    pub fn client_first(&self) -> Option<bool> {
        match self {
            Mechanism::Plain
            | Mechanism::XOAuth2
            | Mechanism::OAuthBearer
            | Mechanism::External
            | Mechanism::Anonymous => Some(true),
            Mechanism::Login | Mechanism::CramMd5 => Some(false),
            Mechanism::Other(_) => None,
        }
    }
}

impl PartialEq<Mechanism<'_>> for Mechanism<'_> {
    fn eq(&self, other: &Mechanism<'_>) -> bool {
        eq_ignore_case(self.as_str().as_bytes(), other.as_str().as_bytes())
    }
}

impl Eq for Mechanism<'_> {}

impl Hash for Mechanism<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.as_str().bytes() {
            state.write_u8(b.to_ascii_uppercase());
        }
        state.write_u8(0xff);
    }
}

impl fmt::Display for Mechanism<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Base64 framing
// ---------------------------------------------------------------------------------------

/// Encodes a challenge or response in base64 (RFC 4648 §4, with padding).
#[must_use]
pub fn encode_base64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Decodes a base64 challenge or response strictly: the RFC 4648 §4 alphabet, canonical
/// padding required, no whitespace or other octets (RFC 4954 §4: "servers and clients MUST
/// reject (and not ignore) any character not explicitly allowed by the BASE64 alphabet").
/// The empty text decodes to no data.
///
/// # Errors
/// [`Error::Base64`] with the offset of the first invalid octet, or the length of the text
/// when the final group is incomplete.
pub fn decode_base64(text: &[u8]) -> Result<Vec<u8>, Error> {
    STANDARD.decode(text).map_err(|e| {
        let offset = match e {
            // Padding followed by more text: blame the first octet outside the alphabet
            // if there is one (a trailing CRLF, say), else the misplaced "=".
            base64::DecodeError::InvalidByte(offset, b'=') => text
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
                .unwrap_or(offset),
            base64::DecodeError::InvalidByte(offset, _) => offset,
            base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
            base64::DecodeError::InvalidLength(_) => text.len(),
            base64::DecodeError::InvalidPadding => memchr::memchr(b'=', text).unwrap_or(text.len()),
        };
        Error::Base64 {
            offset: offset.min(text.len()),
        }
    })
}

/// Encodes an initial response: base64, except that an empty response is `=` (RFC 4954 §4,
/// RFC 5034 §4, RFC 4959 §3).
#[must_use]
pub fn encode_initial_response(data: &[u8]) -> String {
    if data.is_empty() {
        String::from("=")
    } else {
        encode_base64(data)
    }
}

/// Decodes an initial response: `=` is the empty response, anything else is strict
/// base64 ([`decode_base64`]).
///
/// # Errors
/// [`Error::Base64`] as for [`decode_base64`].
pub fn decode_initial_response(text: &[u8]) -> Result<Vec<u8>, Error> {
    if text == b"=" {
        Ok(Vec::new())
    } else {
        decode_base64(text)
    }
}

/// A client's line during an exchange, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientLine {
    /// A response (raw bytes, possibly empty).
    Response(Vec<u8>),
    /// `*`: the client cancels the exchange (RFC 4954 §4, RFC 3501 §6.2.2, RFC 5034 §4).
    Cancel,
}

/// Decodes a client's response line (without its CRLF): `*` cancels, an empty line is an
/// empty response, anything else is strict base64.
///
/// # Errors
/// [`Error::Base64`] as for [`decode_base64`].
pub fn decode_client_line(line: &[u8]) -> Result<ClientLine, Error> {
    if line == b"*" {
        Ok(ClientLine::Cancel)
    } else {
        decode_base64(line).map(ClientLine::Response)
    }
}

// ---------------------------------------------------------------------------------------
// Secrets and credentials
// ---------------------------------------------------------------------------------------

/// A password or token: a `String` whose `Debug` prints `Secret(***)`, compared in constant
/// time, and overwritten with zeros (best effort) when dropped.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares with `other` in constant time (the lengths are not hidden).
    #[must_use]
    pub fn matches(&self, other: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(other).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other.0.as_bytes())
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(String::from(s))
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = core::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        core::hint::black_box(&bytes);
    }
}

/// What a client presented, once a [`SaslServer`] exchange completes. The application
/// decides whether the credentials are good.
///
/// `Debug` never prints passwords, tokens or the CRAM-MD5 digest.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// PLAIN (RFC 4616 §2).
    Plain {
        /// The identity to act as, if the client asked for one (else derive it from
        /// `authcid`).
        authzid: Option<String>,
        /// The identity whose password is used.
        authcid: String,
        /// The password.
        password: Secret,
    },
    /// LOGIN.
    Login {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// CRAM-MD5 (RFC 2195 §2): check with [`Credentials::verify`].
    CramMd5 {
        /// The user name.
        username: String,
        /// The challenge the server sent (`<unique@host>`).
        challenge: String,
        /// The client's HMAC-MD5 digest, 32 lower-case hexadecimal digits.
        digest: String,
    },
    /// XOAUTH2.
    XOAuth2 {
        /// The user (e-mail address).
        user: String,
        /// The bearer token.
        token: Secret,
    },
    /// OAUTHBEARER (RFC 7628 §3.1).
    OAuthBearer {
        /// The authorization identity from the GS2 header, if any.
        authzid: Option<String>,
        /// The `host` key, if sent.
        host: Option<String>,
        /// The `port` key, if sent.
        port: Option<u16>,
        /// The bearer token; empty when the client sent `auth=` with no value to discover
        /// the required scope (RFC 7628 §4.3), which the application must fail.
        token: Secret,
    },
    /// EXTERNAL (RFC 4422 Appendix A): the identity comes from outside (a TLS client
    /// certificate, a UNIX socket peer).
    External {
        /// The identity to act as, if the client asked for one.
        authzid: Option<String>,
    },
    /// ANONYMOUS (RFC 4505): trace information only, not authenticated.
    Anonymous {
        /// The trace (an e-mail address or an opaque token; possibly empty).
        trace: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Plain {
                authzid,
                authcid,
                password,
            } => f
                .debug_struct("Plain")
                .field("authzid", authzid)
                .field("authcid", authcid)
                .field("password", password)
                .finish(),
            Credentials::Login { username, password } => f
                .debug_struct("Login")
                .field("username", username)
                .field("password", password)
                .finish(),
            Credentials::CramMd5 {
                username,
                challenge,
                digest: _,
            } => f
                .debug_struct("CramMd5")
                .field("username", username)
                .field("challenge", challenge)
                .field("digest", &format_args!("***"))
                .finish(),
            Credentials::XOAuth2 { user, token } => f
                .debug_struct("XOAuth2")
                .field("user", user)
                .field("token", token)
                .finish(),
            Credentials::OAuthBearer {
                authzid,
                host,
                port,
                token,
            } => f
                .debug_struct("OAuthBearer")
                .field("authzid", authzid)
                .field("host", host)
                .field("port", port)
                .field("token", token)
                .finish(),
            Credentials::External { authzid } => f
                .debug_struct("External")
                .field("authzid", authzid)
                .finish(),
            Credentials::Anonymous { trace } => {
                f.debug_struct("Anonymous").field("trace", trace).finish()
            }
        }
    }
}

/// HMAC-MD5 of `challenge` keyed with `secret`, as lower-case hex (RFC 2195 §2, RFC 2104).
fn cram_md5_hex(secret: &[u8], challenge: &[u8]) -> Option<[u8; 32]> {
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(secret).ok()?;
    mac.update(challenge);
    Some(hex32(&mac.finalize().into_bytes()))
}

impl Credentials {
    /// The mechanism these credentials came from.
    #[must_use]
    pub fn mechanism(&self) -> Mechanism<'static> {
        match self {
            Credentials::Plain { .. } => Mechanism::Plain,
            Credentials::Login { .. } => Mechanism::Login,
            Credentials::CramMd5 { .. } => Mechanism::CramMd5,
            Credentials::XOAuth2 { .. } => Mechanism::XOAuth2,
            Credentials::OAuthBearer { .. } => Mechanism::OAuthBearer,
            Credentials::External { .. } => Mechanism::External,
            Credentials::Anonymous { .. } => Mechanism::Anonymous,
        }
    }

    /// The identity that authenticates: PLAIN's authcid, LOGIN's and CRAM-MD5's user name,
    /// XOAUTH2's user. `None` for the others (OAUTHBEARER's identity comes from the token,
    /// EXTERNAL's from outside, ANONYMOUS has none).
    #[must_use]
    pub fn authcid(&self) -> Option<&str> {
        match self {
            Credentials::Plain { authcid, .. } => Some(authcid),
            Credentials::Login { username, .. } | Credentials::CramMd5 { username, .. } => {
                Some(username)
            }
            Credentials::XOAuth2 { user, .. } => Some(user),
            Credentials::OAuthBearer { .. }
            | Credentials::External { .. }
            | Credentials::Anonymous { .. } => None,
        }
    }

    /// The authorization identity the client asked for, if any (PLAIN, OAUTHBEARER,
    /// EXTERNAL).
    #[must_use]
    pub fn authzid(&self) -> Option<&str> {
        match self {
            Credentials::Plain { authzid, .. }
            | Credentials::OAuthBearer { authzid, .. }
            | Credentials::External { authzid } => authzid.as_deref(),
            _ => None,
        }
    }

    /// Checks the credentials against the user's shared secret, in constant time:
    /// for CRAM-MD5 the HMAC-MD5 of the challenge keyed with `secret` must equal the
    /// client's digest (RFC 2195 §2); for PLAIN and LOGIN the password must equal `secret`.
    /// Always `false` for the other mechanisms, whose secrets (tokens, certificates) are
    /// checked elsewhere.
    #[must_use]
    pub fn verify(&self, secret: &[u8]) -> bool {
        match self {
            Credentials::CramMd5 {
                challenge, digest, ..
            } => {
                let (Some(expected), Some(received)) = (
                    cram_md5_hex(secret, challenge.as_bytes()),
                    parse_hex32(digest.as_bytes()),
                ) else {
                    return false;
                };
                expected.ct_eq(&received).into()
            }
            Credentials::Plain { password, .. } | Credentials::Login { password, .. } => {
                password.matches(secret)
            }
            _ => false,
        }
    }

    /// Whether these are PLAIN, LOGIN or CRAM-MD5 credentials for `user` with `password`
    /// (for CRAM-MD5, `password` is the shared secret). Both comparisons are made in
    /// constant time and both are always made. `false` for the other mechanisms.
    #[must_use]
    pub fn password_matches(&self, user: &str, password: &str) -> bool {
        let claimed = match self {
            Credentials::Plain { authcid, .. } => authcid,
            Credentials::Login { username, .. } | Credentials::CramMd5 { username, .. } => username,
            _ => return false,
        };
        let user_ok = claimed.as_bytes().ct_eq(user.as_bytes());
        let secret_ok = subtle::Choice::from(u8::from(self.verify(password.as_bytes())));
        (user_ok & secret_ok).into()
    }
}

// ---------------------------------------------------------------------------------------
// Message grammars shared by both sides
// ---------------------------------------------------------------------------------------

/// LOGIN's server prompts (de facto; clients ignore the text).
const LOGIN_USERNAME: &[u8] = b"Username:";
const LOGIN_PASSWORD: &[u8] = b"Password:";

/// The longest ANONYMOUS trace, in characters (RFC 4505 §2: `token = 1*255TCHAR`; applied
/// to the e-mail form too).
pub const ANONYMOUS_TRACE_MAX: usize = 255;

fn utf8(bytes: &[u8], expected: &'static str) -> Result<String, SaslError> {
    core::str::from_utf8(bytes)
        .map(String::from)
        .map_err(|_| malformed(expected))
}

/// A non-empty UTF-8 string without NUL (RFC 4616 `1*SAFE`).
fn safe_string(bytes: &[u8], expected: &'static str) -> Result<String, SaslError> {
    if bytes.is_empty() || bytes.contains(&0) {
        return Err(malformed(expected));
    }
    utf8(bytes, expected)
}

/// RFC 4616 §2: `message = [authzid] UTF8NUL authcid UTF8NUL passwd`.
fn plain_message(authzid: Option<&str>, authcid: &str, password: &str) -> Vec<u8> {
    let authzid = authzid.unwrap_or("");
    let mut m = Vec::with_capacity(authzid.len() + authcid.len() + password.len() + 2);
    m.extend_from_slice(authzid.as_bytes());
    m.push(0);
    m.extend_from_slice(authcid.as_bytes());
    m.push(0);
    m.extend_from_slice(password.as_bytes());
    m
}

fn parse_plain(message: &[u8]) -> Result<Credentials, SaslError> {
    let mut parts = message.splitn(3, |&b| b == 0);
    let (Some(authzid), Some(authcid), Some(password)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("authzid NUL authcid NUL passwd"));
    };
    let authzid = if authzid.is_empty() {
        None
    } else {
        Some(safe_string(authzid, "authzid = 1*SAFE")?)
    };
    Ok(Credentials::Plain {
        authzid,
        authcid: safe_string(authcid, "authcid = 1*SAFE")?,
        // The third part may still hold a NUL (splitn stops at three): SAFE forbids it.
        password: Secret(safe_string(password, "passwd = 1*SAFE")?),
    })
}

/// Google's XOAUTH2: `user=<user>^Aauth=Bearer <token>^A^A`.
fn xoauth2_message(user: &str, token: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(user.len() + token.len() + 20);
    m.extend_from_slice(b"user=");
    m.extend_from_slice(user.as_bytes());
    m.extend_from_slice(b"\x01auth=Bearer ");
    m.extend_from_slice(token.as_bytes());
    m.extend_from_slice(b"\x01\x01");
    m
}

/// Splits `*(key "=" value %x01) %x01` (the key/value list shared by XOAUTH2 and RFC 7628
/// §3.1) and calls `each` for every pair.
fn kv_pairs<'m>(
    list: &'m [u8],
    mut each: impl FnMut(&'m [u8], &'m [u8]) -> Result<(), SaslError>,
) -> Result<(), SaslError> {
    let Some(body) = list.strip_suffix(b"\x01") else {
        return Err(malformed("kvsep (%x01) ending the message"));
    };
    if body.is_empty() {
        return Ok(());
    }
    let Some(body) = body.strip_suffix(b"\x01") else {
        return Err(malformed("kvpair ending in kvsep"));
    };
    for pair in body.split(|&b| b == 0x01) {
        let Some(eq) = memchr::memchr(b'=', pair) else {
            return Err(malformed("kvpair = key \"=\" value kvsep"));
        };
        let (key, value) = (pair.get(..eq).unwrap_or_default(), pair.get(eq + 1..));
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err(malformed("key = 1*ALPHA"));
        }
        each(key, value.unwrap_or_default())?;
    }
    Ok(())
}

fn set_once<'m>(slot: &mut Option<&'m [u8]>, value: &'m [u8]) -> Result<(), SaslError> {
    if slot.replace(value).is_some() {
        return Err(malformed("each key at most once"));
    }
    Ok(())
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &[u8]) -> bool {
    let body_len = token.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    let (body, pad) = token.split_at(body_len);
    !body.is_empty()
        && body.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
        && pad.iter().all(|&b| b == b'=')
}

/// RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token` (the scheme ignoring case).
fn bearer_token(auth: &[u8]) -> Result<&[u8], SaslError> {
    const EXPECTED: &str = "auth=Bearer 1*SP b64token";
    if !starts_with_ignore_case(auth, b"Bearer ") {
        return Err(malformed(EXPECTED));
    }
    let rest = auth.get(7..).unwrap_or_default();
    let token = rest.get(rest.iter().take_while(|&&b| b == b' ').count()..);
    match token {
        Some(t) if is_b64token(t) => Ok(t),
        _ => Err(malformed(EXPECTED)),
    }
}

fn parse_xoauth2(message: &[u8]) -> Result<Credentials, SaslError> {
    let (mut user, mut auth) = (None, None);
    kv_pairs(message, |key, value| match key {
        b"user" => set_once(&mut user, value),
        b"auth" => set_once(&mut auth, value),
        _ => Ok(()), // unknown keys are ignored, as RFC 7628 §3.1 does
    })?;
    let (Some(user), Some(auth)) = (user, auth) else {
        return Err(malformed("user= and auth= keys"));
    };
    let token = bearer_token(auth)?;
    Ok(Credentials::XOAuth2 {
        user: safe_string(user, "non-empty UTF-8 user")?,
        token: Secret(utf8(token, "b64token")?),
    })
}

/// RFC 5801 §4 `saslname`: `,` and `=` are written `=2C` and `=3D`.
fn escape_saslname(name: &str, out: &mut Vec<u8>) {
    for b in name.bytes() {
        match b {
            b',' => out.extend_from_slice(b"=2C"),
            b'=' => out.extend_from_slice(b"=3D"),
            _ => out.push(b),
        }
    }
}

fn unescape_saslname(name: &[u8]) -> Result<String, SaslError> {
    const EXPECTED: &str = "saslname = 1*(UTF8-char-safe / \"=2C\" / \"=3D\")";
    let mut out = Vec::with_capacity(name.len());
    let mut rest = name;
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            0 | b',' => return Err(malformed(EXPECTED)),
            b'=' => {
                match tail.get(..2) {
                    Some(b"2C") => out.push(b','),
                    Some(b"3D") => out.push(b'='),
                    _ => return Err(malformed(EXPECTED)),
                }
                rest = tail.get(2..).unwrap_or_default();
            }
            _ => {
                out.push(b);
                rest = tail;
            }
        }
    }
    if out.is_empty() {
        return Err(malformed(EXPECTED));
    }
    String::from_utf8(out).map_err(|_| malformed(EXPECTED))
}

/// RFC 7628 §3.1: `gs2-header kvsep *kvpair kvsep`, with `gs2-header = "n," ["a=" saslname]
/// ","` (RFC 5801 §4; no channel binding).
fn oauthbearer_message(
    authzid: Option<&str>,
    host: Option<&str>,
    port: Option<u16>,
    token: &str,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(64 + token.len());
    m.extend_from_slice(b"n,");
    if let Some(a) = authzid {
        m.extend_from_slice(b"a=");
        escape_saslname(a, &mut m);
    }
    m.extend_from_slice(b",\x01");
    if let Some(h) = host {
        m.extend_from_slice(b"host=");
        m.extend_from_slice(h.as_bytes());
        m.push(0x01);
    }
    if let Some(p) = port {
        m.extend_from_slice(b"port=");
        let mut digits = [0u8; 5];
        let mut n = p;
        let mut i = digits.len();
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        m.extend_from_slice(digits.get(i..).unwrap_or_default());
        m.push(0x01);
    }
    m.extend_from_slice(b"auth=Bearer ");
    m.extend_from_slice(token.as_bytes());
    m.extend_from_slice(b"\x01\x01");
    m
}

/// RFC 7628 §3.1 `value = *(VCHAR / SP / HTAB / CR / LF)`.
fn is_kv_value(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| matches!(b, 0x21..=0x7e | b' ' | b'\t' | b'\r' | b'\n'))
}

/// RFC 7628 §3.1: "a decimal positive integer string without leading zeros".
fn parse_port(value: &[u8]) -> Result<u16, SaslError> {
    const EXPECTED: &str = "port = decimal positive integer without leading zeros";
    if value.is_empty() || value.len() > 5 || value.first() == Some(&b'0') {
        return Err(malformed(EXPECTED));
    }
    let mut n: u32 = 0;
    for &b in value {
        if !b.is_ascii_digit() {
            return Err(malformed(EXPECTED));
        }
        n = n * 10 + u32::from(b - b'0');
    }
    u16::try_from(n).map_err(|_| malformed(EXPECTED))
}

fn parse_oauthbearer(message: &[u8]) -> Result<Credentials, SaslError> {
    // gs2-cb-flag: "n" or "y" (client cannot or thinks the server cannot do channel
    // binding); "p=" asks for channel binding, which OAUTHBEARER does not have.
    let rest = match message {
        [b'n' | b'y', b',', rest @ ..] => rest,
        [b'p', b'=', ..] => return Err(malformed("gs2-cb-flag \"n\" or \"y\"")),
        _ => return Err(malformed("gs2-header")),
    };
    let Some(comma) = memchr::memchr(b',', rest) else {
        return Err(malformed("\",\" ending gs2-header"));
    };
    let authzid = match rest.get(..comma).unwrap_or_default() {
        [] => None,
        [b'a', b'=', name @ ..] => Some(unescape_saslname(name)?),
        _ => return Err(malformed("gs2-authzid = \"a=\" saslname")),
    };
    let Some((&0x01, pairs)) = rest.get(comma + 1..).unwrap_or_default().split_first() else {
        return Err(malformed("kvsep after gs2-header"));
    };
    let (mut host, mut port, mut auth) = (None, None, None);
    kv_pairs(pairs, |key, value| {
        if !is_kv_value(value) {
            return Err(malformed("value = *(VCHAR / SP / HTAB / CR / LF)"));
        }
        match key {
            b"host" => set_once(&mut host, value),
            b"port" => set_once(&mut port, value),
            b"auth" => set_once(&mut auth, value),
            _ => Ok(()), // RFC 7628 §3.1: unknown key/value pairs MUST be ignored
        }
    })?;
    let Some(auth) = auth else {
        return Err(malformed("auth key (REQUIRED)"));
    };
    // An empty `auth=` asks for the error challenge that names the scope (RFC 7628 §4.3).
    let token = if auth.is_empty() {
        Secret::default()
    } else {
        Secret(utf8(bearer_token(auth)?, "b64token")?)
    };
    Ok(Credentials::OAuthBearer {
        authzid,
        host: host.map(|h| utf8(h, "host value")).transpose()?,
        port: port.map(parse_port).transpose()?,
        token,
    })
}

/// An identity for EXTERNAL: empty (none) or UTF-8 without NUL.
fn parse_external(message: &[u8]) -> Result<Credentials, SaslError> {
    let authzid = if message.is_empty() {
        None
    } else {
        Some(safe_string(message, "authzid as UTF-8 without NUL")?)
    };
    Ok(Credentials::External { authzid })
}

/// RFC 5322 §3.2.3 `atext`, with RFC 6532 §3.2's UTF-8 extension.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

/// RFC 5322 §3.2.3 `dot-atom-text = 1*atext *("." 1*atext)`.
fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.chars().all(is_atext))
}

/// RFC 5322 §3.4.1 `addr-spec = local-part "@" domain`, without CFWS and obsolete forms:
/// `local-part = dot-atom / quoted-string`, `domain = dot-atom / domain-literal`.
fn is_addr_spec(s: &str) -> bool {
    let domain = if let Some(quoted) = s.strip_prefix('"') {
        // quoted-string = DQUOTE *([FWS] qcontent) [FWS] DQUOTE
        let mut chars = quoted.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    end = Some(i);
                    break;
                }
                '\\' => match chars.next() {
                    Some((_, q)) if q == ' ' || q == '\t' || q.is_ascii_graphic() => {}
                    _ => return false,
                },
                ' ' | '\t' => {}
                c if c.is_ascii_graphic() || !c.is_ascii() => {}
                _ => return false,
            }
        }
        match end.and_then(|e| quoted.get(e + 1..)) {
            Some(after) => match after.strip_prefix('@') {
                Some(domain) => domain,
                None => return false,
            },
            None => return false,
        }
    } else {
        match s.split_once('@') {
            Some((local, domain)) if is_dot_atom(local) => domain,
            _ => return false,
        }
    };
    if let Some(literal) = domain.strip_prefix('[') {
        // domain-literal = "[" *dtext "]", dtext = %d33-90 / %d94-126 / UTF8-non-ascii
        literal.strip_suffix(']').is_some_and(|d| {
            d.chars()
                .all(|c| !c.is_ascii() || (c.is_ascii_graphic() && !"[]\\".contains(c)))
        })
    } else {
        is_dot_atom(domain)
    }
}

/// RFC 4505 §2 `message = [ email / token ]`: empty, an addr-spec, or up to 255 characters
/// without `@`; control characters (stringprep tables C.2.1 and the C1 controls of C.2.2,
/// which the "trace" profile of §3 prohibits) are refused in both forms. The other
/// stringprep tables are not applied. The 255-character cap applies to the e-mail form too.
fn check_trace(trace: &str) -> Result<(), &'static str> {
    if trace.chars().count() > ANONYMOUS_TRACE_MAX {
        return Err("trace of at most 255 characters");
    }
    if trace.chars().any(char::is_control) {
        return Err("trace without control characters");
    }
    if trace.contains('@') && !is_addr_spec(trace) {
        return Err("trace = email (addr-spec) or token without \"@\"");
    }
    Ok(())
}

fn parse_anonymous(message: &[u8]) -> Result<Credentials, SaslError> {
    let trace = utf8(message, "trace as UTF-8")?;
    check_trace(&trace).map_err(malformed)?;
    Ok(Credentials::Anonymous { trace })
}

fn parse_cram_response(message: &[u8], challenge: &str) -> Result<Credentials, SaslError> {
    // RFC 2195 §2: "the user name, a space, and a 'digest'"; the user name may itself
    // contain spaces, the digest cannot.
    let Some(space) = memchr::memrchr(b' ', message) else {
        return Err(malformed("user SP digest"));
    };
    let (user, digest) = (
        message.get(..space).unwrap_or_default(),
        message.get(space + 1..).unwrap_or_default(),
    );
    let Some(digest) = parse_hex32(digest) else {
        return Err(malformed("digest = 32 hexadecimal digits"));
    };
    Ok(Credentials::CramMd5 {
        username: safe_string(user, "non-empty UTF-8 user name")?,
        challenge: String::from(challenge),
        digest: utf8(&digest, "digest")?,
    })
}

// ---------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum ClientMech {
    Plain {
        authzid: Option<String>,
        authcid: String,
        password: Secret,
    },
    Login {
        user: String,
        password: Secret,
    },
    CramMd5 {
        user: String,
        secret: Secret,
    },
    XOAuth2 {
        user: String,
        token: Secret,
    },
    OAuthBearer {
        authzid: Option<String>,
        host: Option<String>,
        port: Option<u16>,
        token: Secret,
    },
    External {
        authzid: Option<String>,
    },
    Anonymous {
        trace: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClientState {
    /// Nothing sent yet.
    Initial,
    /// LOGIN: the user name was sent.
    LoginUserSent,
    /// The mechanism's message was sent; only an OAuth error challenge may follow.
    Sent,
    /// An OAuth error challenge was answered; the exchange has failed.
    ErrorAcknowledged,
    /// The credentials cannot be encoded.
    Invalid(SaslError),
}

/// The client side of a SASL exchange.
///
/// Call order: build it with the mechanism's constructor; if the protocol allows an
/// initial response (SMTP AUTH, IMAP SASL-IR, POP3 AUTH), call
/// [`initial_response`](Self::initial_response) and send its base64 with the command; then
/// pass each decoded server challenge to [`step`](Self::step) and send back the base64 of
/// its result, until the server reports success or failure. If the initial response was not
/// used, the server answers the command with an empty challenge and `step` returns the
/// mechanism's first message.
///
/// Constructors never fail; credentials that the mechanism cannot encode (a NUL in a PLAIN
/// name, an `%x01` in an XOAUTH2 token, an ANONYMOUS trace over 255 characters...) are
/// reported by [`check`](Self::check) and by `step`, and `initial_response` then returns
/// `None`, so nothing malformed is ever produced.
///
/// `Debug` never prints the password, secret or token.
#[derive(Debug, Clone)]
pub struct SaslClient {
    mech: ClientMech,
    state: ClientState,
    server_error: Option<Vec<u8>>,
}

impl SaslClient {
    fn build(mech: ClientMech, problem: Option<&'static str>) -> Self {
        SaslClient {
            mech,
            state: match problem {
                Some(what) => ClientState::Invalid(SaslError::InvalidInput { what }),
                None => ClientState::Initial,
            },
            server_error: None,
        }
    }

    /// PLAIN (RFC 4616): `authzid` to act as another identity (`None` or `""` for none),
    /// `authcid` and `password` non-empty, none of them with a NUL.
    #[must_use]
    pub fn plain(authzid: Option<&str>, authcid: &str, password: &str) -> Self {
        let authzid = authzid.filter(|a| !a.is_empty());
        let problem = if authzid.is_some_and(|a| a.contains('\0')) {
            Some("PLAIN authzid contains NUL")
        } else if authcid.is_empty() || authcid.contains('\0') {
            Some("PLAIN authcid must be non-empty without NUL")
        } else if password.is_empty() || password.contains('\0') {
            Some("PLAIN password must be non-empty without NUL")
        } else {
            None
        };
        Self::build(
            ClientMech::Plain {
                authzid: authzid.map(String::from),
                authcid: String::from(authcid),
                password: Secret::new(password),
            },
            problem,
        )
    }

    /// LOGIN: answers the server's first prompt with `user` and the second with
    /// `password` (both non-empty, without NUL); the prompt text is ignored.
    #[must_use]
    pub fn login(user: &str, password: &str) -> Self {
        let problem = if user.is_empty() || user.contains('\0') {
            Some("LOGIN user must be non-empty without NUL")
        } else if password.is_empty() || password.contains('\0') {
            Some("LOGIN password must be non-empty without NUL")
        } else {
            None
        };
        Self::build(
            ClientMech::Login {
                user: String::from(user),
                password: Secret::new(password),
            },
            problem,
        )
    }

    /// CRAM-MD5 (RFC 2195): answers the challenge with `user SP hex(HMAC-MD5(secret,
    /// challenge))`. `user` must be non-empty without NUL.
    #[must_use]
    pub fn cram_md5(user: &str, secret: &str) -> Self {
        let problem = (user.is_empty() || user.contains('\0'))
            .then_some("CRAM-MD5 user must be non-empty without NUL");
        Self::build(
            ClientMech::CramMd5 {
                user: String::from(user),
                secret: Secret::new(secret),
            },
            problem,
        )
    }

    /// XOAUTH2: `user=<user>^Aauth=Bearer <token>^A^A`. `user` non-empty without `%x01`;
    /// `token` an RFC 6750 `b64token`.
    #[must_use]
    pub fn xoauth2(user: &str, token: &str) -> Self {
        let problem = if user.is_empty() || user.contains(['\0', '\x01']) {
            Some("XOAUTH2 user must be non-empty without NUL or %x01")
        } else if !is_b64token(token.as_bytes()) {
            Some("XOAUTH2 token must be an RFC 6750 b64token")
        } else {
            None
        };
        Self::build(
            ClientMech::XOAuth2 {
                user: String::from(user),
                token: Secret::new(token),
            },
            problem,
        )
    }

    /// OAUTHBEARER (RFC 7628 §3.1): GS2 header `n,a=<authzid>,` (`,` and `=` in the
    /// authzid escaped as `=2C`/`=3D`), then `host`, `port` and `auth=Bearer <token>`.
    /// `authzid` without NUL (`None` or `""` for none), `host` non-empty VCHARs, `port`
    /// positive, `token` an RFC 6750 `b64token`.
    #[must_use]
    pub fn oauthbearer(
        authzid: Option<&str>,
        host: Option<&str>,
        port: Option<u16>,
        token: &str,
    ) -> Self {
        let authzid = authzid.filter(|a| !a.is_empty());
        let problem = if authzid.is_some_and(|a| a.contains('\0')) {
            Some("OAUTHBEARER authzid contains NUL")
        } else if host
            .is_some_and(|h| h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        {
            Some("OAUTHBEARER host must be non-empty VCHAR / SP")
        } else if port == Some(0) {
            Some("OAUTHBEARER port must be positive")
        } else if !is_b64token(token.as_bytes()) {
            Some("OAUTHBEARER token must be an RFC 6750 b64token")
        } else {
            None
        };
        Self::build(
            ClientMech::OAuthBearer {
                authzid: authzid.map(String::from),
                host: host.map(String::from),
                port,
                token: Secret::new(token),
            },
            problem,
        )
    }

    /// EXTERNAL (RFC 4422 Appendix A): the message is the authzid, empty for none.
    #[must_use]
    pub fn external(authzid: Option<&str>) -> Self {
        let authzid = authzid.filter(|a| !a.is_empty());
        let problem = authzid
            .is_some_and(|a| a.contains('\0'))
            .then_some("EXTERNAL authzid contains NUL");
        Self::build(
            ClientMech::External {
                authzid: authzid.map(String::from),
            },
            problem,
        )
    }

    /// ANONYMOUS (RFC 4505 §2): the trace is empty, an e-mail address, or up to 255
    /// characters without `@`, with no control characters.
    #[must_use]
    pub fn anonymous(trace: &str) -> Self {
        let problem = check_trace(trace).err();
        Self::build(
            ClientMech::Anonymous {
                trace: String::from(trace),
            },
            problem,
        )
    }

    /// The mechanism.
    #[must_use]
    pub fn mechanism(&self) -> Mechanism<'static> {
        match self.mech {
            ClientMech::Plain { .. } => Mechanism::Plain,
            ClientMech::Login { .. } => Mechanism::Login,
            ClientMech::CramMd5 { .. } => Mechanism::CramMd5,
            ClientMech::XOAuth2 { .. } => Mechanism::XOAuth2,
            ClientMech::OAuthBearer { .. } => Mechanism::OAuthBearer,
            ClientMech::External { .. } => Mechanism::External,
            ClientMech::Anonymous { .. } => Mechanism::Anonymous,
        }
    }

    /// `Err` when the credentials cannot be encoded by the mechanism.
    ///
    /// # Errors
    /// [`SaslError::InvalidInput`] naming the problem.
    pub fn check(&self) -> Result<(), SaslError> {
        match &self.state {
            ClientState::Invalid(e) => Err(e.clone()),
            _ => Ok(()),
        }
    }

    /// The JSON error challenge an XOAUTH2 or OAUTHBEARER server sent (RFC 7628 §3.2.2),
    /// once [`step`](Self::step) has answered it.
    #[must_use]
    pub fn server_error(&self) -> Option<&[u8]> {
        self.server_error.as_deref()
    }

    /// The mechanism's first message, raw; the caller base64-encodes it with
    /// [`encode_initial_response`].
    ///
    /// `Some` for PLAIN, XOAUTH2, OAUTHBEARER, EXTERNAL and ANONYMOUS, which then count as
    /// sent; `None` for LOGIN and CRAM-MD5 (the server speaks first), when called a second
    /// time or after [`step`](Self::step), and when the credentials are invalid.
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        if self.state != ClientState::Initial {
            return None;
        }
        let message = self.first_message()?;
        self.state = ClientState::Sent;
        Some(message)
    }

    /// The first message of a client-first mechanism.
    fn first_message(&self) -> Option<Vec<u8>> {
        match &self.mech {
            ClientMech::Plain {
                authzid,
                authcid,
                password,
            } => Some(plain_message(
                authzid.as_deref(),
                authcid,
                password.expose(),
            )),
            ClientMech::XOAuth2 { user, token } => Some(xoauth2_message(user, token.expose())),
            ClientMech::OAuthBearer {
                authzid,
                host,
                port,
                token,
            } => Some(oauthbearer_message(
                authzid.as_deref(),
                host.as_deref(),
                *port,
                token.expose(),
            )),
            ClientMech::External { authzid } => {
                Some(authzid.as_deref().unwrap_or("").as_bytes().to_vec())
            }
            ClientMech::Anonymous { trace } => Some(trace.as_bytes().to_vec()),
            ClientMech::Login { .. } | ClientMech::CramMd5 { .. } => None,
        }
    }

    /// Answers one server challenge (decoded from base64): returns the raw response, which
    /// the caller base64-encodes.
    ///
    /// * Client-first mechanisms whose initial response was not sent answer the first
    ///   (empty) challenge with their message; its content is not checked.
    /// * LOGIN answers the first challenge with the user name and the second with the
    ///   password, whatever the prompts say.
    /// * CRAM-MD5 answers the (non-empty) challenge with `user SP digest`.
    /// * XOAUTH2 answers an error challenge after its message with an empty response,
    ///   OAUTHBEARER with `%x01` (RFC 7628 §3.2.3); the JSON is kept in
    ///   [`server_error`](Self::server_error) and the server will then report failure.
    ///
    /// # Errors
    /// [`SaslError::UnexpectedStep`] for a challenge the mechanism has no answer to;
    /// [`SaslError::Malformed`] for an empty CRAM-MD5 challenge;
    /// [`SaslError::InvalidInput`] when the credentials cannot be encoded.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match (&self.state, &self.mech) {
            (ClientState::Invalid(e), _) => Err(e.clone()),
            (ClientState::Initial, ClientMech::Login { user, .. }) => {
                let user = user.as_bytes().to_vec();
                self.state = ClientState::LoginUserSent;
                Ok(user)
            }
            (ClientState::LoginUserSent, ClientMech::Login { password, .. }) => {
                let password = password.expose().as_bytes().to_vec();
                self.state = ClientState::Sent;
                Ok(password)
            }
            (ClientState::Initial, ClientMech::CramMd5 { user, secret }) => {
                if challenge.is_empty() {
                    return Err(malformed("a non-empty CRAM-MD5 challenge"));
                }
                let digest = cram_md5_hex(secret.expose().as_bytes(), challenge)
                    .ok_or(malformed("an HMAC-MD5 key"))?;
                let mut response = Vec::with_capacity(user.len() + 33);
                response.extend_from_slice(user.as_bytes());
                response.push(b' ');
                response.extend_from_slice(&digest);
                self.state = ClientState::Sent;
                Ok(response)
            }
            (ClientState::Initial, _) => {
                let message = self.first_message().ok_or(SaslError::UnexpectedStep)?;
                self.state = ClientState::Sent;
                Ok(message)
            }
            (ClientState::Sent, ClientMech::XOAuth2 { .. }) => {
                self.server_error = Some(challenge.to_vec());
                self.state = ClientState::ErrorAcknowledged;
                Ok(Vec::new())
            }
            (ClientState::Sent, ClientMech::OAuthBearer { .. }) => {
                self.server_error = Some(challenge.to_vec());
                self.state = ClientState::ErrorAcknowledged;
                Ok(alloc::vec![0x01])
            }
            _ => Err(SaslError::UnexpectedStep),
        }
    }

    /// [`initial_response`](Self::initial_response), base64-encoded for the command line
    /// ([`encode_initial_response`]: `=` when empty).
    pub fn initial_response_base64(&mut self) -> Option<String> {
        self.initial_response()
            .map(|ir| encode_initial_response(&ir))
    }

    /// [`step`](Self::step) on a base64 challenge, returning the base64 response line.
    ///
    /// # Errors
    /// [`Error::Base64`] when the challenge is not base64, [`Error::Sasl`] as for `step`.
    /// On any error the client should cancel with `*` (RFC 4954 §4).
    pub fn step_base64(&mut self, challenge: &[u8]) -> Result<String, Error> {
        let challenge = decode_base64(challenge)?;
        Ok(encode_base64(&self.step(&challenge)?))
    }
}

// ---------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------

/// What a [`SaslServer`] wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send this challenge (raw; base64-encode it) and pass the client's answer to
    /// [`SaslServer::step`].
    Challenge(Vec<u8>),
    /// The exchange is complete: check these credentials and report success or failure.
    Done(Credentials),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ServerState {
    /// `start` not called yet.
    Start,
    /// An empty challenge was sent; the client-first message is due.
    AwaitMessage,
    /// LOGIN: `Username:` was sent.
    LoginUser,
    /// LOGIN: `Password:` was sent.
    LoginPassword { username: String },
    /// CRAM-MD5: the challenge was sent.
    CramResponse,
    /// Credentials were returned.
    Done,
    /// An OAuth error challenge was sent; the client's dummy response is due.
    ErrorSent,
    /// The exchange failed or was cancelled.
    Finished,
}

/// The server side of a SASL exchange.
///
/// Call order: [`new`](Self::new) with the mechanism the client named; [`start`](Self::start)
/// with the decoded initial response if the command carried one; then, while it returns
/// [`ServerStep::Challenge`], send the challenge and pass the client's decoded answer to
/// [`step`](Self::step). [`ServerStep::Done`] carries the [`Credentials`] for the
/// application to check. If an XOAUTH2 or OAUTHBEARER token is refused, the application may
/// call [`oauth_error`](Self::oauth_error) to send the JSON error challenge; the client's
/// dummy answer then makes `step` return [`SaslError::Failed`].
///
/// Any error ends the exchange; later calls return [`SaslError::UnexpectedStep`]. A client
/// `*` line is handled by [`step_line`](Self::step_line), or by the caller before `step`.
#[derive(Debug, Clone)]
pub struct SaslServer {
    mech: Mechanism<'static>,
    challenge: String,
    state: ServerState,
}

impl SaslServer {
    /// A server for `mech`. `cram_challenge` is the `<unique@host>` challenge for CRAM-MD5
    /// (RFC 2195 §2; the caller makes it unique, see [`crate::apop::make_timestamp`]) and
    /// is ignored by the other mechanisms.
    ///
    /// # Errors
    /// [`SaslError::UnsupportedMechanism`] for [`Mechanism::Other`] (unless it spells one
    /// of the known names);
    /// [`SaslError::InvalidInput`] for a CRAM-MD5 challenge that is not a valid
    /// `<unique@host>` of at most 255 octets.
    pub fn new(mech: Mechanism<'_>, cram_challenge: &str) -> Result<Self, SaslError> {
        // An `Other` built by hand may still spell a known name.
        let mech = match mech {
            Mechanism::Other(name) => match Mechanism::parse(name.as_bytes()) {
                Some(Mechanism::Other(_)) | None => return Err(SaslError::UnsupportedMechanism),
                Some(known) => known.into_owned(),
            },
            mech => mech.into_owned(),
        };
        let mech = match mech {
            Mechanism::CramMd5 => {
                check_timestamp(cram_challenge.as_bytes()).map_err(|_| {
                    SaslError::InvalidInput {
                        what: "CRAM-MD5 challenge must be <unique@host>",
                    }
                })?;
                Mechanism::CramMd5
            }
            known => known.into_owned(),
        };
        let challenge = if mech == Mechanism::CramMd5 {
            String::from(cram_challenge)
        } else {
            String::new()
        };
        Ok(SaslServer {
            mech,
            challenge,
            state: ServerState::Start,
        })
    }

    /// The mechanism.
    #[must_use]
    pub fn mechanism(&self) -> Mechanism<'static> {
        self.mech.clone()
    }

    /// Whether the exchange has ended (credentials returned, failed, or cancelled).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        matches!(self.state, ServerState::Done | ServerState::Finished)
    }

    /// Starts the exchange, with the client's initial response if the command carried one
    /// (decoded; `=` is `Some(b"")`).
    ///
    /// # Errors
    /// [`SaslError::UnexpectedInitialResponse`] for an initial response with CRAM-MD5;
    /// [`SaslError::Malformed`] for a message that breaks the mechanism's grammar;
    /// [`SaslError::Failed`] for an OAUTHBEARER message that is a lone `%x01`;
    /// [`SaslError::UnexpectedStep`] if already started.
    pub fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if self.state != ServerState::Start {
            return Err(self.fail(SaslError::UnexpectedStep));
        }
        match (&self.mech, initial_response) {
            (Mechanism::CramMd5, Some(_)) => Err(self.fail(SaslError::UnexpectedInitialResponse)),
            (Mechanism::CramMd5, None) => {
                self.state = ServerState::CramResponse;
                Ok(ServerStep::Challenge(self.challenge.as_bytes().to_vec()))
            }
            (Mechanism::Login, None) => {
                self.state = ServerState::LoginUser;
                Ok(ServerStep::Challenge(LOGIN_USERNAME.to_vec()))
            }
            (Mechanism::Login, Some(user)) => {
                // Clients may send the user name as an initial response
                // (draft-murchison-sasl-login); take it as the answer to "Username:".
                self.state = ServerState::LoginUser;
                self.step(user)
            }
            (_, Some(message)) => self.finish_message(message),
            (_, None) => {
                self.state = ServerState::AwaitMessage;
                Ok(ServerStep::Challenge(Vec::new()))
            }
        }
    }

    /// Takes the client's next response (decoded from base64).
    ///
    /// # Errors
    /// [`SaslError::Malformed`] for a message that breaks the mechanism's grammar;
    /// [`SaslError::Failed`] for the client's answer to an OAuth error challenge;
    /// [`SaslError::UnexpectedStep`] when no response is due.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, ServerState::Finished) {
            ServerState::AwaitMessage => self.finish_message(response),
            ServerState::LoginUser => match safe_string(response, "non-empty UTF-8 user name") {
                Ok(username) => {
                    self.state = ServerState::LoginPassword { username };
                    Ok(ServerStep::Challenge(LOGIN_PASSWORD.to_vec()))
                }
                Err(e) => Err(e),
            },
            ServerState::LoginPassword { username } => {
                let password = safe_string(response, "non-empty UTF-8 password")?;
                self.state = ServerState::Done;
                Ok(ServerStep::Done(Credentials::Login {
                    username,
                    password: Secret(password),
                }))
            }
            ServerState::CramResponse => {
                let creds = parse_cram_response(response, &self.challenge)?;
                self.state = ServerState::Done;
                Ok(ServerStep::Done(creds))
            }
            ServerState::ErrorSent => {
                // RFC 7628 §3.2.3: OAUTHBEARER's dummy response is a single %x01;
                // XOAUTH2 clients send an empty one.
                let expected: &[u8] = if self.mech == Mechanism::OAuthBearer {
                    b"\x01"
                } else {
                    b""
                };
                if response == expected {
                    Err(SaslError::Failed)
                } else {
                    Err(malformed(
                        "the client's dummy response to the error challenge",
                    ))
                }
            }
            ServerState::Start | ServerState::Done | ServerState::Finished => {
                Err(SaslError::UnexpectedStep)
            }
        }
    }

    /// After [`ServerStep::Done`] with XOAUTH2 or OAUTHBEARER credentials that the
    /// application refuses: returns the error challenge to send (the JSON `error`, raw,
    /// RFC 7628 §3.2.2), after which the client's answer makes [`step`](Self::step) return
    /// [`SaslError::Failed`].
    ///
    /// # Errors
    /// [`SaslError::UnexpectedStep`] for other mechanisms or at another point of the
    /// exchange.
    pub fn oauth_error(&mut self, error: &[u8]) -> Result<Vec<u8>, SaslError> {
        let oauth = matches!(self.mech, Mechanism::XOAuth2 | Mechanism::OAuthBearer);
        if !oauth || self.state != ServerState::Done {
            return Err(SaslError::UnexpectedStep);
        }
        self.state = ServerState::ErrorSent;
        Ok(error.to_vec())
    }

    /// [`start`](Self::start) on the initial response as it appears on the command line
    /// (base64, `=` for empty), or `None` if the command had none.
    ///
    /// # Errors
    /// [`Error::Base64`] when the text is not base64 (RFC 4954 §4: reply 501), which ends
    /// the exchange; [`Error::Sasl`] as for `start`.
    pub fn start_base64(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, Error> {
        let decoded = match initial_response.map(decode_initial_response).transpose() {
            Ok(d) => d,
            Err(e) => {
                self.state = ServerState::Finished;
                return Err(e);
            }
        };
        Ok(self.start(decoded.as_deref())?)
    }

    /// [`step`](Self::step) on a client's response line (without CRLF): `*` cancels,
    /// anything else is decoded from base64 first.
    ///
    /// # Errors
    /// [`Error::Sasl`]`(`[`SaslError::Cancelled`]`)` for `*`; [`Error::Base64`] for a line
    /// that is not base64 (both end the exchange); [`Error::Sasl`] as for `step`.
    pub fn step_line(&mut self, line: &[u8]) -> Result<ServerStep, Error> {
        if matches!(
            self.state,
            ServerState::Start | ServerState::Done | ServerState::Finished
        ) {
            // No response is due, so not even a cancel is.
            return Err(self.fail(SaslError::UnexpectedStep).into());
        }
        match decode_client_line(line) {
            Ok(ClientLine::Response(response)) => Ok(self.step(&response)?),
            Ok(ClientLine::Cancel) => Err(self.fail(SaslError::Cancelled).into()),
            Err(e) => {
                self.state = ServerState::Finished;
                Err(e)
            }
        }
    }

    fn fail(&mut self, e: SaslError) -> SaslError {
        self.state = ServerState::Finished;
        e
    }

    /// Parses the single message of a client-first mechanism.
    fn finish_message(&mut self, message: &[u8]) -> Result<ServerStep, SaslError> {
        self.state = ServerState::Finished;
        let creds = match self.mech {
            Mechanism::Plain => parse_plain(message),
            Mechanism::XOAuth2 => parse_xoauth2(message),
            // RFC 7628 §3.1: a lone kvsep is only the answer to an error; as a first
            // message the server may simply fail.
            Mechanism::OAuthBearer if message == b"\x01" => Err(SaslError::Failed),
            Mechanism::OAuthBearer => parse_oauthbearer(message),
            Mechanism::External => parse_external(message),
            Mechanism::Anonymous => parse_anonymous(message),
            Mechanism::Login | Mechanism::CramMd5 | Mechanism::Other(_) => {
                Err(SaslError::UnexpectedStep)
            }
        }?;
        self.state = ServerState::Done;
        Ok(ServerStep::Done(creds))
    }
}
