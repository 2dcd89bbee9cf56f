//! `pop3-server`: a POP3 server (RFC 1939 with CAPA, STLS, AUTH, APOP) on a Maildir's
//! INBOX, built on `pop3-proto`'s sans-IO server machine and tokio.
//!
//! ```text
//! pop3-server --maildir /tmp/mail --user alice:secret --self-signed --cert-out /tmp/ca.pem
//! pop3-server --maildir /tmp/mail --user alice:secret --self-signed --implicit-tls \
//!     --listen 127.0.0.1:1995
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use mail_examples::cli::ServerArgs;
use mail_examples::maildir::Maildir;
use mail_examples::pop3::server::{Settings, run};

/// A POP3 server on a Maildir: USER/PASS, APOP, AUTH PLAIN/LOGIN/CRAM-MD5, CAPA, STAT,
/// LIST, UIDL, TOP, RETR, DELE (applied at QUIT), RSET, NOOP, STLS and implicit TLS.
///
/// Listens on 127.0.0.1:1110 by default (127.0.0.1:1995 with --implicit-tls). Every user
/// sees the same Maildir's INBOX; the maildrop is locked while a session is logged in. Without TLS, passwords in the clear (USER/PASS, AUTH PLAIN, AUTH LOGIN) are
/// refused unless --allow-plaintext; APOP and CRAM-MD5 always work.
#[derive(Parser)]
#[command(name = "pop3-server", version)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
    /// Host name for the APOP timestamp and the CRAM-MD5 challenge.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    hostname: String,
    /// Accept USER/PASS and AUTH PLAIN/LOGIN on an unencrypted connection (test setups
    /// on loopback only: the password crosses the network in the clear).
    #[arg(long)]
    allow_plaintext: bool,
    /// Close sessions idle for this many seconds (RFC 1939 §3: at least 600).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    idle_timeout: u64,
    /// Do not log sessions on standard error.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    mail_examples::net::server::run_main("pop3-server", serve(cli))
}

async fn serve(cli: Cli) -> Result<(), String> {
    let maildir = Maildir::open(&cli.server.maildir).map_err(|e| e.to_string())?;
    // Check the host name once here rather than failing every session.
    let probe = Settings::new(maildir.clone(), Vec::new());
    let mut config = probe.server_config();
    config.hostname.clone_from(&cli.hostname);
    let _ = pop3_proto::server::Server::new(config, "check", false)
        .map_err(|e| format!("--hostname {:?}: {e}", cli.hostname))?;
    let tls = cli.server.tls().map_err(|e| e.to_string())?;
    let default_port = if tls.implicit { 1995 } else { 1110 };
    let listener = cli
        .server
        .bind(SocketAddr::from(([127, 0, 0, 1], default_port)))
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if cli.server.users.is_empty() {
        eprintln!("pop3-server: warning: no --user given, every login will fail");
    }
    let mut settings = Settings::new(maildir, cli.server.users.clone());
    settings.hostname = cli.hostname;
    settings.stls = tls.starttls().cloned();
    settings.allow_plaintext = cli.allow_plaintext;
    settings.idle_timeout = std::time::Duration::from_secs(cli.idle_timeout.max(1));
    settings.log = !cli.quiet;
    let mode = match (tls.implicit, settings.stls.is_some()) {
        (true, _) => "implicit TLS",
        (false, true) => "STLS offered",
        (false, false) => "no TLS",
    };
    println!(
        "pop3-server listening on {addr} ({mode}), maildir {}",
        cli.server.maildir.display()
    );
    let mut options = tls.serve_options();
    options.log_errors = !cli.quiet;
    // Runs until killed (Ctrl-C): sessions in TRANSACTION then delete nothing, as
    // RFC 1939 §6 asks of a connection that ends without QUIT.
    run(
        listener,
        Arc::new(settings),
        options,
        std::future::pending(),
    )
    .await
    .map_err(|e| format!("accept loop: {e}"))
}
