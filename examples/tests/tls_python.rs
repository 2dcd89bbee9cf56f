//! TLS interoperability with an implementation nobody here wrote: Python's `ssl` module
//! (OpenSSL) as the STARTTLS client of our tokio server, and as the STARTTLS server of our
//! blocking client, each trusting or presenting our generated PEM files.
//!
//! Needs `python3` on the PATH; without it each test says so on standard error and checks
//! nothing else.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use mail_examples::net::client::ClientStream;
use mail_examples::net::server::{ServeOptions, Stream, serve_until};
use mail_examples::tls::{self, SelfSigned};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;

const READLINE: &str = r#"
def readline(sock):
    line = b""
    while not line.endswith(b"\r\n"):
        b = sock.recv(1)
        if not b:
            break
        line += b
    return line
"#;

fn have_python() -> bool {
    let ok = Command::new("python3").arg("--version").output().is_ok();
    if !ok {
        // CI installs nothing less than the full check: a missing python3 there is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 not found under CI: TLS interoperability cannot be checked"
        );
        eprintln!("python3 not found: TLS interoperability not checked");
    }
    ok
}

/// Reads a CRLF line from a tokio stream a byte at a time (nothing read past it).
async fn read_line(stream: &mut Stream) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    while !line.ends_with(b"\r\n") {
        let b = stream.read_u8().await.ok()?;
        line.push(b);
    }
    Some(line)
}

async fn starttls_echo(mut stream: Stream, acceptor: TlsAcceptor) {
    while let Some(line) = read_line(&mut stream).await {
        if line == b"STARTTLS\r\n" {
            if stream.write_all(b"OK begin TLS\r\n").await.is_err() {
                return;
            }
            stream = match stream.upgrade_to_tls(&acceptor).await {
                Ok(s) => s,
                Err(_) => return,
            };
            continue;
        }
        let reply = if stream.is_tls() { "tls" } else { "plain" };
        let mut out = format!("{reply} ").into_bytes();
        out.extend_from_slice(&line);
        if stream.write_all(&out).await.is_err() || stream.flush().await.is_err() {
            return;
        }
        if line == b"QUIT\r\n" {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_starttls_client_trusts_our_self_signed_pem() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let ca = dir.path().join("ca.pem");
    generated.write_cert_pem(&ca).unwrap();
    let acceptor = TlsAcceptor::from(generated.identity().server_config().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = ServeOptions {
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = tokio::spawn(serve_until(
        listener,
        options,
        move |stream, _| starttls_echo(stream, acceptor.clone()),
        async move {
            let _ = stopped.await;
        },
    ));
    let script = format!(
        r#"{READLINE}
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"before\r\n"); print(readline(s).decode().strip())
s.sendall(b"STARTTLS\r\n"); print(readline(s).decode().strip())
ctx = ssl.create_default_context(cafile=sys.argv[2])
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(b"after\r\n"); print(readline(t).decode().strip())
print(t.version())
t.sendall(b"QUIT\r\n"); print(readline(t).decode().strip())
"#
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(port.to_string())
            .arg(&ca)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "plain before",
            "OK begin TLS",
            "tls after",
            "TLSv1.3",
            "tls QUIT"
        ]
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[test]
fn our_blocking_client_upgrades_against_a_python_starttls_server() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let generated = SelfSigned::localhost().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    generated.write_cert_pem(&cert).unwrap();
    generated.write_key_pem(&key).unwrap();
    let script = format!(
        r#"{READLINE}
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(10)
assert readline(conn) == b"STARTTLS\r\n"
conn.sendall(b"OK go ahead\r\n")
t = ctx.wrap_socket(conn, server_side=True)
line = readline(t)
t.sendall(b"echo " + line)
t.sendall(t.version().encode() + b"\r\n")
t.close()
"#
    );
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&cert)
        .arg(&key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut port = String::new();
    stdout.read_line(&mut port).unwrap();
    let port: u16 = match port.trim().parse() {
        Ok(p) => p,
        Err(_) => {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("python server did not start: {err}");
        }
    };
    let timeout = Duration::from_secs(10);
    let mut c = ClientStream::connect("localhost", port, timeout).unwrap();
    c.write_all(b"STARTTLS\r\n").unwrap();
    let mut reply = [0u8; 13];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"OK go ahead\r\n");
    c.upgrade_to_tls(tls::client_config_with_ca(&cert).unwrap(), "localhost")
        .unwrap();
    c.write_all(b"hello\r\n").unwrap();
    c.flush().unwrap();
    let mut rest = Vec::new();
    // Python closes without close_notify: rustls reports that as UnexpectedEof after the
    // data, which is fine here.
    let _ = c.read_to_end(&mut rest);
    assert_eq!(
        String::from_utf8(rest).unwrap(),
        "echo hello\r\nTLSv1.3\r\n"
    );
    assert!(child.wait().unwrap().success());
}
