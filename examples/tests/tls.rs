//! TLS on real loopback sockets: the tokio server side and the blocking client side, with
//! implicit TLS and the in-place STARTTLS upgrade, trusting a self-signed certificate
//! through its PEM file (the `--ca` path).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mail_examples::net::client::ClientStream;
use mail_examples::net::server::{ServeOptions, Stream, serve_until};
use mail_examples::tls::{self, SelfSigned};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Reads one CRLF line from a blocking stream, a byte at a time so that nothing past the
/// line is buffered (what a STARTTLS client must ensure).
fn read_line(stream: &mut ClientStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        let n = stream.read(&mut byte).unwrap();
        assert_eq!(n, 1, "connection closed mid-line: {line:?}");
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

/// The server's side of a tiny line protocol: optional `STARTTLS`, then echo lines
/// prefixed with whether the connection is TLS, until `QUIT`.
async fn echo_session(stream: Stream, acceptor: Option<TlsAcceptor>) {
    let mut stream = stream;
    loop {
        let mut reader = AsyncBufReader::new(stream);
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        // A STARTTLS client must not pipeline past the command; whatever the reader holds
        // beyond the line would be discarded here.
        let leftover = reader.buffer().len();
        stream = reader.into_inner();
        let line = line.trim_end();
        if line == "STARTTLS" {
            let Some(acceptor) = &acceptor else {
                stream.write_all(b"NO no TLS here\r\n").await.unwrap();
                continue;
            };
            assert_eq!(leftover, 0);
            stream.write_all(b"OK begin TLS\r\n").await.unwrap();
            stream.flush().await.unwrap();
            stream = match stream.upgrade_to_tls(acceptor).await {
                Ok(s) => s,
                Err(_) => return,
            };
            continue;
        }
        if line == "QUIT" {
            let _ = stream.write_all(b"BYE\r\n").await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
            return;
        }
        let tls = match stream.tls_description() {
            Some(d) => format!("tls({d})"),
            None => "plain".to_owned(),
        };
        stream
            .write_all(format!("{tls} {line}\r\n").as_bytes())
            .await
            .unwrap();
        stream.flush().await.unwrap();
    }
}

struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(options: ServeOptions, starttls: Option<TlsAcceptor>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(
            listener,
            options,
            move |stream, _peer| echo_session(stream, starttls.clone()),
            async move {
                let _ = stopped.await;
            },
        ));
        Server {
            addr,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap().unwrap();
    }
}

