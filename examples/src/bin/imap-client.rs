//! `imap-client`: a blocking IMAP client (std::net) built on `imap-proto`'s client
//! machine: list folders, download a folder, append, flag, move, and watch a folder with
//! IDLE.
//!
//! ```text
//! imap-client --server 127.0.0.1:1143 --user alice --password secret --starttls --ca ca.pem list
//! imap-client --server 127.0.0.1:1993 --tls --ca ca.pem --user alice --password secret \
//!     fetch INBOX --out ./mail
//! imap-client ... append Drafts message.eml
//! imap-client ... flag INBOX 7 '\Seen'
//! imap-client ... move INBOX 7 Archive
//! imap-client ... idle INBOX --seconds 60
//! ```

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use imap_proto::Flag;
use mail_common::service::Security;
use mail_examples::cli::ClientArgs;
use mail_examples::imap::client::{ImapError, Session, parse_flag};

/// An IMAP client: `list` folders, `fetch` a folder into .eml files, `append` a message,
/// `flag` or `move` a message by UID, or `idle` on a folder printing each update.
///
/// Login: --auth PLAIN|LOGIN|CRAM-MD5 (AUTHENTICATE), or by default LOGIN over TLS and
/// CRAM-MD5 over an unencrypted connection. A password is never sent in the clear
/// (LOGIN, PLAIN, LOGIN mechanism) without TLS unless --allow-plaintext is given.
///
/// Exit status: 0 on success, 1 on any failure (message on standard error), 2 on bad flags.
#[derive(Parser)]
#[command(name = "imap-client", version)]
struct Cli {
    #[command(flatten)]
    client: ClientArgs,
    /// Allow LOGIN, AUTHENTICATE PLAIN and AUTHENTICATE LOGIN over an unencrypted
    /// connection: the password crosses the network in the clear. Loopback tests only.
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
    /// Print every folder with its attributes.
    List,
    /// Download every message of MAILBOX into DIR as <uid>.eml (read-only: \Seen is not
    /// set).
    Fetch {
        /// The folder.
        mailbox: String,
        /// The directory to write to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Append the message in FILE to MAILBOX.
    Append {
        /// The folder.
        mailbox: String,
        /// The message (RFC 5322, CRLF line ends).
        file: PathBuf,
    },
    /// Add FLAG (\Seen, \Flagged, ... or a keyword) to the message with UID.
    Flag {
        /// The folder.
        mailbox: String,
        /// The message's UID.
        uid: NonZeroU32,
        /// The flag.
        #[arg(value_parser = parse_flag, allow_hyphen_values = true)]
        flag: Flag<'static>,
    },
    /// Move the message with UID from MAILBOX to TARGET.
    Move {
        /// The folder.
        mailbox: String,
        /// The message's UID.
        uid: NonZeroU32,
        /// The destination folder.
        target: String,
    },
    /// Watch MAILBOX with IDLE for N seconds, printing each untagged update.
    Idle {
        /// The folder.
        mailbox: String,
        /// How long to watch.
        #[arg(long, value_name = "N", default_value_t = 60)]
        seconds: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imap-client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), ImapError> {
    let args = &cli.client;
    let (Some(user), Some(password)) = (&args.user, &args.password) else {
        return Err(ImapError::Local(
            "--user and --password are required".into(),
        ));
    };
    let timeout = Duration::from_secs(cli.timeout.max(1));
    let default_port = if args.security() == Security::ImplicitTls {
        993
    } else {
        143
    };
    let (stream, tls_config) = args
        .connect(default_port, timeout)
        .map_err(|e| ImapError::Local(e.to_string()))?;
    let mut session = Session::start(
        stream,
        &args.server.host,
        tls_config,
        cli.allow_plaintext,
        timeout,
    )?;
    if args.security() == Security::StartTls {
        session.starttls()?;
    }
    session.login(user, password.expose(), args.auth.as_ref())?;
    match &cli.verb {
        Verb::List => {
            for entry in session.list()? {
                let delim = entry
                    .delimiter
                    .map_or("NIL".to_owned(), |d| format!("{d:?}"));
                println!("{}\t({})\t{delim}", entry.name, entry.attributes.join(" "));
            }
        }
        Verb::Fetch { mailbox, out } => {
            let saved = session.fetch_all(mailbox, out)?;
            for (uid, size) in &saved {
                println!("{uid}.eml\t{size} octets");
            }
            println!("{} messages saved in {}", saved.len(), out.display());
        }
        Verb::Append { mailbox, file } => {
            let message = std::fs::read(file)
                .map_err(|e| ImapError::Local(format!("read {}: {e}", file.display())))?;
            match session.append(mailbox, &message)? {
                Some(code) => println!("appended: {code}"),
                None => println!("appended"),
            }
        }
        Verb::Flag { mailbox, uid, flag } => {
            let flags = session.flag(mailbox, *uid, flag.clone())?;
            println!("UID {uid} flags {flags}");
        }
        Verb::Move {
            mailbox,
            uid,
            target,
        } => match session.move_message(mailbox, *uid, target)? {
            Some(code) => println!("moved: {code}"),
            None => println!("moved"),
        },
        Verb::Idle { mailbox, seconds } => {
            session.idle(mailbox, Duration::from_secs(*seconds), |line| {
                println!("{line}");
            })?;
        }
    }
    session.logout()
}
