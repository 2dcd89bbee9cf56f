//! The servers' side: a tokio accept loop with optional implicit TLS, and [`Stream`], a
//! connection that is plaintext or TLS and can be upgraded by STARTTLS/STLS.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A server connection: plaintext TCP or TLS over TCP.
///
/// `Stream` implements [`AsyncRead`] and [`AsyncWrite`]. Over TLS, written bytes are
/// buffered until [`flush`](tokio::io::AsyncWriteExt::flush): flush after every reply.
#[derive(Debug)]
pub enum Stream {
    /// Plaintext.
    Plain(TcpStream),
    /// TLS, either implicit (from the first byte) or after STARTTLS/STLS.
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    /// Whether the connection is protected by TLS.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }

    /// The underlying TCP connection.
    #[must_use]
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref().0,
        }
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tcp().peer_addr()
    }

    /// The negotiated protocol version and cipher suite, such as `"TLSv1_3
    /// TLS13_AES_256_GCM_SHA384"` (for a `Received:` header, RFC 5321 §4.4); `None` in
    /// plaintext.
    #[must_use]
    pub fn tls_description(&self) -> Option<String> {
        let Stream::Tls(s) = self else {
            return None;
        };
        let conn = s.get_ref().1;
        let version = conn.protocol_version()?;
        let suite = conn.negotiated_cipher_suite()?;
        Some(format!("{version:?} {:?}", suite.suite()))
    }

    /// Runs the TLS handshake as the server on a plaintext connection (after answering
    /// STARTTLS or STLS). Discard any plaintext read but not yet processed first (see the
    /// [module docs](super)). Fails with [`io::ErrorKind::InvalidInput`] if the connection
    /// is already TLS (a second STARTTLS, which the protocol machines refuse anyway).
    pub async fn upgrade_to_tls(self, acceptor: &TlsAcceptor) -> io::Result<Stream> {
        match self {
            Stream::Plain(tcp) => Ok(Stream::Tls(Box::new(acceptor.accept(tcp).await?))),
            Stream::Tls(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the connection is already TLS",
            )),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }
}

/// How [`serve`] runs connections.
#[derive(Clone)]
pub struct ServeOptions {
    /// TLS from the first byte (ports 465, 993, 995; RFC 8314 §3) when set.
    pub implicit_tls: Option<TlsAcceptor>,
    /// How long an implicit-TLS handshake may take before the connection is dropped.
    pub handshake_timeout: Duration,
    /// At most this many connections are served at once; further ones wait in the
    /// listen backlog.
    pub max_connections: usize,
    /// Whether to report failed accepts and handshakes on standard error.
    pub log_errors: bool,
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("implicit_tls", &self.implicit_tls.is_some())
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_connections", &self.max_connections)
            .field("log_errors", &self.log_errors)
            .finish()
    }
}

impl Default for ServeOptions {
    /// Plaintext, 30 s handshakes, 256 connections, errors logged.
    fn default() -> ServeOptions {
        ServeOptions {
            implicit_tls: None,
            handshake_timeout: Duration::from_secs(30),
            max_connections: 256,
            log_errors: true,
        }
    }
}

/// Accepts connections forever, each in its own task: the implicit-TLS handshake (if
/// configured) and then `handler(stream, peer)`. Returns only if the listener fails
/// in a way that is not per-connection.
pub async fn serve<H, F>(listener: TcpListener, options: ServeOptions, handler: H) -> io::Result<()>
where
    H: Fn(Stream, SocketAddr) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    serve_until(listener, options, handler, std::future::pending()).await
}

/// [`serve`] until `shutdown` completes; connections already running go on in their
/// tasks.
pub async fn serve_until<H, F, S>(
    listener: TcpListener,
    options: ServeOptions,
    handler: H,
    shutdown: S,
) -> io::Result<()>
where
    H: Fn(Stream, SocketAddr) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
    S: Future<Output = ()>,
{
    let handler = Arc::new(handler);
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => return Ok(()),
            permit = slots.clone().acquire_owned() => permit
                .map_err(|_| io::Error::other("connection limit semaphore closed"))?,
        };
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Per-connection failures (the peer reset before accept) and resource
                    // exhaustion (EMFILE) are both survivable: pause briefly and go on.
                    if options.log_errors {
                        eprintln!("accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let handler = Arc::clone(&handler);
        let options = options.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let stream = match options.implicit_tls {
                None => Stream::Plain(tcp),
                Some(acceptor) => {
                    match tokio::time::timeout(options.handshake_timeout, acceptor.accept(tcp))
                        .await
                    {
                        Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
                        Ok(Err(e)) => {
                            if options.log_errors {
                                eprintln!("{peer}: TLS handshake failed: {e}");
                            }
                            return;
                        }
                        Err(_) => {
                            if options.log_errors {
                                eprintln!("{peer}: TLS handshake timed out");
                            }
                            return;
                        }
                    }
                }
            };
            handler(stream, peer).await;
        });
    }
}

/// The `main` of a server binary: runs `serve` on a multi-thread tokio runtime (one worker
/// per core); exit status 0
/// when it returns `Ok`, else 1 with the error on standard error after `name`.
pub fn run_main(
    name: &str,
    serve: impl Future<Output = Result<(), String>>,
) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A server running on a thread and tokio runtime of its own, on a free loopback port: for
/// tests and for programs that are otherwise blocking (the demo). Dropping it stops the
/// accept loop; sessions already running end with their connections.
#[derive(Debug)]
pub struct Background {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

/// The future a [`Background`] server's accept loop waits on to stop.
pub type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Background {
    /// Binds `127.0.0.1:0`, then runs `serve(listener, shutdown)` to completion on a new
    /// two-worker runtime, on a thread called `name` (followed by the address).
    ///
    /// # Errors
    /// The runtime, the listening socket or the thread could not be set up.
    pub fn spawn<F, Fut>(name: &str, serve: F) -> io::Result<Background>
    where
        F: FnOnce(TcpListener, Shutdown) -> Fut + Send + 'static,
        Fut: Future<Output = io::Result<()>>,
    {
        Self::spawn_on(SocketAddr::from(([127, 0, 0, 1], 0)), name, serve)
    }

    /// As [`spawn`](Self::spawn), listening on `addr` (port 0 picks a free port).
    ///
    /// # Errors
    /// The runtime, the listening socket or the thread could not be set up.
    pub fn spawn_on<F, Fut>(addr: SocketAddr, name: &str, serve: F) -> io::Result<Background>
    where
        F: FnOnce(TcpListener, Shutdown) -> Fut + Send + 'static,
        Fut: Future<Output = io::Result<()>>,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown: Shutdown = Box::pin(async move {
            let _ = stopped.await;
        });
        let thread = std::thread::Builder::new()
            .name(format!("{name} {addr}"))
            .spawn(move || runtime.block_on(serve(listener, shutdown)))?;
        Ok(Background {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and waits for the accept loop to end.
    ///
    /// # Errors
    /// The accept loop's error, if it failed.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            // The loop may already be gone; then there is nothing to stop.
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Errors cannot be reported from drop; `stop` reports them.
        let _ = self.shutdown();
    }
}
