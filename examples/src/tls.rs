//! TLS for the servers and clients: rustls with the *ring* provider, certificates from PEM
//! files or generated on the spot with rcgen.
//!
//! * Servers: [`Identity::from_pem_files`] (`--tls-cert`/`--tls-key`) or
//!   [`SelfSigned::localhost`] (`--self-signed`), then [`Identity::server_config`].
//! * Clients: [`client_config_with_ca`] (`--ca PEM`: trust exactly these certificates, for
//!   example a server's self-signed one), [`client_config_system`] (the operating system's
//!   trust store), or [`client_config_insecure`] (`--insecure`: accept any certificate —
//!   for tests only, see [`danger::AcceptAnyServerCert`]).
//!
//! Only the *ring* provider is used (never aws-lc-rs, which needs cmake to build), and every
//! configuration names it explicitly rather than relying on a process-wide default.
//!
//! ```
//! use mail_examples::tls::{SelfSigned, client_config_with_ca};
//!
//! let dir = tempfile::tempdir()?;
//! let generated = SelfSigned::localhost()?;
//! let ca = dir.path().join("ca.pem");
//! generated.write_cert_pem(&ca)?; // what a client passes as --ca
//! let server = generated.identity().server_config()?;
//! let client = client_config_with_ca(&ca)?;
//! # let _ = (server, client);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::{Error, Result};

pub use rustls;
pub use tokio_rustls;

/// The crypto provider every configuration here uses: rustls' *ring* provider.
#[must_use]
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate chain and its private key: what a server presents.
pub struct Identity {
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("certs", &self.certs.len())
            .field("key", &"***")
            .finish()
    }
}

impl Clone for Identity {
    fn clone(&self) -> Identity {
        Identity {
            certs: self.certs.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl Identity {
    /// An identity from DER values.
    #[must_use]
    pub fn new(certs: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Identity {
        Identity { certs, key }
    }

    /// Loads a certificate chain (leaf first) and a private key (PKCS#8, PKCS#1 or SEC1)
    /// from PEM files (`--tls-cert`, `--tls-key`).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Identity> {
        Ok(Identity {
            certs: load_certs(cert)?,
            key: load_key(key)?,
        })
    }

    /// The certificate chain.
    #[must_use]
    pub fn certs(&self) -> &[CertificateDer<'static>] {
        &self.certs
    }

    /// A server configuration presenting this identity, without client authentication,
    /// TLS 1.2 and 1.3.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(self.certs.clone(), self.key.clone_key())?;
        Ok(Arc::new(config))
    }
}

/// A freshly generated self-signed certificate with its key, in DER and PEM.
#[derive(Clone)]
pub struct SelfSigned {
    identity: Identity,
    cert_pem: String,
    key_pem: String,
}

impl fmt::Debug for SelfSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelfSigned")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"***")
            .finish()
    }
}

impl SelfSigned {
    /// A certificate for `localhost`, `127.0.0.1` and `::1` (`--self-signed`).
    pub fn localhost() -> Result<SelfSigned> {
        SelfSigned::for_names(&["localhost", "127.0.0.1", "::1"])
    }

