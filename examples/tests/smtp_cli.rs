//! The `smtp-server` and `smtp-client` binaries as a user runs them: `--help`, bad flags,
//! and the client binary sending through the server binary (STARTTLS + AUTH, LMTP, a
//! refused recipient and its exit status).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const SERVER: &str = env!("CARGO_BIN_EXE_smtp-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_smtp-client");

/// A running `smtp-server`, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(maildir: &Path, extra: &[&str]) -> ServerProcess {
    let mut child = Command::new(SERVER)
        .args(["--listen", "127.0.0.1:0", "--maildir"])
        .arg(maildir)
        .args([
            "--user",
            "alice:alice-secret",
            "--user",
            "bob:bob-secret",
            "--quiet",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim()
        .to_owned();
    ServerProcess { child, addr }
}

fn client(args: &[&str], file: &Path) -> Output {
    Command::new(CLIENT).args(args).arg(file).output().unwrap()
}

fn message(dir: &Path) -> PathBuf {
    let path = dir.join("message.eml");
    std::fs::write(
        &path,
        "From: alice@example.test\nSubject: cli\n\nhello\n.dot\n",
    )
    .unwrap();
    path
}

fn stored(maildir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn help_and_bad_flags() {
    for bin in [SERVER, CLIENT] {
        let out = Command::new(bin).arg("--help").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Usage:") && text.contains("Example"),
            "{text}"
        );
        let out = Command::new(bin).arg("--no-such-flag").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
    }
    // A server without users cannot receive anything.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(SERVER)
        .args(["--listen", "127.0.0.1:0", "--maildir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user"));
    // A zero size limit or a hostname that is no domain is refused at start-up.
    for bad in [&["--max-size", "0"][..], &["--hostname", "not a name"]] {
        let out = Command::new(SERVER)
            .args(["--listen", "127.0.0.1:0", "--user", "a:b", "--maildir"])
            .arg(dir.path())
            .args(bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(bad[0]),
            "{bad:?}"
        );
    }
    // A malformed address is a flag error.
    let out = Command::new(CLIENT)
        .args([
            "--server",
            "127.0.0.1:1",
            "--from",
            "a@b",
            "--to",
            "not an address",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn client_binary_through_server_binary_with_starttls_and_auth() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let ca = dir.path().join("ca.pem");
    let ca_arg = ca.to_str().unwrap().to_owned();
    let server = start_server(
        &maildir,
        &["--submission", "--self-signed", "--cert-out", &ca_arg],
    );
    let msg = message(dir.path());
    let port = server.addr.rsplit(':').next().unwrap();
    let target = format!("localhost:{port}");
    let out = client(
        &[
            "--server",
            &target,
            "--starttls",
            "--ca",
            &ca_arg,
            "--user",
            "alice",
            "--password",
            "alice-secret",
            "--auth",
            "CRAM-MD5",
            "--from",
            "alice@example.test",
            "--to",
            "bob@example.test",
        ],
        &msg,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("session: STARTTLS, AUTH CRAM-MD5, PIPELINING, SIZE, CHUNKING\n"),
        "{text}"
    );
    assert!(
        text.contains("<bob@example.test>: accepted (250 2.0.0 OK stored as "),
        "{text}"
    );
    // A refused recipient: exit status 1, one line each.
    let out = client(
        &[
            "--server",
            &target,
            "--starttls",
            "--ca",
            &ca_arg,
            "--user",
            "alice",
            "--password",
            "alice-secret",
            "--from",
            "alice@example.test",
            "--to",
            "carol@example.test",
            "--to",
            "alice@example.test",
            "--no-chunking",
        ],
        &msg,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("<carol@example.test>: rejected at RCPT (550 5.1.1 No such user here)"),
        "{text}"
    );
    assert!(text.contains("<alice@example.test>: accepted"), "{text}");
    // Submission without AUTH: refused at MAIL.
    let out = client(
        &[
            "--server",
            &target,
            "--starttls",
            "--ca",
            &ca_arg,
            "--from",
            "a@example.test",
            "--to",
            "bob@example.test",
        ],
        &msg,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("rejected at MAIL (530 5.7.0 Authentication required)"),
        "{text}"
    );
    // The wrong password: the session fails, exit status 3.
    let out = client(
        &[
            "--server",
            &target,
            "--starttls",
            "--ca",
            &ca_arg,
            "--user",
            "alice",
            "--password",
            "nope",
            "--from",
            "a@example.test",
            "--to",
            "bob@example.test",
        ],
        &msg,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("535 5.7.8"));
    // An untrusted certificate: the handshake fails, exit status 3.
    let out = client(
        &[
            "--server",
            &target,
            "--starttls",
            "--from",
            "a@example.test",
            "--to",
            "bob@example.test",
        ],
        &msg,
    );
    assert_eq!(out.status.code(), Some(3));
    let files = stored(&maildir);
    assert_eq!(files.len(), 2);
    for f in files {
        assert!(f.ends_with("Subject: cli\r\n\r\nhello\r\n.dot\r\n"), "{f}");
    }
}

#[test]
fn lmtp_binary_pair_with_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let server = start_server(&maildir, &["--lmtp"]);
    let msg = message(dir.path());
    let out = client(
        &[
            "--server",
            &server.addr,
            "--lmtp",
            "--transcript",
            "--from",
            "",
            "--to",
            "alice@example.test",
            "--to",
            "bob@example.test",
        ],
        &msg,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("<alice@example.test>: accepted (250 2.0.0 <alice@example.test> delivered)"),
        "{text}"
    );
    assert!(
        text.contains("<bob@example.test>: accepted (250 2.0.0 <bob@example.test> delivered)"),
        "{text}"
    );
    let transcript = String::from_utf8_lossy(&out.stderr);
    assert!(transcript.contains("C: LHLO localhost\n"), "{transcript}");
    assert!(transcript.contains("C: MAIL FROM:<> SIZE="), "{transcript}");
    let files = stored(&maildir);
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with("Return-Path: <>\r\n"));
}

#[test]
fn transcript_redacts_auth_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let ca = dir.path().join("ca.pem");
    let ca_arg = ca.to_str().unwrap().to_owned();
    let server = start_server(&maildir, &["--self-signed", "--cert-out", &ca_arg]);
    let msg = message(dir.path());
    for mech in ["PLAIN", "LOGIN", "CRAM-MD5"] {
        let out = client(
            &[
                "--server",
                &server.addr,
                "--starttls",
                "--ca",
                &ca_arg,
                "--user",
                "alice",
                "--password",
                "alice-secret",
                "--auth",
                mech,
                "--transcript",
                "--from",
                "alice@example.test",
                "--to",
                "bob@example.test",
            ],
            &msg,
        );
        assert!(out.status.success());
        let transcript = String::from_utf8_lossy(&out.stderr);
        assert!(
            transcript.contains(&format!("C: AUTH {mech}")),
            "{transcript}"
        );
        assert!(transcript.contains("S: 235 2.7.0"), "{transcript}");
        // No base64 of the password (or of PLAIN's message) survives.
        for secret in ["YWxpY2Utc2VjcmV0", "AGFsaWNlAGFsaWNlLXNlY3JldA", "YWxpY2Ug"] {
            assert!(!transcript.contains(secret), "{mech}: {transcript}");
        }
        assert!(transcript.contains("<redacted>"), "{transcript}");
    }
}
