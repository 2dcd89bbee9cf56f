//! `smtp-server`: an SMTP, submission or LMTP server (tokio) delivering into a Maildir.
//!
//! ```text
//! smtp-server --maildir /tmp/mail --user alice:secret --self-signed --cert-out /tmp/ca.pem
//! smtp-server --maildir /tmp/mail --user alice:secret --self-signed --submission --listen 127.0.0.1:2587
//! smtp-server --maildir /tmp/mail --user alice:secret --lmtp --listen 127.0.0.1:2424
//! ```
//!
//! Every `--user` is a local recipient, and all users share the one Maildir (its INBOX),
//! which the IMAP and POP3 servers serve. See `mail_examples::smtp::server`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use mail_examples::cli::ServerArgs;
use mail_examples::maildir::Maildir;
use mail_examples::smtp::server::{DEFAULT_MAX_MESSAGE_SIZE, Mode, ServerSettings, SmtpService};

/// An SMTP / submission / LMTP server delivering into a Maildir.
///
/// EHLO offers PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, CHUNKING, BINARYMIME,
/// SMTPUTF8, DSN, STARTTLS (with a certificate, unless --implicit-tls) and AUTH PLAIN LOGIN
/// CRAM-MD5 (PLAIN and LOGIN only over TLS unless --allow-plaintext-auth). Recipients must
/// be local users (--user); every user's mail goes to the INBOX of the one --maildir.
#[derive(Debug, Parser)]
#[command(name = "smtp-server", version, after_help = EXAMPLES)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
    /// Message submission (RFC 6409): AUTH required before MAIL. Default port 2587 (2465
    /// with --implicit-tls).
    #[arg(long, conflicts_with = "lmtp")]
    submission: bool,
    /// Speak LMTP (RFC 2033) instead of SMTP. Default port 2424.
    #[arg(long)]
    lmtp: bool,
    /// This server's host name, for the greeting and Received: headers.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    hostname: String,
    /// Accept recipients only in this domain (repeatable); without it any domain is
    /// accepted for a local user.
    #[arg(long = "domain", value_name = "DOMAIN")]
    domains: Vec<String>,
    /// Largest message in octets (announced as SIZE).
    #[arg(long, value_name = "OCTETS", default_value_t = DEFAULT_MAX_MESSAGE_SIZE,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_size: u64,
    /// Offer and accept AUTH PLAIN and LOGIN without TLS. Dangerous: for tests.
    #[arg(long)]
    allow_plaintext_auth: bool,
    /// Seconds to wait for the next command before closing with 421.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    timeout: u64,
    /// Log nothing on standard error.
    #[arg(long)]
    quiet: bool,
}

const EXAMPLES: &str = "Examples:
  smtp-server --maildir /tmp/mail --user alice:secret --self-signed --cert-out /tmp/ca.pem
  smtp-server --maildir /tmp/mail --user alice:secret --self-signed --submission
  smtp-server --maildir /tmp/mail --user alice:secret --self-signed --submission --implicit-tls
  smtp-server --maildir /tmp/mail --user alice:secret --lmtp

Default listen addresses: 127.0.0.1:2525 (SMTP), 127.0.0.1:2587 (submission),
127.0.0.1:2465 (submission with --implicit-tls), 127.0.0.1:2424 (LMTP).
The first line on standard output is `listening on ADDR`.";

fn main() -> ExitCode {
    let cli = Cli::parse();
    mail_examples::net::server::run_main("smtp-server", run(cli))
}

async fn run(cli: Cli) -> Result<(), String> {
    let mode = if cli.lmtp {
        Mode::Lmtp
    } else if cli.submission {
        Mode::Submission
    } else {
        Mode::Smtp
    };
    match smtp_proto::Host::parse(&cli.hostname) {
        Ok(smtp_proto::Host::Domain(_)) => {}
        _ => {
            return Err(format!(
                "--hostname {:?} is not a domain name",
                cli.hostname
            ));
        }
    }
    if cli.server.users.is_empty() {
        return Err("give at least one --user NAME:PASSWORD (the local recipients)".into());
    }
    let tls = cli.server.tls().map_err(|e| e.to_string())?;
    let maildir = Maildir::open(&cli.server.maildir).map_err(|e| e.to_string())?;
    let mut settings = ServerSettings::new(cli.hostname.clone(), mode);
    settings.users.clone_from(&cli.server.users);
    settings.domains.clone_from(&cli.domains);
    settings.max_message_size = cli.max_size;
    settings.allow_plaintext_auth = cli.allow_plaintext_auth;
    settings.starttls = tls.starttls().cloned();
    settings.timeout = Duration::from_secs(cli.timeout.max(1));
    settings.log = !cli.quiet;
    let default: SocketAddr = match (mode, tls.implicit) {
        (Mode::Lmtp, _) => ([127, 0, 0, 1], 2424).into(),
        (Mode::Submission, true) => ([127, 0, 0, 1], 2465).into(),
        (Mode::Submission, false) => ([127, 0, 0, 1], 2587).into(),
        (Mode::Smtp, _) => ([127, 0, 0, 1], 2525).into(),
    };
    let listener = cli.server.bind(default).await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mut options = tls.serve_options();
    options.log_errors = !cli.quiet;
    println!("listening on {addr}");
    if !cli.quiet {
        eprintln!(
            "smtp-server: {mode} on {addr}{}, Maildir {}, users: {}",
            if tls.implicit {
                ", implicit TLS"
            } else if settings.starttls.is_some() {
                ", STARTTLS"
            } else {
                ""
            },
            cli.server.maildir.display(),
            cli.server
                .users
                .iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if mode == Mode::Submission && tls.acceptor.is_none() && !cli.allow_plaintext_auth {
            eprintln!(
                "smtp-server: warning: submission without TLS: only AUTH CRAM-MD5 can be used"
            );
        }
    }
    let service = SmtpService::new(settings, maildir);
    mail_examples::net::server::serve(listener, options, move |stream, peer| {
        Arc::clone(&service).handle(stream, peer)
    })
    .await
    .map_err(|e| format!("serving on {addr}: {e}"))
}
