//! `pop3-client`: a blocking POP3 client (std::net) built on `pop3-proto`: list the
//! maildrop, or download it (optionally deleting, or leaving mail on the server and
//! remembering what was fetched by UIDL).
//!
//! ```text
//! pop3-client --server 127.0.0.1:1110 --user alice --password secret --apop list
//! pop3-client --server 127.0.0.1:1110 --user alice --password secret --starttls --ca ca.pem \
//!     fetch --out ./mail --keep-seen ./seen-uidls
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use mail_common::sasl::Secret;
use mail_common::service::Security;
use mail_examples::cli::ClientArgs;
use mail_examples::pop3::Pop3Error;
use mail_examples::pop3::client::{FetchOptions, LoginMethod, LoginOptions, Session, fetch};

/// A POP3 client: `list` the maildrop or `fetch` it into a directory of .eml files.
///
/// Login: --apop, or --auth PLAIN|LOGIN|CRAM-MD5; by default the strongest the server
/// offers (CRAM-MD5, then APOP, then PLAIN or USER/PASS where plaintext is acceptable).
/// A password is never sent in the clear (USER/PASS, PLAIN, LOGIN) over an unencrypted
/// connection unless --allow-plaintext is given; APOP and CRAM-MD5 send only digests.
///
/// Exit status: 0 on success, 1 on any failure (message on standard error), 2 on bad flags.
#[derive(Parser)]
#[command(name = "pop3-client", version)]
struct Cli {
    #[command(flatten)]
    client: ClientArgs,
    /// Log in with APOP (RFC 1939 §7; needs the timestamp in the server's greeting).
    #[arg(long, conflicts_with = "auth")]
    apop: bool,
    /// Log in with USER and PASS (RFC 1939 §7).
    #[arg(long, conflicts_with_all = ["auth", "apop"])]
    user_pass: bool,
    /// Allow USER/PASS, AUTH PLAIN and AUTH LOGIN over an unencrypted connection: the
    /// password crosses the network in the clear. For test servers on loopback only.
    #[arg(long)]
    allow_plaintext: bool,
    /// Seconds to wait for the server at each step.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Subcommand)]
enum Verb {
    /// Print the number, size and unique id of every message.
    List,
    /// Download every message into DIR as <uidl>.eml.
    Fetch {
        /// The directory to write to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Delete each downloaded message from the server (at QUIT).
        #[arg(long)]
        delete: bool,
        /// Leave mail on the server: skip messages whose unique id is in this file, and
        /// append the ids of those downloaded now.
        #[arg(long, value_name = "UIDL-FILE")]
        keep_seen: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pop3-client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), Pop3Error> {
    let args = &cli.client;
    let (Some(user), Some(password)) = (&args.user, &args.password) else {
        return Err(Pop3Error::Local(
            "--user and --password are required".into(),
        ));
    };
    let security = args.security();
    let default_port = if security == Security::ImplicitTls {
        995
    } else {
        110
    };
    let timeout = Duration::from_secs(cli.timeout.max(1));
    let (stream, tls) = args.connect(default_port, timeout)?;
    let mut session = Session::start(stream)?;
    eprintln!("S: +OK {}", session.greeting());
    session.capa()?;
    if security == Security::StartTls {
        let Some(tls) = tls else {
            return Err(Pop3Error::Local("no TLS configuration".into()));
        };
        if session.capabilities().is_some_and(|c| !c.is_empty()) && !session.offers_stls() {
            return Err(Pop3Error::NoLoginMethod(
                "the server does not offer STLS".into(),
            ));
        }
        session.stls(tls, &args.server.host)?;
        eprintln!("STLS: TLS established");
    }
    let method = if cli.apop {
        LoginMethod::Apop
    } else if cli.user_pass {
        LoginMethod::UserPass
    } else if let Some(mech) = &args.auth {
        LoginMethod::Sasl(mech.clone())
    } else {
        LoginMethod::Auto
    };
    let options = LoginOptions {
        method,
        allow_plaintext: cli.allow_plaintext,
    };
    let how = session.login(user, Secret::expose(password), &options)?;
    eprintln!("logged in as {user} with {how}");
    match &cli.verb {
        Verb::List => {
            let (count, size) = session.stat()?;
            let sizes = session.list()?;
            // UIDL is optional (RFC 1939 §7): without it, list without unique ids.
            let uidls = match session.uidl() {
                Ok(u) => u,
                Err(Pop3Error::Refused { .. }) => Vec::new(),
                Err(e) => return Err(e),
            };
            println!("{count} messages ({size} octets)");
            for (n, size) in sizes {
                let uidl = uidls
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map_or("-", |(_, u)| u.as_str());
                println!("{n} {size} {uidl}");
            }
            session.quit()?;
        }
        Verb::Fetch {
            out,
            delete,
            keep_seen,
        } => {
            let options = FetchOptions {
                out: out.clone(),
                delete: *delete,
                keep_seen: keep_seen.clone(),
            };
            let report = fetch(&mut session, &options)?;
            for (n, uidl, path, size) in &report.fetched {
                println!("{n} {uidl} {size} {}", path.display());
            }
            // The deletions happen now (RFC 1939 §6 UPDATE state).
            session.quit()?;
            let bytes: u64 = report.fetched.iter().map(|f| f.3).sum();
            println!(
                "fetched {} new messages ({bytes} octets), skipped {} already seen, deleted {}",
                report.fetched.len(),
                report.skipped,
                report.deleted
            );
            if report.pipelined {
                eprintln!("commands were pipelined (RFC 2449 PIPELINING)");
            }
        }
    }
    Ok(())
}
