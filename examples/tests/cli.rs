//! The shared flags, parsed as a binary would parse them.

use clap::Parser;
use clap::error::ErrorKind;
use mail_common::service::Security;
use mail_examples::cli::{ClientArgs, ServerAddr, ServerArgs, parse_server};

#[derive(Debug, Parser)]
#[command(name = "some-server")]
struct ServerCli {
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Debug, Parser)]
#[command(name = "some-client")]
struct ClientCli {
    #[command(flatten)]
    client: ClientArgs,
}

fn server(args: &[&str]) -> Result<ServerArgs, clap::Error> {
    let mut argv = vec!["some-server"];
    argv.extend_from_slice(args);
    ServerCli::try_parse_from(argv).map(|c| c.server)
}

fn client(args: &[&str]) -> Result<ClientArgs, clap::Error> {
    let mut argv = vec!["some-client"];
    argv.extend_from_slice(args);
    ClientCli::try_parse_from(argv).map(|c| c.client)
}

#[test]
fn server_flags_parse() {
    let s = server(&[
        "--listen",
        "127.0.0.1:2525",
        "--maildir",
        "/tmp/m",
        "--user",
        "alice:pa:ss",
        "--user",
        "bob:x",
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "k.pem",
        "--implicit-tls",
    ])
    .unwrap();
    assert_eq!(s.listen_or("0.0.0.0:25".parse().unwrap()).port(), 2525);
    assert_eq!(s.maildir.to_str(), Some("/tmp/m"));
    assert_eq!(s.password_for("alice").map(|p| p.expose()), Some("pa:ss"));
    assert_eq!(s.password_for("bob").map(|p| p.expose()), Some("x"));
    assert!(s.password_for("carol").is_none());
    assert!(s.implicit_tls);
    // The password never shows in debug output.
    assert!(!format!("{s:?}").contains("pa:ss"));

    let s = server(&["--maildir", "m"]).unwrap();
    assert_eq!(s.listen_or("127.0.0.1:143".parse().unwrap()).port(), 143);
    assert!(s.tls_config().unwrap().is_none());
    assert!(s.tls().unwrap().starttls().is_none());
}

#[test]
fn bad_server_flags_are_refused_with_a_reason() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "--maildir"),
        (&["--maildir", "m", "--user", "nocolon"], "NAME:PASSWORD"),
        (&["--maildir", "m", "--user", ":pw"], "user name is empty"),
        (&["--maildir", "m", "--user", "u:"], "password is empty"),
        (&["--maildir", "m", "--listen", "nowhere"], "--listen"),
        (&["--maildir", "m", "--tls-cert", "c.pem"], "--tls-key"),
        (&["--maildir", "m", "--implicit-tls"], "--implicit-tls"),
        (
            &[
                "--maildir",
                "m",
                "--self-signed",
                "--tls-cert",
                "c",
                "--tls-key",
                "k",
            ],
            "cannot be used with",
        ),
        (&["--maildir", "m", "--cert-out", "x.pem"], "--self-signed"),
        (&["--maildir", "m", "--bogus"], "--bogus"),
    ];
    for (args, expected) in cases {
        let err = server(args).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(expected), "{args:?}: {text}");
    }
}

#[test]
fn self_signed_server_writes_its_certificate_for_clients() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("server.pem");
    let s = server(&[
        "--maildir",
        "m",
        "--self-signed",
        "--implicit-tls",
        "--cert-out",
        out.to_str().unwrap(),
    ])
    .unwrap();
    let tls = s.tls().unwrap();
    assert!(tls.acceptor.is_some() && tls.implicit);
    assert!(
        tls.starttls().is_none(),
        "no STARTTLS on an implicit-TLS port"
    );
    assert!(tls.serve_options().implicit_tls.is_some());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );

    let c = client(&[
        "--server",
        "localhost",
        "--tls",
        "--ca",
        out.to_str().unwrap(),
    ])
    .unwrap();
    assert!(c.tls_config().unwrap().is_some());
}

#[test]
fn missing_certificate_files_are_reported_at_start_up() {
    let s = server(&[
        "--maildir",
        "m",
        "--tls-cert",
        "/nope/c.pem",
        "--tls-key",
        "/nope/k.pem",
    ])
    .unwrap();
    let err = s.tls().unwrap_err().to_string();
    assert!(err.contains("/nope/c.pem"), "{err}");
}

