//! The clients' side: a blocking `std::net` connection that is plaintext or TLS, with an
//! in-place upgrade for STARTTLS/STLS.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::tls::server_name;

/// A client connection: plaintext TCP or TLS over TCP. Implements [`Read`] and [`Write`].
#[derive(Debug)]
pub enum ClientStream {
    /// Plaintext.
    Plain(TcpStream),
    /// TLS, implicit or after STARTTLS/STLS.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl ClientStream {
    /// Connects to `host:port` (every address the name resolves to, in turn), giving each
    /// attempt `timeout`; reads and writes then time out after `timeout` too.
    pub fn connect(host: &str, port: u16, timeout: Duration) -> io::Result<ClientStream> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let mut last = None;
        for addr in (bare, port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(tcp) => {
                    tcp.set_read_timeout(Some(timeout))?;
                    tcp.set_write_timeout(Some(timeout))?;
                    tcp.set_nodelay(true)?;
                    return Ok(ClientStream::Plain(tcp));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{host} resolves to no address"),
            )
        }))
    }

    /// Connects and runs the TLS handshake at once (implicit TLS, RFC 8314 §3), checking the
    /// certificate against `host`.
    pub fn connect_tls(
        host: &str,
        port: u16,
        timeout: Duration,
        config: Arc<ClientConfig>,
    ) -> io::Result<ClientStream> {
        let mut stream = ClientStream::connect(host, port, timeout)?;
        stream.upgrade_to_tls(config, host)?;
        Ok(stream)
    }

    /// Switches this plaintext connection to TLS in place (after the server accepted
    /// STARTTLS or STLS) and completes the handshake before returning, so that a bad
    /// certificate is reported here. `host` is the name the certificate must carry. The
    /// caller must hold no unread bytes from the plaintext phase (see the
    /// [module docs](super)). If the handshake fails the connection is unusable.
    pub fn upgrade_to_tls(&mut self, config: Arc<ClientConfig>, host: &str) -> io::Result<()> {
        let ClientStream::Plain(tcp) = self else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the connection is already TLS",
            ));
        };
        let name = server_name(host)?;
        let conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
        // A second handle on the same socket lets the TLS stream own one while `self` is
        // replaced; the old handle is closed when dropped, the socket stays open.
        let mut tls = StreamOwned::new(conn, tcp.try_clone()?);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        *self = ClientStream::Tls(Box::new(tls));
        Ok(())
    }

    /// Whether the connection is protected by TLS.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        matches!(self, ClientStream::Tls(_))
    }

    /// The underlying TCP connection.
    #[must_use]
    pub fn tcp(&self) -> &TcpStream {
        match self {
            ClientStream::Plain(s) => s,
            ClientStream::Tls(s) => &s.sock,
        }
    }

    /// Sets the read and write timeouts (`None`: block forever, as IMAP IDLE may want).
    pub fn set_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(timeout)?;
        self.tcp().set_write_timeout(timeout)
    }

    /// Ends the connection: a TLS `close_notify` if in TLS, then a TCP shutdown.
    pub fn close(mut self) -> io::Result<()> {
        if let ClientStream::Tls(s) = &mut self {
            s.conn.send_close_notify();
            // The peer may already be gone; closing is best effort from here on.
            let _ = s.conn.complete_io(&mut s.sock);
        }
        match self.tcp().shutdown(std::net::Shutdown::Both) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => Err(e),
            _ => Ok(()),
        }
    }
}

impl Read for ClientStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ClientStream::Plain(s) => s.read(buf),
            ClientStream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for ClientStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            ClientStream::Plain(s) => s.write(buf),
            ClientStream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            ClientStream::Plain(s) => s.flush(),
            ClientStream::Tls(s) => s.flush(),
        }
    }
}
