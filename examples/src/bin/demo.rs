//! The end-to-end demo: the README's main command.
//!
//! With no arguments it starts the three servers of this package in-process on free
//! loopback ports over a temporary Maildir, then, with the three clients of this package:
//!
//! 1. opens an IMAP session (AUTHENTICATE CRAM-MD5), selects INBOX and enters IDLE;
//! 2. sends a message through the submission server (STARTTLS, then AUTH PLAIN);
//! 3. the IDLE session sees it arrive (`* 1 EXISTS`); IMAP then FETCHes it byte for byte
//!    and STOREs `\Seen`;
//! 4. downloads it over POP3 with APOP and checks the bytes again;
//!
//! then prints the annotated `C:`/`S:` transcript of every session and a summary, and exits
//! 0 only if every step did what it should. Everything runs on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mail_common::sasl::{Mechanism, Secret};
use mail_examples::cli::User;
use mail_examples::maildir::Maildir;
use mail_examples::net::client::ClientStream;
use mail_examples::net::server::ServeOptions;
use mail_examples::pop3::client::{LoginMethod, LoginOptions, Session as Pop3Session};
use mail_examples::smtp::client::{Envelope, Login, SessionOptions, send};
use mail_examples::smtp::server::{BackgroundServer, Mode, ServerSettings, SmtpService};
use mail_examples::tls::{SelfSigned, client_config_with_roots};
use mail_examples::transcript::{Recorded, Side, Transcript};
use smtp_proto::{ForwardPath, Host, Mailbox, ReversePath};

const USER: &str = "alice";
const PASSWORD: &str = "demo-secret";
const TIMEOUT: Duration = Duration::from_secs(20);

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        eprintln!("usage: demo (no arguments): runs SMTP, IMAP and POP3 end to end on 127.0.0.1");
        return ExitCode::from(2);
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\ndemo FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res<T> = Result<T, String>;

fn err(context: &str) -> impl Fn(&dyn std::fmt::Display) -> String + '_ {
    move |e| format!("{context}: {e}")
}

fn users() -> Vec<User> {
    vec![User {
        name: USER.to_owned(),
        password: Secret::new(PASSWORD),
    }]
}

/// A loopback relay that records both directions of one connection: the transcript of a
/// client whose library does not record by itself (the bytes are plaintext here, as the
/// IMAP session uses CRAM-MD5 and sends no password).
fn recording_relay(target: SocketAddr, transcript: Transcript) -> Res<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| err("relay bind")(&e))?;
    let addr = listener.local_addr().map_err(|e| err("relay addr")(&e))?;
    thread::spawn(move || {
        let Ok((client, _)) = listener.accept() else {
            return;
        };
        let Ok(server) = TcpStream::connect(target) else {
            return;
        };
        let pump = |mut from: TcpStream, mut to: TcpStream, side: Side, t: Transcript| {
            thread::spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n) = from.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    t.record(side, &buf[..n]);
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to.shutdown(std::net::Shutdown::Write);
            })
        };
        let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
            return;
        };
        let a = pump(client, s2, Side::Client, transcript.clone());
        let b = pump(server, c2, Side::Server, transcript);
        let _ = a.join();
        let _ = b.join();
    });
    Ok(addr)
}

fn message() -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(b"From: Alice <alice@localhost>\r\n");
    m.extend_from_slice(b"To: Alice <alice@localhost>\r\n");
    m.extend_from_slice(b"Subject: =?UTF-8?Q?D=C3=A9mo?= of the mail protocol crates\r\n");
    m.extend_from_slice(b"Message-ID: <demo.1@localhost>\r\n");
    m.extend_from_slice(b"MIME-Version: 1.0\r\n");
    m.extend_from_slice(b"Content-Type: text/plain; charset=utf-8\r\n");
    m.extend_from_slice(b"Content-Transfer-Encoding: 8bit\r\n\r\n");
    m.extend_from_slice(
        "Hello from smtp-proto, imap-proto and pop3-proto: ça marche.\r\n".as_bytes(),
    );
    m.extend_from_slice(b".this line starts with a dot (stuffed on the wire)\r\n");
    m.extend_from_slice(b"\r\n.\r\n"); // a lone dot line inside the content, not the end
    m.extend_from_slice(b"Bye.\r\n");
    m
}

fn mailbox() -> Res<Mailbox<'static>> {
    Mailbox::parse("alice@localhost")
        .map(Mailbox::into_owned)
        .map_err(|e| err("mailbox")(&e))
}

struct Step {
    name: &'static str,
    ok: bool,
    detail: String,
}

