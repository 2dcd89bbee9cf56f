//! `smtp-client`: send a message file over SMTP, submission or LMTP (blocking `std::net`).
//!
//! ```text
//! smtp-client --server 127.0.0.1:2587 --starttls --ca /tmp/ca.pem --user alice \
//!     --password secret --auth PLAIN --from alice@example.test --to bob@example.test msg.eml
//! ```
//!
//! Prints one line per recipient and exits 0 only when every recipient accepted the message.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mail_common::service::Security;
use mail_examples::cli::ClientArgs;
use mail_examples::smtp::client::{self, Envelope, Login, SessionOptions, Stage};
use mail_examples::smtp::{SmtpError, forward_path_text, reply_text};
use mail_examples::transcript::Transcript;
use smtp_proto::{ForwardPath, Host, Mailbox, ReversePath};

/// Send a message file over SMTP, submission or LMTP.
///
/// Uses PIPELINING, CHUNKING (BDAT), SIZE, 8BITMIME and SMTPUTF8 when the server offers
/// them. Prints one line per recipient: `accepted` or `rejected at RCPT|DATA|MAIL`, with
/// the server's reply.
#[derive(Debug, Parser)]
#[command(name = "smtp-client", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    client: ClientArgs,
    /// Speak LMTP (RFC 2033): LHLO, one reply per recipient. Default port 24.
    #[arg(long)]
    lmtp: bool,
    /// The envelope sender (MAIL FROM); an empty string or `<>` for the null sender.
    #[arg(long, value_name = "ADDR", value_parser = parse_from)]
    from: ReversePath<'static>,
    /// An envelope recipient (RCPT TO); repeat for more.
    #[arg(long = "to", value_name = "ADDR", required = true, value_parser = parse_to)]
    to: Vec<ForwardPath<'static>>,
    /// The EHLO/LHLO name.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    helo: String,
    /// Seconds to wait for the connection and each reply.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
    /// Send with DATA even when the server offers CHUNKING.
    #[arg(long)]
    no_chunking: bool,
    /// Octets per BDAT chunk.
    #[arg(long, value_name = "OCTETS", default_value_t = 1024 * 1024)]
    chunk_size: usize,
    /// Allow AUTH PLAIN and LOGIN without TLS (the password goes in the clear).
    #[arg(long)]
    allow_plaintext_auth: bool,
    /// Print the session as a C:/S: transcript on standard error (AUTH secrets redacted).
    #[arg(long)]
    transcript: bool,
    /// The message file (RFC 5322, CRLF or LF line endings); `-` for standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

const AFTER_HELP: &str = "Default ports: 25, 465 with --tls, 24 with --lmtp.
Exit status: 0 every recipient accepted; 1 some recipient refused; 2 bad flags;
3 the session failed (connection, TLS, STARTTLS, AUTH, protocol).

Example:
  smtp-client --server 127.0.0.1:2587 --starttls --ca ca.pem --user alice --password secret \\
      --auth PLAIN --from alice@example.test --to bob@example.test message.eml";

fn unbracket(text: &str) -> &str {
    text.strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(text)
}

fn parse_from(text: &str) -> Result<ReversePath<'static>, String> {
    let bare = unbracket(text.trim());
    if bare.is_empty() {
        return Ok(ReversePath::Null);
    }
    Mailbox::parse(bare)
        .map(|m| ReversePath::Mailbox(m.into_owned()))
        .map_err(|e| format!("not a mailbox (local@domain): {e}"))
}

fn parse_to(text: &str) -> Result<ForwardPath<'static>, String> {
    let bare = unbracket(text.trim());
    if bare.eq_ignore_ascii_case("postmaster") {
        return Ok(ForwardPath::Postmaster);
    }
    Mailbox::parse(bare)
        .map(|m| ForwardPath::Mailbox(m.into_owned()))
        .map_err(|e| format!("not a mailbox (local@domain): {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("smtp-client: {e}");
            ExitCode::from(3)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, String> {
    let content = if cli.file.as_os_str() == "-" {
        let mut v = Vec::new();
        std::io::stdin()
            .read_to_end(&mut v)
            .map_err(|e| format!("read standard input: {e}"))?;
        v
    } else {
        std::fs::read(&cli.file).map_err(|e| format!("read {}: {e}", cli.file.display()))?
    };
    let helo = Host::parse(&cli.helo)
        .map_err(|e| format!("--helo {:?}: {e}", cli.helo))?
        .into_owned();
    let login = match (&cli.client.user, &cli.client.password) {
        (Some(user), Some(password)) => Some(Login {
            mechanism: cli.client.auth.clone(),
            user: user.clone(),
            password: password.clone(),
        }),
        (Some(_), None) => return Err("--user needs --password".into()),
        _ if cli.client.auth.is_some() => return Err("--auth needs --user and --password".into()),
        _ => None,
    };
    let timeout = Duration::from_secs(cli.timeout.max(1));
    let default_port = if cli.lmtp {
        24
    } else if cli.client.tls {
        465
    } else {
        25
    };
    let (stream, tls) = cli
        .client
        .connect(default_port, timeout)
        .map_err(|e| e.to_string())?;
    let mut options = SessionOptions::new(cli.client.server.host.clone(), helo);
    options.lmtp = cli.lmtp;
    options.security = cli.client.security();
    options.tls = tls;
    options.login = login;
    options.allow_plaintext_auth = cli.allow_plaintext_auth;
    options.chunking = !cli.no_chunking;
    options.chunk_size = cli.chunk_size.max(1);
    let transcript = cli.transcript.then(Transcript::new);
    options.transcript.clone_from(&transcript);
    let envelope = Envelope {
        from: cli.from.clone(),
        to: cli.to.clone(),
    };
    let result = client::send(stream, &options, &envelope, &content);
    if let Some(t) = &transcript {
        eprint!("{}", mail_examples::smtp::redact(&t.render()));
    }
    let report = result.map_err(|e: SmtpError| e.to_string())?;
    let mut how = Vec::new();
    match (options.security, report.tls) {
        (Security::ImplicitTls, _) => how.push("implicit TLS".to_owned()),
        (_, true) => how.push("STARTTLS".to_owned()),
        _ => how.push("plaintext".to_owned()),
    }
    if let Some(m) = &report.authenticated {
        how.push(format!("AUTH {m}"));
    }
    how.extend(report.extensions.iter().map(|e| (*e).to_owned()));
    println!("session: {}", how.join(", "));
    for w in &report.warnings {
        eprintln!("smtp-client: warning: {w}");
    }
    for o in &report.outcomes {
        let reply = o
            .reply
            .as_ref()
            .map_or_else(|| "no reply".into(), reply_text);
        let verdict = match (o.accepted, o.stage) {
            (true, _) => "accepted".to_owned(),
            (false, Stage::Mail) => "rejected at MAIL".to_owned(),
            (false, Stage::Rcpt) => "rejected at RCPT".to_owned(),
            (false, Stage::Data) => "rejected at DATA".to_owned(),
            (false, Stage::None) => "not delivered".to_owned(),
        };
        println!("{}: {verdict} ({reply})", forward_path_text(&o.recipient));
    }
    Ok(if report.all_accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
