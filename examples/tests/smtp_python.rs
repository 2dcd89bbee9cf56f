//! Python's `smtplib` (a client nobody here wrote) against our SMTP server on 127.0.0.1:
//! EHLO keywords, a refused recipient, STARTTLS with a verified certificate, every AUTH
//! mechanism on submission, AUTH required before MAIL, a wrong password, SMTPUTF8 with
//! 8-bit content, implicit TLS (`SMTP_SSL`), and LMTP.
//!
//! Needs `python3`: without it (and without the `CI` environment variable) each test says
//! so on standard error and checks nothing; under CI a missing `python3` fails.

use std::path::Path;
use std::process::Command;

use mail_examples::cli::parse_user;
use mail_examples::maildir::Maildir;
use mail_examples::net::server::ServeOptions;
use mail_examples::smtp::server::{BackgroundServer, Mode, ServerSettings, SmtpService};
use mail_examples::tls::SelfSigned;
use tokio_rustls::TlsAcceptor;

fn have_python() -> bool {
    let ok = Command::new("python3").arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 not found under CI: smtplib interoperability cannot be checked"
        );
        eprintln!("python3 not found: smtplib interoperability not checked");
    }
    ok
}

/// The Python side: `MODE PORT CA` on the command line; prints `OK <case>` per check and
/// exits non-zero on the first failure.
const SCRIPT: &str = r#"
import smtplib, ssl, sys
mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
MSG = (b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: from smtplib\r\n\r\n"
       b"hello\r\n.a leading dot\r\n..two\r\n")
