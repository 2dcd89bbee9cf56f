//! `imap-server`: an IMAP4rev1 server (RFC 3501 with IDLE, NAMESPACE, ID, ENABLE,
//! UIDPLUS, MOVE, UNSELECT, LITERAL+, SASL-IR, STARTTLS) on a Maildir, built on
//! `imap-proto`'s sans-IO server machine and tokio.
//!
//! ```text
//! imap-server --maildir /tmp/mail --user alice:secret --self-signed --cert-out /tmp/ca.pem
//! imap-server --maildir /tmp/mail --user alice:secret --self-signed --implicit-tls \
//!     --listen 127.0.0.1:1993
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use mail_examples::cli::ServerArgs;
use mail_examples::imap::server::{Settings, run};
use mail_examples::maildir::Maildir;

/// An IMAP server on a Maildir: LOGIN, AUTHENTICATE PLAIN/LOGIN/CRAM-MD5, LIST/LSUB,
/// CREATE/DELETE/RENAME, SUBSCRIBE, STATUS, SELECT/EXAMINE, FETCH, SEARCH, STORE, COPY,
/// MOVE, EXPUNGE, APPEND, UID variants, IDLE, NAMESPACE, ID, ENABLE, UIDPLUS, STARTTLS and
/// implicit TLS.
///
/// Every user sees the same Maildir. Without TLS, LOGIN and AUTHENTICATE PLAIN/LOGIN are
/// refused (LOGINDISABLED) unless --allow-plaintext; CRAM-MD5 always works.
#[derive(Parser)]
#[command(name = "imap-server", version)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
    /// Host name for the CRAM-MD5 challenge.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    hostname: String,
    /// Accept LOGIN and AUTHENTICATE PLAIN/LOGIN on an unencrypted connection (test setups
    /// on loopback only: the password crosses the network in the clear).
    #[arg(long)]
    allow_plaintext: bool,
    /// End sessions that sent nothing for this many seconds (RFC 3501 §5.4: at least 1800).
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    autologout: u64,
    /// How often (milliseconds) an IDLE session rescans its folder for mail delivered by
    /// other processes.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    idle_poll_ms: u64,
    /// Do not log sessions on standard error.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    mail_examples::net::server::run_main("imap-server", serve(cli))
}

async fn serve(cli: Cli) -> Result<(), String> {
    let maildir = Maildir::open(&cli.server.maildir).map_err(|e| e.to_string())?;
    let mut settings = Settings::new(maildir, cli.server.users.clone());
    settings.hostname.clone_from(&cli.hostname);
    // Check the host name once here rather than failing every session.
    let _ = imap_proto::server::Server::new(settings.server_config(), false, "check")
        .map_err(|e| format!("--hostname {:?}: {e}", cli.hostname))?;
    let tls = cli.server.tls().map_err(|e| e.to_string())?;
    let default_port = if tls.implicit { 1993 } else { 1143 };
    let listener = cli
        .server
        .bind(SocketAddr::from(([127, 0, 0, 1], default_port)))
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if cli.server.users.is_empty() {
        eprintln!("imap-server: warning: no --user given, every login will fail");
    }
    settings.starttls = tls.starttls().cloned();
    settings.allow_plaintext = cli.allow_plaintext;
    settings.autologout = Duration::from_secs(cli.autologout.max(1));
    settings.idle_poll = Duration::from_millis(cli.idle_poll_ms.max(10));
    settings.log = !cli.quiet;
    let mode = match (tls.implicit, settings.starttls.is_some()) {
        (true, _) => "implicit TLS",
        (false, true) => "STARTTLS offered",
        (false, false) => "no TLS",
    };
    println!(
        "imap-server listening on {addr} ({mode}), maildir {}",
        cli.server.maildir.display()
    );
    let mut options = tls.serve_options();
    options.log_errors = !cli.quiet;
    run(
        listener,
        Arc::new(settings),
        options,
        std::future::pending(),
    )
    .await
    .map_err(|e| format!("accept loop: {e}"))
}