fn run() -> Res<()> {
    let started = Instant::now();
    let dir = tempfile::tempdir().map_err(|e| err("temp dir")(&e))?;
    let maildir = Maildir::open(dir.path().join("Maildir")).map_err(|e| err("maildir")(&e))?;
    let cert = SelfSigned::localhost().map_err(|e| err("certificate")(&e))?;
    let server_tls = cert
        .identity()
        .server_config()
        .map_err(|e| err("tls config")(&e))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(server_tls);
    let client_tls =
        client_config_with_roots(cert.identity().certs()).map_err(|e| err("tls client")(&e))?;

    // The servers.
    let mut smtp_settings = ServerSettings::new("localhost", Mode::Submission);
    smtp_settings.users = users();
    smtp_settings.starttls = Some(acceptor.clone());
    smtp_settings.log = false;
    let smtp = BackgroundServer::start(
        SmtpService::new(smtp_settings, maildir.clone()),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        ServeOptions::default(),
    )
    .map_err(|e| err("smtp server")(&e))?;
    let mut imap_settings = mail_examples::imap::server::Settings::new(maildir.clone(), users());
    imap_settings.starttls = Some(acceptor.clone());
    imap_settings.idle_poll = Duration::from_millis(200);
    imap_settings.log = false;
    let imap = mail_examples::imap::server::Background::start(imap_settings, None)
        .map_err(|e| err("imap server")(&e))?;
    let mut pop3_settings = mail_examples::pop3::server::Settings::new(maildir.clone(), users());
    pop3_settings.stls = Some(acceptor);
    pop3_settings.log = false;
    let pop3 = mail_examples::pop3::server::Background::start(pop3_settings, None)
        .map_err(|e| err("pop3 server")(&e))?;
    println!(
        "servers on 127.0.0.1: submission {}, IMAP {}, POP3 {}",
        smtp.addr(),
        imap.addr(),
        pop3.addr()
    );
    println!("Maildir: {}", maildir.root().display());

    let mut steps: Vec<Step> = Vec::new();
    let content = message();

    // 1. IMAP: log in, select INBOX, IDLE (in a thread) until the message shows up.
    let imap_log = Transcript::new();
    let relay = recording_relay(imap.addr(), imap_log.clone())?;
    let stream = ClientStream::connect("127.0.0.1", relay.port(), TIMEOUT)
        .map_err(|e| err("imap connect")(&e))?;
    let mut imap_session = mail_examples::imap::client::Session::start(
        stream,
        "localhost",
        Some(client_tls.clone()),
        false,
        TIMEOUT,
    )
    .map_err(|e| err("imap greeting")(&e))?;
    imap_session
        .login(USER, PASSWORD, Some(&Mechanism::CramMd5))
        .map_err(|e| err("imap login")(&e))?;
    steps.push(Step {
        name: "IMAP AUTHENTICATE CRAM-MD5",
        ok: true,
        detail: "no password on the wire".into(),
    });
    let updates = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&updates);
    let idler = thread::spawn(move || {
        let r = imap_session.idle("INBOX", Duration::from_secs(3), |line| {
            if let Ok(mut v) = seen.lock() {
                v.push(line.to_owned());
            }
        });
        (imap_session, r.map_err(|e| e.to_string()))
    });
    // Wait until the server has answered IDLE with its continuation.
    let deadline = Instant::now() + TIMEOUT;
    while !String::from_utf8_lossy(&imap_log.stream(Side::Server)).contains("\r\n+ ") {
        if Instant::now() > deadline {
            return Err("IMAP IDLE did not start".into());
        }
        thread::sleep(Duration::from_millis(20));
    }

    // 2. SMTP submission: STARTTLS, AUTH PLAIN, send.
    let smtp_log = Transcript::new();
    let mut options = SessionOptions::new(
        "localhost",
        Host::parse("client.localhost")
            .map_err(|e| err("helo")(&e))?
            .into_owned(),
    );
    options.security = mail_common::service::Security::StartTls;
    options.tls = Some(client_tls.clone());
    options.login = Some(Login {
        mechanism: Some(Mechanism::Plain),
        user: USER.into(),
        password: Secret::new(PASSWORD),
    });
    options.transcript = Some(smtp_log.clone());
    let envelope = Envelope {
        from: ReversePath::Mailbox(mailbox()?),
        to: vec![ForwardPath::Mailbox(mailbox()?)],
    };
    let stream = ClientStream::connect("127.0.0.1", smtp.addr().port(), TIMEOUT)
        .map_err(|e| err("smtp connect")(&e))?;
    let report = send(stream, &options, &envelope, &content).map_err(|e| err("smtp send")(&e))?;
    steps.push(Step {
        name: "SMTP submission STARTTLS + AUTH PLAIN",
        ok: report.tls && report.authenticated.is_some() && report.all_accepted(),
        detail: format!(
            "tls={}, auth={:?}, extensions used: {}",
            report.tls,
            report.authenticated,
            report.extensions.join(" ")
        ),
    });

    // 3. IMAP: IDLE saw it; fetch it; \Seen.
    let (mut imap_session, idle_result) = idler
        .join()
        .map_err(|_| "IMAP IDLE thread panicked".to_string())?;
    idle_result.map_err(|e| err("imap idle")(&e))?;
    let idle_lines = updates.lock().map(|v| v.clone()).unwrap_or_default();
    steps.push(Step {
        name: "IMAP IDLE sees the new message",
        ok: idle_lines
            .iter()
            .any(|l| l.ends_with(" EXISTS") && !l.starts_with("* 0 ")),
        detail: idle_lines.join(" | "),
    });
    let out = dir.path().join("imap-fetched");
    let fetched = imap_session
        .fetch_all("INBOX", &out)
        .map_err(|e| err("imap fetch")(&e))?;
    let imap_bytes = read_single(&out)?;
    steps.push(Step {
        name: "IMAP FETCH returns the message",
        ok: fetched.len() == 1 && ends_with_content(&imap_bytes, &content),
        detail: format!(
            "{} message(s), {} bytes (with the server's trace headers)",
            fetched.len(),
            imap_bytes.len()
        ),
    });
    let uid = fetched
        .first()
        .and_then(|(uid, _)| NonZeroU32::new(*uid))
        .ok_or("no UID fetched")?;
    let flags = imap_session
        .flag(
            "INBOX",
            uid,
            mail_examples::imap::client::parse_flag("\\Seen").map_err(|e| err("flag")(&e))?,
        )
        .map_err(|e| err("imap store")(&e))?;
    steps.push(Step {
        name: "IMAP STORE \\Seen",
        ok: flags.contains("\\Seen"),
        detail: format!("flags now {flags}"),
    });
    imap_session.logout().map_err(|e| err("imap logout")(&e))?;
    let seen_on_disk = maildir_has_seen_flag(&maildir.root().join("cur"));
    steps.push(Step {
        name: "Maildir file carries the S flag",
        ok: seen_on_disk,
        detail: "the :2,S suffix that other Maildir readers understand".into(),
    });

    // 4. POP3 with APOP.
    let pop3_log = Transcript::new();
    let stream = ClientStream::connect("127.0.0.1", pop3.addr().port(), TIMEOUT)
        .map_err(|e| err("pop3 connect")(&e))?;
    let mut pop = Pop3Session::start(Recorded::client(stream, pop3_log.clone()))
        .map_err(|e| err("pop3 greeting")(&e))?;
    let timestamp = pop.timestamp().map(str::to_owned).unwrap_or_default();
    pop.login(
        USER,
        PASSWORD,
        &LoginOptions {
            method: LoginMethod::Apop,
            allow_plaintext: false,
        },
    )
    .map_err(|e| err("pop3 APOP")(&e))?;
    let uidls = pop.uidl().map_err(|e| err("pop3 uidl")(&e))?;
    let mut pop_bytes = Vec::new();
    if let Some((n, _)) = uidls.first() {
        pop.retr(*n, &mut pop_bytes)
            .map_err(|e| err("pop3 retr")(&e))?;
    }
    pop.quit().map_err(|e| err("pop3 quit")(&e))?;
    steps.push(Step {
        name: "POP3 APOP + RETR, same bytes as IMAP",
        ok: uidls.len() == 1 && pop_bytes == imap_bytes,
        detail: format!(
            "greeting timestamp {timestamp}, {} message(s), {} bytes",
            uidls.len(),
            pop_bytes.len()
        ),
    });

    // The transcripts and the summary.
    for (title, t) in [
        ("SMTP submission", &smtp_log),
        ("IMAP", &imap_log),
        ("POP3", &pop3_log),
    ] {
        println!("\n===== {title} transcript =====");
        print!("{}", mail_examples::smtp::redact(&t.render_with(12)));
    }
    println!("\n===== summary =====");
    for s in &steps {
        println!(
            "{} {:<40} {}",
            if s.ok { "PASS" } else { "FAIL" },
            s.name,
            s.detail
        );
    }
    let failed = steps.iter().filter(|s| !s.ok).count();
    println!(
        "{} passed, {} failed in {:.1}s",
        steps.len() - failed,
        failed,
        started.elapsed().as_secs_f64()
    );
    drop((smtp, imap, pop3));
    if failed > 0 {
        return Err(format!("{failed} step(s) failed"));
    }
    Ok(())
}

fn read_single(dir: &Path) -> Res<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| err("read fetched dir")(&e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let first = files.first().ok_or("IMAP fetched no file")?;
    std::fs::read(first).map_err(|e| err("read fetched file")(&e))
}

/// The stored message is the submitted content after the trace headers the server adds.
fn ends_with_content(stored: &[u8], content: &[u8]) -> bool {
    stored.ends_with(content)
}

fn maildir_has_seen_flag(cur: &Path) -> bool {
    std::fs::read_dir(cur).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.rsplit_once(":2,")
                .is_some_and(|(_, flags)| flags.contains('S'))
        })
    })
}