UTF8 = ("From: alice@example.test\r\nSubject: Gr\u00fc\u00dfe \u2713\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "\u00e9t\u00e9 \u65e5\u672c\u8a9e\r\n.dot\r\n").encode("utf-8")

def check(cond, what):
    if not cond:
        print("FAIL " + what)
        sys.exit(1)
    print("OK " + what)

def auth(s, mech):
    s.user, s.password = "alice", "alice-secret"
    obj = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
    code, resp = s.auth(mech, obj, initial_response_ok=(mech != "CRAM-MD5"))
    check(code == 235, "auth " + mech)

if mode == "smtp":
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        code, _ = s.ehlo("py.example.test")
        check(code == 250, "ehlo")
        for ext in ["pipelining", "8bitmime", "smtputf8", "size", "chunking", "dsn",
                    "enhancedstatuscodes", "starttls", "auth"]:
            check(s.has_extn(ext), "ehlo offers " + ext)
        check(s.esmtp_features["auth"].split() == ["CRAM-MD5"], "only CRAM-MD5 before TLS")
        refused = s.sendmail("alice@example.test", ["bob@example.test", "nobody@example.test"], MSG)
        check(list(refused) == ["nobody@example.test"] and refused["nobody@example.test"][0] == 550,
              "one recipient refused with 550")
        try:
            s.sendmail("alice@example.test", ["nobody@example.test"], MSG)
            check(False, "all recipients refused")
        except smtplib.SMTPRecipientsRefused:
            check(True, "all recipients refused")
        s.starttls(context=ctx)
        s.ehlo("py.example.test")
        check(not s.has_extn("starttls"), "no STARTTLS after STARTTLS")
        check(s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN", "CRAM-MD5"], "AUTH over TLS")
        refused = s.sendmail("alice@example.test", ["bob@b\u00fccher.example"], UTF8,
                             mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        check(not refused, "SMTPUTF8 and 8BITMIME")
elif mode == "submission":
    for mech in ["PLAIN", "LOGIN", "CRAM-MD5"]:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
            s.ehlo("py.example.test")
            s.starttls(context=ctx)
            s.ehlo("py.example.test")
            auth(s, mech)
            check(not s.sendmail("alice@example.test", ["bob@example.test"], MSG), "send after " + mech)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.starttls(context=ctx)
        try:
            s.sendmail("alice@example.test", ["bob@example.test"], MSG)
            check(False, "MAIL refused without AUTH")
        except smtplib.SMTPSenderRefused as e:
            check(e.smtp_code == 530, "MAIL refused without AUTH")
        try:
            s.login("alice", "wrong")
            check(False, "wrong password refused")
        except smtplib.SMTPAuthenticationError as e:
            check(e.smtp_code == 535, "wrong password refused")
elif mode == "smtps":
    with smtplib.SMTP_SSL("localhost", port, context=ctx, timeout=10) as s:
        s.ehlo("py.example.test")
        check(not s.has_extn("starttls"), "no STARTTLS on implicit TLS")
        s.login("alice", "alice-secret")
        check(not s.sendmail("alice@example.test", ["bob@example.test"], MSG), "send over implicit TLS")
elif mode == "lmtp":
    s = smtplib.LMTP("127.0.0.1", port, timeout=10)
    code, _ = s.ehlo("py.example.test")
    check(code == 250, "lhlo")
    check(not s.sendmail("alice@example.test", ["bob@example.test"], MSG), "lmtp send")
    code, _ = s.mail("alice@example.test")
    check(code == 250, "lmtp mail")
    code, _ = s.rcpt("nobody@example.test")
    check(code == 550, "lmtp unknown recipient")
    s.quit()
print("DONE")
"#;

fn run(mode: Mode, tls: &str, py_mode: &str) -> (Vec<Vec<u8>>, String) {
    let maildir = tempfile::tempdir().unwrap();
    let cert = SelfSigned::localhost().unwrap();
    let ca = maildir.path().join("ca.pem");
    cert.write_cert_pem(&ca).unwrap();
    let acceptor = TlsAcceptor::from(cert.identity().server_config().unwrap());
    let mut settings = ServerSettings::new("mx.example.test", mode);
    settings.users = vec![
        parse_user("alice:alice-secret").unwrap(),
        parse_user("bob:bob-secret").unwrap(),
    ];
    settings.log = false;
    if tls == "starttls" {
        settings.starttls = Some(acceptor.clone());
    }
    let store = maildir.path().join("mail");
    let service = SmtpService::new(settings, Maildir::open(&store).unwrap());
    let options = ServeOptions {
        implicit_tls: (tls == "implicit").then_some(acceptor),
        log_errors: false,
        ..ServeOptions::default()
    };
    let server = BackgroundServer::start(service, "127.0.0.1:0".parse().unwrap(), options).unwrap();
    let out = Command::new("python3")
        .args(["-c", SCRIPT, py_mode])
        .arg(server.addr().port().to_string())
        .arg(&ca)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && stdout.ends_with("DONE\n"),
        "smtplib {py_mode}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(server);
    (files(&store), stdout)
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<_> = std::fs::read_dir(dir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

const MSG: &[u8] = b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: from smtplib\r\n\r\nhello\r\n.a leading dot\r\n..two\r\n";

#[test]
fn smtplib_smtp_with_starttls_refusals_and_smtputf8() {
    if !have_python() {
        return;
    }
    let (files, _) = run(Mode::Smtp, "starttls", "smtp");
    assert_eq!(files.len(), 2);
    assert!(files[0].ends_with(MSG));
    let utf8 = "Subject: Gr\u{fc}\u{df}e \u{2713}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\u{e9}t\u{e9} \u{65e5}\u{672c}\u{8a9e}\r\n.dot\r\n";
    assert!(files[1].ends_with(utf8.as_bytes()));
    let trace = String::from_utf8_lossy(&files[1]);
    assert!(trace.contains("with UTF8SMTPS id"), "{trace}");
    assert!(trace.contains("for <bob@b\u{fc}cher.example>"), "{trace}");
}

#[test]
fn smtplib_submission_with_every_auth_mechanism() {
    if !have_python() {
        return;
    }
    let (files, out) = run(Mode::Submission, "starttls", "submission");
    assert_eq!(files.len(), 3, "{out}");
    for f in files {
        assert!(f.ends_with(MSG));
        assert!(String::from_utf8_lossy(&f).contains("with ESMTPSA id"));
    }
}

#[test]
fn smtplib_implicit_tls() {
    if !have_python() {
        return;
    }
    let (files, _) = run(Mode::Submission, "implicit", "smtps");
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with(MSG));
}

#[test]
fn smtplib_lmtp() {
    if !have_python() {
        return;
    }
    let (files, _) = run(Mode::Lmtp, "none", "lmtp");
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with(MSG));
    assert!(String::from_utf8_lossy(&files[0]).contains("with LMTP id"));
}
