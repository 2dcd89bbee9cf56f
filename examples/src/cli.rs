//! The flags every example binary shares, as `clap` argument groups to flatten:
//!
//! ```
//! use clap::Parser;
//! use mail_examples::cli::{ClientArgs, ServerArgs};
//!
//! /// A server binary's flags: the shared ones plus its own.
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(flatten)]
//!     server: ServerArgs,
//!     /// Speak LMTP instead of SMTP.
//!     #[arg(long)]
//!     lmtp: bool,
//! }
//!
//! let cli = Cli::try_parse_from([
//!     "smtp-server", "--maildir", "/tmp/mail", "--user", "alice:secret", "--self-signed",
//! ])?;
//! assert!(cli.server.self_signed && !cli.lmtp);
//! assert_eq!(cli.server.password_for("alice").map(|p| p.expose()), Some("secret"));
//!
//! #[derive(Parser)]
//! struct ClientCli {
//!     #[command(flatten)]
//!     client: ClientArgs,
//! }
//! let cli = ClientCli::try_parse_from(["imap-client", "--server", "localhost:1143", "--tls"])?;
//! assert_eq!(cli.client.server.port_or(993), 1143);
//! # Ok::<(), clap::Error>(())
//! ```
//!
//! Passwords given on the command line are visible to other local users (`ps`): these are
//! examples and test tools.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mail_common::sasl::{Mechanism, Secret};
use mail_common::service::Security;
use rustls::{ClientConfig, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::error::Result;
use crate::net::client::ClientStream;
use crate::net::server::ServeOptions;
use crate::tls;

/// A user the server accepts: `--user NAME:PASSWORD`.
#[derive(Clone, PartialEq)]
pub struct User {
    /// The login name.
    pub name: String,
    /// The password.
    pub password: Secret,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("password", &self.password)
            .finish()
    }
}

/// Parses `NAME:PASSWORD` (split at the first `:`; the password may contain more).
pub fn parse_user(text: &str) -> Result<User, String> {
    let Some((name, password)) = text.split_once(':') else {
        return Err("expected NAME:PASSWORD".into());
    };
    if name.is_empty() {
        return Err("the user name is empty".into());
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the user name contains white space or a control character".into());
    }
    if password.is_empty() {
        return Err("the password is empty".into());
    }
    Ok(User {
        name: name.to_owned(),
        password: Secret::new(password),
    })
}

/// The flags every server shares.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Address to listen on (each server has its own default port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// The Maildir to serve; created if missing.
    #[arg(long, value_name = "DIR")]
    pub maildir: PathBuf,
    /// A user and password to accept (repeatable).
    #[arg(long = "user", value_name = "NAME:PASSWORD", value_parser = parse_user)]
    pub users: Vec<User>,
    /// Certificate chain (PEM) for STARTTLS/STLS or implicit TLS; needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key", group = "tls_source")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// TLS from the first byte, as on ports 465, 993 and 995 (RFC 8314), instead of
    /// STARTTLS/STLS; needs --tls-cert or --self-signed.
    #[arg(long, requires = "tls_source")]
    pub implicit_tls: bool,
    /// Generate a certificate for localhost, 127.0.0.1 and ::1 at start-up.
    #[arg(long, group = "tls_source")]
    pub self_signed: bool,
    /// With --self-signed: also write the certificate to this PEM file, for clients' --ca.
    #[arg(long, value_name = "PEM", requires = "self_signed")]
    pub cert_out: Option<PathBuf>,
}

/// The TLS a server offers, from [`ServerArgs::tls`].
#[derive(Clone)]
pub struct ServerTls {
    /// The acceptor, when the server has a certificate.
    pub acceptor: Option<TlsAcceptor>,
    /// Whether TLS starts with the first byte (then STARTTLS/STLS is not offered).
    pub implicit: bool,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls")
            .field("acceptor", &self.acceptor.is_some())
            .field("implicit", &self.implicit)
            .finish()
    }
}

impl ServerTls {
    /// The acceptor for STARTTLS/STLS: present only with a certificate and without
    /// implicit TLS.
    #[must_use]
    pub fn starttls(&self) -> Option<&TlsAcceptor> {
        if self.implicit {
            None
        } else {
            self.acceptor.as_ref()
        }
    }

    /// Accept-loop options running the implicit-TLS handshake when asked for.
    #[must_use]
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            implicit_tls: if self.implicit {
                self.acceptor.clone()
            } else {
                None
            },
            ..ServeOptions::default()
        }
    }
}

impl ServerArgs {
    /// `--listen`, or `default`.
    #[must_use]
    pub fn listen_or(&self, default: SocketAddr) -> SocketAddr {
        self.listen.unwrap_or(default)
    }

    /// Binds the listening socket: `--listen`, or `default`.
    pub async fn bind(&self, default: SocketAddr) -> Result<tokio::net::TcpListener> {
        let addr = self.listen_or(default);
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| crate::Error::io("listen on", addr.to_string(), e))
    }

    /// The password of `--user name:...`, if given (names compare exactly).
    #[must_use]
    pub fn password_for(&self, name: &str) -> Option<&Secret> {
        self.users
            .iter()
            .find(|u| u.name == name)
            .map(|u| &u.password)
    }

    /// The TLS server configuration: loaded from `--tls-cert`/`--tls-key`, or generated by
    /// `--self-signed` (and written to `--cert-out`); `None` without either.
    pub fn tls_config(&self) -> Result<Option<Arc<ServerConfig>>> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            return tls::Identity::from_pem_files(cert, key)?
                .server_config()
                .map(Some);
        }
        if self.self_signed {
            let generated = tls::SelfSigned::localhost()?;
            if let Some(path) = &self.cert_out {
                generated.write_cert_pem(path)?;
            }
            return generated.identity().server_config().map(Some);
        }
        Ok(None)
    }

    /// The TLS the server offers.
    pub fn tls(&self) -> Result<ServerTls> {
        Ok(ServerTls {
            acceptor: self.tls_config()?.map(TlsAcceptor::from),
            implicit: self.implicit_tls,
        })
    }
}