#[test]
fn client_flags_parse() {
    let c = client(&[
        "--server",
        "mail.example.org:587",
        "--user",
        "alice",
        "--password",
        "secret",
        "--starttls",
        "--insecure",
        "--auth",
        "cram-md5",
    ])
    .unwrap();
    assert_eq!(
        c.server,
        ServerAddr {
            host: "mail.example.org".into(),
            port: Some(587)
        }
    );
    assert_eq!(c.user.as_deref(), Some("alice"));
    assert_eq!(c.password.as_ref().map(|p| p.expose()), Some("secret"));
    assert_eq!(c.security(), Security::StartTls);
    assert_eq!(c.auth.as_ref().map(|m| m.as_str()), Some("CRAM-MD5"));
    assert!(!format!("{c:?}").contains("secret"));
    assert!(c.tls_config().unwrap().is_some());

    let c = client(&["--server", "[::1]:993", "--tls"]).unwrap();
    assert_eq!(c.security(), Security::ImplicitTls);
    assert_eq!(c.server.to_string(), "[::1]:993");
    let c = client(&["--server", "localhost", "--stls"]).unwrap();
    assert_eq!(c.security(), Security::StartTls);
    assert_eq!(c.server.port_or(110), 110);
    let c = client(&["--server", "localhost"]).unwrap();
    assert_eq!(c.security(), Security::Plain);
    assert!(c.tls_config().unwrap().is_none());
}

#[test]
fn bad_client_flags_are_refused_with_a_reason() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "--server"),
        (&["--server", "host:0"], "invalid port"),
        (&["--server", "host:99999"], "invalid port"),
        (&["--server", ":25"], "host is empty"),
        (&["--server", "::1:smtp"], "brackets"),
        (&["--server", "[::1"], "]"),
        (
            &["--server", "h", "--tls", "--starttls"],
            "cannot be used with",
        ),
        (
            &["--server", "h", "--ca", "x.pem", "--insecure"],
            "cannot be used with",
        ),
        (&["--server", "h", "--password", "pw"], "--user"),
        (&["--server", "h", "--auth", "NOT A MECH"], "SASL mechanism"),
        (
            &["--server", "h", "--auth", "THIS-NAME-IS-FAR-TOO-LONG"],
            "SASL mechanism",
        ),
    ];
    for (args, expected) in cases {
        let err = client(args).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(expected), "{args:?}: {text}");
    }
}

#[test]
fn help_lists_every_shared_flag() {
    let err = server(&["--help"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DisplayHelp);
    let help = err.to_string();
    for flag in [
        "--listen",
        "--maildir",
        "--user",
        "--tls-cert",
        "--tls-key",
        "--implicit-tls",
        "--self-signed",
        "--cert-out",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
    let help = client(&["--help"]).unwrap_err().to_string();
    for flag in [
        "--server",
        "--user",
        "--password",
        "--starttls",
        "--tls",
        "--ca",
        "--insecure",
        "--auth",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}

#[test]
fn server_addresses_parse_in_every_spelling() {
    let ok = [
        ("localhost", "localhost", None),
        ("localhost:25", "localhost", Some(25)),
        ("127.0.0.1:465", "127.0.0.1", Some(465)),
        ("::1", "::1", None),
        ("[::1]", "::1", None),
        ("[2001:db8::1]:143", "2001:db8::1", Some(143)),
    ];
    for (text, host, port) in ok {
        let addr = parse_server(text).unwrap();
        assert_eq!((addr.host.as_str(), addr.port), (host, port), "{text}");
    }
}

#[test]
fn client_connect_reports_the_server_it_could_not_reach() {
    // Bind then drop a listener so the port is (very likely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(&["--server", &format!("127.0.0.1:{port}")]).unwrap();
    let err = c
        .connect(25, std::time::Duration::from_secs(2))
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn without_ca_or_insecure_the_system_trust_store_is_used() {
    let c = client(&["--server", "localhost", "--tls"]).unwrap();
    match c.tls_config() {
        Ok(config) => assert!(config.is_some()),
        // A machine without CA certificates installed: the error says where it looked.
        Err(e) => assert!(e.to_string().contains("system trust store"), "{e}"),
    }
}