    /// A certificate whose subject alternative names are `names` (each an IP address or a
    /// DNS name), with a new ECDSA P-256 key.
    pub fn for_names(names: &[&str]) -> Result<SelfSigned> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let generated = rcgen::generate_simple_self_signed(names)?;
        let key_der =
            PrivateKeyDer::try_from(generated.signing_key.serialize_der()).map_err(|reason| {
                Error::Pem {
                    what: "private key",
                    path: PathBuf::from("<generated>"),
                    reason: reason.to_owned(),
                }
            })?;
        Ok(SelfSigned {
            identity: Identity {
                certs: vec![generated.cert.der().clone()],
                key: key_der,
            },
            cert_pem: generated.cert.pem(),
            key_pem: generated.signing_key.serialize_pem(),
        })
    }

    /// The certificate and key.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The certificate in PEM.
    #[must_use]
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key in PEM (PKCS#8).
    #[must_use]
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Writes the certificate as PEM, for clients to trust with `--ca`.
    pub fn write_cert_pem(&self, path: &Path) -> Result<()> {
        fs::write(path, &self.cert_pem).map_err(|e| Error::io("write", path, e))
    }

    /// Writes the private key as PEM (so that the pair can be reused as `--tls-cert` and
    /// `--tls-key`). The file is created readable by its owner only where the platform
    /// allows.
    pub fn write_key_pem(&self, path: &Path) -> Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(path)
            .map_err(|e| Error::io("create", path, e))?;
        std::io::Write::write_all(&mut file, self.key_pem.as_bytes())
            .map_err(|e| Error::io("write", path, e))
    }
}

fn pem_error(what: &'static str, path: &Path, e: rustls_pki_types::pem::Error) -> Error {
    Error::Pem {
        what,
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Every certificate in a PEM file. Fails if there is none.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error("certificate", path, e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| pem_error("certificate", path, e))?;
    if certs.is_empty() {
        return Err(Error::Pem {
            what: "certificate",
            path: path.to_owned(),
            reason: "no certificate found".into(),
        });
    }
    Ok(certs)
}

/// The first private key in a PEM file.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_error("private key", path, e))
}

/// A server name for the TLS handshake: an IP address or a DNS name.
pub fn server_name(host: &str) -> Result<ServerName<'static>> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare.to_owned()).map_err(|_| Error::InvalidServerName(host.to_owned()))
}

/// A client configuration trusting exactly `roots`.
pub fn client_config_with_roots(roots: &[CertificateDer<'static>]) -> Result<Arc<ClientConfig>> {
    let mut store = RootCertStore::empty();
    for cert in roots {
        store.add(cert.clone())?;
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A client configuration trusting exactly the certificates in the PEM file `path`
/// (`--ca`), for example a server's self-signed certificate.
pub fn client_config_with_ca(path: &Path) -> Result<Arc<ClientConfig>> {
    client_config_with_roots(&load_certs(path)?)
}

/// A client configuration trusting the operating system's certificate store. Certificates
/// the store holds but rustls cannot parse are skipped; it fails only if none is usable.
pub fn client_config_system() -> Result<Arc<ClientConfig>> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(Error::Pem {
            what: "certificate",
            path: PathBuf::from("<system trust store>"),
            reason: match found.errors.first() {
                Some(e) => e.to_string(),
                None => "no usable certificate".into(),
            },
        });
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A client configuration that accepts **any** server certificate (`--insecure`). See
/// [`danger::AcceptAnyServerCert`]: for tests against throw-away certificates only.
pub fn client_config_insecure() -> Result<Arc<ClientConfig>> {
    let provider = provider();
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(danger::AcceptAnyServerCert::new(provider)))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Certificate verification turned off. Read before use.
pub mod danger {
    use super::*;

    /// A server certificate verifier that accepts every certificate for every name.
    ///
    /// **Danger**: with it, TLS protects against passive eavesdropping only; anyone on the
    /// path can impersonate the server and read the password. It exists for tests and for
    /// talking to a server with a throw-away certificate on loopback (`--insecure`). The
    /// handshake signatures are still checked, so the peer must hold the key of the
    /// certificate it sent.
    #[derive(Debug)]
    pub struct AcceptAnyServerCert {
        provider: Arc<CryptoProvider>,
    }

    impl AcceptAnyServerCert {
        /// The verifier, checking handshake signatures with `provider`'s algorithms.
        #[must_use]
        pub fn new(provider: Arc<CryptoProvider>) -> AcceptAnyServerCert {
            AcceptAnyServerCert { provider }
        }
    }

    impl ServerCertVerifier for AcceptAnyServerCert {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> std::result::Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
}