fn write_ca(generated: &SelfSigned, dir: &Path) -> std::path::PathBuf {
    let path = dir.join("ca.pem");
    generated.write_cert_pem(&path).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_round_trip_trusting_the_self_signed_pem() {
    let dir = tempfile::tempdir().unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let ca = write_ca(&generated, dir.path());
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let options = ServeOptions {
        implicit_tls: Some(acceptor),
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = Server::start(options, None).await;
    let port = server.addr.port();
    let lines = tokio::task::spawn_blocking(move || {
        let config = tls::client_config_with_ca(&ca).unwrap();
        let mut lines = Vec::new();
        for host in ["localhost", "127.0.0.1"] {
            let mut c = ClientStream::connect_tls(host, port, TIMEOUT, config.clone()).unwrap();
            assert!(c.is_tls());
            c.write_all(b"hello\r\n").unwrap();
            c.flush().unwrap();
            lines.push(read_line(&mut c));
            c.write_all(b"QUIT\r\n").unwrap();
            c.flush().unwrap();
            assert_eq!(read_line(&mut c), "BYE\r\n");
            c.close().unwrap();
        }
        lines
    })
    .await
    .unwrap();
    for line in lines {
        assert!(line.starts_with("tls(TLSv1_3 "), "{line}");
        assert!(line.ends_with(" hello\r\n"), "{line}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_upgrades_both_sides_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let ca = write_ca(&generated, dir.path());
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let options = ServeOptions {
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = Server::start(options, Some(acceptor)).await;
    let port = server.addr.port();
    tokio::task::spawn_blocking(move || {
        let config = tls::client_config_with_ca(&ca).unwrap();
        let mut c = ClientStream::connect("localhost", port, TIMEOUT).unwrap();
        c.write_all(b"before\r\n").unwrap();
        assert_eq!(read_line(&mut c), "plain before\r\n");
        c.write_all(b"STARTTLS\r\n").unwrap();
        assert_eq!(read_line(&mut c), "OK begin TLS\r\n");
        c.upgrade_to_tls(config.clone(), "localhost").unwrap();
        assert!(c.is_tls());
        c.write_all(b"after\r\n").unwrap();
        c.flush().unwrap();
        let line = read_line(&mut c);
        assert!(
            line.starts_with("tls(") && line.ends_with(" after\r\n"),
            "{line}"
        );
        // A second upgrade is refused locally.
        let again = c.upgrade_to_tls(config, "localhost").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::InvalidInput);
        c.write_all(b"QUIT\r\n").unwrap();
        c.flush().unwrap();
        assert_eq!(read_line(&mut c), "BYE\r\n");
    })
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_or_misnamed_certificates_are_refused_and_insecure_accepts_them() {
    let dir = tempfile::tempdir().unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let stranger = SelfSigned::localhost().unwrap();
    let wrong_ca = write_ca(&stranger, dir.path());
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let options = ServeOptions {
        implicit_tls: Some(acceptor),
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = Server::start(options, None).await;
    let port = server.addr.port();
    let right_ca = dir.path().join("right.pem");
    generated.write_cert_pem(&right_ca).unwrap();
    tokio::task::spawn_blocking(move || {
        let wrong = tls::client_config_with_ca(&wrong_ca).unwrap();
        let err = ClientStream::connect_tls("localhost", port, TIMEOUT, wrong).unwrap_err();
        assert!(err.to_string().contains("certificate"), "{err}");

        let right = tls::client_config_with_ca(&right_ca).unwrap();
        let mut c = ClientStream::connect("127.0.0.1", port, TIMEOUT).unwrap();
        let err = c.upgrade_to_tls(right, "mail.example.org").unwrap_err();
        assert!(err.to_string().contains("certificate"), "{err}");

        let insecure = tls::client_config_insecure().unwrap();
        let mut c = ClientStream::connect_tls("127.0.0.1", port, TIMEOUT, insecure).unwrap();
        c.write_all(b"anyway\r\n").unwrap();
        c.flush().unwrap();
        assert!(read_line(&mut c).ends_with(" anyway\r\n"));
    })
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plaintext_client_on_an_implicit_tls_port_does_not_stop_the_server() {
    let generated = SelfSigned::localhost().unwrap();
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let options = ServeOptions {
        implicit_tls: Some(acceptor),
        handshake_timeout: Duration::from_secs(2),
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = Server::start(options, None).await;
    let port = server.addr.port();
    tokio::task::spawn_blocking(move || {
        let mut plain = ClientStream::connect("127.0.0.1", port, TIMEOUT).unwrap();
        plain.write_all(b"EHLO not-tls\r\n").unwrap();
        let mut rest = Vec::new();
        // The server drops the connection after the failed handshake (an alert or EOF).
        let _ = plain.read_to_end(&mut rest);
        let insecure = tls::client_config_insecure().unwrap();
        let mut c = ClientStream::connect_tls("localhost", port, TIMEOUT, insecure).unwrap();
        c.write_all(b"still up\r\n").unwrap();
        c.flush().unwrap();
        assert!(read_line(&mut c).ends_with(" still up\r\n"));
    })
    .await
    .unwrap();
    server.stop().await;
}

#[test]
fn pem_files_load_back_into_a_working_identity() {
    let dir = tempfile::tempdir().unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    generated.write_cert_pem(&cert).unwrap();
    generated.write_key_pem(&key).unwrap();
    let identity = tls::Identity::from_pem_files(&cert, &key).unwrap();
    assert_eq!(identity.certs(), generated.identity().certs());
    identity.server_config().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key file is private");
    }
    // Wrong files give errors naming the file and what was missing.
    let err = tls::Identity::from_pem_files(&key, &key).unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
    let err = tls::Identity::from_pem_files(&cert, &cert).unwrap_err();
    assert!(err.to_string().contains("private key"), "{err}");
    let err = tls::client_config_with_ca(&dir.path().join("missing.pem")).unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
}

#[test]
fn blocking_client_and_server_with_plain_rustls_std_streams() {
    // The blocking client also talks to a blocking rustls server: the library's client does
    // not depend on tokio being on the other side.
    let generated = SelfSigned::localhost().unwrap();
    let config: Arc<rustls::ServerConfig> = generated.identity().server_config().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut reader = BufReader::new(&mut tls);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        tls.write_all(line.to_uppercase().as_bytes()).unwrap();
        tls.flush().unwrap();
    });
    let roots = generated.identity().certs().to_vec();
    let config = tls::client_config_with_roots(&roots).unwrap();
    let mut c = ClientStream::connect_tls("localhost", port, TIMEOUT, config).unwrap();
    c.write_all(b"shout\r\n").unwrap();
    c.flush().unwrap();
    assert_eq!(read_line(&mut c), "SHOUT\r\n");
    server.join().unwrap();
}