/// `--server HOST[:PORT]`: a host name or IP address (IPv6 in brackets when a port
/// follows) and an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddr {
    /// The host, without brackets.
    pub host: String,
    /// The port, if given.
    pub port: Option<u16>,
}

impl ServerAddr {
    /// The port, or `default` (each client knows its protocol's port).
    #[must_use]
    pub fn port_or(&self, default: u16) -> u16 {
        self.port.unwrap_or(default)
    }
}

impl fmt::Display for ServerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host: &str = &self.host;
        match (self.port, host.contains(':')) {
            (Some(p), true) => write!(f, "[{host}]:{p}"),
            (Some(p), false) => write!(f, "{host}:{p}"),
            (None, _) => f.write_str(host),
        }
    }
}

/// Parses `HOST`, `HOST:PORT`, `[IPV6]:PORT` or a bare IPv6 address.
pub fn parse_server(text: &str) -> Result<ServerAddr, String> {
    let port = |p: &str| match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("invalid port {p:?} (expected 1 to 65535)")),
        Ok(n) => Ok(n),
    };
    if let Some(rest) = text.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err("missing ']' after an IPv6 address".into());
        };
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("invalid IPv6 address {host:?}"));
        }
        let port = match after {
            "" => None,
            p => Some(port(p.strip_prefix(':').ok_or("expected ':' after ']'")?)?),
        };
        return Ok(ServerAddr {
            host: host.to_owned(),
            port,
        });
    }
    if text.parse::<IpAddr>().is_ok() {
        return Ok(ServerAddr {
            host: text.to_owned(),
            port: None,
        });
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => {
            return Err("put an IPv6 address in brackets: [::1]:143".into());
        }
        Some((host, p)) => (host, Some(port(p)?)),
        None => (text, None),
    };
    if host.is_empty() {
        return Err("the host is empty".into());
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(format!("invalid host {host:?}"));
    }
    Ok(ServerAddr {
        host: host.to_owned(),
        port,
    })
}

/// Parses a SASL mechanism name (RFC 4422 §3.1), ignoring case.
pub fn parse_mechanism(text: &str) -> Result<Mechanism<'static>, String> {
    Mechanism::parse(text.as_bytes())
        .map(Mechanism::into_owned)
        .ok_or_else(|| {
            "expected a SASL mechanism name: 1 to 20 of A-Z 0-9 - _ (PLAIN, LOGIN, CRAM-MD5, ...)"
                .to_owned()
        })
}

fn parse_secret(text: &str) -> Result<Secret, String> {
    Ok(Secret::new(text))
}

/// The flags every client shares.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// The server: HOST:PORT, or HOST alone for the protocol's usual port.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_server)]
    pub server: ServerAddr,
    /// The user to log in as.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The password (or token) of --user.
    #[arg(long, value_name = "PASSWORD", requires = "user", value_parser = parse_secret)]
    pub password: Option<Secret>,
    /// Upgrade to TLS with STARTTLS (STLS for POP3) before logging in.
    #[arg(long, alias = "stls", conflicts_with = "tls")]
    pub starttls: bool,
    /// TLS from the first byte (implicit TLS, RFC 8314).
    #[arg(long)]
    pub tls: bool,
    /// Trust only the certificates in this PEM file (for example a server's --cert-out).
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca: Option<PathBuf>,
    /// Accept any server certificate. Dangerous: for tests against throw-away certificates.
    #[arg(long)]
    pub insecure: bool,
    /// The SASL mechanism to authenticate with (PLAIN, LOGIN, CRAM-MD5, ...).
    #[arg(long, value_name = "MECH", value_parser = parse_mechanism)]
    pub auth: Option<Mechanism<'static>>,
}

impl ClientArgs {
    /// The transport security asked for.
    #[must_use]
    pub fn security(&self) -> Security {
        if self.tls {
            Security::ImplicitTls
        } else if self.starttls {
            Security::StartTls
        } else {
            Security::Plain
        }
    }

    /// The TLS client configuration (`None` in plaintext): `--ca`, `--insecure`, or the
    /// system's trust store.
    pub fn tls_config(&self) -> Result<Option<Arc<ClientConfig>>> {
        if self.security() == Security::Plain {
            return Ok(None);
        }
        let config = if let Some(ca) = &self.ca {
            tls::client_config_with_ca(ca)?
        } else if self.insecure {
            tls::client_config_insecure()?
        } else {
            tls::client_config_system()?
        };
        Ok(Some(config))
    }

    /// Connects to `--server` (with `default_port` if it names none): plaintext for
    /// plaintext and STARTTLS, with the TLS handshake done for `--tls`. Returns the
    /// configuration to use later for STARTTLS too.
    pub fn connect(
        &self,
        default_port: u16,
        timeout: Duration,
    ) -> Result<(ClientStream, Option<Arc<ClientConfig>>)> {
        let config = self.tls_config()?;
        let port = self.server.port_or(default_port);
        let host = &self.server.host;
        let io = |e| crate::Error::io("connect to", self.server.to_string(), e);
        let stream = match (&config, self.security()) {
            (Some(config), Security::ImplicitTls) => {
                ClientStream::connect_tls(host, port, timeout, Arc::clone(config)).map_err(io)?
            }
            _ => ClientStream::connect(host, port, timeout).map_err(io)?,
        };
        Ok((stream, config))
    }
}
